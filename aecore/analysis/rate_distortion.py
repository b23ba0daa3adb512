"""The β knob: what a VAE's code costs (rate) against what it loses (distortion).

A VAE's loss is ``D + β·R`` with, per example x,

    R (rate, nats)       = KL(q(z|x) ‖ N(0, I))    how much the code says about x
    D (distortion, nats) = −E_q(z|x)[log p(x|z)]   what the decoder still cannot predict

(Alemi et al., "Fixing a Broken ELBO", 2018). β = 1 is the ELBO; β > 1 buys a cheaper, more
prior-like code with blurrier reconstructions (Higgins et al., β-VAE, 2017); β < 1 the reverse. Trained
at each β, the models trace a rate–distortion curve: rate falls and distortion rises as β grows.

The rate splits over latent dimensions. A dimension whose posterior mean does not move with x
(``Cov_x(E_q[z_i]) ≤ 0.01``, Burda et al., 2016) carries no information: it is *inactive*, its KL ≈ 0,
and the decoder ignores it (posterior collapse when all of them are).

Torch + numpy only. The rate is exact (closed form); the distortion is a seeded Monte Carlo
estimate with :data:`DISTORTION_SAMPLES` draws per example, so the same model and data give the same
numbers on any machine up to float rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

#: The KL weights the shipped sweep covers (β = 1 is the shipped VAE itself).
BETAS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
#: The code sizes swept: 16 for the curve and its numbers, 2 for the plane.
BETA_KS = (16, 2)
#: Burda et al.'s threshold on Cov_x(E_q[z_i]) for an active unit.
ACTIVE_THRESHOLD = 0.01
#: Draws z ~ q(z|x) per example behind the distortion (over 10,000 test images the Monte Carlo error
#: is a small fraction of a nat, far below the gaps between neighbouring β).
DISTORTION_SAMPLES = 4


def beta_name(base: str, beta: float) -> str:
    """The shipped name of ``base`` (a VAE, e.g. ``"mnist-vae-16d"``) trained at ``beta``; β = 1 is
    ``base`` itself. ``beta_name("mnist-vae-16d", 0.25) == "mnist-vae-16d-b0.25"``."""
    return base if beta == 1 else f"{base}-b{beta:g}"


@dataclass
class RateDistortion:
    """One VAE's point on the curve, on a data set (means over its examples, nats)."""

    beta: float
    rate: float  # E_x KL(q(z|x) ‖ N(0, I))
    distortion: float  # −E_x E_q[log p(x|z)]
    kl_per_dim: np.ndarray  # (k,) E_x KL of each dimension; sums to ``rate``
    activity: np.ndarray  # (k,) Cov_x(E_q[z_i]): the variance of each posterior mean over x
    mse: float  # per-pixel squared error of g(μ), the reconstructions the page shows

    @property
    def active(self) -> np.ndarray:
        """``(k,)`` bool: the dimensions whose posterior mean moves with x (Burda et al.)."""
        return self.activity > ACTIVE_THRESHOLD

    @property
    def n_active(self) -> int:
        return int(self.active.sum())

    @property
    def neg_elbo(self) -> float:
        """D + R: the β = 1 objective, whatever β the model was trained with."""
        return self.distortion + self.rate


@torch.no_grad()
def rate_distortion(
    model,
    x: torch.Tensor,
    samples: int = DISTORTION_SAMPLES,
    seed: int = 0,
    batch: int = 2000,
    on_progress: Callable[[float], None] | None = None,
) -> RateDistortion:
    """Rate, distortion, per-dimension KL and activity of a VAE on ``x`` ``(N, D)`` (see the module
    docstring). Seeded: the draws behind the distortion come from ``seed``."""
    if not getattr(model.config, "is_vae", False):
        raise ValueError(f"rate and distortion need a VAE, not a {model.config.family!r}")
    from aecore.models.vae import kl_per_dim

    was = model.training
    model.eval()
    p0 = next(model.parameters())
    x = x.to(dtype=p0.dtype)
    gen = torch.Generator().manual_seed(seed)
    kl_sum = torch.zeros(model.config.latent_dim, dtype=torch.float64)
    nll_sum, se_sum = 0.0, 0.0
    mus = []
    # All draws at once: the numbers do not depend on the batch size.
    eps_all = torch.randn((samples, len(x), model.config.latent_dim), generator=gen)  # (S, N, k)
    for i in range(0, len(x), batch):
        xb = x[i : i + batch]  # (b, D)
        mu, logvar = model.encode_stats(xb)  # (b, k) each
        mus.append(mu.double())
        kl_sum += kl_per_dim(mu, logvar).double().sum(0)
        eps = eps_all[:, i : i + batch].to(mu.dtype)  # (S, b, k)
        z = mu + eps * (0.5 * logvar).exp()  # (S, b, k)
        logits = model.decode_logits(z.reshape(-1, mu.shape[1])).reshape(samples, len(xb), -1)  # (S, b, D)
        nll_sum += float(-model.log_px_given_z(logits, xb).double().mean(0).sum())
        se_sum += float((model.decode(mu) - xb).double().pow(2).sum())
        if on_progress:
            on_progress(min(1.0, (i + batch) / len(x)))
    model.train(was)
    n = max(1, len(x))
    kl = (kl_sum / n).numpy()
    mu_all = torch.cat(mus) if mus else torch.zeros(0, model.config.latent_dim, dtype=torch.float64)
    return RateDistortion(
        beta=float(model.config.beta),
        rate=float(kl.sum()),
        distortion=nll_sum / n,
        kl_per_dim=kl,
        activity=mu_all.var(0, unbiased=False).numpy() if len(mu_all) else np.zeros(model.config.latent_dim),
        mse=se_sum / (n * x.shape[1]),
    )


def prior_samples(model, n: int, seed: int = 0) -> np.ndarray:
    """``n`` seeded draws z ~ N(0, I) decoded by ``model`` ``(n, D)``: what a β-VAE generates."""
    from aecore.analysis.coding import decode_array
    from aecore.models.priors import StandardNormal

    return decode_array(model, StandardNormal(model.config.latent_dim).sample(n, seed))


def sample_verdict(model, judge, x_test, n: int, seed: int = 0) -> dict[str, float]:
    """Judge ``n`` of the model's N(0, I) samples against ``x_test`` (:class:`aecore.analysis.judge.Judge`):
    ``{"fd", "entropy", "max_entropy", "n"}``."""
    v = judge.judge(prior_samples(model, n, seed), x_test)
    return {"fd": v.fd, "entropy": v.coverage.entropy, "max_entropy": v.coverage.max_entropy, "n": v.n}


def is_monotone(points: list[RateDistortion]) -> bool:
    """Along increasing β: rate strictly falls and distortion strictly rises (the curve's shape)."""
    pts = sorted(points, key=lambda p: p.beta)
    return all(a.rate > b.rate and a.distortion < b.distortion for a, b in zip(pts, pts[1:]))
