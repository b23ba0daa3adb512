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
#: Every other page and tab gets a fresh page load per size (a new app session whose first run is at
#: that size: at 1080p, the path a 1080p projector takes); each view's two sizes follow each other,
#: so that one loads while the other is checked (:class:`_Slides`).
TOUR = [v for v in LECTURE_VIEWS if v[0] == "tour-7"]
VIEWS = [v for v in LECTURE_VIEWS if not v[0].startswith("tour-")]
CASES = [(n, p, s) for n, p in VIEWS for s in SCREENS]
CASE_IDS = [f"{n}-{s}" for n, _, s in CASES]


@pytest.fixture(scope="module", autouse=True)
def heldout_detector():
    """The held-out-class view shows its detector, which `python -m aecore prepare` trains ahead of a
    lecture (the server reads the same cache folder); without it the page offers a button instead."""
    from aecore.data.sets import is_available
    from aecore.lecture import prepare

    if is_available("mnist"):
        prepare.model_without_class("mnist", 3, prepare.heldout_epochs("mnist"))


def _slide_url(app_server, path):
    return app_server + "/" + path + ("&" if "?" in path else "?") + "presenter=1"


class _Slides:
    """One browser window per screen size, kept for the module. Every case still opens its view with a
    fresh page load (``page.goto``: a new app session, drawn first at that window's size; nothing of
    the last view's session goes on), but the window keeps its HTTP cache (Streamlit's scripts load
    once), and the next case's view starts loading in the other window while this one is checked."""

    def __init__(self, browser, app_server):
        self.browser, self.base = browser, app_server
        self.contexts, self.pages, self.loading = [], {}, {}

    def _page(self, screen):
        if screen not in self.pages:
            W, H = SCREENS[screen]
            ctx = self.browser.new_context(viewport={"width": W, "height": H})
            self.contexts.append(ctx)
            self.pages[screen] = ctx.new_page()
        return self.pages[screen]

    def start(self, screen, path):
        """Begin a fresh load of ``path`` in the ``screen`` window (returns once the new document is
        there, not when the app has run)."""
        self.loading.pop(screen, None)
        self._page(screen).goto(_slide_url(self.base, path), wait_until="commit")
        self.loading[screen] = path

    def claim(self, screen, path):
        """The ``screen`` window with a fresh load of ``path`` under way (started now unless a case
        before started it); a second claim of the same view loads it afresh."""
        if self.loading.get(screen) != path:
            self.start(screen, path)
        del self.loading[screen]
        return self.pages[screen]

    def close(self):
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture(scope="module")
def slides(browser, app_server):
    s = _Slides(browser, app_server)
    yield s
    s.close()


@pytest.mark.parametrize("name,path,screen", CASES, ids=CASE_IDS)
def test_presenter_slide(slides, request, name, path, screen):
    W, H = SCREENS[screen]
    page = slides.claim(screen, path)
    # The next case (the other size, or the next view) loads in its own window meanwhile.
    i = CASE_IDS.index(request.node.callspec.id)
    if i + 1 < len(CASES) and CASES[i + 1][2] != screen:
        slides.start(CASES[i + 1][2], CASES[i + 1][1])
    _wait_for_slide(page)
    _check_slide(page, name if screen == "720p" else f"{name}-1080", W, H)


@pytest.mark.parametrize("name,path", TOUR, ids=[n for n, _ in TOUR])
def test_presenter_tour_step(browser, app_server, name, path):
    """A tour step at 720p, then the same page resized to 1080p and checked again (the other steps:
    the lecturer's journey)."""
    W, H = SCREENS["720p"]
    ctx = browser.new_context(viewport={"width": W, "height": H})
    try:
        page = ctx.new_page()
        page.goto(_slide_url(app_server, path))
        _wait_for_slide(page)
        _check_slide(page, name, W, H)
        W, H = SCREENS["1080p"]
        resize_and_wait(page, W, H)
        assert_no_error(page)
        _check_slide(page, f"{name}-1080", W, H)
    finally:
        ctx.close()


def _wait_for_slide(page):
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
