"""Discrete codes: a VQ-VAE's grid of code indices for one image, editable, decoded in the browser.

The image, its 7×7 grid of codes and x̂; click a cell and a code of the codebook (each drawn as its
average patch) and the browser decodes the new grid at once. Below: how the test set uses the
codebook (perplexity). Numbers from ``aecore.analysis.discrete`` (through ``aecore.lecture.prepare``),
words from ``aecore.analysis.words``. The page is :func:`main`; its view state is :class:`CodesState`.
"""

from __future__ import annotations

import streamlit as st

from aecore.analysis import words
from aecore.storage.library import shipped_names
from latentlab.figures.demos import codebook_usage_figure
from latentlab.ui.demo_common import entry_or_none, pick_test_example, set_label, show_code_grid
from latentlab.ui.loaders import require_dataset
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header

SETS = ("mnist", "fashion-mnist")  # the shipped VQ-VAEs' data sets (scripts/build_checkpoints.py)
AE_K = 16  # the AE the VQ-VAE is measured against: {data}-ae-16d


class CodesState(PageState):
    """What the Discrete codes page remembers (``dc_…`` in the session and the URL)."""

    prefix = "dc"
    data = Setting("mnist")  # the data set (its shipped {data}-vq-vae)
    i = Setting(0, int)  # the test example
    another = Setting(None, url=False)  # the "Another example" button
    grid = Setting(None, url=False)  # the code grid's and the usage chart's keys
    usage = Setting(None, url=False)


def main() -> None:
    page_header(
        "Discrete codes: a VQ-VAE",
        "A vector-quantised autoencoder describes an image by a **grid of integers**: each cell of the encoder's "
        "7×7 grid becomes the nearest of a few learned code vectors (the codebook), and the decoder paints from "
        "those. Click a cell, then a code below: the decoder runs again in your browser. Each code of the codebook "
        "is drawn as the average input patch under the cells that picked it, its number under it.",
    )
    state = CodesState()
    entry, ds = _sidebar(state)
    with main_visual():
        idx, use = show_code_grid(state.key("grid"), entry, ds, int(state.i), is_presenter())
    ae = entry_or_none(f"{entry.dataset}-ae-{AE_K}d")
    st.markdown(
        words.codebook_words(
            use.perplexity,
            use.size,
            use.used,
            idx.size,
            float(entry.test_mse),
            None if ae is None else float(ae.test_mse),
            AE_K,
        )
    )
    chart(codebook_usage_figure(use.counts, use.perplexity), state.key("usage"))
    st.caption(
        "Perplexity: exp of the entropy of the codes' usage. It is the codebook size when every code is used "
        "equally and 1 when one code does all the work (codebook collapse); training restarts codes no batch picks."
    )


def _sidebar(state: CodesState):
    """The data set (those with a shipped VQ-VAE) and the test example: ``(entry, dataset)``."""
    sb = st.sidebar
    have = shipped_names()
    sets = [d for d in SETS if f"{d}-vq-vae" in have]
    if not sets:
        st.info("No VQ-VAE is shipped with this copy of Latent Lab (`aecore/checkpoints/*-vq-vae.safetensors`).")
        st.stop()
    if state.data not in sets:
        state.data = sets[0]
    sb.radio("Data set", sets, key=state.key("data"), format_func=set_label)
    ds = require_dataset(str(state.data))
    pick_test_example(state, len(ds.split("test")[0]), "Test example #", "Another example")
    state.push("data", "i")
    return entry_or_none(f"{state.data}-vq-vae"), ds


main()
