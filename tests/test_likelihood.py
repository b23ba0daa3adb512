"""−ELBO and the IWAE bound (aecore.models.likelihood) against a linear Gaussian VAE, whose log p(x) and
posterior are known in closed form."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aecore.models import REGISTRY, ModelConfig, build_model
from aecore.models.likelihood import vae_bounds

SIGMA = 0.5
W = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])  # (D, k), orthogonal columns: diagonal posterior
B = np.array([0.1, -0.2, 0.3])  # (D,)


def _linear_vae(mu_shift=0.0, logvar_shift=0.0):
    """x = W z + b + N(0, σ² I), z ~ N(0, I); the encoder is the exact posterior, optionally shifted."""
    cfg = ModelConfig(
        family="vae", input_dim=3, latent_dim=2, hidden=(), output="linear", likelihood="gaussian", obs_sigma=SIGMA
    )
    m = build_model(cfg).double()
    post_var = 1.0 / (1.0 + (W**2).sum(0) / SIGMA**2)  # (k,) diagonal of (I + WᵀW/σ²)⁻¹
    a = post_var[:, None] * W.T / SIGMA**2  # (k, D): μ_post = A (x − b)
    enc, dec = m.encoder[0], m.decoder[0]
    with torch.no_grad():
        enc.weight.copy_(torch.from_numpy(np.vstack([a, np.zeros((2, 3))])))
        enc.bias.copy_(torch.from_numpy(np.concatenate([-a @ B + mu_shift, np.log(post_var) + logvar_shift])))
        dec.weight.copy_(torch.from_numpy(W))
        dec.bias.copy_(torch.from_numpy(B))
    return m.eval(), post_var, a


def _exact_nll(x):
    cov = W @ W.T + SIGMA**2 * np.eye(3)
    d = x - B
    _, logdet = np.linalg.slogdet(cov)
    return 0.5 * (np.einsum("nd,de,ne->n", d, np.linalg.inv(cov), d) + logdet + 3 * math.log(2 * math.pi))


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 2))
    return z @ W.T + B + SIGMA * rng.standard_normal((n, 3))


def test_exact_posterior_makes_both_bounds_equal_log_px():
    m, _, _ = _linear_vae()
    x = _data()
    b = vae_bounds(m, torch.from_numpy(x), k=50)
    exact = _exact_nll(x).mean()
    assert b.neg_elbo == pytest.approx(exact, abs=1e-6)
    assert b.nll_iwae == pytest.approx(exact, abs=1e-6)
    assert b.k == 50 and b.n == 64 and b.likelihood == "gaussian"


def test_shifted_posterior_neg_elbo_is_nll_plus_kl_and_iwae_lies_between():
    shift, lv = 0.3, 0.5
    m, post_var, _ = _linear_vae(mu_shift=shift, logvar_shift=lv)
    x = _data(n=32)
    exact = _exact_nll(x).mean()
    # KL(q ‖ p(z|x)) for diagonal Gaussians whose means differ by `shift` and log-variances by `lv`.
    kl = 0.5 * (np.exp(lv) + shift**2 / post_var - 1.0 - lv).sum()
    b = vae_bounds(m, torch.from_numpy(x), k=1000)
    assert b.neg_elbo == pytest.approx(exact + kl, abs=0.05)  # Monte Carlo over 32 000 samples
    assert kl > 1.0 and b.nll_iwae < b.neg_elbo - 0.75 * kl  # 1 000 importance samples close most of the gap
    assert b.nll_iwae > exact - 0.02  # a bound (up to Monte Carlo noise): never well below −log p(x)
    cheap = vae_bounds(m, torch.from_numpy(x), k=0, elbo_samples=64)
    assert cheap.nll_iwae is None and cheap.neg_elbo == pytest.approx(exact + kl, abs=0.2)


def test_bounds_are_seeded_and_training_loss_is_the_same_quantity():
    m, _, _ = _linear_vae(mu_shift=0.5)
    x = torch.from_numpy(_data(n=16))
    a, b = vae_bounds(m, x, k=20, seed=3), vae_bounds(m, x, k=20, seed=3)
    assert a.neg_elbo == b.neg_elbo and a.nll_iwae == b.nll_iwae
    # The training objective (analytic KL, one sample) estimates the same −ELBO, constants included.
    m.train()
    torch.manual_seed(0)
    with torch.no_grad():
        loss = np.mean([float(m(x).loss) for _ in range(2000)])
    assert loss == pytest.approx(vae_bounds(m, x, k=0, elbo_samples=2000).neg_elbo, abs=0.05)


def test_vae_bounds_refuse_a_plain_autoencoder():
    ae = build_model(
        ModelConfig(family="ae", input_dim=3, latent_dim=1, hidden=(4,), output="linear", likelihood="gaussian")
    )
    with pytest.raises(ValueError, match="need a VAE"):
        vae_bounds(ae, torch.zeros(2, 3))


def test_every_shipped_vae_states_its_bounds():
    from aecore.data.sets import FACTOR_DATASETS
    from aecore.storage.library import SHIPPED_DIR, list_models

    vaes = [m for m in list_models(user=SHIPPED_DIR / "none") if REGISTRY[m.family].variational]
    assert len(vaes) >= 6
    for e in vaes:
        from aecore.storage.checkpoint import read_metadata

        meta = read_metadata(e.path)
        m = meta["metrics"]
        # The β sweep's numbers are rate and distortion, the sprites study's its disentanglement metrics:
        # no IWAE bound for either (checkpoints/README.md, scripts/build_checkpoints.py).
        if meta["config"]["beta"] != 1 or meta["dataset"] in FACTOR_DATASETS:
            assert "test_nll_iwae" not in m and m["test_loss"] == m["test_neg_elbo"], e.name
            continue
        # K = 1,000 importance samples, 100 for the conv VAEs (scripts/build_checkpoints.py says why).
        assert m["iwae_k"] == (100 if e.family == "conv-vae" else 1000), e.name
        assert m["likelihood"] == "bernoulli", e.name
        assert m["test_loss"] == m["test_neg_elbo"], e.name  # a VAE's "loss" is its −ELBO
        # −ELBO ≥ IWAE bound, and the posterior-mean loss (no sampling) is a different, smaller number.
        assert m["test_neg_elbo"] > m["test_nll_iwae"] > 0, e.name
        assert m["test_loss_at_posterior_mean"] < m["test_neg_elbo"], e.name


def test_independent_estimate_agrees_with_the_shipped_digits_vaes():
    """scripts/verify_vae_metrics.py re-estimates both bounds with torch.distributions and another
    seed (MNIST takes minutes, so the suite checks the digits VAEs; the note has the MNIST run)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    r = subprocess.run(
        [sys.executable, "scripts/verify_vae_metrics.py", "digits-vae-2d", "digits-vae-16d", "--tol", "0.5"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("ok ") == 2
