"""Everything a lecture can open, computed before the lecture: ``python -m aecore prepare``.

Each function here returns what a page shows and keeps it on disk (:mod:`aecore.lecture.prepared`), so the
page that calls it pays the computation only if nobody prepared it: the toy models and manifold
views of every Manifold tab, the overfitting preset, the time-lapse films, the held-out-class
anomaly detectors and the UMAP projections of the shipped models. :func:`prepare_all` walks the
whole list with a progress callback (the CLI and the app's "Prepare this lecture" button).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aecore.lecture import prepared
from aecore.lecture.prepared import key_of

Progress = Callable[[float, str], None]  # (fraction done, what is happening)


# ---------------------------------------------------------------- toy models and views


def _shipped_toy(name: str, k: int, family: str, seed: int, epochs: int):
    """The shipped checkpoint that matches this seeded recipe, or None."""
    from aecore.analysis.toy import TOY_EPOCHS, shipped_name
    from aecore.storage.library import find_model

    if seed != 0 or epochs != TOY_EPOCHS:
        return None
    try:
        entry = find_model(shipped_name(name, k, family))
    except KeyError:
        return None
    return entry if entry.readonly and entry.dataset == name and entry.latent_dim == k else None


def _toy_key(name: str, k: int, family: str, seed: int, epochs: int) -> str:
    from aecore.analysis.manifold import GRID_N
    from aecore.analysis.toy import TOY_BATCH, TOY_LR
    from aecore.storage.files import file_hash

    entry = _shipped_toy(name, k, family, seed, epochs)
    source = file_hash(entry.path) if entry else ("trained", TOY_LR, TOY_BATCH)
    return key_of("toy", name, k, family, seed, epochs, source, GRID_N)


def toy_model(
    name: str, k: int, family: str = "ae", seed: int = 0, epochs: int | None = None, on_progress: Progress | None = None
):
    """``(model, source)``: the shipped checkpoint when one matches the seeded recipe, else a model
    trained once (seconds; ``on_progress`` reports) and kept on disk. ``source`` says which."""
    from aecore.analysis.toy import TOY_EPOCHS, train_toy
    from aecore.storage.checkpoint import load_checkpoint

    epochs = epochs or TOY_EPOCHS
    entry = _shipped_toy(name, k, family, seed, epochs)
    if entry is not None:
        return load_checkpoint(entry.path).model, f"shipped checkpoint `{entry.name}`"
    model = prepared.cached(
        "toy-model",
        _toy_key(name, k, family, seed, epochs),
        lambda: train_toy(name, k, family, seed, epochs, on_progress=on_progress).model,
    )
    return model, f"trained here once (seeded: {epochs} epochs, seed {seed}), kept on disk"


def toy_view(name: str, k: int, family: str, seed: int, epochs: int, model):
    """The manifold view (M, codes, density, distances) of a toy model from :func:`toy_model`."""
    from aecore.analysis.manifold import manifold_view
    from aecore.data.sets import load_dataset

    return prepared.cached(
        "toy-view", _toy_key(name, k, family, seed, epochs), lambda: manifold_view(model, load_dataset(name))
    )


def overfit(seed: int = 0, on_progress: Progress | None = None):
    """The overfitting preset's run (2,000 epochs in float64, ~20 s on 2 cores), computed once."""
    from aecore.analysis.overfit import OVERFIT, overfit_run

    return prepared.cached(
        "overfit", key_of("overfit", seed, OVERFIT), lambda: overfit_run(seed=seed, on_progress=on_progress)
    )


def timelapse_epochs(epochs: int) -> list[int]:
    """The epochs the time-lapse film shows: 41, log-spaced from 0 to ``epochs``
    (:func:`aecore.analysis.toy.timelapse_epochs`): M unfolds in the first few epochs."""
    from aecore.analysis.toy import timelapse_epochs as schedule

    # 41: 40 steps, which plotly's slider labels every 2nd, 4th, 5th, 8th or 10th of as width allows,
    # always ending on the last epoch (so does the 3-D film's every other frame).
    return schedule(epochs, frames=41)


def train_timelapse(name: str, k: int, seed: int, epochs: int, on_progress: Progress | None = None):
    """``(run, base_view)`` of the time-lapse, trained now (the page's "Train again, live"): an AE
    with a snapshot of M at each of :func:`timelapse_epochs`, and the view its frames are drawn over."""
    from aecore.analysis.manifold import manifold_view
    from aecore.analysis.toy import train_toy
    from aecore.data.sets import load_dataset

    ds = load_dataset(name)
    run = train_toy(ds, k, "ae", seed, epochs, snapshot_epochs=timelapse_epochs(epochs), on_progress=on_progress)
    base = manifold_view(run.model, ds, sample=len(run.sample_x), n_grid={1: 301, 2: 41, 3: 11}.get(k))
    return run, base


def timelapse(name: str, k: int, seed: int, epochs: int, on_progress: Progress | None = None):
    """:func:`train_timelapse`, computed once and kept on disk (the key holds the frames' epochs: a
    film prepared with another schedule is not reused)."""
    key = key_of("timelapse", name, k, seed, epochs, tuple(timelapse_epochs(epochs)))
    return tuple(prepared.cached("timelapse", key, lambda: train_timelapse(name, k, seed, epochs, on_progress)))


# ---------------------------------------------------------------- image models


def deep_vs_pca(entry, n_show: int = 12, on_progress: Progress | None = None):
    """The deep AE against PCA on real test images (the Linear AE vs PCA tab): PCA of 60,000 MNIST
    images and 10,000 reconstructions each, ~2-5 s, kept on disk (``on_progress`` hears each step;
    a result read from disk reports nothing)."""
    from aecore.analysis.pca import deep_vs_pca as compute
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.files import file_hash

    say = on_progress or (lambda f, t: None)

    def run():
        say(0.0, f"loading {entry.dataset} and {entry.name}")
        ds, model = load_dataset(entry.dataset), load_checkpoint(entry.path).model
        return compute(model, ds, n_show=n_show, on_progress=lambda f, t: say(0.15 + 0.85 * f, t))

    return prepared.cached("deep-vs-pca", key_of("deep-vs-pca", file_hash(entry.path), entry.dataset, n_show), run)


def model_without_class(dataset: str, cls: int, epochs: int, on_progress: Progress | None = None):
    """The held-out-class anomaly detector: a 2-D AE trained without class ``cls``, kept on disk
    (``on_progress`` reports a training's epochs; loading it from disk reports nothing)."""
    from aecore.analysis.anomaly import train_without_class
    from aecore.data.sets import load_dataset

    return prepared.cached(
        "without-class",
        key_of("without-class", dataset, cls, epochs),
        lambda: train_without_class(load_dataset(dataset), cls, epochs=epochs, on_progress=on_progress),
    )


def heldout_ready(dataset: str, cls: int, epochs: int) -> bool:
    """Whether the held-out-class detector is on disk already (the page then skips its button)."""
    return prepared.is_cached("without-class", key_of("without-class", dataset, cls, epochs))


def heldout_epochs(dataset) -> int:
    """Epochs of the held-out-class detector: 60 on the small digits set, 3 on MNIST-sized sets.
    ``dataset``: a name, or the loaded :class:`~aecore.data.sets.Dataset` (a page has it already:
    loading MNIST again to count its rows cost the held-out view 0.1-1 s on every run)."""
    from aecore.data.sets import load_dataset

    ds = load_dataset(dataset) if isinstance(dataset, str) else dataset
    return 60 if len(ds.x_train) < 5000 else 3


# ---------------------------------------------------------------- image models: what the pages compute
#
# A page's first visit in a fresh server used to encode 60,000 images (0.3-1 s per model), measure
# leave-one-out code densities (0.4 s), score test sets or trace PSNR curves (0.3-0.7 s): each in
# front of the class. These are deterministic functions of a checkpoint file and a data set, so they
# are kept on disk under the file's hash (a retrained model gets new numbers). ``model`` / ``x`` let a
# caller that holds them already skip loading them again (``x`` may be a function that returns the
# rows, called only when the result is not on disk); they never change the result.


def _file_key(path) -> str:
    from aecore.storage.files import file_hash

    return file_hash(path)


def _split(dataset: str, split: str, x=None):
    if callable(x):
        return x()
    if x is not None:
        return x
    from aecore.data.sets import load_dataset

    return load_dataset(dataset).split(split)[0]


def codes(path, dataset: str, split: str, model=None, x=None):
    """Codes ``(N, k)`` of a data set split under a checkpoint's encoder (a VAE: the means)."""

    def compute():
        from aecore.analysis.coding import encode_array
        from aecore.storage.checkpoint import load_checkpoint

        return encode_array(model or load_checkpoint(path).model, _split(dataset, split, x))

    return prepared.cached("codes", key_of("codes", _file_key(path), dataset, split), compute)


def posterior(path, dataset: str, split: str = "test", model=None, x=None):
    """``(μ, log σ²)`` ``(N, k)`` each of a VAE's q(z|x) on a data set split."""

    def compute():
        from aecore.analysis.sampling import posterior_stats
        from aecore.storage.checkpoint import load_checkpoint

        return posterior_stats(model or load_checkpoint(path).model, _split(dataset, split, x))

    return tuple(prepared.cached("posterior", key_of("posterior", _file_key(path), dataset, split), compute))


def reference_codes(path, dataset: str, model=None, x=None):
    """Where a model's latent space is populated on the test split ``(N, k)``: f(x) for an AE, one
    seeded z ~ q(z|x) per image for a VAE (:func:`aecore.analysis.sampling.reference_codes` says why)."""
    from aecore.analysis.sampling import posterior_sample

    if model is None:
        from aecore.storage.checkpoint import load_checkpoint

        model = load_checkpoint(path).model
    if not hasattr(model, "encode_stats"):
        return codes(path, dataset, "test", model=model, x=x)
    return posterior_sample(*posterior(path, dataset, "test", model=model, x=x), seed=0)


def draw_density(codes_, whiten: str = "global"):
    """:class:`aecore.analysis.density.NearestCodeDensity` of these codes with its leave-one-out distances (the
    slow part, ~0.4 s on 4,000 codes) kept on disk under a hash of the codes themselves."""
    import hashlib

    import numpy as np

    from aecore.analysis.density import NearestCodeDensity

    dens = NearestCodeDensity(codes_, whiten=whiten)
    digest = hashlib.sha256(np.ascontiguousarray(dens.codes).tobytes()).hexdigest()[:20]
    key = key_of("draw-density", digest, dens.m, dens.metric)
    dens.use_own_distances(prepared.cached("draw-density", key, dens.own_distances))
    return dens


def latent_density(codes_):
    """:func:`aecore.analysis.density.latent_density` of a model's training codes; for k > 2 (nearest codes)
    with its leave-one-out distances kept on disk like :func:`draw_density`'s."""
    from aecore.analysis.density import latent_density as fit

    return draw_density(codes_, whiten="local") if codes_.shape[1] > 2 else fit(codes_)


def learned_prior(entry, kind: str, on_progress: Progress | None = None):
    """The prior of ``kind`` (:data:`aecore.models.priors.PRIORS`) for the model ``entry``: N(0, I) as
    it is; a shipped model's shipped prior file; else one fitted to its training codes (a flow: up to
    a minute) and kept on disk."""
    from aecore.models.priors import PRIORS, StandardNormal
    from aecore.storage.priors import load_prior, prior_path

    if kind == "normal":
        return StandardNormal(entry.latent_dim)
    shipped = prior_path(entry.name, kind)
    if entry.readonly and shipped.is_file():
        return load_prior(shipped)[0]

    def compute():
        prior = PRIORS[kind]().fit(codes(entry.path, entry.dataset, "train"), seed=0, on_progress=on_progress)
        return {"config": prior.config(), "state": prior.state()}

    got = prepared.cached("prior", key_of("prior", _file_key(entry.path), kind), compute)
    return PRIORS[kind].from_state(got["config"], got["state"])


def prior_table(dataset: str, k: int, on_progress: Progress | None = None) -> list[dict]:
    """The Sampling page's table of priors (:data:`aecore.analysis.sampling.PRIOR_ROWS`) for the
    shipped ``dataset`` models with ``k`` latent dimensions: each row's draws (the same seed)
    decoded and judged (:func:`aecore.analysis.sampling.judge_draws`), as ``{"label", "model",
    "prior", "fd", "entropy", "evenness", "median_rank", "n"}``. ~10 s after the priors exist."""
    from aecore.analysis.judge import N_JUDGED, judge_for
    from aecore.analysis.sampling import PRIOR_ROWS, judge_draws
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.judges import judge_path
    from aecore.storage.library import find_model
    from aecore.storage.priors import prior_path

    entries = {fam: find_model(f"{dataset}-{fam}-{k}d") for fam in ("ae", "vae")}
    files = [e.path for e in entries.values()] + [judge_path(dataset)]
    files += [p for kind in ("mixture", "flow") if (p := prior_path(entries["ae"].name, kind)).is_file()]

    def compute():
        judge, x_test = judge_for(dataset), load_dataset(dataset).split("test")[0].numpy()
        models = {fam: load_checkpoint(e.path).model for fam, e in entries.items()}  # three rows share the AE
        densities = {
            fam: draw_density(reference_codes(e.path, dataset, model=models[fam])) for fam, e in entries.items()
        }
        rows = []
        for i, (label, fam, kind) in enumerate(PRIOR_ROWS):
            e, model, density = entries[fam], models[fam], densities[fam]
            if on_progress:
                on_progress(i / len(PRIOR_ROWS), f"judging {label} ({e.name})")
            prior = learned_prior(e, kind)
            rows.append(
                {
                    "label": label,
                    "model": e.name,
                    "prior": kind,
                    **judge_draws(model, prior, judge, x_test, density, N_JUDGED),
                }
            )
        return rows

    return prepared.cached("prior-table", key_of("prior-table", *map(_file_key, files), N_JUDGED), compute)


def beta_sweep(dataset: str = "mnist", k: int = 16, on_progress: Progress | None = None) -> list:
    """The β knob's curve: each shipped ``{dataset}-vae-{k}d`` β variant's rate, distortion and per-
    dimension KL on the test set (:func:`aecore.analysis.rate_distortion.rate_distortion`), by
    increasing β (:data:`~aecore.analysis.rate_distortion.BETAS`; a β whose file is missing is left out)."""
    from aecore.analysis.rate_distortion import BETAS, beta_name, rate_distortion
    from aecore.storage.library import find_model, shipped_names

    have = shipped_names()
    entries = [find_model(n) for b in BETAS if (n := beta_name(f"{dataset}-vae-{k}d", b)) in have]

    def compute():
        x = _split(dataset, "test")
        out = []
        for i, e in enumerate(entries):
            if on_progress:
                on_progress(i / len(entries), f"rate and distortion of {e.name}")
            out.append(rate_distortion(_model(e.path), x))
        return out

    return prepared.cached("beta-sweep", key_of("beta-sweep", *(_file_key(e.path) for e in entries)), compute)


def codebook_use(path, dataset: str):
    """A VQ-VAE's codebook on the test set: usage, perplexity, each code's average patch
    (:func:`aecore.analysis.discrete.codebook_use`), kept on disk."""
    from aecore.analysis.discrete import codebook_use as use

    return prepared.cached(
        "codebook-use", key_of("codebook-use", _file_key(path)), lambda: use(_model(path), _split(dataset, "test"))
    )


def sae_dashboard(dataset: str, on_progress: Progress | None = None):
    """The sparse-autoencoder page of ``dataset``: its shipped TopK SAE's metrics, feature cards,
    sparse-probing table and trained-vs-random purity, beside the L1 SAE and an untrained one
    (:func:`aecore.analysis.sae.dashboard`), kept on disk."""
    from aecore.analysis.judge import judge_for
    from aecore.analysis.sae import DASHBOARD_VERSION, dashboard
    from aecore.data.sets import load_dataset
    from aecore.storage.judges import judge_path
    from aecore.storage.saes import load_sae, sae_path

    top, l1 = sae_path(dataset, "topk"), sae_path(dataset, "l1")

    def compute():
        sae, _ = load_sae(top)
        l1_sae = load_sae(l1)[0] if l1.is_file() else None
        n = len(load_dataset(dataset).class_names)
        return dashboard(dataset, sae, l1_sae, judge_for(dataset).model.head, n, on_progress)

    parts = [_file_key(top), _file_key(judge_path(dataset))] + ([_file_key(l1)] if l1.is_file() else [])
    return prepared.cached("sae-dashboard", key_of("sae-dashboard", DASHBOARD_VERSION, *parts), compute)


def sae_items() -> list[tuple[str, Callable[[], object]]]:
    """The sparse-autoencoder page of every image set with a shipped SAE and its data."""
    from aecore.data.sets import IMAGE_DATASETS, is_available
    from aecore.storage.saes import sae_path

    return [
        (f"sparse autoencoder dashboard of {ds}", lambda ds=ds: sae_dashboard(ds))
        for ds in IMAGE_DATASETS
        if is_available(ds) and sae_path(ds, "topk").is_file()
    ]


def _probe_part(kind: str, dataset: str, *key, compute):
    """One shared row of the Codes-as-features table (:mod:`aecore.analysis.probes`), kept on disk."""
    from aecore.analysis import probes

    return prepared.cached(kind, key_of(kind, probes.VERSION, dataset, *key), lambda: list(compute()))


def feature_report(path, dataset: str, name: str, on_progress: Progress | None = None):
    """What a model's codes are worth as features (:func:`aecore.analysis.probes.feature_report`), kept
    on disk. Its baselines are kept apart, once each: PCA-k per data set and k, the raw inputs per data
    set, the random encoder per data set and architecture (the β sweep's ten VAEs share two)."""
    from aecore.analysis import probes
    from aecore.data.sets import load_dataset

    def compute():
        model = _model(path)
        ds = load_dataset(dataset)
        k = int(model.config.latent_dim)
        config = model.config.to_dict()
        return probes.feature_report(
            model,
            ds,
            name,
            pca=lambda: _probe_part("probe-pca", dataset, k, compute=lambda: probes.pca_baseline(ds, k)),
            raw=lambda: _probe_part("probe-raw", dataset, compute=lambda: probes.raw_baseline(ds)),
            random=lambda: _probe_part("probe-random", dataset, config, compute=lambda: probes.random_row(model, ds)),
            on_progress=on_progress,
        )

    return prepared.cached("feature-report", key_of("feature-report", probes.VERSION, _file_key(path)), compute)


def probe_items() -> list[tuple[str, Callable[[], object]]]:
    """The Codes-as-features page of every shipped model on a built-in image set with its data, the
    sprites' too (their classes are the shapes); VQ-VAEs aside: their code is a grid of indices, not a
    vector of reals."""
    from aecore.data.sets import FACTOR_DATASETS, IMAGE_DATASETS, is_available
    from aecore.storage.library import list_models

    sets = IMAGE_DATASETS + FACTOR_DATASETS
    return [
        (f"codes of {m.name} as features", lambda m=m: feature_report(m.path, m.dataset, m.name))
        for m in list_models()
        if m.readonly and m.dataset in sets and is_available(m.dataset) and m.family != "vq-vae"
    ]


def factor_study(on_progress: Progress | None = None):
    """The disentanglement study on the sprites: every shipped objective × seed's MIG, SAP, DCI and
    FactorVAE score (:func:`aecore.analysis.factors.study`), kept on disk."""
    from aecore.analysis import disentangle, factors
    from aecore.storage.library import find_model, shipped_names

    have = shipped_names()
    names = [n for o in factors.OBJECTIVES for s in factors.SEEDS if (n := factors.model_name(o, s)) in have]
    paths = {n: find_model(n).path for n in names}

    def compute():
        return factors.study(lambda n: _model(paths[n]) if n in paths else None, on_progress)

    key = key_of("factor-study", factors.VERSION, disentangle.N_TRAIN, *(_file_key(p) for p in paths.values()))
    return prepared.cached("factor-study", key, compute)


def sample_verdict(path, dataset: str) -> dict:
    """A VAE's N(0, I) samples judged (FD and coverage of :data:`aecore.analysis.judge.N_JUDGED` draws,
    seed 0) against ``dataset``'s test set: :func:`aecore.analysis.rate_distortion.sample_verdict`."""
    from aecore.analysis.judge import N_JUDGED, judge_for
    from aecore.analysis.rate_distortion import sample_verdict as verdict
    from aecore.storage.judges import judge_path

    def compute():
        return verdict(_model(path), judge_for(dataset), _split(dataset, "test").numpy(), N_JUDGED)

    key = key_of("sample-verdict", _file_key(path), _file_key(judge_path(dataset)), N_JUDGED)
    return prepared.cached("sample-verdict", key, compute)


def recon_scores(model, model_key: tuple, in_set: str, out_set: str, cls: int | None, max_per_set: int):
    """``(s_in, s_out, idx_in, idx_out)`` of the Anomalies page: reconstruction errors of (at most
    ``max_per_set`` seeded) in- and out-of-distribution test rows. ``cls`` set: the held-out-class
    scenario (in: every other class, out: class ``cls`` of ``in_set``). ``model_key``: what identifies
    the model (a checkpoint's file hash, or the held-out detector's recipe)."""

    def compute():
        from aecore.analysis import anomaly
        from aecore.data.sets import load_dataset

        ds_in, ds_out = load_dataset(in_set), load_dataset(out_set)
        if cls is None:
            idx_in = anomaly.subset_indices(len(ds_in.x_test), max_per_set)
            idx_out = anomaly.subset_indices(len(ds_out.x_test), max_per_set, seed=1)
        else:
            idx_in, idx_out = anomaly.held_out_indices(ds_in.y_test, cls)
            idx_in = idx_in[anomaly.subset_indices(len(idx_in), max_per_set)]
        return (
            anomaly.recon_scores(model, ds_in.x_test[idx_in]),
            anomaly.recon_scores(model, ds_out.x_test[idx_out]),
            idx_in,
            idx_out,
        )

    return tuple(
        prepared.cached("scores", key_of("scores", list(model_key), in_set, out_set, cls, max_per_set), compute)
    )


#: Test rows scored per side on the Anomalies page: AUC to ±0.005, and a page that answers in seconds.
MAX_SCORES = 5000


def file_model_key(path) -> tuple:
    """The ``model_key`` of :func:`recon_scores` for a checkpoint file."""
    return ("file", _file_key(path))


def heldout_model_key(dataset: str, cls: int, epochs: int) -> tuple:
    """The ``model_key`` of :func:`recon_scores` for :func:`model_without_class`'s detector."""
    return ("without-class", dataset, cls, epochs)


def psnr_curve(ae_path, dae_path, dataset: str, kind: str, n: int = 500):
    """The Denoising page's mean PSNR curves (AE, DAE, noisy input) on the first ``n`` test images."""

    def compute():
        from aecore.analysis.denoise import psnr_curve as curve
        from aecore.data.sets import load_dataset
        from aecore.storage.checkpoint import load_checkpoint

        return curve(
            load_checkpoint(ae_path).model, load_checkpoint(dae_path).model, load_dataset(dataset).x_test[:n], kind
        )

    return prepared.cached("psnr", key_of("psnr", _file_key(ae_path), _file_key(dae_path), dataset, kind, n), compute)


def pixel_classifier(dataset: str, on_progress: Progress | None = None, ds=None):
    """The Compare page's judge of decoded images (:func:`aecore.analysis.compare.pixel_classifier`
    on the training set; 1-3 s), kept on disk as its arrays; ``on_progress`` hears only a fit. ``ds``:
    the loaded data set, from a caller that holds it already (it never changes the result)."""
    from aecore.analysis.compare import CLASSIFIER_C, CLASSIFIER_MAX_ITER, CLASSIFIER_TOL, PixelClassifier
    from aecore.analysis.compare import pixel_classifier as fit
    from aecore.data.sets import load_dataset

    def compute():
        data = ds or load_dataset(dataset)
        clf = fit(data.x_train.numpy(), data.y_train.numpy(), on_progress=on_progress)
        return clf.coef, clf.intercept, clf.classes

    key = key_of("pixel-classifier", dataset, CLASSIFIER_C, CLASSIFIER_MAX_ITER, CLASSIFIER_TOL)
    return PixelClassifier(*prepared.cached("pixel-classifier", key, compute))


def pca_baseline(dataset: str, k: int = 2, on_progress: Progress | None = None, ds=None):
    """The Compare page's PCA-k baseline of a data set's training inputs
    (:func:`aecore.analysis.compare.pca_baseline`; 2-9 s on MNIST), kept on disk (``ds`` as above)."""
    from aecore.analysis.compare import pca_baseline as fit
    from aecore.data.sets import load_dataset

    def compute():
        data = ds or load_dataset(dataset)
        return fit(data.x_train.numpy(), k, data.image_shape, on_progress=on_progress)

    return prepared.cached("pca-baseline", key_of("pca-baseline", dataset, k), compute)


def compare_items() -> list[tuple[str, Callable[[], object]]]:
    """The Compare page's slow parts of each available image data set: its judge and its PCA baseline."""
    from aecore.data.sets import IMAGE_DATASETS, is_available

    return [
        (f"pixel classifier and PCA baseline of {ds}", lambda ds=ds: (pixel_classifier(ds), pca_baseline(ds)))
        for ds in IMAGE_DATASETS
        if is_available(ds)
    ]


# ---------------------------------------------------------------- the whole lecture


@dataclass
class Step:
    what: str
    seconds: float
    cached: bool  # it was on disk already: computing it wrote no file


def lecture_items() -> list[tuple[str, Callable[[], object]]]:
    """Every item a lecture can open, as ``(label, compute)``: fast to list, slow to run."""
    from aecore.analysis.toy import TOY_EPOCHS
    from aecore.data.sets import IMAGE_DATASETS, is_available, load_dataset
    from aecore.data.toy import TOYS
    from aecore.storage.library import list_models

    items: list[tuple[str, Callable[[], object]]] = []

    def toy(name, k, family="ae"):
        def run():
            model, _ = toy_model(name, k, family)
            return toy_view(name, k, family, 0, TOY_EPOCHS, model)

        return run

    for name in TOYS:
        for k in (1, 2, 3):
            items.append((f"manifold of {name}, k = {k}", toy(name, k)))
    for name, k in (("line", 1), ("plane", 2), ("parabola", 1)):
        items.append((f"linear AE on {name}", toy(name, k, "linear-ae")))
    items.append(("overfitting preset (2,000 epochs)", lambda: overfit(0)))
    deep = next((m for m in list_models() if m.name == "mnist-ae-30d" and m.readonly), None)
    if deep is not None and is_available(deep.dataset):
        items.append(("deep AE against PCA-30 on MNIST", lambda: deep_vs_pca(deep)))
    for name in TOYS:
        for k in (1, 2, 3):
            items.append((f"time-lapse of {name}, k = {k}", lambda name=name, k=k: timelapse(name, k, 0, TOY_EPOCHS)))
    for ds in IMAGE_DATASETS:
        if not is_available(ds):
            continue
        n = len(load_dataset(ds).class_names)
        for c in range(n):
            items.append(
                (f"{ds} detector without class {c}", lambda ds=ds, c=c: model_without_class(ds, c, heldout_epochs(ds)))
            )
    for m in list_models():
        if m.readonly and m.latent_dim > 2 and m.dataset in IMAGE_DATASETS and is_available(m.dataset):
            items.append((f"UMAP of {m.name}", lambda m=m: umap_projection(m)))
    items.extend(page_numbers())
    items.extend(compare_items())
    items.extend(sae_items())
    items.extend(probe_items())
    from aecore.analysis.factors import OBJECTIVES, model_name

    if any(model_name(o, 0) in {m.name for m in list_models()} for o in OBJECTIVES):
        items.append(("the disentanglement study on sprites", factor_study))
    return items


def page_numbers() -> list[tuple[str, Callable[[], object]]]:
    """The per-model numbers the image pages compute on their first visit (see the section above):
    every shipped image model's codes, a VAE's posteriors, the draw densities of the Sampling page
    and the tour, the Sampling page's judged priors, the Anomalies page's scores and the Denoising
    page's PSNR curves."""
    from aecore.analysis.anomaly import OTHER_SET
    from aecore.analysis.denoise import NOISE_KINDS
    from aecore.analysis.judge import has_judge
    from aecore.analysis.rate_distortion import BETAS, beta_name
    from aecore.data.sets import IMAGE_DATASETS, is_available
    from aecore.storage.library import list_models

    shipped = {
        m.name: m for m in list_models() if m.readonly and m.dataset in IMAGE_DATASETS and is_available(m.dataset)
    }
    items: list[tuple[str, Callable[[], object]]] = []
    for m in shipped.values():
        for split in ("train", "test"):
            items.append((f"codes of {m.name} ({split})", lambda m=m, split=split: codes(m.path, m.dataset, split)))
        items.append((f"draw density of {m.name}", lambda m=m: draw_density(reference_codes(m.path, m.dataset))))
        if m.family == "vq-vae":
            items.append((f"codebook use of {m.name}", lambda m=m: codebook_use(m.path, m.dataset)))
        if m.latent_dim > 2:
            items.append((f"latent density of {m.name}", lambda m=m: latent_density(codes(m.path, m.dataset, "train"))))
    for ds in IMAGE_DATASETS:
        ae = shipped.get(f"{ds}-ae-2d")
        if ae is None:
            continue
        other = OTHER_SET.get(ds)
        if other and is_available(other):
            items.append(
                (
                    f"anomaly scores of {ae.name} against {other}",
                    lambda ae=ae, other=other: recon_scores(
                        _model(ae.path), file_model_key(ae.path), ae.dataset, other, None, MAX_SCORES
                    ),
                )
            )
        epochs = heldout_epochs(ds)
        from aecore.data.sets import load_dataset

        for c in range(len(load_dataset(ds).class_names)):
            items.append(
                (
                    f"anomaly scores of {ds} without class {c}",
                    lambda ds=ds, c=c, epochs=epochs: recon_scores(
                        model_without_class(ds, c, epochs), heldout_model_key(ds, c, epochs), ds, ds, c, MAX_SCORES
                    ),
                )
            )
        for k in (2, 16):
            if any(shipped.get(beta_name(f"{ds}-vae-{k}d", b)) for b in BETAS if b != 1):
                items.append((f"the β sweep of {ds}, k = {k}", lambda ds=ds, k=k: beta_sweep(ds, k)))
                if has_judge(ds):
                    for b in BETAS:
                        if m := shipped.get(beta_name(f"{ds}-vae-{k}d", b)):
                            items.append((f"samples of {m.name} judged", lambda m=m: sample_verdict(m.path, m.dataset)))
            if shipped.get(f"{ds}-vae-{k}d") and shipped.get(f"{ds}-ae-{k}d") and has_judge(ds):
                items.append((f"the judged priors of {ds}, k = {k}", lambda ds=ds, k=k: prior_table(ds, k)))
            pair = shipped.get(f"{ds}-ae-{k}d"), shipped.get(f"{ds}-dae-{k}d")
            if all(pair):
                for kind in NOISE_KINDS:
                    items.append(
                        (
                            f"PSNR curves of {pair[1].name}, {kind}",
                            lambda pair=pair, kind=kind, ds=ds: psnr_curve(pair[0].path, pair[1].path, ds, kind),
                        )
                    )
    return items


def _model(path):
    from aecore.storage.checkpoint import load_checkpoint

    return load_checkpoint(path).model


def umap_projection(entry, split: str = "test"):
    """The UMAP view of a model's codes (the explorer's ``UMAP`` choice), cached on disk."""
    from aecore.analysis.coding import encode_array
    from aecore.analysis.projection import cached_projection
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint

    x, _ = load_dataset(entry.dataset).split(split)
    codes = encode_array(load_checkpoint(entry.path).model, x)
    return cached_projection(codes, "umap", entry.path, split)


def prepare_all(progress: Progress | None = None) -> list[Step]:
    """Compute (or find on disk) every item of :func:`lecture_items`; report through ``progress``."""
    from aecore.analysis.projection import cache_dir as projection_dir

    def files() -> dict:  # every file the items write, with its modification time
        return {
            p: p.stat().st_mtime_ns for d in (prepared.cache_dir(), projection_dir()) if d.is_dir() for p in d.iterdir()
        }

    items = lecture_items()
    steps = []
    for i, (label, compute) in enumerate(items):
        if progress:
            progress(i / len(items), label)
        before = files()
        t = time.perf_counter()
        compute()
        steps.append(Step(label, time.perf_counter() - t, files() == before))
    if progress:
        progress(1.0, f"{len(items)} items ready")
    return steps
