"""Latent explorer: poke the latent plane. Click anywhere (empty space too) to decode it, see how
many training codes are nearby, walk a straight line between two codes, and lay a decoded grid
over a rectangle. Models with k > 2 are shown through a PCA or UMAP projection.

Layout and widget wiring only: every number and figure comes from ``aecore.analysis.explore``,
``aecore.analysis.projection``, ``latentlab.server.plane`` and ``latentlab.figures.explore``. The scatter is the
latent-map component: its points load once from a static file, so a click's rerun stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from aecore.analysis import coding
from aecore.analysis import explore as E
from aecore.analysis.density import LOW_DENSITY_QUANTILE
from latentlab.figures.demos import channel_bars_figure
from latentlab.figures.explore import density_path_figure, interpolation_animation
from latentlab.ui import share
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.glossary import gloss
from latentlab.ui.loaders import (
    codes_for,
    exported_decoder,
    factor_labels_for,
    get_density,
    get_projection,
    map_url,
    pick_loaded,
    posterior_for,
    reference_codes_for,
)
from latentlab.ui.own_input import own_input_controls, own_input_ellipses, own_input_for, own_input_panel
from latentlab.ui.selection import Coded, Plane, PlaneSelection, selection_panel
from latentlab.ui.state import PageState, Setting, floats, forget, truthy
from latentlab.ui.theme import (
    PRESENTER_MAP_HEIGHT,
    chart,
    is_presenter,
    main_visual,
    page_header,
    show_advanced,
    show_image,
    show_png,
    slide_height,
    vector_text,
)


class ExplorerState(PageState):
    """What the explorer remembers (``ex_…`` in the session and the URL)."""

    prefix = "ex"
    model = Setting(None)  # the model (the sidebar picker's key)
    split = Setting("test")  # which encoded split the plane shows
    shade = Setting(True, truthy)  # shade by training-code density
    preview = Setting(False, truthy)  # decode under the cursor
    proj = Setting("pca")  # the projection to 2-D of a k > 2 model (in the URL only then)
    own = Setting(False, truthy)  # draw or upload your own input
    msize = Setting(None, url=False)  # dot size (advanced)
    nn = Setting(5, url=False)  # nearest training examples shown (advanced)
    z = Setting(None, floats)  # the decoded code
    sel = Setting(None, url=False)  # the clicked example's index, if z is one
    src = Setting(None, url=False)  # where z came from: "data", "grid", "sliders" or "own"
    pa = Setting(None, floats)  # the interpolation's clicked ends A and B
    pb = Setting(None, floats)
    imode = Setting("two data examples")  # the interpolation's ends: two examples or two clicked points
    ia = Setting(None, int, later=True)  # the two examples (default: the first of classes 0 and 1)
    ib = Setting(None, int, later=True)
    steps = Setting(10, int)  # the interpolation's frames
    mf_n = Setting(15, int)  # the manifold grid: images per side, spacing, rectangle, outline
    mf_spacing = Setting(None, later=True)  # default: Gaussian quantiles for a VAE, else even
    mf_x0 = Setting(None, float, later=True)  # the rectangle (default: around the codes)
    mf_x1 = Setting(None, float, later=True)
    mf_y0 = Setting(None, float, later=True)
    mf_y1 = Setting(None, float, later=True)
    mf_show = Setting(True, truthy)
    click = Setting(None, private=True)  # the last click taken, (nonce, seq): a rerun sees it again
    xy = Setting(None, private=True)  # the marker's plane position
    model_seen = Setting(None, private=True)  # the model and the view the plane last showed
    view_seen = Setting(None, private=True)
    rerun_app = Setting(False, private=True)  # a callback asks the fragment for a full-page rerun
    # Widget keys (the component, the buttons, the charts and the containers tests find).
    map = Setting(None, url=False)
    share = Setting(None, url=False)
    set_a = Setting(None, url=False)
    set_b = Setting(None, url=False)
    xbars = Setting(None, url=False)
    bars = Setting(None, url=False)
    path_film = Setting(None, url=False)
    path_density = Setting(None, url=False)
    decoded = Setting(None, url=False)
    strip = Setting(None, url=False)
    #: The selection tools' prefix (:class:`latentlab.ui.selection.PlaneSelection`).
    selection_prefix = "exs"

    def zs_key(self, i: int) -> str:
        """The key of the "Set z by hand" slider of dimension ``i``."""
        return f"{self.prefix}_zs_{i}"

    def per_model(self) -> list[str]:
        """The keys dropped when the model changes: a rectangle or z from another latent space would be
        meaningless (or out of range) here."""
        names = ("z", "sel", "pa", "pb", "ia", "ib", "mf_x0", "mf_x1", "mf_y0", "mf_y1", "mf_spacing", "click", "xy")
        return [self.key(n) for n in names] + [self.zs_key(i) for i in range(64)]


@dataclass
class Explorer:
    """What one run of the page has loaded: the model, its data, the plane and the page's controls."""

    state: ExplorerState
    entry: Any
    ck: Any
    ds: Any
    split: str
    method: str
    shade: bool
    preview: bool
    own_mode: bool
    marker_size: float | None
    n_nb: int
    codes: np.ndarray  # (N, k) the split's codes
    train_codes: np.ndarray  # (N_train, k)
    density: Any
    proj: Any
    ranges: np.ndarray = field(default=None)  # (k, 2) the sliders' ranges
    rect: tuple = ((0.0, 1.0), (0.0, 1.0))  # the manifold grid's rectangle in the plane
    ab: tuple | None = None  # A and B in the plane, when they are clicked points
    shared: tuple | None = None  # the plane drawn this run, (url, PlaneOptions): what "Save … HTML" saves

    @property
    def k(self) -> int:
        return self.ck.config.latent_dim

    @property
    def path(self) -> str:
        return str(self.entry.path)

    @property
    def mtime(self) -> float:
        return self.entry.path.stat().st_mtime

    @property
    def columns(self) -> list[str]:
        """A table's column names (its bars' labels)."""
        ds = self.ds
        return list(ds.meta.get("columns") or [f"x{i + 1}" for i in range(ds.input_dim)])

    def data(self, split: str):
        return self.ds.split(split)


# What every new session computes alike is cached across sessions (a class opening the page at
# once): the default rectangle, the slider ranges and the manifold-grid picture.
@st.cache_data(show_spinner=False, max_entries=64)
def _default_rectangle(path: str, mtime: float, split: str, method: str, _embedding: np.ndarray):
    return E.default_rectangle(_embedding)


@st.cache_data(show_spinner=False, max_entries=64)
def _slider_ranges(path: str, mtime: float, _train_codes: np.ndarray) -> np.ndarray:
    return E.slider_ranges(_train_codes)


@st.cache_data(show_spinner=False, max_entries=64)
def _grid_picture(
    path: str,
    mtime: float,
    split: str,
    method: str,
    x: tuple,
    y: tuple,
    n: int,
    spacing: str,
    _model,
    _lift,
    image_shape: tuple,
) -> bytes:
    """The decoded manifold grid as PNG bytes (decoding and encoding it: ~30 ms of server CPU)."""
    _, imgs = E.manifold_grid(_model, x, y, n, spacing, lift=_lift)
    return coding.png_bytes(coding.image_grid(imgs, image_shape, n, n, cell=max(24, min(64, 900 // n))))


# ---------------------------------------------------------------- page


def main() -> None:
    page_header(
        "Latent explorer",
        "Each dot is an example x at its code z = f(x). **Click anywhere**, empty space "
        "included, to decode that z with g. The shading shows where training codes are dense: g is only "
        "reliable there.",
    )
    state = ExplorerState()
    entry, ck, ds = pick_loaded(state.key("model"), kind="image+table")
    if state.model_seen not in (None, entry.name):
        forget(*state.per_model())
    state.model_seen = entry.name
    ex = _load(state, entry, ck, ds, _sidebar(state, ds, ck.config.latent_dim))
    click_loop(ex)
    if ds.is_image:
        # The manifold grid and the interpolation strip are pictures of decoded images: a table has
        # none (its decoded rows are the bars beside the plane).
        _manifold_grid(ex)
        _interpolation(ex)
        _traversals(ex)
    else:
        st.caption("A table's decoded rows are the bars beside the plane; the picture grids below are for images.")
    state.push(
        "split",
        "shade",
        "preview",
        "z",
        "pa",
        "pb",
        "imode",
        *(("mf_n", "mf_spacing", "mf_x0", "mf_x1", "mf_y0", "mf_y1", "mf_show", "steps") if ds.is_image else ()),
        *(("ia", "ib") if ds.is_image and state.imode == "two data examples" else ()),
        *(("proj",) if ck.config.latent_dim > 2 else ()),
    )


def _sidebar(state: ExplorerState, ds, k: int) -> dict:
    """The sidebar's controls; returns their values by name."""
    sb = st.sidebar
    sb.radio(
        "Points from",
        ["test", "train"],
        key=state.key("split"),
        horizontal=True,
        help="Which encoded split the scatter shows. Density always uses the training codes.",
    )
    sb.toggle(
        "Shade by training-code density",
        key=state.key("shade"),
        help="Darker = more training codes nearby. Vermillion line: the 'extrapolating' threshold.",
    )
    sb.toggle(
        "Decode under the cursor",
        key=state.key("preview"),
        help="Show g(z) for the spot under the mouse as it moves over empty space, decoded in your browser "
        "(every shipped model, on a 2-D plane or a PCA view; not on UMAP).",
    )
    method = "pca"
    if k > 2:
        method = sb.radio(
            "Projection to 2-D",
            ["pca", "umap"],
            key=state.key("proj"),
            horizontal=True,
            format_func=str.upper,
            help="PCA is instant and exactly invertible on its plane. UMAP separates classes "
            "better; its first fit takes a while, growing with the number of codes (then cached on disk).",
        )
    own_mode = ds.is_image and sb.toggle(
        "Draw or upload your own input",
        key=state.key("own"),
        help="A drawing pad and a picture upload beside the plane: your input is encoded as you draw and "
        "lands on the plane, with its reconstruction and how unusual the model finds it.",
    )
    marker_size, n_nb = None, 5
    if show_advanced():
        with sb.expander("Advanced"):
            big = len(ds.split(state.split)[0]) > 5000
            marker_size = st.slider("Dot size (px)", 2.0, 10.0, 4.0 if big else 6.0, 0.5, key=state.key("msize"))
            n_nb = st.slider("Nearest training examples shown", 3, 10, 5, key=state.key("nn"))
    return dict(method=method, own_mode=bool(own_mode), marker_size=marker_size, n_nb=int(n_nb))


def _load(state: ExplorerState, entry, ck, ds, controls: dict) -> Explorer:
    """The codes, the density and the projection of the model picked, with the plane's rectangle,
    A and B and the sliders' ranges (seeding their settings now that their defaults are known)."""
    split, method = state.split, controls["method"]
    path, mtime = str(entry.path), entry.path.stat().st_mtime
    codes = codes_for(entry, split)  # (N, k)
    if method == "umap":
        with st.status(
            f"Projecting {len(codes):,} codes with UMAP (the first time for this model; then cached on disk)…",
            expanded=False,
        ) as status:
            proj = get_projection(path, mtime, entry.dataset, split, method)
            status.update(label="UMAP projection ready", state="complete")
    else:
        proj = get_projection(path, mtime, entry.dataset, split, method)
    ex = Explorer(
        state,
        entry,
        ck,
        ds,
        split,
        method,
        bool(state.shade),
        bool(state.preview),
        controls["own_mode"],
        controls["marker_size"],
        controls["n_nb"],
        codes,
        codes_for(entry, "train"),
        get_density(path, mtime, entry.dataset),
        proj,
    )
    k = ex.k
    if not proj.exact and not is_presenter():  # on a slide the map's own hint line says it
        st.info(
            f"This model has a **{k}-D** latent space; the plane is its **{method.upper()}** projection. "
            "A click on empty space maps back to z through the projection's inverse: that z is "
            "**approximate** (PCA: the other axes are set to the mean code; UMAP: an optimised guess). "
            "Use the sliders to set every dimension of z exactly."
        )
    # The manifold grid's rectangle (in the plotted plane), needed by the scatter to outline it.
    rect0 = _default_rectangle(path, mtime, split, method, proj.embedding)
    for name, val in zip(("mf_x0", "mf_x1", "mf_y0", "mf_y1"), (*rect0[0], *rect0[1])):
        state.seed_setting(name, round(float(val), 2))
    ex.rect = ((state.mf_x0, state.mf_x1), (state.mf_y0, state.mf_y1))
    if state.z is not None and len(state.z) != k:
        state.z = None  # a deep link for another model's latent space
    if state.imode == "two clicked points":
        ex.ab = tuple(
            None if p is None or len(p) != k else tuple(float(v) for v in proj.transform(np.array(p))[0])
            for p in (state.pa, state.pb)
        )
    ex.ranges = _slider_ranges(path, mtime, ex.train_codes)  # (k, 2)
    return ex


def _set_z_from_sliders(state: ExplorerState, k: int) -> None:
    state.z = [float(st.session_state[state.zs_key(i)]) for i in range(k)]
    state.xy = None  # the marker follows z (recomputed through the projection)
    state.sel = None
    state.src = "sliders"


def _set_end(state: ExplorerState, which: str) -> None:
    # A callback (runs before the rerun), so it may set another widget's state; the flag asks the
    # fragment for a full-page rerun, since the interpolation section lives outside it.
    setattr(state, which, list(state.z))
    state.imode = "two clicked points"
    state.rerun_app = True


def _own_input(ex: Explorer, col_panel) -> tuple:
    """The user's own drawing or picture, when the page is in that mode: its controls in the panel's
    column, and its probe put in place as z (and the plane's marker). Returns ``(own or None, the
    VAE's q(z|x) ellipses or None)``."""
    if not ex.own_mode:
        return None, None
    state = ex.state
    with col_panel:
        own_input_controls(state.prefix, state.key("src"))
    own = own_input_for(
        state.prefix, state.key("src"), ex.entry, ex.ck.model, ex.ds, ex.density, ex.train_codes, ex.n_nb
    )
    if own is None:
        return None, None
    state.z = [float(v) for v in own.probe.z]
    state.xy = [float(v) for v in ex.proj.transform(own.probe.z[None])[0]]
    return own, own_input_ellipses(own, ex.proj)


def _plane(ex: Explorer, z, ellipses):
    """The latent plane with the decoded z's marker, A and B, the grid's window and the selection
    tools; returns ``(the latest click or None, the page's PlaneSelection)``."""
    state, proj = ex.state, ex.proj
    if z is not None and state.xy is None:
        state.xy = [float(v) for v in proj.transform(np.asarray(z, np.float32))[0]]
    rect_on = ex.ds.is_image and state.mf_show  # the grid's rectangle: pictures only
    url = map_url(ex.entry, ex.split, ex.method)
    selection = PlaneSelection(
        state.selection_prefix,
        {"a": Plane(state.key("map"), url, proj.embedding)},
        ex.data(ex.split)[1].numpy(),
        (ex.entry.name, ex.split, ex.method),
    )
    rect = ex.rect
    options = PlaneOptions(
        # The selection tools add a row under the plane: the slide keeps it on the first screen.
        height=slide_height(PRESENTER_MAP_HEIGHT - 40) if is_presenter() else 640,
        shade=ex.shade,
        point_size=ex.marker_size,
        presenter=is_presenter(),
        marker=state.xy if z is not None else None,
        marker_seq=(state.click or (None, None))[1],
        ab=[list(p) if p else None for p in ex.ab] if ex.ab else None,
        rect=[rect[0][0], rect[0][1], rect[1][0], rect[1][1]] if rect_on else None,
        # The browser decodes a click at once (and, with the preview, the spot under the cursor);
        # the panel beside the plane follows from the server.
        manifest=exported_decoder(ex.entry)[0],
        image_shape=ex.ds.image_shape,
        preview=ex.preview,
        select=True,
        ellipses=ellipses,
        selected=selection.shown("a"),
        hint=_hint(ex),
    )
    click = latent_map(url, key=state.key("map"), options=options)
    if selection.update():
        st.rerun(scope="fragment")  # the plane and the panel below show the new selection
    ex.shared = (url, options)
    return click, selection


def _share(ex: Explorer) -> None:
    """The plane as one HTML page to share (built when the button is pressed): a student opens it by
    double-click, with no server, and clicks to decode (latentlab.ui.share)."""
    url, options = ex.shared
    data = options.data(url)
    what = f"{ex.ds.name}, {ex.split} split: {len(ex.codes):,} examples"
    view = "their 2-D codes" if ex.k == 2 else f"their {ex.k}-D codes in a {ex.method.upper()} view"
    st.download_button(
        "Save this plane as one HTML page",
        data=lambda: share.html_page(url, data, f"Latent plane of {ex.entry.name}", f"{what}: {view}"),
        file_name=f"{ex.entry.name}-{ex.split}-plane.html",
        mime="text/html",
        key=ex.state.key("share"),
        icon=":material/download:",
        help="Points, density, decoder weights and the decoding code in one file: it opens without "
        "a server or a network, and a click decodes in the browser.",
    )


def _hint(ex: Explorer) -> str:
    """The line under the plane."""
    if is_presenter() and not ex.proj.exact:
        return (
            f"A {ex.k}-D model in its {ex.method.upper()} view: a click decodes an approximate z. "
            "Drag to pan, scroll to zoom."
        )
    return "Hover a dot to see it; click anywhere to decode. Drag to pan, scroll to zoom, double-click to reset." + (
        " Shading: density of training codes; outside the vermillion line g extrapolates." if ex.shade else ""
    )


def _take_click(ex: Explorer, click: dict) -> None:
    """A new click (not the same one seen again on a rerun) becomes z: the clicked example's code, or
    the plane point mapped back to a code."""
    state = ex.state
    sig = (click["nonce"], click["seq"])
    if sig != state.click:  # a new click, not the same one seen on a rerun
        state.click = sig
        xy = [float(click["x"]), float(click["y"])]
        idx = int(click["index"])
        if 0 <= idx < len(ex.codes):
            z = ex.codes[idx]
            xy = [float(v) for v in ex.proj.embedding[idx]]
            state.sel, state.src = idx, "data"
        else:
            z = ex.proj.inverse(np.array([xy]))[0]
            state.sel, state.src = None, "grid"
        state.z = [float(v) for v in z]
        state.xy = xy


def _side(ex: Explorer, own, z) -> None:
    """The panel beside the plane: the own input's, a first hint, or the decoded z; and z by hand."""
    state, k, ranges = ex.state, ex.k, ex.ranges
    if own is not None:
        own_input_panel(state.prefix, own, ex.ds, *ex.data("train"))
    elif ex.own_mode and state.src in (None, "own"):
        st.caption("Draw on the pad, or upload a picture: it lands on the plane as you draw.")
    elif z is None:
        st.markdown("### Click anywhere on the plane")
        st.write(
            "The decoded image g(z) appears here, with the code density at z and the nearest "
            "training examples. Try the empty space far from the dots."
        )
    else:
        _panel(ex, np.asarray(z, dtype=np.float32))
    if k > 2 or show_advanced():
        with st.expander("Set z by hand", expanded=k > 2):
            for i in range(k):
                if state.zs_key(i) not in st.session_state:
                    st.session_state[state.zs_key(i)] = float(np.clip(0.0, ranges[i, 0], ranges[i, 1]))
                st.slider(
                    f"z{i + 1}",
                    float(ranges[i, 0]),
                    float(ranges[i, 1]),
                    key=state.zs_key(i),
                    step=float((ranges[i, 1] - ranges[i, 0]) / 200),
                    format="%.2f",
                    on_change=_set_z_from_sliders,
                    args=(state, k),
                )


@st.fragment
def click_loop(ex: Explorer) -> None:
    """Scatter + decoded panel. A click reruns only this fragment, not the page."""
    state = ex.state
    if state.rerun_app:
        state.rerun_app = False
        st.rerun(scope="app")
    col_plot, col_panel = st.columns([3, 2], gap="medium")
    # The user's own input first (it sets z and the marker the plane shows), in the panel's column.
    own, ellipses = _own_input(ex, col_panel)
    if state.view_seen != (ex.split, ex.method):  # another plane: place the marker anew
        state.view_seen = (ex.split, ex.method)
        state.xy = None
    with col_plot, main_visual():
        click, selection = _plane(ex, state.z, ellipses)
    if not is_presenter():  # a slide shows the plane; the lecturer shares it from their own screen
        with col_plot:
            _share(ex)
    if click is not None:
        _take_click(ex, click)
    z = state.z
    if z is not None:
        for i in range(ex.k):  # keep the sliders on the current z (clamped to their range)
            st.session_state[state.zs_key(i)] = float(np.clip(z[i], ex.ranges[i, 0], ex.ranges[i, 1]))
    with col_panel:
        _side(ex, own, z)
    sel = selection.current
    if sel is not None:
        coded = Coded(ex.entry.name, ex.ck.model, ex.codes, ex.density, f"{ex.path}:{ex.mtime}")
        selection_panel(state.selection_prefix, sel["indices"], ex.ds, ex.split, coded)
    state.push("z")


def _panel(ex: Explorer, z: np.ndarray) -> None:
    """The decoded g(z), its code density and percentile, the buttons that set A and B, the clicked
    example beside its reconstruction and the nearest training examples."""
    state, ds = ex.state, ex.ds
    pr = E.probe(ex.ck.model, z, ex.density, ex.train_codes, ex.n_nb)
    st.markdown("### Decoded g(z)")
    # Presenter mode: big type needs the panel's whole width, so the readouts go under the image.
    pres = is_presenter()
    # A table's bars need the panel's whole width too.
    a, b = (st.container(), st.container()) if pres or not ds.is_image else st.columns([3, 2])
    with a, st.container(key=state.key("decoded")):
        if ds.is_image:
            where = f"z = {vector_text(pr.z, 2)}" if len(pr.z) <= 4 else f"this {len(pr.z)}-D z"
            show_image(pr.image, ds.image_shape, None, 256, alt=f"decoded image of {where}")
        else:  # a table: the decoded row as bars, one per column
            chart(channel_bars_figure(None, pr.image, ex.columns, height=340), state.key("bars"), max_height=360)
    with b:
        _readouts(ex, pr)
    if ds.is_image:  # A and B are the ends of the interpolation strip, a strip of pictures
        cols = st.columns(2) if pres else st.columns([1, 1, 1])[:2]
        for col, end, what, name in zip(cols, "AB", ("Start", "End"), ("pa", "pb")):
            col.button(
                f"Set as {end}",
                key=state.key(f"set_{end.lower()}"),
                help=f"{what} of the interpolation path",
                on_click=_set_end,
                args=(state, name),
                width="stretch",
            )
    if pr.low_density:
        st.warning(
            f"**extrapolating: few training codes near here.** Density {pr.density:.2g} is below "
            f"{ex.density.threshold:.2g}, the level of the sparsest {LOW_DENSITY_QUANTILE:.0%} of "
            "training codes. g was never trained on codes like this one."
        )
    else:
        st.success("Among the training codes: g was trained on codes like this one.")
    if state.sel is not None and state.src == "data":
        _selected_example(ex, int(state.sel))
    _neighbours(ex, pr)


def _readouts(ex: Explorer, pr) -> None:
    """z, and the code density at z with its percentile."""
    k = ex.k
    st.markdown("**z** = (" + ", ".join(f"{v:.2f}" for v in pr.z) + ")")
    if ex.state.src == "grid" and not ex.proj.exact:
        st.caption(f"approximate: z = {ex.method.upper()}⁻¹(click)")
    st.metric(
        "Code density at z",
        f"{pr.density:.3g}",
        help=(
            "Gaussian KDE of the encoded training set at z."
            if k <= 2
            else f"From the distance to the 10th-nearest training code, in units of the codes' local spread "
            f"(a kernel estimate is unreliable in {k} dimensions); relative values."
        )
        + " Percentile: share of training codes that sit in sparser places.",
    )
    st.caption(f"denser than {pr.percentile:.0f}% of training codes")


def _selected_example(ex: Explorer, sel: int) -> None:
    """The clicked example ``sel`` of the split beside its reconstruction, with their error."""
    ds = ex.ds
    x_split, y_split = ex.data(ex.split)
    x = x_split[sel].numpy()
    xhat, err = E.reconstruction(ex.ck.model, x)
    st.markdown(f"**Selected example #{sel}** ({ex.split} set, class **{ds.class_names[int(y_split[sel])]}**)")
    if ds.is_image:
        c1, c2, c3 = st.columns([2, 2, 2])
        show_image(x, ds.image_shape, "x (input)", 112, where=c1)
        show_image(xhat, ds.image_shape, "x̂ = g(f(x))", 112, where=c2)
    else:
        chart(channel_bars_figure(x, xhat, ex.columns, height=320), ex.state.key("xbars"), max_height=340)
        c3 = st.container()
    # A short label: the third column is narrow, and "Reconstruction error" was cut to "Reconstructio…".
    c3.metric("MSE(x, x̂)", f"{err:.4f}", help="Reconstruction error: the mean squared difference between x and x̂.")


def _neighbours(ex: Explorer, pr) -> None:
    """The training examples nearest to z in latent space (a row of pictures, or a line of labels)."""
    ds = ex.ds
    x_train, y_train = ex.data("train")
    st.markdown("**Nearest training examples** (distance in latent space)")
    labels = [f"{ds.class_names[int(y_train[int(i)])]} ({d:.2f})" for i, d in zip(pr.neighbours, pr.distances)]
    if not ds.is_image:
        st.caption(" · ".join(f"#{int(i)} {lab}" for i, lab in zip(pr.neighbours, labels)))
        return
    # One picture for the row, at the images' own resolution, and one line of labels: one PNG per
    # click instead of six, each with its caption (an explorer click is the unit of a class's load
    # on the server, bench/load_test.py).
    nb = x_train.numpy()[pr.neighbours]  # (n, D)
    show_png(
        coding.image_grid(nb, ds.image_shape, 1, len(nb), cell=1, pad=1),
        width=min(64 * len(nb), 400),
        alt=f"the {len(nb)} nearest training examples to z, in a row",
    )
    st.caption(" · ".join(labels))


# ---------------------------------------------------------------- manifold grid
def _manifold_grid(ex: Explorer) -> None:
    """g decoded over a regular grid of the rectangle outlined on the plane."""
    state, ds, proj = ex.state, ex.ds, ex.proj
    st.divider()
    st.subheader("Manifold grid: g over a rectangle")
    st.caption(
        "Decode a regular grid of z over the dashed rectangle (in the plotted plane). Gaussian-quantile "
        "spacing puts equal prior probability between neighbouring rows: the natural grid for a VAE, "
        "whose prior is N(0, I)."
    )
    c_ctrl, c_img = st.columns([1, 2], gap="large")
    with c_ctrl:
        n_grid = st.slider("Resolution (images per side)", 5, 30, key=state.key("mf_n"))
        state.seed_setting("mf_spacing", "gaussian" if ex.ck.config.is_vae else "linear")
        spacing = st.radio(
            "Spacing",
            list(E.SPACINGS),
            key=state.key("mf_spacing"),
            horizontal=True,
            format_func=lambda s: "even" if s == "linear" else "Gaussian quantiles",
        )
        r1, r2 = st.columns(2)
        x0 = r1.number_input("left", key=state.key("mf_x0"), step=0.25, format="%.2f")
        x1 = r2.number_input("right", key=state.key("mf_x1"), step=0.25, format="%.2f")
        y0 = r1.number_input("bottom", key=state.key("mf_y0"), step=0.25, format="%.2f")
        y1 = r2.number_input("top", key=state.key("mf_y1"), step=0.25, format="%.2f")
        st.toggle("Outline the rectangle on the plot", key=state.key("mf_show"))
        if proj.method not in ("identity", "pad"):
            st.caption(f"k = {ex.k}: grid points are lifted to z by the {ex.method.upper()} inverse (approximate).")
    with c_img:
        if not (x1 > x0 and y1 > y0):
            st.error("The rectangle is empty: make right > left and top > bottom.")
            return
        lift = None if proj.method == "identity" else proj.inverse
        with st.spinner("Decoding the grid…"):
            grid = _grid_picture(
                ex.path,
                ex.mtime,
                ex.split,
                ex.method,
                (x0, x1),
                (y0, y1),
                int(n_grid),
                spacing,
                ex.ck.model,
                lift,
                tuple(ds.image_shape),
            )
        show_png(grid, caption=f"{n_grid}×{n_grid} decoded grid; top-left = (left, top)")


# ---------------------------------------------------------------- interpolation
def _interpolation(ex: Explorer) -> None:
    """A straight walk from A to B: its frames, how many leave the training codes, and the density
    along it."""
    st.divider()
    st.subheader("Interpolation: a straight walk from A to B")
    st.caption(
        "Decode equally spaced codes on the segment from z_A to z_B. Where the path leaves the "
        "training codes (density below the dashed line) the frames are extrapolations."
    )
    c_ctrl, c_out = st.columns([1, 4], gap="large")
    with c_ctrl:
        za, zb, steps = _interpolation_ends(ex)
    with c_out:
        if za is None or zb is None:
            st.info(
                "Set both end points (A and B) with the buttons beside the decoded image, "
                "or switch to **two data examples**."
            )
            return
        _interpolation_strip(ex, za, zb, steps)


def _interpolation_ends(ex: Explorer) -> tuple:
    """The controls of the walk; returns ``(z_A or None, z_B or None, frames)``."""
    state, k = ex.state, ex.k
    imode = st.radio("End points", ["two data examples", "two clicked points"], key=state.key("imode"))
    steps = st.slider("Frames", 8, 16, key=state.key("steps"))
    if imode == "two data examples":
        x_split, y_split = ex.data(ex.split)
        ia0, ib0 = E.first_of_classes(y_split.numpy(), 0, 1)
        state.seed_setting("ia", ia0)
        state.seed_setting("ib", ib0)
        n_split = len(x_split)
        ia = st.number_input(f"A: {ex.split} example #", 0, n_split - 1, key=state.key("ia"), step=1)
        ib = st.number_input(f"B: {ex.split} example #", 0, n_split - 1, key=state.key("ib"), step=1)
        return ex.codes[int(ia)], ex.codes[int(ib)], int(steps)
    pa, pb = state.pa, state.pb
    za = np.asarray(pa, np.float32) if pa is not None and len(pa) == k else None
    zb = np.asarray(pb, np.float32) if pb is not None and len(pb) == k else None
    st.write("Click a spot, then **Set as A**; click another, then **Set as B**.")
    for lab, zz in (("A", za), ("B", zb)):
        st.markdown(f"**{lab}** = " + ("(" + ", ".join(f"{v:.2f}" for v in zz) + ")" if zz is not None else "not set"))
    return za, zb, int(steps)


def _interpolation_strip(ex: Explorer, za, zb, steps: int) -> None:
    """The walk's frames in one picture, a line saying how many extrapolate, the film and the density."""
    state, ds = ex.state, ex.ds
    it = E.interpolation_strip(ex.ck.model, za, zb, steps, ex.density)
    with st.container(key=state.key("strip")):  # one picture: always one row, however many frames
        show_png(
            coding.strip_image(it.images, ds.image_shape, it.low),
            width="stretch",
            alt=f"{len(it.images)} images decoded along the line from A to B",
        )
    st.markdown(
        f"<span data-testid='ex-strip-count' data-frames='{len(it.images)}'>A → B in {len(it.images)} "
        f"frames (t = 0 … 1), {int(it.low.sum())} in low-density regions: a vermillion bar under a "
        "frame means g extrapolates there.</span>",
        unsafe_allow_html=True,
    )
    film, curve = st.columns([1, 2], gap="medium")
    if ds.image_shape[0] == 1:  # the walk as a film: frames sent once, played in the browser
        chart(
            interpolation_animation(it.images, ds.image_shape, it.t, it.low),
            state.key("path_film"),
            film,
            config={"displayModeBar": False},
        )
    chart(density_path_figure(it.t, it.density, ex.density.threshold), state.key("path_density"), curve)


# ---------------------------------------------------------------- traversals
def _traversals(ex: Explorer) -> None:
    """The current z with one coordinate swept at a time (a VAE's rows by their KL)."""
    st.divider()
    st.subheader("Latent traversals: one dimension at a time")
    st.caption(
        gloss(
            "Each row decodes the current z with one coordinate swept from −3 to +3 standard deviations of the codes "
            "(for a VAE, of the z ~ q(z|x) its decoder was trained on), the others held. A VAE's rows go by their "
            "KL; a collapsed dimension (KL ≈ 0) changes nothing: the decoder learned to ignore it."
        )
    )
    z_t = np.asarray(ex.state.z or ex.codes[0], np.float32)  # the current z, else the first code
    kl = None
    if ex.ck.config.is_vae:
        from aecore.analysis.sampling import kl_per_dimension

        mu, logvar = posterior_for(ex.entry)
        kl = kl_per_dimension(mu, logvar)
    tr = E.latent_traversal(ex.ck.model, z_t, reference_codes_for(ex.entry), steps=9, kl=kl)
    labels = factor_labels_for(ex.entry, ex.split)
    if labels:
        st.caption(
            "This data set knows the true factors of each image: each row names the factor its dimension carries "
            "best, with the share of that factor's information it holds (the Disentanglement page measures them all)."
        )
    for r, j in enumerate(tr.dims):
        lab, row = st.columns([1, 5], vertical_alignment="center")
        what = f"**z{j + 1}**"
        if labels:
            what += f"  \ncarries {labels[j].text()}"
        if tr.kl is not None:
            what += f"  \nKL {tr.kl[r]:.2f} nats" + ("  \n**collapsed**" if tr.collapsed[r] else "")
        lab.markdown(what)
        with row:
            show_png(
                coding.image_grid(tr.images[r], ex.ds.image_shape, 1, len(tr.offsets), cell=1, pad=1),
                width=560,
                alt=f"images decoded with z{j + 1} stepped from {tr.offsets[0]:+.1f}σ to {tr.offsets[-1]:+.1f}σ",
            )
    st.caption("Steps: " + " · ".join(f"{t:+.1f}σ" for t in tr.offsets))


main()
