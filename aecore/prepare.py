"""Everything a lecture can open, computed before the lecture: ``python -m aecore prepare``.

Each function here returns what a page shows and keeps it on disk (:mod:`aecore.prepared`), so the
page that calls it pays the computation only if nobody prepared it: the toy models and manifold
views of every Manifold tab, the overfitting preset, the time-lapse films, the held-out-class
anomaly detectors and the UMAP projections of the shipped models. :func:`prepare_all` walks the
whole list with a progress callback (the CLI and the app's "Prepare this lecture" button).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from . import prepared
from .prepared import key_of

Progress = Callable[[float, str], None]  # (fraction done, what is happening)


# ---------------------------------------------------------------- toy models and views

def _shipped_toy(name: str, k: int, family: str, seed: int, epochs: int):
    """The shipped checkpoint that matches this seeded recipe, or None."""
    from .library import find_model
    from .manifold import TOY_EPOCHS, shipped_name

    if seed != 0 or epochs != TOY_EPOCHS:
        return None
    try:
        entry = find_model(shipped_name(name, k, family))
    except KeyError:
        return None
    return entry if entry.readonly and entry.dataset == name and entry.latent_dim == k else None


def _toy_key(name: str, k: int, family: str, seed: int, epochs: int) -> str:
    from .manifold import GRID_N, TOY_BATCH, TOY_LR
    from .project import file_hash

    entry = _shipped_toy(name, k, family, seed, epochs)
    source = file_hash(entry.path) if entry else ("trained", TOY_LR, TOY_BATCH)
    return key_of("toy", name, k, family, seed, epochs, source, GRID_N)


def toy_model(name: str, k: int, family: str = "ae", seed: int = 0, epochs: int | None = None,
              on_progress: Progress | None = None):
    """``(model, source)``: the shipped checkpoint when one matches the seeded recipe, else a model
    trained once (seconds; ``on_progress`` reports) and kept on disk. ``source`` says which."""
    from .checkpoint import load_checkpoint
    from .manifold import TOY_EPOCHS, train_toy

    epochs = epochs or TOY_EPOCHS
    entry = _shipped_toy(name, k, family, seed, epochs)
    if entry is not None:
        return load_checkpoint(entry.path).model, f"shipped checkpoint `{entry.name}`"
    model = prepared.cached("toy-model", _toy_key(name, k, family, seed, epochs),
                            lambda: train_toy(name, k, family, seed, epochs, on_progress=on_progress).model)
    return model, f"trained here once (seeded: {epochs} epochs, seed {seed}), kept on disk"


def toy_view(name: str, k: int, family: str, seed: int, epochs: int, model):
    """The manifold view (M, codes, density, distances) of a toy model from :func:`toy_model`."""
    from .data import load_dataset
    from .manifold import manifold_view

    return prepared.cached("toy-view", _toy_key(name, k, family, seed, epochs),
                           lambda: manifold_view(model, load_dataset(name)))


def overfit(seed: int = 0, on_progress: Progress | None = None):
    """The overfitting preset's run (2,000 epochs in float64, ~20 s on 2 cores), computed once."""
    from .manifold import OVERFIT, overfit_run

    return prepared.cached("overfit", key_of("overfit", seed, OVERFIT),
                           lambda: overfit_run(seed=seed, on_progress=on_progress))


def timelapse_every(epochs: int) -> int:
    """Epochs between two frames of the time-lapse: about 40 frames, whatever the length."""
    return max(1, epochs // 40)


def train_timelapse(name: str, k: int, seed: int, epochs: int, on_progress: Progress | None = None):
    """``(run, base_view)`` of the time-lapse, trained now (the page's "Train again, live"): an AE
    with a snapshot of M every :func:`timelapse_every` epochs, and the view its frames are drawn over."""
    from .data import load_dataset
    from .manifold import manifold_view, train_toy

    ds = load_dataset(name)
    run = train_toy(ds, k, "ae", seed, epochs, snapshot_every=timelapse_every(epochs), on_progress=on_progress)
    base = manifold_view(run.model, ds, sample=len(run.sample_x), n_grid={1: 301, 2: 41, 3: 11}.get(k))
    return run, base


def timelapse(name: str, k: int, seed: int, epochs: int, on_progress: Progress | None = None):
    """:func:`train_timelapse`, computed once and kept on disk."""
    key = key_of("timelapse", name, k, seed, epochs, timelapse_every(epochs))
    return tuple(prepared.cached("timelapse", key, lambda: train_timelapse(name, k, seed, epochs, on_progress)))


# ---------------------------------------------------------------- image models

def deep_vs_pca(entry, n_show: int = 12):
    """The deep AE against PCA on real test images (the Linear AE vs PCA tab): PCA of 60,000 MNIST
    images and 10,000 reconstructions each, ~2-4 s, kept on disk."""
    from .checkpoint import load_checkpoint
    from .data import load_dataset
    from .manifold import deep_vs_pca as compute
    from .project import file_hash

    return prepared.cached("deep-vs-pca", key_of("deep-vs-pca", file_hash(entry.path), entry.dataset, n_show),
                           lambda: compute(load_checkpoint(entry.path).model, load_dataset(entry.dataset),
                                           n_show=n_show))


def model_without_class(dataset: str, cls: int, epochs: int):
    """The held-out-class anomaly detector: a 2-D AE trained without class ``cls``, kept on disk."""
    from .anomaly import train_without_class
    from .data import load_dataset

    return prepared.cached("without-class", key_of("without-class", dataset, cls, epochs),
                           lambda: train_without_class(load_dataset(dataset), cls, epochs=epochs))


def heldout_ready(dataset: str, cls: int, epochs: int) -> bool:
    """Whether the held-out-class detector is on disk already (the page then skips its button)."""
    return prepared.is_cached("without-class", key_of("without-class", dataset, cls, epochs))


def heldout_epochs(dataset: str) -> int:
    """Epochs of the held-out-class detector: 60 on the small digits set, 3 on MNIST-sized sets."""
    from .data import load_dataset

    return 60 if len(load_dataset(dataset).x_train) < 5000 else 3


# ---------------------------------------------------------------- the whole lecture

@dataclass
class Step:
    what: str
    seconds: float
    cached: bool  # it was on disk already: computing it wrote no file


def lecture_items() -> list[tuple[str, Callable[[], object]]]:
    """Every item a lecture can open, as ``(label, compute)``: fast to list, slow to run."""
    from .data import IMAGE_DATASETS, is_available, load_dataset
    from .library import list_models
    from .manifold import TOY_EPOCHS
    from .toy import TOYS

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
            items.append((f"{ds} detector without class {c}",
                          lambda ds=ds, c=c: model_without_class(ds, c, heldout_epochs(ds))))
    for m in list_models():
        if m.readonly and m.latent_dim > 2 and m.dataset in IMAGE_DATASETS and is_available(m.dataset):
            items.append((f"UMAP of {m.name}", lambda m=m: umap_projection(m)))
    return items


def umap_projection(entry, split: str = "test"):
    """The UMAP view of a model's codes (the explorer's ``UMAP`` choice), cached on disk."""
    from .checkpoint import load_checkpoint
    from .data import load_dataset
    from .project import cached_projection
    from .views import encode_array

    x, _ = load_dataset(entry.dataset).split(split)
    codes = encode_array(load_checkpoint(entry.path).model, x)
    return cached_projection(codes, "umap", entry.path, split)


def prepare_all(progress: Progress | None = None) -> list[Step]:
    """Compute (or find on disk) every item of :func:`lecture_items`; report through ``progress``."""
    from .project import cache_dir as projection_dir

    def files() -> dict:  # every file the items write, with its modification time
        return {p: p.stat().st_mtime_ns for d in (prepared.cache_dir(), projection_dir()) if d.is_dir()
                for p in d.iterdir()}

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
