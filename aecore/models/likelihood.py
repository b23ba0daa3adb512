"""Honest numbers for a VAE: the negative ELBO and an importance-weighted bound on −log p(x).

Both are Monte Carlo estimates over z ~ q(z|x), from the same seeded samples. For each x, with
K samples z_1..z_K from the encoder and log-weights

    log w_j = log p(x | z_j) + log p(z_j) − log q(z_j | x),

the ELBO is E_q[log w] (estimated by the mean of the log w_j) and the IWAE bound (Burda et al.,
2016) is log (1/K) Σ_j w_j: a lower bound on log p(x) that tightens as K grows. We report their
negatives in nats per image, so lower is better and −ELBO ≥ IWAE bound ≥ −log p(x).

The likelihood is the model's own (:meth:`log_px_given_z`): for images a Bernoulli on grey levels in
[0, 1] as they are, not the binarised MNIST that papers report, so the numbers are not comparable
with those papers' (≈ 80–90 nats); they are comparable between the models here.

A VAE in eval mode decodes z = μ, so ``evaluate`` gives the posterior-mean loss, which skips the
sampling in the ELBO; that number stays in the metrics under ``test_loss_at_posterior_mean``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

LOG_2PI = math.log(2 * math.pi)
#: Importance samples per image for the shipped checkpoints' bound.
IWAE_K = 1000


@dataclass
class VAEBounds:
    """Mean bounds over a data set, in nats per example (see the module docstring)."""

    neg_elbo: float  # −E_q[log w]: the VAE's objective at β = 1
    nll_iwae: float | None  # −log (1/K) Σ w_j, an upper bound on −log p(x); None when K = 0
    k: int  # importance samples per example for the IWAE bound (0: not computed)
    elbo_samples: int  # samples per example behind neg_elbo
    n: int  # examples
    likelihood: str

    def as_metrics(self, prefix: str = "test_") -> dict[str, float | int | str]:
        """The checkpoint metric names under which these numbers are stored and shown."""
        m: dict[str, float | int | str] = {
            f"{prefix}neg_elbo": self.neg_elbo,
            "elbo_samples": self.elbo_samples,
            "likelihood": self.likelihood,
        }
        if self.nll_iwae is not None:
            m[f"{prefix}nll_iwae"] = self.nll_iwae
            m["iwae_k"] = self.k
        return m


def log_weights(model, x: torch.Tensor, n_samples: int, gen: torch.Generator) -> torch.Tensor:
    """log w ``(S, B)`` for ``S = n_samples`` draws z ~ q(z|x) per row of ``x`` ``(B, D)``."""
    mu, logvar = model.encode_stats(x)  # (B, k) each
    std = (0.5 * logvar).exp()
    eps = torch.randn((n_samples, *mu.shape), generator=gen, dtype=mu.dtype)  # (S, B, k)
    z = mu + eps * std  # (S, B, k)
    k = mu.shape[1]
    log_q = -0.5 * (eps.pow(2) + logvar + LOG_2PI).sum(-1)  # (S, B)
    log_pz = -0.5 * (z.pow(2) + LOG_2PI).sum(-1)  # (S, B)
    logits = model.decode_logits(z.reshape(-1, k)).reshape(n_samples, len(x), -1)  # (S, B, D)
    return model.log_px_given_z(logits, x) + log_pz - log_q


@torch.no_grad()
def vae_bounds(
    model,
    x: torch.Tensor,
    k: int = IWAE_K,
    elbo_samples: int | None = None,
    seed: int = 0,
    rows_per_chunk: int = 16384,
    on_progress: Callable[[float], None] | None = None,
) -> VAEBounds:
    """−ELBO and the K-sample IWAE bound of a VAE on ``x`` ``(N, D)``, nats per example.

    With ``k > 0`` both come from the same K samples per example (the −ELBO is then their mean,
    a very low-variance estimate); with ``k = 0`` only the −ELBO is computed, from
    ``elbo_samples`` samples per example (default 1: averaged over a test set of thousands its
    Monte Carlo error is a small fraction of a nat, and a live training's conv VAE decodes the
    10,000 MNIST test images once, ~2 s on one core, instead of 16 times).
    Seeded: the same model, data and seed give the same numbers. Decodes ``N × max(k, S)`` codes in
    chunks of about ``rows_per_chunk``, so memory stays near ``rows_per_chunk × D`` floats.
    """
    if not getattr(model.config, "is_vae", False):
        raise ValueError(f"bounds on log p(x) need a VAE, not a {model.config.family!r}")
    s = k if k > 0 else (elbo_samples or 1)
    was = model.training
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    p0 = next(model.parameters())
    x = x.to(dtype=p0.dtype)
    per = max(1, rows_per_chunk // s)  # examples per chunk
    elbo_sum, iwae_sum = 0.0, 0.0
    for i in range(0, len(x), per):
        lw = log_weights(model, x[i : i + per], s, gen).double()  # (S, b)
        elbo_sum += float(lw.mean(0).sum())
        if k > 0:
            iwae_sum += float((torch.logsumexp(lw, 0) - math.log(s)).sum())
        if on_progress:
            on_progress(min(1.0, (i + per) / len(x)))
    model.train(was)
    n = max(1, len(x))
    return VAEBounds(
        neg_elbo=-elbo_sum / n,
        nll_iwae=-iwae_sum / n if k > 0 else None,
        k=max(k, 0),
        elbo_samples=s,
        n=len(x),
        likelihood=model.config.likelihood,
    )


__all__ = ["IWAE_K", "VAEBounds", "log_weights", "vae_bounds"]
