"""Manifold: the representation picture, drawn live on toy data in R² and R³.

Layout and widget wiring only: every number comes from ``aecore.analysis`` (``manifold``, ``toy``,
``pca``, ``overfit``), every figure from ``latentlab.figures`` (``manifold``, ``pca``, ``overfit``,
``timelapse``). Trained toy models are cached per (dataset, k, family, seed, epochs) in an
``st.cache_resource`` store, shared by all sessions and never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from aecore.analysis import manifold as mf
from aecore.analysis.coding import image_grid
from aecore.analysis.overfit import OVERFIT, OVERFIT_LABEL, OVERFIT_NAME
from aecore.analysis.pca import linear_vs_pca
from aecore.analysis.toy import TOY_EPOCHS, toy_model_name
from aecore.data.importing import list_user_datasets
from aecore.data.sets import is_available
from aecore.data.toy import TOYS
from aecore.lecture import prepare
from aecore.storage.library import find_model
from latentlab.figures import manifold as mfig
from latentlab.figures.overfit import overfit_figure
from latentlab.figures.pca import contrast_figure, linear_pca_figure, matrix_latex
from latentlab.figures.timelapse import timelapse_animation, timelapse_schedule_text
from latentlab.figures.training import loss_curve
from latentlab.ui.loaders import computed_once, require_dataset
from latentlab.ui.plain import plain
from latentlab.ui.slide import note_model, note_model_named
from latentlab.ui.state import PageState, Setting, note_not_here, show_not_here
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header, selected_point, show_advanced, show_png

VIEWS = ["The picture", "k is a prior", "Linear AE vs PCA", "Overfitting", "Off-manifold probe", "Time-lapse"]
TOY_NAMES = list(TOYS)
CHART_CFG = {"displaylogo": False, "scrollZoom": True}

#: Figure height in presenter mode: the screen under the title and the row of views.
SLIDE_H = 470


class ManifoldState(PageState):
    """What the Manifold page remembers (``mf_…`` in the session and the URL)."""

    prefix = "mf"
    view = Setting(VIEWS[0])  # the view shown (VIEWS)
    data = Setting("parabola")  # the toy data set (or the user's table of 2 or 3 columns)
    k = Setting(1, int)  # the latent dimension
    seed = Setting(0, int)  # training and drawing (advanced)
    epochs = Setting(TOY_EPOCHS, int)
    segments = Setting(150, int)  # x → x̂ segments drawn
    lin = Setting("plane")  # Linear AE vs PCA: the data, "line" or "plane"
    px = Setting(None, float, later=True)  # the off-manifold probe's start x₀ (default: off M)
    py = Setting(None, float, later=True)
    pz = Setting(None, float, later=True)
    steps = Setting(6, int)  # the probe's round trips
    probe_last = Setting(None, url=False)  # the last click that placed x₀: a rerun sees it again
    # Widget keys (the button and the charts).
    retrain = Setting(None, url=False)
    kcmp = Setting(None, url=False)
    linfig = Setting(None, url=False)
    contrast = Setting(None, url=False)
    over = Setting(None, url=False)
    probe_dist = Setting(None, url=False)
    tl_fig = Setting(None, url=False)
    tl_loss = Setting(None, url=False)

    def chart_key(self, what: str, data: str, k: int) -> str:
        """The key of a clickable chart of one data set and k (``what``: "pic" or "probe"): its own per
        model, so that a selection on one is not read on another."""
        return f"{self.prefix}_{what}_{data}_{k}"

    def probe_names(self, dim: int) -> list[str]:
        """The settings of x₀'s coordinates in R^dim."""
        return ["px", "py", "pz"][:dim]


@dataclass
class Toy:
    """What every view draws from: the page's state, the toy data set picked and the model's recipe."""

    state: ManifoldState
    name: str
    ds: Any
    k: int
    seed: int
    epochs: int
    n_seg: int

    @property
    def true_dim(self):
        """The data's intrinsic dimension as the page says it: the toys know theirs, a user's table does not."""
        return self.ds.intrinsic_dim if self.ds.intrinsic_dim is not None else "unknown"


def main() -> None:
    page_header(
        "Manifold: the representation picture",
        "An autoencoder squeezes each point **x** into a code **z = f(x)** with only **k** numbers, then "
        "decodes it: **x̂ = g(z)**. Every possible code z decodes to some point g(z), so together they "
        "trace out a **k-dimensional shape M = g(ℝᵏ)** in data space: the *learned manifold*. "
        "This page draws M for real trained models on toy data you can see, in 2-D and 3-D.",
    )
    state = ManifoldState()
    if state.view not in VIEWS:
        state.view = VIEWS[0]
    view_name = st.radio("Show", VIEWS, key=state.key("view"), horizontal=True, label_visibility="collapsed")
    toy = _sidebar(state)
    state.push("view", "data", "k", "seed", "epochs", "segments")
    VIEW_FUNCS[view_name](toy)


def _sidebar(state: ManifoldState) -> Toy:
    """The toy data set, k and (advanced) the seed, the epochs and the segments drawn."""
    sb = st.sidebar
    sb.markdown("### Toy data and model")
    # The user's own tables of 2 or 3 columns can be drawn here too (data set name → its dimension).
    sets = list_user_datasets()
    yours = {d["name"]: d["input_dim"] for d in sets if d["kind"] == "table" and d["input_dim"] in (2, 3)}
    if state.data not in TOY_NAMES and state.data not in yours:
        asked = next((d for d in sets if d["name"] == state.data), None)
        state.data = "parabola"
        if asked is not None:  # one of the user's sets that this page cannot draw: said, not swapped silently
            what = "pictures" if asked["kind"] == "image" else f"a table of {asked['input_dim']} columns"
            note_not_here(
                state.key("data"),
                f"**'{plain(asked['name'])}' cannot be drawn here:** it is {what}, and this page draws data in R² "
                "or R³ (a toy set, or your table of 2 or 3 columns). Showing 'parabola' instead.",
                "parabola",
            )
    ds_name = sb.selectbox(
        "Data set",
        TOY_NAMES + list(yours),
        key=state.key("data"),
        format_func=lambda n: (
            f"{n}  (true dim {TOYS[n].intrinsic_dim}, in R{'²³'[TOYS[n].dim - 2]})"
            if n in TOYS
            else f"{n}  (yours, in R{'²³'[yours[n] - 2]})"
        ),
    )
    show_not_here(state.key("data"), ds_name)
    if state.k not in (1, 2, 3):
        state.k = 1
    k = sb.radio(
        "Latent dimension k",
        [1, 2, 3],
        key=state.key("k"),
        horizontal=True,
        help="The number of code units. M always has dimension k, whatever the data's.",
    )
    if show_advanced():
        with sb.expander("Training and drawing", expanded=False):
            st.number_input(
                "Seed", 0, 9999, key=state.key("seed"), help="Same seed, same model: the demo is identical every time."
            )
            st.select_slider("Epochs", [50, 100, 200, 400, 800], key=state.key("epochs"))
            st.slider("x → x̂ segments drawn", 0, 400, key=state.key("segments"), step=10)
    return Toy(state, ds_name, require_dataset(ds_name), k, int(state.seed), int(state.epochs), int(state.segments))


# ---------------------------------------------------------------- real images: deep AE vs PCA
DEEP_AE = "mnist-ae-30d"


def _deep_vs_pca_section() -> None:
    """The textbook result on real images, beside the toy linear-vs-PCA picture."""
    st.markdown("#### On real images: a deep AE against PCA (Hinton & Salakhutdinov, *Science* 2006)")
    try:
        entry = find_model(DEEP_AE)
    except KeyError:
        st.info(
            f"The shipped model `{DEEP_AE}` is missing: rebuild it with "
            f"`python scripts/build_checkpoints.py {DEEP_AE}`."
        )
        return
    if not is_available("mnist"):
        st.info(
            "This comparison needs MNIST. Put it in your data folder (`$AECORE_DATA`, torchvision's layout) "
            "or run `python -m aecore download mnist` where there is a network."
        )
        return
    note_model(entry)
    # Once per server (PCA-30 of 60,000 images and 10,000 reconstructions, ~3-5 s) behind a bar, and
    # once per machine on disk: `python -m aecore prepare` computes it ahead of a lecture.
    r = computed_once(
        ("deep-vs-pca", str(entry.path), entry.path.stat().st_mtime),
        "A deep AE against PCA on MNIST",
        lambda report: prepare.deep_vs_pca(entry, n_show=12, on_progress=report),
    )
    shape = (1, 28, 28)
    show_png(
        image_grid(np.vstack([r.x, r.pca_recon, r.ae_recon]), shape, 3, len(r.x), cell=56),
        caption=f"Top: test digits x. Middle: PCA-{r.k} (a flat {r.k}-D subspace). "
        f"Bottom: the deep AE 784-1000-500-250-{r.k} (a curved {r.k}-D manifold).",
    )
    a, b = st.columns(2)
    a.metric(
        f"PCA-{r.k}: squared error per test image",
        f"{r.pca_mean_err:.2f}",
        help="Summed over the 784 pixels, averaged over the 10,000 MNIST test images. The paper: 13.87.",
    )
    b.metric(
        f"Deep AE, k = {r.k}: squared error per test image",
        f"{r.ae_mean_err:.2f}",
        help="Same unit. The paper's deep AE: 3.00.",
    )
    # No metric delta: its arrow would point up for an error that went *down*.
    st.markdown(
        f"Same code size k = {r.k}, same data: the deep AE's error is **{r.ae_mean_err / r.pca_mean_err:.0%}** "
        "of PCA's. PCA can only project onto a flat subspace; the deep AE bends its manifold M along the "
        "digits, so it keeps strokes PCA blurs away."
    )


# ---------------------------------------------------------------- cached models
@st.cache_resource(show_spinner=False)
def _store() -> dict:
    """Trained toy models and their views, keyed by (what, dataset, k, family, seed, epochs, …).
    A plain dict in ``cache_resource`` (rather than a cached function) so that a first-time
    training run can drive a progress bar on the page."""
    return {}


def toy_model(name: str, k: int, family: str = "ae", seed: int = 0, epochs: int = TOY_EPOCHS):
    """A trained toy model: the shipped checkpoint when one matches the seeded recipe, else trained
    once (seconds, with a progress bar; ``python -m aecore prepare`` does it before the lecture)
    and kept on disk and for every session."""
    # Every run, cache hit or not: the slide's band names each model the view draws.
    note_model_named(
        toy_model_name(name, k, family, seed, epochs),
        f"{'A linear' if family == 'linear-ae' else 'An'} AE with k = {k} on {name} (seed {seed}, {epochs} epochs)",
    )
    key = ("model", name, k, family, seed, epochs)
    store = _store()
    if key not in store:
        label = f"Training a {'linear ' if family == 'linear-ae' else ''}AE with k = {k} on {name} (seed {seed})…"
        bar = st.empty()
        store[key] = prepare.toy_model(
            name, k, family, seed, epochs, on_progress=lambda f, t: bar.progress(f, text=f"{label} {t}")
        )
        bar.empty()
    return store[key]


def toy_view(name: str, k: int, family: str = "ae", seed: int = 0, epochs: int = TOY_EPOCHS):
    model, source = toy_model(name, k, family, seed, epochs)
    key = ("view", name, k, family, seed, epochs)
    store = _store()
    if key not in store:
        with st.spinner(f"Drawing M for k = {k} on {name}…"):
            store[key] = prepare.toy_view(name, k, family, seed, epochs, model)
    return model, store[key], source


def dim_word(n: int) -> str:
    return {1: "a curve", 2: "a surface", 3: "a volume"}.get(n, f"{n}-dimensional")


# ---------------------------------------------------------------- views
def _picture(toy: Toy) -> None:
    """The picture: the data, M, the segments x → x̂ and the latent line or grid, clickable."""
    k = toy.k
    model, v, source = toy_view(toy.name, k, "ae", toy.seed, toy.epochs)
    chart_key = toy.state.chart_key("pic", toy.name, k)
    hl = mfig.highlight_from(selected_point(chart_key))
    fig = mfig.picture_figure(v, highlight=hl, segments=toy.n_seg)
    chart(
        fig, chart_key, main_visual(), config=CHART_CFG, max_height=SLIDE_H, on_select="rerun", selection_mode="points"
    )
    hint = (
        "Click a square on the latent line/grid (right) or a point of M (left, 2-D data): the ring marks "
        "the same z in both panels. Click a data point x to ring x, its x̂ and its code z."
        if v.dim == 2
        else "Click a square in the latent panel (right): the ring marks g(z) on M in the 3-D panel. "
        "Hover M to read its z and reliability. Drag to rotate the 3-D view."
    )
    st.caption(hint)
    if hl is not None:
        kind, i = hl
        if kind == "grid":
            st.info(
                f"Selected z = ({', '.join(f'{c:.2f}' for c in v.grid_z[i])}) → g(z) = "
                f"({', '.join(f'{c:.2f}' for c in v.m[i])}); reliability {v.reliability[i]:.2f}"
                + (" (extrapolated: no training code near this z)" if v.reliability[i] < 0.2 else "")
            )
        else:
            st.info(
                f"Selected x = ({', '.join(f'{c:.2f}' for c in v.x[i])}) → z = f(x) = "
                f"({', '.join(f'{c:.2f}' for c in v.z[i])}) → x̂ = ({', '.join(f'{c:.2f}' for c in v.xhat[i])}); "
                f"error ‖x − x̂‖ = {np.linalg.norm(v.x[i] - v.xhat[i]):.3f}"
            )
    _picture_reading(toy, v)
    st.caption(f"Model: {source}. Data: {toy.ds.description}")


def _picture_reading(toy: Toy, v) -> None:
    """The picture's measurements and how to read it, its numbers from the view ``v``."""
    k = toy.k
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Mean distance of x to M", f"{v.x_dist_to_m:.3f}")
    c2.metric(
        "Mean distance of x̂ to M", f"{v.xhat_dist_to_m:.4f}", help=f"Within the grid resolution {v.resolution:.4f}"
    )
    c3.metric("Test MSE", f"{v.test_mse:.4f}")
    c4.metric("M's dimension / data's", f"{k} / {toy.true_dim}")
    faded = float((v.reliability < 0.2).mean())
    # A curve is measured exactly (distance to the polyline); a surface or volume against its grid
    # points (finer than the figure draws), only as close together as the grid spacing: say so.
    on_m = (
        f"measured mean distance {v.xhat_dist_to_m:.4f}, the drawing's resolution"
        if k == 1
        else f"measured against the grid points of M: mean distance {v.xhat_dist_to_m:.3f}, within the grid "
        f"spacing {v.resolution:.3f}"
    )
    st.markdown(
        f"""
**How to read it.**
1. **x is not on M; x̂ is.** Blue dots are data points x. Each grey segment runs from x to its reconstruction
   x̂ = g(f(x)), a black dot. The autoencoder can only output points of M, so every x̂ lies *on* M, by
   construction ({on_m}) while the data lie *near* it (mean distance {v.x_dist_to_m:.3f}).
   The segment is the reconstruction error.
2. **M is reliable only where codes are dense.** M was drawn by decoding a latent {"line" if k == 1 else "grid"}
   that reaches beyond the training codes (right panel: squares = latent points, blue marks = codes of the data).
   Solid parts of M come from z where training codes are dense; the loss shaped them. Faded parts come from z
   that no training point maps to: pure extrapolation, which nothing constrained ({faded:.0%} of this drawing).
   The fade is smooth, as the density is, with no hard cut-off.
3. **k is a prior.** You chose k = {k}, so M is {dim_word(k)}, whatever the data are (true intrinsic
   dimension {toy.true_dim}). See **k is a prior** above.
"""
    )


def _k_is_a_prior(toy: Toy) -> None:
    """The same data with k = 1, 2, 3: M is a curve, a surface, a volume, whatever the data."""
    ks = [1, 2, 3]
    views = [toy_view(toy.name, kk, "ae", toy.seed, toy.epochs)[1] for kk in ks]
    chart(mfig.k_compare_figure(views), toy.state.key("kcmp"), main_visual(), config=CHART_CFG, max_height=SLIDE_H)
    rows = mf.compare_latent_dims({kk: toy_model(toy.name, kk, "ae", toy.seed, toy.epochs)[0] for kk in ks}, toy.ds)
    st.dataframe(rows, hide_index=True, column_config={"test MSE": st.column_config.NumberColumn(format="%.5f")})
    st.markdown(
        f"""
**The latent dimension k is a choice you make before training, not something the network discovers.**
The same {toy.name} data (true intrinsic dimension **{toy.true_dim}**) give a curve for k = 1, a surface for
k = 2 and a volume for k = 3: M always has dimension k.
- k **smaller** than the data's dimension: M cannot cover the data; the error stays large, the segments long.
- k **equal**: M can lie along the data, and the codes become coordinates on it.
- k **larger**: M is too roomy; it reaches points off the data too, so a low error no longer means the
  structure was found (in the limit, g∘f is just the identity).
"""
    )


def _linear_vs_pca(toy: Toy) -> None:
    """A linear AE spans the PCA subspace (in other coordinates); what it cannot bend; a deep AE on
    real images against PCA."""
    state = toy.state
    if state.lin not in ("line", "plane"):
        state.lin = "plane"
    # Presenter mode: the choice goes to the sidebar, the figure to the top of the slide.
    lin = (st.sidebar if is_presenter() else st).radio(
        "Data",
        ["line", "plane"],
        key=state.key("lin"),
        horizontal=True,
        format_func=lambda n: {"line": "line in R² (k = 1)", "plane": "tilted plane in R³ (k = 2)"}[n],
    )
    state.push("lin")
    lmodel, lview, lsource = toy_view(lin, 1 if lin == "line" else 2, "linear-ae", toy.seed, toy.epochs)
    lp = linear_vs_pca(lmodel, require_dataset(lin))
    # On a slide the 3-D figure needs the whole width (its legend wraps into a narrow column).
    left, right = (st.container(), st.container()) if is_presenter() else st.columns([3, 2], gap="large")
    with left:
        chart(linear_pca_figure(lview, lp), state.key("linfig"), main_visual(), config=CHART_CFG, max_height=SLIDE_H)
    with right:
        st.markdown("#### The same subspace, other coordinates")
        # A short label (Streamlit cuts a long one with "…" in this column); the tooltip says it whole.
        st.metric(
            "Largest principal angle, M vs PCA",
            f"{lp.max_angle:.2f}°",
            help="The largest principal angle between the linear AE's M and the PCA subspace: 0° when they "
            "are the same line or plane.",
        )
        st.markdown(
            "A linear AE (no nonlinearity anywhere) can only draw a flat M: a line or plane. "
            "Trained on squared error, it finds **the PCA subspace**: green (PCA) and vermillion (AE) coincide."
        )
        st.markdown(f"Test MSE: linear AE **{lp.ae_mse:.5f}**, PCA **{lp.pca_mse:.5f}**: the same fit.")
        st.caption(f"Model: {lsource}.")
    st.markdown(
        "But the AE's codes z are **not** the PCA scores s. Fitting s from z by least squares gives the "
        "change of basis:"
    )
    st.latex(matrix_latex(lp.change_of_basis, lp.offset))
    st.markdown(
        f"Relative residual of that fit: **{lp.residual:.4f}** (≈ 0). The codes are an invertible linear "
        "change of basis of the PCA scores: **the same subspace, in different (not orthogonal, not "
        "variance-ordered) coordinates**."
    )
    _linear_cannot_bend(toy)
    st.divider()
    _deep_vs_pca_section()


def _linear_cannot_bend(toy: Toy) -> None:
    """The parabola with k = 1: a linear AE's straight M beside a nonlinear AE's bent one."""
    st.divider()
    st.markdown("#### What a linear AE cannot do: the parabola y = x² + ε")
    _, pl_view, _ = toy_view("parabola", 1, "linear-ae", toy.seed, toy.epochs)
    _, pn_view, _ = toy_view("parabola", 1, "ae", toy.seed, toy.epochs)
    chart(contrast_figure(pl_view, pn_view), toy.state.key("contrast"), config=CHART_CFG)
    st.markdown(
        f"With k = 1 a linear AE's M is a straight line: the best it can do is PCA's first axis, and the parabola's "
        f"bend is lost for good (test MSE {pl_view.test_mse:.4f}, the segments stay long). "
        f"A nonlinear AE with the same "
        f"k = 1 bends its M along the data (test MSE {pn_view.test_mse:.4f}). Same k, same data: the difference is the "
        f"shape of M the decoder is able to draw."
    )


def _overfitting(toy: Toy) -> None:
    """The overfitting preset: M through every noisy training point while the held-out error rises."""
    P = OVERFIT
    fig_box = main_visual()  # the figure goes first; the preset's description under it
    st.markdown(
        f"**Preset:** only **{P['n_train']} noisy training points** from the parabola, a big network "
        f"(hidden layers {', '.join(map(str, P['hidden']))}), k = 1, {P['epochs']} epochs, no early stopping. "
        "Held-out points come from the same distribution but are never trained on."
    )
    note_model_named(OVERFIT_NAME, OVERFIT_LABEL)
    key = ("overfit", toy.seed)
    store = _store()
    if key not in store:
        bar = st.empty()
        store[key] = prepare.overfit(
            toy.seed,
            on_progress=lambda f, t: bar.progress(
                f, text=f"Training the overfitting preset (once; `python -m aecore prepare` does it ahead)… {t}"
            ),
        )
        bar.empty()
    run = store[key]
    chart(overfit_figure(run), toy.state.key("over"), fig_box, config=CHART_CFG, max_height=SLIDE_H)
    i_best = int(np.argmin(run.heldout_mse))
    a, b, c = st.columns(3)
    a.metric("Training error at the end", f"{run.train_mse[-1]:.5f}")
    b.metric(f"Held-out error, best (epoch {run.best_epoch})", f"{run.heldout_mse[i_best]:.4f}")
    c.metric(
        "Held-out error at the end",
        f"{run.heldout_mse[-1]:.4f}",
        delta=f"{run.heldout_mse[-1] / run.heldout_mse[i_best]:.1f}× the best",
        delta_color="inverse",
    )
    st.markdown(
        "**Overfitting, seen as geometry.** Early on (dashed green) M is a smooth curve near the parabola. With "
        "enough capacity and training, M bends to pass *through every training point*, noise included: the "
        "training error goes to ≈ 0 while the error on new points **rises**. Zero training error only says M "
        "passes through the training points; how M behaves between them is what matters. Fixes: more data, a "
        "smaller network, or stop at the best held-out epoch."
    )


def _probe_start(toy: Toy, v) -> list[str]:
    """Seed x₀ (default: a point clearly off M) and move it where the plot was clicked; returns the
    names of its coordinates' settings."""
    state, dim = toy.state, v.dim
    names = state.probe_names(dim)
    defaults = (v.x.min(0) + 0.8 * (v.x.max(0) - v.x.min(0))).round(2)
    if dim == 2:  # a point above the middle of the data: clearly off M for every toy set
        defaults = np.array(
            [
                float(np.round(v.x[:, 0].mean() + 0.35 * v.x[:, 0].std(), 2)),
                float(np.round(v.x[:, 1].max() + 0.1 * np.ptp(v.x[:, 1]), 2)),
            ]
        )
    for name, d in zip(names, defaults):
        state.seed_setting(name, float(d))
    chart_key = state.chart_key("probe", toy.name, toy.k)
    pt = selected_point(chart_key)
    cd = pt.get("customdata") if pt else None
    if isinstance(cd, (list, tuple)) and len(cd) == 3 and cd[0] == "place":
        sig = (chart_key, round(float(cd[1]), 4), round(float(cd[2]), 4))
        if state.probe_last != sig:
            state.probe_last = sig
            setattr(state, names[0], round(float(cd[1]), 2))
            setattr(state, names[1], round(float(cd[2]), 2))
    return names


def _off_manifold_probe(toy: Toy) -> None:
    """x₀ anywhere, then x → g(f(x)) again and again: one pass lands on M, the next ones slide along it."""
    state = toy.state
    model, v, source = toy_view(toy.name, toy.k, "ae", toy.seed, toy.epochs)
    names = _probe_start(toy, v)
    # Presenter mode: the start point's inputs go to the sidebar, the plot to the top of the slide.
    cols = (st.sidebar if is_presenter() else st).columns(v.dim + 1)
    for col, name, lab in zip(cols, names, ["x₁", "x₂", "x₃"]):
        col.number_input(f"x₀: {lab}", -5.0, 5.0, key=state.key(name), step=0.05, format="%.2f")
    cols[-1].slider("Iterations", 1, 20, key=state.key("steps"))
    state.push(*names, "steps")
    x0 = [float(getattr(state, n)) for n in names]
    pr = mf.round_trips(model, x0, v, steps=int(state.steps))
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart(
            mfig.probe_figure(v, pr),
            state.chart_key("probe", toy.name, toy.k),
            main_visual(),
            config=CHART_CFG,
            max_height=SLIDE_H,
            on_select="rerun",
            selection_mode="points",
        )
        if v.dim == 2:
            st.caption("Click anywhere in the plot to move x₀ there.")
    with right:
        st.markdown(f"#### Start anywhere: x₀ = ({', '.join(f'{c:.2f}' for c in x0)})")
        st.markdown(
            f"f(x₀) = z = ({', '.join(f'{c:.3f}' for c in pr.codes[0])}) &nbsp;→&nbsp; "
            f"g(f(x₀)) = ({', '.join(f'{c:.3f}' for c in pr.points[1])})"
        )
        chart(mfig.probe_distance_figure(pr), state.key("probe_dist"), config=CHART_CFG, max_height=300)
        st.markdown(
            f"x₀ is at distance **{pr.dist_to_m[0]:.3f}** from M. One pass through the autoencoder lands on M "
            f"(distance {pr.dist_to_m[1]:.4f}): g can only output points of M. Repeating x → g(f(x)) then slides "
            f"along M and settles at a fixed point of g∘f (after {pr.converged_step} step(s) here). "
            "This is the autoencoder as a *projection onto M*, and why denoising works: noise pushes x off M, one "
            "pass pulls it back. It is not the *nearest* point of M, though: f decides where you land."
        )


def _time_lapse(toy: Toy) -> None:
    """The seeded training as a film of M unfolding, beside its loss curve; "Train again, live"."""
    state, k = toy.state, toy.k
    key = ("timelapse", toy.name, k, toy.seed, toy.epochs)
    store = _store()
    left, right = st.columns([3, 2], gap="large")
    fig_left = main_visual(left)  # the film first; its controls under it
    top = st.columns([3, 1])
    about = top[0].empty()  # says which epochs the film shows, once it is built
    live = top[1].button(
        "Train again, live",
        key=state.key("retrain"),
        help="Re-run the seeded training in front of the class: the same film again, frame by frame.",
    )
    if live or key not in store:
        label = f"Training live: AE, k = {k}, {toy.name}"
        bar = st.progress(0.0, text=label)
        progress = lambda f, t: bar.progress(f, text=f"{label} · {t}")  # noqa: E731
        # "Train again, live": the film made again in front of the class, not read from disk.
        make = prepare.train_timelapse if live else prepare.timelapse
        store[key] = make(toy.name, k, toy.seed, toy.epochs, on_progress=progress)
        bar.empty()
    run, base = store[key]
    akey = ("timelapse-film",) + key[1:]
    if live or akey not in store:  # the film's frames: built once, sent once, played in the browser
        store[akey] = timelapse_animation(base, run.snapshots, run.grid_shape, run.sample_x)
    film = store[akey]
    about.markdown(
        f"Live training of an AE with k = {k} on **{toy.name}**, seeded (seed {toy.seed}, {toy.epochs} epochs): "
        f"{timelapse_schedule_text([int(f.name) for f in film.frames])}. M changes most at the start, "
        "so the frames are dense there: the slider's steps are even, the epochs under them are not."
    )
    chart(film, state.key("tl_fig"), fig_left, config=CHART_CFG, max_height=SLIDE_H)
    with right:
        chart(
            loss_curve(run.history, height=260, log=True, y_title="loss (MSE, log)"),
            state.key("tl_loss"),
            config=CHART_CFG,
            max_height=SLIDE_H,
        )
        st.markdown(
            "Press **▶ Play**, or drag the epoch slider. At epoch 0 the network is untrained: its random weights "
            "send every code to almost the same point, so M is a tiny blob and every segment x → x̂ is long. As "
            "training goes on, M grows toward the data and **unfolds** along it; the segments shrink. Same seed, "
            "same film: the lecture demo is identical every time."
        )


#: Each view's function, by the name on its tab.
VIEW_FUNCS = dict(
    zip(VIEWS, (_picture, _k_is_a_prior, _linear_vs_pca, _overfitting, _off_manifold_probe, _time_lapse), strict=True)
)


main()
