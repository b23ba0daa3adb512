"""A page to share: any latent plane as one self-contained HTML file.

Everything the plane needs is inside the file: the plane component's own JavaScript (the same joined
module the app serves, :func:`latentlab.ui.components.bundle.plane_module`: one plane component, not
a copy), its CSS, the plane file (points, labels, density shading), the decoder's weights and
manifest (the WebAssembly kernel is assembled by that JavaScript at load time), and the hover images
where they fit the size budget. Files travel as ``data:`` URLs, which ``fetch`` reads with no server
and no network, so a student opens the page from ``file://`` by double-click and clicks to decode.
Nothing is sent anywhere: a click is answered in the page (the plane's ``local`` mode).
"""

from __future__ import annotations

import base64
import html
import json
import time
from pathlib import Path
from typing import Any

from latentlab.server import plane as LM
from latentlab.server.static import STATIC_DIR, STATIC_URL, data_url
from latentlab.ui.components.bundle import plane_css, plane_module

#: Hover images are kept when they add at most this many bytes (before base64): a 10,000-image MNIST
#: split (7.8 MB) is left out, so that its page stays under 5 MB; digits' (115 kB) stay.
IMAGE_BUDGET = 2_500_000


def _static_file(url: str, url_prefix: str = STATIC_URL, static_dir: Path | None = None) -> Path:
    """The file behind an app static URL (``…/app/static/maps/map-….bin``)."""
    i = url.find(url_prefix.rstrip("/") + "/")
    if i < 0:
        raise ValueError(f"{url} is not one of the app's static files")
    rel = url[i + len(url_prefix.rstrip("/")) + 1 :]
    path = (Path(static_dir or STATIC_DIR) / rel).resolve()
    if Path(static_dir or STATIC_DIR).resolve() not in path.parents:
        raise ValueError(f"{url} is outside the app's static folder")
    return path


def _plane_bytes(plane_url: str, images: bool) -> tuple[bytes, bool]:
    """The plane file, its hover images inlined as a ``data:`` URL when asked and within
    :data:`IMAGE_BUDGET` (else none); and whether they were kept."""
    m = LM.read_plane(_static_file(plane_url))
    kept = False
    if m.get("images_url"):
        blob = _static_file(m["images_url"]).read_bytes() if images else b""
        kept = images and len(blob) <= IMAGE_BUDGET
        m["images_url"] = data_url(blob) if kept else None
    payload = {
        **{k: v for k, v in m.items() if k not in ("points", "labels", "density")},
        "points": base64.b64encode(m["points"].astype("<f4").tobytes()).decode(),
        "labels": base64.b64encode(m["labels"].tobytes()).decode(),
        "density": None
        if m.get("density") is None
        else base64.b64encode(m["density"].astype("<f4").tobytes()).decode(),
    }
    return LM.encode_plane(payload), kept


def html_page(
    plane_url: str,
    options: dict[str, Any],
    title: str,
    subtitle: str = "",
    images: bool = True,
) -> bytes:
    """One self-contained HTML page drawing the plane at ``plane_url`` (an app static URL) as
    ``options`` (the component's click-mode data, :meth:`PlaneOptions.data`) say: its ``manifest``'s
    decoder, if any, decodes a click in the page. ``title`` heads the page, ``subtitle`` under it."""
    data = dict(options)
    blob, kept = _plane_bytes(plane_url, images)
    data.update(url=data_url(blob), local=True, live=False, select=False, selected=None, link=None)
    # What only the app's page means (its grid's window, its A and B, its own input's ellipses) stays there.
    data.update(presenter=False, marker=None, marker_seq=None, rect=None, ab=None, ellipses=None, marks=None)
    data["hint"] = "Click anywhere to decode. Drag to pan, scroll to zoom, double-click to reset." + (
        " Shading: density of training codes; outside the vermillion line the decoder extrapolates."
        if data.get("shade")
        else ""
    )
    manifest = data.get("manifest")
    if manifest:
        weights = _static_file(manifest["weights_url"]).read_bytes()
        data["manifest"] = {**manifest, "weights_url": data_url(weights)}
    code = plane_module().replace("</script", "<\\/script")
    css = plane_css()
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    says = (
        "Click anywhere on the plane: your browser decodes that point with the model's own decoder. "
        if manifest
        else "This model's decoder cannot run in a browser: the page shows its codes only. "
    ) + ("Hover a dot to see its image." if kept else "Hover a dot to see its class.")
    made = time.strftime("%Y-%m-%d")
    return _TEMPLATE.format(
        title=html.escape(title),
        subtitle=html.escape(subtitle),
        says=html.escape(says),
        made=made,
        css=css,
        code=code,
        data=payload,
    ).encode("utf-8")


_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #2F2D2B; background: #fff;
  max-width: 1100px; margin: 24px auto; padding: 0 16px; line-height: 1.5; }}
h1 {{ font-size: 1.6rem; margin: 0 0 4px; }}
.sub, .foot {{ color: #5B5855; }}
.foot {{ font-size: 0.85rem; margin-top: 12px; }}
{css}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="sub">{subtitle}</p>
<p>{says}</p>
<main id="plane"></main>
<p class="foot">Made with Latent Lab on {made}. Everything is in this one file: it needs no server and no network.</p>
<script type="text/plain" id="ll-code">{code}</script>
<script type="application/json" id="ll-data">{data}</script>
<script type="module">
const code = document.getElementById("ll-code").textContent;
const data = JSON.parse(document.getElementById("ll-data").textContent);
const mod = await import(URL.createObjectURL(new Blob([code], {{ type: "text/javascript" }})));
mod.default({{ data: [data], parentElement: document.getElementById("plane"), setStateValue: () => {{}} }});
</script>
</body>
</html>
"""
