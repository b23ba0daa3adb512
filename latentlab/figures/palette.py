"""The app's colours (no plotly import, so the first page can use them without paying for plotly).

Two sets, for two jobs:

* :data:`PALETTE`, the **class colours**: the one list every per-class figure, the latent plane
  (its payload and plane.js, which takes them from the page data) and the plane's legend use.
  Chosen by :func:`latentlab.figures.colours.search_palette` (seed 4) to stay apart under the common colour-vision
  deficiencies: the smallest CIEDE2000 distance between two classes is 18.4 for normal vision and
  13.6 / 13.8 / 14.9 under simulated protanopia / deuteranopia / tritanopia (Machado et al. 2009,
  severity 1); every colour has at least 3:1 contrast on the white plane and keeps ΔE00 ≥ 15 from
  the plane's own vermillion and black marks (tests/test_colours.py holds all of it). The
  Okabe–Ito set it replaced reached 6.2 under deuteranopia (classes 3 and 8), and five of its ten
  colours were under 3:1 on white (yellow 1.3:1).
* :data:`HUES`, Okabe & Ito's colour-blind-safe set by name: the colours that figures give a
  *meaning* to (blue = the data, vermillion = M or "g extrapolates", orange = the vanilla AE) and
  that their captions call by name. They are not class colours.
"""

#: Class colours: class ``i`` is ``PALETTE[i % 10]`` (see the module docstring for how they were chosen).
PALETTE = ["#3366BB", "#AA8800", "#771122", "#FF4477", "#9988AA", "#553355", "#666600", "#9977FF", "#1100CC", "#009977"]

#: Okabe & Ito's palette extended to ten, in its usual order: figures name these by hue.
HUES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]


def class_color(i: int) -> str:
    """The colour of class ``i`` (wrapping after ten classes)."""
    return PALETTE[i % len(PALETTE)]
