"""Real browser, keyboard only: Tab reaches the latent plane (named for what it shows, ringed while
focused), the arrows and Enter decode a point on the explorer, the arrows move a marker on the drag
page; a mouse click on the plane leaves the arrows to the clicker, and a click on a slide followed by
the clicker draws no focus frame around the slide. About 50 s on 2 cores."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from labtools.browser import EXPLORER_PANEL_WATCH, assert_no_error, shot, wait_for_app, wait_for_map
from labtools.plane_probe import PlaneProbe

MODEL = "digits-ae-2d"  # shipped, small: the explorer and the drag page open in seconds

#: The element that has the focus, through shadow roots (the plane renders in one): its test id.
FOCUSED = """() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? (a.dataset.testid || a.tagName) : null;
}"""
CANVAS = "[data-testid='llplane-canvas']"


def tab_to_plane(page, most: int = 80) -> None:
    """Press Tab, as a keyboard user does, until the plane's canvas has the focus."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == "llplane-canvas":
            return
    raise AssertionError(f"{most} presses of Tab never reached the plane (last: {page.evaluate(FOCUSED)})")


def live_text(page, contains: str, timeout: float = 5_000) -> str:
    """The plane's aria-live line once it says ``contains``."""
    live = page.locator("[data-testid='llplane-live']").first
    expect(live).to_contain_text(contains, timeout=timeout)
    return live.text_content()


def plane_point(text: str) -> tuple[float, float]:
    """The first "(a, b)" in ``text`` (the live line writes minus as U+2212)."""
    a, b = re.search(r"\(([−\-\d.]+), ([−\-\d.]+)\)", text).groups()
    return float(a.replace("−", "-")), float(b.replace("−", "-"))


def test_keyboard_picks_a_point_on_the_explorer(page, app_server):
    page.goto(app_server + f"/explorer?ex_model={MODEL}")
    wait_for_app(page)
    wait_for_map(page)
    assert_no_error(page)

    canvas = page.locator(CANVAS).first
    tab_to_plane(page)
    # Its accessible name says what it shows (the model, its codes and classes) and how to use it.
    plane = page.get_by_role("application", name=re.compile(rf"Latent plane of {MODEL}: [\d,]+ codes, 10 classes"))
    assert plane.count() == 1
    assert "Enter decodes" in plane.get_attribute("aria-label")
    # A ring where the focus is, drawn only because the focus came from the keyboard.
    ring = canvas.evaluate("(c) => [c.matches(':focus-visible'), getComputedStyle(c).outlineStyle]")
    assert ring == [True, "solid"], ring
    shot(page, "keyboard-explorer-focus")

    page.evaluate(EXPLORER_PANEL_WATCH)
    page.keyboard.press("ArrowRight")
    first = plane_point(live_text(page, "z = ("))
    for key in ["ArrowRight", "ArrowRight", "Shift+ArrowUp"]:
        page.keyboard.press(key)
    page.wait_for_timeout(500)  # the live line speaks once the keys rest
    moved = plane_point(live_text(page, "z = ("))
    assert moved[0] > first[0] and moved[1] > first[1], (first, moved)

    page.keyboard.press("Enter")
    said = plane_point(live_text(page, "decoded z = ("))
    # The page answered as for a click: the panel decoded this very z (the cursor, or the example it is on).
    page.wait_for_function("() => window.__tImg > 0", timeout=30_000)
    wait_for_app(page)
    z_txt = page.get_by_text(re.compile(r"^z = \(")).first.inner_text()
    z = plane_point(z_txt)
    assert abs(z[0] - said[0]) < 0.011 and abs(z[1] - said[1]) < 0.011, (z_txt, said)
    # The decoded image is named by what it shows.
    alt = page.locator(".st-key-ex_decoded img").first.get_attribute("alt")
    assert alt and alt.startswith("decoded image of z = ("), alt
    assert_no_error(page)

    # A mouse click on the plane decodes but does not take the focus: the clicker keeps the arrows.
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + 0.1 * box["height"])
    assert page.evaluate(FOCUSED) != "llplane-canvas"


def marker_heading(page, name: str) -> tuple[float, ...]:
    """The z that Python shows for marker ``name`` (the drag page's own readout under the plane)."""
    txt = page.locator("h4", has_text=f"Marker {name} at z").first.inner_text()
    return tuple(float(v) for v in re.search(r"\(([^)]*)\)", txt).group(1).split(","))


def heading_after(page, name: str, before: tuple[float, ...], timeout: float = 30.0) -> tuple[float, ...]:
    """Poll until Python's readout for marker ``name`` differs from ``before`` (a rerun after the keys rest)."""
    deadline = time.time() + timeout
    while True:
        now = marker_heading(page, name)
        if now != before or time.time() > deadline:
            return now
        page.wait_for_timeout(200)


def test_keyboard_moves_a_marker_on_the_drag_page(page, app_server):
    page.goto(app_server + f"/drag?dg_model={MODEL}")
    wait_for_app(page)
    PlaneProbe(page).wait("s && s.ready && s.decoder && s.markers.length")
    assert_no_error(page)
    a0, b0 = marker_heading(page, "A"), marker_heading(page, "B")

    tab_to_plane(page)
    label = page.locator(CANVAS).first.get_attribute("aria-label")
    assert label.startswith(f"Latent plane of {MODEL}") and "marker A" in label, label
    for key in ["ArrowRight"] * 3 + ["Shift+ArrowUp"]:
        page.keyboard.press(key)
    a1 = heading_after(page, "A", a0)
    assert a1[0] > a0[0] and a1[1] > a0[1], (a0, a1)  # right and up, as pressed
    assert marker_heading(page, "B") == b0  # only the chosen marker moved

    page.keyboard.press("b")  # choose marker B
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    b1 = heading_after(page, "B", b0)
    assert b1[0] < b0[0] and abs(b1[1] - b0[1]) < 1e-3, (b0, b1)
    assert marker_heading(page, "A") == a1
    assert "B at z = (" in live_text(page, "B at z = (")
    shot(page, "keyboard-drag")
    assert_no_error(page)


#: Which tour step the URL shows (the tour writes it there on every step).
TOUR_STEP = "() => Number((location.search.match(/[?&]step=(\\d+)/) || [])[1])"
#: The element that has the focus and whether it is ringed (:focus-visible).
RINGED = "() => [document.activeElement.dataset.testid || 'other', document.activeElement.matches(':focus-visible')]"


def test_the_clicker_keeps_its_keys_after_a_click_on_the_slide(page, app_server):
    """A click on the slide, then the clicker: the tour steps, with no focus frame around the slide;
    a click on the tour's latent plane does not take the clicker's arrows."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(app_server + "/tour?presenter=1&step=2")
    wait_for_app(page)
    page.mouse.click(400, 110)  # the slide's title: Streamlit's main area takes the focus
    page.wait_for_function("() => !!window.__llKeys")
    page.keyboard.press("PageDown")
    wait_for_app(page)
    assert page.evaluate(TOUR_STEP) == 3
    focused, ringed = page.evaluate(RINGED)
    assert not (focused == "stMain" and ringed), "a focus frame around the whole slide"

    page.goto(app_server + "/tour?presenter=1&step=7")  # a step with a latent plane
    wait_for_app(page)
    wait_for_map(page)
    box = page.locator(CANVAS).first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)
    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    assert page.evaluate(TOUR_STEP) == 8
