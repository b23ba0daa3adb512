"""Two pictures of one x: the network as it is implemented (columns of units, coloured by what they
compute for this x) beside the representation (x's code on the latent plane; for toy data, M with x
and its reconstruction x̂ on it). Changing the example updates both.

Layout and widget wiring only: the activations come from ``aecore.analysis.network``, the figure
from ``latentlab.figures.network``, the representation from the plane component and
``latentlab.figures.manifold``. The page is :func:`main`; its view state is :class:`NetworkState`.
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
from latentlab.ui.state import PageState, Setting, truthy
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


class NetworkState(PageState):
    """What this page remembers (``tp_…`` in the session and the URL)."""

    prefix = "tp"
    model = Setting(None)  # the model picked here (the sidebar picker's key)
    i = Setting(0, int)  # the test example shown (pictures)
    own = Setting(False, truthy)  # draw or upload your own input instead
    src = Setting(None, url=False)  # where x comes from: "data" or the own input's source (own_input.py)
    seen = Setting(None, private=True)  # the last plane click taken, (nonce, seq)
    map = Setting(None, url=False)  # the latent plane's component key
    picture = Setting(None, url=False)  # toy data: the representation figure's key (its selection)
    network = Setting(None, url=False)  # the network figure's key


def main() -> None:
    page_header(
        "Two pictures of one x",
        "**Left**, the representation: g maps the latent space onto a manifold M in data space; x's code z is a "
        "point there, and x̂ = g(z) lies on M while x does not. **Right**, the implementation: the same network "
        "as layers of units, drawn to scale and coloured by what each unit computes for this x. "
        "Click an example to see both change.",
    )
    state = NetworkState()
    entry, ck, ds = pick_loaded(state.key("model"), kind="image+points")
    left, right = st.columns([5, 6], gap="medium")
    if dataset_kind(entry.dataset) == "image":
        x = _pictures(state, entry, ck.model, ds, left)
    else:
        x = _toy(state, entry, ck.model, left)
    with right:
        _network(state, ck.model, ds, x)


def _pictures(state: NetworkState, entry, model, ds, left) -> np.ndarray:
    """The latent plane of the test set with x's code ringed, and the example picker (or the user's own
    input, drawn or uploaded); a click on a dot picks that example. Returns x ``(D,)``."""
    x_test, y_test = ds.split("test")
    if not 0 <= state.i < len(x_test):
        state.i = 0
    proj = projection_for(entry, "test")
    own_mode = st.sidebar.toggle(
        "Draw or upload your own input",
        key=state.key("own"),
        help="A drawing pad above the plane: your input, as you draw it, in both pictures.",
    )
    own = None
    if own_mode:
        with left:
            own_input_controls(state.prefix, state.key("src"))
        own = own_input_for(
            state.prefix, state.key("src"), entry, model, ds, density_for(entry), codes_for(entry, "train")
        )
    i = int(state.i)
    at = proj.transform(own.probe.z[None])[0] if own is not None else proj.embedding[i]  # (2,)
    pres = is_presenter()
    with left, main_visual():
        click = latent_map(
            map_url(entry, "test"),
            key=state.key("map"),
            options=PlaneOptions(
                height=slide_height(430) if pres else 520,
                shade=True,
                presenter=pres,
                marker=[float(v) for v in at],
                hint="Click a dot: that example's code is ringed here and its activations drawn on the right.",
            ),
        )
    if click is not None and click["index"] >= 0 and (click["nonce"], click["seq"]) != state.seen:
        state.seen = (click["nonce"], click["seq"])
        state.i = int(click["index"])
        state.src = "data"  # a click shows that example again, not the drawing
        st.rerun()
    with left:
        st.number_input(
            f"Test example # (0–{len(x_test) - 1:,})",
            0,
            len(x_test) - 1,
            key=state.key("i"),
            step=1,
            on_change=lambda: setattr(state, "src", "data"),
        )
        st.caption("Your own input" if own is not None else f"Class **{ds.class_names[int(y_test[i])]}**")
    state.push("i", "own")
    return own.x if own is not None else x_test[i].numpy()


@st.cache_resource(show_spinner="Drawing M for this model…", max_entries=8)
def _view(path: str, mtime: float, _model, dataset: str):
    from aecore.analysis.manifold import manifold_view

    return manifold_view(_model, require_dataset(dataset))


def _toy(state: NetworkState, entry, model, left) -> np.ndarray:
    """Toy data: the representation picture itself, M with x and x̂; a click on a data point picks x."""
    v = _view(str(entry.path), entry.path.stat().st_mtime, model, entry.dataset)
    hl = mfig.highlight_from(selected_point(state.key("picture")))
    i = hl[1] if hl is not None and hl[0] == "point" else 0
    with left, main_visual():
        chart(
            mfig.picture_figure(v, highlight=("point", i), height=460 if is_presenter() else 560),
            state.key("picture"),
            on_select="rerun",
            selection_mode="points",
        )
        st.caption("Click a data point x (left panel) to ring it, its x̂ on M and its code z.")
    return v.x[i]


def _network(state: NetworkState, model, ds, x: np.ndarray) -> None:
    """The network as layers of units for this x, then x beside x̂ (and their difference)."""
    pres = is_presenter()
    layers = activations(model, x)
    # On a slide the network leaves room for x and x̂ under it, in the first screen (120 px at 720p).
    # Labels planned for the column's narrowest width (the sidebar open): plotly cannot re-lay them out.
    fig = network_figure(layers, height=320 if pres else 520, presenter=pres, width=column_width(viewport()[0], 6 / 11))
    chart(fig, state.key("network"), max_height=460)
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


main()
