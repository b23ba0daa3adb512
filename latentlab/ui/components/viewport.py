"""The browser window's size, for presenter mode: a slide's main visual is sized from it.

Python cannot see the screen, and a plane or a plotly figure needs its height in pixels (CSS ``vh``
cannot reach into a canvas's drawing size). One tiny components-v2 element reports
``window.innerWidth`` and ``innerHeight`` when they differ from the size Python drew the page for
(the first run assumes a 1280 × 720 projector), and again after a resize (a projector plugged in,
a window made fullscreen): the page then reruns once with the real size. At 1280 × 720 nothing is
sent, so the smallest slide costs no extra rerun.
"""

from __future__ import annotations

import streamlit as st

#: What a page is drawn for until the browser has said otherwise: the smallest projector a lecture meets.
DEFAULT = (1280, 720)
#: A size change smaller than this (px, either way) is not worth a rerun (a scroll bar coming and going).
SLACK = 24

_JS = f"""
export default function (component) {{
  const {{ setStateValue }} = component;
  const d = Array.isArray(component.data) ? component.data[0] : component.data;
  const send = () => {{
    const w = window.innerWidth, h = window.innerHeight;
    if (w && h && (Math.abs(w - d.w) > {SLACK} || Math.abs(h - d.h) > {SLACK})) setStateValue("size", [w, h]);
  }};
  send();
  let timer = null;
  const onResize = () => {{ clearTimeout(timer); timer = setTimeout(send, 300); }};
  window.addEventListener("resize", onResize);
  return () => {{ window.removeEventListener("resize", onResize); clearTimeout(timer); }};
}}
"""

_component = st.components.v2.component("latent_lab.viewport", js=_JS, html="<span></span>")


def _noop() -> None:
    """A new size only needs a rerun; it is read from the result."""


def viewport(key: str = "ll_viewport") -> tuple[int, int]:
    """Mount the size reporter; return the window's ``(width, height)`` in CSS px (:data:`DEFAULT`
    until the browser has reported a different one)."""
    last = st.session_state.get("_ll_viewport", DEFAULT)
    res = _component(
        key=key, data=[{"w": last[0], "h": last[1]}], default={"size": None}, on_size_change=_noop, height=0
    )
    size = getattr(res, "size", None)
    if isinstance(size, (list, tuple)) and len(size) == 2 and all(isinstance(v, (int, float)) for v in size):
        last = (max(320, int(size[0])), max(320, int(size[1])))
        st.session_state["_ll_viewport"] = last
    return last
