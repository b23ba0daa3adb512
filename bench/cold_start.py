"""Cold start: seconds from the app's process start (``streamlit run``) to the first rendered scatter.

Median of N runs (default 5), each a fresh server process with empty in-memory caches, driven by
headless Chromium (started beforehand: the browser is not part of the app's cold start). The
latent-map files on disk (``static/maps/``, written the first time a model's map is drawn) are
kept, as on a lecturer's laptop after the first start; ``--fresh`` deletes them first to measure
the very first start of a new checkout as well. Also prints when the server answered and the bare
``import torch`` time in a fresh process, for comparison (the first page does not import torch).
Usage: python bench/cold_start.py [--runs 5] [--page ""] [--fresh]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from labtools.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit
from latentlab.server.static import STATIC_DIR

ROOT = Path(__file__).resolve().parent.parent


def one_run(browser, page_name: str) -> tuple[float, float]:
    port = free_port()
    t0 = time.perf_counter()
    proc = start_streamlit(port, log=Path(os.devnull), poll=0.05)
    try:
        t_server = time.perf_counter() - t0
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/{page_name}")
        # The latent map marks its canvas ready once the points are drawn (not merely mounted).
        page.wait_for_selector("[data-testid='llplane-canvas'][data-ready='1']", timeout=120_000)
        t_plot = time.perf_counter() - t0
        page.close()
        return t_server, t_plot
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--page", default="", help="url path; the default page (Latent map) is at /")
    ap.add_argument("--fresh", action="store_true", help="delete the cached latent-map files before the first run")
    a = ap.parse_args()
    if a.fresh:
        for f in (STATIC_DIR / "maps").glob("map-*"):
            f.unlink()
    from playwright.sync_api import sync_playwright

    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    floor = time.perf_counter() - t
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        runs = [one_run(b, a.page) for _ in range(a.runs)]
        b.close()
    for i, (s, f) in enumerate(runs, 1):
        print(
            f"run {i}: server up {s:5.2f} s, first scatter {f:5.2f} s"
            + ("  (built the map files: first start of this checkout)" if a.fresh and i == 1 else "")
        )
    med = statistics.median(f for _, f in runs)
    print(
        f"median cold start to first rendered scatter (/{a.page}): {med:.2f} s over {a.runs} runs "
        f"(target ≤ 5 s); bare 'import torch' in a fresh process: {floor:.2f} s"
    )


if __name__ == "__main__":
    main()
