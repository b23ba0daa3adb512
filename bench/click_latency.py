"""Click → decoded image on screen, in a real headless Chromium against ``streamlit run``.

Opens the Latent explorer on the 60,000-point MNIST *train* scatter (the latent-plane component),
clicks ≥ 30 random spots of the latent plane (empty space and clusters alike), and times each click
until two images are on screen:

* **browser**: g(z) decoded by the component itself (the model's exported decoder) and drawn in
  a corner of the plane: the frame after the draw has gone out;
* **server**: the decoded image of the server's click panel (the panel with the density warning and
  the neighbours), at its ``load`` event.

As a baseline in the same process it repeats the run on the 10,000-point test scatter and on the
360-point digits scatter (the floor: a Streamlit fragment round trip with almost no data), so the
ratios show what the number of points costs.

    AECORE_DATA=/path/to/data python bench/click_latency.py [--model mnist-ae-2d] [--clicks 30]

Targets on the 60,000-point scatter: browser p50 ≤ 30 ms and p95 ≤ 60 ms; server p50 no slower than
before the browser decoder (109 ms measured then).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from labtools.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXPLORER_PANEL_WATCH,
    free_port,
    plane_box,
    start_streamlit,
    wait_for_app,
)
from labtools.plane_probe import PlaneProbe
from labtools.stats import pct

ROOT = Path(__file__).resolve().parents[1]


def run(page, base: str, model: str, split: str, clicks: int, seed: int = 0):
    """``(server times, browser times, points)`` in ms, one per timed click."""
    import random

    page.goto(f"{base}/explorer?ex_model={model}&ex_split={split}")
    wait_for_app(page, timeout=300_000)
    page.wait_for_selector("[data-testid='llplane-canvas'][data-ready='1']", timeout=300_000)
    left, top, w, h, n_points = plane_box(page)
    page.evaluate(EXPLORER_PANEL_WATCH)
    # The decoder loads once per page, in the background: wait for it, so every click can use it.
    probe = PlaneProbe(page)
    probe.wait("s && s.decoder", timeout=60_000)
    rng = random.Random(seed)
    times, instant = [], []
    for i in range(clicks + 2):  # the first two are warm-up (model/codes caches, first image)
        x = left + w * rng.uniform(0.05, 0.95)
        y = top + h * rng.uniform(0.05, 0.95)
        page.mouse.move(x, y)
        page.evaluate("() => { window.__tImg = 0; window.__t0 = performance.now(); }")
        page.mouse.click(x, y)
        try:
            page.wait_for_function("() => window.__tImg > window.__t0", timeout=30_000, polling="raf")
        except Exception:  # noqa: BLE001 - reported, not counted
            print(f"  click {i}: no new image within 30 s", file=sys.stderr)
            continue
        t0, t_img = page.evaluate("() => [window.__t0, window.__tImg]")
        shown = probe.timing()["insetShownAt"]  # the browser's own g(z) on screen (0 before any)
        server, browser = t_img - t0, (shown - t0 if shown > t0 else None)
        if i >= 2:
            times.append(server)
            if browser is not None:
                instant.append(browser)
        wait_for_app(page, settle_ms=300)
    return times, instant, n_points


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="default: mnist-ae-2d, else mnist-vae-2d")
    ap.add_argument("--clicks", type=int, default=30)
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    from aecore.storage.library import list_models

    names = {m.name for m in list_models()}
    model = args.model or next((n for n in ("mnist-ae-2d", "mnist-vae-2d") if n in names), None)
    if model is None:
        sys.exit("no MNIST 2-D model in aecore/checkpoints/ yet (mnist-ae-2d or mnist-vae-2d)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_streamlit(port, {"AECORE_DATA": os.environ.get("AECORE_DATA", str(ROOT.parent / "shared" / "data"))})
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = b.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(base)  # run app.py once, so the deep link below goes through st.navigation
            wait_for_app(page, timeout=300_000)
            results = {}
            runs = [("train", model, "train")] + (
                [] if args.no_baseline else [("test", model, "test"), ("floor", "digits-ae-2d", "test")]
            )
            for tag, m, split in runs:
                t0 = time.time()
                times, instant, n = run(page, base, m, split, args.clicks)
                results[tag] = (times, instant, n)
                for what, xs in (("browser", instant), ("server ", times)):
                    if xs:
                        print(
                            f"{m} {split:5s} scatter, {n:,} points, {what}: {len(xs)} clicks, "
                            f"p50 {statistics.median(xs):.0f} ms, p95 {pct(xs, 0.95):.0f} ms, "
                            f"min {min(xs):.0f} ms, max {max(xs):.0f} ms"
                        )
                print(f"  ({time.time() - t0:.0f} s)")
            if "test" in results:
                p = {k: statistics.median(v[0]) for k, v in results.items()}
                print(
                    f"server ratio p50 60k/10k points: {p['train'] / p['test']:.2f};  "
                    f"60k/360 points (floor): {p['train'] / p['floor']:.2f}"
                )
                if results["train"][1] and results["floor"][1]:
                    bp = {k: statistics.median(v[1]) for k, v in results.items() if v[1]}
                    print(f"browser ratio p50 60k/360 points: {bp['train'] / bp['floor']:.2f}")
            times, instant, _ = results["train"]
            p50, b50 = statistics.median(times), statistics.median(instant) if instant else float("inf")
            b95 = pct(instant, 0.95) if instant else float("inf")
            ok = b50 <= 30 and b95 <= 60
            print(
                f"target browser p50 ≤ 30 ms, p95 ≤ 60 ms on the 60,000-point scatter: "
                f"{'MET' if ok else 'NOT MET'} ({b50:.0f} / {b95:.0f} ms); server p50 {p50:.0f} ms (109 ms before)"
            )
            b.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except Exception:  # noqa: BLE001
            proc.kill()


if __name__ == "__main__":
    main()
