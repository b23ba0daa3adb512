"""The latent explorer's computations: code density ("where is g reliable?"), decoded probes,
manifold grids and interpolation strips. No Streamlit here: the page only wires widgets to these.

The central idea the page teaches: the decoder g was only ever trained on codes of real data, so
g(z) is trustworthy where training codes are dense and an extrapolation elsewhere; :mod:`aecore.analysis.density`
turns "dense" into a number and a threshold that tests can check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aecore.analysis import coding
from aecore.analysis.density import KernelDensity, NearestCodeDensity
from aecore.models import AutoencoderBase

# ---------------------------------------------------------------- the manifold grid's rectangle


def default_rectangle(codes2d: np.ndarray, q: float = 0.02) -> tuple[tuple[float, float], tuple[float, float]]:
    """The manifold grid's default rectangle: where the central ``1 - 2q`` of the codes lie."""
    lo = np.quantile(codes2d, q, axis=0)
    hi = np.quantile(codes2d, 1 - q, axis=0)
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


# ---------------------------------------------------------------- decoding one z


@dataclass
class Probe:
    """One decoded latent point and how trustworthy it is."""

    z: np.ndarray  # (k,)
    image: np.ndarray  # (D,) the decoded x̂ = g(z)
    density: float  # code density at z
    percentile: float  # percent of training codes in sparser places
    low_density: bool  # True: "extrapolating: few training codes near here"
    neighbours: np.ndarray  # (n,) row indices of the nearest training codes, nearest first
    distances: np.ndarray  # (n,) their Euclidean distances to z


def probe(
    model: AutoencoderBase,
    z,
    density: KernelDensity | NearestCodeDensity,
    train_codes: np.ndarray,
    n_neighbours: int = 5,
) -> Probe:
    """Decode ``z`` ``(k,)`` and measure its code density and nearest training codes."""
    z = np.asarray(z, dtype=np.float32).reshape(-1)  # (k,)
    image = coding.decode_array(model, z)[0]  # (D,)
    d = float(density(z)[0])
    nn = coding.nearest_indices(train_codes, z, n_neighbours)
    dist = np.sqrt(((train_codes[nn] - z[None]) ** 2).sum(1))
    return Probe(
        z=z,
        image=image,
        density=d,
        percentile=float(density.percentile(d)),
        low_density=bool(density.is_low(d)),
        neighbours=nn,
        distances=dist,
    )


def reconstruction(model: AutoencoderBase, x: np.ndarray) -> tuple[np.ndarray, float]:
    """x̂ = g(f(x)) of one flat example ``(D,)`` and its mean squared error."""
    import torch

    xt = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(1, -1)
    xhat = coding.reconstruct_array(model, xt)[0]
    return xhat, float(((np.asarray(x, dtype=np.float32) - xhat) ** 2).mean())


# ---------------------------------------------------------------- one input of the user's


@dataclass
class OwnInput:
    """Where the user's own input x lands, and how well the model knows it."""

    x: np.ndarray  # (D,) the input, in the data set's format
    xhat: np.ndarray  # (D,) x̂ = g(f(x)) (a VAE decodes its posterior mean)
    error: float  # MSE(x, x̂)
    error_percentile: float  # percent of the test set's inputs reconstructed better
    probe: Probe  # at z = f(x): density there, the nearest training codes
    logvar: np.ndarray | None  # (k,) a VAE's log σ² of q(z|x) around probe.z; None for an AE


def own_input(
    model: AutoencoderBase,
    x,
    density: KernelDensity | NearestCodeDensity,
    train_codes: np.ndarray,
    test_errors: np.ndarray,
    n_neighbours: int = 5,
) -> OwnInput:
    """Encode the user's input ``x`` ``(D,)``, reconstruct it, and place its error among the test
    set's ``test_errors`` ``(N,)`` (:func:`aecore.analysis.anomaly.recon_scores`): a high percentile
    says "this does not look like the training data", the anomaly idea."""
    import torch

    x = np.asarray(x, dtype=np.float32).reshape(-1)  # (D,)
    xt = torch.as_tensor(x)[None]
    logvar = None
    if hasattr(model, "encode_stats"):  # a VAE: z is the posterior mean, and q(z|x) has a spread
        from aecore.analysis.sampling import posterior_stats

        with torch.no_grad():
            mu, lv = posterior_stats(model, xt)
        z, logvar = mu[0], lv[0]
    else:
        z = coding.encode_array(model, xt)[0]
    pr = probe(model, z, density, train_codes, n_neighbours)
    err = float(((x - pr.image) ** 2).mean())
    return OwnInput(
        x=x,
        xhat=pr.image,
        error=err,
        error_percentile=float(100.0 * np.mean(np.asarray(test_errors) < err)),
        probe=pr,
        logvar=logvar,
    )


# ---------------------------------------------------------------- latent traversals


@dataclass
class Traversal:
    """One row per latent dimension: the decoding of a code with that one coordinate swept."""

    images: np.ndarray  # (R, S, D): row r, step s
    dims: list[int]  # (R,) the latent dimension of each row, in the order shown
    offsets: np.ndarray  # (S,) the sweep, in standard deviations of the codes along that dimension
    change: np.ndarray  # (R,) mean |pixel change| from one step to the next along the row
    kl: np.ndarray | None  # (R,) a VAE's mean KL of each row's dimension (nats), else None
    collapsed: list[bool]  # (R,) the dimension is collapsed (KL ≈ 0: the encoder ignores x there)


def latent_traversal(
    model: AutoencoderBase,
    z0,
    codes: np.ndarray | None,
    steps: int = 9,
    span: float = 3.0,
    kl: np.ndarray | None = None,
    stats: tuple[np.ndarray, np.ndarray] | None = None,
) -> Traversal:
    """Decode ``z0`` ``(k,)`` with each coordinate j in turn set to mean_j + t·std_j of ``codes``
    ``(N, k)`` (or of ``stats`` = (mean, std), each ``(k,)``, when the codes are not at hand), t over
    ±``span`` in ``steps`` steps (the other coordinates stay z0's). With ``kl``
    ``(k,)`` (a VAE's :func:`aecore.analysis.sampling.kl_per_dimension`) rows go by decreasing KL and
    collapsed dimensions are marked: sweeping one changes nothing, since the decoder learned to
    ignore it."""
    from aecore.analysis.sampling import collapsed_dims

    z0 = np.asarray(z0, np.float32).reshape(-1)  # (k,)
    k = len(z0)
    t = np.linspace(-span, span, steps)  # (S,)
    if stats is None:
        codes = np.asarray(codes, np.float32)
        stats = codes.mean(0), codes.std(0)
    mean, std = np.asarray(stats[0], np.float32), np.asarray(stats[1], np.float32) + 1e-12  # (k,)
    dims = list(np.argsort(-np.asarray(kl), kind="stable")) if kl is not None else list(range(k))
    z = np.repeat(z0[None, None], k, 0).repeat(steps, 1)  # (k, S, k)
    for j in range(k):
        z[j, :, j] = mean[j] + t * std[j]
    images = coding.decode_array(model, z.reshape(-1, k)).reshape(k, steps, -1)[dims]  # (R, S, D)
    change = np.abs(np.diff(images, axis=1)).mean(axis=(1, 2))  # (R,)
    dead = set(collapsed_dims(kl)) if kl is not None else set()
    return Traversal(
        images=images,
        dims=[int(j) for j in dims],
        offsets=t,
        change=change,
        kl=None if kl is None else np.asarray(kl)[dims],
        collapsed=[int(j) in dead for j in dims],
    )


# ---------------------------------------------------------------- manifold grid

SPACINGS = ("linear", "gaussian")


def grid_axis(lo: float, hi: float, n: int, spacing: str = "linear") -> np.ndarray:
    """``n`` positions from ``lo`` to ``hi``. ``"gaussian"`` spaces them at equal steps of the
    standard normal CDF (Keras' VAE-example ``norm.ppf(linspace(0.05, 0.95, n))``): dense near 0
    where a VAE's prior puts its mass, sparse in the tails."""
    if n < 1:
        raise ValueError("a grid needs at least one point per side")
    if not hi > lo:
        raise ValueError(f"the rectangle is empty: {lo} ≥ {hi}")
    if spacing == "linear":
        return np.linspace(lo, hi, n)
    if spacing == "gaussian":
        # Imported here, not with the module: scipy.stats inspects sys.modules["torch"] while it
        # imports, and the server's warm-up thread (latentlab.ui.loaders.warm_up_in_background) imported this
        # module while a page's script thread was half-way through importing torch: AttributeError
        # "partially initialized module 'torch' has no attribute 'Tensor'". Here torch is loaded.
        from scipy.stats import norm

        p = np.linspace(norm.cdf(lo), norm.cdf(hi), n)
        return norm.ppf(np.clip(p, 1e-9, 1 - 1e-9))
    raise ValueError(f"spacing must be one of {SPACINGS}, not {spacing!r}")


def grid_points(x_range, y_range, n: int, spacing: str = "linear") -> np.ndarray:
    """Points ``(n*n, 2)`` of an ``n × n`` grid, row-major as the picture reads: the first row is the
    top (largest y), each row runs left to right (increasing x)."""
    xs = grid_axis(x_range[0], x_range[1], n, spacing)
    ys = grid_axis(y_range[0], y_range[1], n, spacing)[::-1]
    gx, gy = np.meshgrid(xs, ys)
    return np.c_[gx.ravel(), gy.ravel()].astype(np.float32)


def decode_grid(
    model: AutoencoderBase, points2d: np.ndarray, lift: Callable[[np.ndarray], np.ndarray] | None = None
) -> np.ndarray:
    """Decode grid points ``(M, 2)``; ``lift`` maps them to z ``(M, k)`` first (a projection's inverse
    for k > 2). Returns ``(M, D)``."""
    z = np.asarray(points2d, dtype=np.float32) if lift is None else np.asarray(lift(points2d), dtype=np.float32)
    return coding.decode_array(model, z)


def manifold_grid(
    model: AutoencoderBase, x_range, y_range, n: int = 15, spacing: str = "linear", lift=None
) -> tuple[np.ndarray, np.ndarray]:
    """The Keras-style decoded manifold: ``(points (n*n, 2), images (n*n, D))`` row-major, top row first."""
    pts = grid_points(x_range, y_range, n, spacing)
    return pts, decode_grid(model, pts, lift)


# ---------------------------------------------------------------- interpolation


@dataclass
class Interpolation:
    """A straight path from z_a to z_b, decoded, with the code density along it."""

    t: np.ndarray  # (steps,) from 0 to 1
    z: np.ndarray  # (steps, k)
    images: np.ndarray  # (steps, D)
    density: np.ndarray  # (steps,)
    low: np.ndarray  # (steps,) bool: frames where g extrapolates


MIN_STEPS, MAX_STEPS = 2, 64


def interpolation_strip(
    model: AutoencoderBase, z_a, z_b, steps: int, density: KernelDensity | NearestCodeDensity
) -> Interpolation:
    """Decode the straight path z_a → z_b in ``steps`` frames and measure the density at each."""
    if not MIN_STEPS <= int(steps) <= MAX_STEPS:
        raise ValueError(f"steps must be between {MIN_STEPS} and {MAX_STEPS}, got {steps}")
    z = coding.interpolate(z_a, z_b, int(steps))  # (steps, k)
    d = density(z)
    return Interpolation(
        t=np.linspace(0, 1, len(z)),
        z=z,
        images=coding.decode_array(model, z),
        density=d,
        low=np.asarray(density.is_low(d), dtype=bool),
    )


def first_of_classes(labels: np.ndarray, a: int = 0, b: int = 1) -> tuple[int, int]:
    """Default interpolation end points: the first example of class ``a`` and of class ``b``
    (falls back to rows 0 and 1 when a class is missing)."""
    labels = np.asarray(labels)
    ia = np.flatnonzero(labels == a)
    ib = np.flatnonzero(labels == b)
    return (int(ia[0]) if len(ia) else 0), (int(ib[0]) if len(ib) else min(1, len(labels) - 1))


def slider_ranges(codes: np.ndarray, pad: float = 0.25) -> np.ndarray:
    """Per-dimension slider limits ``(k, 2)``: the codes' range widened by ``pad`` on each side,
    so a student can push z a little beyond the data and watch g extrapolate."""
    lo, hi = codes.min(0), codes.max(0)
    span = np.maximum(hi - lo, 1e-3)
    return np.c_[lo - pad * span, hi + pad * span].astype(np.float64)
