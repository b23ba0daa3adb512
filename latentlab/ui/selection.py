"""A selection on latent planes, and the panel that shows it: one implementation for every page with
selectable planes (the Latent explorer's one plane, the Compare page's two).

Python keeps the page's selection (a Box, Lasso or legend class on one plane, ``"side"``) and sends it
to every plane as ``selected`` (the others show it "linked": their point i is the same example). It
travels in the URL as the plane and the polygon (or the class), and a fresh browser opening that URL
re-selects the points inside the polygon (:func:`aecore.analysis.compare.points_in_polygon`, the rule
the browser's lasso applies). The panel's numbers come from :mod:`aecore.analysis.compare`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from aecore.analysis import coding
from aecore.analysis import compare as CMP
from latentlab.ui.components.latent_plane import plane_selection
from latentlab.ui.state import floats, forget, push_url, url_state
from latentlab.ui.theme import chart, show_image, show_png

#: Images per page of the selection's grid: 6 rows of 10.
GRID_PAGE = 60


@dataclass(frozen=True)
class Plane:
    """One selectable plane: its component key, its file's URL and its points ``(N, 2)`` (plane units)."""

    key: str
    url: str
    points: np.ndarray


class PlaneSelection:
    """The page's selection over ``planes`` (side name → :class:`Plane`, all of the same examples).

    URL keys ``{prefix}_side``, ``{prefix}_poly`` and ``{prefix}_cls``. ``scope`` names what the
    planes show (models, split, view): when it changes, the selection is dropped."""

    def __init__(self, prefix: str, planes: dict[str, Plane], labels: np.ndarray, scope: tuple):
        self.prefix, self.planes, self.labels = prefix, planes, np.asarray(labels)
        self.keys = (f"{prefix}_side", f"{prefix}_poly", f"{prefix}_cls")
        self._sel, self._seen = f"_{prefix}_sel", f"_{prefix}_seen"
        self.scope = scope
        if st.session_state.get(f"_{prefix}_scope") not in (None, scope):
            forget(*self.keys, self._sel)  # the seen events stay: old events are not new ones
        st.session_state[f"_{prefix}_scope"] = scope
        url_state(self.keys[0], None)
        url_state(self.keys[1], None, floats)
        url_state(self.keys[2], None, int)
        if self._sel not in st.session_state:
            st.session_state[self._sel] = self._from_url()
        self.before = self.current

    @property
    def current(self) -> dict | None:
        """``{"side", "indices" (sorted int array), "key"}``, or ``None``."""
        return st.session_state.get(self._sel)

    def _from_url(self) -> dict | None:
        side, poly, cls = (st.session_state.get(k) for k in self.keys)
        if not isinstance(side, str) or side not in self.planes:
            return None
        polygon = polygon_from_url(poly)
        if polygon is not None:
            idx = np.flatnonzero(CMP.points_in_polygon(self.planes[side].points, polygon))
        elif isinstance(cls, int) and not isinstance(cls, bool):
            idx = np.flatnonzero(self.labels == cls)
        else:
            return None
        return {"side": side, "indices": idx, "key": f"url-{side}"} if len(idx) else None

    def shown(self, side: str) -> dict:
        """The ``selected`` argument of this side's :func:`latentlab.ui.components.latent_plane.latent_map`.
        No selection is sent as an empty one, keyed by the scope: a plane whose own selection Python
        dropped (a Clear on another plane, another model) drops it too."""
        cur = self.current
        if cur is None:
            return {"key": f"none-{self.scope}", "indices": [], "label": ""}
        label = "selected" if cur["side"] == side or len(self.planes) == 1 else "linked"
        return {"key": cur["key"], "indices": cur["indices"].tolist(), "label": label}

    def update(self) -> bool:
        """Take a selection just made on any plane (call after drawing them); ``True`` if the page's
        selection changed (the caller reruns, so that every plane and the panel show it)."""
        seen = st.session_state.setdefault(self._seen, {})
        for side, pl in self.planes.items():
            sel = plane_selection(pl.key, pl.url, cleared=True)
            if sel is None:
                continue
            sig = (sel.get("nonce"), sel.get("seq"))
            if seen.get(side) == sig:
                continue  # the same event, seen on an earlier run
            seen[side] = sig
            if not sel["indices"]:  # Clear
                st.session_state[self._sel] = None
                st.session_state.update(dict.fromkeys(self.keys))
                continue
            st.session_state[self._sel] = {"side": side, "indices": np.asarray(sel["indices"]), "key": f"{side}-{sig}"}
            poly = sel.get("polygon")
            st.session_state.update(
                {
                    self.keys[0]: side,
                    self.keys[1]: [round(float(v), 4) for p in poly for v in p] if poly else None,
                    self.keys[2]: sel.get("cls"),
                }
            )
        push_url(*self.keys)
        return self.current is not self.before


#: The most vertices a URL's polygon may have (the lasso adds one per 2 px of its stroke).
MAX_POLYGON = 4096


def polygon_from_url(values) -> np.ndarray | None:
    """A URL's lasso polygon ``x0,y0,x1,y1,…`` as ``(N, 2)`` vertices, or ``None`` when it is not one:
    fewer than 3 vertices, an odd count, a non-finite number, more than :data:`MAX_POLYGON` vertices.
    A link is anyone's input: whatever it holds is ignored rather than raised."""
    if not isinstance(values, (list, tuple)) or len(values) < 6 or len(values) % 2 or len(values) > 2 * MAX_POLYGON:
        return None
    try:
        a = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):  # a non-number among them
        return None
    if a.ndim != 1 or not np.isfinite(a).all():
        return None
    return a.reshape(-1, 2)


@dataclass(frozen=True)
class Coded:
    """A model with the codes of the split the planes show: what the panel needs of it."""

    name: str  # "A", "B", or the model's name
    model: object
    codes: np.ndarray  # (N, k)
    density: object  # the training codes' density (is_low)
    version: str  # changes when the model does (the panel's cache key)


@st.cache_data(show_spinner="Summarising the selection…", max_entries=32)
def _summary(me_version: str, other_version: str, split: str, idx: tuple, _me: Coded, _other, _ds) -> dict:
    ix = np.asarray(idx, dtype=np.int64)
    x, y = _ds.split(split)
    s = CMP.summarise_selection(_me.model, x, y.numpy(), _me.codes, ix, len(_ds.class_names), _me.density)
    out = {"summary": s, "spread": CMP.relative_spread(_me.codes, ix)}
    if _other is not None:
        out["other_decoded_mean"] = coding.decode_array(_other.model, _other.codes[ix].mean(0)[None])[0]
        out["other_error"] = float(((x[ix].numpy() - coding.reconstruct_array(_other.model, x[ix])) ** 2).mean())
        out["other_spread"] = CMP.relative_spread(_other.codes, ix)
    return out


def selection_panel(prefix: str, idx: np.ndarray, ds, split: str, me: Coded, other: Coded | None = None) -> None:
    """What the selection ``idx`` (indices into ``split``) holds under ``me``: its classes (a line and
    a histogram), a paged grid of its inputs, the mean input beside g(mean code), the mean
    reconstruction error, the boundary strip between its two largest classes, a CSV download; with
    ``other``, how the same examples fare under the other model (spread, g(mean code), error)."""
    from latentlab.figures.explore import class_share_figure

    res = _summary(me.version, other.version if other else "", split, tuple(int(i) for i in idx), me, other, ds)
    s = res["summary"]
    n = len(s.indices)
    x, y = ds.split(split)
    top = [c for c in np.argsort(-s.counts, kind="stable") if s.counts[c]][:4]
    mix = " · ".join(f"{ds.class_names[c]}: {s.share(c):.0%}" for c in top)
    where = f" on {me.name}" if other is not None else f" ({split} set)"
    with st.container(key=f"{prefix}_selection"):
        st.subheader(f"{n:,} selected{where}")
        st.markdown(f"<span data-testid='{prefix}-mix'>Classes: {mix}</span>", unsafe_allow_html=True)
        c_hist, c_spread = st.columns([3, 2], gap="large")
        chart(class_share_figure(s.counts, ds.class_names, height=220), f"{prefix}_hist", c_hist, max_height=240)
        spread_help = (
            "RMS distance of these codes to their mean, as a share of all codes' (in the model's own k-D latent "
            "space). 0: together; 1: as scattered as the whole set."
        )
        c_spread.metric(f"Spread{' on ' + me.name if other else ''}", f"{res['spread']:.2f}", help=spread_help)
        if other is not None:
            c_spread.metric(f"The same examples on {other.name}", f"{res['other_spread']:.2f}", help=spread_help)
        if ds.is_image:
            _grid(prefix, s.indices, x, ds)
            st.markdown("**The mean input is not what the mean code decodes to:** g is not linear.")
            c1, c2, c3, c4 = st.columns(4)
            show_image(s.mean_input, ds.image_shape, "mean input", 140, where=c1)
            show_image(
                s.decoded_mean, ds.image_shape, f"g(mean code){' on ' + me.name if other else ''}", 140, where=c2
            )
            if other is not None:
                show_image(res["other_decoded_mean"], ds.image_shape, f"g(mean code) on {other.name}", 140, where=c3)
        else:
            c4 = st.container()
        c4.metric(f"Mean MSE(x, x̂){' on ' + me.name if other else ''}", f"{s.mean_error:.5f}")
        if other is not None:
            c4.metric(f"… on {other.name}", f"{res['other_error']:.5f}")
        if s.boundary is not None and ds.is_image:
            ca, cb = (ds.class_names[c] for c in s.top2)
            st.markdown(
                f"**Decode the boundary**{' on ' + me.name if other else ''}: from the mean code of the selection's "
                f"{ca}s to that of its {cb}s. A vermillion bar: g extrapolates there."
            )
            show_png(
                coding.strip_image(s.boundary.images, ds.image_shape, s.boundary.low),
                width=min(560, 70 * 9),
                alt=f"images decoded from the mean code of the selection's {ca}s to that of its {cb}s",
            )
        st.download_button(
            "Download the selection as CSV (index, label, code)",
            CMP.selection_csv(s.indices, y.numpy(), me.codes, ds.class_names),
            file_name=f"selection-{n}.csv",
            mime="text/csv",
            key=f"{prefix}_csv",
        )


def _grid(prefix: str, idx: np.ndarray, x, ds) -> None:
    """The selected inputs, :data:`GRID_PAGE` at a time; the indices shown are on the page (tests)."""
    n = len(idx)
    pages = (n + GRID_PAGE - 1) // GRID_PAGE
    pg = 1
    if pages > 1:
        col, _ = st.columns([1, 3])
        pg = int(col.number_input(f"Page (of {pages}, {GRID_PAGE} images each)", 1, pages, 1, key=f"{prefix}_page"))
    shown = idx[(pg - 1) * GRID_PAGE : pg * GRID_PAGE]
    cols = min(10, len(shown))
    rows = (len(shown) + cols - 1) // cols
    flat = np.zeros((rows * cols, ds.input_dim), np.float32)  # a short last row stays blank
    flat[: len(shown)] = x[shown].numpy()
    first = (pg - 1) * GRID_PAGE + 1
    show_png(
        coding.image_grid(flat, ds.image_shape, rows, cols, cell=48),
        width=min(cols * 52, 560),
        alt=f"the selected inputs, examples {first} to {first + len(shown) - 1} of {n:,}",
    )
    st.markdown(
        f"<span data-testid='{prefix}-grid' data-indices='{','.join(str(int(i)) for i in shown)}'>"
        f"Examples {(pg - 1) * GRID_PAGE + 1}–{(pg - 1) * GRID_PAGE + len(shown)} of {n:,}</span>",
        unsafe_allow_html=True,
    )
