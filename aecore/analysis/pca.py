"""PCA as a *model*: PCA-k fitted to the data, the baseline an autoencoder with a k-D code is held against.

A linear AE spans the same subspace as PCA-k (:func:`linear_vs_pca`: principal angles between the
two, the change of basis from its codes to PCA's scores); a deep AE bends its M and reconstructs
real images better than PCA-k can (:func:`deep_vs_pca`). Not a display projection (that is
:mod:`aecore.analysis.projection`): :func:`pca_fit` is also the exact PCA behind
:mod:`aecore.analysis.compare`'s baseline and the shipped PCA checkpoints. Drawn over a manifold
view (:mod:`aecore.analysis.manifold`) by :mod:`latentlab.figures.pca`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aecore.analysis.coding import decode_array, encode_array, reconstruct_array
from aecore.analysis.manifold import MARGIN, latent_grid, mse
from aecore.data.sets import Dataset
from aecore.models import AutoencoderBase

# ---------------------------------------------------------------- linear AE vs PCA


@dataclass
class PCA:
    mean: np.ndarray  # (D,)
    basis: np.ndarray  # (D, k) orthonormal columns, by decreasing variance
    variance: np.ndarray  # (k,)

    def scores(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mean) @ self.basis  # (N, k)

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        return self.mean + self.scores(x) @ self.basis.T


def pca_fit(x: np.ndarray, k: int) -> PCA:
    """PCA of the centred data ``(N, D)``: by SVD, or for many more rows than columns (60,000
    MNIST images of 784 pixels) by the eigenvectors of the D × D scatter matrix, ~10× faster."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(0)
    xc = x - mean
    if len(x) > 8 * x.shape[1]:
        evals, evecs = np.linalg.eigh(xc.T @ xc)  # ascending
        order = np.argsort(evals)[::-1][:k]
        return PCA(mean=mean, basis=evecs[:, order], variance=np.maximum(evals[order], 0) / max(1, len(x) - 1))
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    return PCA(mean=mean, basis=vt[:k].T, variance=s[:k] ** 2 / max(1, len(x) - 1))


def principal_angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Principal angles in degrees between the column spaces of ``a`` ``(D, k)`` and ``b`` ``(D, l)``,
    smallest first. All zero ⇔ the same subspace."""
    qa, _ = np.linalg.qr(np.asarray(a, dtype=np.float64))
    qb, _ = np.linalg.qr(np.asarray(b, dtype=np.float64))
    s = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.degrees(np.arccos(np.clip(s, -1.0, 1.0)))


def decoder_basis(model: AutoencoderBase) -> tuple[np.ndarray, np.ndarray]:
    """A linear decoder's affine subspace: directions ``(D, k)`` (columns of W) and offset ``(D,)``.

    Read off by decoding the origin and the unit vectors, so it works for any decoder that is
    affine, without reaching into its layers."""
    k = model.latent_dim
    pts = decode_array(model, np.vstack([np.zeros(k), np.eye(k)]))  # (k+1, D)
    return (pts[1:] - pts[0]).T.astype(np.float64), pts[0].astype(np.float64)


@dataclass
class LinearVsPCA:
    angles_deg: np.ndarray  # (k,) principal angles between AE's M and the PCA subspace
    change_of_basis: np.ndarray  # (k, k) B: PCA scores ≈ z @ B + c
    offset: np.ndarray  # (k,) c
    residual: float  # relative RMS residual of that least-squares fit (≈ 0: same subspace)
    ae_mse: float
    pca_mse: float
    pca: PCA
    ae_dirs: np.ndarray  # (D, k)
    ae_offset: np.ndarray  # (D,)

    @property
    def max_angle(self) -> float:
        return float(self.angles_deg.max())


def linear_vs_pca(model: AutoencoderBase, ds: Dataset) -> LinearVsPCA:
    """Compare a (linear) AE with PCA of the same dimension on the training data.

    The principal angles compare the *subspaces* (the AE's M vs the PCA plane/line). The
    change of basis B is the least-squares fit of PCA scores s from the AE codes z plus a
    constant, s ≈ z B + c; its relative residual ‖s − ŝ‖/‖s − s̄‖ is ≈ 0 when the codes are the
    PCA coordinates in another basis.
    """
    x = ds.x_train.numpy().astype(np.float64)
    k = model.latent_dim
    pca = pca_fit(x, k)
    dirs, off = decoder_basis(model)
    ang = principal_angles(dirs, pca.basis)
    z = encode_array(model, ds.x_train).astype(np.float64)  # (N, k)
    s = pca.scores(x)  # (N, k)
    za = np.hstack([z, np.ones((len(z), 1))])
    coef, *_ = np.linalg.lstsq(za, s, rcond=None)  # (k+1, k)
    resid = np.linalg.norm(s - za @ coef) / max(np.linalg.norm(s - s.mean(0)), 1e-12)
    xt = ds.x_test.numpy().astype(np.float64)
    return LinearVsPCA(
        angles_deg=ang,
        change_of_basis=coef[:k],
        offset=coef[k],
        residual=float(resid),
        ae_mse=mse(model, ds.x_test),
        pca_mse=float(((pca.reconstruct(xt) - xt) ** 2).mean()),
        pca=pca,
        ae_dirs=dirs,
        ae_offset=off,
    )


@dataclass
class DeepVsPCA:
    """A nonlinear AE with a k-D code against PCA-k on the same test images."""

    k: int
    x: np.ndarray  # (n, D) the test images shown
    pca_recon: np.ndarray  # (n, D)
    ae_recon: np.ndarray  # (n, D)
    pca_err: np.ndarray  # (n,) squared error of each shown image, summed over pixels
    ae_err: np.ndarray  # (n,)
    pca_mean_err: float  # mean squared error per image over the whole test split
    ae_mean_err: float


def deep_vs_pca(
    model: AutoencoderBase,
    ds: Dataset,
    n_show: int = 10,
    seed: int = 0,
    on_progress: Callable[[float, str], None] | None = None,
) -> DeepVsPCA:
    """Reconstructions of ``n_show`` seeded test images by ``model`` and by PCA with as many
    components as the model's code (fitted on the training split), with squared error per image
    (the unit of Hinton & Salakhutdinov, 2006: 3.00 for their 30-D deep AE, 13.87 for PCA-30).
    ``on_progress(fraction, text)`` hears each of the three steps (PCA's fit is most of the wait)."""
    say = on_progress or (lambda f, t: None)
    k = model.latent_dim
    say(0.0, f"fitting PCA-{k} to {len(ds.x_train):,} training images")
    pca = pca_fit(ds.x_train.numpy(), k)
    xt = ds.x_test.numpy().astype(np.float64)
    say(0.6, f"PCA-{k} reconstructs {len(xt):,} test images")
    pca_rec = pca.reconstruct(xt)  # (N, D)
    say(0.8, f"the deep AE reconstructs {len(xt):,} test images")
    ae_rec = reconstruct_array(model, ds.x_test)  # (N, D)
    say(1.0, "done")
    pca_all = ((pca_rec - xt) ** 2).sum(1)  # (N,) PCA's own error: unclipped, as the paper's
    ae_all = ((ae_rec.astype(np.float64) - xt) ** 2).sum(1)  # (N,)
    idx = np.sort(np.random.default_rng(seed).choice(len(xt), size=min(n_show, len(xt)), replace=False))
    return DeepVsPCA(
        k=k,
        x=xt[idx],
        pca_recon=np.clip(pca_rec[idx], 0, 1),
        ae_recon=ae_rec[idx],
        pca_err=pca_all[idx],
        ae_err=ae_all[idx],
        pca_mean_err=float(pca_all.mean()),
        ae_mean_err=float(ae_all.mean()),
    )


def pca_segment(pca: PCA, x: np.ndarray, margin: float = MARGIN, n: int = 41) -> tuple[np.ndarray, tuple[int, ...]]:
    """Points of the PCA line/plane ``(G, D)`` over the data's score range (widened by ``margin``)."""
    s = pca.scores(x)
    grid, shape = latent_grid(s, n, margin)
    return pca.mean + grid.astype(np.float64) @ pca.basis.T, shape


__all__ = [
    "DeepVsPCA",
    "LinearVsPCA",
    "PCA",
    "decoder_basis",
    "deep_vs_pca",
    "linear_vs_pca",
    "pca_fit",
    "pca_segment",
    "principal_angles",
]
