"""Latent explorer: poke the latent plane. Click anywhere (empty space too) to decode it, see how
many training codes are nearby, walk a straight line between two codes, and lay a decoded grid
over a rectangle. Models with k > 2 are shown through a PCA or UMAP projection.

Layout and widget wiring only: every number and figure comes from ``aecore.analysis.explore``,
``aecore.analysis.projection``, ``latentlab.server.plane`` and ``latentlab.figures.explore``. The scatter is the
latent-map component: its points load once from a static file, so a click's rerun stays small.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from aecore.analysis import coding
from aecore.analysis import explore as E
from aecore.analysis.density import LOW_DENSITY_QUANTILE
from latentlab.figures.demos import channel_bars_figure
from latentlab.figures.explore import density_path_figure, interpolation_animation
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.glossary import gloss
from latentlab.ui.loaders import (
    codes_for,
    exported_decoder,
    get_density,
    get_projection,
    map_url,
    pick_loaded,
    posterior_for,
    reference_codes_for,
)
from latentlab.ui.own_input import own_input_controls, own_input_ellipses, own_input_for, own_input_panel
from latentlab.ui.selection import Coded, Plane, PlaneSelection, selection_panel
from latentlab.ui.state import floats, forget, push_url, url_state
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


def _bool(s: str) -> bool:
    return str(s).lower() in ("1", "true", "yes", "on")


# ---------------------------------------------------------------- page

page_header(
    "Latent explorer",
    "Each dot is an example x at its code z = f(x). **Click anywhere**, empty space "
    "included, to decode that z with g. The shading shows where training codes are dense: g is only "
    "reliable there.",
)

url_state("ex_model", None)
entry, ck, ds = pick_loaded("ex_model", kind="image+table")
k = ck.config.latent_dim
path, mtime = str(entry.path), entry.path.stat().st_mtime

# Per-model view state is dropped when the model changes: a rectangle or z from another latent
# space would be meaningless (or out of range) here.
_PER_MODEL = [
    "ex_z",
    "ex_sel",
    "ex_pa",
    "ex_pb",
    "ex_ia",
    "ex_ib",
    "ex_mf_x0",
    "ex_mf_x1",
    "ex_mf_y0",
    "ex_mf_y1",
    "ex_mf_spacing",
    "_ex_click",
    "_ex_xy",
] + [f"ex_zs_{i}" for i in range(64)]
if st.session_state.get("_ex_model_seen") not in (None, entry.name):
    forget(*_PER_MODEL)
st.session_state["_ex_model_seen"] = entry.name

url_state("ex_split", "test")
split = st.sidebar.radio(
    "Points from",
    ["test", "train"],
    key="ex_split",
    horizontal=True,
    help="Which encoded split the scatter shows. Density always uses the training codes.",
)
url_state("ex_shade", True, _bool)
shade = st.sidebar.toggle(
    "Shade by training-code density",
    key="ex_shade",
    help="Darker = more training codes nearby. Vermillion line: the 'extrapolating' threshold.",
)
url_state("ex_preview", False, _bool)
preview = st.sidebar.toggle(
    "Decode under the cursor",
    key="ex_preview",
    help="Show g(z) for the spot under the mouse as it moves over empty space, decoded in your browser "
    "(every shipped model, on a 2-D plane or a PCA view; not on UMAP).",
)
method = "pca"
if k > 2:
    url_state("ex_proj", "pca")
    method = st.sidebar.radio(
        "Projection to 2-D",
        ["pca", "umap"],
        key="ex_proj",
        horizontal=True,
        format_func=str.upper,
        help="PCA is instant and exactly invertible on its plane. UMAP separates classes "
        "better; its first fit takes a while, growing with the number of codes (then cached on disk).",
    )
url_state("ex_own", False, _bool)
own_mode = ds.is_image and st.sidebar.toggle(
    "Draw or upload your own input",
    key="ex_own",
    help="A drawing pad and a picture upload beside the plane: your input is encoded as you draw and "
    "lands on the plane, with its reconstruction and how unusual the model finds it.",
)
marker_size, n_nb = None, 5
if show_advanced():
    with st.sidebar.expander("Advanced"):
        marker_size = st.slider(
            "Dot size (px)", 2.0, 10.0, 4.0 if len(ds.split(split)[0]) > 5000 else 6.0, 0.5, key="ex_msize"
        )
        n_nb = st.slider("Nearest training examples shown", 3, 10, 5, key="ex_nn")

x_split, y_split = ds.split(split)
#: A table's column names (its bars' labels).
columns = list(ds.meta.get("columns") or [f"x{i + 1}" for i in range(ds.input_dim)])
x_train, y_train = ds.split("train")
codes = codes_for(entry, split)  # (N, k)
train_codes = codes_for(entry, "train")  # (N_train, k)
density = get_density(path, mtime, entry.dataset)
if method == "umap":
    with st.status(
        f"Projecting {len(codes):,} codes with UMAP (the first time for this model; then cached on disk)…",
        expanded=False,
    ) as status:
        proj = get_projection(path, mtime, entry.dataset, split, method)
        status.update(label="UMAP projection ready", state="complete")
else:
    proj = get_projection(path, mtime, entry.dataset, split, method)
if not proj.exact and not is_presenter():  # on a slide the map's own hint line says it (below)
    st.info(
        f"This model has a **{k}-D** latent space; the plane is its **{method.upper()}** projection. "
        "A click on empty space maps back to z through the projection's inverse: that z is "
        "**approximate** (PCA: the other axes are set to the mean code; UMAP: an optimised guess). "
        "Use the sliders to set every dimension of z exactly."
    )


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


# Manifold-grid rectangle (in the plotted plane), needed by the scatter to outline it.
rect0 = _default_rectangle(path, mtime, split, method, proj.embedding)
url_state("ex_mf_show", True, _bool)
for key, val in zip(("ex_mf_x0", "ex_mf_x1", "ex_mf_y0", "ex_mf_y1"), (*rect0[0], *rect0[1])):
    url_state(key, round(float(val), 2), float)
rect = (
    (st.session_state["ex_mf_x0"], st.session_state["ex_mf_x1"]),
    (st.session_state["ex_mf_y0"], st.session_state["ex_mf_y1"]),
)

url_state("ex_z", None, floats)
if st.session_state["ex_z"] is not None and len(st.session_state["ex_z"]) != k:
    st.session_state["ex_z"] = None  # a deep link for another model's latent space
url_state("ex_pa", None, floats)
url_state("ex_pb", None, floats)
url_state("ex_imode", "two data examples")
ab = None
if st.session_state["ex_imode"] == "two clicked points":
    pa, pb = st.session_state["ex_pa"], st.session_state["ex_pb"]
    ab = tuple(
        None if p is None or len(p) != k else tuple(float(v) for v in proj.transform(np.array(p))[0]) for p in (pa, pb)
    )
ranges = _slider_ranges(path, mtime, train_codes)  # (k, 2)


def _set_z_from_sliders() -> None:
    st.session_state["ex_z"] = [float(st.session_state[f"ex_zs_{i}"]) for i in range(k)]
    st.session_state["_ex_xy"] = None  # the marker follows z (recomputed through the projection)
    st.session_state["ex_sel"] = None
    st.session_state["ex_src"] = "sliders"


def _set_end(which: str) -> None:
    # A callback (runs before the rerun), so it may set another widget's state; the flag asks the
    # fragment for a full-page rerun, since the interpolation section lives outside it.
    st.session_state[which] = list(st.session_state["ex_z"])
    st.session_state["ex_imode"] = "two clicked points"
    st.session_state["_ex_rerun_app"] = True


def _own_input(col_panel) -> tuple:
    """The user's own drawing or picture, when the page is in that mode: its controls in the panel's
    column, and its probe put in place as z (and the plane's marker). Returns ``(own or None, the
    VAE's q(z|x) ellipses or None)``."""
    if not own_mode:
        return None, None
    with col_panel:
        own_input_controls("ex", "ex_src")
    own = own_input_for("ex", "ex_src", entry, ck.model, ds, density, train_codes, n_nb)
    if own is None:
        return None, None
    st.session_state["ex_z"] = [float(v) for v in own.probe.z]
    st.session_state["_ex_xy"] = [float(v) for v in proj.transform(own.probe.z[None])[0]]
    return own, own_input_ellipses(own, proj)


def _plane(z, ellipses):
    """The latent plane with the decoded z's marker, A and B, the grid's window and the selection
    tools; returns ``(the latest click or None, the page's PlaneSelection)``."""
    if z is not None and st.session_state.get("_ex_xy") is None:
        st.session_state["_ex_xy"] = [float(v) for v in proj.transform(np.asarray(z, np.float32))[0]]
    rect_on = ds.is_image and st.session_state.get("ex_mf_show", True)  # the grid's rectangle: pictures only
    url = map_url(entry, split, method)
    selection = PlaneSelection(
        "exs", {"a": Plane("ex_map", url, proj.embedding)}, y_split.numpy(), (entry.name, split, method)
    )
    click = latent_map(
        url,
        key="ex_map",
        options=PlaneOptions(
            # The selection tools add a row under the plane: the slide keeps it on the first screen.
            height=slide_height(PRESENTER_MAP_HEIGHT - 40) if is_presenter() else 640,
            shade=bool(shade),
            point_size=marker_size,
            presenter=is_presenter(),
            marker=st.session_state.get("_ex_xy") if z is not None else None,
            marker_seq=(st.session_state.get("_ex_click") or (None, None))[1],
            ab=[list(p) if p else None for p in ab] if ab else None,
            rect=[rect[0][0], rect[0][1], rect[1][0], rect[1][1]] if rect_on else None,
            # The browser decodes a click at once (and, with the preview, the spot under the cursor);
            # the panel beside the plane follows from the server.
            manifest=exported_decoder(entry)[0],
            image_shape=ds.image_shape,
            preview=bool(preview),
            select=True,
            ellipses=ellipses,
            selected=selection.shown("a"),
            hint=(
                f"A {k}-D model in its {method.upper()} view: a click decodes an approximate z. "
                "Drag to pan, scroll to zoom."
                if is_presenter() and not proj.exact
                else "Hover a dot to see it; click anywhere to decode. Drag to pan, scroll to zoom, "
                "double-click to reset."
                + (" Shading: density of training codes; outside the vermillion line g extrapolates." if shade else "")
            ),
        ),
    )
    if selection.update():
        st.rerun(scope="fragment")  # the plane and the panel below show the new selection
    return click, selection


def _take_click(click: dict) -> None:
    """A new click (not the same one seen again on a rerun) becomes z: the clicked example's code, or
    the plane point mapped back to a code."""
    sig = (click["nonce"], click["seq"])
    if sig != st.session_state.get("_ex_click"):  # a new click, not the same one seen on a rerun
        st.session_state["_ex_click"] = sig
        xy = [float(click["x"]), float(click["y"])]
        idx = int(click["index"])
        if 0 <= idx < len(codes):
            z = codes[idx]
            xy = [float(v) for v in proj.embedding[idx]]
            st.session_state["ex_sel"] = idx
            st.session_state["ex_src"] = "data"
        else:
            z = proj.inverse(np.array([xy]))[0]
            st.session_state["ex_sel"] = None
            st.session_state["ex_src"] = "grid"
        st.session_state["ex_z"] = [float(v) for v in z]
        st.session_state["_ex_xy"] = xy


def _side(own, z) -> None:
    """The panel beside the plane: the own input's, a first hint, or the decoded z; and z by hand."""
    if own is not None:
        own_input_panel("ex", own, ds, x_train, y_train)
    elif own_mode and st.session_state.get("ex_src") in (None, "own"):
        st.caption("Draw on the pad, or upload a picture: it lands on the plane as you draw.")
    elif z is None:
        st.markdown("### Click anywhere on the plane")
        st.write(
            "The decoded image g(z) appears here, with the code density at z and the nearest "
            "training examples. Try the empty space far from the dots."
        )
    else:
        _panel(np.asarray(z, dtype=np.float32))
    if k > 2 or show_advanced():
        with st.expander("Set z by hand", expanded=k > 2):
            for i in range(k):
                if f"ex_zs_{i}" not in st.session_state:
                    st.session_state[f"ex_zs_{i}"] = float(np.clip(0.0, ranges[i, 0], ranges[i, 1]))
                st.slider(
                    f"z{i + 1}",
                    float(ranges[i, 0]),
                    float(ranges[i, 1]),
                    key=f"ex_zs_{i}",
                    step=float((ranges[i, 1] - ranges[i, 0]) / 200),
                    format="%.2f",
                    on_change=_set_z_from_sliders,
                )


@st.fragment
def click_loop() -> None:
    """Scatter + decoded panel. A click reruns only this fragment, not the page."""
    if st.session_state.pop("_ex_rerun_app", False):
        st.rerun(scope="app")
    col_plot, col_panel = st.columns([3, 2], gap="medium")
    # The user's own input first (it sets z and the marker the plane shows), in the panel's column.
    own, ellipses = _own_input(col_panel)
    z = st.session_state.get("ex_z")
    if st.session_state.get("_ex_view_seen") != (split, method):  # another plane: place the marker anew
        st.session_state["_ex_view_seen"] = (split, method)
        st.session_state["_ex_xy"] = None
    with col_plot, main_visual():
        click, selection = _plane(z, ellipses)
    if click is not None:
        _take_click(click)
    z = st.session_state.get("ex_z")
    if z is not None:
        for i in range(k):  # keep the sliders on the current z (clamped to their range)
            st.session_state[f"ex_zs_{i}"] = float(np.clip(z[i], ranges[i, 0], ranges[i, 1]))
    with col_panel:
        _side(own, z)
    sel = selection.current
    if sel is not None:
        coded = Coded(entry.name, ck.model, codes, density, f"{path}:{mtime}")
        selection_panel("exs", sel["indices"], ds, split, coded)
    push_url("ex_z")


def _panel(z: np.ndarray) -> None:
    pr = E.probe(ck.model, z, density, train_codes, n_nb)
    src = st.session_state.get("ex_src")
    sel = st.session_state.get("ex_sel")
    st.markdown("### Decoded g(z)")
    # Presenter mode: big type needs the panel's whole width, so the readouts go under the image.
    pres = is_presenter()
    # A table's bars need the panel's whole width too.
    a, b = (st.container(), st.container()) if pres or not ds.is_image else st.columns([3, 2])
    with a, st.container(key="ex_decoded"):
        if ds.is_image:
            where = f"z = {vector_text(pr.z, 2)}" if len(pr.z) <= 4 else f"this {len(pr.z)}-D z"
            show_image(pr.image, ds.image_shape, None, 256, alt=f"decoded image of {where}")
        else:  # a table: the decoded row as bars, one per column
            chart(channel_bars_figure(None, pr.image, columns, height=340), "ex_bars", max_height=360)
    with b:
        st.markdown("**z** = (" + ", ".join(f"{v:.2f}" for v in pr.z) + ")")
        if src == "grid" and not proj.exact:
            st.caption(f"approximate: z = {method.upper()}⁻¹(click)")
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
    if ds.is_image:  # A and B are the ends of the interpolation strip, a strip of pictures
        cols = st.columns(2) if pres else st.columns([1, 1, 1])[:2]
        for col, end, what, key in zip(cols, "AB", ("Start", "End"), ("ex_pa", "ex_pb")):
            col.button(
                f"Set as {end}",
                key=f"ex_set_{end.lower()}",
                help=f"{what} of the interpolation path",
                on_click=_set_end,
                args=(key,),
                width="stretch",
            )
    if pr.low_density:
        st.warning(
            f"**extrapolating: few training codes near here.** Density {pr.density:.2g} is below "
            f"{density.threshold:.2g}, the level of the sparsest {LOW_DENSITY_QUANTILE:.0%} of "
            "training codes. g was never trained on codes like this one."
        )
    else:
        st.success("Among the training codes: g was trained on codes like this one.")
    if sel is not None and src == "data":
        _selected_example(int(sel))
    _neighbours(pr)


def _selected_example(sel: int) -> None:
    """The clicked example ``sel`` of the split beside its reconstruction, with their error."""
    x = x_split[sel].numpy()
    xhat, err = E.reconstruction(ck.model, x)
    st.markdown(f"**Selected example #{sel}** ({split} set, class **{ds.class_names[int(y_split[sel])]}**)")
    if ds.is_image:
        c1, c2, c3 = st.columns([2, 2, 2])
        show_image(x, ds.image_shape, "x (input)", 112, where=c1)
        show_image(xhat, ds.image_shape, "x̂ = g(f(x))", 112, where=c2)
    else:
        chart(channel_bars_figure(x, xhat, columns, height=320), "ex_xbars", max_height=340)
        c3 = st.container()
    # A short label: the third column is narrow, and "Reconstruction error" was cut to "Reconstructio…".
    c3.metric("MSE(x, x̂)", f"{err:.4f}", help="Reconstruction error: the mean squared difference between x and x̂.")


def _neighbours(pr) -> None:
    """The training examples nearest to z in latent space (a row of pictures, or a line of labels)."""
    st.markdown("**Nearest training examples** (distance in latent space)")
    if not ds.is_image:
        st.caption(
            " · ".join(
                f"#{int(i)} {ds.class_names[int(y_train[int(i)])]} ({d:.2f})"
                for i, d in zip(pr.neighbours, pr.distances)
            )
        )
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
    st.caption(
        " · ".join(f"{ds.class_names[int(y_train[int(i)])]} ({d:.2f})" for i, d in zip(pr.neighbours, pr.distances))
    )


click_loop()
if not ds.is_image:
    # The manifold grid and the interpolation strip are pictures of decoded images: a table has
    # none (its decoded rows are the bars beside the plane).
    st.caption("A table's decoded rows are the bars beside the plane; the picture grids below are for images.")
    st.stop()

# ---------------------------------------------------------------- manifold grid
st.divider()
st.subheader("Manifold grid: g over a rectangle")
st.caption(
    "Decode a regular grid of z over the dashed rectangle (in the plotted plane). Gaussian-quantile "
    "spacing puts equal prior probability between neighbouring rows: the natural grid for a VAE, "
    "whose prior is N(0, I)."
)
c_ctrl, c_img = st.columns([1, 2], gap="large")
with c_ctrl:
    url_state("ex_mf_n", 15, int)
    n_grid = st.slider("Resolution (images per side)", 5, 30, key="ex_mf_n")
    url_state("ex_mf_spacing", "gaussian" if ck.config.is_vae else "linear")
    spacing = st.radio(
        "Spacing",
        list(E.SPACINGS),
        key="ex_mf_spacing",
        horizontal=True,
        format_func=lambda s: "even" if s == "linear" else "Gaussian quantiles",
    )
    r1, r2 = st.columns(2)
    x0 = r1.number_input("left", key="ex_mf_x0", step=0.25, format="%.2f")
    x1 = r2.number_input("right", key="ex_mf_x1", step=0.25, format="%.2f")
    y0 = r1.number_input("bottom", key="ex_mf_y0", step=0.25, format="%.2f")
    y1 = r2.number_input("top", key="ex_mf_y1", step=0.25, format="%.2f")
    st.toggle("Outline the rectangle on the plot", key="ex_mf_show")
    if proj.method not in ("identity", "pad"):
        st.caption(f"k = {k}: grid points are lifted to z by the {method.upper()} inverse (approximate).")
with c_img:
    if not (x1 > x0 and y1 > y0):
        st.error("The rectangle is empty: make right > left and top > bottom.")
    else:
        lift = None if proj.method == "identity" else proj.inverse
        with st.spinner("Decoding the grid…"):
            grid = _grid_picture(
                path,
                mtime,
                split,
                method,
                (x0, x1),
                (y0, y1),
                int(n_grid),
                spacing,
                ck.model,
                lift,
                tuple(ds.image_shape),
            )
        show_png(grid, caption=f"{n_grid}×{n_grid} decoded grid; top-left = (left, top)")

# ---------------------------------------------------------------- interpolation
st.divider()
st.subheader("Interpolation: a straight walk from A to B")
st.caption(
    "Decode equally spaced codes on the segment from z_A to z_B. Where the path leaves the "
    "training codes (density below the dashed line) the frames are extrapolations."
)
ia0, ib0 = E.first_of_classes(y_split.numpy(), 0, 1)
c_ctrl, c_out = st.columns([1, 4], gap="large")
with c_ctrl:
    imode = st.radio("End points", ["two data examples", "two clicked points"], key="ex_imode")
    url_state("ex_steps", 10, int)
    steps = st.slider("Frames", 8, 16, key="ex_steps")
    za = zb = None
    if imode == "two data examples":
        url_state("ex_ia", ia0, int)
        url_state("ex_ib", ib0, int)
        n_split = len(x_split)
        ia = st.number_input(f"A: {split} example #", 0, n_split - 1, key="ex_ia", step=1)
        ib = st.number_input(f"B: {split} example #", 0, n_split - 1, key="ex_ib", step=1)
        za, zb = codes[int(ia)], codes[int(ib)]
    else:
        pa, pb = st.session_state.get("ex_pa"), st.session_state.get("ex_pb")
        za = np.asarray(pa, np.float32) if pa is not None and len(pa) == k else None
        zb = np.asarray(pb, np.float32) if pb is not None and len(pb) == k else None
        st.write("Click a spot, then **Set as A**; click another, then **Set as B**.")
        for lab, zz in (("A", za), ("B", zb)):
            st.markdown(
                f"**{lab}** = " + ("(" + ", ".join(f"{v:.2f}" for v in zz) + ")" if zz is not None else "not set")
            )
with c_out:
    if za is None or zb is None:
        st.info(
            "Set both end points (A and B) with the buttons beside the decoded image, "
            "or switch to **two data examples**."
        )
    else:
        it = E.interpolation_strip(ck.model, za, zb, int(steps), density)
        with st.container(key="ex_strip"):  # one picture: always one row, however many frames
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
        if ds.is_image and ds.image_shape[0] == 1:  # the walk as a film: frames sent once, played in the browser
            chart(
                interpolation_animation(it.images, ds.image_shape, it.t, it.low),
                "ex_path_film",
                film,
                config={"displayModeBar": False},
            )
        chart(density_path_figure(it.t, it.density, density.threshold), "ex_path_density", curve)

# ---------------------------------------------------------------- traversals
st.divider()
st.subheader("Latent traversals: one dimension at a time")
st.caption(
    gloss(
        "Each row decodes the current z with one coordinate swept from −3 to +3 standard deviations of the codes "
        "(for a VAE, of the z ~ q(z|x) its decoder was trained on), the others held. A VAE's rows go by their KL; "
        "a collapsed dimension (KL ≈ 0) changes nothing: the decoder learned to ignore it."
    )
)
z_t = np.asarray(st.session_state.get("ex_z") or codes[0], np.float32)  # the current z, else the first code
kl = None
if ck.config.is_vae:
    from aecore.analysis.sampling import kl_per_dimension

    mu, logvar = posterior_for(entry)
    kl = kl_per_dimension(mu, logvar)
tr = E.latent_traversal(ck.model, z_t, reference_codes_for(entry), steps=9, kl=kl)
for r, j in enumerate(tr.dims):
    lab, row = st.columns([1, 5], vertical_alignment="center")
    what = f"**z{j + 1}**"
    if tr.kl is not None:
        what += f"  \nKL {tr.kl[r]:.2f} nats" + ("  \n**collapsed**" if tr.collapsed[r] else "")
    lab.markdown(what)
    with row:
        show_png(
            coding.image_grid(tr.images[r], ds.image_shape, 1, len(tr.offsets), cell=1, pad=1),
            width=560,
            alt=f"images decoded with z{j + 1} stepped from {tr.offsets[0]:+.1f}σ to {tr.offsets[-1]:+.1f}σ",
        )
st.caption("Steps: " + " · ".join(f"{t:+.1f}σ" for t in tr.offsets))

push_url(
    "ex_split",
    "ex_shade",
    "ex_preview",
    "ex_mf_n",
    "ex_mf_spacing",
    "ex_mf_x0",
    "ex_mf_x1",
    "ex_mf_y0",
    "ex_mf_y1",
    "ex_mf_show",
    "ex_imode",
    "ex_steps",
    "ex_pa",
    "ex_pb",
    *(("ex_ia", "ex_ib") if st.session_state.get("ex_imode") == "two data examples" else ()),
    *(("ex_proj",) if k > 2 else ()),
)
