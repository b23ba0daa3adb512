"""Two pictures of one x: the network as it is implemented (columns of units, coloured by what they
compute for this x) beside the representation (x's code on the latent plane; for toy data, M with x
and its reconstruction x̂ on it). Changing the example updates both.

Layout and widget wiring only: the activations come from ``aecore.analysis.network``, the figure
from ``latentlab.figures.network``, the representation from the plane component and ``latentlab.figures.manifold``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from aecore.analysis.network import activations
from aecore.data.sets import dataset_kind
from latentlab.figures import manifold as mfig
from latentlab.figures.network import column_width, network_figure
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.loaders import codes_for, density_for, map_url, pick_loaded, projection_for, require_dataset
from latentlab.ui.own_input import own_input_controls, own_input_for
from latentlab.ui.state import push_url, url_state
from latentlab.ui.theme import (
    chart,
    is_presenter,
    main_visual,
    page_header,
    selected_point,
    show_image,
    slide_height,
    viewport,
)

page_header(
    "Two pictures of one x",
    "**Left**, the representation: g maps the latent space onto a manifold M in data space; x's code z is a "
    "point there, and x̂ = g(z) lies on M while x does not. **Right**, the implementation: the same network "
    "as layers of units, drawn to scale and coloured by what each unit computes for this x. "
    "Click an example to see both change.",
)

url_state("tp_model", None)
entry, ck, ds = pick_loaded("tp_model", kind="image+points")
model = ck.model
pres = is_presenter()
left, right = st.columns([5, 6], gap="medium")

if dataset_kind(entry.dataset) == "image":
    x_test, y_test = ds.split("test")
    url_state("tp_i", 0, int)
    if not 0 <= st.session_state["tp_i"] < len(x_test):
        st.session_state["tp_i"] = 0
    url = map_url(entry, "test")
    proj = projection_for(entry, "test")
    url_state("tp_own", False, lambda s: str(s).lower() in ("1", "true"))
    own_mode = st.sidebar.toggle(
        "Draw or upload your own input",
        key="tp_own",
        help="A drawing pad above the plane: your input, as you draw it, in both pictures.",
    )
    own = None
    if own_mode:
        with left:
            own_input_controls("tp", "tp_src")
        own = own_input_for("tp", "tp_src", entry, model, ds, density_for(entry), codes_for(entry, "train"))
    i = int(st.session_state["tp_i"])
    at = proj.transform(own.probe.z[None])[0] if own is not None else proj.embedding[i]  # (2,)
    with left, main_visual():
        click = latent_map(
            url,
            key="tp_map",
            options=PlaneOptions(
                height=slide_height(430) if pres else 520,
                shade=True,
                presenter=pres,
                marker=[float(v) for v in at],
                hint="Click a dot: that example's code is ringed here and its activations drawn on the right.",
            ),
        )
    if click is not None and click["index"] >= 0 and (click["nonce"], click["seq"]) != st.session_state.get("_tp_seen"):
        st.session_state["_tp_seen"] = (click["nonce"], click["seq"])
        st.session_state["tp_i"] = int(click["index"])
        st.session_state["tp_src"] = "data"  # a click shows that example again, not the drawing
        st.rerun()
    x = own.x if own is not None else x_test[i].numpy()
    with left:
        st.number_input(
            f"Test example # (0–{len(x_test) - 1:,})",
            0,
            len(x_test) - 1,
            key="tp_i",
            step=1,
            on_change=lambda: st.session_state.update(tp_src="data"),
        )
        st.caption("Your own input" if own is not None else f"Class **{ds.class_names[int(y_test[i])]}**")
    push_url("tp_i", "tp_own")
else:  # toy data: the representation picture itself, M with x and x̂
    view_key = "tp_picture"

    @st.cache_resource(show_spinner="Drawing M for this model…", max_entries=8)
    def _view(path: str, mtime: float, _model, dataset: str):
        from aecore.analysis.manifold import manifold_view

        return manifold_view(_model, require_dataset(dataset))

    v = _view(str(entry.path), entry.path.stat().st_mtime, model, entry.dataset)
    hl = mfig.highlight_from(selected_point(view_key))
    i = hl[1] if hl is not None and hl[0] == "point" else 0
    with left, main_visual():
        chart(
            mfig.picture_figure(v, highlight=("point", i), height=460 if pres else 560),
            view_key,
            on_select="rerun",
            selection_mode="points",
        )
        st.caption("Click a data point x (left panel) to ring it, its x̂ on M and its code z.")
    x = v.x[i]

layers = activations(model, x)
with right:
    # On a slide the network leaves room for x and x̂ under it, in the first screen (120 px at 720p).
    # Labels planned for the column's narrowest width (the sidebar open): plotly cannot re-lay them out.
    fig = network_figure(layers, height=320 if pres else 520, presenter=pres, width=column_width(viewport()[0], 6 / 11))
    chart(fig, "tp_network", max_height=460)
    xhat = layers[-1].values
    if ds.is_image:
        c1, c2, c3 = st.columns(3)
        side = 120 if pres else 150
        show_image(x, ds.image_shape, "x (input)", side, where=c1)
        show_image(xhat, ds.image_shape, "x̂ (output)", side, where=c2)
        show_image(
            np.abs(x - xhat), ds.image_shape, f"|x − x̂|, MSE {float(((x - xhat) ** 2).mean()):.4f}", side, where=c3
        )
    else:
        st.markdown(
            "x = (" + ", ".join(f"{c:.2f}" for c in x) + ") → x̂ = (" + ", ".join(f"{c:.2f}" for c in xhat) + "), "
            f"‖x − x̂‖ = {np.linalg.norm(x - xhat):.3f}"
        )
    st.caption(
        "Each column is one layer, as tall as it has units: the data's dimensions, the hidden layers' units, "
        f"down to the {model.latent_dim} code units and back. Hover a unit for its activation: the number torch "
        "computes there for this x."
    )
