"""Compare: two models' latent planes of the same examples side by side, linked; what a selection
holds; attribute vectors.

Hover a dot on one plane and the same example is ringed on the other. Select on either (Box, Lasso,
or double-click a class in the legend): the other plane shows where the same examples went, and the
panel below summarises them (grid, classes, mean input and g of the mean code, the boundary between
the two largest classes). The selection travels in the URL. PCA is the baseline "model" every data
set has.

Layout and widget wiring only: the numbers come from ``aecore.analysis.compare``, the planes from
``latentlab.ui.loaders.sides_for`` (``latentlab.server.plane`` files drawn by the one plane component).
The page is :func:`main`; its view state is :class:`CompareState` (the selection's own keys are
:class:`latentlab.ui.selection.PlaneSelection`'s, under the same prefix).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from aecore.analysis import coding
from aecore.analysis import compare as CMP
from aecore.storage.library import list_models
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.loaders import pick_loaded, pixel_classifier_for, sides_for
from latentlab.ui.selection import Coded, Plane, PlaneSelection, selection_panel
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import PRESENTER_MAP_HEIGHT, is_presenter, main_visual, page_header, show_png, slide_height

#: "From": the current selection instead of a class.
SELECTED = -1


class CompareState(PageState):
    """What the Compare page remembers (``cmp_…`` in the session and the URL)."""

    prefix = "cmp"
    a = Setting(None)  # model A (the sidebar picker's key)
    b = Setting(None)  # model B: another model of A's data set, or the PCA baseline
    frm = Setting(None, int, name="from")  # attribute vector: from this class (or SELECTED)
    to = Setting(None, int)  # … toward this class
    alpha = Setting(1.0, float)  # … this far (1 = the whole difference)
    map_a = Setting(None, url=False)  # the planes' component keys
    map_b = Setting(None, url=False)


def main() -> None:
    page_header(
        "Compare models",
        "The same test examples under two models, side by side. **Hover** a dot: the same example is ringed "
        "on the other plane. **Select** with Box or Lasso (or double-click a class in the legend): the other "
        "plane lights up where those examples went, and the panel below shows what you selected.",
    )
    state = CompareState()
    entry, ck, ds = pick_loaded(state.key("a"), label="Model A", kind="image")
    name_b = _model_b(state, entry)
    split = "test"
    # A first visit encodes both models' 70,000 images and draws their planes (seconds, behind a bar).
    a, b = sides_for((entry.name, name_b), entry.dataset, split)
    sides = {"a": a, "b": b}
    y_np = ds.split(split)[1].numpy()
    sel = _planes(state, sides, y_np, ds, split)
    st.divider()
    _attribute_vectors(state, entry, ds, a, y_np, sel)


def _model_b(state: CompareState, entry) -> str:
    """Model B: any other model of the same data set, or the PCA baseline every data set has; by
    default the natural partner (the other family at the same k: AE ↔ VAE), else the baseline."""
    others = [m for m in list_models() if m.dataset == entry.dataset and m.name != entry.name]
    choices = [m.name for m in others] + [CMP.PCA_BASELINE]
    labels = {m.name: m.label for m in others} | {
        CMP.PCA_BASELINE: f"PCA, k = 2 · the linear baseline, {entry.dataset}"
    }
    if state.b not in choices:
        twin = {"ae": "vae", "vae": "ae", "conv-ae": "conv-vae", "conv-vae": "conv-ae"}.get(entry.family)
        same_k = [m.name for m in others if m.family == twin and m.latent_dim == entry.latent_dim and not m.corruption]
        state.b = (same_k or [CMP.PCA_BASELINE])[0]
    return st.sidebar.selectbox("Model B (same data set)", choices, key=state.key("b"), format_func=labels.get)


def _planes(state: CompareState, sides: dict, y_np: np.ndarray, ds, split: str):
    """The two linked planes, the selection made on either, and its panel; returns the selection (or
    ``None``)."""
    a, b = sides["a"], sides["b"]
    selection = PlaneSelection(
        state.prefix,
        {side: Plane(state.key(f"map_{side}"), sd.url, sd.points) for side, sd in sides.items()},
        y_np,
        scope=(a.name, b.name),
    )
    cols = st.columns(2, gap="medium")
    # On a slide the model's name, the plane, its legend and its tools fit the first screen.
    height = slide_height(PRESENTER_MAP_HEIGHT - 80) if is_presenter() else 560
    for (side, sd), col in zip(sides.items(), cols):
        with col, main_visual() if side == "a" else st.container():
            st.markdown(f"**{side.upper()}: {sd.label}**")
            latent_map(
                sd.url,
                key=state.key(f"map_{side}"),
                options=PlaneOptions(
                    height=height,
                    shade=True,
                    presenter=is_presenter(),
                    select=True,
                    local=True,  # a click decodes in the inset; the page answers selections, not clicks
                    link="cmp",
                    selected=selection.shown(side),
                    hint=""
                    if is_presenter()
                    else "Hover: the same example rings on the other plane. Box or Lasso to select.",
                ),
            )
    if selection.update():  # a new selection: both planes and the panel show it
        st.rerun()
    state.push("b")
    sel = selection.current
    if sel is None:
        st.info(
            "Select with **Box** or **Lasso** on either plane (or double-click a class in a legend) to see "
            "what you selected and where the same examples lie under the other model."
        )
        return None
    me, other = ("a", "b") if sel["side"] == "a" else ("b", "a")
    coded = {s: Coded(s.upper(), sd.model, sd.codes, sd.density, sd.url) for s, sd in sides.items()}
    st.divider()
    selection_panel(state.prefix, sel["indices"], ds, split, coded[me], coded[other])
    return sel


def _attribute_vectors(state: CompareState, entry, ds, a, y_np: np.ndarray, sel) -> None:
    """Attribute vectors on A: the move from one class's mean code (or the selection's) toward
    another's, judged by a pixel classifier and by the code density."""
    st.subheader("Attribute vectors on A: move codes from one class toward another")
    st.caption(
        "The vector from one class's mean training code (or your selection's mean code) to another class's, added "
        "to the codes of the first class's test examples (or of the selected ones), with a slider for how far. A "
        "classifier trained on the training pixels (logistic regression) judges the decoded images; the density "
        "says how many moved codes still sit where g was trained."
    )
    names = list(ds.class_names)
    c_ctrl, c_out = st.columns([1, 3], gap="large")
    with c_ctrl:
        if state.frm is None:
            state.frm = min(3, len(names) - 1)
        if state.to is None:
            state.to = min(8, len(names) - 1)
        sources = list(range(len(names))) + ([SELECTED] if sel is not None else [])
        if state.frm not in sources:
            state.frm = min(3, len(names) - 1)
        frm = st.selectbox(
            "From", sources, key=state.key("frm"), format_func=lambda c: "your selection" if c == SELECTED else names[c]
        )
        to = st.selectbox("Toward class", range(len(names)), key=state.key("to"), format_func=lambda c: names[c])
        alpha = st.slider("How far (1 = the whole difference)", 0.0, 2.0, key=state.key("alpha"), step=0.1)
        state.push("frm", "to", "alpha")
    with c_out:
        if frm == to:
            st.info("Pick two different classes.")
        else:
            _move(entry, ds, a, y_np, sel, names, frm, to, alpha)


def _move(entry, ds, a, y_np: np.ndarray, sel, names: list, frm: int, to: int, alpha: float) -> None:
    """The moved codes' decodings (before above, after below) and what the classifier and the
    density say of them."""
    means = CMP.class_mean_codes(a.train_codes, ds.y_train.numpy(), len(names))
    if frm == SELECTED:  # the selected examples' codes on A (wherever they were selected)
        src, start, what = a.codes[sel["indices"]], a.codes[sel["indices"]].mean(0), "selected examples"
    else:
        src, start, what = a.codes[y_np == frm], means[frm], f"test images of “{names[frm]}”"
    clf = pixel_classifier_for(entry.dataset)
    mv = CMP.attribute_move(a.model, src, means[to] - start, alpha, a.density, classifier=clf, target=to)
    m1, m2 = st.columns(2)
    m1.metric(
        f"Decodings called “{names[to]}”",
        f"{mv.called_after:.0%}",
        delta=f"{mv.called_after - mv.called_before:+.0%} (before: {mv.called_before:.0%})",
        help=f"Of the {len(src):,} {what}, the share whose decoded image the pixel "
        "classifier calls the target class, after the move (and before it, at α = 0).",
    )
    m2.metric(
        "Moved codes in dense regions",
        f"{mv.dense_after:.0%}",
        delta=f"{mv.dense_after - mv.dense_before:+.0%} (before: {mv.dense_before:.0%})",
        delta_color="normal",
        help="Share of moved codes where training codes are dense (above the 'extrapolating' threshold).",
    )
    k_show = min(10, len(mv.x_before))
    grid = np.r_[mv.x_before[:k_show], mv.x_after[:k_show]]  # (2·n, D): before above, after below
    show_png(
        coding.image_grid(grid, ds.image_shape, 2, k_show, cell=48),
        width=min(56 * k_show, 560),
        alt=f"top row: g(z) of the first {k_show} {what}; bottom row: the same codes moved toward “{names[to]}”",
    )
    st.caption(f"Top: g(z) of the first {k_show} {what}. Bottom: g(z + {alpha:.1f} · v).")
    st.markdown(
        f"<span data-testid='cmp-attr' data-before='{mv.called_before:.4f}' data-after='{mv.called_after:.4f}'></span>",
        unsafe_allow_html=True,
    )


main()
