"""Sampling demo: why decoding ε ~ N(0, I) works for a VAE and not for a vanilla AE.

The same seeded draws are decoded by both models. Each model's *own* encoded test codes define
where its latent space is populated; a draw counts as "low density" when a kernel density
estimate of those codes is lower there than at (almost) every real code. A VAE's KL term pulls
its codes towards the prior, so its draws land in populated regions; an AE's codes have no
a-priori shape, so N(0, I) draws (and even a Gaussian fitted to the codes, or a uniform box
around them) miss.

Also here: the VAE's posterior statistics, the aggregate-posterior ellipses against the prior,
KL per latent dimension (via :func:`aecore.models.kl_per_dim`) and posterior-collapse detection.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .models import AutoencoderBase, kl_per_dim
from .views import decode_array

#: Samplers for the vanilla AE's latent space, with the labels the page shows.
SAMPLERS = {
    "prior": "ε ~ N(0, I) (the VAE's prior)",
    "gaussian-fit": "Gaussian fitted to the codes",
    "uniform-box": "Uniform in the codes' bounding box",
}


def draw_eps(n: int, k: int, seed: int = 0) -> np.ndarray:
    """``n`` seeded draws ε ~ N(0, I_k), ``(n, k)`` float32: the same seed gives the same draws."""
    return np.random.default_rng(int(seed)).standard_normal((n, k)).astype(np.float32)


def sample_latent(sampler: str, codes: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """``n`` latent points ``(n, k)`` from one of :data:`SAMPLERS`.

    ``"prior"`` ignores ``codes``; ``"gaussian-fit"`` uses their mean and covariance (ε mapped
    through a Cholesky factor, so it shares the prior's seed); ``"uniform-box"`` their min/max.
    """
    codes = np.asarray(codes, dtype=np.float64)
    k = codes.shape[1]
    eps = draw_eps(n, k, seed).astype(np.float64)
    if sampler == "prior":
        out = eps
    elif sampler == "gaussian-fit":
        mean = codes.mean(0)
        cov = np.cov(codes, rowvar=False).reshape(k, k) + 1e-9 * np.eye(k)
        out = mean + eps @ np.linalg.cholesky(cov).T
    elif sampler == "uniform-box":
        lo, hi = codes.min(0), codes.max(0)
        out = lo + np.random.default_rng(int(seed)).uniform(size=(n, k)) * (hi - lo)
    else:
        raise KeyError(f"unknown sampler {sampler!r}; choose one of {list(SAMPLERS)}")
    return out.astype(np.float32)


# ---------------------------------------------------------------- density of the codes

class CodeDensity:
    """A Gaussian kernel density estimate of a model's codes ``(N, k)``.

    The codes are whitened first (their covariance → I) and Scott's bandwidth is used, so the
    estimate does not depend on the arbitrary scale of an AE's latent space. ``max_codes``
    subsamples (seeded) to keep a page responsive on 10,000 MNIST codes.
    """

    def __init__(self, codes: np.ndarray, max_codes: int = 4000, seed: int = 0):
        codes = np.asarray(codes, dtype=np.float64)
        if len(codes) > max_codes:
            codes = codes[np.random.default_rng(seed).choice(len(codes), max_codes, replace=False)]
        self.codes = codes
        n, k = codes.shape
        self.mean = codes.mean(0)
        cov = np.cov(codes, rowvar=False).reshape(k, k) + 1e-9 * np.eye(k)
        self.white = np.linalg.inv(np.linalg.cholesky(cov))  # x ↦ L⁻¹(x − m) has identity covariance
        self.bw = n ** (-1.0 / (k + 4))  # Scott's rule in whitened units
        self._w = (codes - self.mean) @ self.white.T  # (N, k)
        # Density in whitened units; constant factors cancel in every comparison below.
        self._norm = 1.0 / (n * (np.sqrt(2 * np.pi) * self.bw) ** k)

    def __call__(self, points: np.ndarray, chunk: int = 2048) -> np.ndarray:
        """Density ``(M,)`` at ``points`` ``(M, k)`` (in whitened units: only ratios matter)."""
        p = (np.asarray(points, dtype=np.float64) - self.mean) @ self.white.T
        out = np.empty(len(p))
        for i in range(0, len(p), chunk):
            d2 = ((p[i:i + chunk, None, :] - self._w[None]) ** 2).sum(-1)  # (m, N)
            out[i:i + chunk] = np.exp(-0.5 * d2 / self.bw**2).sum(1) * self._norm
        return out

    def threshold(self, quantile: float = 0.02) -> float:
        """The density below which only ``quantile`` of the real codes fall: "low density" means
        emptier than 98% of the places where the model actually puts data."""
        return float(np.quantile(self(self.codes), quantile))


@dataclass
class DrawReport:
    """Draws ``(n, k)``, their decoded images ``(n, D)`` and which landed in low density ``(n,)``."""

    z: np.ndarray
    decoded: np.ndarray
    density: np.ndarray
    low: np.ndarray  # bool
    threshold: float

    @property
    def low_fraction(self) -> float:
        return float(self.low.mean()) if len(self.low) else 0.0


def assess_draws(model: AutoencoderBase, codes: np.ndarray, z: np.ndarray, quantile: float = 0.02,
                 density: CodeDensity | None = None) -> DrawReport:
    """Decode latent draws ``z`` with ``model`` and mark those in low-density regions of ``codes``."""
    dens = density or CodeDensity(codes)
    thr = dens.threshold(quantile)
    d = dens(z)
    return DrawReport(np.asarray(z), decode_array(model, z), d, d < thr, thr)


# ---------------------------------------------------------------- VAE posterior

@torch.no_grad()
def posterior_stats(vae: AutoencoderBase, x: torch.Tensor, batch_size: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """``(μ, log σ²)``, each ``(N, k)``, of q(z|x) for every row of ``x``. Needs a VAE."""
    if not hasattr(vae, "encode_stats"):
        raise TypeError("posterior_stats needs a VAE (a model with encode_stats)")
    vae.eval()
    mus, lvs = [], []
    for i in range(0, len(x), batch_size):
        mu, lv = vae.encode_stats(x[i:i + batch_size].float())
        mus.append(mu)
        lvs.append(lv)
    return torch.cat(mus).numpy(), torch.cat(lvs).numpy()


def kl_per_dimension(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Mean over the data of KL(q(z_j|x) ‖ N(0, 1)) for each latent dimension j ``(k,)``, in nats."""
    kl = kl_per_dim(torch.as_tensor(np.asarray(mu, np.float64)), torch.as_tensor(np.asarray(logvar, np.float64)))
    return kl.mean(0).numpy()


def collapsed_dims(kl: np.ndarray, threshold: float = 0.05) -> list[int]:
    """Dimensions whose mean KL is below ``threshold`` nats: the encoder ignores x there
    (q(z_j|x) ≈ the prior for every x), i.e. posterior collapse."""
    return [int(j) for j in np.flatnonzero(np.asarray(kl) < threshold)]


def ellipse_paths(mu: np.ndarray, logvar: np.ndarray, n_sigma: float = 1.0, points: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Outline of each posterior's ``n_sigma`` ellipse in the first two dimensions, concatenated
    with NaN separators (one plotly trace draws them all): x ``(N·(points+2),)``, y likewise."""
    t = np.linspace(0, 2 * np.pi, points + 1)
    sd = np.exp(0.5 * np.asarray(logvar)[:, :2]) * n_sigma  # (N, 2)
    xs = mu[:, :1] + sd[:, :1] * np.cos(t)[None]  # (N, points+1)
    ys = mu[:, 1:2] + sd[:, 1:2] * np.sin(t)[None]
    nan = np.full((len(mu), 1), np.nan)
    return np.hstack([xs, nan]).ravel(), np.hstack([ys, nan]).ravel()


def aggregate_posterior_moments(mu: np.ndarray, logvar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(k,)`` and covariance ``(k, k)`` of the aggregate posterior q(z) = (1/N) Σ q(z|xᵢ)
    (a mixture: cov = Cov(μ) + mean(diag σ²)). Equal to (0, I) when it matches the prior."""
    mu = np.asarray(mu, np.float64)
    var = np.exp(np.asarray(logvar, np.float64))
    cov = np.cov(mu, rowvar=False, bias=True).reshape(mu.shape[1], mu.shape[1]) + np.diag(var.mean(0))
    return mu.mean(0), cov


def coverage(codes: np.ndarray, z: np.ndarray, k: int = 3, max_codes: int = 4000, seed: int = 0) -> float:
    """Fraction of the real codes that the draws ``z`` ``(n, k)`` reach ("recall" in the sense of
    Kynkäänniemi et al. 2019): a code is covered when it lies within the distance from some draw
    to that draw's ``k``-th nearest fellow draw.

    Low density (above) says whether draws land where data lives; coverage says whether they
    reach *all* of it. Draws bunched in one corner of the code cloud score high on the first and
    low on the second.
    """
    codes = np.asarray(codes, dtype=np.float64)
    z = np.asarray(z, dtype=np.float64)
    if len(codes) > max_codes:
        codes = codes[np.random.default_rng(seed).choice(len(codes), max_codes, replace=False)]
    if len(z) <= k:
        return 0.0
    dz = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))  # (n, n)
    radius = np.sort(dz, axis=1)[:, k]  # column 0 is the draw itself
    dc = np.sqrt(((codes[:, None] - z[None]) ** 2).sum(-1))  # (N, n)
    return float((dc <= radius[None]).any(1).mean())
