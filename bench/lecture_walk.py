"""Lecture walk: after ``python -m aecore prepare`` (its time reported), the first-render time of
every page, Manifold tab and tour step in a fresh server, as a class would meet them.

Two walks, both in headless Chromium against a fresh server (so every view is its first visit in
that server process):

* **lecture** (the target): the lecturer opens the app once, with a playlist of every view
  (``?playlist=``), and steps through it with the clicker key (ArrowRight), as in a lecture. A view's
  time runs from the key press to the view drawn: its URL, the script finished, no stale element
  left, the main visual present and every plotly chart drawn. The app's own opening is reported apart.
* **fresh load** (``--fresh-load``): each view as a new page load (a new Streamlit session per view:
  a student opening a shared link), in one browser (``--fresh-browser``: a new profile per view).
  Its time includes loading Streamlit's JavaScript and plotly.js into a new document, about 1.7 s
  on 2 cores before any of the app's work (see the README's lecture section).

The target is ≤ 2 s per view on 2 cores. ``--runs N`` repeats the walk with a fresh server each time
and reports the median and spread per view.
Usage: python bench/lecture_walk.py [--runs 1] [--skip-prepare] [--fresh-load [--fresh-browser]] [--presenter]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from labtools.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LECTURE_VIEWS,
    MAIN_VISUAL,
    free_port,
    press_key,
    start_streamlit,
)

ROOT = Path(__file__).resolve().parent.parent


TARGET_S = 2.0

#: Every chart on the first screen drawn: each chart element (latentlab/ui/components/plotly_chart; its root is
#: on the page before its code runs) holds plotly's SVG and is not waiting for a newer figure. A chart
#: below the first screen is drawn later (when scrolled to, or once the page is idle): data-deferred.
_PLOTS_DRAWN = """const PLOTS_DRAWN = () =>
    [...document.querySelectorAll('.llplot:not([data-preload]):not([data-deferred])')]
    .every(r => !r.dataset.pending && r.querySelector('.main-svg'));"""

#: True once the page shows its main visual and no script is running; returns the time it first held.
READY = """([sel, t0]) => {
  %PLOTS_DRAWN%
  const busy = document.querySelector("[data-testid='stStatusWidgetRunningIcon'], [data-testid='stSkeleton']");
  const main = document.querySelector("[data-testid='stApp']") && (document.querySelector(sel)
      || [...document.querySelectorAll('*')].some(e => e.shadowRoot && e.shadowRoot.querySelector(sel)));
  const plots = PLOTS_DRAWN();
  if (!busy && main && plots) { window.__llReady = window.__llReady || performance.now(); return true; }
  window.__llReady = undefined; return false;
}"""


#: The view ``[path, params]`` is drawn: its URL, the script finished (Streamlit's own run state, not
#: the delayed running icon), no stale element of the previous view, the main visual and every plot.
WAITING_FOR = """([sel, path, params]) => {
  %PLOTS_DRAWN%
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || !window.__llRan) return 'the rerun to start';
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return 'the script to finish';
  if ((location.pathname.replace(/^\\/|\\/$/g, '') || 'home') !== path) return 'the page ' + path;
  const q = new URLSearchParams(location.search);
  const off = Object.entries(params).filter(([k, v]) => q.get(k) !== v);
  if (off.length) return 'the URL to hold ' + JSON.stringify(off);
  if (document.querySelector("[data-stale='true']")) return 'stale elements to go';
  const main = document.querySelector(sel)
      || [...document.querySelectorAll('*')].some(e => e.shadowRoot && e.shadowRoot.querySelector(sel));
  if (!main) return 'the main visual';
  if (!PLOTS_DRAWN()) return 'the plots';
  return '';
}"""
READY = READY.replace("%PLOTS_DRAWN%", _PLOTS_DRAWN)
WAITING_FOR = WAITING_FOR.replace("%PLOTS_DRAWN%", _PLOTS_DRAWN)
#: Also notes when the script had finished with the view's URL in place (``__llScripted``): the
#: rest of a view's time is the browser's drawing, printed beside the total.
DRAWN = (
    "(a) => { const w = (" + WAITING_FOR + ")(a);"
    " if (!window.__llScripted && !['the rerun to start', 'the script to finish'].includes(w)"
    " && !w.startsWith('the page') && !w.startsWith('the URL')) window.__llScripted = performance.now();"
    " return w === ''; }"
)

#: Before a press: note when the press's rerun has begun, so that DRAWN never mistakes the previous
#: view, or a moment before the rerun began, for the new one. Begun = the script-run state showed
#: "running", or the URL changed (a fast run can go from running to finished in one React render,
#: and the URL changes only once the new page's run has started).
WATCH_RUN = """() => {
  window.__llRan = false;
  window.__llBefore = location.href;
  const app = document.querySelector("[data-testid='stApp']");
  if (!window.__llHist) {  // once per page: a URL change by the app marks the rerun as begun
    window.__llHist = true;
    for (const m of ['pushState', 'replaceState']) {
      const orig = history[m].bind(history);
      history[m] = (...a) => { orig(...a); if (location.href !== window.__llBefore) window.__llRan = true; };
    }
  }
  if (window.__llObs) window.__llObs.disconnect();
  window.__llObs = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__llRan = true; });
  window.__llObs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def playlist_token(views: list[tuple[str, str]]) -> str:
    """The ``?playlist=`` token of these views, in the app's own link format (latentlab/ui/playlist.py)."""
    items = []
    for name, path in views:
        u = urlsplit("/" + path)
        items.append({"page": u.path.strip("/") or "home", "label": name, "params": dict(parse_qsl(u.query))})
    raw = json.dumps({"format": "latent-lab-playlist", "version": 1, "views": items})
    return base64.urlsafe_b64encode(zlib.compress(raw.encode(), 9)).decode().rstrip("=")


def lecture(browser, base: str, presenter: bool = False, views=None) -> dict[str, float]:
    """Open the app once with every view in its playlist, then step with ArrowRight: one time per view."""
    views = views or LECTURE_VIEWS
    size = {"width": 1280, "height": 720} if presenter else {"width": 1600, "height": 1000}
    ctx = browser.new_context(viewport=size)
    page = ctx.new_page()
    t = time.perf_counter()
    # The app opens on the Train page (not a lecture view), so that the first press is a real switch.
    page.goto(f"{base}/train?playlist={playlist_token(views)}" + ("&presenter=1" if presenter else ""))
    page.get_by_text("Playlist of").first.wait_for(timeout=300_000)
    page.wait_for_function(
        "() => document.querySelector(\"[data-testid='stApp']\")"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        timeout=300_000,
        polling=50,
    )
    out = {"(app opens)": time.perf_counter() - t}
    print(f"  {'(app opens)':<18} {out['(app opens)']:6.2f} s  (the Train page, before the first press)", flush=True)
    for name, path in views:
        u = urlsplit("/" + path)
        target = [MAIN_VISUAL, u.path.strip("/") or "home", dict(parse_qsl(u.query))]
        page.wait_for_function("() => !!window.__llKeys", timeout=60_000, polling=20)  # see press_key
        page.evaluate(WATCH_RUN)
        t = time.perf_counter()
        t0 = page.evaluate("() => { window.__llScripted = undefined; return performance.now(); }")
        press_key(page, "ArrowRight")
        try:
            page.wait_for_function(DRAWN, arg=target, timeout=120_000, polling=20)
        except Exception:
            shot = ROOT / "out" / f"lecture-walk-{name}.png"
            shot.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(shot))
            raise RuntimeError(
                f"{name}: still waiting for {page.evaluate(WAITING_FOR, target)} after 120 s "
                f"(URL {page.url}; screenshot {shot})"
            ) from None
        out[name] = time.perf_counter() - t
        script = (page.evaluate("() => window.__llScripted") - t0) / 1000.0
        print(
            f"  {name:<18} {out[name]:6.2f} s  (script {script:4.2f} s, then drawing)"
            f"{'' if out[name] <= TARGET_S else '   > 2 s'}",
            flush=True,
        )
        page.wait_for_timeout(300)  # a lecturer talks between presses; let late messages settle
    ctx.close()
    return out


def walk(browser, base: str, fresh_browser: bool = False) -> dict[str, float]:
    """One first render per view. Each view is a new Streamlit session (a new page load); by default
    in one browser, as a lecturer's, whose HTTP cache already holds the app's JavaScript after the
    first view. ``fresh_browser``: a new browser profile per view (a student's first visit)."""
    out = {}
    shared = None if fresh_browser else browser.new_context(viewport={"width": 1600, "height": 1000})
    for name, path in LECTURE_VIEWS:
        ctx = shared or browser.new_context(viewport={"width": 1600, "height": 1000})
        page = ctx.new_page()
        page.goto(f"{base}/{path}", wait_until="commit")
        # Ready, and still ready 600 ms later (the running icon appears only after a short delay).
        while True:
            page.wait_for_function(READY, arg=[MAIN_VISUAL, 0], timeout=300_000, polling=50)
            first = page.evaluate("() => window.__llReady")
            page.wait_for_timeout(600)
            if page.evaluate(READY, [MAIN_VISUAL, 0]) and page.evaluate("() => window.__llReady") == first:
                break
        out[name] = first / 1000.0  # performance.now() counts from the start of the navigation
        print(f"  {name:<18} {out[name]:6.2f} s{'' if out[name] <= TARGET_S else '   > 2 s'}", flush=True)
        page.close()
        if shared is None:
            ctx.close()
    if shared is not None:
        shared.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--skip-prepare", action="store_true")
    ap.add_argument("--fresh-load", action="store_true", help="each view as a new page load (a student's link)")
    ap.add_argument("--fresh-browser", action="store_true", help="with --fresh-load: a new browser profile per view")
    ap.add_argument("--presenter", action="store_true", help="lecture walk at 1280×720 with ?presenter=1")
    ap.add_argument("--views", default="", help="comma-separated view names (default: every view)")
    a = ap.parse_args()
    env = {"AECORE_DATA": os.environ.get("AECORE_DATA", str(ROOT.parent / "shared" / "data"))}
    if not a.skip_prepare:
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "aecore", "prepare"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"prepare: {time.perf_counter() - t:.0f} s")
    from playwright.sync_api import sync_playwright

    views = [v for v in LECTURE_VIEWS if not a.views or v[0] in a.views.split(",")]

    runs: list[dict[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for r in range(a.runs):
            port = free_port()
            proc = start_streamlit(port, env)
            try:
                base = f"http://127.0.0.1:{port}"
                if a.fresh_load:
                    print(f"fresh-load walk {r + 1}/{a.runs} (fresh server)")
                    runs.append(walk(browser, base, a.fresh_browser))
                else:
                    print(f"lecture walk {r + 1}/{a.runs} (fresh server; time from the key press)")
                    runs.append(lecture(browser, base, a.presenter, views))
            finally:
                proc.terminate()
                proc.wait(10)
        browser.close()
    print(f"\n{'view':<18} {'median s':>9} {'min':>6} {'max':>6}")
    worst = 0.0
    for name in runs[0]:
        vals = [run[name] for run in runs]
        med = statistics.median(vals)
        if not name.startswith("("):
            worst = max(worst, med)
        print(f"{name:<18} {med:9.2f} {min(vals):6.2f} {max(vals):6.2f}{'' if med <= TARGET_S else '   > 2 s'}")
    print(f"\nslowest view: {worst:.2f} s (target ≤ {TARGET_S:.0f} s): {'OK' if worst <= TARGET_S else 'NOT MET'}")


if __name__ == "__main__":
    main()
