"""Does a big import block the other students? One page imports a 60,000 × 784 CSV on the Data sets
page while another clicks the Latent explorer (digits-ae-2d), in headless Chromium against one
``streamlit run``. Reported: the explorer's click → panel image, p50/p95, before the import (the
baseline, same run) and during it, and how long the import took.

    AECORE_DATA=/path/to/data python bench/import_while_clicking.py [--clicks 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
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
from labtools.datafiles import write_pixels_csv
from labtools.stats import pct

ROOT = Path(__file__).resolve().parents[1]


def click_once(page, box, rng) -> float | None:
    left, top, w, h, _ = box
    x, y = left + w * rng.uniform(0.05, 0.95), top + h * rng.uniform(0.05, 0.95)
    page.evaluate("() => { window.__tImg = 0; window.__t0 = performance.now(); }")
    page.mouse.click(x, y)
    try:
        page.wait_for_function("() => window.__tImg > window.__t0", timeout=60_000, polling="raf")
    except Exception:  # noqa: BLE001 - reported as missing
        return None
    dt = page.evaluate("() => window.__tImg - window.__t0")
    wait_for_app(page, settle_ms=200)
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clicks", type=int, default=20)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="ll-import-click-"))
    csv = tmp / "big.csv"
    write_pixels_csv(csv, 60_000)
    env = {
        "AECORE_DATA": os.environ.get("AECORE_DATA", str(ROOT.parent / "shared" / "data")),
        "LATENTLAB_DATASETS": str(tmp / "sets"),
    }
    port = free_port()
    proc = start_streamlit(port, env)
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(0)
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            student = b.new_page(viewport={"width": 1400, "height": 1000})
            student.goto(f"{base}/explorer?ex_model=digits-ae-2d")
            wait_for_app(student, timeout=300_000)
            student.wait_for_selector("[data-testid='llplane-canvas'][data-ready='1']", timeout=300_000)
            box = plane_box(student)
            student.evaluate(EXPLORER_PANEL_WATCH)
            for _ in range(2):
                click_once(student, box, rng)  # warm-up
            before = [t for t in (click_once(student, box, rng) for _ in range(a.clicks)) if t is not None]
            importer = b.new_page(viewport={"width": 1400, "height": 1000})
            importer.goto(f"{base}/datasets")
            wait_for_app(importer)
            importer.locator(".st-key-dsu_file input[type='file']").set_input_files(str(csv))
            importer.get_by_role("button", name="Import").wait_for(timeout=120_000)
            wait_for_app(importer)
            importer.locator("[data-testid='stSelectbox']").filter(has_text="Label column").click()
            importer.keyboard.type("label")
            importer.keyboard.press("Enter")
            wait_for_app(importer)
            t0 = time.perf_counter()
            importer.get_by_role("button", name="Import").click()
            during = []
            while not importer.get_by_text("Imported 'big'").count() and time.perf_counter() - t0 < 300:
                t = click_once(student, box, rng)
                if t is not None:
                    during.append(t)
            took = time.perf_counter() - t0
            b.close()
    finally:
        proc.terminate()
    print(
        f"click -> panel image before the import: n={len(before)}, p50 {statistics.median(before):.0f} ms, "
        f"p95 {pct(before, 0.95):.0f} ms"
    )
    if during:
        print(
            f"click -> panel image during the import ({took:.1f} s): n={len(during)}, "
            f"p50 {statistics.median(during):.0f} ms, p95 {pct(during, 0.95):.0f} ms"
        )
        print(f"ratio p50 during / before: {statistics.median(during) / statistics.median(before):.2f}")
    else:
        print(f"no click completed during the import ({took:.1f} s): the import blocked the other session")


if __name__ == "__main__":
    main()
