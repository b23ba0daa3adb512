"""Anomaly detection by reconstruction error: an AE reconstructs what it was trained on well and
anything else badly, so ‖x − g(f(x))‖² is an anomaly score.

Everything the Anomalies page shows comes from here: scores for in- and out-of-distribution
sets, confusion counts at a threshold, the ROC curve and its AUC, the worst-reconstructed
examples, and (for 2-D toy sets) the distance to the learned manifold M over data space.
Positive = "flagged as anomalous" = score above the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aecore.analysis.coding import reconstruct_array
from aecore.models import AutoencoderBase

#: The out-of-distribution set of the "another data set" scenario: the other 28×28 grey set.
OTHER_SET = {"mnist": "fashion-mnist", "fashion-mnist": "mnist"}


def recon_scores(model: AutoencoderBase, x: torch.Tensor, batch_size: int = 4096) -> np.ndarray:
    """Anomaly score per row ``(N,)``: the mean squared error of x̂ = g(f(x)) (VAEs decode μ)."""
    x = x.float()
    out = np.empty(len(x), dtype=np.float64)
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size]
        out[i : i + len(xb)] = ((reconstruct_array(model, xb) - xb.numpy()) ** 2).mean(1)
    return out


@dataclass
class AnomalySets:
    """Scores of the in-distribution rows ``(N_in,)`` and out-of-distribution rows ``(N_out,)``,
    with the rows themselves (flat, ``(N, D)``) so the page can show the worst ones."""

    scores_in: np.ndarray
    scores_out: np.ndarray
    x_in: torch.Tensor
    x_out: torch.Tensor
    name_in: str = "in distribution"
    name_out: str = "out of distribution"

    @property
    def scores(self) -> np.ndarray:
        return np.concatenate([self.scores_in, self.scores_out])

    @property
    def is_out(self) -> np.ndarray:
        """Ground truth per score ``(N_in + N_out,)``: True for out-of-distribution rows."""
        return np.r_[np.zeros(len(self.scores_in), bool), np.ones(len(self.scores_out), bool)]


def score_sets(
    model: AutoencoderBase,
    x_in: torch.Tensor,
    x_out: torch.Tensor,
    name_in: str = "in distribution",
    name_out: str = "out of distribution",
) -> AnomalySets:
    """Score both sets with the same model."""
    return AnomalySets(recon_scores(model, x_in), recon_scores(model, x_out), x_in, x_out, name_in, name_out)


@dataclass
class Roc:
    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float


def roc(scores_in: np.ndarray, scores_out: np.ndarray) -> Roc:
    """ROC of "score > t ⇒ anomaly" over all thresholds t, and its area (1 = perfect, 0.5 = chance).

    The AUC equals the probability that a random out-of-distribution row scores higher than a
    random in-distribution row (ties count half).
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.r_[np.zeros(len(scores_in)), np.ones(len(scores_out))]
    s = np.r_[scores_in, scores_out]
    fpr, tpr, thr = roc_curve(y, s)
    return Roc(fpr, tpr, thr, float(roc_auc_score(y, s)))


@dataclass
class Confusion:
    """Counts at one threshold. Positive = flagged (score > threshold)."""

    tp: int  # out-of-distribution, flagged
    fp: int  # in-distribution, flagged (false alarm)
    tn: int  # in-distribution, passed
    fn: int  # out-of-distribution, missed

    @property
    def tpr(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    @property
    def fpr(self) -> float:
        return self.fp / max(1, self.fp + self.tn)

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / max(1, self.tp + self.fp + self.tn + self.fn)


def confusion_at(scores_in: np.ndarray, scores_out: np.ndarray, threshold: float) -> Confusion:
    """Confusion counts when every score above ``threshold`` is flagged as an anomaly."""
    fp = int((scores_in > threshold).sum())
    tp = int((scores_out > threshold).sum())
    return Confusion(tp=tp, fp=fp, tn=len(scores_in) - fp, fn=len(scores_out) - tp)


def threshold_for_fpr(scores_in: np.ndarray, fpr: float = 0.05) -> float:
    """The threshold that flags a fraction ``fpr`` of the in-distribution rows: a sensible default."""
    return float(np.quantile(scores_in, 1.0 - fpr))


def threshold_at_percentile(scores_in: np.ndarray, percentile: float) -> float:
    """The score below which ``percentile`` % of the in-distribution rows fall (the threshold a
    "flag above the p-th percentile of normal scores" slider sets): it flags 100 − p % of them."""
    return float(np.percentile(scores_in, percentile))


def worst_indices(scores: np.ndarray, n: int = 8) -> np.ndarray:
    """Indices of the ``n`` highest scores, highest first."""
    n = min(n, len(scores))
    idx = np.argpartition(-np.asarray(scores), n - 1)[:n]
    return idx[np.argsort(-scores[idx])]


# ---------------------------------------------------------------- toy: distance to M


@dataclass
class DistanceMap:
    """‖x − g(f(x))‖ on a grid over 2-D data space: the distance from x to where the AE puts it on M."""

    xs: np.ndarray  # (nx,)
    ys: np.ndarray  # (ny,)
    dist: np.ndarray  # (ny, nx)


def distance_map(model: AutoencoderBase, x_data: torch.Tensor, n: int = 120, pad: float = 0.35) -> DistanceMap:
    """Reconstruction distance over a grid covering the 2-D data ``(N, 2)`` plus ``pad`` of its span.

    For a model with k < d this is (about) the distance to the learned manifold M, so its level
    sets are the anomaly score's contours: points far from M score high wherever they are.
    """
    x = np.asarray(x_data, dtype=np.float32)
    if x.shape[1] != 2:
        raise ValueError(f"distance_map draws 2-D data space, the data has {x.shape[1]} dimensions")
    lo, hi = x.min(0), x.max(0)
    span = np.maximum(hi - lo, 1e-6)
    xs = np.linspace(lo[0] - pad * span[0], hi[0] + pad * span[0], n, dtype=np.float32)
    ys = np.linspace(lo[1] - pad * span[1], hi[1] + pad * span[1], n, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    grid = torch.as_tensor(np.c_[gx.ravel(), gy.ravel()])  # (n², 2)
    rec = reconstruct_array(model, grid)
    dist = np.linalg.norm(rec - grid.numpy(), axis=1).reshape(n, n)
    return DistanceMap(xs, ys, dist)


def epoch_text(p) -> str:
    """A training's progress in words, with the time left measured on this run: ``epoch 3/60 ·
    about 12 s left`` (``p``: a :class:`aecore.training.fit.Progress`). The seconds per epoch so
    far times the epochs to go: no promise written in advance."""
    left = p.seconds / max(p.epoch, 1) * (p.epochs - p.epoch)
    when = "almost done" if left < 1 else f"about {left:.0f} s left" if left < 90 else f"about {left / 60:.0f} min left"
    return f"epoch {p.epoch}/{p.epochs} · {when}"


def train_without_class(dataset, cls: int, epochs: int = 80, seed: int = 0, callbacks=None, on_progress=None):
    """Train a vanilla 2-D AE on ``dataset`` (a :class:`aecore.data.sets.Dataset`) with class ``cls``
    left out of training: the detector for the "held-out class" scenario. Returns the model.
    ``on_progress(fraction, text)`` is called after every epoch (a progress bar: epochs done of
    all, and the time left as measured so far).

    Same as ``python -m aecore train --dataset D --exclude-class C``. How long it takes is rows ×
    epochs (digits: 60 epochs over ~1,300 rows, ~10 s on a laptop CPU; a user's set of 5,000
    pictures 64 s), hence the progress report rather than an estimate written in advance.
    """
    from aecore.training.fit import TrainConfig
    from aecore.training.recipes import Recipe, train_recipe

    small = len(dataset.x_train) < 5000
    bs = 64 if small else 256
    r = Recipe(
        dataset=dataset.name,
        model="ae",
        latent_dim=2,
        exclude_classes=(int(cls),),
        train=TrainConfig(epochs=epochs, batch_size=bs, lr=2e-3 if small else 1e-3, seed=seed),
    )
    again = [""]

    def report(p) -> None:
        on_progress(p.epoch / p.epochs, epoch_text(p) + again[0])

    cbs = list(callbacks or []) + ([report] if on_progress else [])
    # Batches of 64 × 64 pixels are too small to split across threads: on a busy 2-core machine
    # two threads made this 9× slower (167 s vs 19 s for 20 epochs), so train small sets on one.
    threads = torch.get_num_threads()
    if small:
        torch.set_num_threads(1)
    from aecore.training.fit import TrainingDiverged

    try:
        try:
            return train_recipe(r, dataset=dataset, callbacks=cbs).model
        except TrainingDiverged:
            # A small or sparse set (a user's own) can collapse to its mean picture at this rate:
            # a quarter of it is slower and steadier. A second collapse is the caller's to report.
            r.train = TrainConfig(epochs=epochs, batch_size=bs, lr=r.train.lr / 4, seed=seed)
            again[0] = " (again, at a lower learning rate: the first try collapsed)"
            return train_recipe(r, dataset=dataset, callbacks=cbs).model
    finally:
        torch.set_num_threads(threads)


# ---------------------------------------------------------------- tables: which channel broke


def channel_errors(model: AutoencoderBase, x: torch.Tensor) -> np.ndarray:
    """Squared reconstruction error per row and channel ``(N, D)``: (x − g(f(x)))². Its row mean is
    :func:`recon_scores`; its columns say *which* channel the model could not explain."""
    x = x.float()
    return (reconstruct_array(model, x) - x.numpy()) ** 2


def blamed_channel(errors: np.ndarray, healthy: np.ndarray) -> np.ndarray:
    """For each row of ``errors`` ``(N, D)``, the channel with the largest error relative to that
    channel's typical error on healthy rows ``healthy`` ``(M, D)`` (channels differ in how well
    they can be reconstructed at all) → ``(N,)``."""
    typical = np.median(healthy, axis=0) + 1e-12  # (D,)
    return np.argmax(errors / typical, axis=1)


def train_sensor_detector(seed: int = 0, epochs: int = 40, callbacks=None, on_progress=None):
    """The sensor-log demo's detector: an MLP AE with k = 3 (the log's three hidden operating
    variables) trained on the healthy rows of ``sensor-log`` with this ``seed`` (~3 s on 2 cores).
    ``on_progress(fraction, text)``: after every epoch, as :func:`train_without_class`'s.
    Returns ``(model, dataset)``."""
    from aecore.data.sets import load_dataset
    from aecore.training.fit import TrainConfig
    from aecore.training.recipes import Recipe, train_recipe

    ds = load_dataset("sensor-log", seed=seed)
    r = Recipe(
        dataset="sensor-log",
        model="ae",
        latent_dim=3,
        train=TrainConfig(epochs=epochs, batch_size=128, lr=2e-3, seed=0),
    )
    cbs = list(callbacks or []) + ([lambda p: on_progress(p.epoch / p.epochs, epoch_text(p))] if on_progress else [])
    return train_recipe(r, dataset=ds, callbacks=cbs).model, ds


def single_channel_scores(x_train: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The detector without a model, for contrast: each row's largest |z-score| over its channels
    (z against the training rows' mean and spread) ``(N,)``. It sees a value out of its usual range,
    not a value that disagrees with the other channels."""
    mu, sd = x_train.mean(0), x_train.std(0) + 1e-12
    return np.abs((x - mu) / sd).max(1)


@dataclass
class FaultRow:
    """One kind of fault in the sensor log, measured: how many minutes, the share the threshold
    catches, the AE's AUC and the per-channel baseline's (each against the healthy minutes), and the
    share of the flagged minutes whose largest (relative) error is on the broken channel (``None``
    when none is flagged)."""

    kind: str
    minutes: int
    caught: float
    auc: float
    auc_single: float
    blamed_right: float | None


def fault_rows(
    score: np.ndarray, y: np.ndarray, threshold: float, single: np.ndarray, blame: np.ndarray, broken: np.ndarray,
    kinds: list[str],
) -> list[FaultRow]:  # fmt: skip
    """Per fault kind ``f`` (label ``f`` = ``kinds[f - 1]``; label 0 is healthy): the AE's ``score``
    ``(N,)`` and the baseline's ``single`` ``(N,)`` against the healthy minutes, what ``threshold``
    catches, and whether :func:`blamed_channel`'s ``blame`` ``(N,)`` names ``broken`` ``(N,)``."""
    healthy = y == 0
    rows = []
    for f, kind in enumerate(kinds, start=1):
        sel = y == f
        flagged = sel & (score > threshold)
        rows.append(
            FaultRow(
                kind=kind,
                minutes=int(sel.sum()),
                caught=float((score[sel] > threshold).mean()),
                auc=roc(score[healthy], score[sel]).auc,
                auc_single=roc(single[healthy], single[sel]).auc,
                blamed_right=float((blame[flagged] == broken[flagged]).mean()) if flagged.any() else None,
            )
        )
    return rows


def held_out_indices(y_test, cls: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a test split for the held-out-class scenario: (every other class, class ``cls``)."""
    y = np.asarray(y_test)
    return np.flatnonzero(y != int(cls)), np.flatnonzero(y == int(cls))


def subset_indices(n_rows: int, n: int | None, seed: int = 0) -> np.ndarray:
    """At most ``n`` sorted, seeded random indices into ``n_rows`` rows (all of them if ``n`` is None)."""
    if n is None or n_rows <= n:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, n, replace=False))
