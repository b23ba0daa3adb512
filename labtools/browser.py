"""Driving the app in a browser, for tests and benchmarks: start a server, wait for a rerun, check for
errors, take screenshots, and the list of every view a lecture opens."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from pathlib import Path

from labtools.plane_probe import PlaneProbe
from latentlab.server.serve import free_port  # noqa: F401  (tests and benches take it from here)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextlib.contextmanager
def server_process(cmd: list[str], url: str, log: Path, cwd=None, env: dict | None = None, timeout: float = 180):
    """Run ``cmd`` (its output to ``log``) until ``url`` answers 200, then yield the process; stop it
    afterwards. Fails with the log's tail if the process exits first or ``timeout`` s pass. For
    servers started as a person would (an installed ``latent-lab app``, JupyterLab), not the app
    of the browser suite (:func:`start_streamlit`)."""
    import time
    import urllib.request

    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + timeout
            while True:
                assert proc.poll() is None, f"{cmd[0]} exited: " + log.read_text(errors="replace")[-3000:]
                try:
                    with urllib.request.urlopen(url, timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                assert time.time() < deadline, f"{url} never answered: " + log.read_text(errors="replace")[-3000:]
                time.sleep(0.3)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_streamlit(
    port: int, env: dict | None = None, app: str | None = None, log: Path | None = None, poll: float = 0.3
) -> subprocess.Popen:
    """Start ``streamlit run`` on loopback and wait until its health endpoint answers, asking every
    ``poll`` seconds (a start-up benchmark asks often): :func:`latentlab.server.serve.start_replica`, the one
    way this project starts an app process.

    The server's output goes to ``log`` if given (a test reads it afterwards; ``os.devnull`` drops
    it), else to a pipe."""
    from latentlab.server.serve import start_replica

    return start_replica(port, env, log=log, poll=poll, app=app)


#: Every page, Manifold tab and tour step a lecture can open: ``(name, url path)``. The presenter
#: test and bench/lecture_walk.py walk this one list.
LECTURE_VIEWS = [
    ("latent-map", ""),
    ("explorer", "explorer"),
    ("drag", "drag"),
    ("compare", "compare"),
    ("network", "network"),
    *[
        (f"manifold-{i}", f"manifold?mf_view={v}")
        for i, v in enumerate(
            ["The+picture", "k+is+a+prior", "Linear+AE+vs+PCA", "Overfitting", "Off-manifold+probe", "Time-lapse"], 1
        )
    ],
    ("denoise", "denoise"),
    ("sampling", "sampling"),
    ("beta", "beta"),
    ("codes", "codes"),
    ("anomaly", "anomaly"),
    ("anomaly-heldout", "anomaly?an_ood=class&an_class=3"),
    ("features", "features"),
    ("factors", "factors"),
    ("sae", "sae"),
    *[(f"tour-{i}", f"tour?step={i}") for i in range(1, 15)],
    # A model whose plane is a projection (its own note above the map). Last: its ?model= becomes the
    # lecture model, which a walk through this list must not carry into the views above.
    ("explorer-16d", "explorer?model=mnist-ae-16d"),
]

#: The element that holds a page's main visual (a Streamlit container, or a component's own row).
MAIN_VISUAL = ".st-key-ll_main, [data-ll-main='1']"

#: Lines that must never appear in the server's log during the browser suite: each was once a
#: recurring warning (87 use_container_width deprecations per walk; a read-only numpy array
#: handed to torch on every explorer click). The last is the hostile-link guard's
#: (latentlab.ui.state.run_page): it hides a page's exception behind its defaults and a notice, so a
#: test's own (sane) link that trips it is a page that raises (Manifold's probe view once did).
LINK_RESET = "link values"
LOG_DEFECTS = ("deprecat", "use_container_width", "not writable", "Traceback", LINK_RESET)
#: A query key the hostile-link tests add to every link they open: the guard lists it among the keys
#: it reset, and a reset of such a link (meant to trip the guard) is no defect.
HOSTILE_MARK = "fuzz"


def log_defects(text: str) -> list[str]:
    """The server-log lines that name a known defect (see :data:`LOG_DEFECTS`); a reset of a link
    that carries :data:`HOSTILE_MARK` is not one."""
    return [
        ln
        for ln in text.splitlines()
        if any(d.lower() in ln.lower() for d in LOG_DEFECTS) and not (LINK_RESET in ln and f"'{HOSTILE_MARK}'" in ln)
    ]


def wait_for_app(page, timeout: float = 90_000, settle_ms: int = 500) -> None:
    """Wait until Streamlit has finished running the script: idle for ``settle_ms``.

    Idle: the app's own run state (``data-test-script-state`` on ``stApp``, which turns from
    ``notRunning`` the moment the server reports a run) says ``notRunning``, and no running icon or
    skeleton is drawn. The settle time covers a rerun that a component asks for once it has drawn
    (the viewport's size, a chart's first selection): it was 800 ms when only the running icon told,
    which appears a while after a run starts; with the run state 500 ms is enough, and the browser
    suite's ~500 waits are 2.5 minutes shorter.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        """(settle) => {
            const app = document.querySelector("[data-testid='stApp']");
            const busy = !app || app.getAttribute("data-test-script-state") !== "notRunning"
                || document.querySelector("[data-testid='stStatusWidgetRunningIcon']")
                || document.querySelector("[data-testid='stSkeleton']");
            const now = performance.now();
            if (busy || window.__llIdleSince === undefined) {
                window.__llIdleSince = busy ? undefined : now;
                return false;
            }
            return now - window.__llIdleSince >= settle;
        }""",
        arg=settle_ms,
        timeout=timeout,
        polling=100,
    )
    page.evaluate("() => { window.__llIdleSince = undefined; }")


def press_key(page, key: str, timeout: float = 60_000) -> None:
    """Press a clicker key the way a lecturer does: to the page, once the app listens for it.

    The key listener (latentlab/ui/components/keys) is installed by a component after the script ends, and
    reinstalled on every render; a key pressed before it exists is lost (once in three bench walks,
    on the first press after the app opened)."""
    page.wait_for_function("() => !!window.__llKeys", timeout=timeout, polling=20)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # keys go to the page
    page.keyboard.press(key)


def wait_for_map(page, timeout: float = 120_000) -> int:
    """Wait until the latent-map component has drawn its points; return how many it holds."""
    page.wait_for_selector("[data-testid='llplane-canvas'][data-ready='1']", timeout=timeout)
    return int(page.locator("[data-testid='llplane-canvas']").first.get_attribute("data-points"))


def assert_no_error(page) -> None:
    errs = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errs.count() == 0, "error on page: " + " | ".join(
        errs.nth(i).inner_text()[:300] for i in range(errs.count())
    )


def shot(page, name: str, folder: str = "screens", full_page: bool = True) -> Path:
    """Save a screenshot under out/<folder>/ (ignored by git) for a human to look at: the whole page,
    or with ``full_page=False`` the window (what a slide shows)."""
    d = ROOT / "out" / folder
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"{name}.png"
    page.screenshot(path=str(p), full_page=full_page)
    return p


def fill_field(page, label: str, value: str) -> None:
    """Type ``value`` into the text or number field called ``label`` and let the app rerun."""
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_for_app(page)


def open_page(page, title: str) -> None:
    """Open the page called ``title`` from the sidebar, as a person does: the session (its state,
    the lecture model) goes on, where ``page.goto`` would start a new one."""
    nav = page.locator("[data-testid='stSidebarNavLink']", has_text=re.compile(re.escape(title) + r"\s*$"))
    nav.first.click()
    wait_for_app(page)


def upload_data_set(
    page,
    base: str,
    path,
    name: str | None = None,
    label: str | None = None,
    rgb: bool = False,
    in_session: bool = False,
) -> None:
    """On the Data sets page: choose ``path``, set the name (else the page's default), the CSV label
    column and the ZIP's colour, and press Import. Waits for the import's answer, not for success.
    ``in_session``: reach the page from the sidebar (:func:`open_page`), keeping the session."""
    if in_session:
        open_page(page, "Data sets")
    else:
        page.goto(base + "/datasets")
        wait_for_app(page)
    page.locator(".st-key-dsu_file input[type='file']").set_input_files(str(path))
    page.get_by_role("button", name="Import").wait_for(timeout=30_000)
    wait_for_app(page)
    if name:
        fill_field(page, "Name", name)
    if label:
        page.locator("[data-testid='stSelectbox']").filter(has_text="Label column").click()
        page.keyboard.type(label)
        page.keyboard.press("Enter")
        wait_for_app(page)
    if rgb:
        page.get_by_text("RGB", exact=True).click()
        wait_for_app(page)
    page.get_by_role("button", name="Import").click()
    page.locator("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentError']").first.wait_for(
        timeout=240_000
    )


def train_on_page(page, base: str, dataset: str, model: str, epochs: int = 3) -> None:
    """Train ``model`` on ``dataset`` from the Train page and wait until it is saved."""
    page.goto(f"{base}/train?tr_dataset={dataset}")
    wait_for_app(page)
    fill_field(page, "Epochs", str(epochs))
    fill_field(page, "Save as (model name)", model)
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Done: saved as").wait_for(timeout=300_000)


#: Installs window.__tImg: when the explorer's click panel last loaded an image (its decoded g(z)).
EXPLORER_PANEL_WATCH = """() => {
    window.__tImg = 0;
    if (!window.__watching) {
        window.__watching = true;
        // 'load' does not bubble: listen in the capture phase for images of the click panel.
        document.addEventListener('load', (e) => {
            if (e.target.tagName === 'IMG' && e.target.closest('.st-key-ex_decoded')) window.__tImg = performance.now();
        }, true);
    }
}"""


def plane_box(page) -> list[float]:
    """The last latent plane's canvas box on the page and its point count: [left, top, width, height, n]
    (through the plane's test interface, labtools/plane_probe.py)."""
    info = PlaneProbe(page).info()
    return [*info["box"], info["n"]]


# ------------------------------------------------------------------ a slide's checks (presenter mode)
# Shared by the presenter test (every page, tab and tour step) and the lecturer's journey, so that a
# slide the journey walks is held to the same measure.

#: The main visual's share of the first screen, by height: its box's height over the window's (the
#: issue's "the latent map fills ~44 % of the height" at 1080p was this measure).
SLIDE_MIN_SHARE = 0.60
#: The smallest text on a slide (px, at 720p), with half a pixel for rounding.
SLIDE_MIN_FONT = 18

#: Elements whose text is cut: an ellipsis, or hidden overflow on a line that does not wrap.
TRUNCATED_TEXT = """() => {
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

#: Every rendered text in the main area (the sidebar is collapsed on a slide): [text, font size px].
#: Light DOM, the components' shadow roots (the plane) and plotly's SVG text alike; text that is not
#: drawn (display none, zero size, transparent: the chart's hover-only fullscreen button) is skipped, and
#: so are sub- and superscripts (the 1 of x₁ in an axis title: plotly's shifted tspan, HTML sub/sup),
#: drawn smaller than their label by design, plotly's zero-width placeholders, and KaTeX's MathML copy of
#: a formula (clipped to 1 px, for screen readers; the formula as drawn is checked).
MAIN_TEXT_FONTS = """() => {
  const out = [];
  const visit = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
      if (n.nodeType === 1) { if (n.shadowRoot) visit(n.shadowRoot); continue; }
      const t = n.textContent.replace(/[\\u200b\\u200c\\u200d\\ufeff]/g, '').trim(), el = n.parentElement;
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

#: Every plotly chart on the page has drawn (one below the first screen waits until the page is idle:
#: latentlab/ui/components/plotly_chart), so that its text is measured too.
CHARTS_DRAWN = (
    "() => [...document.querySelectorAll('.llplot:not([data-preload])')].every(r => r.querySelector('.main-svg'))"
)


#: Each chart's state, for a wait that timed out: which chart, drawn or not, waiting or deferred, and
#: the message it shows if it could not draw.
CHART_STATES = """() => [...document.querySelectorAll('.llplot:not([data-preload])')].map((r) => ({
    key: (r.closest('[class*="st-key-"]') || {}).className || '',
    drawn: !!r.querySelector('.main-svg'), empty: !r.children.length,
    pending: r.dataset.pending || '', deferred: r.dataset.deferred || '',
    message: (r.querySelector('.llplot-msg') || {}).textContent || '',
    plotly: !!window.Plotly }))"""


def wait_for_charts(page, timeout: float = 60_000) -> None:
    """Wait until every chart on the page has drawn; if one has not within ``timeout`` ms, fail with
    each chart's state (drawn, empty, pending, deferred, its message) instead of a bare timeout."""
    try:
        page.wait_for_function(CHARTS_DRAWN, timeout=timeout)
    except Exception as e:
        if type(e).__name__ != "TimeoutError":
            raise
        states = page.evaluate(CHART_STATES)
        raise AssertionError(f"charts not drawn after {timeout / 1000:.0f} s: {states}") from None


def slide_findings(page, width: int, height: int) -> dict:
    """Measure the slide on screen (presenter mode, a ``width`` × ``height`` window): ``{"box": the
    main visual's box or None, "share": its height over the window's, "inside": whether it lies in the
    first screen, "cut": truncated labels, "small": texts under :data:`SLIDE_MIN_FONT` px as
    ``(text, px)``, "smallest": the smallest text's px}``. Waits for every chart to draw first."""
    wait_for_charts(page)
    box = page.locator(MAIN_VISUAL).first.bounding_box() if page.locator(MAIN_VISUAL).count() else None
    fonts = page.evaluate(MAIN_TEXT_FONTS)
    inside = bool(
        box
        and box["x"] >= -1
        and box["y"] >= -1
        and box["x"] + box["width"] <= width + 1
        and box["y"] + box["height"] <= height + 1
    )
    return {
        "box": box,
        "share": box["height"] / height if box else 0.0,
        "inside": inside,
        "cut": page.evaluate(TRUNCATED_TEXT),
        "small": sorted({(t, s) for t, s in fonts if s < SLIDE_MIN_FONT - 0.5}),
        "smallest": min((s for _, s in fonts), default=None),
    }


def assert_slide_fits(name: str, found: dict, width: int, height: int) -> None:
    """The presenter check on :func:`slide_findings`: the main visual lies in the first screen and
    fills at least :data:`SLIDE_MIN_SHARE` of its height, no label is cut off, and (at 720p, the
    smallest slide: type is set in px, the same at 1080p) no text is under :data:`SLIDE_MIN_FONT` px."""
    box = found["box"]
    assert box and box["height"] > 100, f"{name}: main visual has no size: {box}"
    assert found["inside"], f"{name}: the main visual {box} is not inside the first screen ({width}×{height})"
    share = found["share"]
    assert share >= SLIDE_MIN_SHARE, (
        f"{name}: the main visual fills {share:.0%} of the screen's height (< {SLIDE_MIN_SHARE:.0%})"
    )
    assert not found["cut"], f"{name}: truncated labels: {found['cut']}"
    if height <= 720:
        assert not found["small"], f"{name}: text under {SLIDE_MIN_FONT} px: {found['small'][:10]}"


def resize_and_wait(page, width: int, height: int, timeout: float = 30_000) -> None:
    """Set the window to ``width`` × ``height`` in the same page and wait for the rerun the app makes
    for it (latentlab/ui/components/viewport.py reports a new size 300 ms after the last resize event; the
    page then lays its slide out for it): until the main visual's height has changed, then idle.
    A page whose main visual does not change within ``timeout`` is left as it is, for the caller's
    checks to say what is wrong."""
    main = page.locator(MAIN_VISUAL).first
    before = main.bounding_box()["height"] if main.count() else None
    page.set_viewport_size({"width": width, "height": height})
    if before is not None:
        try:
            page.wait_for_function(
                "([sel, h]) => { const e = document.querySelector(sel);"
                " return e && Math.abs(e.getBoundingClientRect().height - h) > 2; }",
                arg=[MAIN_VISUAL, before],
                timeout=timeout,
                polling=100,
            )
        except Exception:  # noqa: BLE001  (playwright's TimeoutError: the checks after this report it)
            pass
    wait_for_app(page, timeout=240_000)
