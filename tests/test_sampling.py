"""Sampling demo: seeded draws, samplers, code density, coverage, KL per dimension, collapse."""
import numpy as np
import pytest
import torch

from aecore import sampling, views
from aecore.data import load_dataset
from aecore.demo_figures import draws_figure, kl_bar_figure, posterior_figure
from aecore.models import kl_per_dim

from demo_fixtures import shipped


def test_draws_are_seeded():
    assert np.array_equal(sampling.draw_eps(16, 2, 5), sampling.draw_eps(16, 2, 5))
    assert not np.array_equal(sampling.draw_eps(16, 2, 5), sampling.draw_eps(16, 2, 6))
    assert sampling.draw_eps(16, 3, 0).shape == (16, 3)


def test_samplers_follow_the_codes():
    rng = np.random.default_rng(0)
    codes = rng.standard_normal((5000, 2)) @ np.array([[3.0, 0.0], [1.0, 0.5]]) + [10.0, -4.0]
    g = sampling.sample_latent("gaussian-fit", codes, 20000, seed=1)
    assert np.allclose(g.mean(0), codes.mean(0), atol=0.1)
    assert np.allclose(np.cov(g, rowvar=False), np.cov(codes, rowvar=False), rtol=0.05, atol=0.05)
    u = sampling.sample_latent("uniform-box", codes, 1000, seed=1)
    assert (u >= codes.min(0) - 1e-5).all() and (u <= codes.max(0) + 1e-5).all()
    assert np.array_equal(sampling.sample_latent("prior", codes, 8, 3), sampling.draw_eps(8, 2, 3))
    with pytest.raises(KeyError):
        sampling.sample_latent("nope", codes, 8)


def test_density_marks_empty_space_and_ignores_scale():
    rng = np.random.default_rng(0)
    codes = np.r_[rng.normal(-5, 0.5, (500, 2)), rng.normal(5, 0.5, (500, 2))]  # two blobs, empty middle
    z = np.array([[-5.0, -5.0], [5.0, 5.0], [0.0, 0.0], [20.0, 0.0]])
    low = sampling.CodeDensity(codes)(z) < sampling.CodeDensity(codes).threshold(0.02)
    assert low.tolist() == [False, False, True, True]
    low_scaled = sampling.CodeDensity(codes * 100)(z * 100) < sampling.CodeDensity(codes * 100).threshold(0.02)
    assert low_scaled.tolist() == low.tolist()  # an AE's arbitrary latent scale does not matter


def test_coverage_tells_bunched_from_spread_draws():
    rng = np.random.default_rng(0)
    codes = rng.uniform(-1, 1, (2000, 2))
    spread = rng.uniform(-1, 1, (64, 2))
    bunched = rng.uniform(-0.1, 0.1, (64, 2))
    assert sampling.coverage(codes, spread) > 0.8
    assert sampling.coverage(codes, bunched) < 0.1


def test_kl_per_dimension_matches_closed_form():
    """Acceptance: KL(N(μ, σ²) ‖ N(0, 1)) per dimension against torch's closed form and a hand value."""
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(50, 3, generator=g)
    logvar = torch.randn(50, 3, generator=g)
    ref = torch.distributions.kl_divergence(torch.distributions.Normal(mu, (0.5 * logvar).exp()),
                                            torch.distributions.Normal(0.0, 1.0))
    assert torch.allclose(kl_per_dim(mu, logvar), ref, atol=1e-5)
    assert np.allclose(sampling.kl_per_dimension(mu.numpy(), logvar.numpy()), ref.mean(0).numpy(), atol=1e-5)
    # μ = 1, σ² = e: ½(1 + e − 1 − 1) = (e − 1)/2
    one = sampling.kl_per_dimension(np.array([[1.0]]), np.array([[1.0]]))
    assert one[0] == pytest.approx((np.e - 1) / 2)


def test_collapse_detected_only_where_kl_is_zero():
    rng = np.random.default_rng(0)
    mu = np.c_[rng.normal(0, 1, 200), np.zeros(200), rng.normal(0, 1, 200)]
    logvar = np.c_[np.full(200, -2.0), np.zeros(200), np.full(200, -2.0)]  # z2: q(z|x) = prior for every x
    kl = sampling.kl_per_dimension(mu, logvar)
    assert sampling.collapsed_dims(kl) == [1]
    fig = kl_bar_figure(kl, [1])
    assert fig.data[0].marker.color[1] != fig.data[0].marker.color[0]


def test_aggregate_posterior_moments_and_ellipses():
    mu = np.array([[1.0, 0.0], [-1.0, 0.0]])
    logvar = np.log(np.array([[0.5, 1.0], [0.5, 1.0]]))
    m, cov = sampling.aggregate_posterior_moments(mu, logvar)
    assert np.allclose(m, 0) and np.allclose(cov, np.diag([1.0 + 0.5, 1.0]))
    ex, ey = sampling.ellipse_paths(mu, logvar, points=8)
    assert len(ex) == 2 * 10 and np.isnan(ex[9])
    assert np.nanmax(ex[:9]) == pytest.approx(1 + np.sqrt(0.5))


def test_digits_draw_report_and_figure():
    ds = load_dataset("digits")
    vae = shipped("digits-vae-2d")
    codes = views.encode_array(vae, ds.x_test)
    rep = sampling.assess_draws(vae, codes, sampling.draw_eps(64, 2, 0))
    assert rep.decoded.shape == (64, 64) and rep.low.dtype == bool
    fig = draws_figure(codes, ds.y_test.numpy(), ds.class_names, rep.z, rep.low,
                       f"VAE: {rep.low_fraction:.0%} of draws in low density")
    low_trace = [t for t in fig.data if t.name == "draw (LOW density)"][0]
    assert len(low_trace.x) == int(rep.low.sum())
    mu, logvar = sampling.posterior_stats(vae, ds.x_test)
    assert posterior_figure(mu, logvar, ds.y_test.numpy(), ds.class_names).data


def _fractions(data_root, name, seeds=range(5)):
    ds = load_dataset(name, root=data_root)
    ae, vae = shipped(f"{name}-ae-2d"), shipped(f"{name}-vae-2d")
    c_ae, c_vae = views.encode_array(ae, ds.x_test), views.encode_array(vae, ds.x_test)
    d_ae, d_vae = sampling.CodeDensity(c_ae), sampling.CodeDensity(c_vae)
    out = {"vae_low": [], "ae_low": [], "box_low": [], "vae_reach": [], "ae_reach": []}
    for s in seeds:
        eps = sampling.draw_eps(64, 2, s)
        box = sampling.sample_latent("uniform-box", c_ae, 64, s)
        out["vae_low"].append(sampling.assess_draws(vae, c_vae, eps, density=d_vae).low_fraction)
        out["ae_low"].append(sampling.assess_draws(ae, c_ae, eps, density=d_ae).low_fraction)
        out["box_low"].append(sampling.assess_draws(ae, c_ae, box, density=d_ae).low_fraction)
        out["vae_reach"].append(sampling.coverage(c_vae, eps))
        out["ae_reach"].append(sampling.coverage(c_ae, eps))
    return {k: float(np.mean(v)) for k, v in out.items()}


def test_mnist_vae_draws_follow_its_codes_ae_draws_do_not(data_root):
    """MNIST, 5 seeds × 64 draws. The VAE's N(0, I) draws land in high density ≥ 85% of the time
    and reach most of its codes; the AE's N(0, I) draws reach far fewer of its codes (they bunch
    in the middle of a cloud ~4× wider than the prior), and a uniform box around the AE's codes
    lands in low density far more often than the VAE's draws."""
    f = _fractions(data_root, "mnist")
    print("MNIST, mean over 5 seeds:", {k: round(v, 3) for k, v in f.items()})
    assert f["vae_low"] <= 0.15
    assert f["vae_reach"] > f["ae_reach"] + 0.2
    assert f["box_low"] > f["vae_low"] + 0.3
