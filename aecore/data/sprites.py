"""Procedural sprites: a data set whose true generative factors are known (after dSprites).

Every image is one white shape on black, 32×32, drawn from five factors, and the set is the full
grid of their values, each combination once: shape (square, ellipse, heart) × scale (6) ×
orientation (10, over a full turn) × x position (16) × y position (16) = 46,080 images. Because the
grid is complete and balanced, the factors are independent by construction: the disentanglement
metrics (:mod:`aecore.analysis.disentangle`) can ask "fix one factor, vary the rest" of the data
themselves. Generated, seeded only in its split, in about a second; nothing is downloaded.

Drawn like dSprites (Matthey et al., 2017), smaller: dSprites is 64×64 with 40 orientations and
32 × 32 positions (737,280 images), too many to train on two cores in a lecture's preparation.
"""

from __future__ import annotations

import functools

import numpy as np

SIZE = 32  # pixels per side
SHAPES = ("square", "ellipse", "heart")
SCALES = np.linspace(0.5, 1.0, 6)  # of the largest sprite's radius, as dSprites
ORIENTATIONS = np.linspace(0.0, 2 * np.pi, 10, endpoint=False)  # radians
POSITIONS = np.arange(8, 24)  # the sprite's centre pixel, x and y alike: 16 values
RADIUS = 7.0  # pixels: the largest sprite fits a disc of this radius, so it never leaves the frame
SUPERSAMPLE = 4  # sub-pixels per pixel side: anti-aliased edges, so a small move changes the image smoothly

#: The factors, in the order of each row of :func:`factor_grid`, with how many values each takes.
FACTOR_NAMES = ("shape", "scale", "orientation", "x position", "y position")
FACTOR_SIZES = (len(SHAPES), len(SCALES), len(ORIENTATIONS), len(POSITIONS), len(POSITIONS))
N_TEST = 9216  # a fifth of the grid
SPLIT_SEED = 1234  # fixed: a checkpoint's test loss must be measured on the same images after reload


def _inside(shape: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Whether points (u, v) of the sprite's own frame (radius 1, y up) lie inside ``shape``."""
    if shape == "square":
        return np.maximum(abs(u), abs(v)) <= 0.7  # its corners touch the unit disc
    if shape == "ellipse":
        return (u / 1.0) ** 2 + (v / 0.5) ** 2 <= 1.0
    # The classic heart curve (x² + y² − 1)³ = x² y³ spans about [−1.14, 1.14] × [−1, 1.25]:
    # scaled by 0.8 and lowered so that it sits in the unit disc, its point down.
    x, y = u / 0.8, v / 0.8 + 0.15
    return (x * x + y * y - 1.0) ** 3 - x * x * y**3 <= 0.0


def _patch(shape: str, scale: float, angle: float) -> np.ndarray:
    """One sprite centred in a ``(2R+3, 2R+3)`` patch, grey levels in [0, 1] (the covered fraction of
    each pixel, from SUPERSAMPLE² samples)."""
    half = int(RADIUS) + 1
    n = 2 * half + 1
    s = SUPERSAMPLE
    # Sub-pixel centres, in pixels from the patch's centre pixel; rows grow downwards, so y = −row.
    c = (np.arange(n * s) + 0.5) / s - (half + 0.5)
    px, py = np.meshgrid(c, -c)  # (n·s, n·s)
    r = RADIUS * scale
    # Into the sprite's frame: undo the rotation, then the size.
    ca, sa = np.cos(angle), np.sin(angle)
    u = (ca * px + sa * py) / r
    v = (-sa * px + ca * py) / r
    inside = _inside(shape, u, v).astype(np.float32)
    return inside.reshape(n, s, n, s).mean(axis=(1, 3))  # (n, n)


def factor_grid() -> np.ndarray:
    """Every combination of factor indices, ``(46080, 5)`` int64, in C order (the last factor, y
    position, varies fastest): row i of :func:`render_all` shows the factors in row i here."""
    return np.stack(np.meshgrid(*[np.arange(n) for n in FACTOR_SIZES], indexing="ij"), -1).reshape(-1, 5)


@functools.lru_cache(maxsize=1)
def render_all() -> np.ndarray:
    """All 46,080 images, ``(46080, 1024)`` float32 in [0, 1], in :func:`factor_grid`'s order.

    Each (shape, scale, orientation) is drawn once as a patch, then copied to its 256 positions:
    positions are whole pixels, so the copies are exact. Read-only: callers share one array."""
    half = int(RADIUS) + 1
    out = np.zeros((*FACTOR_SIZES, SIZE, SIZE), np.float32)  # (3, 6, 10, 16, 16, 32, 32)
    for a, shape in enumerate(SHAPES):
        for b, scale in enumerate(SCALES):
            for c, angle in enumerate(ORIENTATIONS):
                p = _patch(shape, float(scale), float(angle))
                for i, cx in enumerate(POSITIONS):
                    for j, cy in enumerate(POSITIONS):
                        out[a, b, c, i, j, cy - half : cy + half + 1, cx - half : cx + half + 1] = p
    flat = out.reshape(-1, SIZE * SIZE)
    flat.flags.writeable = False
    return flat


def render(shape: int, scale: int, orientation: int, x: int, y: int) -> np.ndarray:
    """One sprite from its factor indices, ``(1024,)`` float32: row ``ravel_multi_index`` of
    :func:`render_all`, without drawing the other 46,079."""
    half = int(RADIUS) + 1
    out = np.zeros((SIZE, SIZE), np.float32)
    cx, cy = POSITIONS[x], POSITIONS[y]
    out[cy - half : cy + half + 1, cx - half : cx + half + 1] = _patch(
        SHAPES[shape], float(SCALES[scale]), float(ORIENTATIONS[orientation])
    )
    return out.reshape(-1)


def split_indices() -> tuple[np.ndarray, np.ndarray]:
    """``(train, test)`` row indices into the grid: a fixed permutation, the test part its first
    :data:`N_TEST` rows."""
    perm = np.random.default_rng(SPLIT_SEED).permutation(int(np.prod(FACTOR_SIZES)))
    return np.sort(perm[N_TEST:]), np.sort(perm[:N_TEST])
