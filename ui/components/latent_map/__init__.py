"""The latent map: a Streamlit components-v2 element for the explore pages' 2-D latent scatter.

It fetches the points, labels and density shading once from a static file written by
:mod:`web.plane`, draws them on a canvas (hover shows each example's image, drag pans,
wheel zooms, the legend hides classes) and returns only where the user clicked. So a click's rerun
carries a few hundred bytes however many points the map holds. No build step, no CDN.

Python receives ``{"x", "y", "index", "seq", "nonce", "url"}``: the clicked spot in plane units,
the example under the pointer (``-1`` for empty space), and a per-page-load click counter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.components.static_js import static_component

# Served from static/ behind a tiny inline loader (ui/components/static_js.py): Streamlit re-sends
# inline JS with every rerun.
_component = static_component("latent_map", Path(__file__).resolve().parent, "map.js", "map.css", "llmap")


def _noop() -> None:
    """A click only needs a rerun (of the enclosing fragment); the value is read from the result."""


def latent_map(
    url: str,
    key: str,
    *,
    height: int = 600,
    shade: bool = False,
    point_size: float | None = None,
    marker: list[float] | None = None,
    marker_seq: int | None = None,
    ab: list[list[float] | None] | None = None,
    rect: list[float] | None = None,
    presenter: bool = False,
    hint: str = "",
    on_click: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Mount the map for the map file at ``url``; return the latest click, or ``None`` before any.

    ``marker`` is the decoded z's position in the plane (drawn as a ring), ``marker_seq`` the click
    it answers (so the browser drops its provisional marker), ``ab`` the interpolation end points,
    ``rect`` the manifold-grid rectangle ``[x0, x1, y0, y1]``. A click from another map (``url``)
    is ignored.
    """
    data = {
        "url": url,
        "height": int(height),
        "shade": bool(shade),
        "point_size": point_size,
        "marker": marker,
        "marker_seq": marker_seq,
        "ab": ab,
        "rect": rect,
        "presenter": bool(presenter),
        "hint": hint,
    }
    res = _component(
        key=key,
        data=data,
        default={"click": None},
        on_click_change=on_click or _noop,
        width="stretch",
        height="content",
    )
    click = getattr(res, "click", None)
    if not click or click.get("url") != url:
        return None
    return click
