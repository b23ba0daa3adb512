"""Denoising: the same corrupted images x̃ go through a vanilla AE and a denoising AE (trained to
map x̃ back to the clean x). The DAE's rows stay clean as the noise grows; the AE's do not. The page
is :func:`main`; its view state is :class:`DenoiseState`."""

import numpy as np
import streamlit as st

from aecore.analysis import coding, denoise, words
from aecore.lecture import prepare
from aecore.storage.library import find_model
from latentlab.figures.demos import projection_figure, psnr_curve_figure
from latentlab.ui.demo_common import (
    key_of,
    latent_sizes,
    model_of,
    pick_image_set,
    pick_toy,
    require_fit,
    require_models,
)
from latentlab.ui.glossary import gloss
from latentlab.ui.loaders import require_dataset
from latentlab.ui.state import PageState, Setting
from latentlab.ui.theme import chart, is_presenter, main_visual, page_header, show_png, slide_scale

KIND_LABELS = {
    "gaussian": "Gaussian (σ)",
    "salt-and-pepper": "Salt and pepper (fraction)",
    "masking": "Masking (fraction zeroed)",
}
N_SHOW = 8
N_CURVE = 500  # test images behind the PSNR curves (the caption says how many)


@st.cache_data(show_spinner="Measuring PSNR at every noise level…", max_entries=32)
def cached_curve(ae_name: str, dae_name: str, stamps: tuple, dataset: str, kind: str, n: int = N_CURVE):
    """Mean PSNR curves on the first ``n`` test images; ``stamps`` (paths and mtimes) invalidate
    the cache when a checkpoint file is replaced."""
    return prepare.psnr_curve(find_model(ae_name).path, find_model(dae_name).path, dataset, kind, n)


class DenoiseState(PageState):
    """What the Denoising page remembers (``dn_…`` in the session and the URL)."""

    prefix = "dn"
    data = Setting(None, url=False)  # the image set (seeded and mirrored by demo_common.pick_image_set)
    k = Setting(None, int)  # the latent size of the AE/DAE pair
    kind = Setting("gaussian")  # the noise type (denoise.NOISE_KINDS)
    level = Setting(0.5, float)  # its level
    cls = Setting("random", name="class")  # the test images: a class, or "random"
    seed = Setting(0, int)  # which images ("New images" adds one)
    new = Setting(None, url=False)  # the "New images" button
    curve = Setting(None, url=False)  # the PSNR curve's chart key
    toy = Setting(None, url=False)  # the toy model (seeded and mirrored by demo_common.pick_toy)
    toy_level = Setting(0.15, float)  # the noise on the toy's points
    proj = Setting(None, url=False)  # the toy projection's chart key


def main() -> None:
    page_header(
        "Denoising: vanilla AE vs denoising AE",
        "A denoising AE (DAE) is trained to map a corrupted x̃ back to the clean x. Both models see the same "
        "x̃ below. Which one cleans it up?",
    )
    state = DenoiseState()
    data = pick_image_set(state.key("data"), ("ae", "dae"), imported=("image",))
    ds = require_dataset(data)
    require_fit(ds, "denoise")
    models, kind, level, which = _sidebar(state, data, ds)
    ae, dae = model_of(models["ae"]), model_of(models["dae"])
    seed = int(state.seed)
    cls = None if which == "random" else ds.class_names.index(which)
    idx = denoise.pick_examples(ds.y_test.numpy(), N_SHOW, cls, seed)
    res = denoise.denoise_compare(ae, dae, ds.x_test[idx], kind, level, seed=seed, image_shape=ds.image_shape)
    _rows(res, ds)
    _metrics(res.means())
    _table(res, ds, idx)
    curve = cached_curve(
        models["ae"].name, models["dae"].name, (key_of(models["ae"]), key_of(models["dae"])), data, kind
    )
    chart(psnr_curve_figure(curve, current_level=level), state.key("curve"))
    st.caption(words.psnr_curve_caption(kind, curve.levels, curve.dae_advantage, n_images=N_CURVE))
    _toy(state, seed)


def _sidebar(state: DenoiseState, data: str, ds):
    """The pair's latent size, the noise (type, level) and which test images: ``(the AE/DAE pair, kind,
    level, class or "random")``."""
    sb = st.sidebar
    # 16-D by default where the pair exists: a 2-D AE can only answer with one of a few blurry prototypes
    # (it turned 1, 4 and 9 into 3s), which hides what denoising training adds.
    sizes = latent_sizes(data, ("ae", "dae")) or [2]
    if state.k not in sizes:
        state.k = max(sizes)
    if len(sizes) > 1:
        sb.radio(
            "Latent size k",
            sizes,
            key=state.key("k"),
            horizontal=True,
            format_func=lambda v: f"{v}-D",
            help="Both models exist with a 2-D and a 16-D code (same networks otherwise).",
        )
    models = require_models(data, ("ae", "dae"), int(state.k))
    if state.kind not in denoise.NOISE_KINDS:
        state.kind = "gaussian"
    kind = sb.radio("Noise type", denoise.NOISE_KINDS, key=state.key("kind"), format_func=lambda k: KIND_LABELS[k])
    state.level = float(np.clip(state.level, 0.0, 1.0))
    level = sb.slider(
        "Noise level",
        0.0,
        1.0,
        step=0.05,
        key=state.key("level"),
        help="Gaussian: the noise std σ (pixels are in [0, 1]). Salt and pepper / masking: the "
        "fraction of pixels hit. The shipped DAEs were trained with Gaussian σ = 0.5.",
    )
    # Only classes with a test image: a small imported set's random test fifth may miss one.
    classes = ["random"] + [c for i, c in enumerate(ds.class_names) if bool((ds.y_test == i).any())]
    if state.cls not in classes:
        state.cls = "random"
    which = sb.selectbox(
        "Test images", classes, key=state.key("cls"), format_func=lambda c: c if c == "random" else f"class {c}"
    )
    sb.button(
        "New images",
        key=state.key("new"),
        on_click=lambda: setattr(state, "seed", int(state.seed) + 1),
        width="stretch",
    )
    state.push("k", "kind", "level", "cls", "seed")
    return models, kind, level, which


def _rows(res, ds) -> None:
    """Clean x, corrupted x̃, and both models' g(f(x̃)): one row of images each, with their scores."""
    cell = 120 if ds.image_shape[1] <= 8 else 112  # px per image (sent at this size, shown at its own)
    rows = [
        ("Clean x", res.clean, None, None),
        ("Corrupted x̃", res.noisy, res.psnr_noisy, res.ssim_noisy),
        ("Vanilla AE: g(f(x̃))", res.ae_out, res.psnr_ae, res.ssim_ae),
        ("Denoising AE: g(f(x̃))", res.dae_out, res.psnr_dae, res.ssim_dae),
    ]
    grid = main_visual()
    presenter = is_presenter()
    if presenter:
        cell = round(cell * slide_scale())  # on a 1080p slide the rows fill it as on 720p
    for title, imgs, p, s in rows:
        left, right = grid.columns([1, 5], vertical_alignment="center")
        if p is None:
            left.markdown(f"**{title}**" if presenter else f"#### {title}")
        elif presenter:  # one compact label per row, so that the four rows fit on one screen
            left.markdown(f"**{title}**  \nPSNR {p.mean():.1f} dB")
        else:
            left.markdown(gloss(f"#### {title}\nmean PSNR **{p.mean():.1f} dB**  \nmean SSIM **{s.mean():.2f}**"))
        show_png(
            coding.image_grid(imgs, ds.image_shape, 1, len(imgs), cell=cell),
            width="content",
            where=right,
            alt=f"{title}: {len(imgs)} images in a row",
        )


def _metrics(means: dict) -> None:
    """The three mean PSNRs, the DAE's with its gain over the AE."""
    c1, c2, c3 = st.columns(3)
    c1.metric("Noisy input x̃: mean PSNR", f"{means['psnr_noisy']:.1f} dB")
    c2.metric("Vanilla AE: mean PSNR", f"{means['psnr_ae']:.1f} dB")
    gap = means["psnr_dae"] - means["psnr_ae"]
    c3.metric(
        "Denoising AE: mean PSNR",
        f"{means['psnr_dae']:.1f} dB",
        delta=words.db_delta(gap),
        delta_arrow=words.delta_arrow(gap),
    )


def _table(res, ds, idx) -> None:
    """PSNR and SSIM of every image shown."""
    means = res.means()
    with st.expander("PSNR and SSIM per image"):
        table = {
            "row": [
                "noisy x̃ PSNR (dB)",
                "vanilla AE PSNR (dB)",
                "DAE PSNR (dB)",
                "noisy x̃ SSIM",
                "vanilla AE SSIM",
                "DAE SSIM",
            ]
        }
        for j in range(len(idx)):
            table[f"#{idx[j]} ({ds.class_names[int(ds.y_test[idx[j]])]})"] = [
                res.psnr_noisy[j],
                res.psnr_ae[j],
                res.psnr_dae[j],
                res.ssim_noisy[j],
                res.ssim_ae[j],
                res.ssim_dae[j],
            ]
        table["mean"] = [means[k] for k in ("psnr_noisy", "psnr_ae", "psnr_dae", "ssim_noisy", "ssim_ae", "ssim_dae")]
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={k: st.column_config.NumberColumn(format="%.2f") for k in table if k != "row"},
        )
        st.caption(
            "PSNR = 10·log10(1 / MSE) against the clean x. SSIM: structural similarity "
            "(Wang et al. 2004, Gaussian window σ = 1.5; own implementation)."
        )


def _toy(state: DenoiseState, seed: int) -> None:
    """Why it works, on a toy curve: g∘f projects the noisy points back onto M."""
    st.header("Why it works: denoising is projection onto M")
    st.caption(
        "On a toy curve: noisy points x̃ (open circles) are pulled by g∘f back onto the learned manifold "
        "M = g(z) (black line). An AE with a 1-D code can only output points of M."
    )
    a, b = st.columns([1, 3])
    toy_name = pick_toy(state.key("toy"), a)
    if toy_name is not None:
        toy_level = a.slider("Noise σ on the points", 0.0, 0.5, step=0.01, key=state.key("toy_level"))
        state.push("toy_level")
        te = find_model(toy_name)
        tds = require_dataset(te.dataset)
        proj = denoise.toy_projection(model_of(te), tds.x_test, toy_level, n=150, seed=seed, x_ref=tds.x_train)
        a.metric(
            "Mean distance to the clean points",
            f"{proj.dist_after:.3f}",
            delta=words.toy_distance_delta(proj.dist_before, proj.dist_after),
            delta_color="inverse",
        )
        chart(projection_figure(proj, f"{toy_name}: x̃ → g(f(x̃)) lands on M"), state.key("proj"), b)


main()
