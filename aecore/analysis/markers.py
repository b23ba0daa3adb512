"""The drag page's markers: where they start, what follows them (code, density, neighbours) and the
density profile between two of them. The plane itself is a :class:`aecore.analysis.projection.Projection`
(identity for k = 2, PCA for k > 2, a strip for k = 1); the browser applies the same linear map
(``Projection.linear_map``) before its decoder, so Python and JS agree on what a marker means.

The density is :class:`aecore.analysis.density.KernelDensity` (a binned Gaussian KDE) fitted on the
codes' plane positions, as on the latent map, so both pages agree on what "dense" means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aecore.analysis.coding import interpolate, nearest_indices
from aecore.analysis.density import KernelDensity
from aecore.analysis.projection import Projection


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


def plane_positions(proj: Projection, codes: np.ndarray) -> np.ndarray:
    """Every code's position on the pad ``(N, 2)``. A 1-D latent (``proj.method == "pad"``) is drawn
    as a strip: its vertical spread is only there so points do not overlap."""
    p = np.asarray(proj.transform(codes), np.float64)  # (N, 2)
    if proj.method == "pad":
        span = float(np.ptp(p[:, 0])) or 1.0
        # Golden-ratio offsets, not an RNG: a seeded RNG can replay the very stream that generated
        # a toy data set (seed 0 as well), which would tie the spread to z and draw a false curve.
        p[:, 1] = (np.modf(np.arange(len(p)) * 0.6180339887498949)[0] - 0.5) * 0.16 * span
    return p


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
    markers, view: Projection, codes: np.ndarray, density: KernelDensity, n_neighbours: int = 5, line_n: int = 21
) -> Follow:
    """The readouts for marker plane positions ``markers`` ``(m, 2)``: the density comes from the
    plane (``density`` is fitted on the codes' plane positions), the neighbours from the full codes
    ``(N, k)``. Cheap (~1 ms for 10,000 codes): it runs ~10 times a second while a marker is dragged."""
    p = np.asarray(markers, np.float64).reshape(-1, 2)  # (m, 2)
    z = view.inverse(p)  # (m, k)
    q = p.copy()
    if view.method == "pad":
        q[:, 1] = 0.0  # k = 1: the vertical spread is cosmetic; read the density on the strip's centre
    pct = density.percentile(density(q))  # (m,)
    out = [MarkerFollow(z[i], float(pct[i]), nearest_indices(codes, z[i], n_neighbours)) for i in range(len(p))]
    line = density.percentile(density(interpolate(q[0], q[1], line_n))) if len(p) == 2 else None
    return Follow(out, None if line is None else np.asarray(line, np.float64))
