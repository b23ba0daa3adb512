"""Words from numbers: the sentences a page puts around its numbers, made from those numbers.

A caption that cites a number must agree with it. Written by hand around an f-string, the words
drift: "noise-free inputs cost the DAE +2.7 dB" was printed while the chart showed the DAE 2.7 dB
*below* the vanilla AE. Here each caption is a function of the numbers the figure shows, and the
comparison words (above/below, more/fewer, denser/sparser, rises/stays) are chosen from their sign,
so a new model, noise or seed cannot make the words contradict the chart. Where two views show one
quantity with different settings (sampler, k, number of draws, seed), the sentence says so.

Pure functions (numbers in, Markdown out): no Streamlit, no plotly; ``tests/test_captions.py``
checks each against the data of the figure it sits under.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from aecore.analysis.coding import FLAG_RGB

# ---------------------------------------------------------------- colours, named as drawn

#: The colour of "low density / extrapolating" marks: the latent plane's open circles (plane.js's
#: VERMILLION, held equal by a test), the tour's probe cross and the strips' bars.
LOW_DENSITY_HEX = "#{:02X}{:02X}{:02X}".format(*FLAG_RGB)

#: What a person calls the colours the app draws (Okabe & Ito's palette). #D55E00 reads as an
#: orange-red on screen: "red" made people look for a colour that is not there, and plain "orange"
#: is the palette's #E69F00 (class 1's dots, the vanilla AE's curve).
COLOUR_NAMES = {
    "#0072B2": "blue",
    "#E69F00": "orange",
    "#009E73": "green",
    "#CC79A7": "pink",
    "#56B4E9": "sky blue",
    "#D55E00": "orange-red",
    "#F0E442": "yellow",
    "#000000": "black",
    "#999999": "grey",
    "#882255": "wine red",
}


def colour_name(hex_colour: str) -> str:
    """The everyday name of one of the app's colours (``"#D55E00"`` → ``"orange-red"``)."""
    try:
        return COLOUR_NAMES[hex_colour.upper()]
    except KeyError:
        raise KeyError(f"no name for colour {hex_colour!r}: add it to COLOUR_NAMES") from None


#: How a caption names the plane's low-density mark.
LOW_MARK = f"{colour_name(LOW_DENSITY_HEX)} ○"


def marks_hint(click: str = "Click anywhere to decode it.") -> str:
    """The latent plane's legend line for draws: what ✕ and the low-density circle mean."""
    return f"✕ a draw among the codes · {LOW_MARK} a draw in low density. {click}".strip()


# ---------------------------------------------------------------- small pieces


def ordinal(n: int) -> str:
    """``95`` → ``"95th"``, ``51`` → ``"51st"``, ``12`` → ``"12th"``."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def percent(fraction: float) -> str:
    """``0.06`` → ``"6%"``."""
    return f"{fraction:.0%}"


def _level(x: float, tie: float) -> int:
    """-1, 0 or +1: the sign of ``x`` with anything within ``tie`` of zero called level."""
    return 0 if abs(x) < tie else (1 if x > 0 else -1)


# ---------------------------------------------------------------- Denoising

#: Below this a difference in dB is "level": the page prints one decimal, so a smaller gap would
#: read as "0.0 dB above".
DB_TIE = 0.05

#: The noise level's name in words, per kind of noise (:data:`aecore.analysis.denoise.NOISE_KINDS`).
_LEVEL_WORDS = {
    "gaussian": lambda v: f"σ = {v:g}",
    "salt-and-pepper": lambda v: f"{v:.0%} of pixels hit",
    "masking": lambda v: f"{v:.0%} of pixels zeroed",
}


def noise_level_words(kind: str, level: float) -> str:
    """A noise level as a person says it: ``σ = 0.5``, ``60% of pixels zeroed``."""
    return _LEVEL_WORDS[kind](float(level))


def db_gap(db: float, other: str = "the vanilla AE") -> str:
    """A PSNR difference (this minus ``other``) in words: ``2.7 dB below the vanilla AE``."""
    s = _level(db, DB_TIE)
    if s == 0:
        return f"level with {other}"
    return f"{abs(db):.1f} dB {'above' if s > 0 else 'below'} {other}"


def db_delta(db: float) -> str:
    """The DAE's metric delta: ``+2.7 dB vs AE`` (the sign is the direction; Streamlit colours it)."""
    return f"{db:+.1f} dB vs AE" if _level(db, DB_TIE) else "level with the AE"


def psnr_curve_caption(kind: str, levels: Sequence[float], advantage: Sequence[float], n_images: int = 500) -> str:
    """The caption under the Denoising page's PSNR-against-noise chart.

    ``advantage``: DAE minus vanilla-AE mean PSNR at each of ``levels`` (``PsnrCurve.dae_advantage``),
    level 0 first. Says where the DAE stands at the highest level, where it leads most (when that is
    elsewhere), and what noise-free inputs cost or gain it, each word from the sign.
    """
    levels = np.asarray(levels, float)
    adv = np.asarray(advantage, float)
    out = [f"Mean over the first {n_images} test images, same noise seed at every level."]
    top = f"At the highest level ({noise_level_words(kind, levels[-1])}) the DAE is {db_gap(adv[-1])}"
    best = int(np.argmax(adv))
    if _level(adv[best], DB_TIE) <= 0:  # never ahead
        return " ".join(
            out
            + [
                f"{top}, and it is nowhere above it: at no noise level shown does denoising training pay "
                f"off on this noise (the shipped DAEs were trained on Gaussian σ = 0.5)."
            ]
        )
    if best != len(adv) - 1:
        top += f"; it leads most at {noise_level_words(kind, levels[best])}, by {adv[best]:.1f} dB"
    out.append(top + ".")
    zero = _level(adv[0], DB_TIE)
    if zero < 0:
        out.append(
            f"On noise-free inputs (level 0) the DAE is {db_gap(adv[0])}: the price of its robustness, paid on "
            "clean data."
        )
    elif zero == 0:
        out.append("On noise-free inputs (level 0) the two are level: here robustness cost nothing on clean data.")
    else:
        out.append(f"On noise-free inputs (level 0) the DAE is {db_gap(adv[0])} too.")
    return " ".join(out)


def delta_arrow(db: float) -> str:
    """``st.metric``'s ``delta_arrow`` for :func:`db_delta`: no arrow when the two are level (an arrow
    up beside "level with the AE" would say the opposite of the words)."""
    return "auto" if _level(db, DB_TIE) else "off"


def toy_distance_delta(before: float, after: float) -> str:
    """The toy projection's metric delta: how far g∘f moved the noisy points toward the clean ones."""
    return f"{after - before:+.3f} vs noisy"


# ---------------------------------------------------------------- Sampling

#: What each model's draws are judged against, as the titles say it.
REFERENCE_WORDS = {
    "VAE": "its codes z ~ q(z|x), one per test image",
    "Vanilla AE": "its codes f(x) of the test images",
}

#: A typical draw denser than fewer than this fraction of the codes sits in their sparse fringe
#: (draws spread like the codes would be denser than about half of them).
FRINGE_RANK = 0.3


def draws_title(name: str, low_fraction: float, median_rank: float, reach: float, quantile: float) -> str:
    """The line above a model's plane of draws on the Sampling page (Markdown, one ``<br>``).

    Says what "low density" is measured against (that model's own codes, and the cut-off), so that
    an AE's small low-density share is not read as "its draws land on data" when they reach none.
    """
    ref = REFERENCE_WORDS.get(name, "its own codes")
    only = "only " if median_rank < FRINGE_RANK else ""
    return (
        f"{name}: {percent(low_fraction)} of draws emptier than {percent(1 - quantile)} of {ref}<br>"
        f"typical draw denser than {only}{percent(median_rank)} of them · the draws reach {percent(reach)} of them"
    )


def _compare(a: float, b: float, tie: float, more: str, less: str, same: str) -> str:
    s = _level(a - b, tie)
    return same if s == 0 else (more if s > 0 else less)


def draws_verdict(
    vae: Mapping[str, float],
    ae: Mapping[str, float],
    ae_sampler: str,
    quantile: float,
) -> str:
    """The sentence that reads the Sampling page's two titles together.

    ``vae`` and ``ae``: ``{"low": low_fraction, "typical": median_rank, "reach": reach}`` of each
    model's draws. In 16-D the cut-off flags only gross misses (neighbour distances concentrate),
    so the AE's N(0, I) draws can have a low-density share close to the VAE's while sitting in a
    sparse fringe and reaching nothing: this says which number shows the difference, with
    more/fewer, denser/sparser chosen from the numbers.
    """
    low = _compare(
        ae["low"],
        vae["low"],
        0.005,
        f"more of the AE's draws ({percent(ae['low'])}) than of the VAE's ({percent(vae['low'])})",
        f"fewer of the AE's draws ({percent(ae['low'])}) than of the VAE's ({percent(vae['low'])})",
        f"as many of the AE's draws as of the VAE's ({percent(ae['low'])})",
    )
    typ = _compare(
        ae["typical"],
        vae["typical"],
        0.05,
        "denser",
        "sparser",
        "as dense",
    )
    reach = _compare(ae["reach"], vae["reach"], 0.05, "more", "less", "as much")
    return (
        f"**Reading the two together.** Each model's draws are judged against its own codes, by the same "
        f"rule. *Low density* is a strict cut-off (emptier than {percent(1 - quantile)} of the codes), and it "
        f"flags {low}. The typical draw says more: the AE's, drawn from {ae_sampler.split(' (')[0]}, sits in a "
        f"{typ} place among its codes than the VAE's does among its own (denser than {percent(ae['typical'])} "
        f"of them, against {percent(vae['typical'])}), and the AE's draws reach {reach} of its data "
        f"({percent(ae['reach'])} of its codes, the VAE's {percent(vae['reach'])})."
    )


def ae_prior_words(k: int, rank: float) -> str:
    """The "2-D vs 16-D" paragraph: where N(0, I) lands among a vanilla AE's codes in k dimensions.

    ``rank``: the median N(0, I) draw's density rank among the AE's codes (denser than this
    fraction of them). Crowd or fringe is read from it, never assumed from k."""
    typical = f"the typical one is denser than {'only ' if rank < FRINGE_RANK else ''}{percent(rank)} of the codes"
    if k == 2 and rank >= FRINGE_RANK:
        return (
            f"**2-D vs 16-D.** In 2-D this AE's codes happen to crowd around the origin, so N(0, I) draws land "
            f"among them ({typical}): luck of training, not a prior; nothing asked the codes to sit there. Switch "
            f"to 16-D, a realistic size, to see whether N(0, I) still finds the AE's codes there."
        )
    if k == 2:
        return (
            f"**2-D vs 16-D.** In 2-D this AE's codes happen to leave the origin sparse: N(0, I) draws land in "
            f"their fringe ({typical}). On another data set a 2-D AE's codes may crowd the origin instead: "
            f"nothing in training decides which."
        )
    if rank >= FRINGE_RANK:
        return (
            f"**2-D vs {k}-D.** In {k}-D this AE's codes happen to surround the origin, so N(0, I) draws land "
            f"among them ({typical}): luck of training, not a prior; nothing asked the codes to sit there."
        )
    return (
        f"**2-D vs {k}-D.** In {k}-D the AE's codes form a cloud of their own shape and scale: N(0, I) draws "
        f"make a small ball in its sparse fringe or outside it ({typical}). The VAE was trained to fill "
        f"N(0, I), so its draws sit among its codes. (In 2-D an AE's codes may happen to crowd the origin, "
        f"and N(0, I) then hits them by luck of training.)"
    )


def pca_view_caption(k: int, name: str, explained: Sequence[float]) -> str:
    """Under a k > 2 plane of draws: what the PCA view shows, and why a low-density mark can sit among dots."""
    of = "posterior means" if name == "VAE" else "codes"
    return (
        f"k = {k}: a PCA view of the {of} (PC 1 and PC 2 hold {percent(explained[0])} and "
        f"{percent(explained[1])} of their variance). Low density is decided in all {k} dimensions, so an "
        f"{LOW_MARK} can sit among the dots: it is far from them along directions this plane does not show."
    )


def sampling_reading(quantile: float) -> str:
    """The Sampling page's "Reading it" paragraph (the cut-off and the mark's colour from their values)."""
    return (
        f"**Reading it.** VAE dots are one z ~ q(z|x) per test image (what its decoder was trained on), AE dots "
        f"are f(x). *Low density* = the fraction of draws farther from their 10 nearest codes than "
        f"{percent(1 - quantile)} of the codes are from theirs, measured in units of the codes' own spread "
        f"({LOW_MARK}). *Typical draw* = the median draw's density rank: draws spread like the codes would be "
        f"denser than 50% of them, draws in a sparse fringe far fewer. *Reach* = the fraction of codes near some "
        f"draw that landed on data: draws bunched in one corner land in dense places yet reach little of it. "
        f"Try the other AE samplers: an AE comes with no a-priori description of where its codes live; a "
        f"Gaussian fitted to them afterwards is a density estimated after training, not a prior the model was "
        f"trained for."
    )


def _two(x: float) -> str:
    """Two decimals without a "-0.00" (a mean of -0.001 is 0.00 to a reader)."""
    return f"{round(float(x), 2) + 0.0:.2f}"


def posterior_caption(n: int, dims: Sequence[int], mean: np.ndarray, cov: np.ndarray, k: int) -> str:
    """Under the aggregate-posterior ellipses: the aggregate posterior's moments against the prior's."""
    shown = "" if k == 2 else f" Shown: z{dims[0] + 1} and z{dims[1] + 1}, the two dimensions with the largest KL."
    means = ", ".join(_two(mean[j]) for j in dims)
    variances = ", ".join(_two(cov[j, j]) for j in dims)
    return (
        f"Each ellipse is one q(z|x) (1σ), {n} test images. The black circles are the prior's 1σ and 2σ.{shown} "
        f"Aggregate posterior there: mean ({means}), variances ({variances}); the prior has 0 and 1."
    )


def collapse_words(kl: Sequence[float], collapsed: Sequence[int], threshold: float) -> str:
    """The KL chart's verdict: which dimensions collapsed (KL below ``threshold`` nats), or none."""
    kl = np.asarray(kl, float)
    if not len(collapsed):
        return (
            f"No posterior collapse: every dimension carries information (the smallest KL, "
            f"{kl.min():.2f} nats in z{int(np.argmin(kl)) + 1}, is above the {threshold:g}-nat line)."
        )
    names = ", ".join(f"z{j + 1}" for j in collapsed)
    return (
        f"**Posterior collapse** in {len(collapsed)} of {len(kl)} dimension(s) ({names}): KL below {threshold:g} "
        f"nats means q(z|x) equals the prior for every x, so these coordinates carry no information about the input."
    )


# ---------------------------------------------------------------- the tour


def extrapolation_words(percentile: float) -> str:
    """Tour step 3's warning when z has walked away from the codes. ``percentile``: the percent of
    training codes whose own density is at most that at z (``KernelDensity.percentile``)."""
    if percentile <= 0:
        where = "far outside the codes. The density of training codes here is lower than at every training code"
    else:
        # Rounded down: 99.7 must not read as "every" (that is the case above).
        where = (
            f"few training codes near here. Their density here is lower than at {math.floor(100 - percentile)}% of them"
        )
    return f"Extrapolating, {where}: g(z) here is a guess."


def overfit_words(best_epoch: int, best: float, last: float, last_epoch: int) -> str:
    """Tour step 6's caption: the held-out error's best epoch, and what it did after (rises or not)."""
    if last > best * 1.05:
        return (
            f"Held-out error is lowest at epoch {best_epoch}; by epoch {last_epoch} it has risen to "
            f"{last / best:.1f}× that: after the best epoch the network fits the noise."
        )
    return (
        f"Held-out error is lowest at epoch {best_epoch} and stays within 5% of it up to epoch {last_epoch}: "
        f"no sign of fitting the noise in this run."
    )


#: Settings of a set of draws, in the order a sentence names them.
_SETTING_WORDS = {
    "sampler": lambda v: f"the sampler “{v}”",
    "k": lambda v: f"k = {v}",
    "n": lambda v: f"{v} draws",
    "seed": lambda v: f"seed {v}",
}


def draws_settings(settings: Mapping[str, object]) -> str:
    """``{"sampler": …, "k": 2, "n": 64, "seed": 0}`` → ``"the box around its codes, k = 2, 64 draws, seed 0"``."""
    return ", ".join(_SETTING_WORDS[key](settings[key]) for key in _SETTING_WORDS if key in settings)


def settings_note(here: Mapping[str, object], there: Mapping[str, object], there_name: str) -> str:
    """Where two views show one quantity: the settings that differ, named, and how to match them.

    ``here`` and ``there`` (what the other view opens with): :func:`draws_settings`-style dicts."""
    keys = [key for key in _SETTING_WORDS if key in here and key in there]
    differ = [key for key in keys if here[key] != there[key]]
    if not differ:
        return f"The same settings ({draws_settings(here)}) as the {there_name} opens with, so the same numbers."
    ours = ", ".join(_SETTING_WORDS[key](here[key]) for key in differ)
    theirs = ", ".join(_SETTING_WORDS[key](there[key]) for key in differ)
    same = [key for key in keys if key not in differ]
    rest = f" (with the same {', '.join(_SETTING_WORDS[key](here[key]) for key in same)})" if same else ""
    return (
        f"Not the numbers the {there_name} opens with: here {ours}; there {theirs}. "
        f"Set {ours} there{rest} for the same draws and the same numbers."
    )


def tour_draws_title(model: str, sampler: str, low_fraction: float) -> str:
    """Above each of tour step 7's planes: the model, its sampler and its low-density share."""
    return f"**{model}, {sampler}: {percent(low_fraction)} in low density**"


def anomaly_source_words(same_as_page: bool, out_name: str, threshold: int) -> str:
    """Under tour step 8's numbers: whether they are the Anomalies page's, and if not why not."""
    if same_as_page:
        return (
            f"The same detector, test images and scores as the Anomalies page (out: {out_name}; threshold at the "
            f"{ordinal(threshold)} percentile of the in-distribution scores), so the same AUC and rates; the "
            "image below is the highest-scoring 'out' image there too."
        )
    return (
        f"Out of distribution here: {out_name}. The Anomalies page has no such set for this data (it holds a "
        f"class out instead), so its numbers differ from these."
    )


def spread_words(ae: float, vae: float, cls: str) -> str:
    """Tour step 9: which model keeps one class's codes tighter, from the two spreads."""
    s = _level(ae - vae, 0.01)
    if s == 0:
        return f"The {cls}s are about as spread under both models ({ae:.2f} and {vae:.2f})."
    tighter, looser = ("AE", "VAE") if s < 0 else ("VAE", "AE")
    return (
        f"The {cls}s sit tighter under the {tighter} ({min(ae, vae):.2f}) than under the {looser} "
        f"({max(ae, vae):.2f}): each model arranges the same images its own way."
    )


def prior_table_words(rows: list[Mapping]) -> str:
    """The sentences under the Sampling page's table of priors (:func:`aecore.lecture.prepare.prior_table`):
    which draws a classifier finds closest to the test set, and whether a prior learned from the AE's
    codes brought its pictures closer than N(0, I), by how much: all read from the FDs."""
    by = {r["label"]: r for r in rows}
    base, vae = by.get("AE + N(0, I)"), by.get("VAE + N(0, I)")
    learned = [r for r in rows if r["label"].startswith("AE + ") and r is not base]
    overall = min(rows, key=lambda r: r["fd"])
    if base is None or not learned:
        return f"**Closest to the test set:** {overall['label']} (FD {overall['fd']:.1f})."
    best = min(learned, key=lambda r: r["fd"])
    parts = [] if overall is best else [f"**Closest to the test set:** {overall['label']} (FD {overall['fd']:.1f})."]
    if best["fd"] >= base["fd"]:
        parts.append(
            f"No prior learned from the AE's codes brought its pictures closer than N(0, I) did (FD {base['fd']:.1f})."
        )
        return " ".join(parts)
    vs_vae = ""
    if vae is not None:
        than = "closer than" if best["fd"] < vae["fd"] else "not as close as"
        vs_vae = f", {than} the VAE's own draws (FD {vae['fd']:.1f})"
    parts.append(
        f"**Learning the prior, not imposing it.** The same AE decodes every row but the last; only where its z come "
        f"from changes. With N(0, I) its pictures sit FD {base['fd']:.1f} from the test set; with "
        f"{best['label'].removeprefix('AE + ')} learned from its own codes, FD {best['fd']:.1f}: "
        f"{base['fd'] / max(best['fd'], 1e-9):.1f}× closer{vs_vae}. That second stage on top of an autoencoder is "
        "the structure of latent diffusion."
    )
    return " ".join(parts)


def beta_words(beta: float, rate: float, distortion: float, n_active: int, k: int, ref: Mapping | None) -> str:
    """The sentence under the β knob's figures: the selected β's rate, distortion and active units,
    each compared with β = 1's (``ref``: ``{"rate", "distortion"}``; None when that model is missing).
    The comparison words come from the differences' signs."""
    weight = "the ELBO's own weight" if beta == 1 else f"{beta:g}× the ELBO's weight"
    head = f"**β = {beta:g}** ({weight} on the KL term): each code carries **{rate:.1f} nats** about its image (rate)"
    tail = f" and the decoder still misses **{distortion:.1f} nats** of it (distortion)"
    if ref is not None and beta != 1:
        dr, dd = rate - ref["rate"], distortion - ref["distortion"]
        head += f", {abs(dr):.1f} {_compare(dr, 0, 0.05, 'more', 'fewer', 'about as many')} than at β = 1,"
        tail += f", {abs(dd):.1f} {_compare(dd, 0, 0.05, 'more', 'fewer', 'about as many')}"
    if n_active == k:
        act = f"All {k} latent dimensions are active (their means move with x)."
    elif n_active == 0:
        act = f"None of the {k} latent dimensions is active: the posterior collapsed onto the prior."
    elif k - n_active == 1:
        act = (
            f"{n_active} of {k} latent dimensions are active; the other one collapsed onto the prior "
            "(its mean does not move with x)."
        )
    else:
        act = (
            f"{n_active} of {k} latent dimensions are active; the other {k - n_active} collapsed onto the prior "
            "(their means do not move with x)."
        )
    return f"{head}{tail}. {act}"


def codebook_words(
    perplexity: float, size: int, used: int, cells: int, mse: float, ae_mse: float | None, ae_k: int
) -> str:
    """The sentences under the Discrete codes page's grid: what an image costs in bits, how much of
    the codebook the test set uses (perplexity, codes used), and the reconstruction error beside the
    k-D AE's (``ae_mse``; None when that model is missing), the comparison word from the sign."""
    bits = cells * math.log2(size)
    parts = [
        f"Each image is **{cells} integers**, each one of {size} codes: {bits:.0f} bits, where a {ae_k}-D AE's code is "
        f"{ae_k} real numbers.",
        f"On the test set the codebook's **perplexity is {perplexity:.0f} of {size}** (as varied as a uniform choice "
        f"among {perplexity:.0f} codes; {used} of {size} codes are picked at least once).",
    ]
    if ae_mse is not None:
        word = _compare(mse, ae_mse, 0.02 * ae_mse, "above", "below", "about level with")
        parts.append(
            f"Test MSE per pixel **{mse:.4f}**, {word} the {ae_k}-D AE's {ae_mse:.4f}: a grid of discrete codes is "
            "not a coarser description than a few real numbers."
            if word != "above"
            else f"Test MSE per pixel **{mse:.4f}**, above the {ae_k}-D AE's {ae_mse:.4f}."
        )
    return " ".join(parts)


def sae_words(stats, l1, random, k: int) -> str:
    """The sentences under the sparse-autoencoder page's metrics: how much of the layer the TopK SAE
    explains with how few features, beside a bottleneck of that many dimensions (PCA), the L1 SAE
    (None: not shipped) and an untrained SAE; what splicing it into the classifier costs."""
    n = max(1, round(stats.l0))
    pca = _compare(stats.fve, stats.pca_fve, 0.005, "above", "below", "level with")
    cost = (stats.accuracy - stats.spliced_accuracy) * 100
    parts = [
        f"The SAE writes each image's {stats.width}-number layer as a sum of **{stats.l0:.0f} of its "
        f"{stats.n_features:,} features** and explains **{percent(stats.fve)}** of the layer's variance: {pca} "
        f"a {n}-D bottleneck (PCA with {n} components, {percent(stats.pca_fve)})"
        + (f", because each image picks its own {n} directions." if pca == "above" else "."),
        f"{percent(stats.dead)} of the features never fire on a test image; {percent(stats.dense)} fire on more than "
        "one in ten.",
        f"The classifier on the SAE's reconstruction instead of its own layer: accuracy {stats.accuracy:.2%} → "
        f"**{stats.spliced_accuracy:.2%}** ({'a loss of' if cost > 0 else 'a change of'} {abs(cost):.1f} points).",
    ]
    if l1 is not None:
        word = _compare(stats.fve, l1.fve, 0.005, "more", "less", "as much")
        parts.append(
            f"An L1 SAE of the same size explains {percent(l1.fve)} with {l1.l0:.0f} features firing: TopK explains "
            f"{word} with {stats.l0:.0f}."
        )
    parts.append(f"An untrained SAE of the same shape explains {percent(random.fve)}.")
    return " ".join(parts)


def probing_words(rows: list[Mapping]) -> str:
    """What the sparse-probing table says, from its numbers: at k = 1 and at the largest k, which basis
    predicts the classes best and by how much (a gap within the seeds' spread is called a tie)."""
    by = {(r["basis"], r["k"]): r for r in rows}
    ks = sorted({r["k"] for r in rows})
    out = []
    for k in (ks[0], ks[-1]):
        ranked = sorted((r for r in rows if r["k"] == k), key=lambda r: -r["mean"])
        best, second = ranked[0], ranked[1]
        tie = best["mean"] - second["mean"] <= best["std"] + second["std"]
        vals = ", ".join(f"{r['basis']} {r['mean']:.3f}" for r in ranked)
        lead = (
            f"**{best['basis']}** and {second['basis']} are level within the seeds' spread"
            if tie
            else f"**{best['basis']}** lead by {best['mean'] - second['mean']:.3f}"
        )
        out.append(f"With {k} direction{'s' if k > 1 else ''} per class: {lead} (balanced accuracy {vals}).")
    s1, r1 = by.get(("SAE features", ks[0])), by.get(("random directions", ks[0]))
    sk, rk = by.get(("SAE features", ks[-1])), by.get(("random directions", ks[-1]))
    if s1 and r1 and sk and rk and len(ks) > 1:
        g1, gk = s1["mean"] - r1["mean"], sk["mean"] - rk["mean"]
        spread = s1["std"] + r1["std"] + sk["std"] + rk["std"]
        trend = _compare(abs(gk), abs(g1), max(spread, 0.005), "widens", "narrows", "stays about the same")
        out.append(
            f"SAE features minus random directions: {g1:+.3f} at k = {ks[0]}, {gk:+.3f} at k = {ks[-1]}: "
            f"the gap {trend}."
        )
    return " ".join(out)


def purity_words(interp: Mapping) -> str:
    """Trained against random SAE by the class purity of each feature's top images."""
    t, r = interp["trained"], interp["random"]
    word = _compare(t["mean"], r["mean"], 0.02, "purer", "less pure", "as pure")
    return (
        f"A trained feature's top test images share one class **{percent(t['mean'])}** of the time on average "
        f"({percent(t['pure'])} of features are ≥ 90 % one class; {t['judged']:,} features judged); an untrained SAE's "
        f"{percent(r['mean'])} ({percent(r['pure'])}; {r['judged']:,} judged): trained features are {word}."
    )


def steer_words(
    feature: int, value: float, original: float, before, after, class_names, target: int, flip: float
) -> str:
    """What clamping did: the feature's value against its own, and the class the classifier calls
    before and after, with its probability; then from what value (``flip``, inf: none) it calls the
    class the feature pushes most (``target``)."""
    b, a = int(np.argmax(before)), int(np.argmax(after))
    same = abs(value - original) < 0.005  # the slider's step is 0.01
    head = (
        f"Feature #{feature} at its own value {original:.2f}: the classifier's own probabilities."
        if same
        else f"Feature #{feature} clamped from {original:.2f} to **{value:.2f}**."
    )
    if a == b:
        tail = f"It calls the image **{class_names[a]}** ({before[b]:.1%} → {after[a]:.1%})."
    else:
        tail = (
            f"The classifier's call moves from **{class_names[b]}** ({before[b]:.1%}) to **{class_names[a]}** "
            f"({after[a]:.1%})."
        )
    if b == target:
        hint = ""
    elif math.isfinite(flip):
        hint = (
            f" Clamped to {flip:.2f} or more, it would call it **{class_names[target]}**, the class #{feature} "
            "pushes most."
        )
    else:
        hint = f" No value of #{feature} alone makes it **{class_names[target]}**, the class it pushes most."
    return f"{head} {tail}{hint}"


# ---------------------------------------------------------------- Codes as features

#: Below this an accuracy or NMI gap is "level": the page prints three decimals.
SCORE_TIE = 0.0005


def _gap(a: float, b: float, what: str) -> str:
    """ "0.025 above PCA-16 (0.926)", "level with …" or "0.010 below …", from the numbers."""
    s = _level(a - b, SCORE_TIE)
    if s == 0:
        return f"level with {what} ({b:.3f})"
    return f"{abs(a - b):.3f} {'above' if s > 0 else 'below'} {what} ({b:.3f})"


def features_words(report, model_label: str) -> str:
    """The sentences beside the Codes-as-features table and curve, from their numbers: the codes'
    kNN accuracy against each baseline, the smallest label budget's comparison with the raw inputs
    (a gap within the draws' spread called a tie), and k-means' NMI."""
    codes = report.row("codes")
    others = [r for r in report.rows if r.name != "codes"]
    gaps = ", ".join(
        _gap(codes.knn, r.knn, "a random encoder of the same shape" if r.name == "random encoder" else r.name)
        for r in others
    )
    parts = [
        f"As features, the codes of {model_label} give a 5-nearest-neighbour accuracy of **{codes.knn:.3f}** "
        f"on {report.n_eval:,} test images ({report.n_labelled:,} labelled training images): {gaps}."
    ]
    c, raw = report.curve("codes"), report.curves[2]  # codes, PCA-k, raw inputs, random encoder
    b = c.budgets[0]
    gap = c.knn_mean[0] - raw.knn_mean[0]
    spread = c.knn_std[0] + raw.knn_std[0]
    if abs(gap) <= spread:
        verdict = "level with"
    else:
        verdict = "above" if gap > 0 else "below"
    parts.append(
        f"With only {b} labels per class the codes score {c.knn_mean[0]:.3f} ± {c.knn_std[0]:.3f}, **{verdict}** "
        f"the {raw.name} ({raw.knn_mean[0]:.3f} ± {raw.knn_std[0]:.3f}; ± is the spread over {report.n_draws} draws)."
    )
    pca = report.rows[1]
    parts.append(
        f"Without any labels, k-means on the codes finds groups that share **{codes.nmi:.2f}** of their information "
        f"with the classes (NMI; PCA: {pca.nmi:.2f}, {others[1].name}: {others[1].nmi:.2f})."
    )
    return " ".join(parts)


# ---------------------------------------------------------------- Disentanglement


def factor_words(labels, mig: float, model_label: str) -> str:
    """Which factor each dimension of one model carries (its :class:`aecore.analysis.factors.DimLabel`
    list), which factors none carries, and its MIG: the sentences beside its heatmap."""
    carried = [lab for lab in labels if lab.factor]
    per = "; ".join(
        f"z{lab.dim + 1}: {lab.factor} ({lab.share:.2f})" for lab in sorted(carried, key=lambda d: -d.share)
    )
    parts = [
        f"In {model_label}, **{len(carried)} of {len(labels)} dimensions** carry a factor (a share of its "
        f"information ≥ 0.1)" + (f": {per}." if carried else ".")
    ]
    twice = sorted({lab.factor for lab in carried if sum(d.factor == lab.factor for d in carried) > 1})
    if twice:
        parts.append(f"Spread over several dimensions: {', '.join(twice)}.")
    return " ".join(parts) + f" MIG {mig:.3f} (1: each factor in one dimension alone; 0: none is)."


def study_words(rows: list[Mapping]) -> str:
    """What the study's table says, from its numbers (:func:`aecore.analysis.factors.summary`): the
    objectives ranked by mean MIG, whether β-VAE or β-TC-VAE beats the plain AE on average, and how
    far the seeds spread within an objective against how far the objectives' means are apart."""
    if not rows:
        return ""
    ranked = sorted(rows, key=lambda r: -r["mig"][0])
    order = " > ".join(f"{r['short']} {r['mig'][0]:.3f} ± {r['mig'][1]:.3f}" for r in ranked)
    parts = [f"Mean MIG over the seeds: {order}."]
    by = {r["objective"]: r for r in rows}
    ae = by.get("ae")
    if ae is not None:
        for o in ("tc-vae", "beta-vae"):
            r = by.get(o)
            if r is None:
                continue
            word = _compare(r["mig"][0], ae["mig"][0], SCORE_TIE, "above", "below", "level with")
            parts.append(
                f"{r['short']} is **{word}** the plain AE on average ({r['mig'][0]:.3f} against {ae['mig'][0]:.3f})."
            )
    seeds = max(rows, key=lambda r: r["mig"][3] - r["mig"][2])
    spread = seeds["mig"][3] - seeds["mig"][2]
    means = ranked[0]["mig"][0] - ranked[-1]["mig"][0]
    word = "more than" if spread > means else "less than"
    parts.append(
        f"The seed alone moves MIG by up to {spread:.3f} ({seeds['short']}: {seeds['mig'][2]:.3f} to "
        f"{seeds['mig'][3]:.3f}), "
        f"**{word}** the {means:.3f} between the best and worst objective's means."
    )
    return " ".join(parts)
