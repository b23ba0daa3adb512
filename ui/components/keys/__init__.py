"""Presentation-clicker keys: PageDown, →, Space step forward; PageUp, ← step back.

A clicker sends PageDown/PageUp (most) or the arrow keys. One tiny components-v2 element listens on
the whole page (v2 components run in the page, not in an iframe) and sends ``+1`` or ``-1`` to
Python as a trigger value: the tour (and the lecture playlist) step with it. Keys typed into a
text box, a slider or a select box are theirs, not the clicker's.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function (component) {
  const { setTriggerValue } = component;
  // One listener per page, replaced on each rerun so that it always talks to the live element.
  if (window.__llKeys) window.removeEventListener("keydown", window.__llKeys, true);  // the previous render's
  window.__llKeys = (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.repeat) return;
    const t = e.composedPath ? e.composedPath()[0] : e.target;
    if (t && t.closest && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)
        || t.closest("[role=slider],[role=listbox],[role=combobox],[role=radiogroup],[role=dialog]"))) return;
    const step = ["ArrowRight", "PageDown", " "].includes(e.key) ? 1 : ["ArrowLeft", "PageUp"].includes(e.key) ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    e.stopPropagation();
    setTriggerValue("step", step);
  };
  const mine = window.__llKeys;
  window.addEventListener("keydown", mine, true);
  // Remove only our own listener: a remount may already have put its successor in place.
  return () => {
    window.removeEventListener("keydown", mine, true);
    if (window.__llKeys === mine) window.__llKeys = null;
  };
}
"""

_component = st.components.v2.component("latent_lab.keys", js=_JS, html="<span></span>")


def _noop() -> None:
    """A key press only needs a rerun; the step is read from the result."""


def clicker_step(key: str) -> int:
    """Mount the key listener; return +1 or -1 on the run a key press triggered, else 0."""
    res = _component(key=key, on_step_change=_noop, height=0)
    step = getattr(res, "step", None)
    return int(step) if step in (1, -1) else 0
