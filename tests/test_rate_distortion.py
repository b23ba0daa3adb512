"""The β knob (aecore.analysis.rate_distortion): rate and distortion of a VAE, its active units, the
shipped sweep's shape on any CPU kernel, and the β page showing exactly those numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from aecore.analysis.rate_distortion import BETA_KS, BETAS, beta_name, is_monotone, rate_distortion
from aecore.data.sets import is_available, load_dataset
from aecore.models import build_model, config_for, kl_per_dim
from aecore.storage.checkpoint import load_checkpoint


def test_beta_names():
    assert beta_name("mnist-vae-16d", 1.0) == "mnist-vae-16d"
    assert beta_name("mnist-vae-16d", 0.25) == "mnist-vae-16d-b0.25"
    assert beta_name("mnist-vae-2d", 8.0) == "mnist-vae-2d-b8"


def test_rate_is_the_exact_kl_and_distortion_the_seeded_nll():
    torch.manual_seed(0)
    ds = load_dataset("digits")
    m = build_model(config_for(ds, "vae", 4, hidden=(16,), beta=2.0))
    x = ds.x_test[:200]
    rd = rate_distortion(m, x, samples=3, seed=5, batch=64)
    mu, logvar = m.encode_stats(x)
    kl = kl_per_dim(mu, logvar).double().mean(0).detach().numpy()
    assert np.allclose(rd.kl_per_dim, kl, atol=1e-6) and rd.rate == pytest.approx(kl.sum())
    assert rd.beta == 2.0 and rd.neg_elbo == pytest.approx(rd.rate + rd.distortion)
    # The distortion is −E log p(x|z) over 3 seeded draws: the same seed gives the same number,
    # another seed a slightly different one; both near the value at z = μ.
    assert rate_distortion(m, x, samples=3, seed=5).distortion == pytest.approx(rd.distortion, rel=1e-6)
    assert rate_distortion(m, x, samples=3, seed=6).distortion != rd.distortion
    with torch.no_grad():
        at_mu = float(-m.log_px_given_z(m.decode_logits(mu), x).mean())
    assert rd.distortion == pytest.approx(at_mu, rel=0.05)


def test_active_units_follow_how_much_the_means_move():
    class Fixed(torch.nn.Module):
        """A 'VAE' whose 3 posterior means are x·(1, 0.05, 0): one active unit, two not."""

        def __init__(self):
            super().__init__()
            self.config = config_for(load_dataset("digits"), "vae", 3)
            self.w = torch.nn.Parameter(torch.zeros(1))

        def encode_stats(self, x):
            s = x[:, :1] * 10
            return torch.cat([s, 0.05 * s, 0 * s], 1), torch.zeros(len(x), 3)

        def decode_logits(self, z):
            return torch.zeros(len(z), 64)

        def decode(self, z):
            return torch.sigmoid(self.decode_logits(z))

        def log_px_given_z(self, logits, x):
            return -torch.nn.functional.binary_cross_entropy_with_logits(
                logits, x.expand_as(logits), reduction="none"
            ).sum(-1)

    x = torch.rand(500, 64)
    rd = rate_distortion(Fixed(), x)
    # Var of 10·U(0, 1) = 8.3 (active); of 0.5·U(0, 1) = 0.021 (active, just); of 0: inactive.
    assert list(rd.active) == [True, True, False] and rd.n_active == 2
    assert rd.activity[1] == pytest.approx(0.25 / 12, rel=0.15)


def test_is_monotone():
    from aecore.analysis.rate_distortion import RateDistortion

    def p(b, r, d):
        return RateDistortion(b, r, d, np.zeros(1), np.zeros(1), 0.0)

    assert is_monotone([p(2, 5, 90), p(1, 10, 80), p(4, 3, 100)])
    assert not is_monotone([p(1, 10, 80), p(2, 10, 90)])  # rate not strictly falling
    assert not is_monotone([p(1, 10, 80), p(2, 5, 79)])


@pytest.fixture(scope="module")
def sweeps():
    """The shipped sweeps measured here, now, on this machine's kernels: never read from a cache (a
    file another kernel wrote would make ``./run.sh test-cpus`` check nothing). ``{k: [points]}``."""
    from aecore.storage.library import find_model

    x = load_dataset("mnist").split("test")[0]
    return {
        k: [rate_distortion(load_checkpoint(find_model(beta_name(f"mnist-vae-{k}d", b)).path).model, x) for b in BETAS]
        for k in BETA_KS
    }


@pytest.mark.skipif(not is_available("mnist"), reason="MNIST is not on this machine")
@pytest.mark.parametrize("k", BETA_KS)
def test_the_shipped_sweep_trades_rate_for_distortion(k, sweeps):
    """The issue's acceptance, measured on the shipped files with this machine's kernels
    (``./run.sh test-cpus`` repeats it under each ATEN_CPU_CAPABILITY): every β shipped, rate
    strictly falling and distortion strictly rising along β; active units reported per β."""
    pts = sweeps[k]
    assert [p.beta for p in pts] == list(BETAS)
    assert is_monotone(pts), [(p.beta, round(p.rate, 2), round(p.distortion, 2)) for p in pts]
    gaps = [min(a.rate - b.rate, b.distortion - a.distortion) for a, b in zip(pts, pts[1:])]
    assert min(gaps) > 0.5  # nats: a margin no kernel's rounding can eat
    assert all(0 <= p.n_active <= k for p in pts)
    if k == 16:  # more KL weight, fewer dimensions worth their cost
        assert pts[-1].n_active < pts[0].n_active


@pytest.mark.skipif(not is_available("mnist"), reason="MNIST is not on this machine")
def test_the_beta_page_shows_aecores_numbers(sweeps):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    page = Path(__file__).resolve().parents[1] / "latentlab" / "ui" / "pages" / "beta.py"
    at = AppTest.from_file(str(page), default_timeout=240)
    at.query_params["bk_beta"] = "8"
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    pts = {p.beta: p for p in sweeps[16]}
    assert len(table) == len(BETAS)
    for _, row in table.iterrows():
        p = pts[float(row["β"])]
        assert row["rate R (nats)"] == pytest.approx(p.rate, abs=0.005)
        assert row["distortion D (nats)"] == pytest.approx(p.distortion, abs=0.005)
        assert row["active units"] == f"{p.n_active} of 16"
    words = " ".join(m.value for m in at.markdown)
    sel = pts[8.0]
    assert f"**{sel.rate:.1f} nats**" in words and f"**{sel.distortion:.1f} nats**" in words
    assert f"{sel.n_active} of 16 latent dimensions are active" in words or sel.n_active in (0, 16)
    assert math.isfinite(sel.rate)
