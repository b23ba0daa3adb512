"""Denoising demo: corrupt clean images, ask a vanilla AE and a denoising AE to clean them up.

Everything the Denoising page shows comes from here: the four image rows (clean x, corrupted x̃,
g(f(x̃)) of the vanilla AE, g(f(x̃)) of the DAE), PSNR and SSIM per image and on average, the
PSNR-against-noise-level curves, and the toy "denoising is projection onto M" picture.

SSIM: scikit-image is not a dependency, so :func:`ssim` is a small own implementation of
Wang et al. (2004) with a Gaussian window (σ = 1.5), as in skimage's ``gaussian_weights=True``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from aecore.analysis.coding import decode_array, encode_array, reconstruct_array
from aecore.data.corrupt import corrupt
from aecore.models import AutoencoderBase

NOISE_KINDS = ("gaussian", "salt-and-pepper", "masking")


# ---------------------------------------------------------------- quality metrics


def psnr(x, xhat, data_range: float = 1.0) -> np.ndarray:
    """Peak signal-to-noise ratio per row ``(B,)`` in dB: 10·log10(range² / MSE).

    Higher is better; a perfect reconstruction is capped at 100 dB (MSE floored at 1e-10).
    """
    x = np.asarray(x, dtype=np.float64)
    xhat = np.asarray(xhat, dtype=np.float64)
    mse = ((x - xhat) ** 2).reshape(len(x), -1).mean(1)  # (B,)
    return 10.0 * np.log10(data_range**2 / np.maximum(mse, 1e-10))


def _gauss_kernel(sigma: float, radius: int) -> torch.Tensor:
    t = torch.arange(-radius, radius + 1, dtype=torch.float64)
    g = torch.exp(-0.5 * (t / sigma) ** 2)
    g = g / g.sum()
    return g[:, None] * g[None, :]  # (w, w)


def ssim(x, xhat, image_shape: tuple[int, ...], data_range: float = 1.0, sigma: float = 1.5) -> np.ndarray:
    """Structural similarity per image ``(B,)`` in [-1, 1] (1 = identical).

    Wang et al. 2004 with a Gaussian window of std ``sigma``; the window radius is 3σ but at most
    (H-1)//2 so the 8×8 digits still get a proper local window; borders are reflect-padded.
    Colour images are scored per channel and averaged.
    """
    c, h, w = image_shape
    a = torch.as_tensor(np.asarray(x, dtype=np.float64)).reshape(-1, c, h, w)
    b = torch.as_tensor(np.asarray(xhat, dtype=np.float64)).reshape(-1, c, h, w)
    radius = int(max(1, min(round(3 * sigma), (min(h, w) - 1) // 2)))
    k = _gauss_kernel(sigma, radius)[None, None].repeat(c, 1, 1, 1)  # (c, 1, w, w)

    def filt(t):  # local Gaussian-weighted mean, same size as the input
        return F.conv2d(F.pad(t, (radius,) * 4, mode="reflect"), k, groups=c)

    mu_a, mu_b = filt(a), filt(b)
    var_a = filt(a * a) - mu_a**2
    var_b = filt(b * b) - mu_b**2
    cov = filt(a * b) - mu_a * mu_b
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return s.reshape(len(s), -1).mean(1).numpy()


# ---------------------------------------------------------------- picking and comparing


def pick_examples(labels, n: int = 8, cls: int | None = None, seed: int = 0) -> np.ndarray:
    """``n`` seeded random row indices, optionally only of class ``cls`` (fewer if the class is small)."""
    labels = np.asarray(labels)
    pool = np.arange(len(labels)) if cls is None else np.flatnonzero(labels == cls)
    if len(pool) == 0:
        raise ValueError(f"no examples of class {cls}")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(pool, size=min(n, len(pool)), replace=False))


def corrupt_seeded(x: torch.Tensor, kind: str, level: float, seed: int = 0, clip: bool = True) -> torch.Tensor:
    """``aecore.data.corrupt.corrupt`` with its own seeded generator: the same slider value always
    gives the same noisy images (a lecturer can come back to a picture)."""
    g = torch.Generator().manual_seed(int(seed))
    return corrupt(x.float(), kind, float(level), generator=g, clip=clip)


@dataclass
class DenoiseResult:
    """Rows of flat images ``(B, D)`` and their scores against the clean images ``(B,)``."""

    clean: np.ndarray
    noisy: np.ndarray
    ae_out: np.ndarray
    dae_out: np.ndarray
    psnr_noisy: np.ndarray
    psnr_ae: np.ndarray
    psnr_dae: np.ndarray
    ssim_noisy: np.ndarray | None = None
    ssim_ae: np.ndarray | None = None
    ssim_dae: np.ndarray | None = None

    def means(self) -> dict[str, float]:
        """Mean PSNR (and SSIM) of each row: what the page's headline metrics show."""
        out = {
            "psnr_noisy": float(self.psnr_noisy.mean()),
            "psnr_ae": float(self.psnr_ae.mean()),
            "psnr_dae": float(self.psnr_dae.mean()),
        }
        if self.ssim_ae is not None:
            out.update(
                ssim_noisy=float(self.ssim_noisy.mean()),
                ssim_ae=float(self.ssim_ae.mean()),
                ssim_dae=float(self.ssim_dae.mean()),
            )
        return out


def denoise_compare(
    ae: AutoencoderBase,
    dae: AutoencoderBase,
    x: torch.Tensor,
    kind: str,
    level: float,
    seed: int = 0,
    image_shape: tuple[int, ...] | None = None,
) -> DenoiseResult:
    """Corrupt ``x`` ``(B, D)`` once (seeded) and feed the *same* x̃ to both models.

    With ``image_shape`` SSIM is computed too.
    """
    x = x.float()
    noisy = corrupt_seeded(x, kind, level, seed)  # (B, D)
    ae_out = reconstruct_array(ae, noisy)  # (B, D)
    dae_out = reconstruct_array(dae, noisy)
    xc, xn = x.numpy(), noisy.numpy()
    res = DenoiseResult(xc, xn, ae_out, dae_out, psnr(xc, xn), psnr(xc, ae_out), psnr(xc, dae_out))
    if image_shape is not None:
        res.ssim_noisy = ssim(xc, xn, image_shape)
        res.ssim_ae = ssim(xc, ae_out, image_shape)
        res.ssim_dae = ssim(xc, dae_out, image_shape)
    return res


@dataclass
class PsnrCurve:
    """Mean PSNR ``(L,)`` of each row at each noise level ``(L,)``."""

    kind: str
    levels: np.ndarray
    noisy: np.ndarray
    ae: np.ndarray
    dae: np.ndarray

    @property
    def dae_advantage(self) -> np.ndarray:
        """DAE minus AE mean PSNR at each level, in dB (> 0: the DAE cleans better)."""
        return self.dae - self.ae


def default_levels(kind: str, n: int = 9) -> np.ndarray:
    """A sensible range for each noise: σ up to 1 for Gaussian, up to 60% of pixels otherwise."""
    top = 1.0 if kind == "gaussian" else 0.6
    return np.linspace(0.0, top, n)


def psnr_curve(
    ae: AutoencoderBase, dae: AutoencoderBase, x: torch.Tensor, kind: str, levels=None, seed: int = 0
) -> PsnrCurve:
    """Mean output PSNR of both models (and of the noisy input) against the noise level.

    Each level uses the same seed, so the curves are smooth and repeatable.
    """
    levels = default_levels(kind) if levels is None else np.asarray(levels, dtype=float)
    x = x.float()
    xc = x.numpy()
    rows = {"noisy": [], "ae": [], "dae": []}
    for lv in levels:
        xn = corrupt_seeded(x, kind, float(lv), seed)
        rows["noisy"].append(psnr(xc, xn.numpy()).mean())
        rows["ae"].append(psnr(xc, reconstruct_array(ae, xn)).mean())
        rows["dae"].append(psnr(xc, reconstruct_array(dae, xn)).mean())
    return PsnrCurve(kind, levels, *(np.asarray(rows[k]) for k in ("noisy", "ae", "dae")))


# ---------------------------------------------------------------- toy: denoising as projection


@dataclass
class ToyDenoising:
    """Toy data ``(N, d)``: clean points, noisy points, where g∘f moves them, and the curve M."""

    clean: np.ndarray
    noisy: np.ndarray
    projected: np.ndarray
    manifold: np.ndarray  # (M, d): g(z) over the codes' range, in order (a polyline for k = 1)
    dist_before: float  # mean distance of the noisy points to the clean ones
    dist_after: float  # mean distance of g(f(x̃)) to the clean ones


def manifold_curve(model: AutoencoderBase, codes: np.ndarray, n: int = 400, pad: float = 0.05) -> np.ndarray:
    """M = g(z) for z on a fine grid over the codes' range ``(n, d)`` (1-D codes: a polyline)."""
    if model.latent_dim != 1:
        raise ValueError("manifold_curve draws 1-D manifolds: use a model with k = 1")
    lo, hi = float(codes.min()), float(codes.max())
    span = hi - lo or 1.0
    z = np.linspace(lo - pad * span, hi + pad * span, n, dtype=np.float32)[:, None]
    return decode_array(model, z)


def toy_projection(
    model: AutoencoderBase,
    x: torch.Tensor,
    level: float,
    n: int = 150,
    seed: int = 0,
    x_ref: torch.Tensor | None = None,
) -> ToyDenoising:
    """Add Gaussian noise of std ``level`` to ``n`` toy points and move them with g∘f.

    ``x_ref`` (default ``x``) gives the code range that M is drawn over.
    """
    x = x.float()
    idx = pick_examples(np.zeros(len(x)), n, seed=seed)
    clean = x[idx]  # (n, d)
    noisy = corrupt_seeded(clean, "gaussian", level, seed, clip=False)  # points are not bounded
    proj = reconstruct_array(model, noisy)
    codes = encode_array(model, (x if x_ref is None else x_ref).float())
    man = manifold_curve(model, codes)
    c = clean.numpy()
    return ToyDenoising(
        c,
        noisy.numpy(),
        proj,
        man,
        float(np.linalg.norm(noisy.numpy() - c, axis=1).mean()),
        float(np.linalg.norm(proj - c, axis=1).mean()),
    )
