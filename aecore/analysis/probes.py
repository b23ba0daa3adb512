"""What a model's codes are worth as features: classify and cluster in k dimensions instead of D.

One protocol for every representation, so the numbers compare (:data:`N_LABELLED`, :data:`N_EVAL`):

- :func:`knn_accuracy`: a 5-nearest-neighbour classifier in the representation as it is (its own
  geometry: no rescaling), fitted on labelled training rows, scored on test rows.
- :func:`linear_accuracy`: a linear probe, logistic regression on standardised features.
- :func:`kmeans_nmi`: k-means with as many clusters as classes on the test rows, no labels used;
  normalised mutual information between clusters and classes (0: unrelated, 1: the same partition).
- :func:`label_budget`: both classifiers with 10, 100 and 1,000 labels per class, several draws:
  where few labels exist, a representation that already groups the classes helps most.

Each is measured on the model's codes and on three baselines: PCA with the same k (:func:`pca_baseline`:
fitted on training rows, unsupervised like the AE), the raw inputs (:func:`raw_baseline`), and a random
untrained encoder of the same architecture (:func:`random_encoder`: what the architecture gives before
any training).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

#: Labelled training rows the classifiers learn from (a seeded draw of the training split).
N_LABELLED = 10_000
#: Test rows every measure is scored on: the first ones of the test split.
N_EVAL = 5000
#: Training rows PCA is fitted on (the first ones: PCA-k's subspace is settled well before 60,000).
N_PCA = 20_000
#: Neighbours of the kNN classifier.
KNN_K = 5
#: Labels per class of the label-budget curve, and its draws (each a different labelled subset).
BUDGETS = (10, 100, 1000)
BUDGET_SEEDS = (0, 1, 2, 3, 4)
#: The seed of the labelled draw, of k-means' starts and of the random encoder's weights.
SEED = 0
#: Bump when a measure or the protocol changes: prepared reports are then recomputed.
VERSION = 2

Progress = Callable[[float, str], None]


def knn_accuracy(train: np.ndarray, y_train: np.ndarray, test: np.ndarray, y_test: np.ndarray, k: int = KNN_K) -> float:
    """Test accuracy of a ``k``-nearest-neighbour vote (Euclidean, in the representation as it is)."""
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=min(k, len(train)))
    return float(knn.fit(train, y_train).score(test, y_test))


def linear_accuracy(train: np.ndarray, y_train: np.ndarray, test: np.ndarray, y_test: np.ndarray) -> float:
    """Test accuracy of a linear probe: multinomial logistic regression (L2, C = 1, scikit-learn's
    ``lbfgs``) on features standardised by the training rows' mean and spread, so that no unit of the
    code dominates the fit, whatever its scale."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = train.mean(0), train.std(0) + 1e-8
    lr = LogisticRegression(max_iter=1000)
    return float(lr.fit((train - mu) / sd, y_train).score((test - mu) / sd, y_test))


def kmeans_nmi(x: np.ndarray, y: np.ndarray, n_clusters: int, seed: int = SEED) -> float:
    """Normalised mutual information between k-means' clusters of ``x`` (as many as classes, 4
    seeded starts) and the labels ``y``: how well the representation groups the classes unaided."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score

    n_clusters = min(n_clusters, len(x))  # an imported set may have more classes than test rows
    km = KMeans(n_clusters=n_clusters, n_init=4, random_state=seed).fit(np.asarray(x, np.float64))
    return float(normalized_mutual_info_score(y, km.labels_))


def balanced_draw(y: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Indices of ``per_class`` rows of each class of ``y`` (all of a class's rows if it has fewer),
    a seeded draw without replacement, sorted."""
    rng = np.random.default_rng(seed)
    out = [rng.permutation(np.flatnonzero(y == c))[:per_class] for c in np.unique(y)]
    return np.sort(np.concatenate(out))


@dataclass(frozen=True)
class FeatureScores:
    """One representation's scores under the protocol above."""

    name: str  # "codes", "PCA-16", "raw pixels", "random encoder"
    dim: int
    knn: float
    linear: float
    nmi: float


@dataclass(frozen=True)
class BudgetCurve:
    """One representation's accuracy against labels per class: mean and spread (std) over draws."""

    name: str
    budgets: list[int]
    knn_mean: list[float]
    knn_std: list[float]
    linear_mean: list[float]
    linear_std: list[float]


@dataclass(frozen=True)
class FeatureReport:
    """A model's codes against the baselines: the table's rows and the label-budget curves, in the
    same order (codes first)."""

    model: str
    dataset: str
    k: int
    rows: list[FeatureScores]
    curves: list[BudgetCurve]
    n_labelled: int
    n_eval: int
    n_draws: int

    def row(self, name: str) -> FeatureScores:
        """The row of representation ``name`` (e.g. ``"codes"``)."""
        return next(r for r in self.rows if r.name == name)

    def curve(self, name: str) -> BudgetCurve:
        """The label-budget curve of representation ``name``."""
        return next(c for c in self.curves if c.name == name)


@dataclass(frozen=True)
class Protocol:
    """The rows every representation is measured on: the labelled training rows of the table (a
    seeded draw of :data:`N_LABELLED`), their labels, every training row's label (the label-budget
    draws pick from the whole split) and the first :data:`N_EVAL` test rows' labels."""

    labelled: np.ndarray  # (N_LABELLED,) indices into the training split
    y_train: np.ndarray  # (N_train,)
    y_eval: np.ndarray  # (N_EVAL,)
    n_classes: int

    @property
    def y_labelled(self) -> np.ndarray:
        return self.y_train[self.labelled]


def protocol(ds) -> Protocol:
    """The protocol's rows of data set ``ds`` (see :class:`Protocol`)."""
    rng = np.random.default_rng(SEED)
    y_train = ds.y_train.numpy()
    lab = np.sort(rng.choice(len(y_train), size=min(N_LABELLED, len(y_train)), replace=False))
    return Protocol(lab, y_train, ds.y_test[:N_EVAL].numpy(), len(ds.class_names))


@torch.no_grad()
def random_encoder(model, seed: int = SEED):
    """An untrained model of ``model``'s architecture (its own config, freshly initialised from a
    seeded generator): the baseline that says what training added."""
    from aecore.models import build_model

    with torch.random.fork_rng(devices=[]):  # the server's global generator is left as it was
        torch.manual_seed(seed)
        return build_model(type(model.config).from_dict(model.config.to_dict())).eval()


def score(name: str, train: np.ndarray, evals: np.ndarray, p: Protocol, budgets=BUDGETS, seeds=BUDGET_SEEDS):
    """One representation's table row and label-budget curve: ``train`` holds its features of every
    training row ``(N_train, d)``, ``evals`` those of the evaluation rows ``(N_EVAL, d)``."""
    y_lab = p.y_labelled
    row = FeatureScores(
        name=name,
        dim=int(train.shape[1]),
        knn=knn_accuracy(train[p.labelled], y_lab, evals, p.y_eval),
        linear=linear_accuracy(train[p.labelled], y_lab, evals, p.y_eval),
        nmi=kmeans_nmi(evals, p.y_eval, p.n_classes),
    )
    return row, label_budget(train, evals, p, name, budgets, seeds)


def label_budget(
    train: np.ndarray, evals: np.ndarray, p: Protocol, name: str, budgets=BUDGETS, seeds=BUDGET_SEEDS
) -> BudgetCurve:
    """Accuracy of both classifiers trained on ``b`` labels per class (a balanced draw from the whole
    training split, one per seed) for each budget ``b``: mean and std over the draws."""
    # A budget above the smallest class's count would draw the same rows every time (digits has ~140
    # training images per class): only the budgets that leave the draws something to vary.
    budgets = [b for b in budgets if b < np.bincount(p.y_train).min()] or list(budgets[:1])
    knn, lin = [], []
    for b in budgets:
        kk, ll = [], []
        for s in seeds:
            idx = balanced_draw(p.y_train, b, s)
            kk.append(knn_accuracy(train[idx], p.y_train[idx], evals, p.y_eval))
            ll.append(linear_accuracy(train[idx], p.y_train[idx], evals, p.y_eval))
        knn.append(kk)
        lin.append(ll)
    knn_a, lin_a = np.asarray(knn), np.asarray(lin)  # (budgets, seeds)
    return BudgetCurve(
        name=name,
        budgets=[int(b) for b in budgets],
        knn_mean=knn_a.mean(1).tolist(),
        knn_std=knn_a.std(1).tolist(),
        linear_mean=lin_a.mean(1).tolist(),
        linear_std=lin_a.std(1).tolist(),
    )


def input_name(ds) -> str:
    """What a data set's raw inputs are called in the table."""
    return "raw pixels" if ds.is_image else "raw inputs"


def pca_baseline(ds, k: int, budgets=BUDGETS, seeds=BUDGET_SEEDS):
    """PCA-``k`` as features (fitted on the first :data:`N_PCA` training rows, unsupervised like an
    AE): ``(row, curve)``, shared by every model with a k-D code on ``ds``."""
    from aecore.analysis.pca import pca_fit

    x_train, x_eval = ds.x_train.numpy(), ds.x_test[:N_EVAL].numpy()
    pca = pca_fit(x_train[:N_PCA].astype(np.float64), k)
    return score(f"PCA-{k}", pca.scores(x_train), pca.scores(x_eval), protocol(ds), budgets, seeds)


def raw_baseline(ds, budgets=BUDGETS, seeds=BUDGET_SEEDS):
    """The raw inputs as features: ``(row, curve)``, shared by every model on ``ds``."""
    return score(input_name(ds), ds.x_train.numpy(), ds.x_test[:N_EVAL].numpy(), protocol(ds), budgets, seeds)


def codes_row(model, ds, name: str = "codes", budgets=BUDGETS, seeds=BUDGET_SEEDS):
    """``model``'s codes as features on ``ds``: ``(row, curve)``."""
    from aecore.analysis.coding import encode_array

    return score(
        name, encode_array(model, ds.x_train), encode_array(model, ds.x_test[:N_EVAL]), protocol(ds), budgets, seeds
    )


def random_row(model, ds, budgets=BUDGETS, seeds=BUDGET_SEEDS):
    """A random untrained encoder of ``model``'s architecture as features (:func:`random_encoder`):
    ``(row, curve)``, the same for every model of that config on ``ds``."""
    return codes_row(random_encoder(model), ds, "random encoder", budgets, seeds)


def feature_report(
    model, ds, name: str = "", pca=None, raw=None, random=None, on_progress: Progress | None = None
) -> FeatureReport:
    """Every measure of this module for ``model``'s codes on data set ``ds``, beside PCA with its k,
    the raw inputs and a random encoder of its architecture (not for a family without an untrained
    twin, ``untrained_twin = False``: an imported ONNX graph): the table and the label-budget curves.
    ``pca``, ``raw`` and ``random`` are zero-argument callables giving those rows' ``(row, curve)``
    (a cache shared by other models); by default :func:`pca_baseline`, :func:`raw_baseline` and
    :func:`random_row`."""
    k = int(model.config.latent_dim)
    steps = [
        ("codes", lambda: codes_row(model, ds)),
        (f"PCA-{k}", pca or (lambda: pca_baseline(ds, k))),
        (input_name(ds), raw or (lambda: raw_baseline(ds))),
        ("random encoder", random or (lambda: random_row(model, ds))),
    ]
    if not getattr(type(model), "untrained_twin", True):  # an imported graph: no recipe to draw it afresh
        steps.pop()
    pairs = []
    for i, (what, run) in enumerate(steps):
        if on_progress:
            on_progress(i / len(steps), f"{what}: kNN, linear probe, k-means, label budgets")
        pairs.append(run())
    if on_progress:
        on_progress(1.0, "done")
    return FeatureReport(
        model=name,
        dataset=ds.name,
        k=k,
        rows=[r for r, _ in pairs],
        curves=[c for _, c in pairs],
        n_labelled=min(N_LABELLED, len(ds.y_train)),
        n_eval=min(N_EVAL, len(ds.y_test)),
        n_draws=len(BUDGET_SEEDS),
    )
