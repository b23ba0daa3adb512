"""Latent map: the first thing a lecture shows. Every test image as a point z = f(x) in the
latent plane; click one to see the image and its reconstruction g(z), or click empty space to
decode a z no image was ever encoded to.

The map comes from a static file found by its key alone, so until the first click this page runs
without torch (a lecture's cold start: see ``bench/cold_start.py``). The page is :func:`main`; its
view state is :class:`HomeState`.
"""

import numpy as np
import streamlit as st

from aecore.data.importing import user_dataset_kind
from aecore.data.sets import is_image_dataset
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.loaders import (
    codes_for,
    get_density,
    get_projection,
    map_url,
    require_checkpoint,
    require_dataset,
    require_plane,
)
from latentlab.ui.model_picker import pick_model
from latentlab.ui.own_input import own_input_controls, own_input_ellipses, own_input_for, own_input_panel
from latentlab.ui.state import PageState, Setting, truthy
from latentlab.ui.theme import (
    PRESENTER_MAP_HEIGHT,
    is_presenter,
    main_visual,
    page_header,
    show_image,
    slide_height,
    vector_text,
)


class HomeState(PageState):
    """What the latent map remembers (``home_…`` in the session and the URL)."""

    prefix = "home"
    model = Setting(None)  # the model shown (the sidebar picker's key)
    split = Setting("test")  # the points: the test or the training split
    own = Setting(False, truthy)  # draw or upload your own input beside the map
    src = Setting(None, url=False)  # what the panel shows: "click" or the own input ("own")
    map = Setting(None, url=False)  # the plane's component key
    marker = Setting(None, private=True)  # the clicked spot Python echoes to the plane, [x, y]
    seq = Setting(None, private=True)  # the click that marker answers
    click_sig = Setting(None, private=True)  # the last click taken, (nonce, seq)


def main() -> None:
    page_header(
        "Latent map",
        "Each dot is one test image x, placed at its code z = f(x). Colour = class. Hover a dot "
        "to see it; click it (or any empty spot) to decode.",
    )
    state = HomeState()
    entry = pick_model(state.key("model"))
    if entry is None:
        st.stop()
    if user_dataset_kind(entry.dataset) is not None:
        # A model of the user's own set: that set may be too small for a plane (3 rows). Loading it needs
        # torch, which a shipped model's first visit does without: their sets are large enough.
        require_plane(require_dataset(entry.dataset), entry.latent_dim)
    split = st.sidebar.radio("Points from", ["test", "train"], key=state.key("split"), horizontal=True)
    k = entry.latent_dim
    if k > 2:
        st.info(
            f"This model has a {k}-D latent space: the plane is its PCA projection. The **Latent explorer** "
            "page offers UMAP too, and sliders for every dimension of z."
        )
    # Pictures only: a drawing or an uploaded picture means nothing to a model of points or a table.
    own_mode = is_image_dataset(entry.dataset) and st.sidebar.toggle(
        "Draw or upload your own input",
        key=state.key("own"),
        help="A drawing pad and a picture upload beside the map: your input is encoded as you draw and lands on it.",
    )
    state.push("split", "own")
    col_plot, col_img = st.columns([3, 2], gap="large")
    own, ellipses, marker = _own_input(state, entry, split, col_img) if own_mode else (None, None, state.marker)
    with col_plot, main_visual():
        click = latent_map(
            map_url(entry, split),
            key=state.key("map"),
            options=PlaneOptions(
                height=slide_height(PRESENTER_MAP_HEIGHT) if is_presenter() else 620,
                presenter=is_presenter(),
                marker=marker,
                marker_seq=state.seq,
                ellipses=ellipses,
                hint="Drag to pan, scroll to zoom, double-click to reset.",
            ),
        )
    if click is not None and (click["nonce"], click["seq"]) != state.click_sig:
        state.click_sig = (click["nonce"], click["seq"])
        state.src = "click"  # a new click: the panel shows it, not the own input
    if own is not None and state.src == "own":
        click = None
        with col_img:
            ds = require_dataset(entry.dataset)
            x_train, y_train = ds.split("train")
            own_input_panel(state.prefix, own, ds, x_train, y_train)
    with col_img:
        if own_mode and click is None:
            if own is None:
                st.caption("Draw on the pad, or upload a picture: it lands on the map as you draw.")
        elif click is None:
            st.markdown("### Click a dot")
            st.write(
                "The image x and its reconstruction x̂ = g(f(x)) appear here. Click empty space to decode a "
                "code that no image has."
            )
        else:
            _clicked(state, entry, split, click)


def _own_input(state: HomeState, entry, split: str, col_img):
    """The user's drawing or picture first: it decides the marker the map shows (torch from here on).
    Returns ``(own or None, its q(z|x) ellipses or None, the marker)``."""
    ck = require_checkpoint(entry)
    ds = require_dataset(entry.dataset)
    with col_img:
        own_input_controls(state.prefix, state.key("src"))
    path, mtime = str(entry.path), entry.path.stat().st_mtime
    own = own_input_for(
        state.prefix, state.key("src"), entry, ck.model, ds, get_density(path, mtime, entry.dataset),
        codes_for(entry, "train"),
    )  # fmt: skip
    if own is None:
        return None, None, state.marker
    proj = get_projection(path, mtime, entry.dataset, split, "pca")
    return own, own_input_ellipses(own, proj), [float(v) for v in proj.transform(own.probe.z[None])[0]]


def _clicked(state: HomeState, entry, split: str, click: dict) -> None:
    """The panel for a click: the example and its reconstruction, or the decoded empty spot; then the
    click echoed to the map (it swaps its provisional marker for this one on the next run)."""
    # From here on torch is needed (decoding); the warm-up thread has usually imported it already.
    ck = require_checkpoint(entry)
    ds = require_dataset(entry.dataset)
    codes = codes_for(entry, split)  # (N, k)
    idx = int(click["index"])
    xy = [float(click["x"]), float(click["y"])]
    if 0 <= idx < len(codes):
        _example(ck.model, ds, split, idx, codes[idx])
    else:
        _empty_space(ck.model, ds, entry, split, xy)
    if (state.seq, state.marker) != (click["seq"], xy):
        state.seq, state.marker = click["seq"], xy


def _example(model, ds, split: str, idx: int, z: np.ndarray) -> None:
    """Example ``idx`` of the split: its class, its code, x beside x̂ and their error."""
    from aecore.analysis import coding

    x, y = ds.split(split)
    xhat = coding.decode_array(model, z)[0]
    st.markdown(f"### #{idx} · class **{ds.class_names[int(y[idx])]}**")
    st.markdown("z = (" + ", ".join(f"{v:.2f}" for v in z) + ")")
    if not ds.is_image:
        st.markdown(f"**x** = {vector_text(x[idx].numpy())}  \n**x̂** = g(z) = {vector_text(xhat)}")
        return
    a, b = st.columns(2)
    with a, st.container(key="home_x"):
        label = ds.class_names[int(y[idx])]
        show_image(x[idx].numpy(), ds.image_shape, "x (input)", 220, alt=f"input example {idx} (class {label})")
    with b, st.container(key="home_xhat"):
        show_image(xhat, ds.image_shape, "x̂ = g(z) (decoded)", 220, alt=f"decoded image of example {idx}'s code")
    st.metric("Reconstruction error (MSE)", f"{float(((x[idx].numpy() - xhat) ** 2).mean()):.4f}")


def _empty_space(model, ds, entry, split: str, xy: list[float]) -> None:
    """A click on no example: the plane point mapped back to a code (exactly, or by the PCA inverse) and
    its decoding, said to be the decoder's guess."""
    from aecore.analysis import coding

    proj = get_projection(str(entry.path), entry.path.stat().st_mtime, entry.dataset, split, "pca")
    z = proj.inverse(np.array([xy]))[0]  # (k,)
    xhat = coding.decode_array(model, z)[0]
    st.markdown("### Empty space")
    st.markdown("z = (" + ", ".join(f"{v:.2f}" for v in z) + ")" + ("" if proj.exact else "  (PCA inverse)"))
    if ds.is_image:
        with st.container(key="home_xhat"):
            show_image(
                xhat,
                ds.image_shape,
                "g(z): decoded, no image behind it",
                220,
                alt=f"decoded image of z = {vector_text(z, 2)}" if len(z) <= 4 else "decoded image of this z",
            )
    else:
        st.markdown(f"**g(z)** = {vector_text(xhat)}")
    st.caption(
        "No image was encoded here: g(z) is the decoder's guess. The **Latent explorer** shows how "
        "many training codes lie near this spot, i.e. how far to trust the guess."
    )


main()
