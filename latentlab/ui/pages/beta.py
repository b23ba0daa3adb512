"""The β knob: a VAE's loss is distortion + β × rate; one trained MNIST VAE per β, side by side.

The curve of rate against distortion (each β a point), and for the selected β its KL per latent
dimension (active units), reconstructions and N(0, I) samples judged by the data set's classifier; in
2-D the codes on the plane. Numbers from ``aecore.analysis.rate_distortion`` (through
``aecore.lecture.prepare``), words from ``aecore.analysis.words``. The page is :func:`main`; its view
state is :class:`BetaState`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from aecore.analysis import coding, words
from aecore.analysis.rate_distortion import ACTIVE_THRESHOLD, BETAS, beta_name, prior_samples
from aecore.storage.library import shipped_names
from latentlab.figures.demos import kl_bar_figure, rate_distortion_figure
from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
from latentlab.ui.demo_common import entry_or_none, model_of
from latentlab.ui.glossary import gloss
from latentlab.ui.loaders import beta_sweep_for, exported_decoder, map_url, require_dataset, sample_verdict_for
from latentlab.ui.state import PageState, Setting, page_file
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header, show_png, slide_height

DATASET = "mnist"  # the shipped sweep's data set (scripts/build_checkpoints.py)
N_SHOWN = 8  # test images reconstructed
SAMPLE_ROWS = 3  # samples drawn on the page, in rows of SAMPLE_COLS (the FD judges 10,000)
SAMPLE_COLS = 8


class BetaState(PageState):
    """What the β page remembers (``bk_…`` in the session and the URL)."""

    prefix = "bk"
    k = Setting(16, int)  # the sweep's latent size (rate_distortion.BETA_KS)
    beta = Setting(4.0, float)  # the selected β
    train = Setting(None, url=False)  # the "Train this β live" button
    curve = Setting(None, url=False)  # the charts' and the plane's keys
    kl = Setting(None, url=False)
    plane = Setting(None, url=False)
    table = Setting(None, url=False)


def main() -> None:
    page_header(
        "The β knob: rate against distortion",
        "A VAE minimises **distortion + β × rate**: what its decoder still misses of x, plus β times what the "
        "code costs (its KL to N(0, I)). Each point is a VAE trained on MNIST at one β. Pick a β to see which "
        "latent dimensions it keeps, how it reconstructs and what it samples.",
    )
    state = BetaState()
    ds = require_dataset(DATASET)
    k, beta = _sidebar(state)
    points = beta_sweep_for(DATASET, k)  # by increasing β
    sel = next(p for p in points if p.beta == beta)
    one = next((p for p in points if p.beta == 1), None)
    entry = entry_or_none(beta_name(f"{DATASET}-vae-{k}d", beta))
    pres = is_presenter()
    left, right = main_visual().columns([3, 2], gap="large")
    with left:
        chart(rate_distortion_figure(points, beta, height=slide_height(470) if pres else 480), state.key("curve"))
    with right:
        if k == 2:
            st.markdown(f"**The codes of the test set, β = {beta:g}**")
            latent_map(
                map_url(entry, "test"),
                key=state.key("plane"),
                options=PlaneOptions(
                    height=slide_height(430) if pres else 440,
                    shade=True,
                    presenter=pres,
                    manifest=exported_decoder(entry)[0],
                    image_shape=ds.image_shape,
                    local=True,
                    hint="Click anywhere to decode it. As β grows the codes crowd into N(0, I)'s disc.",
                ),
            )
        else:
            chart(
                kl_bar_figure(sel.kl_per_dim, [int(j) for j in np.flatnonzero(~sel.active)], height=480),
                state.key("kl"),
            )
    st.markdown(
        words.beta_words(
            beta,
            sel.rate,
            sel.distortion,
            sel.n_active,
            k,
            None if one is None else {"rate": one.rate, "distortion": one.distortion},
        )
    )
    _pictures(ds, entry, beta)
    _table(state, points)


def _sidebar(state: BetaState) -> tuple[int, float]:
    """The latent size and the β (over the shipped values); the link to train one live."""
    sb = st.sidebar
    have = shipped_names()
    sizes = [k for k in (16, 2) if f"{DATASET}-vae-{k}d" in have]
    if not sizes:
        st.info("No β sweep is shipped with this copy of Latent Lab (`aecore/checkpoints/mnist-vae-16d-b*`).")
        st.stop()
    if state.k not in sizes:
        state.k = sizes[0]
    sb.radio(
        "Latent size k",
        sizes,
        key=state.key("k"),
        horizontal=True,
        format_func=lambda v: f"{v}-D",
        help="16-D: a realistic code, whose dimensions switch off one by one as β grows. "
        "2-D: the codes themselves, on the plane.",
    )
    k = int(state.k)
    betas = [b for b in BETAS if beta_name(f"{DATASET}-vae-{k}d", b) in have]
    if state.beta not in betas:
        state.beta = min(betas, key=lambda b: abs(np.log(b) - np.log(max(float(state.beta), 1e-9))))
    sb.select_slider(
        "β (the weight of the KL term)",
        betas,
        key=state.key("beta"),
        format_func=lambda b: f"{b:g}",
        help="β = 1 is the ELBO: the plain VAE. β > 1 pays more for every nat the code carries (Higgins et al.'s "
        "β-VAE); β < 1 pays less.",
    )
    beta = float(state.beta)
    if sb.button(
        "Train this β live",
        key=state.key("train"),
        width="stretch",
        help="Opens the Train page with a VAE on MNIST at this β and k (a smaller network, a few epochs).",
    ):
        st.switch_page(
            page_file("train"),
            query_params={"tr_dataset": DATASET, "tr_family": "vae", "tr_k": str(k), "tr_beta": f"{beta:g}"},
        )
    state.push("k", "beta")
    return k, beta


def _pictures(ds, entry, beta: float) -> None:
    """The selected β's reconstructions of the first test images, and its samples with their FD."""
    model = model_of(entry)
    xt = ds.x_test[:N_SHOWN]  # (n, D)
    x, xhat = xt.numpy(), coding.decode_array(model, coding.encode_array(model, xt))
    samples = prior_samples(model, SAMPLE_ROWS * SAMPLE_COLS)
    a, b = st.columns(2, gap="large")
    with a:
        st.markdown(f"**Test images (top) and their reconstructions at β = {beta:g}**")
        show_png(
            coding.image_grid(np.concatenate([x, xhat]), ds.image_shape, 2, N_SHOWN),
            width="stretch",
            alt=f"{N_SHOWN} test digits and their reconstructions by the VAE trained at beta {beta:g}",
        )
    with b:
        verdict = sample_verdict_for(entry)
        fd = "" if verdict is None else f" · FD {verdict['fd']:.1f} (10,000 samples)"
        st.markdown(f"**Samples: z ~ N(0, I) decoded at β = {beta:g}{fd}**")
        show_png(
            coding.image_grid(samples, ds.image_shape, SAMPLE_ROWS, SAMPLE_COLS),
            width="stretch",
            alt=f"{SAMPLE_ROWS * SAMPLE_COLS} samples of the VAE trained at beta {beta:g}",
        )
        if verdict is not None:
            st.caption(
                gloss(
                    f"FD: the Fréchet distance between 10,000 samples and the test set in the features of a "
                    f"classifier trained on real digits (lower is closer). Classes covered: "
                    f"{verdict['entropy'] / verdict['max_entropy']:.0%} (100 % = every class equally often)."
                )
            )


def _table(state: BetaState, points) -> None:
    """Every β's numbers, as the curve draws them."""
    st.subheader("Every β, measured on the 10,000 test images")
    st.dataframe(
        [
            {
                "β": f"{p.beta:g}",
                "rate R (nats)": round(p.rate, 2),
                "distortion D (nats)": round(p.distortion, 2),
                "D + R = −ELBO (nats)": round(p.neg_elbo, 2),
                "active units": f"{p.n_active} of {len(p.kl_per_dim)}",
                "test MSE per pixel": round(p.mse, 4),
            }
            for p in points
        ],
        hide_index=True,
        key=state.key("table"),
    )
    st.caption(
        f"Active unit: a latent dimension whose posterior mean moves with x, Cov_x(E_q[z_i]) > {ACTIVE_THRESHOLD} "
        "(Burda et al., 2016). Rate: the exact KL(q(z|x) ‖ N(0, I)) averaged over the test images; distortion: "
        "what the decoder misses of x (its Bernoulli log-likelihood on grey levels, negated) for 4 seeded draws "
        "z ~ q(z|x) per image."
    )


main()
