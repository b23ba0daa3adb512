"""Judging a set of pictures: how far their features lie from the test set's (a Fréchet distance,
"FD") and how evenly they cover the classes (the entropy of the predicted-class histogram).

The eye is the data set's shipped classifier (:mod:`aecore.storage.judges`), trained on real
pictures and never on a model's output: FD is measured in its penultimate features, as FID is in
Inception's (Heusel et al., 2017), here with a small network that knows the data set. FD is
0 for a set against itself, grows with a shift of the mean or a change of the spread, and is only
comparable between sets judged by the same classifier with the same number of samples (it is biased
upward for small sets: 10,000 is the convention here).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

#: How many pictures a set is judged on (samples and test pictures alike).
N_JUDGED = 10_000


def gaussian_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean ``(F,)`` and covariance ``(F, F)`` (float64, unbiased) of ``features`` ``(N, F)``."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"need at least two feature rows (N, F), got shape {f.shape}")
    return f.mean(0), np.cov(f, rowvar=False).reshape(f.shape[1], f.shape[1])


def frechet_from_stats(mu1: np.ndarray, cov1: np.ndarray, mu2: np.ndarray, cov2: np.ndarray) -> float:
    """The Fréchet (2-Wasserstein) distance between N(mu1, cov1) and N(mu2, cov2), squared:
    ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½).

    tr((Σ₁Σ₂)^½) is computed as the sum of the square roots of the eigenvalues of the symmetric
    Σ₁^½ Σ₂ Σ₁^½ (numpy only, no complex matrix square root), negative round-off clipped to 0."""
    w1, v1 = np.linalg.eigh(cov1)
    half1 = (v1 * np.sqrt(np.clip(w1, 0, None))) @ v1.T  # Σ₁^½
    middle = half1 @ cov2 @ half1
    tr_sqrt = float(np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum())
    d = float(((mu1 - mu2) ** 2).sum() + np.trace(cov1) + np.trace(cov2) - 2 * tr_sqrt)
    return max(d, 0.0)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """FD between two sets of features ``a`` ``(N, F)`` and ``b`` ``(M, F)``."""
    return frechet_from_stats(*gaussian_stats(a), *gaussian_stats(b))


@dataclass(frozen=True)
class Coverage:
    """How a set of pictures spreads over the classes, by the judge's predictions."""

    histogram: np.ndarray  # (C,) share of the set called each class
    entropy: float  # nats; log C when every class is called equally often
    max_entropy: float  # log C

    @property
    def evenness(self) -> float:
        """entropy / log C: 1 for an even spread, 0 when one class is all there is."""
        return self.entropy / self.max_entropy


def class_coverage(predicted: np.ndarray, n_classes: int) -> Coverage:
    """The class histogram of ``predicted`` ``(N,)`` labels and its entropy (mode coverage)."""
    counts = np.bincount(np.asarray(predicted, dtype=np.int64), minlength=n_classes)[:n_classes]
    p = counts / max(1, counts.sum())
    nz = p[p > 0]
    return Coverage(p, float(-(nz * np.log(nz)).sum()), float(np.log(n_classes)))


@dataclass(frozen=True)
class Verdict:
    """A set of pictures judged: its FD to the test set, its coverage, and how many were judged."""

    fd: float
    coverage: Coverage
    n: int


class Judge:
    """A data set's classifier as the judge of pictures: :meth:`features`, :meth:`predict`, and
    :meth:`judge` (FD to the test set's features, which it computes once, and coverage)."""

    def __init__(self, model, dataset: str, reference: tuple[np.ndarray, np.ndarray] | None = None):
        self.model, self.dataset = model, dataset
        self._reference = reference  # the test set's (mean, covariance) of features

    @torch.no_grad()
    def _run(self, x, what: str, batch: int = 1000) -> np.ndarray:
        x = torch.as_tensor(np.asarray(x, dtype=np.float32))
        net = self.model
        out = [(net.features if what == "features" else net)(x[i : i + batch]) for i in range(0, len(x), batch)]
        return torch.cat(out).numpy()

    def features(self, x) -> np.ndarray:
        """Penultimate features ``(N, F)`` of pictures ``x`` ``(N, D)`` in [0, 1]."""
        return self._run(x, "features")

    def predict(self, x) -> np.ndarray:
        """The class ``(N,)`` the judge calls each picture of ``x`` ``(N, D)``."""
        return self._run(x, "logits").argmax(1)

    def reference(self, x_test) -> tuple[np.ndarray, np.ndarray]:
        """The test set's feature statistics (the first :data:`N_JUDGED` test pictures), kept."""
        if self._reference is None:
            self._reference = gaussian_stats(self.features(np.asarray(x_test)[:N_JUDGED]))
        return self._reference

    def judge(self, x, x_test) -> Verdict:
        """Pictures ``x`` ``(N, D)`` against the test set ``x_test``: FD and class coverage."""
        f = self._run(x, "features")
        logits = self.model.head(torch.as_tensor(f)).detach().numpy()
        fd = frechet_from_stats(*gaussian_stats(f), *self.reference(x_test))
        return Verdict(fd, class_coverage(logits.argmax(1), self.model.config.n_classes), len(f))


def has_judge(dataset: str) -> bool:
    """Whether ``dataset`` has a shipped judge."""
    from aecore.storage.judges import judge_path

    return judge_path(dataset).is_file()


@lru_cache(maxsize=8)
def _judge_at(path: Path, mtime: float) -> Judge:
    from aecore.storage.judges import load_judge

    model, info = load_judge(path)
    return Judge(model, info["dataset"])


def judge_for(dataset: str) -> Judge:
    """The shipped judge of ``dataset`` (loaded once per process); ``FileNotFoundError`` if none."""
    from aecore.storage.judges import judge_path

    path = judge_path(dataset)
    if not path.is_file():
        raise FileNotFoundError(f"no judge is shipped for {dataset!r} ({path.name})")
    return _judge_at(path, path.stat().st_mtime)
