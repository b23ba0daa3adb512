"""Presenter mode is a slide on a 1280 × 720 projector (and on a 1920 × 1080 one; there the tour's
first step stands for its steps): on every page, tab and tour step the main visual lies inside the
first screen, no label is cut off, and plotly's tick and legend text is at least 18 px. Screenshots go
to out/presenter/ (docs/presenter/ holds the reviewed copies)."""

import pytest

from labtools.browser import LECTURE_VIEWS, MAIN_VISUAL, ROOT, assert_no_error, wait_for_app

VIEWS = LECTURE_VIEWS
#: The two projectors a lecture meets: 720p (the issue's slide) and 1080p (``-1080`` in screenshot names).
SCREENS = {"720p": (1280, 720), "1080p": (1920, 1080)}
#: At 1080p every page and tab, but of the guided tour's steps only the first: the steps are one page
#: whose slide layout (title row, figure box, controls under it) does not change from step to step,
#: and every step is checked at 720p, the smaller screen (this keeps the suite under its 15 minutes).
VIEWS_1080 = [v for v in VIEWS if not v[0].startswith("tour-") or v[0] == "tour-1"]
CASES = [pytest.param(n, p, s, id=f"{n}-{s}") for s in SCREENS for n, p in (VIEWS if s == "720p" else VIEWS_1080)]

#: Elements whose text is cut: an ellipsis, or hidden overflow on a line that does not wrap.
TRUNCATED = """() => {
  const out = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) visit(el.shadowRoot);
      if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
      const cs = getComputedStyle(el), r = el.getBoundingClientRect();
      // Visually hidden on purpose (a 1-px "skip to main content" link for screen readers): not a label.
      if (r.width < 3 || r.height < 3 || cs.visibility === 'hidden' || cs.display === 'none') continue;
      const clips = cs.textOverflow === 'ellipsis' || (cs.overflowX !== 'visible' && cs.whiteSpace === 'nowrap');
      if (clips && el.scrollWidth > el.clientWidth + 1) out.push(el.textContent.trim().slice(0, 60));
    }
  };
  visit(document);
  return out;
}"""

#: Font sizes (px) of plotly's tick labels and legend entries, in the SVG of every chart on the page.
PLOTLY_FONTS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p =>
  [...p.querySelectorAll('.xtick text, .ytick text, .legendtext')].map(t =>
    [t.textContent, parseFloat(t.style.fontSize || getComputedStyle(t).fontSize)]))"""


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
        _check_slide(ctx.new_page(), app_server, name if screen == "720p" else f"{name}-1080", path, W, H)
    finally:
        ctx.close()


def _check_slide(page, app_server, name, path, W, H):
    page.goto(app_server + "/" + path + ("&" if "?" in path else "?") + "presenter=1")
    wait_for_app(page, timeout=240_000)
    main = page.locator(MAIN_VISUAL).first
    main.wait_for(timeout=120_000)
    wait_for_app(page, timeout=240_000)
    assert_no_error(page)
    out = ROOT / "out" / "presenter"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}.png"))
    box = main.bounding_box()
    assert box and box["height"] > 100, f"{name}: main visual has no size: {box}"
    assert (
        box["x"] >= -1 and box["y"] >= -1 and box["x"] + box["width"] <= W + 1 and box["y"] + box["height"] <= H + 1
    ), f"{name}: the main visual {box} is not inside the first screen ({W}×{H})"
    cut = page.evaluate(TRUNCATED)
    assert not cut, f"{name}: truncated labels: {cut}"
    # A chart below the first screen is drawn once the page is idle (ui/components/plotly_chart): wait,
    # its text counts too.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.llplot:not([data-preload])')].every(r => r.querySelector('.main-svg'))",
        timeout=60_000,
    )
    small = [(t, s) for t, s in page.evaluate(PLOTLY_FONTS) if s < 17.5]
    assert not small, f"{name}: plotly text under 18 px: {small[:8]}"
