"""Presenter mode is a slide on a 1280 × 720 projector (and on a 1920 × 1080 one; there the tour's
first step stands for its steps): on every page, tab and tour step the main visual lies inside the
first screen and fills at least :data:`MIN_SHARE` of its height (the visual is sized from the window,
ui.theme.slide_height), no label is cut off, and no text in the main area (HTML, the plane's own
shadow DOM, plotly's SVG) is under 18 px. Screenshots go to out/presenter/ (docs/presenter/ holds the
reviewed copies), with each slide's figures in out/presenter/report.jsonl."""

import json

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

#: The main visual's share of the first screen, by height: its box's height over the window's (the
#: issue's "the latent map fills ~44 % of the height" at 1080p was this measure).
MIN_SHARE = 0.60
#: The smallest text on a slide (px, at 720p), with half a pixel for rounding.
MIN_FONT = 18

#: Every rendered text in the main area (the sidebar is collapsed on a slide): [text, font size px].
#: Light DOM, the components' shadow roots (the plane) and plotly's SVG text alike; text that is not
#: drawn (display none, zero size, transparent: the chart's hover-only fullscreen button) is skipped, and
#: so are sub- and superscripts (the 1 of x₁ in an axis title: plotly's shifted tspan, HTML sub/sup),
#: drawn smaller than their label by design, plotly's zero-width placeholders, and KaTeX's MathML copy of
#: a formula (clipped to 1 px, for screen readers; the formula as drawn is checked).
TEXT_FONTS = """() => {
  const out = [];
  const visit = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
      if (n.nodeType === 1) { if (n.shadowRoot) visit(n.shadowRoot); continue; }
      const t = n.textContent.replace(/[\u200b\u200c\u200d\ufeff]/g, '').trim(), el = n.parentElement;
      if (!t || !el || el.closest('style, script, noscript, sub, sup, .katex-mathml')) continue;
      if (el.tagName === 'tspan' && el.hasAttribute('dy')) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || cs.opacity === '0') continue;
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2) continue;
      out.push([t.slice(0, 40), parseFloat(cs.fontSize)]);
    }
  };
  visit(document.querySelector("[data-testid='stMain']"));
  return out;
}"""


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
    # A chart below the first screen is drawn once the page is idle (ui/components/plotly_chart): wait,
    # its text counts too.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.llplot:not([data-preload])')].every(r => r.querySelector('.main-svg'))",
        timeout=60_000,
    )
    fonts = page.evaluate(TEXT_FONTS)
    cut = page.evaluate(TRUNCATED)
    small = [(t, s) for t, s in fonts if s < MIN_FONT - 0.5]
    share = box["height"] / H if box else 0.0
    with (out / "report.jsonl").open("a") as f:  # the figures for the note
        smallest = min((s for _, s in fonts), default=None)
        f.write(json.dumps({"view": name, "share": round(share, 3), "box": box, "smallest": smallest}) + "\n")
    assert box and box["height"] > 100, f"{name}: main visual has no size: {box}"
    assert (
        box["x"] >= -1 and box["y"] >= -1 and box["x"] + box["width"] <= W + 1 and box["y"] + box["height"] <= H + 1
    ), f"{name}: the main visual {box} is not inside the first screen ({W}×{H})"
    assert share >= MIN_SHARE, f"{name}: the main visual fills {share:.0%} of the screen's height (< {MIN_SHARE:.0%})"
    assert not cut, f"{name}: truncated labels: {cut}"
    if H == 720:  # the issue asks the floor on the smallest slide (type is set in px: the same at 1080p)
        assert not small, f"{name}: text under {MIN_FONT} px: {sorted(set(small))[:10]}"
