"""Sampling: the same draws ε ~ N(0, I) decoded by a VAE and by a vanilla AE of the same data set.

The VAE was trained to make its codes look like N(0, I), so its draws land where data lives.
The AE's codes have no a-priori shape: N(0, I), a fitted Gaussian or a uniform box each miss
parts of it or land in empty space. A latent-size choice (2-D or 16-D pairs, ``?sp_k=``) shows
that in 2-D the AE's draws can land on its codes by luck, and in a realistic 16-D they miss. The page
is :func:`main`; its view state is :class:`SamplingState`.
"""

import numpy as np
import streamlit as st

from aecore.analysis import coding, sampling, words
from latentlab.figures.demos import kl_bar_figure, posterior_figure
from latentlab.figures.diffusion import flow_film_figure
from latentlab.ui.components.latent_plane import PlaneOptions, draw_marks, latent_map
from latentlab.ui.demo_common import latent_sizes, model_of, pick_image_set, require_fit, require_models
from latentlab.ui.glossary import gloss
from latentlab.ui.loaders import (
    codes_for,
    draw_density_for,
    exported_decoder,
    flow_film_for,
    learned_prior_for,
    posterior_for,
    prior_table_for,
    projection_for,
    reference_codes_for,
    reference_map_url,
    require_dataset,
    shipped_prior,
)
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header, show_advanced, show_png

GRID = 8  # 8×8 = sampling.N_DRAWS draws: big enough to see variety, small enough to read from the back
KINDS = ("ae", "vae")
#: Model pairs per architecture (``{data}-{kind}-{k}d``); the conv pair exists with a 2-D code.
ARCHS = {"mlp": KINDS, "conv": ("conv-ae", "conv-vae")}


class SamplingState(PageState):
    """What the Sampling page remembers (``sp_…`` in the session and the URL)."""

    prefix = "sp"
    data = Setting(None, url=False)  # the image set (seeded and mirrored by demo_common.pick_image_set)
    arch = Setting("mlp")  # the pair's architecture: "mlp" or "conv"
    k = Setting(None, int)  # the pair's latent size
    seed = Setting(0, int)  # the draws ("New draws" adds one)
    sampler = Setting("prior")  # the AE's sampler (sampling.SAMPLERS)
    quantile = Setting(0.02, float)  # low density: emptier than this fraction of real codes
    new = Setting(None, url=False)  # the "New draws" button
    plane_vae = Setting(None, url=False, name="plane_VAE")  # the planes' component keys
    plane_ae = Setting(None, url=False, name="plane_Vanilla AE")
    posterior = Setting(None, url=False)  # the charts' keys
    kl = Setting(None, url=False)
    judged = Setting(None, url=False)  # the table of priors (a dataframe's key)
    film = Setting(None, url=False)  # the latent-diffusion film (a chart's key)


def main() -> None:
    page_header(
        "Sampling: VAE beside vanilla AE",
        "The same random draws ε ~ N(0, I) go through both decoders. Dots: each model's encoded test images. "
        f"Crosses: the draws. {words.colour_name(words.LOW_DENSITY_HEX).capitalize()} circles: draws that landed "
        "where the model put (almost) no data.",
    )
    state = SamplingState()
    data = pick_image_set(state.key("data"), KINDS, imported=("image",))
    ds = require_dataset(data)
    require_fit(ds, "sampling")
    models, sampler = _sidebar(state, data)
    ae, vae = model_of(models["ae"]), model_of(models["vae"])
    if ae.latent_dim != vae.latent_dim:
        st.error(f"The AE has k = {ae.latent_dim} but the VAE has k = {vae.latent_dim}: they cannot share draws.")
        st.stop()
    seed, q, k = int(state.seed), float(state.quantile), vae.latent_dim
    codes_ae = codes_for(models["ae"])  # (N, k): f(x)
    # The VAE's decoder was trained on z ~ q(z|x), not on the means: one such z per test image is where
    # its latent space is populated (aecore.analysis.sampling.reference_codes). Seed 0, so "New draws"
    # keeps the dots.
    codes_vae = reference_codes_for(models["vae"])
    eps = sampling.draw_eps(sampling.N_DRAWS, k, seed)  # (64, k)
    if sampler in sampling.LEARNED_PRIORS:  # the same ε, carried by a prior learned from the AE's codes
        z_ae = learned_prior_for(models["ae"], sampler).sample(sampling.N_DRAWS, seed)
    else:
        z_ae = eps if sampler == "prior" else sampling.sample_latent(sampler, codes_ae, sampling.N_DRAWS, seed)
    rep_vae = sampling.assess_draws(vae, codes_vae, eps, quantile=q, density=draw_density_for(models["vae"]))
    rep_ae = sampling.assess_draws(ae, codes_ae, z_ae, quantile=q, density=draw_density_for(models["ae"]))
    pairs = (
        ("VAE", rep_vae, codes_vae, "ε ~ N(0, I)"),
        ("Vanilla AE", rep_ae, codes_ae, sampling.AE_SAMPLERS[sampler]),
    )
    _grids(ds, pairs)
    # Where N(0, I) lands among the AE's codes, whatever sampler is picked: the line below is about it.
    st.markdown(words.ae_prior_words(k, float(np.median(draw_density_for(models["ae"]).rank(eps)))))
    _planes(state, ds, models, pairs, k, q, sampler)
    _film(state, ds, models["ae"], k, sampler, seed)
    if state.arch == "mlp":  # the table judges the shipped MLP pair ({data}-ae-{k}d, {data}-vae-{k}d)
        _judged(state, data, k)
    _vae_internals(state, ds, models, k)


def _sidebar(state: SamplingState, data: str):
    """The pair (architecture, latent size), the draws' seed, the AE's sampler and the low-density
    level: ``({"ae": entry, "vae": entry}, sampler)``."""
    sb = st.sidebar
    archs = [a for a, kinds in ARCHS.items() if latent_sizes(data, kinds)] or ["mlp"]
    if state.arch not in archs:
        state.arch = archs[0]
    if len(archs) > 1:
        sb.radio(
            "Architecture",
            archs,
            key=state.key("arch"),
            horizontal=True,
            format_func=lambda a: {"mlp": "MLP", "conv": "Conv"}[a],
            help="MLP: fully connected encoder and decoder. Conv: two convolutions down, two transposed "
            "convolutions up (2-D code only).",
        )
    kinds = ARCHS[state.arch]
    sizes = latent_sizes(data, kinds) or [2]
    # 16-D by default: the lesson's setting. In 2-D an AE's codes may crowd the origin by luck, and its
    # N(0, I) draws then land fine (0% low density on MNIST), which undercuts the point of the page.
    if state.k not in sizes:
        state.k = max(sizes)
    sb.radio(
        "Latent size k",
        sizes,
        key=state.key("k"),
        horizontal=True,
        format_func=lambda v: f"{v}-D",
        help="Both models exist with a 2-D and a 16-D latent space (same networks otherwise). "
        "2-D can be drawn exactly; 16-D is a realistic size.",
    )
    pair = require_models(data, kinds, int(state.k))
    sb.button(
        "New draws",
        key=state.key("new"),
        on_click=lambda: setattr(state, "seed", int(state.seed) + 1),
        type="primary",
        width="stretch",
    )
    sb.caption(f"Draw seed: {state.seed} (kept in the URL)")
    if state.sampler not in sampling.AE_SAMPLERS:
        state.sampler = "prior"
    sampler = sb.radio(
        "Sampler for the vanilla AE",
        list(sampling.AE_SAMPLERS),
        key=state.key("sampler"),
        format_func=lambda k: sampling.AE_SAMPLERS[k],
        help="The VAE always decodes ε ~ N(0, I). The alternatives for the AE use its own codes: "
        "a Gaussian with their mean and covariance, uniform in their bounding box, or a prior *learned* "
        "from them: a mixture of Gaussians, or a flow that carries the same ε onto the codes (latent "
        "diffusion's second stage).",
    )
    if show_advanced():
        sb.slider(
            "Low density = emptier than this fraction of real codes",
            0.01,
            0.10,
            step=0.01,
            key=state.key("quantile"),
            help="A draw is 'low density' when it is farther from its 10th-nearest code than all but this "
            "fraction of the real codes are from theirs (distances in units of the codes' own spread).",
        )
    state.push("arch", "k", "seed", "sampler", "quantile")
    return {"ae": pair[kinds[0]], "vae": pair[kinds[1]]}, sampler


def _grids(ds, pairs) -> None:
    """The slide: both grids of decoded draws side by side, first (fixed width in presenter mode so that
    the 8 × 8 grid fits the screen's height)."""
    cell = 64 if ds.image_shape[1] <= 8 else 56
    visual = main_visual()
    # Titles in one row and grids in the next: both grids start level even when one title wraps (the
    # AE's sampler can be named at length). On a slide each title is one line: the sampler's short name.
    for col, (name, _rep, _codes, what) in zip(visual.columns(2, gap="large"), pairs):
        col.subheader(f"{name}: decoded {what.split(' (')[0] if is_presenter() else what}")
    for col, (name, rep, _codes, what) in zip(visual.columns(2, gap="large"), pairs):
        with col:
            show_png(
                coding.image_grid(rep.decoded, ds.image_shape, GRID, GRID, cell=cell),
                width=400 if is_presenter() else "stretch",
                alt=f"{name}: a {GRID} by {GRID} grid of images decoded from the draws ({what})",
            )


def _planes(state: SamplingState, ds, models: dict, pairs, k: int, q: float, sampler: str) -> None:
    """Each model's plane with its draws marked (orange-red where the density is low), each titled with
    its numbers, and the verdict that reads them together."""
    # For k > 2 the plane is a PCA view; the VAE's axes come from its posterior means, which carry the
    # class structure (its inactive dimensions are pure noise in the samples).
    views_ = {"VAE": projection_for(models["vae"]), "Vanilla AE": projection_for(models["ae"])}
    # Reach is computed once per model: the titles and the sentence that reads them together share it.
    reaches = {name: sampling.reach(codes, rep) for name, rep, codes, _what in pairs}
    left, right = st.columns(2, gap="large")
    for col, (name, rep, _codes, _what) in zip((left, right), pairs):
        with col:
            title = words.draws_title(name, rep.low_fraction, rep.median_rank, reaches[name], q)
            view = views_[name]
            entry = models["vae" if name == "VAE" else "ae"]
            st.markdown(f"**{title}**", unsafe_allow_html=True)
            latent_map(
                reference_map_url(entry),
                key=state.key("plane_vae" if name == "VAE" else "plane_ae"),
                options=PlaneOptions(
                    height=560,
                    presenter=is_presenter(),
                    marks=draw_marks(view.transform(rep.z), rep.low),
                    manifest=exported_decoder(entry)[0],
                    image_shape=ds.image_shape,
                    local=True,  # nothing on this page answers a click: the browser's inset is the answer
                    hint=words.marks_hint(),
                ),
            )
            if k > 2:
                st.caption(words.pca_view_caption(k, name, view.explained))

    numbers = {
        name: {"low": rep.low_fraction, "typical": rep.median_rank, "reach": reaches[name]} for name, rep, *_ in pairs
    }
    st.markdown(words.draws_verdict(numbers["VAE"], numbers["Vanilla AE"], sampling.AE_SAMPLERS[sampler], q))
    st.markdown(words.sampling_reading(q))


def _film(state: SamplingState, ds, ae, k: int, sampler: str, seed: int) -> None:
    """Latent diffusion, drawn (a 2-D AE with a flow prior): the seed's draws leave N(0, I) and flow
    onto the codes, with what the first six decode to on the way."""
    if k != 2 or not (sampler == "flow" or shipped_prior(ae, "flow")):
        return
    st.subheader("Latent diffusion, drawn: noise flowing onto the codes")
    film = flow_film_for(ae, seed)
    chart(
        flow_film_figure(film, codes_for(ae), ds.image_shape, height=560 if is_presenter() else 640),
        state.key("film"),
        config={"displayModeBar": False},
    )
    st.caption(
        gloss(
            "Press ▶ Play. At t = 0 the draws are the seed's ε ~ N(0, I), shifted and stretched to the codes' mean "
            "and spread on each axis: noise, decoding to blurs. A flow learned from the AE's codes moves each one a "
            "little at a time along a velocity it learned, with no randomness added, until at t = 1 they sit where "
            "the codes are dense and decode to pictures (the numbered draws' pictures are under the plane). "
            "A latent diffusion model does this with a bigger network in a bigger latent space."
        )
    )


def _judged(state: SamplingState, data: str, k: int) -> None:
    """10,000 draws of each prior, decoded and judged by the data set's classifier: FD to the test
    set, classes covered, and where the draws land among the codes (shipped pairs with a judge)."""
    rows = prior_table_for(data, k)
    if rows is None:
        return
    st.subheader("Judged by a classifier: 10,000 draws of each")
    st.caption(
        gloss(
            "FD: the Fréchet distance between the draws' pictures and the test set's, in the features of a "
            "classifier trained on real pictures (lower is closer; 0 for the test set itself). Classes covered: "
            "the entropy of the classes it calls, over its maximum (100 % = every class equally often). "
            "Density: the typical draw is denser than this share of the model's own codes (50 % = spread like them)."
        )
    )
    table = [
        {
            "draws from": r["label"],
            "model": r["model"],
            "FD (lower is closer)": round(r["fd"], 2),
            "classes covered": f"{r['evenness']:.0%}",
            "density among its codes": f"{r['median_rank']:.0%}",
        }
        for r in rows
    ]
    st.dataframe(table, hide_index=True, key=state.key("judged"))
    st.markdown(words.prior_table_words(rows))


def _vae_internals(state: SamplingState, ds, models: dict, k: int) -> None:
    """Inside the VAE: its aggregate posterior (on its two strongest dimensions) and KL per dimension."""
    mu, logvar = posterior_for(models["vae"])  # (N, k) each
    y = ds.y_test.numpy()
    st.header("Inside the VAE: aggregate posterior, KL per dimension")
    kl = sampling.kl_per_dimension(mu, logvar)
    collapsed = sampling.collapsed_dims(kl)
    m, cov = sampling.aggregate_posterior_moments(mu, logvar)
    dims = sampling.strongest_dims(kl)
    a, b = st.columns([3, 2], gap="large")
    with a:
        sub = np.random.default_rng(0).choice(len(mu), min(1500, len(mu)), replace=False)
        chart(
            posterior_figure(mu[sub], logvar[sub], y[sub], ds.class_names, height=600, dims=dims),
            state.key("posterior"),
        )
        st.caption(words.posterior_caption(len(sub), dims, m, cov, k))
    with b:
        chart(kl_bar_figure(kl, collapsed), state.key("kl"))
        if collapsed:
            more = (
                f" With k = {k} this VAE needs fewer dimensions than it has, so the KL term switches the rest off: "
                f"their posterior means are ≈ 0 while q(z|x) ≈ N(0, 1), which is why the density check above "
                f"compares draws with samples of q(z|x), not with the means."
                if k > 2
                else ""
            )
            st.warning(words.collapse_words(kl, collapsed, sampling.COLLAPSE_NATS) + more)
        else:
            st.success(words.collapse_words(kl, collapsed, sampling.COLLAPSE_NATS))
        st.caption(gloss("KL(q(z_j|x) ‖ N(0, 1)) = ½(μ² + σ² − 1 − log σ²), averaged over the test set."))


main()
