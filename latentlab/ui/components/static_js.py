"""Serve a component's JavaScript as a static file and give Streamlit only a tiny loader.

Streamlit re-sends an inline component's whole ``js`` string with every rerun of the fragment that
holds it (~25 kB for the latent pad, ~10 times a second while a marker is dragged; ~20 kB for the
latent map on every click). The loader below is a few hundred bytes: it imports the real module once
from the app's static folder (content-hashed file name, so the browser never runs stale code) and
forwards every call to it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from latentlab.server.static import STATIC_URL, under_base, write_hashed
from latentlab.ui.components.bundle import join_modules

SUBDIR = "components"


def static_prefix() -> str:
    """The URL prefix of the app's static files (the server's base path in front of ``/app/static``)."""
    return under_base(st.get_option("server.baseUrlPath"), STATIC_URL)


def loader_js(name: str, source: str) -> str:
    """Write ``source`` to ``static/components/<name>-<hash>.js`` (once) and return the inline loader."""
    url = write_hashed(SUBDIR, name, ".js", source.encode("utf-8"), url_prefix=static_prefix())
    # Multi-line on purpose: components v2 takes a one-line string for a file path.
    # A failed import (a busy server dropping the request, a replica restarting) is retried a few
    # times: a rejected promise kept here would leave every element of this component empty for the
    # rest of the session, with nothing on screen saying why.
    return f"""// Loader: the component's code is {url} (imported once, then cached by the browser).
let mod = null;
let loading = null;
const load = (tries) => import(new URL({url!r}, window.location.origin).href).catch((e) => {{
  if (tries <= 1) {{ loading = null; throw e; }}
  return new Promise((r) => setTimeout(r, 500 * (4 - tries))).then(() => load(tries - 1));
}});
export default function (component) {{
  if (mod) return mod.default(component);
  loading = loading || load(3);
  let cleanup = null;
  let gone = false;
  loading.then((m) => {{ mod = m; if (!gone) cleanup = m.default(component); }})
    .catch((e) => console.error("latent-lab: could not load {name}", e));
  return () => {{ gone = true; if (typeof cleanup === "function") cleanup(); }};
}}
"""


def static_component(
    name: str,
    folder: Path,
    js_file: str | tuple[str, ...],
    css_file: str,
    root_class: str,
    isolate_styles: bool = True,
):
    """A components-v2 element named ``latent_lab.<name>``: ``folder/js_file`` (after the shared
    helpers; a tuple of files is joined in its order) is served from static/ behind :func:`loader_js`;
    the CSS stays inline (multi-line: a one-line string is taken for a path); the HTML is the
    element's root ``div.<root_class>``.
    ``isolate_styles=False`` renders in the page's light DOM instead of a shadow root (for code that
    styles itself through ``document.head``, as plotly.js does).
    Returns ``mount(data=..., **kwargs)``, the component with ``data`` wrapped (see there why)."""
    files = [js_file] if isinstance(js_file, str) else list(js_file)  # several: joined in this order
    js = loader_js(name, join_modules(folder, files))
    css = (folder / css_file).read_text(encoding="utf-8")
    component = st.components.v2.component(
        f"latent_lab.{name}", html=f'<div class="{root_class}"></div>\n', css=css, js=js, isolate_styles=isolate_styles
    )

    def mount(*, data: dict, **kwargs):
        # The data goes as a one-item list (shared.js unwraps it). Given a dict, Streamlit checks
        # each value for a dataframe, which imports pandas and pyarrow: ~0.5 s holding the GIL
        # the first time in a server (at the first explorer click, or the first drag page).
        return component(data=[data], **kwargs)

    return mount
