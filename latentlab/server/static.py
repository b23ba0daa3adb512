"""Files the browser fetches from the app's ``static/`` folder (Streamlit's static serving).

Big, rarely changing data (decoder weights, the latent map's 60,000 points, the images shown on
hover) goes here instead of into the page data: Streamlit re-sends page data on every rerun, while a
static file with a content key in its name is fetched once and cached by the browser.

Torch-free on purpose: the first page of a lecture reads these files without importing torch. Files are
written with :func:`aecore.storage.files.write_atomic` (the one atomic writer).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from aecore.storage.files import write_atomic

#: The app's own folder: its main script, the settings Streamlit reads beside it, its static files.
APP_DIR = Path(__file__).resolve().parents[1] / "app"
#: The script ``streamlit run`` runs (``latent-lab app``, every replica of ``latent-lab serve``, tests).
APP_SCRIPT = APP_DIR / "app.py"
#: Where the app serves static files from (Streamlit: ``static/`` beside the main script). Written on
#: first use, so the installed package must be writable (a virtual environment is).
STATIC_DIR = APP_DIR / "static"
#: URL prefix of Streamlit's static serving (the app's base URL path goes in front of it).
STATIC_URL = "/app/static"


def under_base(base_url_path: str | None, path: str) -> str:
    """``path`` (starting with ``/``) behind the server's base URL path (``server.baseUrlPath``,
    e.g. ``"lab"`` or ``"/lab/"``; empty when the app is served at the root)."""
    base = (base_url_path or "").strip("/")
    return ("/" + base if base else "") + path


def write_hashed(
    subdir: str, stem: str, suffix: str, blob: bytes, static_dir: str | Path | None = None, url_prefix: str = STATIC_URL
) -> str:
    """Write ``blob`` as ``<static_dir>/<subdir>/<stem>-<hash><suffix>`` (unless that file already holds
    exactly these bytes) and return its URL. The name carries the content's hash: the browser may
    cache the file for good."""
    fname = f"{stem}-{hashlib.sha256(blob).hexdigest()[:16]}{suffix}"
    path = Path(static_dir or STATIC_DIR) / subdir / fname
    if not (path.is_file() and path.stat().st_size == len(blob) and path.read_bytes() == blob):
        write_atomic(path, blob)
    return f"{url_prefix.rstrip('/')}/{subdir}/{fname}"


def data_url(blob: bytes, mime: str = "application/octet-stream") -> str:
    """``blob`` as a ``data:`` URL: a file the browser fetches with no server (the page to share and
    the notebook widget carry their plane, weights and images this way)."""
    return f"data:{mime};base64,{base64.b64encode(blob).decode('ascii')}"
