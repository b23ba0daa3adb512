"""Files the browser fetches from the app's ``static/`` folder (Streamlit's static serving).

Big, rarely changing data (decoder weights, the latent map's 60,000 points, the images shown on
hover) goes here instead of into the page data: Streamlit re-sends page data on every rerun, while a
static file with a content key in its name is fetched once and cached by the browser.

Torch-free on purpose: the first page of a lecture reads these files without importing torch. Files are
written with :func:`aecore.storage.files.write_atomic` (the one atomic writer).
"""

from __future__ import annotations

from pathlib import Path

#: Where the app serves static files from (Streamlit: ``static/`` beside the main script).
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
#: URL prefix of Streamlit's static serving (the app's base URL path goes in front of it).
STATIC_URL = "/app/static"


def under_base(base_url_path: str | None, path: str) -> str:
    """``path`` (starting with ``/``) behind the server's base URL path (``server.baseUrlPath``,
    e.g. ``"lab"`` or ``"/lab/"``; empty when the app is served at the root)."""
    base = (base_url_path or "").strip("/")
    return ("/" + base if base else "") + path
