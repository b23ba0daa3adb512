"""Check the shipped VAEs' −ELBO and IWAE bound with code that shares nothing with aecore.models.likelihood.

    python scripts/verify_vae_metrics.py [NAME ...] [--k K] [--tol 0.5] [--seed 12345]

For each VAE checkpoint (default: every shipped one) this re-estimates on the full test split, with
``torch.distributions`` and another seed, the −ELBO (analytic KL plus a Monte Carlo reconstruction
term) and the K-sample IWAE bound, and compares them with the numbers stored in the file. Exits 1
if any differs by more than ``--tol`` nats. MNIST VAEs take a few minutes each on 2 cores.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence

from aecore.data.sets import load_dataset
from aecore.storage.checkpoint import load_checkpoint
from aecore.storage.library import SHIPPED_DIR

ROOT = Path(__file__).resolve().parent.parent


def likelihood(model, z: torch.Tensor):
    logits = model.decode_logits(z)
    c = model.config
    if c.likelihood == "bernoulli":
        # Grey levels in [0, 1] as they are (the continuous Bernoulli-likelihood of the models), so no
        # support check: log p = x log σ(l) + (1 − x) log σ(−l).
        return Independent(Bernoulli(logits=logits, validate_args=False), 1)
    return Independent(Normal(model._squash(logits), c.obs_sigma), 1)


@torch.no_grad()
def estimate(model, x: torch.Tensor, k: int, seed: int, per: int = 16) -> tuple[float, float]:
    torch.manual_seed(seed)
    elbo, iwae = 0.0, 0.0
    for i in range(0, len(x), per):
        xb = x[i : i + per]
        h = model.encoder(xb)
        mu, logvar = h.chunk(2, dim=1)
        logvar = logvar.clamp(-12.0, 8.0)  # as the model's encode_stats
        q = Independent(Normal(mu, (0.5 * logvar).exp()), 1)
        prior = Independent(Normal(torch.zeros_like(mu), torch.ones_like(mu)), 1)
        z1 = q.sample()
        elbo += float((likelihood(model, z1).log_prob(xb) - kl_divergence(q, prior)).sum())
        zs = q.sample((k,))  # (K, b, k)
        lp = likelihood(model, zs.reshape(-1, zs.shape[-1])).log_prob(xb.repeat(k, 1)).reshape(k, -1)
        lw = lp + prior.log_prob(zs) - q.log_prob(zs)  # (K, b)
        iwae += float((torch.logsumexp(lw.double(), 0) - math.log(k)).sum())
    return -elbo / len(x), -iwae / len(x)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--k", type=int, default=0, help="importance samples (default: the K the file states)")
    ap.add_argument("--tol", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=12345)
    a = ap.parse_args()
    paths = [SHIPPED_DIR / f"{n}.safetensors" for n in a.names] or sorted((SHIPPED_DIR).glob("*.safetensors"))
    bad = 0
    for p in paths:
        ck = load_checkpoint(p)
        if not ck.config.is_vae:
            continue
        x = load_dataset(ck.dataset).x_test
        m = ck.metrics
        k = a.k or int(m["iwae_k"])
        elbo, iwae = estimate(ck.model, x, k, a.seed)
        d_elbo, d_iwae = abs(elbo - m["test_neg_elbo"]), abs(iwae - m["test_nll_iwae"])
        ok = d_elbo <= a.tol and d_iwae <= a.tol
        bad += not ok
        print(
            f"{'ok ' if ok else 'BAD'} {ck.name}: −ELBO {elbo:.2f} (file {m['test_neg_elbo']:.2f}, Δ {d_elbo:.2f}); "
            f"IWAE K={k} {iwae:.2f} (file K={m['iwae_k']} {m['test_nll_iwae']:.2f}, Δ {d_iwae:.2f})",
            flush=True,
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
