"""Presenter mode is a slide on a 1280 × 720 projector and on a 1920 × 1080 one: on every page and
tab (here) and every tour step (here one, all of them in the lecturer's journey) the main visual lies
inside the first screen and fills at least :data:`~labtools.browser.SLIDE_MIN_SHARE` of its height
(the visual is sized from the window, latentlab.ui.theme.slide_height), no label is cut off, and no text in the
main area (HTML, the plane's own shadow DOM, plotly's SVG) is under 18 px at 720p. The checks
themselves live in labtools.browser (:func:`~labtools.browser.slide_findings`), shared with the
lecturer's journey. Screenshots go to out/presenter/ (docs/presenter/ holds the reviewed copies),
with each slide's figures in out/presenter/report.jsonl."""

import json

import pytest

from labtools.browser import (
    LECTURE_VIEWS,
    MAIN_VISUAL,
    ROOT,
    assert_no_error,
    assert_slide_fits,
    resize_and_wait,
    slide_findings,
    wait_for_app,
)

#: The two projectors a lecture meets: 720p (the issue's slide) and 1080p (``-1080`` in screenshot names).
SCREENS = {"720p": (1280, 720), "1080p": (1920, 1080)}
#: The guided tour's steps are checked at both sizes by the lecturer's journey
#: (tests/browser/test_lecturer_journey_browser.py: every step, reached by the clicker, at 720p and at
#: 1080p, with the same :func:`~labtools.browser.assert_slide_fits`). Here one step, the fullest (7: two
#: planes, their legends and two grids), is checked at 720p and then with the window made 1920 × 1080
#: (the app lays the slide out again for the new size, as when a lecturer plugs in another projector).
#: Every other page and tab gets a fresh page per size (its first run at 1080p is the path a 1080p
#: projector takes).
TOUR = [v for v in LECTURE_VIEWS if v[0] == "tour-7"]
VIEWS = [v for v in LECTURE_VIEWS if not v[0].startswith("tour-")]
CASES = [pytest.param(n, p, s, id=f"{n}-{s}") for s in SCREENS for n, p in VIEWS]


@pytest.fixture(scope="module", autouse=True)
def heldout_detector():
    """The held-out-class view shows its detector, which `python -m aecore prepare` trains ahead of a
    lecture (the server reads the same cache folder); without it the page offers a button instead."""
    from aecore.data.sets import is_available
    from aecore.lecture import prepare

    if is_available("mnist"):
        prepare.model_without_class("mnist", 3, prepare.heldout_epochs("mnist"))


@pytest.mark.parametrize("name,path,screen", CASES)
def test_presenter_slide(browser, app_server, name, path, screen):
    W, H = SCREENS[screen]
    ctx = browser.new_context(viewport={"width": W, "height": H})
    try:
        page = ctx.new_page()
        _open_slide(page, app_server, path)
        _check_slide(page, name if screen == "720p" else f"{name}-1080", W, H)
    finally:
        ctx.close()


@pytest.mark.parametrize("name,path", TOUR, ids=[n for n, _ in TOUR])
def test_presenter_tour_step(browser, app_server, name, path):
    """A tour step at 720p, then the same page resized to 1080p and checked again (the other steps:
    the lecturer's journey)."""
    W, H = SCREENS["720p"]
    ctx = browser.new_context(viewport={"width": W, "height": H})
    try:
        page = ctx.new_page()
        _open_slide(page, app_server, path)
        _check_slide(page, name, W, H)
        W, H = SCREENS["1080p"]
        resize_and_wait(page, W, H)
        assert_no_error(page)
        _check_slide(page, f"{name}-1080", W, H)
    finally:
        ctx.close()


def _open_slide(page, app_server, path):
    page.goto(app_server + "/" + path + ("&" if "?" in path else "?") + "presenter=1")
    wait_for_app(page, timeout=240_000)
    page.locator(MAIN_VISUAL).first.wait_for(timeout=120_000)
    wait_for_app(page, timeout=240_000)
    assert_no_error(page)


def _check_slide(page, name, W, H):
    out = ROOT / "out" / "presenter"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"))
    found = slide_findings(page, W, H)
    with (out / "report.jsonl").open("a") as f:  # the figures for the note
        row = {"view": name, "share": round(found["share"], 3), "box": found["box"], "smallest": found["smallest"]}
        f.write(json.dumps(row) + "\n")
    assert_slide_fits(name, found, W, H)
