"""Own input: pen up → the marker of the drawing on the latent plane, in headless Chromium against
``streamlit run`` (the Latent explorer, ``mnist-ae-2d``, ``?ex_own=1``).

Each of ``--strokes`` strokes is drawn on the pad (a line at a new angle over ~0.3 s); at pen up
the pad sends its drawing, the explorer's fragment reruns (normalise, encode, rank the error, find
neighbours) and the plane gets its new marker. Reported: pen up → marker, p50/p95, and how often the
marker moved *while* drawing (the pad sends every ~150 ms). As a baseline in the same run, the same
strokes on the 8×8 digits model (the floor: the same round trip with the smallest model and data).

    AECORE_DATA=/path/to/data python bench/own_input_latency.py [--strokes 20]

Target (issue 19): the drawing's encoding is shown within 150 ms of pen up (p50).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from labtools.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, wait_for_app
from labtools.plane_probe import PlaneProbe
from labtools.stats import pct

ROOT = Path(__file__).resolve().parents[1]


def marker_after(probe: PlaneProbe, t: float, timeout: float = 30.0) -> float:
    """The first moment (page ms) after ``t`` that Python's marker changed on the plane."""
    deadline = time.time() + timeout
    while True:
        later = [m for m in probe.marker_times() if m > t]
        if later:
            return min(later)
        if time.time() > deadline:
            raise TimeoutError(f"no new marker within {timeout:.0f} s")
        probe.page.wait_for_timeout(5)


def strokes(page, base: str, model: str, n: int) -> tuple[list[float], list[int]]:
    """Pen up → marker (ms) for ``n`` strokes on ``model``'s explorer, and the marker's moves while
    each stroke was drawn."""
    page.goto(f"{base}/explorer?ex_model={model}&ex_own=1")
    wait_for_app(page, timeout=180_000)
    page.wait_for_selector("[data-testid='llplane-canvas'][data-ready='1']", timeout=120_000)
    pad = page.locator("[data-testid='lldraw-canvas']")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    cx, cy, r = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["width"] * 0.35
    # A first stroke puts the marker on the plane (and warms the server's path).
    page.mouse.move(cx, cy - r)
    page.mouse.down()
    page.mouse.move(cx, cy + r, steps=10)
    page.mouse.up()
    probe = PlaneProbe(page)
    probe.wait("all.some((q) => q.marker)")
    wait_for_app(page)
    # From now on the page records when Python's marker on the plane changed (page ms).
    probe.watch_marker({"ready": True})
    ups, during = [], []
    rng = np.random.default_rng(0)
    for _ in range(n):
        ang = rng.uniform(0, np.pi)
        dx, dy = r * np.cos(ang), r * np.sin(ang)
        n0 = len(probe.marker_times())
        page.mouse.move(cx - dx, cy - dy)
        page.mouse.down()
        for t in np.linspace(0, 1, 20):
            page.mouse.move(cx - dx + 2 * dx * t, cy - dy + 2 * dy * t)
            page.wait_for_timeout(15)
        t_up = page.evaluate("() => performance.now()")
        page.mouse.up()
        during.append(len(probe.marker_times()) - n0)
        marker_after(probe, t_up)  # the marker of the finished drawing has come
        wait_for_app(page, settle_ms=300)
        ups.append(marker_after(probe, t_up) - t_up)
    return ups, during


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strokes", type=int, default=20)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_streamlit(port, {"AECORE_DATA": os.environ.get("AECORE_DATA", str(ROOT.parent / "shared" / "data"))})
    res = {}
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = b.new_page(viewport={"width": 1600, "height": 1000})
            for model in ("mnist-ae-2d", "digits-ae-2d"):
                res[model] = strokes(page, f"http://127.0.0.1:{port}", model, a.strokes)
            b.close()
    finally:
        proc.terminate()
    for model, (ups, during) in res.items():
        moved = sum(d > 0 for d in during)
        print(
            f"{model:<13} pen up -> marker: {len(ups)} strokes, p50 {statistics.median(ups):.0f} ms, "
            f"p95 {pct(ups, 0.95):.0f} ms (min {min(ups):.0f}, max {max(ups):.0f}); the marker moved while drawing "
            f"in {moved} of {len(ups)} strokes (median {statistics.median(during):.0f} moves in a ~0.4 s stroke)"
        )
    m, d = statistics.median(res["mnist-ae-2d"][0]), statistics.median(res["digits-ae-2d"][0])
    print(f"ratio MNIST (28x28, 60,000 training codes) / digits (8x8, 1,437) p50: {m / d:.2f}")
    print(f"target p50 <= 150 ms on MNIST: {'MET' if m <= 150 else 'NOT MET'} ({m:.0f} ms)")


if __name__ == "__main__":
    main()
