"""Lecture walk: after ``python -m aecore prepare`` (its time reported), the first-render time of
every page, Manifold tab and tour step in a fresh server, as a class would meet them.

Each view is opened once in headless Chromium (a new Streamlit session per view, in one browser and
one server for the walk, like a lecture; ``--fresh-browser``: a new browser profile per view). First render = from navigation to the page's main visual drawn and the
script finished (no "running" indicator). The target is ≤ 2 s per view on 2 cores. ``--runs N``
repeats the walk with a fresh server each time and reports the median and spread per view.
Usage: python bench/lecture_walk.py [--runs 1] [--skip-prepare]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from helpers import (CHROMIUM, CHROMIUM_ARGS, LECTURE_VIEWS, MAIN_VISUAL, free_port,  # noqa: E402
                     start_streamlit)

TARGET_S = 2.0

#: True once the page shows its main visual and no script is running; returns the time it first held.
READY = """([sel, t0]) => {
  const busy = document.querySelector("[data-testid='stStatusWidgetRunningIcon'], [data-testid='stSkeleton']");
  const main = document.querySelector("[data-testid='stApp']") && (document.querySelector(sel)
      || [...document.querySelectorAll('*')].some(e => e.shadowRoot && e.shadowRoot.querySelector(sel)));
  const plots = [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'));
  if (!busy && main && plots) { window.__llReady = window.__llReady || performance.now(); return true; }
  window.__llReady = undefined; return false;
}"""


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
    ap.add_argument("--fresh-browser", action="store_true", help="a new browser profile for every view")
    a = ap.parse_args()
    env = {"AECORE_DATA": os.environ.get("AECORE_DATA", str(ROOT.parent / "shared" / "data"))}
    if not a.skip_prepare:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "aecore", "prepare"], cwd=ROOT, env={**os.environ, **env}, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"prepare: {time.perf_counter() - t:.0f} s")
    from playwright.sync_api import sync_playwright

    runs: list[dict[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for r in range(a.runs):
            port = free_port()
            proc = start_streamlit(port, env)
            try:
                print(f"walk {r + 1}/{a.runs} (fresh server)")
                runs.append(walk(browser, f"http://127.0.0.1:{port}", a.fresh_browser))
            finally:
                proc.terminate()
                proc.wait(10)
        browser.close()
    print(f"\n{'view':<18} {'median s':>9} {'min':>6} {'max':>6}")
    worst = 0.0
    for name, _ in LECTURE_VIEWS:
        vals = [run[name] for run in runs]
        med = statistics.median(vals)
        worst = max(worst, med)
        print(f"{name:<18} {med:9.2f} {min(vals):6.2f} {max(vals):6.2f}{'' if med <= TARGET_S else '   > 2 s'}")
    print(f"\nslowest view: {worst:.2f} s (target ≤ {TARGET_S:.0f} s): {'OK' if worst <= TARGET_S else 'NOT MET'}")


if __name__ == "__main__":
    main()
