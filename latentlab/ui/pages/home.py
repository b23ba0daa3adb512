"""Latent map: the first thing a lecture shows. Every test image as a point z = f(x) in the
latent plane; click one to see the image and its reconstruction g(z), or click empty space to
decode a z no image was ever encoded to.

The map comes from a static file found by its key alone, so until the first click this page runs
without torch (a lecture's cold start: see ``bench/cold_start.py``).
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
from latentlab.ui.state import push_url, url_state
from latentlab.ui.theme import (
    PRESENTER_MAP_HEIGHT,
    is_presenter,
    main_visual,
    page_header,
    show_image,
    slide_height,
    vector_text,
)

page_header(
    "Latent map",
    "Each dot is one test image x, placed at its code z = f(x). Colour = class. Hover a dot "
    "to see it; click it (or any empty spot) to decode.",
)

url_state("home_model", None)
entry = pick_model("home_model")
if entry is None:
    st.stop()
if user_dataset_kind(entry.dataset) is not None:
    # A model of the user's own set: that set may be too small for a plane (3 rows). Loading it needs
    # torch, which a shipped model's first visit does without: their sets are large enough.
    require_plane(require_dataset(entry.dataset), entry.latent_dim)
url_state("home_split", "test")
split = st.sidebar.radio("Points from", ["test", "train"], key="home_split", horizontal=True)
push_url("home_split")
k = entry.latent_dim
if k > 2:
    st.info(
        f"This model has a {k}-D latent space: the plane is its PCA projection. The **Latent explorer** "
        "page offers UMAP too, and sliders for every dimension of z."
    )

url_state("home_own", False, lambda v: str(v).lower() in ("1", "true"))
# Pictures only: a drawing or an uploaded picture means nothing to a model of points or a table.
own_mode = is_image_dataset(entry.dataset) and st.sidebar.toggle(
    "Draw or upload your own input",
    key="home_own",
    help="A drawing pad and a picture upload beside the map: your input is encoded as you draw and lands on it.",
)
push_url("home_own")

col_plot, col_img = st.columns([3, 2], gap="large")
own, ellipses, marker = None, None, st.session_state.get("_home_marker")
if own_mode:
    # The user's input first: it decides the marker the map shows (torch from here on).

    ck = require_checkpoint(entry)
    ds = require_dataset(entry.dataset)
    with col_img:
        own_input_controls("home", "home_src")
    path, mtime = str(entry.path), entry.path.stat().st_mtime
    own = own_input_for(
        "home", "home_src", entry, ck.model, ds, get_density(path, mtime, entry.dataset), codes_for(entry, "train")
    )
    if own is not None:
        proj = get_projection(path, mtime, entry.dataset, split, "pca")
        marker = [float(v) for v in proj.transform(own.probe.z[None])[0]]
        ellipses = own_input_ellipses(own, proj)
with col_plot, main_visual():
    url = map_url(entry, split)
    click = latent_map(
        url,
        key="home_map",
        options=PlaneOptions(
            height=slide_height(PRESENTER_MAP_HEIGHT) if is_presenter() else 620,
            presenter=is_presenter(),
            marker=marker,
            marker_seq=st.session_state.get("_home_seq"),
            ellipses=ellipses,
            hint="Drag to pan, scroll to zoom, double-click to reset.",
        ),
    )
if click is not None and (click["nonce"], click["seq"]) != st.session_state.get("_home_click_sig"):
    st.session_state["_home_click_sig"] = (click["nonce"], click["seq"])
    st.session_state["home_src"] = "click"  # a new click: the panel shows it, not the own input
if own is not None and st.session_state.get("home_src") == "own":
    click = None
    with col_img:
        ds = require_dataset(entry.dataset)
        x_train, y_train = ds.split("train")
        own_input_panel("home", own, ds, x_train, y_train)

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
        # From here on torch is needed (decoding); the warm-up thread has usually imported it already.
        from aecore.analysis import coding

        ck = require_checkpoint(entry)
        ds = require_dataset(entry.dataset)
        x, y = ds.split(split)
        codes = codes_for(entry, split)  # (N, k)
        idx = int(click["index"])
        if 0 <= idx < len(codes):
            z = codes[idx]
            xy = [float(click["x"]), float(click["y"])]
            xhat = coding.decode_array(ck.model, z)[0]
            st.markdown(f"### #{idx} · class **{ds.class_names[int(y[idx])]}**")
            st.markdown("z = (" + ", ".join(f"{v:.2f}" for v in z) + ")")
            if ds.is_image:
                a, b = st.columns(2)
                with a, st.container(key="home_x"):
                    show_image(
                        x[idx].numpy(),
                        ds.image_shape,
                        "x (input)",
                        220,
                        alt=f"input example {idx} (class {ds.class_names[int(y[idx])]})",
                    )
                with b, st.container(key="home_xhat"):
                    show_image(
                        xhat, ds.image_shape, "x̂ = g(z) (decoded)", 220, alt=f"decoded image of example {idx}'s code"
                    )
                st.metric("Reconstruction error (MSE)", f"{float(((x[idx].numpy() - xhat) ** 2).mean()):.4f}")
            else:
                st.markdown(f"**x** = {vector_text(x[idx].numpy())}  \n**x̂** = g(z) = {vector_text(xhat)}")
        else:
            proj = get_projection(str(entry.path), entry.path.stat().st_mtime, entry.dataset, split, "pca")
            xy = [float(click["x"]), float(click["y"])]
            z = proj.inverse(np.array([xy]))[0]  # (k,)
            xhat = coding.decode_array(ck.model, z)[0]
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
        if (st.session_state.get("_home_seq"), st.session_state.get("_home_marker")) != (click["seq"], xy):
            # Echo the click so the map swaps its provisional marker for this one (next run).
            st.session_state["_home_seq"], st.session_state["_home_marker"] = click["seq"], xy
