"""A bare page that mounts the latent-plane component alone (no Streamlit), on a plane file of
synthetic points: what bench/plane_scale.py measures and the scale browser test checks."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import numpy as np

from latentlab.server import plane
from latentlab.ui.components.latent_plane import JS_FILES
from latentlab.ui.components.static_js import join_modules

ROOT = Path(__file__).resolve().parent.parent
COMPONENT = ROOT / "latentlab" / "ui" / "components"

PAGE = """<!doctype html><html><body style="margin:0;font-family:sans-serif">
<div id="root" style="width:1100px"></div>
<script type="module">
import mount from "./plane.mjs";
const el = document.getElementById("root");
new MutationObserver(() => {
  const c = el.querySelector("[data-testid='llplane-canvas']");
  if (c && c.dataset.ready === "1" && !window.__drawn)
    requestAnimationFrame(() => setTimeout(() => { window.__drawn = performance.now(); }, 0));
}).observe(el, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });
const renderer = new URLSearchParams(location.search).get("renderer") || "auto";  // "canvas": no WebGL
mount({ parentElement: el, data: [{ mode: "click", url: "./%MAP%", height: 800, shade: true, hint: "", renderer }],
        setStateValue: () => {} });
</script></body></html>"""


def synthetic(n: int, seed: int = 0) -> dict:
    """A plane payload of ``n`` points in 10 Gaussian classes, with a histogram density."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, (10, 2))
    scales = rng.uniform(0.5, 1.5, (10, 2))
    labels = rng.integers(0, 10, n)
    pts = centres[labels] + rng.normal(size=(n, 2)) * scales[labels]  # (n, 2)
    lo, hi = pts.min(0) - 1, pts.max(0) + 1
    hist, xe, ye = np.histogram2d(pts[:, 0], pts[:, 1], bins=80, range=[[lo[0], hi[0]], [lo[1], hi[1]]])
    k = np.exp(-0.5 * (np.arange(-4, 5) / 1.5) ** 2)
    hist = np.apply_along_axis(lambda r: np.convolve(r, k, "same"), 0, hist)
    hist = np.apply_along_axis(lambda r: np.convolve(r, k, "same"), 1, hist)

    def density(q: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(xe, q[:, 0]) - 1, 0, 79)
        j = np.clip(np.searchsorted(ye, q[:, 1]) - 1, 0, 79)
        return hist[i, j]

    return plane.plane_payload(
        pts, labels, [str(c) for c in range(10)], ((lo[0], hi[0]), (lo[1], hi[1])), density, threshold=hist.max() * 0.02
    )


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a) -> None:  # one line per request would drown the results
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}"


def write_harness(folder: Path, name: str, n: int, seed: int = 0) -> Path:
    """Write ``<name>.html`` (the page; ``?renderer=canvas`` turns WebGL off), ``<name>.bin`` (a
    synthetic plane of ``n`` points) and ``plane.mjs`` (the component's module, as the app serves it)
    into ``folder``; return the plane file."""
    # As the app serves it: shared.js and the plane's modules, joined (latentlab/ui/components/static_js.py).
    js = join_modules(COMPONENT / "latent_plane", JS_FILES)
    (folder / "plane.mjs").write_text(js)
    path = folder / f"{name}.bin"
    path.write_bytes(plane.encode_plane(synthetic(n, seed)))
    (folder / f"{name}.html").write_text(PAGE.replace("%MAP%", path.name))
    return path
