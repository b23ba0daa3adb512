"""Cached loaders shared by every page: checkpoints, data sets, codes, projections, densities and
the latent-plane files, with the clear errors a missing data set or a broken checkpoint gets.

Models are cached with ``st.cache_resource`` (shared across sessions, never mutated: pages only
call ``encode``/``decode`` under ``no_grad``); codes with ``st.cache_data``. Importing this module
must not import torch (3 s on a 2-core laptop): the lecture's first page draws a cached latent map
without it, and torch-backed helpers import their modules when called."""

from __future__ import annotations

import importlib
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from aecore.data.importing import dataset_key
from aecore.data.sets import DatasetUnavailable
from aecore.storage.library import ModelEntry
from latentlab.server import plane as LM
from latentlab.ui.components.static_js import static_prefix

if TYPE_CHECKING:
    from aecore.analysis.density import KernelDensity, NearestCodeDensity
    from aecore.analysis.projection import Projection
    from aecore.data.sets import Dataset
    from aecore.lecture.prepare import Progress
    from aecore.storage.checkpoint import Checkpoint


@st.cache_resource(show_spinner=False, max_entries=32)
def get_checkpoint(path: str, mtime: float) -> Checkpoint:
    """Load a checkpoint once per (path, mtime): a replaced file is reloaded."""
    from aecore.storage.checkpoint import load_checkpoint

    return load_checkpoint(path)


@st.cache_resource(show_spinner="Loading the data set…", max_entries=8)
def get_dataset(name: str) -> Dataset:
    """A data set, loaded once per server (tensors shared read-only by all sessions)."""
    from aecore.data.sets import load_dataset

    return load_dataset(name)


@st.cache_data(show_spinner=False, max_entries=64)
def get_codes(path: str, mtime: float, dataset: str, split: str) -> np.ndarray:
    """Codes ``(N, k)`` of a data set split under a checkpoint's encoder (on disk once prepared)."""
    from aecore.lecture import prepare

    return prepare.codes(
        path, dataset, split, model=get_checkpoint(path, mtime).model, x=lambda: get_dataset(dataset).split(split)[0]
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def get_projection(path: str, mtime: float, dataset: str, split: str, method: str) -> Projection:
    """The 2-D view of a split's codes (identity for k ≤ 2, else PCA or UMAP, cached on disk).
    A resource, not cache_data: it may hold a fitted UMAP whose pickling on every cache hit (what
    cache_data does) would cost more than a click may."""
    from aecore.analysis.projection import cached_projection

    codes = get_codes(path, mtime, dataset, split)
    return cached_projection(codes, method, path, split)


@st.cache_resource(show_spinner=False, max_entries=16)
def get_plane_density(path: str, mtime: float, dataset: str, split: str, method: str) -> KernelDensity:
    """KDE in the plotted plane, for the shading. For identity/PCA views the training codes are
    projected; a UMAP view uses the shown split's embedding (projecting 60k codes again is slow)."""
    from aecore.analysis.density import KernelDensity

    proj = get_projection(path, mtime, dataset, split, method)
    if proj.method == "umap":
        return KernelDensity(proj.embedding)
    return KernelDensity(proj.transform(get_codes(path, mtime, dataset, "train")))


@st.cache_resource(show_spinner=False, max_entries=16)
def get_density(path: str, mtime: float, dataset: str) -> KernelDensity | NearestCodeDensity:
    """Where a checkpoint's *training* codes are dense in its own k-D latent space (what g was
    trained on), for the "extrapolating" warning: a KDE for k ≤ 2, nearest codes beyond
    (:func:`aecore.analysis.density.latent_density`; their leave-one-out distances on disk once prepared).
    Built once per server, shared read-only by the explorer and the tour."""
    from aecore.lecture import prepare

    return prepare.latent_density(get_codes(path, mtime, dataset, "train"))


# ---------------------------------------------------------------- waits with a progress bar


@contextmanager
def progress_bar(label: str) -> Iterator[Progress]:
    """A wait the page shows as a progress bar: yields an ``on_progress(fraction, text)`` (aecore's
    :data:`aecore.lecture.prepare.Progress` convention) that draws ``label: text… 40 %`` where the
    block began. The bar appears at the first report (a result read from disk reports nothing, so
    shows none) and is removed when the block ends."""
    slot = st.empty()

    def report(fraction: float, text: str = "") -> None:
        f = min(max(float(fraction), 0.0), 1.0)
        slot.progress(f, text=f"{label}{': ' + text if text else ''}… {f:.0%}")

    try:
        yield report
    finally:
        slot.empty()


def part_of(on_progress: Progress, start: float, stop: float) -> Progress:
    """``on_progress`` for one part of a longer wait: its 0 → 1 becomes ``start`` → ``stop``."""
    return lambda f, text="": on_progress(start + (stop - start) * min(max(f, 0.0), 1.0), text)


@st.cache_resource(show_spinner=False)
def _computed() -> dict:
    """Results computed once per server behind a progress bar, shared read-only by all sessions: a
    plain dict, not a cached function, because a cached function may not draw into the page (its
    elements would be replayed on every cache hit)."""
    return {}


def computed_once(key: tuple, label: str, compute):
    """``compute(on_progress)``'s result, once per server under ``key``; the first call shows its
    progress as a bar (:func:`progress_bar`). A second session asking meanwhile computes it too."""
    store = _computed()
    if key not in store:
        with progress_bar(label) as report:
            store[key] = compute(report)
    return store[key]


# ---------------------------------------------------------------- the latent map


@st.cache_data(show_spinner=False, max_entries=256)
def checkpoint_hash(path: str, mtime: float) -> str:
    from aecore.storage.files import file_hash

    return file_hash(path)


def map_view(entry: ModelEntry, method: str = "pca") -> str:
    """The name of the 2-D view a map of this model shows: ``plane`` for k ≤ 2, else the projection."""
    return method if entry.latent_dim > 2 else "plane"


def map_url(entry: ModelEntry, split: str, method: str = "pca") -> str:
    """The URL of this model's latent map (points, labels, density shading) for ``split``.

    An existing map file is found from its key alone (no torch, no data set): that is what makes
    the first page fast. Otherwise it is built once (encode, project, KDE) and written."""
    path, mtime = str(entry.path), entry.path.stat().st_mtime
    key = LM.plane_key(checkpoint_hash(path, mtime), dataset_key(entry.dataset), split, map_view(entry, method))
    return LM.existing_plane_url(key, url_prefix=static_prefix()) or _build_map(
        path, mtime, entry.dataset, split, method, key
    )


def _write_split_plane(key: str, ds: Dataset, split: str, pts: np.ndarray, dens, axis_titles, linear_map) -> str:
    """Write the plane file of a split's examples at plane positions ``pts`` ``(N, 2)``, shaded by
    ``dens`` (a plane density with a ``threshold``), with the split's images for the hover."""
    from aecore.analysis.projection import view_bounds

    x, y = ds.split(split)
    images = LM.write_images(LM.images_u8(x.numpy()), url_prefix=static_prefix()) if ds.is_image else None
    payload = LM.plane_payload(
        pts,
        y.numpy(),
        ds.class_names,
        view_bounds(pts),
        density=dens,
        threshold=dens.threshold,
        axis_titles=axis_titles,
        images_url=images,
        image_shape=ds.image_shape,
        linear_map=linear_map,  # the browser decodes a click with it (None for UMAP)
    )
    return LM.write_plane(key, payload, url_prefix=static_prefix())


@st.cache_resource(show_spinner="Encoding the data set and drawing its latent map…", max_entries=64)
def _build_map(path: str, mtime: float, dataset: str, split: str, method: str, key: str) -> str:
    proj = get_projection(path, mtime, dataset, split, method)
    dens = get_plane_density(path, mtime, dataset, split, method)
    return _write_split_plane(
        key, get_dataset(dataset), split, proj.embedding, dens, proj.axis_titles, proj.linear_map()
    )


def projection_for(entry: ModelEntry, split: str = "test", method: str = "pca") -> Projection:
    """The 2-D view of the model's codes that its planes (:func:`map_url`, :func:`reference_map_url`)
    show: identity for k ≤ 2, else ``method`` fitted on the split's codes. Shared, read-only."""
    return get_projection(str(entry.path), entry.path.stat().st_mtime, entry.dataset, split, method)


def reference_map_url(entry: ModelEntry) -> str:
    """The latent plane of :func:`reference_codes_for` on the test split: where the decoder was
    trained to decode (f(x) for an AE, one seeded z ~ q(z|x) per image for a VAE), in the same
    view as :func:`map_url` (identity for k ≤ 2, else the PCA of f(x)), shaded by the density of
    those points (so an AE's and a VAE's planes are shaded alike). What the sampling pages lay
    their draws over."""
    path, mtime = str(entry.path), entry.path.stat().st_mtime
    key = LM.plane_key(checkpoint_hash(path, mtime), dataset_key(entry.dataset), "test", "ref-" + map_view(entry))
    return LM.existing_plane_url(key, url_prefix=static_prefix()) or _build_reference_map(
        path, mtime, entry.dataset, key
    )


@st.cache_resource(show_spinner="Drawing where the decoder was trained…", max_entries=16)
def _build_reference_map(path: str, mtime: float, dataset: str, key: str) -> str:
    from aecore.analysis.density import KernelDensity

    proj = get_projection(path, mtime, dataset, "test", "pca")
    pts = proj.transform(_reference_codes(path, mtime, dataset))  # (N, 2)
    return _write_split_plane(
        key, get_dataset(dataset), "test", pts, KernelDensity(pts), proj.axis_titles, proj.linear_map()
    )


#: How many of a training's per-epoch planes stay on disk (the newest; a browser may be fetching one).
LIVE_PLANES_KEPT = 3
#: Job ids restart with each server process: this keeps one server's "job-1" planes from another's
#: URLs (which browsers cache: a URL here names one content, forever).
_SERVER_RUN = uuid.uuid4().hex[:8]


@st.cache_resource(show_spinner=False, max_entries=64)
def live_plane_url(job_id: str, epoch: int, _codes: np.ndarray, _labels: np.ndarray, class_names: tuple) -> str:
    """The plane of a running training's codes at ``epoch`` (``(n, 2)``, already projected by the
    job), written once per (job, epoch): every session polling that job gets the same file. Older
    epochs' files of the job are pruned (:data:`LIVE_PLANES_KEPT` stay)."""
    from aecore.analysis.projection import view_bounds
    from aecore.storage.files import safe_stem

    codes = np.asarray(_codes, np.float32)  # (n, 2)
    payload = LM.plane_payload(codes, _labels, list(class_names), view_bounds(codes))
    job = f"live-{_SERVER_RUN}-{safe_stem(job_id)}"
    url = LM.write_plane(LM.plane_key(job, "codes", "test", f"e{epoch:05d}"), payload, url_prefix=static_prefix())
    LM.prune_planes(job + "-", LIVE_PLANES_KEPT)
    LM.prune_planes("live-", 10 * LIVE_PLANES_KEPT)  # other jobs' and old server runs' leftovers
    return url


@st.cache_resource(show_spinner="Exporting the decoder for the browser…", max_entries=32)
def _exported(path: str, mtime: float, name: str) -> tuple[dict | None, str]:
    from latentlab.server import export

    ck = get_checkpoint(path, mtime)
    try:
        return export.export_decoder(ck.model, name, url_prefix=static_prefix()), ""
    except export.NotExportable as exc:
        return None, str(exc)


def exported_decoder(entry: ModelEntry) -> tuple[dict | None, str]:
    """``(manifest, "")``: the model's decoder exported for the browser (weights written once to
    static/decoders/), or ``(None, why not)`` for a decoder the browser cannot run."""
    from latentlab.server import export

    path, mtime = str(entry.path), entry.path.stat().st_mtime
    manifest, why = _exported(path, mtime, entry.name)
    if manifest is not None and not (export.STATIC_DIR / manifest["weights_file"]).exists():
        _exported.clear()  # someone cleaned static/: write the files again rather than serve a 404
        manifest, why = _exported(path, mtime, entry.name)
    return manifest, why


_warm = threading.Lock()
_warm_started = False

#: What the warm-up imports: torch and the model code, and plotly's figure classes. Never pandas,
#: nor anything that imports it (scikit-learn's data sets do): plotly and Streamlit look pandas up in
#: ``sys.modules``, and a page thread that found it there half-imported failed ("partially
#: initialized module 'pandas' has no attribute 'Series'"). A test holds this.
WARM_UP_MODULES = (
    "aecore.analysis.explore",
    "aecore.storage.checkpoint",
    "latentlab.figures.demos",
    "latentlab.figures.manifold",
    "latentlab.figures.overfit",
    "latentlab.figures.pca",
    "latentlab.figures.timelapse",
)


def warm_up_in_background() -> None:
    """Import :data:`WARM_UP_MODULES` in a background thread, once per server process.

    The first page draws its map without torch; this makes sure the first *click*, and the first
    visit to a page with figures, does not pay the imports either (torch ~1.4 s on 2 cores).
    Started after the page's elements are sent, so it never delays them."""
    global _warm_started
    with _warm:
        if _warm_started:
            return
        _warm_started = True

    def work() -> None:
        time.sleep(0.3)  # let the first page's files go out first
        for name in WARM_UP_MODULES:
            importlib.import_module(name)

    threading.Thread(target=work, name="latentlab-warm-up", daemon=True).start()


def density_for(entry: ModelEntry):
    return get_density(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


def checkpoint_for(entry: ModelEntry) -> Checkpoint:
    """The cached checkpoint of a library entry; the slide's band names it as a model this page shows."""
    from latentlab.ui.slide import note_model

    note_model(entry)
    return get_checkpoint(str(entry.path), entry.path.stat().st_mtime)


@st.cache_resource(show_spinner=False, max_entries=64)
def _shared_codes(path: str, mtime: float, dataset: str, split: str) -> np.ndarray:
    codes = get_codes(path, mtime, dataset, split)  # a private copy, made once
    # One array for every session and rerun, read-only so that none can change another's. Being
    # the same object, it keeps the KD-tree that coding.nearest_indices builds for it (once per
    # server, not once per session), and a page run no longer unpickles a copy.
    codes.flags.writeable = False
    return codes


def codes_for(entry: ModelEntry, split: str = "test") -> np.ndarray:
    """Codes ``(N, k)`` of a data set split under the model's encoder: shared, read-only."""
    return _shared_codes(str(entry.path), entry.path.stat().st_mtime, entry.dataset, split)


@st.cache_resource(show_spinner=False, max_entries=16)
def _reference_codes(path: str, mtime: float, dataset: str) -> np.ndarray:
    from aecore.lecture import prepare

    codes = prepare.reference_codes(
        path, dataset, model=get_checkpoint(path, mtime).model, x=lambda: get_dataset(dataset).x_test
    )
    codes.flags.writeable = False
    return codes


def reference_codes_for(entry: ModelEntry) -> np.ndarray:
    """Where the model's latent space is populated, test split ``(N, k)``: f(x) for an AE, one seeded
    z ~ q(z|x) per image for a VAE (:func:`aecore.analysis.sampling.reference_codes` says why). Shared, read-only."""
    return _reference_codes(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


@st.cache_resource(show_spinner="Encoding the test set's posteriors…", max_entries=16)
def _posterior(path: str, mtime: float, dataset: str) -> tuple[np.ndarray, np.ndarray]:
    from aecore.lecture import prepare

    return tuple(
        prepare.posterior(
            path, dataset, "test", model=get_checkpoint(path, mtime).model, x=lambda: get_dataset(dataset).x_test
        )
    )


def posterior_for(entry: ModelEntry) -> tuple[np.ndarray, np.ndarray]:
    """A VAE's ``(μ, log σ²)`` of q(z|x) for every test example, each ``(N, k)`` (on disk once
    prepared). Shared, read-only."""
    return _posterior(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


@st.cache_resource(show_spinner="Measuring where the codes are dense…", max_entries=16)
def _draw_density(path: str, mtime: float, dataset: str):
    from aecore.lecture import prepare

    return prepare.draw_density(_reference_codes(path, mtime, dataset))


def draw_density_for(entry: ModelEntry):
    """The :class:`aecore.analysis.density.NearestCodeDensity` that judges latent draws against
    :func:`reference_codes_for` (its leave-one-out distances on disk once prepared)."""
    return _draw_density(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


@st.cache_resource(show_spinner="Measuring how well the model reconstructs its test set…", max_entries=16)
def _test_errors(path: str, mtime: float, dataset: str) -> np.ndarray:
    from aecore.analysis.anomaly import recon_scores

    errs = recon_scores(get_checkpoint(path, mtime).model, get_dataset(dataset).x_test)
    errs.flags.writeable = False
    return errs


def test_errors_for(entry: ModelEntry) -> np.ndarray:
    """Reconstruction error MSE(x, g(f(x))) of every test example ``(N,)``: what one input's error is
    ranked against. Shared, read-only."""
    return _test_errors(str(entry.path), entry.path.stat().st_mtime, entry.dataset)


def learned_prior_for(entry: ModelEntry, kind: str):
    """A prior of ``kind`` for the model's latent space (:func:`aecore.lecture.prepare.learned_prior`:
    N(0, I), a shipped file, or fitted once to its training codes behind a progress bar)."""
    from aecore.lecture import prepare

    return computed_once(
        ("prior", str(entry.path), entry.path.stat().st_mtime, kind),
        f"Learning a {kind} prior from {entry.name}'s codes (once)",
        lambda report: prepare.learned_prior(entry, kind, on_progress=report),
    )


def shipped_prior(entry: ModelEntry, kind: str) -> bool:
    """Whether the model is shipped with a learned prior of ``kind`` (no fitting needed to show it)."""
    from aecore.storage.priors import prior_path

    return entry.readonly and prior_path(entry.name, kind).is_file()


@st.cache_data(show_spinner="Carrying draws along the flow…", max_entries=16)
def _flow_film(path: str, mtime: float, seed: int, _prior):
    from aecore.analysis.sampling import flow_film

    return flow_film(get_checkpoint(path, mtime).model, _prior, seed=seed)


def flow_film_for(entry: ModelEntry, seed: int):
    """The flow prior's draws of ``seed`` on their way from noise to the codes
    (:func:`aecore.analysis.sampling.flow_film`), once per model and seed."""
    prior = learned_prior_for(entry, "flow")  # outside the cache: fitting it may show a progress bar
    return _flow_film(str(entry.path), entry.path.stat().st_mtime, int(seed), prior)


def prior_table_for(dataset: str, k: int) -> list[dict] | None:
    """The table of priors judged by the data set's classifier (:func:`aecore.lecture.prepare.prior_table`),
    or ``None`` where it cannot be made: no judge, or no shipped AE and VAE pair of size ``k``."""
    from aecore.analysis.judge import has_judge
    from aecore.lecture import prepare
    from aecore.storage.library import shipped_names

    if not has_judge(dataset) or not {f"{dataset}-ae-{k}d", f"{dataset}-vae-{k}d"} <= shipped_names():
        return None
    return computed_once(
        ("prior-table", dataset, k),
        f"Judging 10,000 draws of each prior on {dataset} (once; `python -m aecore prepare` does it ahead)",
        lambda report: prepare.prior_table(dataset, k, on_progress=report),
    )


def beta_sweep_for(dataset: str, k: int) -> list:
    """The β knob's curve on ``dataset`` with ``k`` latent dimensions (:func:`aecore.lecture.prepare.beta_sweep`):
    the shipped β-VAEs' rate and distortion, by increasing β ([] where none is shipped)."""
    from aecore.lecture import prepare

    return computed_once(
        ("beta-sweep", dataset, k),
        f"Measuring rate and distortion of each β on the {dataset} test set "
        "(once; `python -m aecore prepare` does it ahead)",
        lambda report: prepare.beta_sweep(dataset, k, on_progress=report),
    )


def codebook_use_for(entry: ModelEntry):
    """A VQ-VAE's codebook on its test set (:func:`aecore.lecture.prepare.codebook_use`), once per server."""
    from aecore.lecture import prepare

    return computed_once(
        ("codebook-use", str(entry.path), entry.path.stat().st_mtime),
        f"Counting the codes {entry.name} picks on the test set (once; `python -m aecore prepare` does it ahead)",
        lambda report: prepare.codebook_use(entry.path, entry.dataset),
    )


def sample_verdict_for(entry: ModelEntry) -> dict | None:
    """A VAE's N(0, I) samples judged against its test set (:func:`aecore.lecture.prepare.sample_verdict`),
    or ``None`` where the data set has no judge."""
    from aecore.analysis.judge import has_judge
    from aecore.lecture import prepare

    if not has_judge(entry.dataset):
        return None
    return computed_once(
        ("sample-verdict", str(entry.path), entry.path.stat().st_mtime),
        f"Judging 10,000 samples of {entry.name} (once; `python -m aecore prepare` does it ahead)",
        lambda report: prepare.sample_verdict(entry.path, entry.dataset),
    )


def require_dataset(name: str) -> Dataset:
    """The data set, or a clear on-page message (never a traceback) and a stop."""
    try:
        return get_dataset(name)
    except DatasetUnavailable as exc:
        st.error(f"**The {name} data set is not available on this machine.**")
        st.code(str(exc), language=None)
        st.info("The shipped `digits` models and the toy data sets always work offline: pick one of those.")
        st.stop()
    except KeyError as exc:
        st.error(str(exc))
        st.stop()


def require_checkpoint(entry: ModelEntry) -> Checkpoint:
    from aecore.storage.checkpoint import CheckpointError

    try:
        return checkpoint_for(entry)
    except CheckpointError as exc:
        st.error(f"**Could not load model {entry.name}:** {exc}")
        st.stop()


# ---------------------------------------------------------------- compared models (the Compare page)


@dataclass(frozen=True)
class Side:
    """One model of a comparison, as the Compare page needs it: a library model, or the data set's
    PCA baseline (:data:`aecore.analysis.compare.PCA_BASELINE`). ``codes`` and ``train_codes`` are
    in the model's own k-D latent space; ``points`` are the plane's positions of ``codes`` (the
    codes themselves for k ≤ 2, else their PCA view) and ``url`` that plane's file."""

    name: str
    label: str
    model: object
    codes: np.ndarray  # (N, k) of the split
    train_codes: np.ndarray  # (N_train, k)
    points: np.ndarray  # (N, 2)
    url: str
    density: object  # the training codes' density in k-D: is_low_at(z)
    entry: ModelEntry | None


def side_for(name: str, dataset: str, split: str = "test", on_progress: Progress | None = None) -> Side:
    """The :class:`Side` for a library model's ``name``, or for the PCA baseline of ``dataset``.
    ``on_progress`` hears each step before it starts (its words say which) and 1.0 at the end."""
    from aecore.analysis.compare import PCA_BASELINE
    from aecore.storage.library import find_model

    report = on_progress or (lambda f, text="": None)
    n = {s: len(get_dataset(dataset).split(s)[0]) for s in {split, "train"}}
    if name == PCA_BASELINE:
        pca = pca_model_for(dataset, part_of(report, 0.0, 0.8))
        report(0.8, f"the PCA baseline: projecting the {n['train']:,} training and {n[split]:,} {split} images")
        codes, train_codes, url, density = _pca_side(dataset, split, pca)
        report(1.0, "the PCA baseline: ready")
        return Side(name, "PCA, k = 2 (the linear baseline)", pca, codes, train_codes, codes, url, density, None)
    entry = find_model(name)
    report(0.0, f"{name}: loading the model")
    model = checkpoint_for(entry).model
    report(0.05, f"{name}: encoding the {n[split]:,} {split} images")
    codes = codes_for(entry, split)
    report(0.25, f"{name}: encoding the {n['train']:,} training images")
    train_codes = codes_for(entry, "train")
    report(0.7, f"{name}: drawing its latent plane (shading, hover images)")
    points, url = projection_for(entry, split).embedding, map_url(entry, split)
    report(0.85, f"{name}: measuring where its training codes are dense")
    density = density_for(entry)
    report(1.0, f"{name}: ready")
    return Side(name, entry.label, model, codes, train_codes, points, url, density, entry)


def sides_for(names: tuple[str, ...], dataset: str, split: str = "test") -> list[Side]:
    """:func:`side_for` of each name, behind one progress bar the first time this server shows them
    unless everything slow is on disk already (prepared; then they load in well under a second)."""
    from aecore.analysis.compare import PCA_BASELINE

    seen = _computed().setdefault("sides-seen", set())
    key = tuple(
        (name, dataset_key(dataset), split, None if name == PCA_BASELINE else _model_mtime(name)) for name in names
    )
    if key in seen or all(_side_on_disk(name, dataset, split) for name in names):
        sides = [side_for(name, dataset, split) for name in names]
    else:
        with progress_bar("Preparing the latent planes") as report:
            parts = len(names)
            sides = [
                side_for(name, dataset, split, part_of(report, i / parts, (i + 1) / parts))
                for i, name in enumerate(names)
            ]
    seen.add(key)
    return sides


def _model_mtime(name: str) -> float | None:
    from aecore.storage.library import find_model

    try:
        return find_model(name).path.stat().st_mtime
    except (KeyError, OSError):
        return None


def _side_on_disk(name: str, dataset: str, split: str) -> bool:
    """Whether a side's slow parts are on disk (prepared): its codes of both splits and its plane
    file, or for the PCA baseline its fitted model."""
    from aecore.analysis.compare import PCA_BASELINE
    from aecore.lecture import prepared
    from aecore.storage.library import find_model

    if name == PCA_BASELINE:
        return prepared.is_cached("pca-baseline", prepared.key_of("pca-baseline", dataset, 2))
    try:
        entry = find_model(name)
        path, mtime = str(entry.path), entry.path.stat().st_mtime
    except (KeyError, OSError):
        return True  # nothing to wait for: side_for says what is wrong
    digest = checkpoint_hash(path, mtime)
    plane = LM.plane_key(digest, dataset_key(dataset), split, map_view(entry))
    return LM.existing_plane_url(plane, url_prefix=static_prefix()) is not None and all(
        prepared.is_cached("codes", prepared.key_of("codes", digest, dataset, s)) for s in {split, "train"}
    )


def pca_model_for(dataset: str, on_progress: Progress | None = None):
    """The data set's PCA-2 baseline (:func:`aecore.lecture.prepare.pca_baseline`: on disk once
    prepared), once per server; a first fit shows its progress through ``on_progress``, else
    through a bar of its own."""
    from aecore.lecture import prepare

    def fit(report: Progress):
        return prepare.pca_baseline(dataset, 2, on_progress=report, ds=get_dataset(dataset))

    key = ("pca-baseline", dataset_key(dataset))
    store = _computed()
    if key not in store and on_progress is not None:
        store[key] = fit(on_progress)
    return computed_once(key, f"Fitting PCA to the {dataset} training set (the baseline)", fit)


@st.cache_resource(show_spinner=False, max_entries=8)
def _pca_side(dataset: str, split: str, _model):
    """The PCA baseline's codes, plane and density on a data set (``_model``: :func:`pca_model_for`'s,
    one per data set). Shared."""
    from aecore.analysis import coding
    from aecore.analysis.density import KernelDensity

    ds = get_dataset(dataset)
    codes = coding.encode_array(_model, ds.split(split)[0])  # (N, 2)
    train_codes = coding.encode_array(_model, ds.x_train)
    for c in (codes, train_codes):
        c.flags.writeable = False
    density = KernelDensity(train_codes)
    key = LM.plane_key("pca-baseline-2", dataset_key(dataset), split, "plane")
    identity = {"mean": [0.0, 0.0], "basis": [[1.0, 0.0], [0.0, 1.0]]}
    url = LM.existing_plane_url(key, url_prefix=static_prefix()) or _write_split_plane(
        key, ds, split, codes, density, ("PC 1", "PC 2"), identity
    )
    return codes, train_codes, url, density


def pixel_classifier_for(dataset: str):
    """The judge of decoded images on a data set (:func:`aecore.analysis.compare.pixel_classifier`, a
    logistic regression on the training inputs; on disk once prepared), once per server; a first fit
    shows a progress bar."""
    from aecore.lecture import prepare

    return computed_once(
        ("pixel-classifier", dataset_key(dataset)),
        f"Training the pixel classifier that judges the decodings ({dataset})",
        lambda report: prepare.pixel_classifier(dataset, on_progress=report, ds=get_dataset(dataset)),
    )


def pick_loaded(key: str, **pick) -> tuple[ModelEntry, Checkpoint, Dataset]:
    """The sidebar's model picker (:func:`latentlab.ui.model_picker.pick_model`, with ``pick``'s arguments)
    and the picked
    model's checkpoint and data set, loaded; the page stops (with the reason on it) when there is no
    model, or its file or data set cannot be read."""
    from latentlab.ui.model_picker import pick_model

    entry = pick_model(key, **pick)
    if entry is None:
        st.stop()
    ck, ds = require_checkpoint(entry), require_dataset(entry.dataset)
    require_plane(ds, ck.config.latent_dim)
    return entry, ck, ds


def require_plane(ds: Dataset, latent_dim: int) -> None:
    """Stop the page, saying why, when a model's data set is too small for its latent plane (a model
    trained on a 3-row CSV: :func:`aecore.analysis.requirements.unfit_reason`); the sidebar's picker
    stays, so another model can be picked."""
    from aecore.analysis.requirements import unfit_reason

    reason = unfit_reason(ds, "plane", latent_dim=latent_dim)
    if reason:
        st.warning(f"**This model's data set, '{ds.name}', is too small for this page.** {reason}")
        st.stop()


# ---------------------------------------------------------------- sparse autoencoders


def sae_dashboard_for(dataset: str):
    """The sparse-autoencoder page of ``dataset`` (:func:`aecore.lecture.prepare.sae_dashboard`),
    once per server."""
    from aecore.lecture import prepare
    from aecore.storage.saes import sae_path

    p = sae_path(dataset, "topk")
    return computed_once(
        ("sae-dashboard", str(p), p.stat().st_mtime),
        f"Measuring the {dataset} sparse autoencoder's features and probes "
        "(once, about a minute; `python -m aecore prepare` does it ahead)",
        lambda report: prepare.sae_dashboard(dataset, on_progress=report),
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _sae(path: str, mtime: float):
    from aecore.storage.saes import load_sae

    return load_sae(path)[0]


def sae_for(dataset: str):
    """``dataset``'s shipped TopK SAE (loaded once per server, shared read-only)."""
    from aecore.storage.saes import sae_path

    p = sae_path(dataset, "topk")
    return _sae(str(p), p.stat().st_mtime)


# ---------------------------------------------------------------- codes as features


def feature_report_for(entry: ModelEntry):
    """What ``entry``'s codes are worth as features (:func:`aecore.lecture.prepare.feature_report`), once
    per server; the first visit without ``prepare`` shows its progress."""
    from aecore.lecture import prepare

    return computed_once(
        ("feature-report", str(entry.path), entry.path.stat().st_mtime),
        f"Measuring {entry.name}'s codes as features (once, under a minute; `python -m aecore prepare` does it ahead)",
        lambda report: prepare.feature_report(entry.path, entry.dataset, entry.name, on_progress=report),
    )


def factor_study_for():
    """The disentanglement study on the sprites (:func:`aecore.lecture.prepare.factor_study`), once per
    server; the first visit without ``prepare`` shows its progress."""
    from aecore.lecture import prepare

    return computed_once(
        ("factor-study",),
        "Measuring each sprites model's disentanglement (once, about a minute; `python -m aecore prepare` does it "
        "ahead)",
        lambda report: prepare.factor_study(on_progress=report),
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _factor_labels(path: str, mtime: float, dataset: str, split: str):
    from aecore.analysis.factors import factor_labels

    ds = get_dataset(dataset)
    t = ds.t_test if split == "test" else ds.t_train
    return factor_labels(_shared_codes(path, mtime, dataset, split), t.numpy(), ds.meta["factor_names"])


def factor_labels_for(entry: ModelEntry, split: str = "test"):
    """Each latent dimension's best factor on ``split`` (:func:`aecore.analysis.factors.factor_labels`), once
    per server and model: the explorer's traversal labels, not recomputed on every click. None where the
    data set does not know its factors."""
    ds = get_dataset(entry.dataset)
    if not ds.meta.get("factor_names") or (ds.t_test if split == "test" else ds.t_train) is None:
        return None
    return _factor_labels(str(entry.path), entry.path.stat().st_mtime, entry.dataset, split)
