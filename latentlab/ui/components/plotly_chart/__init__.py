"""Plotly figures drawn by plotly.js directly, once (see chart.js for why not ``st.plotly_chart``).

plotly.js is the copy inside the installed plotly package (offline, and the same version as the
Python side that builds the figures), written once to ``static/components/`` under a content hash and
cached by the browser. Each rerun sends the figure's JSON; the browser redraws only when it changed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from latentlab.server.static import write_hashed
from latentlab.ui.components.static_js import SUBDIR, static_component, static_prefix

# Light DOM, not a shadow root: plotly.js puts its style sheet (mode bar, hover labels, the stacked
# SVG layers) into document.head, which a shadow root would not see.
_component = static_component(
    "plotly_chart", Path(__file__).resolve().parent, "chart.js", "chart.css", "llplot", isolate_styles=False
)


@functools.cache
def _plotly_url() -> str:
    """The installed plotly.js, served once as ``static/components/plotly-<hash>.min.js``; its URL."""
    # Found without importing plotly (~0.3 s): app.py preloads it on the torch-free first page too.
    src = Path(importlib.util.find_spec("plotly").submodule_search_locations[0]) / "package_data" / "plotly.min.js"
    return write_hashed(SUBDIR, "plotly", ".min.js", src.read_bytes(), url_prefix=static_prefix())


def _noop() -> None:
    """A click only needs a rerun; the page reads the selection from the element's state."""


def plotly_chart(
    fig,
    key: str,
    config: dict[str, Any] | None = None,
    select: bool = False,
    on_select: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Mount ``fig`` (a plotly figure) under ``key``; with ``select`` a click on a point reruns the
    script and ``st.session_state[key]["selection"]["points"]`` holds it (as for ``st.plotly_chart``:
    ``curve_number``, ``point_index``, ``x``, ``y``, ``z``, ``customdata``). Returns the selection."""
    import plotly.io as pio

    spec = pio.to_json(fig, validate=False)
    data = {
        "fig": spec,
        "sig": hashlib.sha1(spec.encode()).hexdigest(),
        "config": config or {"displaylogo": False},
        "plotly_url": _plotly_url(),
        "select": bool(select),
        "key": key,  # a re-created element finds its drawn figure by it (chart.js: adopt)
    }
    # Streamlit accepts a state (and its default) only with its change callback: clickable charts only.
    kw = {"on_selection_change": on_select or _noop, "default": {"selection": None}} if select else {}
    res = _component(key=key, data=data, width="stretch", height="content", **kw)
    return getattr(res, "selection", None)


def preload(key: str = "ll_plotly_preload") -> None:
    """A zero-height element that has the browser load plotly.js when it is idle (app.py mounts it on
    every page): the lecture's first chart then draws without waiting for 4.6 MB of JavaScript."""
    _component(key=key, data={"preload": True, "plotly_url": _plotly_url()}, height=0)
