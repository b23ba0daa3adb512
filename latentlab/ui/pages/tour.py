"""Guided tour: the representation picture in nine steps, then four from autoencoders to latent
diffusion, each on live models.

Layout and wiring only: every figure comes from aecore (tour, manifold, explore, sampling, anomaly).
The page is :func:`main`: the step's chrome, then one function per step (:data:`STEPS`); its view
state is :class:`TourState`.
"""

import numpy as np
import streamlit as st

from aecore.analysis import tour, words
from aecore.data.sets import is_available
from aecore.lecture import prepare
from aecore.storage.library import list_models
from latentlab.figures import tour as tour_figures
from latentlab.ui.loaders import (
    codes_for,
    density_for,
    draw_density_for,
    exported_decoder,
    reference_codes_for,
    reference_map_url,
    require_checkpoint,
    require_dataset,
)
from latentlab.ui.slide import note_model_named
from latentlab.ui.state import CLICKER_STEP, PageState, Setting, lecture_entry, page_file, push_url
from latentlab.ui.theme import CAPTION_COLOUR, chart, is_presenter, main_visual, show_image, show_png, slide_height

#: A slide's height (px at 720p) the steps' figures are sized for.
SLIDE_H = 540


class TourState(PageState):
    """What the tour remembers (``tour_…`` in the session; the step is ``?step=`` in the URL)."""

    prefix = "tour"
    step = Setting(None, url=False)  # the step shown (0-based); the address carries it as ?step= (1-based)
    prev = Setting(None, url=False)  # the ← and → buttons
    next = Setting(None, url=False)
    img = Setting(None, url=False)  # step 1: the test image
    walk = Setting(None, url=False)  # step 3: how far z walks out
    pt = Setting(None, url=False)  # step 4: the highlighted data point
    seed = Setting(None, url=False)  # step 7: the draws' seed
    thr = Setting(None, url=False)  # step 8: the threshold's percentile
    plane_ae = Setting(None, url=False, name="plane_draw_0")  # step 7: the planes' keys
    plane_vae = Setting(None, url=False, name="plane_draw_1")
    cmp_a = Setting(None, url=False)  # step 9: the planes' keys
    cmp_b = Setting(None, url=False)
    fig_impl = Setting(None, url=False)  # the steps' figures' keys
    fig_repr = Setting(None, url=False)
    fig_rel = Setting(None, url=False)
    fig_onm = Setting(None, url=False)
    fig_k = Setting(None, url=False)
    fig_over = Setting(None, url=False)
    fig_anom = Setting(None, url=False)
    fig_beta = Setting(None, url=False)  # steps 10-13
    codes = Setting(None, url=False)
    fig_film = Setting(None, url=False)
    fig_sae = Setting(None, url=False)  # step 14

    def ask_key(self, step: int, j: int, alone: bool = False) -> str:
        """The key of question ``j``'s folded answer on step ``step`` (the lecturer's, or a student's)."""
        return f"{self.prefix}_{'check' if alone else 'ask'}_{step}_{j}"


#: The app-wide URL key of the step (``?step=3`` or ``?step=sampling``).
STEP_KEY = "step"


class Tour:
    """One run of the tour: its state, the models it can show, where a step's figure goes, slide or not."""

    def __init__(self, state: TourState, box, presenter: bool):
        self.state, self.box, self.presenter = state, box, presenter
        self.models = {m.name: m for m in list_models()}

    def image_models(self):
        """The lecture's image data set: the lecture model's when its 2-D AE and VAE are here, else
        MNIST when its files and models are here, else the built-in digits."""
        lecture = lecture_entry()
        for ds in ([lecture.dataset] if lecture else []) + ["mnist", "digits"]:
            if f"{ds}-ae-2d" in self.models and f"{ds}-vae-2d" in self.models and is_available(ds):
                return self.models[f"{ds}-ae-2d"], self.models[f"{ds}-vae-2d"]
        st.error("The shipped image models are missing from aecore/checkpoints/.")
        st.stop()

    def toy(self, name: str):
        if name not in self.models:
            st.error(f"The shipped toy model {name} is missing from aecore/checkpoints/.")
            st.stop()
        return require_checkpoint(self.models[name])

    def manifold_fig(self, names: tuple[str, ...], dataset: str, highlight: int | None = None):
        """The toy models' figure (cached). Their checkpoints are loaded on every run, cache hit or not:
        a load is what names a model on the slide (:mod:`latentlab.ui.slide`)."""
        for nm in names:
            self.toy(nm)
        return _manifold_fig(names, dataset, highlight)


@st.cache_data(show_spinner="Drawing the manifold…", max_entries=16)
def _manifold_fig(names: tuple[str, ...], dataset: str, highlight: int | None = None):
    from aecore.analysis.toy import TOY_EPOCHS
    from aecore.storage.library import find_model
    from latentlab.figures.manifold import k_compare_figure, picture_figure

    # The same cached views as the Manifold page (prepared on disk by `python -m aecore prepare`).
    views = []
    for nm in names:
        entry = find_model(nm)
        views.append(prepare.toy_view(dataset, entry.latent_dim, "ae", 0, TOY_EPOCHS, require_checkpoint(entry).model))
    if len(views) > 1:
        return k_compare_figure(views), None
    v = views[0]
    fig = picture_figure(v, highlight=("point", highlight) if highlight is not None else None)
    return fig, (v.x_dist_to_m, v.xhat_dist_to_m)


@st.cache_data(show_spinner="Scoring the test images…", max_entries=8)
def anomaly_scores(_entry, stamp: tuple, other: str):
    """The Anomalies page's scores for its "another data set" scenario (``prepare.recon_scores``
    with the same key and row count): ``(s_in, s_out, idx_in, idx_out)``. ``stamp``: the
    checkpoint's path and mtime (the cache key; ``_entry`` itself is not hashed)."""
    from aecore.lecture.prepare import MAX_SCORES, file_model_key, recon_scores

    ck = require_checkpoint(_entry)
    return recon_scores(ck.model, file_model_key(_entry.path), _entry.dataset, other, None, MAX_SCORES)


@st.cache_resource(
    show_spinner="Training a big network on eight points (2,000 epochs, once; `python -m aecore prepare` does it)…"
)
def overfit():
    return prepare.overfit(0)


def _implementation(ctx: "Tour") -> None:
    """Step 1: the network as it is implemented, layers of units for one test image."""
    from aecore.analysis.network import activations
    from latentlab.figures.network import network_figure

    ae, _ = ctx.image_models()
    ck, ds = require_checkpoint(ae), require_dataset(ae.dataset)
    fig_col, img_col = ctx.box.columns([4, 1], vertical_alignment="center")
    idx = st.slider("Which test image", 0, len(ds.x_test) - 1, 0, key=ctx.state.key("img"))
    # The network as it is wired, drawn to scale and coloured by what each unit computes for this x
    # (the Two pictures page shows it beside the representation).
    layers = activations(ck.model, ds.x_test[idx].numpy())
    chart(
        network_figure(layers, height=SLIDE_H - 60, presenter=ctx.presenter),
        ctx.state.key("fig_impl"),
        fig_col,
        max_height=SLIDE_H,
    )
    show_image(layers[0].values, ds.image_shape, "x", 130, where=img_col)
    show_image(layers[-1].values, ds.image_shape, "x̂ = g(f(x))", 130, where=img_col)


def _representation(ctx: "Tour") -> None:
    """Step 2: the representation picture on a toy curve: M, x and x̂."""
    fig, _ = ctx.manifold_fig(("parabola-ae-k1",), "parabola")
    chart(fig, ctx.state.key("fig_repr"), ctx.box, max_height=SLIDE_H)


def _reliability(ctx: "Tour") -> None:
    """Step 3: walk z away from the codes; the decoder extrapolates where codes are sparse."""
    ae, _ = ctx.image_models()
    ck, ds = require_checkpoint(ae), require_dataset(ae.dataset)
    codes = codes_for(ae, "train")
    dens = density_for(ae)  # cached: the slider reruns this step on every move
    t = st.slider("Walk z away from the data", 0.0, 1.0, 0.0, 0.05, key=ctx.state.key("walk"))
    z = tour.walk_out(codes, t)
    chart(
        tour_figures.reliability_figure(ck.model, codes, ds.y_train.numpy(), ds.class_names, dens, z, ds.image_shape),
        ctx.state.key("fig_rel"),
        ctx.box,
        config={"displayModeBar": False},
        max_height=SLIDE_H - 80 if ctx.presenter else SLIDE_H,  # the "Walk z" slider under it stays on the slide
    )
    d = float(dens(z)[0])
    if dens.is_low(d):
        st.warning(words.extrapolation_words(dens.percentile(d)))


def _on_manifold(ctx: "Tour") -> None:
    """Step 4: x̂ lies on M and x does not (their mean distances to M)."""
    pick = st.slider("Highlight one data point", 0, 299, 40, key=ctx.state.key("pt"))
    fig, (dx, dxh) = ctx.manifold_fig(("parabola-ae-k1",), "parabola", pick)
    chart(fig, ctx.state.key("fig_onm"), ctx.box, max_height=SLIDE_H)
    a, b = st.columns(2)
    a.metric("mean distance of x to M", f"{dx:.4f}")
    b.metric("mean distance of x̂ to M", f"{dxh:.5f}", help="≈ 0, up to the resolution of M's grid")


def _latent_dim(ctx: "Tour") -> None:
    """Step 5: k is a prior: the same data under k = 1, 2, 3."""
    fig, _ = ctx.manifold_fig(("swiss-roll-ae-k1", "swiss-roll-ae-k2", "swiss-roll-ae-k3"), "swiss-roll")
    chart(fig, ctx.state.key("fig_k"), ctx.box, max_height=SLIDE_H)


def _overfit(ctx: "Tour") -> None:
    """Step 6: a big network on eight points, its held-out error over 2,000 epochs."""
    from aecore.analysis.overfit import OVERFIT_LABEL, OVERFIT_NAME
    from latentlab.figures.overfit import overfit_figure

    note_model_named(OVERFIT_NAME, OVERFIT_LABEL)  # not a library model: the slide names it here
    run = overfit()
    chart(overfit_figure(run), ctx.state.key("fig_over"), ctx.box, max_height=SLIDE_H)
    best = int(np.argmin(run.heldout_mse))
    st.caption(words.overfit_words(run.best_epoch, run.heldout_mse[best], run.heldout_mse[-1], int(run.epochs[-1])))


def _sampling(ctx: "Tour") -> None:
    """Step 7: draws decoded by the VAE (from its prior) and the AE (from the box around its codes)."""
    from aecore.analysis.coding import image_grid
    from aecore.analysis.sampling import N_DRAWS, SAMPLERS, assess_draws, draw_eps, sample_latent
    from latentlab.ui.components.latent_plane import PlaneOptions, draw_marks, latent_map

    ae, vae = ctx.image_models()
    ds = require_dataset(ae.dataset)
    seed = st.number_input("Seed of the draws", 0, 10_000, 0, key=ctx.state.key("seed"))
    cols = ctx.box.columns(2, gap="large")
    settings = {}
    for col, entry in zip(cols, (ae, vae)):
        ck = require_checkpoint(entry)
        codes = codes_for(entry, "test")
        # The AE has no prior to draw from: the box around its codes is the only a-priori guess. As
        # many draws as the Sampling page, from the same seed, so that page gives the same numbers
        # for the same settings (and the sentence below names the settings that differ).
        sampler = "prior" if ck.config.is_vae else "uniform-box"
        z = (
            draw_eps(N_DRAWS, ck.config.latent_dim, seed)
            if sampler == "prior"
            else sample_latent(sampler, codes, N_DRAWS, seed)
        )
        # Judged against where each decoder was trained (a VAE: z ~ q(z|x), not the means), as on
        # the Sampling page, so that the two pages give one answer.
        ref = reference_codes_for(entry)
        rep = assess_draws(ck.model, ref, z, density=draw_density_for(entry))
        model = "VAE" if ck.config.is_vae else "AE"
        said = "ε ~ N(0, I)" if sampler == "prior" else "box around its codes"
        if not ck.config.is_vae:
            settings = {"sampler": SAMPLERS[sampler], "k": ck.config.latent_dim, "n": N_DRAWS, "seed": int(seed)}
        with col:
            st.markdown(words.tour_draws_title(model, said, rep.low_fraction))
            # On the slide, each plane with its decoded draws beside it: both in the first screen. The
            # plane gets the wider share, so its buttons (Labels, PNG, reset view) stay on one row.
            plane_col, grid = st.columns([3, 2], gap="small")
        with plane_col:
            latent_map(
                reference_map_url(entry),
                key=ctx.state.key("plane_vae" if ck.config.is_vae else "plane_ae"),
                options=PlaneOptions(
                    # 30 px under the room a plane alone would take: the title wraps to two lines at
                    # 720p, and the plane's legend, buttons and two-line hint must still end on the slide.
                    height=slide_height(SLIDE_H - 230) if ctx.presenter else SLIDE_H - 100,
                    presenter=is_presenter(),
                    marks=draw_marks(rep.z, rep.low),
                    manifest=exported_decoder(entry)[0],
                    image_shape=ds.image_shape,
                    local=True,
                    hint=words.marks_hint("Click to decode."),
                ),
            )
        show_png(
            image_grid(rep.decoded[:24], ds.image_shape, 6, 4, cell=48),
            caption=f"{model}: the first 24 of {N_DRAWS} decoded draws",
            where=grid,
            width="stretch",
        )
    # The Sampling page opens on its largest latent size, with ε ~ N(0, I) for the AE too, seed 0.
    from latentlab.ui.demo_common import latent_sizes

    page = {
        "sampler": SAMPLERS["prior"],
        "k": max(latent_sizes(ae.dataset, ("ae", "vae")) or [2]),
        "n": N_DRAWS,
        "seed": 0,
    }
    st.caption(words.settings_note(settings, page, "Sampling page"))


def _anomalies(ctx: "Tour") -> None:
    """Step 8: reconstruction error as an anomaly score."""
    import torch

    from aecore.analysis.anomaly import (
        OTHER_SET,
        confusion_at,
        recon_scores,
        roc,
        threshold_at_percentile,
        worst_indices,
    )
    from aecore.analysis.coding import reconstruct_array
    from latentlab.figures.demos import score_histogram_figure

    ae, _ = ctx.image_models()
    ck, ds = require_checkpoint(ae), require_dataset(ae.dataset)
    other = OTHER_SET.get(ds.name)
    shared = other is not None and is_available(other)
    if shared:
        # The Anomalies page's "another data set" detector: the same model, rows and scores (computed
        # once, kept on disk by prepare), so the two pages show one AUC and one worst image.
        s_in, s_out, _idx_in, idx_out = anomaly_scores(ae, (str(ae.path), ae.path.stat().st_mtime), other)
        ds_out = require_dataset(other)
        x_out = ds_out.x_test[idx_out]
        out_name = f"{ds_out.name} test images"
    else:
        # No second set for this data: upside-down images, which the Anomalies page does not offer.
        what = "clothes" if ds.name == "fashion-mnist" else "digits"
        x_in = ds.x_test[:2000]
        x_out, out_name = torch.from_numpy(tour.flipped(x_in.numpy(), ds.image_shape)), f"upside-down {what}"
        s_in, s_out = recon_scores(ck.model, x_in), recon_scores(ck.model, x_out)
    thr = st.slider("Threshold (percentile of in-distribution scores)", 50, 99, 95, key=ctx.state.key("thr"))
    t = threshold_at_percentile(s_in, thr)
    chart(
        score_histogram_figure(s_in, s_out, t, f"{ds.name} test (in)", f"{out_name} (out)"),
        ctx.state.key("fig_anom"),
        ctx.box,
        max_height=SLIDE_H - 80,
        slide_px=440,  # 61 % of a 720p slide, its threshold slider still under it
    )
    cm = confusion_at(s_in, s_out, t)
    a, b, c = st.columns(3)
    a.metric("AUC", f"{roc(s_in, s_out).auc:.3f}")
    b.metric("anomalies caught", f"{cm.tpr:.0%}")
    c.metric("false alarms", f"{cm.fpr:.0%}")
    st.caption(words.anomaly_source_words(shared, out_name, int(thr)))
    worst = int(worst_indices(s_out, 1)[0])
    w1, w2, _ = st.columns([1, 1, 3])
    show_image(x_out[worst].numpy(), ds.image_shape, "the worst-scored 'out' input", 160, where=w1)
    show_image(
        reconstruct_array(ck.model, x_out[worst : worst + 1])[0],
        ds.image_shape,
        "its x̂: the AE cannot draw it",
        160,
        where=w2,
    )


def _compare(ctx: "Tour") -> None:
    """Step 9: the same examples under the AE and the VAE, one class lit on both."""
    from aecore.analysis.compare import relative_spread
    from latentlab.ui.components.latent_plane import PlaneOptions, latent_map
    from latentlab.ui.loaders import side_for

    ae, vae = ctx.image_models()
    ds = require_dataset(ae.dataset)
    ones = np.flatnonzero(ds.y_test.numpy() == 1).tolist()
    cols = ctx.box.columns(2, gap="medium")
    spreads = {}
    for col, entry, side in zip(cols, (ae, vae), "ab"):
        sd = side_for(entry.name, entry.dataset)
        spreads[side] = relative_spread(sd.codes, ones)
        with col:
            st.markdown(f"**{'AE' if side == 'a' else 'VAE'}**: the {ds.class_names[1]}s' spread {spreads[side]:.2f}")
            latent_map(
                sd.url,
                key=ctx.state.key(f"cmp_{side}"),
                options=PlaneOptions(
                    height=slide_height(SLIDE_H - 150) if ctx.presenter else SLIDE_H - 110,  # its hint on the slide too
                    presenter=ctx.presenter,
                    local=True,
                    link="tour",
                    selected={"key": "ones", "indices": ones, "label": f"{ds.class_names[1]}s lit"},
                    hint="Hover a dot: the same image is ringed on the other plane.",
                ),
            )
    st.caption(
        f"Spread: how scattered the {ds.class_names[1]}s' codes are, as a share of all codes' spread, in each "
        "model's own latent space. " + words.spread_words(spreads["a"], spreads["b"], ds.class_names[1])
    )
    st.page_link(page_file("compare"), label="Select anything on the Compare page →", icon=":material/compare:")


def _diffusion_set(ctx: "Tour", *names: str) -> str | None:
    """The image set the second chapter's steps use: the lecture's when it has the models ``names``
    (``{data}`` filled in) and its data, else MNIST, else digits; None (with a note) when none has them."""
    lecture = lecture_entry()
    for ds in dict.fromkeys(([lecture.dataset] if lecture else []) + ["mnist", "fashion-mnist", "digits"]):
        if all(n.format(data=ds) in ctx.models for n in names) and is_available(ds):
            return ds
    st.info(f"This step needs the shipped models {', '.join(n.format(data='mnist') for n in names)}.")
    return None


def _beta(ctx: "Tour") -> None:
    """Step 10: the rate–distortion curve of the shipped β-VAEs, and what β does to reconstructions."""
    from aecore.analysis.coding import decode_array, encode_array, image_grid
    from aecore.analysis.rate_distortion import BETAS, beta_name
    from latentlab.figures.demos import rate_distortion_figure
    from latentlab.ui.loaders import beta_sweep_for

    data = _diffusion_set(ctx, *(beta_name("{data}-vae-16d", b) for b in BETAS))
    if data is None:
        return
    points = beta_sweep_for(data, 16)
    ds = require_dataset(data)
    shown = (BETAS[0], 1.0, BETAS[-1])
    xt = ds.x_test[:6]  # (6, D)
    rows = [xt.numpy()]
    for b in shown:
        m = require_checkpoint(ctx.models[beta_name(f"{data}-vae-16d", b)]).model
        rows.append(decode_array(m, encode_array(m, xt)))
    left, right = ctx.box.columns([3, 2], gap="large")
    with left:
        chart(
            rate_distortion_figure(points, 1.0, height=slide_height(SLIDE_H - 60) if ctx.presenter else SLIDE_H - 40),
            ctx.state.key("fig_beta"),
        )
    with right:
        st.markdown("**Test digits, then their reconstructions at β = " + ", ".join(f"{b:g}" for b in shown) + "**")
        show_png(
            image_grid(np.concatenate(rows), ds.image_shape, len(rows), 6, cell=48),
            width="stretch",
            alt="Rows: six test digits, then their reconstructions by the VAEs trained at beta "
            + ", ".join(f"{b:g}" for b in shown),
        )
        st.caption("Down the rows β grows: the code carries less, and the digits blur toward their class's average.")
    st.page_link(page_file("beta"), label="Every β on the β knob page →", icon=":material/tune:")


def _codes(ctx: "Tour") -> None:
    """Step 11: a VQ-VAE's grid of codes for one test image, editable, decoded in the browser."""
    from latentlab.ui.demo_common import show_code_grid

    data = _diffusion_set(ctx, "{data}-vq-vae")
    if data is None:
        return
    entry = ctx.models[f"{data}-vq-vae"]
    require_checkpoint(entry)
    ds = require_dataset(data)
    with ctx.box:
        show_code_grid(ctx.state.key("codes"), entry, ds, 0, ctx.presenter)
    st.page_link(page_file("codes"), label="Any image on the Discrete codes page →", icon=":material/grid_view:")


def _learned_prior(ctx: "Tour") -> None:
    """Step 12: the 16-D AE's decoder fed N(0, I) draws, and the same draws carried by its flow prior."""
    from aecore.analysis.coding import decode_array, image_grid
    from aecore.models.priors import StandardNormal
    from aecore.storage.priors import prior_path
    from latentlab.ui.loaders import learned_prior_for, prior_table_for

    data = _diffusion_set(ctx, "{data}-ae-16d", "{data}-vae-16d")
    if data is None:
        return
    entry = ctx.models[f"{data}-ae-16d"]
    if not prior_path(entry.name, "flow").is_file():
        st.info(f"No flow prior is shipped for {entry.name}.")
        return
    model = require_checkpoint(entry).model
    ds = require_dataset(data)
    fd = {r["prior"]: r["fd"] for r in (prior_table_for(data, 16) or []) if r["model"] == entry.name}
    # On a slide the grids stand tall (6 rows of 4) and as high as the screen allows.
    n, cols = 24, (4 if ctx.presenter else 6)
    pictures = {
        "normal": decode_array(model, StandardNormal(16).sample(n, 0)),
        "flow": decode_array(model, learned_prior_for(entry, "flow").sample(n, 0)),
    }
    titles = {"normal": "AE + N(0, I): imposed", "flow": "AE + a flow fitted to its codes: learned"}
    for col, kind in zip(ctx.box.columns(2, gap="large"), ("normal", "flow")):
        with col:
            st.markdown(f"**{titles[kind]}**" + (f" · FD {fd[kind]:.0f}" if kind in fd else ""))
            show_png(
                image_grid(pictures[kind], ds.image_shape, n // cols, cols, cell=56),
                # px at 720p: show_png scales a slide's picture to the screen
                width=int((SLIDE_H - 70) * cols / (n // cols)) if ctx.presenter else "stretch",
                alt=f"{n} pictures decoded by {entry.name} from {titles[kind]}",
            )
    if fd:
        st.caption(
            "FD: the Fréchet distance of 10,000 such pictures to the test set, in a classifier's features. "
            "The same seed's draws in both grids; only where they come from differs."
        )


def _latent_diffusion(ctx: "Tour") -> None:
    """Step 13: the flow prior of a 2-D AE as a film: noise flowing onto the codes."""
    from latentlab.figures.diffusion import flow_film_figure
    from latentlab.ui.loaders import flow_film_for

    data = _diffusion_set(ctx, "{data}-ae-2d")
    if data is None:
        return
    entry = ctx.models[f"{data}-ae-2d"]
    require_checkpoint(entry)
    ds = require_dataset(data)
    with ctx.box:
        chart(
            flow_film_figure(
                flow_film_for(entry, 0),
                codes_for(entry),
                ds.image_shape,
                height=slide_height(SLIDE_H + 20) if ctx.presenter else 640,
            ),
            ctx.state.key("fig_film"),
            config={"displayModeBar": False},
        )


def _sae(ctx: "Tour") -> None:
    """Step 14: one test image's 2-D AE code beside its classifier layer's 1,024 SAE features."""
    from aecore.analysis.coding import encode_array
    from aecore.analysis.judge import judge_for
    from aecore.analysis.sae import encode_acts
    from aecore.storage.saes import sae_path
    from latentlab.figures.tour import bottleneck_vs_sparse_figure
    from latentlab.ui.loaders import sae_dashboard_for, sae_for

    data = _diffusion_set(ctx, "{data}-ae-2d")
    if data is None:
        return
    if not sae_path(data, "topk").is_file():
        st.info(f"No sparse autoencoder is shipped for {data} (`aecore/checkpoints/saes/`).")
        return
    entry = ctx.models[f"{data}-ae-2d"]
    model = require_checkpoint(entry).model
    ds = require_dataset(data)
    dash = sae_dashboard_for(data)
    i = int(dash.demo["image"])
    x = ds.x_test[i : i + 1].numpy()  # (1, D)
    z_sae, _ = encode_acts(sae_for(data), judge_for(data).features(x))  # (1, F)
    with ctx.box:
        chart(
            bottleneck_vs_sparse_figure(
                encode_array(model, ds.x_test[i : i + 1])[0],
                z_sae[0],
                entry.name,
                dash.stats,
                float(entry.test_mse),
                ds.input_dim,
                height=slide_height(SLIDE_H) if ctx.presenter else 520,
            ),
            ctx.state.key("fig_sae"),
            config={"displayModeBar": False},
        )
    st.page_link(page_file("sae"), label="Every feature on the Sparse autoencoders page →", icon=":material/category:")


STEPS = {
    "implementation": _implementation,
    "representation": _representation,
    "reliability": _reliability,
    "on-manifold": _on_manifold,
    "latent-dim": _latent_dim,
    "overfit": _overfit,
    "sampling": _sampling,
    "anomalies": _anomalies,
    "compare": _compare,
    "beta": _beta,
    "codes": _codes,
    "learned-prior": _learned_prior,
    "latent-diffusion": _latent_diffusion,
    "sae": _sae,
}


def main() -> None:
    state = TourState()
    presenter = is_presenter()
    if not presenter:  # on a slide the step's own title is the title
        st.title("Guided tour: what an autoencoder learns")
    i, step = _chrome(state, presenter)
    #: The step's figure goes here, above its controls: on a slide it must start at the top.
    ctx = Tour(state, main_visual(), presenter)
    STEPS[step.key](ctx)
    if step.checks and not presenter:  # a student alone: check yourself, each answer folded
        st.divider()
        st.markdown("#### Check yourself")
        for j, (q, ans) in enumerate(step.checks):
            with st.expander(q, key=state.ask_key(i, j, alone=True)):  # the answer only on request
                st.markdown(ans)


def _go(state: TourState, delta: int) -> None:
    state.step = min(max(state.step + delta, 0), len(tour.STEPS) - 1)


def _chrome(state: TourState, presenter: bool):
    """The step from the URL, the clicker or the buttons, and the slide's chrome: back, the title, its text
    (behind a button on a slide, with questions for the class), next. Returns ``(index, step)``."""
    n = len(tour.STEPS)
    # The step lives in the URL (?step=3 or ?step=sampling), so each step can be bookmarked.
    if state.step is None:
        state.step = tour.step_index(st.query_params.get(STEP_KEY))
    # A presentation clicker (PageDown/PageUp) or the arrow keys step the tour, unless a lecture playlist
    # is loaded (then they step the playlist): the app script reads them, the tour takes what is left.
    _go(state, st.session_state.pop(CLICKER_STEP, 0))
    i = state.step
    step = tour.STEPS[i]
    st.session_state[STEP_KEY] = i + 1
    push_url(STEP_KEY)
    if presenter:
        # One row for the whole slide's chrome: back, the step's title, its text behind a button, next.
        nav_l, head, what, nav_r = st.columns([0.7, 6, 1.7, 0.7], vertical_alignment="center")
        head.markdown(
            f"<h2 style='padding:0;margin:0;font-size:1.6rem;line-height:1.25'>{step.title} "
            f"<span style='color:{CAPTION_COLOUR};font-size:0.7em;font-weight:400'>of {n}</span></h2>",
            unsafe_allow_html=True,
        )
        with what.popover("What is this?", width="stretch"):
            st.markdown(step.text)
            if step.checks:  # questions to put to the class; each answer folded until asked for
                st.markdown("**Ask the class**")
                for j, (q, ans) in enumerate(step.checks):
                    st.markdown(f"{j + 1}. {q}")
                    with st.expander("Show the answer", key=state.ask_key(i, j)):
                        st.markdown(ans)
    else:
        nav_l, nav_mid, nav_r = st.columns([1, 3, 1], vertical_alignment="center")
        nav_mid.progress((i + 1) / n, text=f"Step {i + 1} of {n} · {step.chapter}")
    nav_l.button(
        "←" if presenter else "← Back", key=state.key("prev"), on_click=_go, args=(state, -1), disabled=i == 0,
        width="stretch", help="Previous step",
    )  # fmt: skip
    nav_r.button(
        "→" if presenter else "Next →", key=state.key("next"), on_click=_go, args=(state, 1), disabled=i == n - 1,
        width="stretch", type="primary", help="Next step",
    )  # fmt: skip
    if not presenter:
        st.header(step.title)
        st.markdown(step.text)
    return i, step


main()
