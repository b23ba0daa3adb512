"""Geometry behind the drag-to-decode page: the 2-D view of a latent space, density shading,
and the data the in-browser latent pad needs.

A *view* maps codes ``z`` ``(N, k)`` to plane positions ``p = (z - mean) @ basis.T`` ``(N, 2)``
and back with ``z = mean + p @ basis``: the identity for k = 2, PCA for k > 2 (so a dragged point
decodes through the PCA inverse map) and ``(z, 0)`` for k = 1. The browser does the same inverse
map in JavaScript before its MLP forward pass, so Python and JS agree on what a marker means.

The density shading is :class:`aecore.density.KernelDensity` (a binned Gaussian
KDE), so both pages agree on what "dense" means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .density import KernelDensity
from .figures import PALETTE
from .views import nearest_indices


@dataclass(frozen=True)
class LatentView:
    """A linear 2-D view of a k-D latent space. ``basis`` ``(2, k)`` has orthonormal non-zero rows."""

    mean: np.ndarray  # (k,)
    basis: np.ndarray  # (2, k)
    kind: str  # "identity", "pca" or "line"
    axis_titles: tuple[str, str]
    explained: tuple[float, float] | None = None  # PCA: variance share of each axis

    @property
    def k(self) -> int:
        return int(self.mean.shape[0])

    def to_view(self, z) -> np.ndarray:
        """Codes ``(N, k)`` → plane positions ``(N, 2)``."""
        return (np.atleast_2d(np.asarray(z, np.float64)) - self.mean) @ self.basis.T

    def to_latent(self, p) -> np.ndarray:
        """Plane positions ``(N, 2)`` → codes ``(N, k)``: the inverse map a dragged marker decodes through."""
        return self.mean + np.atleast_2d(np.asarray(p, np.float64)) @ self.basis

    def as_dict(self) -> dict:
        return {
            "mean": self.mean.tolist(),
            "basis": self.basis.tolist(),
            "kind": self.kind,
            "axis_titles": list(self.axis_titles),
        }


def make_view(codes: np.ndarray) -> LatentView:
    """The view the page uses for these codes ``(N, k)``: exact axes for k ≤ 2, PCA for k > 2."""
    codes = np.asarray(codes, np.float64)
    k = codes.shape[1]
    if k == 2:
        return LatentView(np.zeros(2), np.eye(2), "identity", ("z₁", "z₂"))
    if k == 1:
        return LatentView(np.zeros(1), np.array([[1.0], [0.0]]), "line", ("z₁", "(spread for visibility)"))
    mean = codes.mean(0)
    _, s, vt = np.linalg.svd(codes - mean, full_matrices=False)
    var = s**2 / max(1e-12, float((s**2).sum()))
    # Fix each component's sign (largest |entry| positive) so the view is deterministic.
    basis = vt[:2] * np.sign(vt[:2][np.arange(2), np.abs(vt[:2]).argmax(1)])[:, None]
    return LatentView(mean, basis, "pca", ("PC 1", "PC 2"), (float(var[0]), float(var[1])))


def view_bounds(points: np.ndarray, pad: float = 0.12) -> tuple[float, float, float, float]:
    """A square window ``(xmin, xmax, ymin, ymax)`` around the bulk of ``points`` ``(N, 2)``, so one
    latent unit has the same length on both axes (distances in the picture are honest)."""
    lo = np.percentile(points, 0.5, axis=0)
    hi = np.percentile(points, 99.5, axis=0)
    c = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * (1 + 2 * pad), 1e-3)
    return (float(c[0] - half), float(c[0] + half), float(c[1] - half), float(c[1] + half))


def interpolate(a, b, n: int) -> np.ndarray:
    """``n`` evenly spaced points from ``a`` to ``b`` (both ends included), ``(n, len(a))``."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) * np.asarray(a, np.float64)[None] + t * np.asarray(b, np.float64)[None]


def default_markers(points: np.ndarray, labels: np.ndarray) -> list[list[float]]:
    """Two starting markers: the medians of the two most populous classes (a clear morph between)."""
    classes, counts = np.unique(labels, return_counts=True)
    top = classes[np.argsort(-counts, kind="stable")[:2]]
    if len(top) < 2:
        c = np.median(points, 0)
        spread = points.std(0)
        return [[float(c[0] - spread[0]), float(c[1])], [float(c[0] + spread[0]), float(c[1])]]
    top = sorted(top)
    return [np.median(points[labels == c], 0).round(4).tolist() for c in top]


def data_projection(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For point-cloud data ``(N, D)``: ``(mean (D,), basis (2, D))`` of a 2-D picture of data space
    (identity for D = 2, the top two principal axes otherwise), used to draw decoded points."""
    x = np.asarray(x, np.float64)
    if x.shape[1] == 2:
        return np.zeros(2), np.eye(2)
    mean = x.mean(0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    return mean, vt[:2]


def pad_data(
    codes: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    view: LatentView,
    max_points: int = 6000,
    grid_n: int = 64,
    seed: int = 0,
) -> tuple[dict, np.ndarray, KernelDensity]:
    """Everything the latent pad draws that depends on the model and data only (not on the markers):
    scatter (subsampled to ``max_points``), colours, window, density shading as 0–255 values.

    Returns ``(data, plane_points (N, 2), density)``: the JSON-ready dict, every code's position in
    the plane, and the code density fitted in the plane (for the page's density readouts)."""
    p = view.to_view(codes)  # (N, 2)
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    if view.kind == "line":
        # A 1-D latent drawn as a strip: the vertical spread is only there so points do not overlap.
        span = float(np.ptp(p[:, 0])) or 1.0
        p = p.copy()
        # Golden-ratio offsets, not an RNG: a seeded RNG can replay the very stream that generated
        # a toy data set (seed 0 as well), which would tie the spread to z and draw a false curve.
        p[:, 1] = (np.modf(np.arange(len(p)) * 0.6180339887498949)[0] - 0.5) * 0.16 * span
    bounds = view_bounds(p)
    density = KernelDensity(p)
    _, _, grid = density.grid(bounds[:2], bounds[2:], grid_n)  # (n, n), row 0 = ymin
    grid = grid / max(float(grid.max()), 1e-300)
    idx = rng.permutation(len(p))[:max_points] if len(p) > max_points else np.arange(len(p))
    data = {
        "points": np.round(p[idx], 4).ravel().tolist(),
        "labels": labels[idx].astype(int).tolist(),
        "class_names": [str(c) for c in class_names],
        "palette": PALETTE,
        "bounds": list(bounds),
        "density": (grid * 255).round().astype(np.uint8).ravel().tolist(),
        "density_n": grid_n,
        "view": view.as_dict(),
    }
    return data, p, density


def profile_bar(values, cell: int = 28, height: int = 26) -> np.ndarray:
    """A density profile ``values`` (0–100, e.g. percentiles along A → B) as a uint8 RGB bar
    ``(height, len·cell, 3)``: white = empty latent space, dark blue = where the data lives.
    An image, not a chart: it re-renders in microseconds while a marker is dragged."""
    v = np.clip(np.asarray(values, np.float64) / 100.0, 0, 1)  # (n,)
    blue = np.array([0, 114, 178], np.float64)  # palette blue #0072B2
    rgb = 255 + (blue - 255) * v[:, None]  # (n, 3)
    bar = np.repeat(rgb[None], height, 0)  # (h, n, 3)
    bar = np.repeat(bar, cell, 1)  # (h, n*cell, 3)
    bar[:, ::cell] = 255  # thin gutters between steps
    return bar.round().astype(np.uint8)


@dataclass(frozen=True)
class MarkerFollow:
    """What the page shows under one marker: its code, how dense the codes are there, its neighbours."""

    z: np.ndarray  # (k,) the code the marker decodes (through the view's inverse map)
    percentile: float  # 0–100: denser than this share of the test codes
    neighbours: np.ndarray  # (n,) indices of the nearest test codes, nearest first


@dataclass(frozen=True)
class Follow:
    """Everything that follows the markers: one :class:`MarkerFollow` each, and for two markers the
    density percentiles along the straight line A → B (``None`` for one marker)."""

    markers: list[MarkerFollow]
    line: np.ndarray | None  # (line_n,) percentiles from A to B


def follow(
    markers, view: LatentView, codes: np.ndarray, density: KernelDensity, n_neighbours: int = 5, line_n: int = 21
) -> Follow:
    """The readouts for marker plane positions ``markers`` ``(m, 2)``: the density comes from the
    plane (``density`` is fitted on the codes' plane positions), the neighbours from the full codes
    ``(N, k)``. Cheap (~1 ms for 10,000 codes): it runs ~10 times a second while a marker is dragged."""
    p = np.asarray(markers, np.float64).reshape(-1, 2)  # (m, 2)
    z = view.to_latent(p)  # (m, k)
    q = p.copy()
    if view.kind == "line":
        q[:, 1] = 0.0  # k = 1: the vertical spread is cosmetic; read the density on the strip's centre
    pct = density.percentile(density(q))  # (m,)
    out = [MarkerFollow(z[i], float(pct[i]), nearest_indices(codes, z[i], n_neighbours)) for i in range(len(p))]
    line = density.percentile(density(interpolate(q[0], q[1], line_n))) if len(p) == 2 else None
    return Follow(out, None if line is None else np.asarray(line, np.float64))
