"""Presentation-clicker keys: PageDown, →, Space step forward; PageUp, ← step back.

A clicker sends PageDown/PageUp (most) or the arrow keys. One tiny components-v2 element listens on
the whole page (v2 components run in the page, not in an iframe) and sends ``+1`` or ``-1`` to
Python as a trigger value: the tour (and the lecture playlist) step with it. Keys typed into a
text box, a slider or a select box are theirs, not the clicker's; so are the arrows of a latent
plane focused by Tab. A clicker key also takes the focus off the main area a click on the slide
gave it, so that no focus frame is drawn around the whole slide.

The same element, mounted on every page, watches for the lecture hall's failover (``./run.sh serve``,
:mod:`latentlab.server.serve`): HAProxy's cookie names the replica that holds this page's session. When that
replica dies, the page's websocket reconnects to another one, which has no session for it (its
elements stay on screen, but a click names a fragment the new process never ran). The cookie then
names the new replica, and the page reloads: its URL holds the view, which is drawn again there.
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
    // A latent plane a person tabbed to (role=application), or a widget that moves with the arrows
    // itself (data-ll-keys="own": the code grid and its codebook), keeps the arrows and Space; the
    // clicker's PageDown and PageUp still step. (A mouse click never focuses the plane.)
    const own = t && t.closest && t.closest("[role=application],[data-ll-keys=own]");
    if (own && !["PageDown", "PageUp"].includes(e.key)) return;
    const step = ["ArrowRight", "PageDown", " "].includes(e.key) ? 1 : ["ArrowLeft", "PageUp"].includes(e.key) ? -1 : 0;
    if (!step) return;
    // A click on the slide focuses Streamlit's scrollable main area; Chrome then rings it (grey, the
    // whole slide) at the next key press (:focus-visible). The clicker's keys are the page's: let it go.
    const a = document.activeElement;
    if (a && a.matches && a.matches("[data-testid=stMain]")) a.blur();
    e.preventDefault();
    e.stopPropagation();
    setTriggerValue("step", step);
  };
  // The lecture hall's failover (see the module docstring). No cookie (one process): nothing to watch.
  const replica = () => (document.cookie.match(/(?:^|;\\s*)LLREPLICA=([^;]+)/) || [])[1] || "";
  if (window.__llReplica === undefined) window.__llReplica = replica();
  if (!window.__llReplicaTimer) {
    window.__llReplicaTimer = setInterval(() => {
      const now = replica();
      if (window.__llReplica && now && now !== window.__llReplica) location.reload();
    }, 1000);
  }
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
