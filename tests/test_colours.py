"""Colours everyone in the room can use: class colours that stay apart under colour-vision
deficiencies, and text that meets WCAG AA contrast. Pure numpy and string parsing: ~0.5 s."""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from latentlab.figures import colours
from latentlab.figures.palette import PALETTE, class_color
from latentlab.server.static import APP_SCRIPT

ROOT = Path(__file__).resolve().parents[1]

#: The minimum CIEDE2000 distance between any two class colours that latentlab/figures/palette.py states.
MIN_DE00 = {"normal": 18.0, "protanopia": 13.5, "deuteranopia": 13.5, "tritanopia": 13.5}


# ----------------------------------------------------------------------------- the colour science


# Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes,
# supplementary test data, and mathematical observations", Table 1: pairs 1, 4, 7, 8, 17, 18, 25, 34
# (a hue near 270°, a zero-chroma colour, the a* sign flip across the hue discontinuity, big
# lightness and hue differences, a near-black pair).
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (61.0, -5.0, 29.0), 22.8977),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA)
def test_ciede2000_matches_sharmas_published_pairs(lab1, lab2, expected):
    assert float(colours.ciede2000(lab1, lab2)) == pytest.approx(expected, abs=1e-4)
    # ΔE00 is symmetric.
    assert float(colours.ciede2000(lab2, lab1)) == pytest.approx(expected, abs=1e-4)


def test_ciede2000_broadcasts_over_arrays():
    a = np.array([p[0] for p in SHARMA])
    b = np.array([p[1] for p in SHARMA])
    np.testing.assert_allclose(colours.ciede2000(a, b), [p[2] for p in SHARMA], atol=1e-4)


def test_lab_of_white_black_and_srgb_red():
    np.testing.assert_allclose(colours.rgb_to_lab([1.0, 1.0, 1.0]), [100, 0, 0], atol=1e-3)
    np.testing.assert_allclose(colours.rgb_to_lab([0.0, 0.0, 0.0]), [0, 0, 0], atol=1e-9)
    # sRGB red is L* 53.24, a* 80.09, b* 67.20 (D65).
    np.testing.assert_allclose(colours.rgb_to_lab([1.0, 0.0, 0.0]), [53.24, 80.09, 67.20], atol=0.02)


@pytest.mark.parametrize("vision", list(colours.MACHADO))
def test_a_dichromat_sees_greys_as_greys(vision):
    # Each Machado matrix maps equal-energy white to itself (its rows sum to 1), so every grey stays.
    for v in (0.0, 0.2, 0.5, 0.8, 1.0):
        np.testing.assert_allclose(colours.simulate([v, v, v], vision), [v, v, v], atol=2e-3)


def test_simulation_merges_what_each_dichromat_confuses():
    red, green = colours.hex_to_rgb(["#D55E00", "#009E73"])  # vermillion / bluish green
    lab = lambda c, v: colours.rgb_to_lab(colours.simulate(c, v))  # noqa: E731
    normal = float(colours.ciede2000(lab(red, "normal"), lab(green, "normal")))
    # A red-green pair stays apart for a tritanope and comes much closer for protanopes and deuteranopes.
    for v in ("protanopia", "deuteranopia"):
        assert float(colours.ciede2000(lab(red, v), lab(green, v))) < 0.6 * normal
    assert float(colours.ciede2000(lab(red, "tritanopia"), lab(green, "tritanopia"))) > 0.6 * normal
    # Tritanopes confuse blue with green: the simulation brings them closer.
    blue, teal = colours.hex_to_rgb(["#0072B2", "#009E73"])
    assert float(colours.ciede2000(lab(blue, "tritanopia"), lab(teal, "tritanopia"))) < float(
        colours.ciede2000(lab(blue, "normal"), lab(teal, "normal"))
    )


def test_wcag_contrast_ratio():
    assert colours.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert colours.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WebAIM's checker: #777777 on white is 4.48:1, just under AA; #767676 is 4.54:1.
    assert colours.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert colours.contrast_ratio("#FFFFFF", "#767676") == pytest.approx(4.54, abs=0.01)


# ----------------------------------------------------------------------------- the class colours


def test_ten_distinct_class_colours_in_one_list():
    assert len(PALETTE) == 10 and len(set(c.upper() for c in PALETTE)) == 10
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in PALETTE)
    assert [class_color(i) for i in range(12)] == PALETTE + PALETTE[:2]


@pytest.mark.parametrize("vision", colours.VISIONS)
def test_every_pair_of_class_colours_stays_apart(vision):
    lab = colours.rgb_to_lab(colours.simulate(colours.hex_to_rgb(PALETTE), vision))
    close = [
        (i, j, round(float(colours.ciede2000(lab[i], lab[j])), 1))
        for i, j in itertools.combinations(range(len(PALETTE)), 2)
        if colours.ciede2000(lab[i], lab[j]) < MIN_DE00[vision]
    ]
    assert not close, f"class colours closer than ΔE00 {MIN_DE00[vision]} under {vision}: {close}"


def test_the_old_palette_would_fail():
    # The test can fail: Okabe–Ito + two (the palette before) had pink and grey at ΔE00 6.2 under deuteranopia.
    old = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]
    d, pair = colours.pairwise_min(old, "deuteranopia")
    assert d < MIN_DE00["deuteranopia"] and pair == (3, 8)


def test_class_colours_stand_out_on_the_white_plane():
    for c in PALETTE:
        assert colours.contrast_ratio(c, colours.PLANE_BACKGROUND) >= colours.MIN_CONTRAST_WHITE, c
        assert colours.readable_on_plane(c), c


def test_the_plane_and_its_legend_get_the_one_list():
    from latentlab.server.plane import plane_payload

    payload = plane_payload(np.zeros((2, 2)), [0, 1], ["0", "1"], bounds=((0, 1), (0, 1)))
    assert payload["palette"] == PALETTE
    js = (ROOT / "latentlab/ui/components/latent_plane/plane.js").read_text()
    # plane.js has no class colours of its own: it takes them from the page data (or the file).
    assert "m.palette = data.palette" in js
    from latentlab.ui.components.latent_plane import PlaneOptions

    assert PlaneOptions().data("/p.bin")["palette"] == PALETTE  # click mode
    src = (ROOT / "latentlab/ui/components/latent_plane/__init__.py").read_text()
    assert '"palette": PALETTE' in src  # markers mode (latent_pad's data)


# ----------------------------------------------------------------------------- text contrast


def _theme() -> dict:
    return tomllib.loads((APP_SCRIPT.parent / ".streamlit" / "config.toml").read_text())["theme"]


def _css(presenter: bool, monkeypatch) -> str:
    import latentlab.ui.theme as theme

    sent = []
    monkeypatch.setattr(theme.st, "markdown", lambda body, **kw: sent.append(body))
    theme.apply_theme(presenter=presenter)
    return "\n".join(sent)


def _backgrounds() -> dict[str, str]:
    t = _theme()
    return {"page": t["backgroundColor"], "sidebar": t["sidebar"]["backgroundColor"]}


def test_the_theme_is_light_with_dark_text():
    t = _theme()
    assert t["base"] == "light"
    for where, bg in _backgrounds().items():
        assert colours.contrast_ratio(t["textColor"], bg) >= 7.0, where


@pytest.mark.parametrize("presenter", [False, True])
def test_every_text_colour_the_css_sets_meets_wcag_aa(presenter, monkeypatch):
    css = _css(presenter, monkeypatch)
    # Every `color:` declaration (not background-color, border-color), as a hex colour.
    found = re.findall(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{3,6})", css)
    assert found, "the theme's CSS sets no text colour"
    for c in found:
        for where, bg in _backgrounds().items():
            ratio = colours.contrast_ratio(c, bg)
            assert ratio >= 4.5, f"{c} on the {where} ({bg}) is {ratio:.2f}:1"
    # Streamlit fades captions with opacity: the theme must undo it, or the colour above is not what shows.
    rule = re.search(r'\[data-testid="stCaptionContainer"\], \[data-testid="stCaptionContainer"\] p \{([^}]*)\}', css)
    assert rule and "opacity: 1" in rule.group(1)


def test_the_caption_colour_is_the_one_the_css_uses(monkeypatch):
    from latentlab.ui.theme import CAPTION_COLOUR

    assert f"color: {CAPTION_COLOUR}" in _css(False, monkeypatch)
    # Before: the text colour at 60 % opacity on white, 3.9:1.
    faded = colours.blend(colours.hex_to_rgb(_theme()["textColor"]), colours.hex_to_rgb("#FFFFFF"), 0.6)
    assert colours.contrast_ratio(faded, "#FFFFFF") < 4.5 <= colours.contrast_ratio(CAPTION_COLOUR, "#FFFFFF")


def test_the_plane_text_meets_wcag_aa_on_its_white_panels():
    css = (ROOT / "latentlab/ui/components/latent_plane/plane.css").read_text()
    for rule in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        sel, body = rule
        for c in re.findall(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{3,6})", body):
            bg = re.search(r"background:\s*(#[0-9A-Fa-f]{3,6})", body)
            ratio = colours.contrast_ratio(c, bg.group(1) if bg else "#FFFFFF")
            assert ratio >= 4.5, f"{sel.strip()}: {c} is {ratio:.2f}:1"
