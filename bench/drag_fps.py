"""Frame rate of drag-to-decode: a real mouse drag in headless Chromium, decoded in the browser.

    python bench/drag_fps.py                          # digits-ae-2d, the shipped MNIST models, an ONNX import
    python bench/drag_fps.py mnist-vae-2d --seconds 5 --markers 2 --repeat 5

Starts the app, opens the Drag page for each model, lets it settle, grabs marker A and drags it in a
circle: ``--warmup`` seconds (default 1.5, not counted), then ``--seconds`` (≥ 3 s) measured, all
one Playwright mouse drag. It reads the pad's counters (``stats()`` of the plane's test interface,
labtools/plane_probe.py):

- decoded frames per second: animation frames in which the pad decoded and redrew, / drag time.
  The dragged marker glides toward the pointer (plane.js, GLIDE_MS), so a frame decodes a new
  position whenever the marker is still moving, also when no pointer event came in that frame.
  Printed beside it: how many of those frames had a new pointer position, and all animation frames
  per second. ``--no-glide`` makes the marker jump to each pointer position instead (diagnostic:
  decoded frames are then bounded by the mouse moves Playwright delivers);
- ms per decode: mean time of one MLP forward pass in the browser (WebAssembly SIMD for the big
  layers, plain JS for small ones), and all JS per frame;
- CPU: the machine's busy share during the drag, and the share the hypervisor *stole* (given to
  other guests of a shared VM; drags that dip usually coincide with steal);
- ratio: frames with a new pointer position / mouse moves sent (1.0 = every mouse move was shown);
- baseline: mouse moves per second this Chromium delivers over the page title, where nothing
  listens (Playwright waits for each move to be handled, so this is the ceiling, ~60/s);
- position reports to Python per second during the drag (POSTs to the pad's channel,
  latentlab/ui/components/pad_channel.py, every ~100 ms; not Streamlit reruns), how many came back with the
  readouts, and their mean round trip. ``--sync-ms N`` changes the interval; ``--no-sync`` sends
  none (diagnostics: the pad alone).

Each model is dragged ``--repeat`` times (default 3, each a fresh page load); the verdict uses
each model's median, and every run is printed. Why: on a 2-core VM the mouse moves Playwright
delivers vary by ±10/s from run to run (each waits for the browser to handle the one before); the
dips come with CPU time the hypervisor steals (printed per drag). Animation frames keep to ~60/s
through those dips, which is why the pad glides instead of waiting for the next pointer event.

Target: ≥ 50 decoded frames per second. Headless Chromium paces requestAnimationFrame at ~60 Hz,
so ~60 fps is the ceiling here; the ms-per-decode figure shows the head room below 16.7 ms.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

from aecore.storage.library import SHIPPED_DIR
from labtools.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, wait_for_app
from labtools.plane_probe import PlaneProbe

ROOT = Path(__file__).resolve().parent.parent


STEPS = 6
DEFAULT_MODELS = [
    "digits-ae-2d",
    "mnist-ae-2d",
    "mnist-vae-2d",
    "fashion-mnist-ae-2d",
    "mnist-conv-ae-2d",
    "mnist-conv-vae-2d",
    "fashion-mnist-conv-ae-2d",
]


def cpu_times() -> list[int] | None:
    """The machine's CPU time counters (Linux /proc/stat: user nice system idle iowait irq softirq steal)."""
    try:
        with open("/proc/stat") as f:
            return [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def cpu_share(c0, c1) -> dict:
    """Busy and stolen shares of all cores between two :func:`cpu_times` readings. Steal is CPU
    time the hypervisor gave to other guests: on a shared VM it explains drags that dip."""
    if not c0 or not c1 or len(c0) < 8:
        return {"busy": float("nan"), "steal": float("nan")}
    d = [b - a for a, b in zip(c0, c1)]
    total = max(sum(d), 1)
    return {"busy": 1 - (d[3] + d[4]) / total, "steal": d[7] / total}


def bench_model(
    page,
    base: str,
    name: str,
    seconds: float,
    markers: int,
    no_sync: bool = False,
    sync_ms: int = 0,
    warmup: float = 1.5,
    no_glide: bool = False,
) -> dict:
    label = "Two+markers" if markers == 2 else "One+marker"
    page.goto(f"{base}/drag?dg_model={name}&dg_markers={label}")
    wait_for_app(page)
    probe = PlaneProbe(page)
    probe.wait("s && s.ready && s.decoder && s.markers.length", timeout=60_000)
    box = probe.info()["box"][:3]  # left, top, width
    # Baseline in the same page: how many Playwright mouse moves per second this Chromium delivers
    # at all (moving over the page title, where nothing listens). Chromium aligns mouse moves to
    # display frames, so this is the frame rate the machine allows before the pad does any work.
    wait_for_app(page)  # let the page settle: the first drag must not race the page's own loading
    time.sleep(1.0)
    title = page.locator("h1").first.bounding_box()
    tb = time.perf_counter()
    nb = 0
    while time.perf_counter() - tb < 1.5:
        page.mouse.move(title["x"] + 20 + (nb % 2) * 200, title["y"] + title["height"] / 2, steps=STEPS)
        nb += STEPS
    base_rate = nb / (time.perf_counter() - tb)
    # Another report interval (0 = none: the pad alone), else the default; no glide, else the default.
    follow_ms = (0 if no_sync else sync_ms) if (sync_ms or no_sync) else None
    probe.set(glide_ms=0 if no_glide else None, follow_ms=follow_ms)
    x0, y0 = probe.marker_xy(0)
    cx, cy, rad = box[0] + box[2] / 2, box[1] + box[2] / 2, box[2] * 0.3
    page.mouse.move(x0, y0)
    page.mouse.down()
    t_start = time.perf_counter()

    def circle(until: float) -> int:
        n = 0
        while time.perf_counter() < until:
            # One lap every 1.5 s. Playwright interpolates `steps` mouse events per call inside its
            # own driver, so events arrive faster than the display refreshes: the pad coalesces them.
            a = 2 * math.pi * (time.perf_counter() - t_start + 0.05) / 1.5
            page.mouse.move(cx + rad * math.cos(a), cy + rad * math.sin(a), steps=STEPS)
            n += STEPS
        return n

    # Warm-up in the same drag (not counted): V8 optimises the decoder loops and tiers the
    # WebAssembly kernel up in background threads during the first second, which on 2 cores steals
    # frames. A lecture's drag lasts longer than that anyway.
    circle(t_start + warmup)
    c0 = cpu_times()
    s0 = probe.stats()
    t0 = time.perf_counter()
    moves = circle(t0 + seconds)
    s1 = probe.stats()
    c1 = cpu_times()
    elapsed = time.perf_counter() - t0
    page.mouse.up()
    frames = s1["frames"] - s0["frames"]
    pointer_frames = s1["pointerFrames"] - s0["pointerFrames"]
    decodes = s1["decodes"] - s0["decodes"]
    ms = (s1["decodeMs"] - s0["decodeMs"]) / max(decodes, 1)
    frame_js = (s1["frameMs"] - s0["frameMs"]) / max(frames, 1)
    return {
        "model": name,
        "seconds": elapsed,
        "moves": moves,
        "frames": frames,
        "fps": frames / elapsed,
        "decodes_per_frame": decodes / max(frames, 1),
        "ms_per_decode": ms,
        "ms_per_frame_decoding": ms * decodes / max(frames, 1),
        "ratio": pointer_frames / max(moves, 1),
        "pointer_fps": pointer_frames / elapsed,
        "rafs": (s1["rafs"] - s0["rafs"]) / elapsed,
        "frame_js_ms": frame_js,
        "baseline_moves_per_s": base_rate,
        "reports_per_s": (s1["posts"] - s0["posts"]) / elapsed,
        "answers_per_s": (s1["follows"] - s0["follows"]) / elapsed,
        "round_trip_ms": (s1["followMs"] - s0["followMs"]) / max(s1["follows"] - s0["follows"], 1),
        "report_errors": s1["followErrors"] - s0["followErrors"],
        **cpu_share(c0, c1),
    }


def import_onnx_model(user: Path) -> str:
    """Bring-your-own-model: an MLP encoder with LayerNorm and a conv decoder with BatchNorm
    (labtools/onnx_models.py, no Latent Lab family), exported to ONNX and imported into ``user`` for
    MNIST (digits where MNIST is not here); its name. Its decoder runs converted in the browser."""
    import torch

    from aecore.data.sets import is_available
    from aecore.storage.library import import_onnx
    from labtools.onnx_models import foreign_models, onnx_bytes

    data, side = ("mnist", 28) if is_available("mnist") else ("digits", 8)
    enc, dec = foreign_models(side=side, k=2, seed=0)
    e, d = onnx_bytes(enc, torch.zeros(1, side * side)), onnx_bytes(dec, torch.zeros(1, 2))
    return import_onnx(f"{data}-onnx-conv-2d", e, d, data, user=user).name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*")
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--markers", type=int, choices=(1, 2), default=2)
    ap.add_argument(
        "--no-sync",
        action="store_true",
        help="diagnostic: do not send positions to Python during the drag (isolates the pad's own cost)",
    )
    ap.add_argument(
        "--warmup", type=float, default=1.5, help="seconds of the same drag before the measured part (JIT warm-up)"
    )
    ap.add_argument(
        "--repeat", type=int, default=3, help="drags per model (fresh page each); the verdict uses the median"
    )
    ap.add_argument(
        "--no-glide",
        action="store_true",
        help="diagnostic: the marker jumps to each pointer position (decoded frames = pointer events shown)",
    )
    ap.add_argument(
        "--sync-ms", type=int, default=0, help="diagnostic: report every N ms during the drag instead of every 100 ms"
    )
    a = ap.parse_args()
    if a.seconds < 3:
        ap.error("--seconds must be ≥ 3 (the acceptance asks for a drag of at least 3 s)")
    models = a.models or [m for m in DEFAULT_MODELS if (SHIPPED_DIR / f"{m}.safetensors").exists()]
    user = Path(tempfile.mkdtemp(prefix="ll-bench-"))
    if not a.models:
        models.append(import_onnx_model(user))
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_streamlit(port, {"LATENTLAB_MODELS": str(user)})
    rows = []
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = b.new_page(viewport={"width": 1500, "height": 1000})
            for name in models * max(1, a.repeat):  # interleaved: a slow minute hits every model alike
                r = bench_model(
                    page,
                    f"http://127.0.0.1:{port}",
                    name,
                    a.seconds,
                    a.markers,
                    a.no_sync,
                    a.sync_ms,
                    a.warmup,
                    a.no_glide,
                )
                rows.append(r)
                print(
                    f"{name:22s} {r['seconds']:.1f} s drag, {r['moves']} mouse moves: "
                    f"{r['fps']:.1f} decoded frames/s (target ≥ 50; {r['pointer_fps']:.1f}/s with a new pointer "
                    f"position, the rest glided; {r['rafs']:.1f} animation frames/s), "
                    f"{r['ms_per_decode']:.3f} ms per decode, "
                    f"{r['decodes_per_frame']:.0f} decodes per frame ({r['ms_per_frame_decoding']:.1f} ms), "
                    f"JS per frame {r['frame_js_ms']:.1f} ms, pointer frames/moves = {r['ratio']:.2f}; baseline: "
                    f"{r['baseline_moves_per_s']:.1f} mouse moves/s delivered with no pad "
                    f"(pad pointer frames / baseline = {r['pointer_fps'] / r['baseline_moves_per_s']:.2f}); "
                    f"{r['reports_per_s']:.1f} position reports/s to Python ({r['answers_per_s']:.1f}/s answered, "
                    f"round trip {r['round_trip_ms']:.0f} ms, {r['report_errors']} errors); "
                    f"CPU busy {r['busy']:.0%} of "
                    f"{os.cpu_count()} cores, {r['steal']:.0%} stolen by the hypervisor",
                    flush=True,
                )
            b.close()
    finally:
        proc.terminate()
    medians = {m: statistics.median(r["fps"] for r in rows if r["model"] == m) for m in models}
    worst = min(medians.values())
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"\nload average during the run: {load:.1f} on {os.cpu_count()} cores")
    if a.no_sync:
        print("(--no-sync: positions were NOT sent to Python during the drag; diagnostic figure only)")
    if a.no_glide:
        print("(--no-glide: the marker jumped to each pointer position; diagnostic figure only)")
    for m in models:
        runs = [r for r in rows if r["model"] == m]
        print(
            f"{m:22s} median {medians[m]:.1f} fps over {len(runs)} drags (runs: "
            + ", ".join(
                f"{r['fps']:.0f} ({r['pointer_fps']:.0f} with a new pointer position, {r['steal']:.0%} stolen)"
                for r in runs
            )
            + f"); {statistics.median(r['reports_per_s'] for r in runs):.1f} "
            f"reports/s to Python, round trip {statistics.median(r['round_trip_ms'] for r in runs):.0f} ms"
        )
    print(
        f"worst model median: {worst:.1f} decoded frames/s  ->  "
        f"{'MEETS' if worst >= 50 else 'BELOW'} the 50 fps target "
        f"({os.cpu_count()} CPU cores, headless Chromium, {a.markers} marker(s), strip of 9 when 2)"
    )


if __name__ == "__main__":
    main()
