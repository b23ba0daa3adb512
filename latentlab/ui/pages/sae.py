"""Sparse autoencoders: the autoencoder that explains another network.

An SAE trained on the data set's classifier's (the judge's) penultimate layer writes each image's layer as
a sum of a few of 1,024 learned directions (features). The slide: one feature's card (its top-activating
test images, the classes its direction pushes up and down) beside steering (clamp the feature on one
image, watch the classifier's probabilities). Below: the card's histogram and nearest features, the
gallery by frequency or by class, the metrics beside a bottleneck, the L1 and an untrained SAE, the
sparse-probing table and the trained-vs-random purity. Numbers from ``aecore.analysis.sae`` (through
``aecore.lecture.prepare``), words from ``aecore.analysis.words``. The page is :func:`main`; its view
state is :class:`SAEState`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from aecore.analysis import coding, words
from aecore.analysis.judge import judge_for
from aecore.analysis.sae import encode_acts, features_for_class, flip_values, steer
from aecore.data.sets import is_available
from aecore.storage.saes import sae_path
from latentlab.figures.sae import activation_histogram_figure, class_effect_figure, probing_figure, steer_figure
from latentlab.ui.demo_common import pick_test_example, set_label
from latentlab.ui.glossary import gloss
from latentlab.ui.loaders import require_dataset, sae_dashboard_for, sae_for
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header, show_png, slide_height

SETS = ("mnist", "fashion-mnist")  # the shipped SAEs' data sets (scripts/build_checkpoints.py)
GALLERY_ROWS = 3  # a gallery page: GALLERY_ROWS × GALLERY_COLS features
GALLERY_COLS = 8
N_SHOWN_TOP = 12  # a card's top-activating images


class SAEState(PageState):
    """What the sparse-autoencoder page remembers (``sa_…`` in the session and the URL)."""

    prefix = "sa"
    data = Setting("mnist")  # the data set (its shipped {data}-sae-topk)
    feature = Setting(-1, int)  # the feature whose card is open (-1: the demo's, aecore.analysis.sae.demo_pair)
    cls = Setting(-1, int)  # search by class: the gallery's class (-1: every feature, by frequency)
    i = Setting(-1, int)  # the test image steered (-1: the demo's, aecore.analysis.sae.demo_pair)
    gpage = Setting(1, int)  # the gallery's page (1: the first)
    another = Setting(None, url=False)  # the "Another image" button
    effects = Setting(None, url=False)  # the charts' keys
    probs = Setting(None, url=False)
    hist = Setting(None, url=False)
    probing = Setting(None, url=False)

    def value_key(self, data: str, f: int, i: int) -> str:
        """The steering slider's key: one per feature and image, so each starts at its own value."""
        return f"{self.prefix}_value_{data}_{f}_{i}"

    def open_key(self, where: str, n: int) -> str:
        """The key of the ``n``-th button that opens a feature ``where`` ("nb": nearest, "g": gallery)."""
        return f"{self.prefix}_{where}_{n}"


def main() -> None:
    page_header(
        "Sparse autoencoders: reading a classifier's layer",
        "The same object as every autoencoder here (encoder, code, decoder, reconstruction loss) with the "
        "bottleneck turned inside out: a **sparse autoencoder** (SAE) trained on the 128 numbers an image "
        "classifier computes just before its answer. Its code has **1,024 features** (8 × more numbers than its "
        "input), of which only a few may be non-zero for any image (L0), so each image's layer becomes a sum of "
        "a few learned directions that can be named. Open a feature to see the test images it fires on most "
        "and the classes it pushes; clamp it on an image and watch the classifier change its mind.",
    )
    state = SAEState()
    ds, dash = _sidebar(state)
    f = int(state.feature)
    pres = is_presenter()
    x_test = ds.split("test")[0].numpy()  # (N, D)
    left, right = main_visual().columns([3, 2], gap="large")
    with left:
        _card(state, ds, dash, f, x_test, pres)
    with right:
        steered, target, flip = _steering(state, ds, dash, f, x_test, pres)
    _card_details(state, ds, dash, steered, len(x_test), target, flip)
    _gallery(state, ds, dash, x_test)
    _metrics(state, dash)


def _chart_px() -> int:
    """A slide chart's ``slide_px`` (:func:`latentlab.ui.theme.chart` adds the window's extra height to
    it): 250 px at 720p, and half of every extra pixel of window height, not all (the pictures above
    the charts grow too)."""
    return 250 - (slide_height(250) - 250) // 2


def _sidebar(state: SAEState):
    """The data set (those with a shipped SAE), the feature, the class search and the steered image."""
    sb = st.sidebar
    shipped = [d for d in SETS if sae_path(d, "topk").is_file()]
    sets = [d for d in shipped if is_available(d)]
    if not sets:
        st.info(
            "No sparse autoencoder is shipped with this copy of Latent Lab (`aecore/checkpoints/saes/`)."
            if not shipped
            else "The sparse autoencoders read the layer of a classifier of "
            + " and ".join(set_label(d) for d in shipped)
            + ", and neither data set is on this machine. Put them in `$AECORE_DATA` (torchvision's layout; "
            "`python -m aecore download mnist` where there is a network) and open this page again."
        )
        st.stop()
    if state.data not in sets:
        state.data = sets[0]
    sb.radio("Data set", sets, key=state.key("data"), format_func=set_label)
    ds = require_dataset(str(state.data))
    dash = sae_dashboard_for(str(state.data))
    n_feat, n_test, names = len(dash.cards.freq), len(ds.split("test")[0]), ds.class_names
    if not 0 <= state.feature < n_feat:
        state.feature = int(dash.demo["feature"])
    sb.number_input(
        f"Feature # (0–{n_feat - 1:,})",
        0,
        n_feat - 1,
        key=state.key("feature"),
        step=1,
        help="Or click one in the gallery below (sorted by how often each fires).",
    )
    if not -1 <= state.cls < len(names):
        state.cls = -1
    sb.selectbox(
        "Search features by class",
        [-1, *range(len(names))],
        key=state.key("cls"),
        format_func=lambda c: "any class (by frequency)" if c < 0 else f"{names[c]}",
        help="The gallery lists the features whose activation falls most on this class's test images.",
    )
    pick_test_example(state, n_test, "Test image to steer #", "Another image", default=int(dash.demo["image"]))
    state.push("data", "feature", "cls", "i", "gpage")
    return ds, dash


def _card(state: SAEState, ds, dash, f: int, x_test: np.ndarray, pres: bool) -> None:
    """The feature's card on the slide: what it fires on, and what it pushes."""
    cards, names = dash.cards, ds.class_names
    top = [int(j) for j in cards.top[f] if j >= 0]
    head = f"**Feature #{f}** fires on **{cards.freq[f]:.1%}** of test images"
    if not np.isnan(cards.purity[f]):
        counts = np.bincount(ds.split("test")[1].numpy()[top], minlength=len(names))
        head += f"; its top {len(top)} are {cards.purity[f]:.0%} **{names[int(counts.argmax())]}**"
    st.markdown(head + ".")
    with st.container(key="sa_top_images"):
        if top:
            show_png(
                [coding.to_display(x_test[j], ds.image_shape, 56) for j in top],
                alt=[f"test image #{j}, activation {a:.2f}" for j, a in zip(top, cards.top_acts[f])],
                width=64 if pres else 72,
            )
        else:
            st.markdown("It fires on **no** test image: a dead feature.")
    chart(
        class_effect_figure(cards.effects[f], names, height=280),
        state.key("effects"),
        slide_px=_chart_px() if pres else None,
    )


def _steering(state: SAEState, ds, dash, f: int, x_test: np.ndarray, pres: bool):
    """Clamp the feature on one test image: the slider, the image and the classifier's probabilities."""
    i, names = int(state.i), ds.class_names
    sae, judge = sae_for(ds.name), judge_for(ds.name)
    head = judge.model.head
    act = judge.features(x_test[i : i + 1])[0]  # (D,) the image's layer
    own = float(encode_acts(sae, act[None])[0][0, f])  # the feature's own activation on it
    target = int(np.argmax(dash.cards.effects[f]))  # the class its direction pushes most
    flip = float(flip_values(sae, head, act[None], f, target)[0])  # the clamp that makes it that class
    top = max(float(dash.cards.hist_max[f]), own, 1.0)
    # Up to twice its strongest test activation, or far enough to flip the call (within 8 ×).
    hi = float(np.ceil(min(max(2 * top, 1.25 * flip if np.isfinite(flip) else 0.0), 8 * top)))
    a, b = st.columns([1, 3], vertical_alignment="center")
    with a:
        show_png(coding.to_display(x_test[i], ds.image_shape, 112), alt=f"test image #{i}", width=96 if pres else 112)
    with b:
        value = st.slider(
            f"Clamp feature #{f} on test image #{i}",
            0.0,
            hi,
            value=round(own, 2),
            step=0.01,
            key=state.value_key(ds.name, f, i),
            help="The layer becomes its own activations plus (clamped − own value) × the feature's direction: "
            "the SAE's error is kept, so the feature's own value gives the classifier's own answer.",
        )
    s = steer(sae, head, act, f, value)
    chart(
        steer_figure(s.original_probs, s.probs, names, height=280),
        state.key("probs"),
        slide_px=_chart_px() if pres else None,
    )
    order = np.argsort(-s.probs, kind="stable")[:3]
    with st.container(key="sa_readout"):
        st.markdown(
            f"#{f} = {s.value:.2f}: "
            + " · ".join(f"P({names[c]}) {s.original_probs[c]:.1%} → **{s.probs[c]:.1%}**" for c in order),
        )
    return s, target, flip


def _card_details(state: SAEState, ds, dash, s, n_test: int, target: int, flip: float) -> None:
    """Below the slide: the words for the steering ``s`` (:class:`aecore.analysis.sae.Steered`; clamping
    to ``flip`` or more makes the call ``target``), the feature's histogram and its nearest features
    (buttons that open them)."""
    f = s.feature
    st.markdown(words.steer_words(f, s.value, s.original, s.original_probs, s.probs, ds.class_names, target, flip))
    firing = ", ".join(f"#{j} ({v:.2f})" for j, v in zip(s.active, s.active_values))
    st.caption(f"Features the SAE finds firing on the steered layer, strongest first: {firing or 'none'}.")
    cards = dash.cards
    a, b = st.columns(2, gap="large")
    with a:
        chart(
            activation_histogram_figure(cards.hist[f], float(cards.hist_max[f]), n_test),
            state.key("hist"),
        )
    with b:
        st.markdown(
            f"**Nearest features** (decoder directions most alike feature #{f}): cosine, and the activation on "
            f"test image #{int(state.i)} before → after clamping. Click one to open it."
        )
        cols = st.columns(2)
        for n, (j, c) in enumerate(zip(cards.neighbours[f], cards.neighbour_cos[f])):
            cols[n % 2].button(
                f"#{int(j)} · cos {c:.2f} · {s.z_before[j]:.2f} → {s.z_after[j]:.2f}",
                key=state.open_key("nb", n),
                on_click=lambda j=int(j): setattr(state, "feature", j),
                width="stretch",
            )


def _gallery(state: SAEState, ds, dash, x_test: np.ndarray) -> None:
    """Features by frequency (or, searching by class, by their share on that class): each as its top
    four test images, a button to open its card."""
    cards, names, c = dash.cards, ds.class_names, int(state.cls)
    listed = features_for_class(cards, c, n=len(cards.freq)) if c >= 0 else cards.order[cards.freq[cards.order] > 0]
    per = GALLERY_ROWS * GALLERY_COLS
    pages = max(1, int(np.ceil(len(listed) / per)))
    if not 1 <= state.gpage <= pages:
        state.gpage = 1
    st.subheader(f"Features that fire most on {names[c]}" if c >= 0 else "Every feature, most frequent first")
    st.caption(
        (
            f"{len(listed):,} features that fire on at least 0.1 % of test images, those whose activation falls "
            f"most on {names[c]} images first"
            if c >= 0
            else f"{len(listed):,} features that fire on test images"
        )
        + f"; page {int(state.gpage)} of {pages}. Each tile: its four top-activating test images; its button "
        "opens its card (with how often it fires)."
    )
    chunk = listed[(int(state.gpage) - 1) * per : int(state.gpage) * per]
    for r in range(0, len(chunk), GALLERY_COLS):
        cols = st.columns(GALLERY_COLS)
        for col, j in zip(cols, chunk[r : r + GALLERY_COLS]):
            j = int(j)
            t = [int(v) for v in cards.top[j][:4] if v >= 0]
            tiles = x_test[t + [t[-1]] * (4 - len(t))]
            grid = coding.image_grid(tiles, ds.image_shape, 2, 2, cell=28)
            show_png(grid, col, alt=f"feature #{j}'s top images", width="stretch")
            col.button(
                f"#{j} · {cards.freq[j]:.0%}" if cards.freq[j] >= 0.01 else f"#{j}",
                key=state.open_key("g", j),
                on_click=lambda j=j: setattr(state, "feature", j),
                width="stretch",
            )
    if pages > 1:
        st.number_input(f"Gallery page (1–{pages})", 1, pages, key=state.key("gpage"), step=1)


def _metrics(state: SAEState, dash) -> None:
    """The SAE measured: beside a bottleneck, the L1 SAE and an untrained one; probing; purity."""
    st.subheader("The SAE measured on the test images")
    rows = [(f"TopK SAE (k = {dash.k})", dash.stats), ("L1 SAE", dash.l1_stats), ("untrained SAE", dash.random_stats)]
    st.dataframe(
        [
            {
                "model": name,
                "FVE": round(s.fve, 3),
                "mean L0": round(s.l0, 1),
                "dead": f"{s.dead:.1%}",
                "dense (> 10 %)": f"{s.dense:.1%}",
                "accuracy spliced": f"{s.spliced_accuracy:.2%}",
                "PCA FVE at round(L0)": round(s.pca_fve, 3),
            }
            for name, s in rows
            if s is not None
        ],
        hide_index=True,
    )
    st.markdown(words.sae_words(dash.stats, dash.l1_stats, dash.random_stats, dash.k))
    st.caption(
        gloss(
            f"FVE: fraction of the layer's variance the reconstruction explains (test images). Dead: fires on no "
            f"test image. Accuracy spliced: the classifier's, with its layer replaced by the SAE's reconstruction "
            f"(its own: {dash.stats.accuracy:.2%}). PCA FVE: the best linear bottleneck with as many dimensions as "
            "the mean L0."
        )
    )
    st.subheader("Are the features more useful than the neurons? Sparse probing")
    a, b = st.columns([3, 2], gap="large")
    with a:
        chart(probing_figure(dash.probing), state.key("probing"))
    with b:
        st.dataframe(
            [
                {"basis": r["basis"], "k": r["k"], "balanced accuracy": f"{r['mean']:.3f} ± {r['std']:.3f}"}
                for r in dash.probing
            ],
            hide_index=True,
        )
    st.markdown(words.probing_words(dash.probing))
    st.caption(
        "For each class against the rest: keep the k directions whose means differ most between the class and the "
        "rest (on 5,000 of the first 20,000 training images), fit a logistic regression, score balanced accuracy "
        "on the test images; "
        "the mean over classes, ± the spread over 3 seeds (each its own training draw and random directions). "
        "Random directions: as many random unit vectors in the same 128-D layer as the SAE has features."
    )
    st.subheader("Trained against untrained: are the top images one class?")
    st.markdown(words.purity_words(dash.interpretability))


main()
