"""Procedural toy manifolds in R² and R³ with a known intrinsic dimension.

Each generator takes ``(n, noise, rng)`` and returns ``x`` ``(n, d)`` and the true intrinsic
coordinates ``t`` ``(n, m)``. Noise is isotropic Gaussian in data space, so points lie *near*,
never exactly on, the true manifold: the page's "x is not on M" starts here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def parabola(n, noise, rng):
    """y = x² + ε in R² (the seed example): a 1-D manifold."""
    s = rng.uniform(-1.0, 1.0, n)
    x = np.stack([s, s**2], 1) + noise * rng.standard_normal((n, 2))
    return x, s[:, None]


def circle(n, noise, rng):
    """The unit circle in R²: 1-D, but closed, so no 1-D chart covers it without a seam."""
    a = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([np.cos(a), np.sin(a)], 1) + noise * rng.standard_normal((n, 2))
    return x, a[:, None]


def spiral(n, noise, rng):
    """An Archimedean spiral in R², 1-D, scaled into roughly [-1, 1]²."""
    s = np.sqrt(rng.uniform(0.05, 1.0, n))  # sqrt: uniform density along the arc, roughly
    a = 3 * np.pi * s
    x = np.stack([s * np.cos(a), s * np.sin(a)], 1) + noise * rng.standard_normal((n, 2))
    return x, s[:, None]


def swiss_roll(n, noise, rng):
    """The swiss roll in R³: a rolled-up 2-D sheet."""
    s = 1.5 * np.pi * (1 + 2 * rng.uniform(0, 1, n))
    h = rng.uniform(-1, 1, n)
    x = np.stack([s * np.cos(s) / 10, h, s * np.sin(s) / 10], 1) + noise * rng.standard_normal((n, 3))
    return x, np.stack([s, h], 1)


def s_curve(n, noise, rng):
    """The S-curve in R³: a 2-D sheet bent into an S."""
    s = 3 * np.pi * (rng.uniform(0, 1, n) - 0.5)
    h = rng.uniform(-1, 1, n)
    x = np.stack([np.sin(s), h, np.sign(s) * (np.cos(s) - 1)], 1) + noise * rng.standard_normal((n, 3))
    return x, np.stack([s, h], 1)


def helix(n, noise, rng):
    """A helix in R³: a curve (intrinsic dimension 1) that needs all three axes."""
    s = rng.uniform(-1, 1, n)
    a = 2 * np.pi * s * 1.5
    x = np.stack([np.cos(a), np.sin(a), s], 1) + noise * rng.standard_normal((n, 3))
    return x, s[:, None]


def plane(n, noise, rng):
    """A tilted 2-D plane in R³: what a linear AE (and PCA) can fit exactly."""
    uv = rng.uniform(-1, 1, (n, 2))
    basis = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, -0.3]])
    x = uv @ basis + noise * rng.standard_normal((n, 3))
    return x, uv


def line(n, noise, rng):
    """A straight line in R²: the 1-D linear case, where a linear AE equals PCA-1."""
    s = rng.uniform(-1, 1, n)
    x = np.stack([s, 0.5 * s], 1) + noise * rng.standard_normal((n, 2))
    return x, s[:, None]


@dataclass(frozen=True)
class ToySpec:
    fn: Callable
    dim: int
    intrinsic_dim: int
    n: int
    noise: float
    description: str


TOYS: dict[str, ToySpec] = {
    "parabola": ToySpec(parabola, 2, 1, 1000, 0.05, "y = x² + ε in R²: a 1-D curve a linear AE cannot fit."),
    "circle": ToySpec(circle, 2, 1, 1000, 0.05, "Unit circle in R²: 1-D but closed."),
    "spiral": ToySpec(spiral, 2, 1, 1500, 0.02, "Archimedean spiral in R²: a long, curled 1-D curve."),
    "swiss-roll": ToySpec(swiss_roll, 3, 2, 2000, 0.03, "Swiss roll in R³: a rolled 2-D sheet."),
    "s-curve": ToySpec(s_curve, 3, 2, 2000, 0.03, "S-curve in R³: a bent 2-D sheet."),
    "helix": ToySpec(helix, 3, 1, 1500, 0.03, "Helix in R³: a 1-D curve in 3-D space."),
    "plane": ToySpec(plane, 3, 2, 1000, 0.02, "Tilted plane in R³: linear, so PCA and a linear AE fit it."),
    "line": ToySpec(line, 2, 1, 500, 0.02, "Straight line in R²: the 1-D linear case."),
}
