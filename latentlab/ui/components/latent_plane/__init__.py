"""The latent plane: one Streamlit components-v2 element for every latent plane in the app.

It fetches the points, labels and density shading once from a static file written by
:mod:`latentlab.server.plane`, draws them on a canvas (hover shows each example's image, drag or wheel pans and
zooms, the legend hides classes), and returns only what the user did. No build step, no CDN:
plane.js and plane.css are plain files, served as they are. Two modes, one code path for drawing,
coordinates and decoding (plane.js says more):

* :func:`latent_map`, click mode (latent map, explorer): a click anywhere returns where; with an
  exported decoder the browser draws g(z) at the click at once, before Python's panel answers.
* :func:`latent_pad`, markers mode (drag to decode): one or two draggable markers decoded in the
  browser every animation frame (MLP and conv decoders exported by :mod:`latentlab.server.export`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from latentlab.figures.palette import PALETTE
from latentlab.ui.components.bundle import PLANE_JS
from latentlab.ui.components.static_js import static_component

# Served from static/ behind a tiny inline loader (latentlab/ui/components/static_js.py): Streamlit re-sends
# inline JS with every rerun. The modules and their order: latentlab/ui/components/bundle.py.
JS_FILES = PLANE_JS
_component = static_component("latent_plane", Path(__file__).resolve().parent, JS_FILES, "plane.css", "llplane")


def _noop() -> None:
    """A click or a release only needs a rerun (of the enclosing fragment); the value is read from the result."""


@dataclass(frozen=True)
class PlaneOptions:
    """What a click-mode plane shows and does, beside its file: one object (plane.js reads the same
    names from ``data``). Every field is optional.

    ``height`` (px, the plane's most; it is never taller than 1.1 × its width); ``shade`` the density
    of training codes and the "extrapolating" line; ``point_size`` (px; default by point count);
    ``marker`` the decoded z's position in the plane (a ring) and ``marker_seq`` the click it answers;
    ``ab`` the interpolation end points; ``rect`` the manifold grid's ``[x0, x1, y0, y1]``;
    ``presenter`` slide type; ``hint`` the line under the plane; ``manifest`` an exported decoder
    (:func:`latentlab.server.export.export_decoder`) with ``image_shape``: the browser decodes clicks itself
    (``preview``: also under the moving cursor); ``select`` the Box and Lasso tools; ``marks``
    ``{"xy": [[x, y], ...], "low": [bool, ...]}`` crosses and rings over the plane; ``local`` a click
    answered in the browser only, never sent; ``live`` a new URL replaces the plane in place;
    ``ellipses`` ``[cx, cy, rx, ry, angle]`` (1σ solid, 2σ dashed); ``link`` planes sharing a name
    ring the example hovered on another; ``selected`` ``{"key", "indices", "label"}`` a selection
    Python holds, shown, not sent back; ``label`` the model in the canvas's accessible name (default:
    the manifest's name). :func:`latent_map` says more about each."""

    height: int = 600
    shade: bool = False
    point_size: float | None = None
    marker: list[float] | None = None
    marker_seq: int | None = None
    ab: list[list[float] | None] | None = None
    rect: list[float] | None = None
    presenter: bool = False
    hint: str = ""
    manifest: dict | None = None
    image_shape: tuple[int, ...] | list[int] | None = None
    preview: bool = False
    select: bool = False
    marks: dict[str, list] | None = None
    local: bool = False
    live: bool = False
    ellipses: list[list[float]] | None = None
    link: str | None = None
    selected: dict[str, Any] | None = None
    label: str | None = None

    def data(self, url: str) -> dict[str, Any]:
        """The component's ``data`` for the plane file at ``url`` (plain JSON values)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(
            mode="click",
            url=url,
            height=int(self.height),
            image_shape=list(self.image_shape) if self.image_shape else None,
            palette=PALETTE,  # the one list of class colours (plane.js prefers it to the file's)
            label=self.label or (self.manifest or {}).get("name") or "",  # the model, in the canvas's name
        )
        for flag in ("shade", "presenter", "preview", "select", "local", "live"):
            d[flag] = bool(d[flag])
        return d


def latent_map(
    url: str,
    key: str,
    options: PlaneOptions | None = None,
    on_click: Callable[[], None] | None = None,
) -> dict[str, Any] | None:
    """Mount the plane at ``url`` in click mode, as ``options`` say; return the latest click, or ``None``
    before any.

    Python receives ``{"x", "y", "index", "seq", "nonce", "url"}``: the clicked spot in plane units,
    the example under the pointer (``-1`` for empty space), and a per-page-load click counter.
    ``marker`` is the decoded z's position in the plane (drawn as a ring), ``marker_seq`` the click
    it answers (so the browser drops its provisional marker), ``ab`` the interpolation end points,
    ``rect`` the manifold-grid rectangle ``[x0, x1, y0, y1]``. With ``manifest`` (an exported
    decoder, :func:`latentlab.server.export.export_decoder`) and a plane with a linear map, the browser decodes
    the click itself and shows g(z) in a corner of the plane at once (``preview``: also under the
    moving cursor). With ``select`` the plane has Box and Lasso tools; read the selection with
    :func:`plane_selection`. ``marks`` lays points over the plane, ``{"xy": [[x, y], ...], "low":
    [bool, ...]}``: black crosses, red rings where ``low`` (the sampling pages' draws). With
    ``local`` a click is answered in the browser only (the inset), never sent: for a page that has
    no panel to answer it, a click then costs no rerun. With ``live`` a new ``url`` replaces the
    plane in place (the old one stays drawn until the new one is: a training's plane per epoch).
    ``ellipses`` are ``[cx, cy, rx, ry, angle]`` in plane units (solid, then dashed: a VAE's
    q(z|x) at 1σ and 2σ, :meth:`aecore.analysis.projection.Projection.ellipse`). Planes of the same
    split under different models that share a ``link`` name ring, on each, the example hovered on
    another. ``selected`` = ``{"key", "indices", "label"}`` shows a selection Python holds (made on a
    linked plane, or restored from the URL; a new ``key`` replaces the one shown) without sending it
    back. A click from another plane (``url``) is ignored. Every click-mode plane has a "PNG ×2" button
    (the plane at twice its size with a legend under it: the model, each class's colour and name,
    and the shading, line and marks it draws) and a "Labels" toggle that writes each class's name at
    the median of its points (colour alone must not carry the class; the PNG carries them too).

    Keyboard (plane.js's keyboard.js): Tab focuses the plane, arrows move a cursor, Enter is a click
    there, +/− zoom, 0 resets. Its accessible name says "Latent plane of ``label``" (default: the
    exported decoder's model name), with the plane's counts of codes and classes.
    """
    res = _component(
        key=key,
        data=(options or PlaneOptions()).data(url),
        default={"click": None, "selection": None},
        on_click_change=on_click or _noop,
        on_selection_change=on_click or _noop,
        width="stretch",
        height="content",
    )
    click = getattr(res, "click", None)
    if not click or click.get("url") != url:
        return None
    return click


def latent_pad(
    data: dict[str, Any], key: str, default_markers: list[list[float]], on_change: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Mount the plane in markers mode; return the latest marker state (``default_markers`` before any drag).

    Python receives ``{"markers": [[x, y], [x, y]], "seq": int, "sig": str}`` (plane coordinates) as
    component state on release. During a drag the positions go to Python about every 100 ms through
    the position channel instead (:mod:`latentlab.ui.components.pad_channel`: a POST, not a rerun), to
    ``data["follow_url"]`` with ``data["follow_token"]``; the HTML that comes back replaces
    ``data["follow_html"]``, the readouts shown under the plane.

    ``data`` holds ``url`` (a :func:`latentlab.server.plane.pad_plane` payload, written by
    :func:`latentlab.server.plane.write_plane`) plus ``sig`` (changing it resets the markers), ``markers``,
    ``n_markers``, ``manifest`` (exported decoder, or ``None`` for server decoding), ``image_shape``,
    ``mode_text``, ``hint``, sizes (``size``, ``panel``, ``strip_cell``, ``strip_n``) and the readouts:
    ``follow_html``, ``follow_url``, ``follow_token``, ``ack``; optionally ``label`` (the model named in
    the canvas's accessible name; default: the exported decoder's name).

    Keyboard: Tab focuses the plane, arrows move the chosen marker (A or B, 1 or 2 choose), Shift
    for bigger steps, +/− zoom, 0 resets; the position goes to Python once the keys rest."""
    default = {"pos": {"markers": default_markers, "seq": 0, "sig": data.get("sig")}}
    res = _component(
        key=key,
        data={
            **data,
            "mode": "markers",
            "palette": PALETTE,
            "label": data.get("label") or (data.get("manifest") or {}).get("name") or "",
        },
        default=default,
        on_pos_change=on_change or _noop,
        width="stretch",
        height="content",
    )
    return getattr(res, "pos", None) or default["pos"]


def draw_marks(z, low) -> dict[str, list]:
    """Draws as :func:`latent_map`'s ``marks``: plane positions ``z`` ``(M, 2)`` (or wider: the first
    two columns) and whether each is in low density ``(M,)``."""
    z = [[round(float(a), 5), round(float(b), 5)] for a, b, *_ in z]
    return {"xy": z, "low": [bool(v) for v in low]}


def plane_selection(key: str, url: str, cleared: bool = False) -> dict[str, Any] | None:
    """The latest Box, Lasso or legend selection on the plane mounted under ``key`` showing ``url``:
    ``{"indices": [...], "polygon": [[x, y], ...] or None, "cls": int or None, "seq": int, "nonce":
    str}`` (indices into the plane's points, sorted; the polygon in plane units, ``None`` after Invert
    or a legend double-click, which sets ``cls``), or ``None`` if nothing is selected (with
    ``cleared``: the Clear, with empty indices, is returned too). Call it after :func:`latent_map`."""
    import streamlit as st

    state = st.session_state.get(key)
    try:
        sel = state["selection"]
    except (KeyError, TypeError):
        sel = getattr(state, "selection", None)
    if not sel or sel.get("url") != url or not (sel.get("indices") or cleared):
        return None
    return sel
