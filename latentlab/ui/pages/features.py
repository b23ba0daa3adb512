"""Codes as features: what a model's codes are worth for classifying and clustering, measured.

A table (5-nearest-neighbour accuracy, a linear probe, k-means NMI) and a label-budget curve for the
model's codes beside PCA with the same k, the raw inputs and a random untrained encoder of the same
architecture. Numbers from ``aecore.analysis.probes`` (through ``aecore.lecture.prepare``), words from
``aecore.analysis.words``, the curve from ``latentlab.figures.probes``. The page is :func:`main`; its
view state is :class:`FeaturesState`.
"""

from __future__ import annotations

import streamlit as st

from aecore.analysis import words
from aecore.analysis.probes import KNN_K, N_PCA
from aecore.analysis.requirements import unfit_reason
from latentlab.figures.probes import budget_figure
from latentlab.ui.loaders import feature_report_for, pick_loaded
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header, slide_height

CLASSIFIERS = {"knn": f"{KNN_K}-nearest neighbours", "linear": "linear probe"}
PREFER = ("mnist-ae-16d", "mnist-ae-2d", "digits-ae-16d", "digits-ae-2d")


class FeaturesState(PageState):
    """What the Codes-as-features page remembers (``cf_…`` in the session and the URL)."""

    prefix = "cf"
    model = Setting(None)  # the model picked here (the sidebar picker's key)
    clf = Setting("knn")  # the curve's classifier: a key of CLASSIFIERS
    curve = Setting(None, url=False)  # the chart's and the table's keys
    table = Setting(None, url=False)


def main() -> None:
    page_header(
        "Codes as features",
        "Why compress at all? A code of k numbers can be a better **input for a classifier** than the D pixels it "
        "came from. The same classifiers on four representations of the same images: this model's codes, PCA with "
        "the same k, the raw pixels, and an untrained network of the same shape. Fewest labels, biggest gap.",
    )
    state = FeaturesState()
    entry, _, ds = pick_loaded(state.key("model"), kind="image+table", prefer=PREFER, families=_families())
    reason = unfit_reason(ds, "features")
    if reason:
        st.warning(f"**This model's data set, '{ds.name}', cannot be measured here.** {reason}")
        st.stop()
    if state.clf not in CLASSIFIERS:
        state.clf = "knn"
    st.sidebar.radio(
        "Classifier of the curve",
        list(CLASSIFIERS),
        key=state.key("clf"),
        format_func=CLASSIFIERS.get,
        help="k-nearest neighbours reads the code's own geometry (who is near whom); the linear probe asks "
        "whether the classes are separable by planes.",
    )
    state.push("clf")
    report = feature_report_for(entry)
    pres = is_presenter()
    left, right = main_visual().columns([3, 2], gap="large")
    with left:
        chart(budget_figure(report, str(state.clf), height=slide_height(470) if pres else 440), state.key("curve"))
    with right:
        st.markdown(f"**{report.n_labelled:,} labels, {report.n_eval:,} test images**")
        _table(state, report)
    st.markdown(words.features_words(report, f"`{entry.name}`"))
    st.caption(
        f"kNN: {KNN_K} nearest neighbours by Euclidean distance in the representation as it is. Linear probe: "
        "logistic regression on standardised features. NMI: k-means (as many clusters as classes) against the "
        f"classes, no labels used. PCA fitted on the first {min(N_PCA, len(ds.y_train)):,} training rows; the "
        + (
            "random encoder is this architecture before training. "
            if any(r.name == "random encoder" for r in report.rows)
            else "an imported model has no untrained twin, so no random-encoder row. "
        )
        + "The curve's draws pick balanced labelled sets from the training split."
    )


def _families() -> tuple[str, ...]:
    """Every family whose code is a vector of reals: not a VQ-VAE's grid of indices, not a sparse AE."""
    from aecore.models import REGISTRY

    return tuple(n for n, c in REGISTRY.items() if n != "vq-vae" and c.trains_on in ("data", "elsewhere"))


def _table(state: FeaturesState, report) -> None:
    """The four representations' scores, the codes first."""
    st.dataframe(
        [
            {
                "features": r.name,
                "dims": r.dim,
                "kNN": f"{r.knn:.3f}",
                "linear": f"{r.linear:.3f}",
                "NMI": f"{r.nmi:.3f}",
            }
            for r in report.rows
        ],
        hide_index=True,
        key=state.key("table"),
    )


main()
