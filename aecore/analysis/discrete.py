"""Discrete codes: what a VQ-VAE's codebook (:class:`aecore.models.vq.VQVAE`) is used for.

An image is a grid of code indices. Over a data set, how often each code is picked (its usage) and
the **perplexity** exp(H) of that histogram (H the entropy in nats): the number of codes a uniform
choice would need to be as uncertain, K when every code is used equally, 1 when one code does all
the work (codebook collapse, the failure VQ training fights with its dead-code restarts). And each
code's **average patch**: the mean of the input pixels under the cells that picked it, a picture of
what the code stands for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

#: Pixels of context around a cell's own patch in :func:`code_patches`.
PATCH_MARGIN = 2


@torch.no_grad()
def code_indices(model, x, batch: int = 1000) -> np.ndarray:
    """Each row of ``x`` ``(N, D)`` as its grid of code indices ``(N, h, w)`` (int64)."""
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    model.eval()
    return torch.cat([model.code_indices(x[i : i + batch]) for i in range(0, len(x), batch)]).numpy()


@torch.no_grad()
def decode_indices(model, idx: np.ndarray) -> np.ndarray:
    """Pixels ``(N, D)`` of code grids ``idx`` ``(N, h, w)``."""
    model.eval()
    return model.decode_indices(torch.as_tensor(np.asarray(idx, dtype=np.int64))).numpy()


def perplexity(counts: np.ndarray) -> float:
    """exp(entropy) of a usage histogram ``(K,)``: K for uniform use, 1 for one code."""
    p = np.asarray(counts, dtype=np.float64)
    p = p / max(p.sum(), 1e-12)
    nz = p[p > 0]
    return float(np.exp(-(nz * np.log(nz)).sum()))


@dataclass
class CodebookUse:
    """How a VQ-VAE's codebook is used on a data set."""

    counts: np.ndarray  # (K,) cells that picked each code
    perplexity: float  # exp(entropy) of ``counts``
    patches: np.ndarray  # (K, ph, pw) mean input patch under each code (zeros for an unused code)

    @property
    def size(self) -> int:
        return len(self.counts)

    @property
    def used(self) -> int:
        return int((self.counts > 0).sum())


def code_patches(x: np.ndarray, idx: np.ndarray, image_shape, k: int, margin: int = PATCH_MARGIN) -> np.ndarray:
    """The mean input patch under each code ``(K, ph, pw)``: a cell (i, j) of an h×w grid over an
    H×W image covers pixels ``[i·H/h, (i+1)·H/h)`` (rows, and likewise columns), widened by ``margin``
    on each side (zeros beyond the edge). ``x`` ``(N, D)``, ``idx`` ``(N, h, w)``; one channel."""
    n, gh, gw = idx.shape
    _, hh, ww = image_shape
    sh, sw = hh // gh, ww // gw
    img = np.pad(np.asarray(x, np.float64).reshape(n, hh, ww), ((0, 0), (margin, margin), (margin, margin)))
    ph, pw = sh + 2 * margin, sw + 2 * margin
    sums = np.zeros((k, ph, pw))
    counts = np.zeros(k)
    for i in range(gh):
        for j in range(gw):
            patch = img[:, i * sh : i * sh + ph, j * sw : j * sw + pw]  # (N, ph, pw)
            np.add.at(sums, idx[:, i, j], patch)
            counts += np.bincount(idx[:, i, j], minlength=k)
    return (sums / np.maximum(counts, 1)[:, None, None]).astype(np.float32)


def codebook_use(model, x) -> CodebookUse:
    """Usage, perplexity and average patches of ``model``'s codebook over ``x`` ``(N, D)``."""
    idx = code_indices(model, x)  # (N, h, w)
    k = model.config.codebook_size
    counts = np.bincount(idx.ravel(), minlength=k)
    return CodebookUse(counts, perplexity(counts), code_patches(np.asarray(x), idx, model.config.image_shape, k))
