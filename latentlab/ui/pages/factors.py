"""Disentanglement: on sprites whose true factors are known, does each latent dimension carry one factor?

For the picked objective and seed: each dimension's mutual information with each factor (a heatmap)
and its traversal, each row labelled with the factor it carries best; below, the study: four objectives
(AE, VAE, β-VAE, β-TC-VAE) × three seeds, their MIG, SAP, DCI and FactorVAE scores with the spread
over seeds. Numbers from ``aecore.analysis.factors`` and ``aecore.analysis.disentangle`` (through
``aecore.lecture.prepare``), words from ``aecore.analysis.words``, figures from ``latentlab.figures.factors``.
The page is :func:`main`; its view state is :class:`FactorsState`.
"""

from __future__ import annotations

import streamlit as st

from aecore.analysis import coding, factors, words
from aecore.data import sprites
from aecore.storage.library import shipped_names
from latentlab.figures.factors import mi_heatmap_figure, study_figure, traversal_figure
from latentlab.ui.demo_common import entry_or_none, model_of
from latentlab.ui.glossary import gloss
from latentlab.ui.loaders import factor_study_for
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header, slide_height

STEPS = 9  # images per traversal row
#: The table's column of each metric: short, so that all six fit beside the objective.
HEADS = {"mig": "MIG", "sap": "SAP", "dci_d": "DCI D", "dci_c": "DCI C", "dci_i": "DCI I", "factor_vae": "FactorVAE"}
SHAPE = (1, sprites.SIZE, sprites.SIZE)


class FactorsState(PageState):
    """What the Disentanglement page remembers (``fx_…`` in the session and the URL)."""

    prefix = "fx"
    objective = Setting("tc-vae")  # a key of factors.OBJECTIVES
    seed = Setting(0, int)  # one of factors.SEEDS
    metric = Setting("mig")  # the study chart's metric: a key of factors.METRICS
    heat = Setting(None, url=False)  # the charts' and the table's keys
    walk = Setting(None, url=False)
    chart = Setting(None, url=False)
    table = Setting(None, url=False)


def main() -> None:
    page_header(
        "Disentanglement: one dimension, one factor?",
        "Each sprite is drawn from five known factors: shape, scale, orientation, x and y position. Does a "
        "model's code give each factor **its own dimension**? Left, how much each dimension tells about each "
        "factor; right, each dimension swept with the others held, labelled with the factor it carries best.",
    )
    state = FactorsState()
    objective, seed = _sidebar(state)
    entry = entry_or_none(factors.model_name(objective, seed))
    study = factor_study_for()
    row = study.row(objective, seed)
    model = model_of(entry)
    trav, labels = factors.labelled_traversal(model, row, study.factor_names, STEPS)
    pres = is_presenter()
    height = slide_height(440) if pres else 440
    left, right = main_visual().columns([2, 3], gap="medium")
    with left:
        chart(mi_heatmap_figure(row.mi, study.factor_names, height=height), state.key("heat"))
    with right:
        img = coding.image_grid(
            trav.images.reshape(-1, trav.images.shape[-1]), SHAPE, len(trav.dims), STEPS, cell=32, pad=1
        )
        row_labels = [f"z{j + 1}: {labels[j].factor or 'none'}" for j in trav.dims]
        chart(traversal_figure(img, row_labels, height=height), state.key("walk"))
    st.markdown(words.factor_words(labels, row.mig, f"`{entry.name}` ({factors.OBJECTIVES[objective]}, seed {seed})"))
    _study(state, study)


def _sidebar(state: FactorsState) -> tuple[str, int]:
    """The objective and the seed, over the shipped models."""
    sb = st.sidebar
    have = shipped_names()
    objectives = [o for o in factors.OBJECTIVES if factors.model_name(o, 0) in have]
    if not objectives:
        st.info("No sprites models are shipped with this copy of Latent Lab (`aecore/checkpoints/sprites-*`).")
        st.stop()
    if state.objective not in objectives:
        state.objective = objectives[-1]
    sb.radio("Objective", objectives, key=state.key("objective"), format_func=factors.OBJECTIVES.get)
    seeds = [s for s in factors.SEEDS if factors.model_name(str(state.objective), s) in have]
    if state.seed not in seeds:
        state.seed = seeds[0]
    sb.radio(
        "Seed", seeds, key=state.key("seed"), horizontal=True, help="The same objective, trained from another start."
    )
    state.push("objective", "seed")
    return str(state.objective), int(state.seed)


def _study(state: FactorsState, study) -> None:
    """The four objectives × seeds: the table of means ± spreads, the words, a chart of one metric per seed."""
    st.subheader("Four objectives, three seeds each")
    rows = factors.summary(study)
    st.dataframe(
        [
            {"objective": r["label"], **{HEADS[m]: f"{r[m][0]:.3f} ± {r[m][1]:.3f}" for m in factors.METRICS}}
            for r in rows
        ],
        hide_index=True,
        key=state.key("table"),
    )
    a, b = st.columns([2, 3], gap="large")
    with a:
        st.markdown(words.study_words(rows))
        if state.metric not in factors.METRICS:
            state.metric = "mig"
        st.radio("Chart", list(factors.METRICS), key=state.key("metric"), format_func=factors.METRICS.get)
        state.push("metric")
    with b:
        m = str(state.metric)
        chart(study_figure(study, m, HEADS[m]), state.key("chart"))
    st.caption(
        gloss(
            "MIG: for each factor, the gap between the two dimensions that share most information with it, over "
            "its entropy (Chen et al., 2018). SAP: the same gap in how well one dimension alone predicts the factor. "
            "DCI (Eastwood & Williams, 2018): from a tree ensemble's importances, whether each dimension serves one "
            "factor (D, disentanglement), each factor one dimension (C, completeness), and how well the code "
            "predicts the factors (I, informativeness). FactorVAE score (Kim & Mnih, 2018): how often the dimension "
            "that varies least when one factor is held fixed names that factor. ± is the spread over the seeds; "
            "definitions as disentanglement_lib's (Locatello et al., 2019), DCI's importances from extremely "
            "randomised trees."
        )
    )


main()
