"""Overfitting: the preset where a big network on a handful of noisy points bends M through every one.

One seeded run (:data:`OVERFIT`, trained in float64 with a cosine schedule, :data:`OVERFIT_TRAIN`)
whose held-out error falls, then rises, while the training error keeps falling. A concept of its own:
it trains its own model on its own split, not a toy model's recipe (:mod:`aecore.analysis.toy`), and
keeps manifold views (:mod:`aecore.analysis.manifold`) of M at a few moments. Drawn by
:mod:`latentlab.figures.overfit`; prepared ahead by :func:`aecore.lecture.prepare.overfit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from aecore.analysis.manifold import ManifoldView, manifold_view
from aecore.analysis.toy import one_thread
from aecore.data.sets import load_dataset
from aecore.models import AutoencoderBase, build_model, config_for
from aecore.training.fit import Progress, TrainConfig, evaluate, fit

# ---------------------------------------------------------------- overfitting


@dataclass
class OverfitRun:
    model: AutoencoderBase
    x_train: torch.Tensor  # (n, D) the few training points
    x_heldout: torch.Tensor  # (H, D)
    epochs: np.ndarray  # (E,)
    train_mse: np.ndarray  # (E,)
    heldout_mse: np.ndarray  # (E,)
    best_epoch: int  # epoch of lowest held-out error
    view: ManifoldView
    snapshots: dict[int, np.ndarray]  # epoch → M vertices (G, D) at a few moments


OVERFIT = dict(dataset="parabola", n_train=8, noise=0.12, hidden=(256, 256, 256), epochs=2000, lr=3e-3)
#: Why the preset trains in float64 with a cosine schedule: at a constant step, Adam on 8 points
#: spikes once the training error is tiny, and where a spike falls depends on float32 rounding, so
#: on some CPUs' kernels a spike near the end pulled the held-out error back down (0.0196 → 0.0147)
#: and the demo's point was lost. The schedule's last epochs take tiny steps (no spike can land
#: there) and float64 keeps kernels from steering the trajectory apart.
OVERFIT_TRAIN = dict(schedule="cosine", dtype="float64")
#: What a slide calls the overfitting preset's model (it is trained by ``prepare``, not a library model).
OVERFIT_NAME = f"{OVERFIT['dataset']}-overfit-k1"
OVERFIT_LABEL = (
    f"A big AE ({'-'.join(map(str, OVERFIT['hidden']))}) trained {OVERFIT['epochs']:,} epochs "
    f"on {OVERFIT['n_train']} noisy {OVERFIT['dataset']} points"
)


def overfit_run(
    dataset: str = OVERFIT["dataset"],
    n_train: int = OVERFIT["n_train"],
    noise: float = OVERFIT["noise"],
    hidden: tuple[int, ...] = OVERFIT["hidden"],
    epochs: int = OVERFIT["epochs"],
    lr: float = OVERFIT["lr"],
    seed: int = 0,
    every: int = 10,
    on_progress: Callable[[float, str], None] | None = None,
) -> OverfitRun:
    """The overfitting preset: a handful of noisy points, a big network, k = 1, long training.

    The held-out error (fresh points from the same distribution) is measured every ``every``
    epochs: it falls, then rises as M bends to pass through every training point.
    """
    ds = load_dataset(dataset, seed=seed, n=2000, noise=noise)
    x_tr, x_ho = ds.x_train[:n_train], ds.x_test[:300]
    model = build_model(config_for(ds, "ae", 1, hidden=hidden))
    eps, tr, ho, snaps = [], [], [], {}

    def cb(p: Progress) -> None:
        if p.epoch % every == 0 or p.epoch == 1:
            eps.append(p.epoch)
            tr.append(evaluate(p.model, x_tr)["mse"])
            ho.append(evaluate(p.model, x_ho)["mse"])
        if p.epoch in (epochs // 8, epochs // 2):
            with torch.no_grad():
                p.model.eval()
                snaps[p.epoch] = manifold_view(p.model, ds, x_train=x_tr, x_test=x_ho, sample=n_train).m
                p.model.train()
        if on_progress:
            on_progress(p.epoch / p.epochs, f"epoch {p.epoch}/{p.epochs}")

    cfg = TrainConfig(
        epochs=epochs, batch_size=n_train, lr=lr, seed=seed, val_fraction=0.0, keep_best=False, **OVERFIT_TRAIN
    )
    with one_thread():
        fit(model, x_tr, cfg, callbacks=[cb])
    model = model.cpu().eval()
    view = manifold_view(model, ds, x_train=x_tr, x_test=x_ho, sample=n_train)
    snaps[epochs] = view.m
    ho_a = np.asarray(ho)
    return OverfitRun(
        model=model,
        x_train=x_tr,
        x_heldout=x_ho,
        epochs=np.asarray(eps),
        train_mse=np.asarray(tr),
        heldout_mse=ho_a,
        best_epoch=int(eps[int(ho_a.argmin())]),
        view=view,
        snapshots=snaps,
    )


__all__ = [
    "OverfitRun",
    "overfit_run",
]
