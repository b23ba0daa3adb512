"""Click → decoded image on screen, in a real headless Chromium against ``streamlit run``.

Opens the Latent explorer on the 60,000-point MNIST *train* scatter (the latent-map component),
clicks ≥ 20 random spots of the latent plane (empty space and clusters alike), and times each
click until the new decoded image has loaded in the page: the ``load`` event of the image inside
the server's click panel (the same panel that shows the density warning), not a browser-side
preview. As a baseline in the same process it repeats the run on the 10,000-point test scatter
and on the 360-point digits scatter (the floor: a Streamlit fragment round trip with almost no
data), so the ratios show what the number of points costs.

    AECORE_DATA=/path/to/data python bench/click_latency.py [--model mnist-ae-2d] [--clicks 30]

Target: p50 ≤ 250 ms on the 60,000-point scatter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from labtools.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, wait_for_app

ROOT = Path(__file__).resolve().parents[1]

_WATCH = """() => {
    window.__tImg = 0;
    if (!window.__watching) {
        window.__watching = true;
        // 'load' does not bubble: listen in the capture phase for images of the click panel.
        document.addEventListener('load', (e) => {
            if (e.target.tagName === 'IMG' && e.target.closest('.st-key-ex_decoded')) window.__tImg = performance.now();
        }, true);
    }
}"""

_PLOT_BOX = """() => {
    const m = window.__llmap.last;
    const r = m.canvas.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height, m.m.n];
}"""


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def run(page, base: str, model: str, split: str, clicks: int, seed: int = 0) -> tuple[list[float], int]:
    import random

    page.goto(f"{base}/explorer?ex_model={model}&ex_split={split}")
    wait_for_app(page, timeout=300_000)
    page.wait_for_selector("[data-testid='llmap-canvas'][data-ready='1']", timeout=300_000)
    left, top, w, h, n_points = page.evaluate(_PLOT_BOX)
    page.evaluate(_WATCH)
    rng = random.Random(seed)
    times = []
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
        dt = page.evaluate("() => window.__tImg - window.__t0")
        if i >= 2:
            times.append(dt)
        wait_for_app(page, settle_ms=300)
    return times, n_points


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
        sys.exit("no MNIST 2-D model in checkpoints/ yet (mnist-ae-2d or mnist-vae-2d)")
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
                times, n = run(page, base, m, split, args.clicks)
                results[tag] = (times, n)
                print(
                    f"{m} {split:5s} scatter, {n:,} points: "
                    f"{len(times)} clicks, p50 {statistics.median(times):.0f} ms, p95 {pct(times, 95):.0f} ms, "
                    f"min {min(times):.0f} ms, max {max(times):.0f} ms  ({time.time() - t0:.0f} s)"
                )
            if "test" in results:
                p = {k: statistics.median(v[0]) for k, v in results.items()}
                print(
                    f"ratio p50 60k/10k points: {p['train'] / p['test']:.2f};  "
                    f"60k/360 points (floor): {p['train'] / p['floor']:.2f}"
                )
            p50 = statistics.median(results["train"][0])
            print(
                f"target p50 ≤ 250 ms on the 60,000-point scatter: {'MET' if p50 <= 250 else 'NOT MET'} ({p50:.0f} ms)"
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
