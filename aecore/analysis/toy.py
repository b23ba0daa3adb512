"""Toy models: the seeded recipe behind every toy model a slide shows, and training one with a
time-lapse of its M.

A toy model is a small AE on a toy data set in R² or R³ (:mod:`aecore.data.toy`), trained from one
seeded recipe (:func:`toy_recipe`, the shipped checkpoints' own), so that a live run with the
defaults reproduces a shipped model and a slide can name it (:func:`toy_model_name`). Training is
its own concept, apart from the geometry of M (:mod:`aecore.analysis.manifold`): it takes the
snapshots of M a time-lapse film shows (:func:`timelapse_epochs`, :class:`Snapshot`) and runs torch
single-threaded (:func:`one_thread`), which the overfitting preset (:mod:`aecore.analysis.overfit`)
uses too. The figures live in :mod:`latentlab.figures.timelapse`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from aecore.analysis.coding import reconstruct_array
from aecore.analysis.manifold import manifold_view
from aecore.data.sets import Dataset, load_dataset
from aecore.models import AutoencoderBase
from aecore.training.fit import Progress, TrainConfig, fit
from aecore.training.recipes import Recipe, build_for

# ---------------------------------------------------------------- training toy models

#: The shipped toy checkpoints' recipe (scripts/build_checkpoints.py ``_toy``), so a live run
#: with the defaults reproduces a shipped model.
TOY_EPOCHS = 400
TOY_BATCH = 128
TOY_LR = 3e-3


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch single-threaded for toy nets: 64-wide layers gain nothing from intra-op threads,
    and on a busy 2-core machine the thread hand-offs cost ~8× (60 epochs on the parabola:
    17 s with 1 thread vs 134 s with 2, measured under load)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def shipped_name(dataset: str, k: int, family: str = "ae") -> str:
    """The name a shipped toy checkpoint for this choice has (it may or may not exist)."""
    return f"{dataset}-{'linear' if family == 'linear-ae' else 'ae'}-k{k}"


def toy_model_name(dataset: str, k: int, family: str = "ae", seed: int = 0, epochs: int = TOY_EPOCHS) -> str:
    """What a slide calls a toy model: the shipped checkpoint's name for the seeded recipe
    ("parabola-ae-k1"), with the seed and epochs added when they are not the shipped recipe's (that
    model was trained on this machine, not shipped)."""
    base = shipped_name(dataset, k, family)
    return base if (seed, epochs) == (0, TOY_EPOCHS) else f"{base} (seed {seed}, {epochs} epochs)"


def toy_recipe(
    dataset: str,
    k: int,
    family: str = "ae",
    seed: int = 0,
    epochs: int = TOY_EPOCHS,
    hidden: tuple[int, ...] | None = None,
    lr: float = TOY_LR,
    batch_size: int = TOY_BATCH,
) -> Recipe:
    """The seeded recipe behind every toy model on the page (identical in every lecture)."""
    return Recipe(
        dataset=dataset,
        model=family,
        latent_dim=k,
        hidden=hidden,
        train=TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed),
    )


def timelapse_epochs(epochs: int, frames: int = 40) -> list[int]:
    """The epochs a time-lapse film shows: ``frames`` distinct epochs from 0 (the untrained net) to
    ``epochs``, spaced logarithmically: for 400 epochs 0, 1, 2, …, 11, 13, 15, 17, 19, 21, 24, 28, …, 310, 352, 400.

    M changes most in the first few epochs (it unfolds between epochs 0 and 10 of a 400-epoch run)
    and little afterwards, so evenly spaced frames showed the story in one step and then 39 alike.
    Every epoch when there are fewer than ``frames``."""
    if epochs + 1 <= frames:
        return list(range(epochs + 1))
    # Rounded log-spaced points collide at the start (1, 1, 1, 2, …): add points until ``frames - 1``
    # distinct epochs in 1..epochs remain (exactly that many for every length up to 3,000, tested).
    n = frames - 1
    while True:
        steps = np.unique(np.round(np.geomspace(1, epochs, n)).astype(int))
        if len(steps) >= frames - 1:
            return [0, *steps.tolist()]
        n += 1


@dataclass
class Snapshot:
    """M at one moment of training (time-lapse frame)."""

    epoch: int
    m: np.ndarray  # (G, D)
    reliability: np.ndarray  # (G,)
    xhat: np.ndarray  # (S, D) reconstructions of the view's sample
    train_loss: float
    val_loss: float | None


@dataclass
class ToyRun:
    model: AutoencoderBase
    dataset: Dataset
    history: list[dict]
    snapshots: list[Snapshot]
    grid_shape: tuple[int, ...]
    seconds: float
    sample_x: np.ndarray  # (S, D) the training points whose x̂ each snapshot holds


def train_toy(
    dataset: str | Dataset,
    k: int,
    family: str = "ae",
    seed: int = 0,
    epochs: int = TOY_EPOCHS,
    hidden: tuple[int, ...] | None = None,
    snapshot_epochs: Sequence[int] = (),
    on_progress: Callable[[float, str], None] | None = None,
    n_grid: int | None = None,
    sample: int = 150,
    lr: float = TOY_LR,
    batch_size: int = TOY_BATCH,
) -> ToyRun:
    """Train a toy model from its seeded recipe; optionally keep a snapshot of M after each epoch in
    ``snapshot_epochs`` (0: the untrained net; e.g. :func:`timelapse_epochs`), in training order.

    Each frame decodes a grid around *its own* training codes (the final code range is unknown
    while training), so every frame shows that moment's whole M with its own reliability.
    ``on_progress(fraction, text)`` is called after every epoch (e.g. to move a progress bar).
    """
    ds = load_dataset(dataset) if isinstance(dataset, str) else dataset
    recipe = toy_recipe(ds.name, k, family, seed, epochs, hidden, lr, batch_size)
    model = build_for(recipe, ds)
    snaps: list[Snapshot] = []
    rng = np.random.default_rng(seed)
    sidx = np.sort(rng.choice(len(ds.x_train), size=min(sample, len(ds.x_train)), replace=False))
    xs = ds.x_train[sidx]

    def snap(mdl: AutoencoderBase, epoch: int, tl: float, vl: float | None) -> None:
        was = mdl.training
        v = manifold_view(mdl, ds, n_grid=n_grid or {1: 301, 2: 41, 3: 11}.get(k), sample=1)
        snaps.append(Snapshot(epoch, v.m, v.reliability, reconstruct_array(mdl, xs), tl, vl))
        mdl.train(was)

    wanted = {int(e) for e in snapshot_epochs}
    if any(e < 0 or e > epochs for e in wanted):
        raise ValueError(f"snapshot epochs must lie in 0..{epochs}: {sorted(wanted)}")

    def cb(p: Progress) -> None:
        if p.epoch in wanted:
            snap(p.model, p.epoch, p.train_loss, p.val_loss)
        if on_progress:
            on_progress(p.epoch / p.epochs, f"epoch {p.epoch}/{p.epochs} · loss {p.train_loss:.4f}")

    if 0 in wanted:
        # Epoch 0: the freshly initialised net, exactly as fit() will re-initialise it.
        torch.manual_seed(seed)
        for mod in model.modules():
            if hasattr(mod, "reset_parameters") and mod is not model:
                mod.reset_parameters()
        snap(model, 0, float("nan"), None)
    with one_thread():
        res = fit(model, ds.x_train, recipe.train, callbacks=[cb])
    model = res.model.cpu().eval()
    gs = snaps[0].m.shape[0] if snaps else 0
    shape = (gs,) if k == 1 else (int(round(gs ** (1 / k))),) * k
    return ToyRun(
        model=model,
        dataset=ds,
        history=res.history,
        snapshots=snaps,
        grid_shape=shape,
        seconds=res.seconds,
        sample_x=xs.numpy(),
    )


__all__ = [
    "Snapshot",
    "ToyRun",
    "one_thread",
    "timelapse_epochs",
    "shipped_name",
    "toy_recipe",
    "train_toy",
]
