"""List semantics for Streamlit's sidebar navigation, which its own markup gets wrong.

With sections (``st.navigation`` given a dict, as app.py does), Streamlit 1.67 draws
``<ul> <div> <header>Explore</header> <li>…</li> … </div> … </ul>``: a list whose children are not
list items and list items whose parent is not a list. A screen reader then announces no list, or
a list of four "items" that are sections; axe-core rates both *serious* (rules ``list`` and
``listitem``, 14 failures on every page; tests/browser/test_axe_browser.py).

Neither CSS nor an option reaches that markup, so one tiny components-v2 element (it runs in the
page, not in an iframe) sets the roles a screen reader needs: the outer ``<ul>`` is ``role="none"``,
and each section is a ``role="list"`` named after its header ("Explore, list, 6 items"). Streamlit
redraws the navigation on a page change, so a MutationObserver puts the roles back whenever the
sidebar's markup changes. It draws nothing.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function () {
  const fix = () => {
    const ul = document.querySelector("[data-testid=stSidebarNavItems]");
    if (!ul) return;
    const sections = [...ul.children].filter((c) => c.tagName === "DIV");
    if (!sections.length) return;  // no sections: Streamlit's <ul><li> is a list already
    if (ul.getAttribute("role") !== "none") ul.setAttribute("role", "none");
    for (const s of sections) {
      if (s.getAttribute("role") !== "list") s.setAttribute("role", "list");
      const h = s.querySelector(":scope > header");
      // The header's text without its icon's ligature name ("expand_more").
      const name = h ? [...h.querySelectorAll("p")].map((p) => p.textContent).join(" ").trim() : "";
      if (name && s.getAttribute("aria-label") !== name) s.setAttribute("aria-label", name);
    }
  };
  fix();
  // One observer per page (the element remounts on every rerun).
  if (!window.__llNavRoles) {
    // The whole body: Streamlit may replace the sidebar itself (collapsed, then opened again).
    window.__llNavRoles = new MutationObserver(fix);
    window.__llNavRoles.observe(document.body, { childList: true, subtree: true });
  }
}
"""

_component = st.components.v2.component("latent_lab.nav_roles", js=_JS, html="<span></span>")


def nav_roles(key: str = "ll_nav_roles") -> None:
    """Mount the element that gives the sidebar navigation its list roles (see the module docstring)."""
    _component(key=key, height=0)
