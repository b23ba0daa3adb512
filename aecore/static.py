"""Files the browser fetches from the app's ``static/`` folder (Streamlit's static serving).

Big, rarely changing data (decoder weights, the latent map's 60,000 points, the images shown on
hover) goes here instead of into the page data: Streamlit re-sends page data on every rerun, while a
static file with a content key in its name is fetched once and cached by the browser.

Torch-free on purpose: the first page of a lecture reads these files without importing torch.
"""

from __future__ import annotations

import os
import re
import tempfile
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


def safe_stem(name: str, default: str = "file") -> str:
    """A model name as a file-name/URL stem: checkpoint names may hold spaces; URLs should not."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or default


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file and a rename: several sessions may write the same
    file at once, and a reader must never see half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
