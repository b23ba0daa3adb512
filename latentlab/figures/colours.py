"""Colour science for choosing and checking the app's colours, in plain numpy (no colour library).

* :func:`ciede2000`: the CIEDE2000 colour difference ΔE00 (Sharma, Wu & Dalal 2005), the distance
  the class palette is judged by (about 1 is a just-noticeable difference; 10 and more reads as
  "another colour" at a glance, which is what telling classes apart on a busy plane needs).
* :func:`simulate`: how a colour looks to a dichromat, with Machado, Oliveira & Fernandes (2009)'s
  matrices at severity 1.0 (protanopia, deuteranopia, tritanopia), applied in linear sRGB.
* :func:`contrast_ratio`: WCAG 2's contrast ratio between two colours (text needs 4.5:1 at AA).
* :func:`palette_report` and :func:`search_palette`: the minimum pairwise ΔE00 of a palette under
  normal vision and each simulated deficiency, and the fixed-seed search that chose
  :data:`latentlab.figures.palette.PALETTE` (``python -m latentlab.figures.colours 4`` reruns it, seed 4, and
  prints the figures).

Numpy only (no torch, no plotly): the tests run it in milliseconds.
"""

from __future__ import annotations

import itertools

import numpy as np

#: Machado et al. (2009), Table 1 at severity 1.0: linear-sRGB → linear-sRGB as a dichromat sees it.
MACHADO = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
    ),
}
#: Normal vision first, then the three dichromacies (the names :func:`simulate` takes).
VISIONS = ("normal", *MACHADO)

# sRGB (D65) → XYZ, and the D65 white the Lab conversion divides by.
_SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
_WHITE = _SRGB_TO_XYZ.sum(axis=1)


def hex_to_rgb(colours) -> np.ndarray:
    """``"#RRGGBB"`` (or ``"#RGB"``, or a list of them) → sRGB in [0, 1], shape ``(..., 3)``."""
    one = isinstance(colours, str)
    out = []
    for c in [colours] if one else colours:
        h = c.strip().lstrip("#")
        if len(h) == 3:
            h = "".join(ch * 2 for ch in h)
        if len(h) != 6:
            raise ValueError(f"not a #RRGGBB colour: {c!r}")
        out.append([int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)])
    arr = np.array(out, dtype=np.float64)
    return arr[0] if one else arr


def rgb_to_hex(rgb) -> str:
    """sRGB in [0, 1] (shape ``(3,)``) → ``"#RRGGBB"``."""
    r, g, b = (int(round(float(v) * 255)) for v in np.clip(rgb, 0, 1))
    return f"#{r:02X}{g:02X}{b:02X}"


def to_linear(rgb) -> np.ndarray:
    """sRGB in [0, 1] → linear light (the sRGB transfer function undone)."""
    c = np.asarray(rgb, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(lin) -> np.ndarray:
    """Linear light → sRGB in [0, 1] (clipped: a simulated colour can leave the gamut a little)."""
    c = np.clip(np.asarray(lin, dtype=np.float64), 0, 1)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(rgb, vision: str) -> np.ndarray:
    """sRGB colours ``(..., 3)`` as a person with ``vision`` sees them ("normal" returns them as
    they are; else a key of :data:`MACHADO`). The matrix acts on linear light, as Machado et al.
    derived it; the result is clipped to the sRGB gamut."""
    rgb = np.asarray(rgb, dtype=np.float64)
    if vision == "normal":
        return rgb
    return to_srgb(to_linear(rgb) @ MACHADO[vision].T)


def rgb_to_lab(rgb) -> np.ndarray:
    """sRGB in [0, 1] ``(..., 3)`` → CIELAB (D65, 2° observer) ``(..., 3)``."""
    xyz = to_linear(rgb) @ _SRGB_TO_XYZ.T / _WHITE
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def ciede2000(lab1, lab2) -> np.ndarray:
    """CIEDE2000 colour difference between CIELAB colours ``lab1`` and ``lab2`` (broadcast over
    ``(..., 3)``), with kL = kC = kH = 1. Follows Sharma, Wu & Dalal (2005), including their notes
    on the hue angle's mean and difference when one chroma is zero."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=np.float64), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=np.float64), -1, 0)
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    Cm7 = ((C1 + C2) / 2) ** 7
    G = 0.5 * (1 - np.sqrt(Cm7 / (Cm7 + 25.0**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    h1p = np.where((a1p == 0) & (b1 == 0), 0.0, h1p)
    h2p = np.where((a2p == 0) & (b2 == 0), 0.0, h2p)
    dLp, dCp = L2 - L1, C2p - C1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    zero = (C1p * C2p) == 0
    dh = np.where(zero, 0.0, dh)
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dh) / 2)
    Lpm, Cpm = (L1 + L2) / 2, (C1p + C2p) / 2
    hsum = h1p + h2p
    hpm = np.where(np.abs(h1p - h2p) <= 180, hsum / 2, np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2))
    hpm = np.where(zero, hsum, hpm)
    T = (
        1
        - 0.17 * np.cos(np.radians(hpm - 30))
        + 0.24 * np.cos(np.radians(2 * hpm))
        + 0.32 * np.cos(np.radians(3 * hpm + 6))
        - 0.20 * np.cos(np.radians(4 * hpm - 63))
    )
    dtheta = 30 * np.exp(-(((hpm - 275) / 25) ** 2))
    Cpm7 = Cpm**7
    RC = 2 * np.sqrt(Cpm7 / (Cpm7 + 25.0**7))
    SL = 1 + 0.015 * (Lpm - 50) ** 2 / np.sqrt(20 + (Lpm - 50) ** 2)
    SC, SH = 1 + 0.045 * Cpm, 1 + 0.015 * Cpm * T
    RT = -np.sin(np.radians(2 * dtheta)) * RC
    return np.sqrt((dLp / SL) ** 2 + (dCp / SC) ** 2 + (dHp / SH) ** 2 + RT * (dCp / SC) * (dHp / SH))


def relative_luminance(rgb) -> np.ndarray:
    """WCAG 2's relative luminance of sRGB colours in [0, 1]."""
    return to_linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(fg, bg) -> float:
    """WCAG 2's contrast ratio (1 to 21) of colour ``fg`` on ``bg`` (``"#RRGGBB"`` or sRGB in [0, 1])."""
    la, lb = (float(relative_luminance(hex_to_rgb(c) if isinstance(c, str) else c)) for c in (fg, bg))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def blend(fg, bg, alpha: float) -> np.ndarray:
    """``fg`` painted over ``bg`` at opacity ``alpha`` (sRGB in [0, 1], blended as browsers do, in sRGB)."""
    return alpha * np.asarray(fg, dtype=np.float64) + (1 - alpha) * np.asarray(bg, dtype=np.float64)


def pairwise_min(colours, vision: str = "normal") -> tuple[float, tuple[int, int]]:
    """The smallest ΔE00 between any two of ``colours`` (hex strings) as ``vision`` sees them, and
    which pair (indices) it is."""
    lab = rgb_to_lab(simulate(hex_to_rgb(colours), vision))
    best, pair = np.inf, (0, 0)
    for i, j in itertools.combinations(range(len(lab)), 2):
        d = float(ciede2000(lab[i], lab[j]))
        if d < best:
            best, pair = d, (i, j)
    return best, pair


def palette_report(colours) -> dict[str, tuple[float, tuple[int, int]]]:
    """:func:`pairwise_min` under normal vision and each simulated deficiency."""
    return {v: pairwise_min(colours, v) for v in VISIONS}


# ------------------------------------------------------------------ the search that chose the palette

#: The plane's background (plane.js paints the canvas white; the density shading under the points is
#: a pale blue-grey, and where it is darkest the dots themselves cover it).
PLANE_BACKGROUND = "#FFFFFF"
#: What a class colour must meet to be a candidate: WCAG 1.4.11's 3:1 for a graphical object
#: against the white plane; no near-black (L* ≥ 25: black is the plane's colour for marks and the
#: A marker, and dark dots all read as black at 4 px); no grey (C* ≥ 20: grey dots look like
#: "no class", and like the shading).
MIN_CONTRAST_WHITE = 3.0
MIN_LIGHTNESS = 25.0
MIN_CHROMA = 20.0
#: The plane draws its own marks in these (the vermillion "g extrapolates" contour and low-density
#: rings, black crosses and markers): a class colour keeps at least this ΔE00 from each.
PLANE_OVERLAYS = ("#D55E00", "#000000")
MIN_OVERLAY_DE00 = 15.0
#: Normal vision has more room than a dichromat's: the search asks normal vision for this factor more.
NORMAL_WEIGHT = 1.3


def readable_on_plane(colour: str) -> bool:
    """Whether ``colour`` may be a class colour on the plane (see :data:`MIN_CONTRAST_WHITE` and
    :data:`PLANE_OVERLAYS`)."""
    L, a, b = rgb_to_lab(hex_to_rgb(colour))
    return (
        contrast_ratio(colour, PLANE_BACKGROUND) >= MIN_CONTRAST_WHITE
        and L >= MIN_LIGHTNESS
        and np.hypot(a, b) >= MIN_CHROMA
        and all(float(ciede2000((L, a, b), rgb_to_lab(hex_to_rgb(o)))) >= MIN_OVERLAY_DE00 for o in PLANE_OVERLAYS)
    )


def search_palette(n: int = 10, seed: int = 0, restarts: int = 12, steps: int = 8000) -> list[str]:
    """``n`` colours that pass :func:`readable_on_plane` whose worst pairwise ΔE00 over the three
    simulated dichromacies (and normal vision, divided by :data:`NORMAL_WEIGHT`) is as large as a
    fixed-seed search finds.

    Candidates: a 16-level-per-channel sRGB grid (4,096 colours, 1,793 pass). Each restart: a
    random first colour, greedy max-min for the rest, then ``steps`` random single-colour swaps that
    keep the better worst case (ties broken by the sum of the four per-vision minima). A few seconds."""
    rng = np.random.default_rng(seed)
    levels = np.linspace(0, 1, 16)
    cand = [rgb_to_hex(c) for c in itertools.product(levels, levels, levels)]
    cand = [c for c in dict.fromkeys(cand) if readable_on_plane(c)]
    labs = [rgb_to_lab(simulate(hex_to_rgb(cand), v)) for v in VISIONS]
    # ΔE00 between every two candidates under every vision: (V, K, K), normal vision down-weighted.
    D = np.stack([ciede2000(lab[:, None, :], lab[None, :, :]) for lab in labs]).astype(np.float32)
    D[0] /= NORMAL_WEIGHT
    worst = D.min(axis=0)

    def quality(idx):
        per = (D[:, idx][:, :, idx] + np.eye(len(idx), dtype=np.float32) * 1e9).min(axis=(1, 2))
        return float(per.min()), float(per.sum())

    best, best_q = None, (-1.0, 0.0)
    for _ in range(restarts):
        chosen = [int(rng.integers(len(cand)))]
        while len(chosen) < n:
            score = worst[:, chosen].min(axis=1)
            score[chosen] = -1
            chosen.append(int(np.argmax(score)))
        q = quality(chosen)
        for _ in range(steps):
            trial = chosen.copy()
            trial[int(rng.integers(n))] = int(rng.integers(len(cand)))
            if len(set(trial)) == n and (tq := quality(trial)) > q:
                chosen, q = trial, tq
        if q > best_q:
            best, best_q = chosen, q
    return [cand[i] for i in best]


def _main() -> None:  # pragma: no cover - a maintenance command, not app code
    import sys

    from latentlab.figures.palette import PALETTE

    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    for name, pal in (("current", PALETTE), (f"search (seed {seed})", search_palette(seed=seed))):
        print(name, pal)
        for v, (d, (i, j)) in palette_report(pal).items():
            print(f"  {v:13s} min ΔE00 {d:5.1f} (classes {i}/{j})")
        print("  contrast on white:", [round(contrast_ratio(c, PLANE_BACKGROUND), 1) for c in pal])


if __name__ == "__main__":  # pragma: no cover
    _main()
