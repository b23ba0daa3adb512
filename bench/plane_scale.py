"""Scale of the latent plane: a million points, in headless Chromium, against a baseline of 70,000.

The plane component (``latentlab/ui/components/latent_plane``) is mounted alone in a bare page (no Streamlit:
this measures the drawing, not the server), on synthetic planes of 10 Gaussian classes with density
shading, written in the app's plane format (``latentlab.server.plane``). For each size it reports:

* **first draw**: page load → the plane's points drawn (the file fetched and decoded, the shading, the
  points, the hit grid), median of ``--repeat`` fresh pages;
* **pan** and **zoom**: frames drawn per second during a 4 s mouse drag, and during 4 s of wheel
  steps, one per animation frame (a big plane is shifted or scaled as one image meanwhile, and
  redrawn when the wheel rests); a pan draws a frame per pointer event, so it is bounded by the moves
  the browser gets (printed beside it);
* **hover pick**: time to find the point under the pointer (the hit grid), p50 and p95 over 2,000
  random positions.

    python bench/plane_scale.py [--points 1000000] [--baseline 70000] [--repeat 3]

Targets (issue 18) at 1,000,000 points: first draw ≤ 3 s, pan and zoom ≥ 30 frames/s, pick p95 ≤ 5 ms.
Each size is measured twice: with WebGL forced (``?renderer=webgl``: above 150,000 points the GPU
draws them) and with ``?renderer=canvas`` (the points accumulated per pixel in JavaScript). The app
itself picks WebGL only on a GPU: headless Chromium here has software WebGL (SwiftShader) only,
where the canvas path is the faster. The renderer that drew is printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from labtools.browser import CHROMIUM, CHROMIUM_ARGS
from labtools.plane_harness import serve, write_harness
from labtools.plane_probe import PlaneProbe


def measure(browser, base: str, name: str, repeat: int, renderer: str) -> dict:
    firsts, pans, zooms, picks, pan_events = [], [], [], [], []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1200, "height": 950})
        page.goto(f"{base}/{name}.html?renderer={renderer}")
        page.wait_for_function("() => !!window.__drawn", timeout=120_000, polling=20)
        probe = PlaneProbe(page)
        firsts.append(page.evaluate("() => window.__drawn") / 1000)
        drawn_by = page.locator("[data-testid='llplane-canvas']").get_attribute("data-renderer")
        box = page.locator("[data-testid='llplane-canvas']").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        # Pan: a 4 s drag in a circle.
        page.mouse.move(cx, cy)
        page.mouse.down()
        d0, t0 = probe.stats()["draws"], time.perf_counter()
        k = 0
        while time.perf_counter() - t0 < 4.0:
            a = k * 0.05
            page.mouse.move(cx + 120 * np.cos(a) - 120, cy + 120 * np.sin(a))
            k += 1
        page.mouse.up()
        dt = time.perf_counter() - t0
        pans.append((probe.stats()["draws"] - d0) / dt)
        pan_events.append(k / dt)
        page.wait_for_timeout(600)
        # Zoom: 4 s of a smooth zoom, in then out, one step per animation frame (what a trackpad
        # pinch sends; Playwright's wheel steps arrive at only ~30/s), through the wheel's own path.
        zooms.append(probe.zoom_for(4000, 0.02))
        page.wait_for_timeout(600)
        probe.reset_view()
        page.wait_for_timeout(600)
        # 2,000 hit-tests at pseudo-random spots of the canvas (the same spots on every run).
        picks += probe.pick_times(2000)
        page.close()
    picks.sort()
    return {
        "first_s": statistics.median(firsts),
        "first_spread": (min(firsts), max(firsts)),
        "pan_fps": statistics.median(pans),
        "zoom_fps": statistics.median(zooms),
        "pan_events": statistics.median(pan_events),
        "pick_p50": picks[len(picks) // 2],
        "pick_p95": picks[int(len(picks) * 0.95)],
        "drawn_by": drawn_by,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--baseline", type=int, default=70_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--renderers", default="webgl,canvas", help="which to measure, comma-separated")
    a = ap.parse_args()
    renderers = a.renderers.split(",")
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="ll-plane-scale-"))
    sizes = [("baseline", a.baseline), ("big", a.points)]
    for name, n in sizes:
        t = time.perf_counter()
        path = write_harness(tmp, name, n)
        mb, secs = path.stat().st_size / 1e6, time.perf_counter() - t
        print(f"{n:>9,} points: plane file {mb:.1f} MB (written in {secs:.1f} s)")
    srv, base = serve(tmp)
    res = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for renderer in renderers:
                for name, n in sizes:
                    r = res[renderer, name] = measure(browser, base, name, a.repeat, renderer)
                    print(
                        f"{n:>9,} points ({r['drawn_by']}): first draw {r['first_s']:.2f} s "
                        f"({r['first_spread'][0]:.2f}-{r['first_spread'][1]:.2f}); pan {r['pan_fps']:.0f} frames/s "
                        f"({r['pan_events']:.0f} moves/s sent); zoom {r['zoom_fps']:.0f} frames/s "
                        f"(a step per animation frame); hover pick p50 {r['pick_p50']:.3f} ms, "
                        f"p95 {r['pick_p95']:.3f} ms",
                        flush=True,
                    )
            browser.close()
    finally:
        srv.shutdown()
    for renderer in renderers:
        b, g = res[renderer, "baseline"], res[renderer, "big"]
        print(
            f"{g['drawn_by']}: ratios {a.points:,} / {a.baseline:,} points: first draw "
            f"{g['first_s'] / b['first_s']:.1f}x, pan {g['pan_fps'] / b['pan_fps']:.2f}, "
            f"zoom {g['zoom_fps'] / b['zoom_fps']:.2f}, pick p95 {g['pick_p95']:.3f} vs {b['pick_p95']:.3f} ms "
            "(the page's timer ticks by 0.1 ms)"
        )
        ok = g["first_s"] <= 3 and g["pan_fps"] >= 30 and g["zoom_fps"] >= 30 and g["pick_p95"] <= 5
        print(f"  targets at {a.points:,} points ({g['drawn_by']}): {'MET' if ok else 'NOT MET'}")


if __name__ == "__main__":
    main()
