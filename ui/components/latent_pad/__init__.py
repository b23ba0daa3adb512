"""The latent pad: a Streamlit components-v2 element for drag-to-decode.

It draws the latent scatter (density shading underneath) on a canvas with one or two draggable
markers A and B, and decodes the marker positions *in the browser* every animation frame, using
MLP decoder weights exported by :mod:`web.export` and fetched from the app's static folder.
No build step, no CDN: pad.js and pad.css are plain files, served as they are.

Python receives ``{"markers": [[x, y], [x, y]], "seq": int, "sig": str}`` (view coordinates) as
component state on release. During a drag the positions go to Python about every 100 ms through
the pad's position channel instead (:mod:`ui.components.pad_channel`: a POST, not a rerun), to
``data["follow_url"]`` with ``data["follow_token"]``; the HTML that comes back replaces
``data["follow_html"]``, the readouts shown under the pad.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.components.static_js import static_component

# Served from static/ behind a tiny inline loader (ui/components/static_js.py): Streamlit re-sends
# inline JS with every rerun.
_component = static_component("latent_pad", Path(__file__).resolve().parent, "pad.js", "pad.css", "llpad")


def _noop() -> None:
    """State changes only need a rerun (of the enclosing fragment); the value is read from the result."""


def latent_pad(
    data: dict[str, Any], key: str, default_markers: list[list[float]], on_change: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Mount the pad; return the latest marker state (``default_markers`` before any drag).

    ``data`` holds ``plane_url`` (a :func:`web.plane.pad_plane` payload, written by
    :func:`web.plane.write_plane`) plus ``sig`` (changing it resets the markers), ``markers``,
    ``n_markers``, ``manifest`` (exported decoder, or ``None`` for server decoding), ``image_shape``,
    ``mode_text``, and the readouts: ``follow_html``, ``follow_url``, ``follow_token``."""
    default = {"pos": {"markers": default_markers, "seq": 0, "sig": data.get("sig")}}
    res = _component(
        key=key, data=data, default=default, on_pos_change=on_change or _noop, width="stretch", height="content"
    )
    pos = getattr(res, "pos", None) or default["pos"]
    return pos
