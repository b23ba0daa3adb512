"""The representation picture: geometry of the learned manifold M = g(R^k) on toy data.

An autoencoder x̂ = g(f(x)) with a k-dimensional code draws a k-dimensional manifold M in data
space: every x̂ lies on M, whatever x was. On toy data (R² and R³) M can be drawn, by decoding a
dense latent line (k = 1) or grid (k = 2, 3) that reaches *beyond* the training codes. Where no
training code lies, M is an extrapolation the loss never looked at, so each latent point carries
the density of training codes there ("reliability"), which the figures turn into opacity.

This module holds M itself and what is measured against it: the latent grid and its reliability,
the decoded view (:class:`ManifoldView`), distances to M, M's dimension beside the data's (k is a
prior) and round trips x → g(f(x)) onto M. What builds on a view lives beside it, each concept in
its own module: training the toy models and their time-lapse (:mod:`aecore.analysis.toy`), PCA as a
model (:mod:`aecore.analysis.pca`) and the overfitting preset (:mod:`aecore.analysis.overfit`).

Everything here returns numpy arrays; the figures live in :mod:`latentlab.figures.manifold` and the
page only wires widgets to these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from aecore.analysis.coding import decode_array, encode_array, reconstruct_array
from aecore.analysis.density import relative_kde
from aecore.data.sets import Dataset
from aecore.models import AutoencoderBase

#: Default latent resolution per k: dense enough that "x̂ on M" holds within a few 1e-3.
GRID_N = {1: 801, 2: 61, 3: 15}
#: How far beyond the training codes' range the grid reaches, as a fraction of that range per side.
MARGIN = 0.35
#: Opacity of the least reliable part of M: faint but still visible, never a hard cut-off.
ALPHA_FLOOR = 0.06


# ---------------------------------------------------------------- latent grid and density


def latent_grid(
    codes: np.ndarray,
    n: int | None = None,
    margin: float = MARGIN,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[int, ...]]:
    """A dense regular grid over the codes' bounding box, widened by ``margin`` × range per side.

    Returns the grid points ``(G, k)`` (row-major, last latent axis fastest) and the grid shape
    ``(n,)*k``. ``lo``/``hi`` ``(k,)`` override the box (a time-lapse keeps one box for all frames).
    """
    codes = np.asarray(codes, dtype=np.float64)
    k = codes.shape[1]
    n = n or GRID_N.get(k, 9)
    if lo is None or hi is None:
        cmin, cmax = codes.min(0), codes.max(0)  # (k,)
        span = np.maximum(cmax - cmin, 1e-3)
        lo, hi = cmin - margin * span, cmax + margin * span
    axes = [np.linspace(lo[i], hi[i], n) for i in range(k)]
    mesh = np.meshgrid(*axes, indexing="ij")
    grid = np.stack([m.ravel() for m in mesh], 1)  # (n**k, k)
    return grid.astype(np.float32), (n,) * k


def reliability(density: np.ndarray, code_density_at_codes: np.ndarray, quantile: float = 0.25) -> np.ndarray:
    """Density → reliability in [0, 1]: 1 where codes are as dense as at a typical training code
    (the ``quantile`` of the codes' own densities), falling smoothly to 0 far from every code."""
    ref = max(float(np.quantile(code_density_at_codes, quantile)), 1e-12)
    return np.clip(density / ref, 0.0, 1.0)


def fade_alpha(rel: np.ndarray, floor: float = ALPHA_FLOOR) -> np.ndarray:
    """Opacity for a reliability in [0, 1]: solid where reliable, fading to ``floor`` (never 0)."""
    return floor + (1.0 - floor) * np.sqrt(np.clip(rel, 0.0, 1.0))


# ---------------------------------------------------------------- the picture


@dataclass
class ManifoldView:
    """Everything the data-space and latent panels draw, for one model on one data set.

    ``m`` holds the vertices of M = g(grid) ``(G, D)``; reshape with :meth:`m_grid` to
    ``grid_shape + (D,)``. ``x``/``z``/``xhat`` are a sample of training points, their codes and
    reconstructions. ``codes`` are *all* training codes (the density's support).
    """

    dataset: str
    k: int
    dim: int
    intrinsic_dim: int | None
    grid_z: np.ndarray  # (G, k)
    grid_shape: tuple[int, ...]
    m: np.ndarray  # (G, D)
    density: np.ndarray  # (G,)
    reliability: np.ndarray  # (G,) in [0, 1]
    x: np.ndarray  # (S, D)
    z: np.ndarray  # (S, k)
    xhat: np.ndarray  # (S, D)
    t: np.ndarray | None  # (S,) true first intrinsic coordinate, for colouring
    codes: np.ndarray  # (N, k) all training codes
    code_lo: np.ndarray  # (k,) range of the training codes
    code_hi: np.ndarray  # (k,)
    test_mse: float
    x_dist_to_m: float  # mean distance of the sample x to M
    xhat_dist_to_m: float  # mean distance of x̂ to M (≈ 0: x̂ is on M)
    resolution: float  # largest gap between neighbouring vertices of M
    meta: dict = field(default_factory=dict)

    def m_grid(self) -> np.ndarray:
        return self.m.reshape(*self.grid_shape, self.dim)

    @property
    def alpha(self) -> np.ndarray:
        return fade_alpha(self.reliability)


def grid_resolution(m: np.ndarray, grid_shape: tuple[int, ...]) -> float:
    """The largest distance between vertices of M that are neighbours on the latent grid."""
    g = m.reshape(*grid_shape, m.shape[-1])
    gaps = [np.linalg.norm(np.diff(g, axis=a), axis=-1).max() for a in range(len(grid_shape))]
    return float(max(gaps))


def _point_segment_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 512) -> np.ndarray:
    """Distance from each point ``(P, D)`` to the nearest of the segments ``a[j]→b[j]`` ``(S, D)``."""
    ab = b - a  # (S, D)
    ab2 = np.maximum((ab**2).sum(1), 1e-18)  # (S,)
    out = np.empty(len(p))
    for i in range(0, len(p), chunk):
        pb = p[i : i + chunk]  # (B, D)
        t = np.clip(((pb[:, None] - a[None]) * ab[None]).sum(-1) / ab2[None], 0, 1)  # (B, S)
        proj = a[None] + t[..., None] * ab[None]  # (B, S, D)
        out[i : i + chunk] = np.sqrt(((pb[:, None] - proj) ** 2).sum(-1)).min(1)
    return out


def distance_to_manifold(points: np.ndarray, m: np.ndarray, grid_shape: tuple[int, ...]) -> np.ndarray:
    """Distance from each point ``(P, D)`` to the decoded M ``(G, D)``.

    For a curve (k = 1) the distance to the polyline through the vertices; otherwise to the
    nearest vertex, so the answer is exact up to the grid resolution.
    """
    points = np.asarray(points, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    if len(grid_shape) == 1:
        return _point_segment_dist(points, m[:-1], m[1:])
    out = np.empty(len(points))
    mm = (m**2).sum(1)
    for i in range(0, len(points), 1024):
        pb = points[i : i + 1024]
        d2 = (pb**2).sum(1)[:, None] + mm[None] - 2 * pb @ m.T
        out[i : i + 1024] = np.sqrt(np.maximum(d2.min(1), 0))
    return out


def mse(model: AutoencoderBase, x: torch.Tensor) -> float:
    """Mean squared reconstruction error per coordinate."""
    return float(((reconstruct_array(model, x) - x.numpy()) ** 2).mean())


def manifold_view(
    model: AutoencoderBase,
    ds: Dataset,
    n_grid: int | None = None,
    margin: float = MARGIN,
    sample: int = 300,
    seed: int = 0,
    x_train: torch.Tensor | None = None,
    x_test: torch.Tensor | None = None,
    box: tuple[np.ndarray, np.ndarray] | None = None,
) -> ManifoldView:
    """Decode a latent grid reaching beyond the training codes into M, and measure everything
    the page shows: density of codes on the grid, a sample of x → x̂, distances to M.

    ``x_train``/``x_test`` override the data set's splits (the overfitting preset trains on a
    handful of points); ``box`` = (lo, hi) fixes the latent box (time-lapse frames).
    """
    x_tr = ds.x_train if x_train is None else x_train
    x_te = ds.x_test if x_test is None else x_test
    codes = encode_array(model, x_tr)  # (N, k)
    k = codes.shape[1]
    lo, hi = box if box is not None else (None, None)
    grid, shape = latent_grid(codes, n_grid, margin, lo, hi)
    m = decode_array(model, grid)  # (G, D)
    dens = relative_kde(codes, grid)
    rel = reliability(dens, relative_kde(codes, codes))
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(x_tr), size=min(sample, len(x_tr)), replace=False))
    xs = x_tr[idx].numpy()
    zs = codes[idx]
    xh = decode_array(model, zs)
    t = None
    if x_train is None and ds.t_train is not None:
        t = ds.t_train[idx, 0].numpy()
    return ManifoldView(
        dataset=ds.name,
        k=k,
        dim=ds.input_dim,
        intrinsic_dim=ds.intrinsic_dim,
        grid_z=grid,
        grid_shape=shape,
        m=m,
        density=dens,
        reliability=rel,
        x=xs,
        z=zs,
        xhat=xh,
        t=t,
        codes=codes,
        code_lo=codes.min(0),
        code_hi=codes.max(0),
        test_mse=mse(model, x_te),
        x_dist_to_m=float(distance_to_manifold(xs, m, shape).mean()),
        xhat_dist_to_m=float(distance_to_manifold(xh, m, shape).mean()),
        resolution=grid_resolution(m, shape),
    )


# ---------------------------------------------------------------- k is a prior


def compare_latent_dims(models: dict[int, AutoencoderBase], ds: Dataset) -> list[dict]:
    """One row per k: the data's true intrinsic dimension, M's dimension (always k) and test MSE."""
    rows = []
    for k, model in sorted(models.items()):
        rows.append(
            {
                "k (latent dim)": k,
                "dimension of M": k,
                "true intrinsic dim": ds.intrinsic_dim,
                "test MSE": mse(model, ds.x_test),
            }
        )
    return rows


# ---------------------------------------------------------------- off-manifold probe


@dataclass
class RoundTrips:
    """Repeated round trips x → g(f(x)) from one point: the first lands on M, the rest slide along it."""

    points: np.ndarray  # (T+1, D): x, g(f(x)), g(f(g(f(x)))), …
    codes: np.ndarray  # (T, k): f of each point but the last
    dist_to_m: np.ndarray  # (T+1,) distance of each point to the decoded M

    @property
    def converged_step(self) -> int:
        """First step after which the points move by less than 1e-3 (or the last step)."""
        mv = np.linalg.norm(np.diff(self.points, axis=0), axis=1)
        small = np.flatnonzero(mv < 1e-3)
        return int(small[0]) + 1 if len(small) else len(mv)


def round_trips(model: AutoencoderBase, x0, view: ManifoldView, steps: int = 8) -> RoundTrips:
    """Iterate x → g(f(x)) from an arbitrary point ``x0`` ``(D,)``.

    The first step jumps onto M (everything the decoder outputs is on M); later steps slide along
    M towards a fixed point of g∘f. Distances to M use ``view``'s decoded grid.
    """
    x = np.asarray(x0, dtype=np.float32).reshape(1, -1)
    pts, codes = [x[0]], []
    for _ in range(steps):
        z = encode_array(model, torch.from_numpy(x))  # (1, k)
        x = decode_array(model, z)  # (1, D)
        codes.append(z[0])
        pts.append(x[0])
    pts_a = np.asarray(pts)
    return RoundTrips(
        points=pts_a, codes=np.asarray(codes), dist_to_m=distance_to_manifold(pts_a, view.m, view.grid_shape)
    )


__all__ = [
    "GRID_N",
    "ManifoldView",
    "RoundTrips",
    "compare_latent_dims",
    "distance_to_manifold",
    "fade_alpha",
    "grid_resolution",
    "latent_grid",
    "manifold_view",
    "mse",
    "round_trips",
    "reliability",
]
