"""The latent pad: a Streamlit components-v2 element for drag-to-decode.

It draws the latent scatter (density shading underneath) on a canvas with one or two draggable
markers A and B, and decodes the marker positions *in the browser* every animation frame, using
MLP decoder weights exported by :mod:`aecore.export` and fetched from the app's static folder.
No build step, no CDN: the JS and CSS below are plain files read into strings.

Python receives ``{"markers": [[x, y], [x, y]], "dragging": bool, "seq": int, "sig": str}`` (view
coordinates) on release and about every 100 ms during a drag.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import streamlit as st

from components._static_js import loader_js

_HERE = Path(__file__).resolve().parent
# The JS is served from static/ behind a tiny inline loader (components/_static_js.py): Streamlit
# re-sends inline JS with every rerun. CSS stays inline (multi-line: a one-line string is a path).
JS = loader_js("latent_pad", (_HERE / "pad.js").read_text(encoding="utf-8"))
CSS = (_HERE / "pad.css").read_text(encoding="utf-8")
HTML = '<div class="llpad"></div>\n'

_component = st.components.v2.component("latent_lab.latent_pad", html=HTML, css=CSS, js=JS)


def _noop() -> None:
    """State changes only need a rerun (of the enclosing fragment); the value is read from the result."""


def latent_pad(data: dict[str, Any], key: str, default_markers: list[list[float]],
               on_change: Callable[[], None] | None = None) -> dict[str, Any]:
    """Mount the pad; return the latest marker state (``default_markers`` before any drag).

    ``data`` comes from :func:`aecore.drag.pad_data` plus ``sig`` (changing it resets the markers),
    ``markers``, ``n_markers``, ``manifest`` (exported decoder, or ``None`` for server decoding),
    ``image_shape`` or ``data_space``, and ``mode_text``.
    """
    default = {"pos": {"markers": default_markers, "dragging": False, "seq": 0, "sig": data.get("sig")}}
    res = _component(key=key, data=data, default=default, on_pos_change=on_change or _noop,
                     width="stretch", height="content")
    pos = getattr(res, "pos", None) or default["pos"]
    return pos
