"""Select, compare, explain: the numbers behind the Compare page.

A *selection* is a set of example indices into one split (what a lasso, a box or a legend class
picked on a latent plane). This module summarises it under one model (classes, mean input, g of the
mean code, the boundary between its two largest classes), says how spread out the same examples are
under another model, moves codes along an attribute vector ("make this 3 more like an 8") and
judges the result with a classifier trained on pixels. PCA is a baseline "model" every data set has
(:func:`pca_baseline`): a linear autoencoder whose weights are the principal directions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from aecore.analysis import coding
from aecore.analysis.explore import Interpolation, interpolation_strip
from aecore.analysis.pca import pca_fit
from aecore.models.base import AutoencoderBase, ModelConfig
from aecore.models.linear import LinearAutoencoder

#: The name the PCA baseline goes by in pickers and URLs (no checkpoint can be called this: names
#: are file stems, and a file stem has no parentheses).
PCA_BASELINE = "(PCA baseline)"

#: ``on_progress(fraction, text)``: the convention of :data:`aecore.lecture.prepare.Progress` (a
#: fraction in [0, 1] that only grows and ends at 1.0, and what is being done), which a page turns
#: into a progress bar.
Progress = Callable[[float, str], None]


def points_in_polygon(points: np.ndarray, polygon) -> np.ndarray:
    """Which of ``points`` ``(N, 2)`` lie inside ``polygon`` ``(V, 2)`` (even-odd rule, as the plane's
    lasso decides in the browser) → bool ``(N,)``. What restores a lasso from a URL."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    poly = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    x, y = pts[:, 0], pts[:, 1]
    out = np.zeros(len(pts), bool)
    if len(poly) < 3:
        return out
    for (xi, yi), (xj, yj) in zip(poly, np.roll(poly, 1, axis=0)):
        with np.errstate(divide="ignore", invalid="ignore"):
            out ^= ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi) + xi)
    return out


def relative_spread(codes: np.ndarray, idx) -> float:
    """How spread out the codes of ``idx`` are, as a share of all codes' spread: the RMS distance of
    the selected codes ``(N, k)`` to their own mean over that of every code to the overall mean.
    Near 0: the examples sit together under this model; near 1 (or above): scattered over it."""
    codes = np.asarray(codes, dtype=np.float64)
    sel = codes[np.asarray(idx, dtype=np.int64)]
    if len(sel) < 2:
        return 0.0
    rms = lambda c: float(np.sqrt(((c - c.mean(0)) ** 2).sum(1).mean()))  # noqa: E731
    return rms(sel) / max(rms(codes), 1e-12)


@dataclass
class SelectionSummary:
    """One selection under one model."""

    indices: np.ndarray  # (S,) into the split
    counts: np.ndarray  # (C,) examples per class
    mean_input: np.ndarray  # (D,) the pixel-wise mean of the selected inputs
    mean_code: np.ndarray  # (k,)
    decoded_mean: np.ndarray  # (D,) g(mean code): not the mean input (g is not linear)
    mean_error: float  # mean over the selection of MSE(x, g(f(x)))
    top2: tuple[int, int] | None  # the two largest classes, when there are two
    boundary: Interpolation | None  # decoded from the mean code of one of top2 to the other's

    def share(self, c: int) -> float:
        """The share of the selection in class ``c``."""
        return float(self.counts[c]) / max(1, len(self.indices))


def summarise_selection(
    model: AutoencoderBase,
    x: torch.Tensor,
    labels: np.ndarray,
    codes: np.ndarray,
    idx,
    n_classes: int,
    density=None,
    steps: int = 9,
) -> SelectionSummary:
    """Summarise the examples ``idx`` of a split (inputs ``x`` ``(N, D)``, ``labels`` ``(N,)``, their
    ``codes`` ``(N, k)`` under ``model``). The boundary strip decodes the straight path between the
    mean codes of the selection's two largest classes (its density judged by ``density``, the
    model's training-code density; without one every frame counts as dense)."""
    idx = np.asarray(idx, dtype=np.int64)
    if not len(idx):
        raise ValueError("an empty selection has nothing to summarise")
    lab = np.asarray(labels)[idx]
    counts = np.bincount(lab, minlength=n_classes)
    xs = x[torch.as_tensor(idx)]  # (S, D)
    z = np.asarray(codes, dtype=np.float32)[idx]  # (S, k)
    mean_code = z.mean(0)
    xhat = coding.reconstruct_array(model, xs)  # (S, D)
    err = float(((xs.numpy() - xhat) ** 2).mean())  # the mean of the per-example MSEs (equal sizes)
    order = np.argsort(-counts, kind="stable")
    top2 = (int(order[0]), int(order[1])) if counts[order[1]] > 0 else None
    boundary = None
    if top2 is not None:
        za, zb = (z[lab == c].mean(0) for c in top2)
        boundary = interpolation_strip(model, za, zb, steps, density or _everywhere_dense)
    return SelectionSummary(
        indices=idx,
        counts=counts,
        mean_input=xs.numpy().mean(0),
        mean_code=mean_code,
        decoded_mean=coding.decode_array(model, mean_code[None])[0],
        mean_error=err,
        top2=top2,
        boundary=boundary,
    )


class _Everywhere:
    """A stand-in density under which every code is dense (a summary without a density)."""

    threshold = 0.0

    def __call__(self, z) -> np.ndarray:
        return np.ones(len(np.atleast_2d(z)))

    def is_low(self, d):
        return np.zeros(np.shape(d), bool)


_everywhere_dense = _Everywhere()


def selection_csv(idx, labels: np.ndarray, codes: np.ndarray, class_names: list[str]) -> bytes:
    """A selection as CSV, one row per selected example: ``index, label, class, z1 … zk``."""
    idx = np.asarray(idx, dtype=np.int64)
    codes = np.asarray(codes)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["index", "label", "class", *(f"z{j + 1}" for j in range(codes.shape[1]))])
    for i in idx:
        c = int(labels[i])
        w.writerow([int(i), c, class_names[c], *(f"{v:.6g}" for v in codes[i])])
    return buf.getvalue().encode()


# ---------------------------------------------------------------- PCA as a model


def pca_baseline(
    x_train: np.ndarray,
    k: int = 2,
    image_shape: tuple[int, ...] | None = None,
    on_progress: Progress | None = None,
) -> LinearAutoencoder:
    """PCA-k as a linear autoencoder: f(x) = Bᵀ(x − μ), g(z) = μ + Bz with B the top-k principal
    directions of ``x_train`` ``(N, D)``. The best any linear k-D code can do in squared error
    (what a linear AE converges to, in other coordinates): the baseline beside a trained model.
    ``on_progress(fraction, text)`` hears 0 before the fit (1.5-3 s on 60,000 MNIST images) and 1 after."""
    x = np.asarray(x_train, dtype=np.float64)
    if on_progress:
        on_progress(0.0, f"principal directions of {len(x):,} inputs")
    pca = pca_fit(x, k)
    if on_progress:
        on_progress(1.0, f"principal directions of {len(x):,} inputs: done")
    d = x.shape[1]
    cfg = ModelConfig(
        family="linear-ae", input_dim=d, latent_dim=k, hidden=(), output="linear", image_shape=image_shape
    )
    model = LinearAutoencoder(cfg)
    b = torch.as_tensor(pca.basis, dtype=torch.float32)  # (D, k)
    mu = torch.as_tensor(pca.mean, dtype=torch.float32)  # (D,)
    with torch.no_grad():
        model.encoder.weight.copy_(b.T)
        model.encoder.bias.copy_(-(b.T @ mu))
        model.decoder.weight.copy_(b)
        model.decoder.bias.copy_(mu)
    return model.eval()


# ---------------------------------------------------------------- attribute vectors


def class_mean_codes(codes: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The mean code of each class ``(C, k)`` (NaN rows for a class without examples)."""
    codes = np.asarray(codes, dtype=np.float64)
    out = np.full((n_classes, codes.shape[1]), np.nan)
    for c in range(n_classes):
        m = labels == c
        if m.any():
            out[c] = codes[m].mean(0)
    return out


@dataclass
class AttributeMove:
    """Codes moved along an attribute vector, decoded and judged."""

    vector: np.ndarray  # (k,) mean code of the target class minus that of the source
    alpha: float  # how far along it
    z_before: np.ndarray  # (n, k)
    z_after: np.ndarray  # (n, k)
    x_before: np.ndarray  # (n, D) g(z) before the move
    x_after: np.ndarray  # (n, D) g(z + alpha * vector)
    dense_before: float  # share of z_before in dense regions of the training codes
    dense_after: float  # share of z_after there
    called_before: float | None  # share of the decodings before the move the classifier calls the target
    called_after: float | None  # the same, after


def attribute_move(
    model: AutoencoderBase,
    codes: np.ndarray,
    vector: np.ndarray,
    alpha: float,
    density,
    classifier=None,
    target: int | None = None,
) -> AttributeMove:
    """Move ``codes`` ``(n, k)`` by ``alpha * vector``, decode before and after, and report how many
    moved codes stay where training codes are dense (``density.is_low_at``) and, with a
    ``classifier`` (``predict`` on decoded inputs) and a ``target`` class, the share of decodings it
    calls ``target`` before and after."""
    z0 = np.asarray(codes, dtype=np.float32)
    z1 = (z0 + float(alpha) * np.asarray(vector, dtype=np.float32)).astype(np.float32)
    x0, x1 = coding.decode_array(model, z0), coding.decode_array(model, z1)
    called = (None, None)
    if classifier is not None and target is not None:
        called = tuple(float(np.mean(classifier.predict(x) == target)) for x in (x0, x1))
    return AttributeMove(
        vector=np.asarray(vector, dtype=np.float32),
        alpha=float(alpha),
        z_before=z0,
        z_after=z1,
        x_before=x0,
        x_after=x1,
        dense_before=float(1 - np.mean(density.is_low_at(z0))),
        dense_after=float(1 - np.mean(density.is_low_at(z1))),
        called_before=called[0],
        called_after=called[1],
    )


@dataclass(frozen=True)
class PixelClassifier:
    """A multinomial logistic regression on raw inputs: ``predict`` names the class of each row.
    Plain arrays (no scikit-learn object), so that it is kept on disk like any prepared result."""

    coef: np.ndarray  # (C, D)
    intercept: np.ndarray  # (C,)
    classes: np.ndarray  # (C,) the labels the rows of coef stand for

    def predict(self, x) -> np.ndarray:
        """The class of each row of ``x`` ``(N, D)`` → ``(N,)``."""
        z = np.asarray(x, dtype=np.float32) @ self.coef.T + self.intercept  # (N, C)
        return self.classes[np.argmax(z, axis=1)]


#: The judge's settings: L2 strength (scikit-learn's C), iteration cap, and the gradient tolerance
#: (the largest |∂loss/∂w|) that counts as converged, as scikit-learn's lbfgs solver uses them.
CLASSIFIER_C, CLASSIFIER_MAX_ITER, CLASSIFIER_TOL = 0.5, 300, 1e-4


def pixel_classifier(
    x: np.ndarray, y: np.ndarray, n: int = 5000, seed: int = 0, on_progress: Progress | None = None
) -> PixelClassifier:
    """A logistic regression on raw inputs (pixels), trained on up to ``n`` of ``x`` ``(N, D)``,
    ``y`` ``(N,)`` (a seeded subset): the independent judge of what a decoded image looks like.
    Deterministic.

    The same model as scikit-learn's ``LogisticRegression(C=0.5)`` (multinomial loss, unpenalised
    intercept, L-BFGS to a gradient of 1e-4; its predictions agree on 99.7-99.8 % of MNIST and
    Fashion-MNIST test images), fitted here so that ``on_progress(fraction, text)`` can follow it:
    after every iteration, the fraction is how far the gradient has fallen on a log scale from its
    start to the tolerance (never lower than reported before), 1.0 when done. On one BLAS thread:
    on a loaded 2-core machine two threads spin-waited for each other (14 s against 0.9 s on MNIST)."""
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    if len(x) > n:
        keep = np.sort(np.random.default_rng(seed).choice(len(x), n, replace=False))
        x, y = x[keep], y[keep]
    classes = np.unique(y)
    rows, d = x.shape
    onehot = (y[:, None] == classes[None]).astype(np.float64)  # (n, C)
    lam = 1.0 / (CLASSIFIER_C * rows)  # scikit-learn's mean loss + ||W||² / (2 C n)
    grad_max = []  # the largest |gradient| at each evaluation

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        w = w.reshape(len(classes), d + 1)
        z = (x @ w[:, :d].T.astype(np.float32)).astype(np.float64) + w[:, d]  # (n, C)
        z -= z.max(1, keepdims=True)
        lse = np.log(np.exp(z).sum(1))
        r = (np.exp(z - lse[:, None]) - onehot) / rows  # ∂loss/∂z
        g = np.empty_like(w)
        g[:, :d] = (r.T.astype(np.float32) @ x).astype(np.float64) + lam * w[:, :d]
        g[:, d] = r.sum(0)
        grad_max.append(float(np.abs(g).max()))
        return float((lse - (z * onehot).sum(1)).mean() + 0.5 * lam * (w[:, :d] ** 2).sum()), g.ravel()

    what = f"logistic regression on {rows:,} images"
    done = [0.0, 0]  # the fraction reported so far, iterations

    def step(_) -> None:
        done[1] += 1
        if on_progress is None or not grad_max:
            return
        start, now = grad_max[0], grad_max[-1]
        span = np.log(max(start, CLASSIFIER_TOL * 1.0001) / CLASSIFIER_TOL)
        done[0] = max(done[0], float(np.clip(np.log(start / max(now, 1e-300)) / span, 0.0, 0.99)))
        on_progress(done[0], f"{what}, iteration {done[1]}")

    if on_progress:
        on_progress(0.0, what)
    with threadpool_limits(1):
        res = minimize(
            loss,
            np.zeros(len(classes) * (d + 1)),
            jac=True,
            method="L-BFGS-B",
            callback=step,
            options={
                "maxiter": CLASSIFIER_MAX_ITER,
                "maxls": 50,
                "gtol": CLASSIFIER_TOL,
                "ftol": 64 * np.finfo(float).eps,
            },
        )
    w = res.x.reshape(len(classes), d + 1)
    if on_progress:
        on_progress(1.0, f"{what}: done after {done[1]} iterations")
    return PixelClassifier(w[:, :d].astype(np.float32), w[:, d].astype(np.float32), classes)
