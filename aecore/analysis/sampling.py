"""Sampling demo: why decoding ε ~ N(0, I) works for a VAE and not for a vanilla AE.

The same seeded draws are decoded by both models. Each model's *own* encoded test codes define
where its latent space is populated (for a VAE, samples of its aggregate posterior q(z)); a draw
counts as "low density" when it is farther from its nearest codes than (almost) every real code
is from its own (:class:`aecore.analysis.density.NearestCodeDensity`, which works in any latent
size). A VAE's KL term pulls q(z) towards the prior, so its draws land in populated regions; an
AE's codes have no a-priori shape, so N(0, I) draws (and even a Gaussian fitted to the codes, or a
uniform box around them) miss.

How much they miss depends on k. With k = 2 an AE's codes may happen to crowd around the origin
(nothing asks them to, nothing forbids it), and N(0, I) then lands on them. With a realistic k
(16) its codes fill a thin, anisotropic region, and N(0, I) draws miss it almost always.

Also here: the VAE's posterior statistics, the aggregate-posterior ellipses against the prior,
KL per latent dimension (via :func:`aecore.models.kl_per_dim`) and posterior-collapse detection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aecore.analysis.coding import decode_array, encode_array
from aecore.analysis.density import NearestCodeDensity
from aecore.models import AutoencoderBase, kl_per_dim
from aecore.models.priors import draw_eps  # the seeded ε every sampler and prior shares

#: Samplers for the vanilla AE's latent space, with the labels the page shows.
SAMPLERS = {
    "prior": "ε ~ N(0, I) (the VAE's prior)",
    "gaussian-fit": "Gaussian fitted to the codes",
    "uniform-box": "Uniform in the codes' bounding box",
}

#: Priors learned from the AE's own codes (:mod:`aecore.models.priors`), sampled like :data:`SAMPLERS`
#: from the same seed's ε: the second stage of latent diffusion, on top of the autoencoder.
LEARNED_PRIORS = {
    "mixture": "a mixture prior learned from the codes",
    "flow": "a flow prior learned from the codes (latent diffusion)",
}
#: Every way the page can draw the AE's z, with its label.
AE_SAMPLERS = {**SAMPLERS, **LEARNED_PRIORS}

#: Draws per model on the Sampling page (an 8 × 8 grid) and in tour step 7, so that the two give one
#: number for one setting (the first n rows of a seed's draws are the same for any n).
N_DRAWS = 64

#: A latent dimension whose mean KL is below this many nats has collapsed (:func:`collapsed_dims`).
COLLAPSE_NATS = 0.05


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


def posterior_sample(mu: np.ndarray, logvar: np.ndarray, seed: int = 0) -> np.ndarray:
    """One seeded draw z ~ q(z|x) = N(μ, σ²) per row ``(N, k)``: a sample of the aggregate posterior."""
    mu = np.asarray(mu, dtype=np.float64)
    eps = np.random.default_rng(int(seed)).standard_normal(mu.shape)
    return (mu + np.exp(0.5 * np.asarray(logvar, dtype=np.float64)) * eps).astype(np.float32)


def reference_codes(model: AutoencoderBase, x: torch.Tensor, seed: int = 0) -> np.ndarray:
    """The codes ``(N, k)`` that say where ``model``'s latent space is populated: f(x) for an AE;
    for a VAE one z ~ q(z|x) per row, i.e. a sample of its aggregate posterior q(z).

    A VAE's decoder was trained on such samples, not on the posterior means. The difference matters
    when dimensions are inactive (KL ≈ 0): there every mean is ≈ 0 while q(z|x) ≈ N(0, 1), so
    measured against the means any draw would look far off, and against q(z) it does not.
    """
    if hasattr(model, "encode_stats"):
        return posterior_sample(*posterior_stats(model, x), seed=seed)
    return encode_array(model, x)


@dataclass
class DrawReport:
    """Draws ``(n, k)``, their decoded images ``(n, D)``, each draw's distance to its m-th nearest
    code ``(n,)`` (see :class:`aecore.analysis.density.NearestCodeDensity`), which landed in low
    density ``(n,)``, the threshold, and each draw's density rank among the codes ``(n,)``
    (:meth:`aecore.analysis.density.NearestCodeDensity.rank`)."""

    z: np.ndarray
    decoded: np.ndarray
    distance: np.ndarray
    low: np.ndarray  # bool
    threshold: float
    rank: np.ndarray | None = None

    @property
    def low_fraction(self) -> float:
        return float(self.low.mean()) if len(self.low) else 0.0

    @property
    def median_rank(self) -> float:
        """The typical draw is denser than this fraction of the codes (½ for draws spread like them)."""
        return float(np.median(self.rank)) if self.rank is not None and len(self.rank) else float("nan")


def assess_draws(
    model: AutoencoderBase,
    codes: np.ndarray,
    z: np.ndarray,
    quantile: float = 0.02,
    density: NearestCodeDensity | None = None,
) -> DrawReport:
    """Decode latent draws ``z`` with ``model`` and mark those in low-density regions of ``codes``
    (for a VAE pass :func:`reference_codes`, a sample of q(z), rather than the posterior means)."""
    dens = density or NearestCodeDensity(codes)
    thr = dens.distance_threshold(quantile)
    d = dens.distance(z)
    return DrawReport(np.asarray(z), decode_array(model, z), d, d > thr, thr, dens.rank_of(d))


# ---------------------------------------------------------------- VAE posterior


@torch.no_grad()
def posterior_stats(vae: AutoencoderBase, x: torch.Tensor, batch_size: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """``(μ, log σ²)``, each ``(N, k)``, of q(z|x) for every row of ``x``. Needs a VAE."""
    if not hasattr(vae, "encode_stats"):
        raise TypeError("posterior_stats needs a VAE (a model with encode_stats)")
    vae.eval()
    mus, lvs = [], []
    for i in range(0, len(x), batch_size):
        mu, lv = vae.encode_stats(x[i : i + batch_size].float())
        mus.append(mu)
        lvs.append(lv)
    return torch.cat(mus).numpy(), torch.cat(lvs).numpy()


def kl_per_dimension(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Mean over the data of KL(q(z_j|x) ‖ N(0, 1)) for each latent dimension j ``(k,)``, in nats."""
    kl = kl_per_dim(torch.as_tensor(np.asarray(mu, np.float64)), torch.as_tensor(np.asarray(logvar, np.float64)))
    return kl.mean(0).numpy()


def strongest_dims(kl: np.ndarray, n: int = 2) -> tuple[int, ...]:
    """The ``n`` dimensions that carry the most information (largest KL), in ascending order; ties
    keep the lower index. For a 2-D code: (0, 1)."""
    return tuple(sorted(int(j) for j in np.argsort(-np.asarray(kl), kind="stable")[:n]))


def collapsed_dims(kl: np.ndarray, threshold: float = COLLAPSE_NATS) -> list[int]:
    """Dimensions whose mean KL is below ``threshold`` nats: the encoder ignores x there
    (q(z_j|x) ≈ the prior for every x), i.e. posterior collapse."""
    return [int(j) for j in np.flatnonzero(np.asarray(kl) < threshold)]


def ellipse_paths(
    mu: np.ndarray, logvar: np.ndarray, n_sigma: float = 1.0, points: int = 24
) -> tuple[np.ndarray, np.ndarray]:
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


def reach(codes: np.ndarray, report: DrawReport, k: int = 3) -> float:
    """:func:`coverage` of ``codes`` by the draws of ``report`` that landed in high density.

    A draw in empty space reaches no data, however wide its neighbourhood among the other draws
    (in 16-D a uniform box's draws are so far apart that their neighbourhoods would "cover" every
    code while none of them lies near one), so such draws are left out.
    """
    return coverage(codes, np.asarray(report.z)[~np.asarray(report.low, bool)], k=k)


# ---------------------------------------------------------------- learned priors, judged

#: The Sampling page's table of priors, from the same seeds: ``(label, the model's family, the prior's
#: kind)`` (:data:`aecore.models.priors.PRIORS`). An AE with N(0, I), with a prior learned from its
#: codes (a mixture; a flow, the second stage of latent diffusion), and the VAE, whose prior is imposed.
PRIOR_ROWS = (
    ("AE + N(0, I)", "ae", "normal"),
    ("AE + mixture prior", "ae", "mixture"),
    ("AE + flow prior", "ae", "flow"),
    ("VAE + N(0, I)", "vae", "normal"),
)


def judge_draws(
    model: AutoencoderBase, prior, judge, x_test, density: NearestCodeDensity, n: int, seed: int = 0
) -> dict:
    """Draw ``n`` codes from ``prior`` (seeded), decode them with ``model`` and judge the pictures
    (:class:`aecore.analysis.judge.Judge`: FD to ``x_test`` and class coverage); also where the draws
    land among the model's codes (``density``: the median draw is denser than this share of them,
    ½ for draws spread like the codes). Returns ``{"fd", "entropy", "evenness", "median_rank", "n"}``."""
    z = prior.sample(n, seed)  # (n, k)
    verdict = judge.judge(decode_array(model, z), x_test)
    rank = density.rank_of(density.distance(z))  # (n,)
    return {
        "fd": verdict.fd,
        "entropy": verdict.coverage.entropy,
        "evenness": verdict.coverage.evenness,
        "median_rank": float(np.median(rank)),
        "n": n,
    }


@dataclass
class FlowFilm:
    """A flow prior's draws on their way from noise (t = 0) to the codes (t = 1), in a 2-D latent space."""

    t: np.ndarray  # (F,) each frame's time
    points: np.ndarray  # (F, n, k) the draws' positions
    images: np.ndarray  # (F, m, D) the first m draws decoded at each frame


def flow_film(model: AutoencoderBase, prior, n: int = 400, m: int = 6, frames: int = 21, seed: int = 0) -> FlowFilm:
    """``n`` seeded draws carried by ``prior`` (a :class:`aecore.models.priors.FlowPrior`) through
    ``frames`` evenly spaced times, two ODE steps apart, and the first ``m`` of them decoded at each."""
    k = len(prior.mean)
    traj = prior.trajectory(draw_eps(n, k, seed), steps=2 * (frames - 1))[::2]  # (F, n, k)
    images = decode_array(model, traj[:, :m].reshape(-1, k).astype(np.float32))  # (F·m, D)
    return FlowFilm(np.linspace(0.0, 1.0, frames), traj.astype(np.float32), images.reshape(frames, m, -1))
