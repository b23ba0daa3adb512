"""One density module: the "extrapolating" warning in a model's own k-D latent space uses an
estimator that is valid there (nearest codes for k > 2), calibrated on the training codes."""

import numpy as np
import pytest

from aecore.analysis.density import LOW_DENSITY_QUANTILE, KernelDensity, NearestCodeDensity, latent_density


def _two_clusters(rng, n: int, k: int = 16, gap: float = 24.0) -> np.ndarray:
    """Two unit-Gaussian clusters ``(2n, k)`` whose centres are ``gap`` apart along the first axis."""
    shift = np.zeros(k)
    shift[0] = gap
    return np.vstack([rng.normal(size=(n, k)), rng.normal(size=(n, k)) + shift])


def test_16d_warning_flags_the_gap_between_far_clusters_at_the_calibrated_rate():
    rng = np.random.default_rng(0)
    train, held_out = _two_clusters(rng, 3000), _two_clusters(rng, 2000)
    dens = latent_density(train)
    assert isinstance(dens, NearestCodeDensity)
    mid = np.zeros((1, 16))
    mid[0, 0] = 12.0  # halfway between the clusters: no code anywhere near
    assert dens.is_low(dens(mid)).all() and dens.is_low_at(mid).all() and dens.rank(mid)[0] < 0.01
    rate = float(np.mean(dens.is_low(dens(held_out))))
    assert rate == pytest.approx(LOW_DENSITY_QUANTILE, abs=0.012), rate  # fresh codes: flagged at ~2%
    # What the warning used before: a KDE in 16-D (Scott's bandwidth) called nearly every fresh code
    # an extrapolation (77-90% of the shipped 16-D models' test codes; here all of them).
    kde = KernelDensity(train)
    assert float(np.mean(kde.is_low(kde(held_out)))) > 0.5


def test_the_gap_survives_whitening_of_the_global_spread():
    """Globally whitened, the axis between two clusters has unit spread and the gap shrinks to about
    one unit: the halfway point then looked as dense as any code. Local whitening keeps it empty,
    and stays invariant to linear maps of the latent space (an AE's axes are arbitrary)."""
    rng = np.random.default_rng(1)
    train = _two_clusters(rng, 2000, gap=24.0)
    a = rng.normal(size=(16, 16)) + 4 * np.eye(16)
    mid = np.zeros((1, 16))
    mid[0, 0] = 12.0
    d, moved = NearestCodeDensity(train, whiten="local"), NearestCodeDensity(train @ a.T + 5.0, whiten="local")
    assert not NearestCodeDensity(train).is_low_at(mid).any()  # global whitening: the gap vanished
    assert d.is_low_at(mid).all() and moved.is_low_at(mid @ a.T + 5.0).all()
    pts = _two_clusters(rng, 200, gap=24.0)
    assert np.array_equal(d.is_low_at(pts), moved.is_low_at(pts @ a.T + 5.0))


def test_every_estimator_answers_the_same_questions():
    rng = np.random.default_rng(2)
    for codes in (rng.normal(size=(3000, 2)), rng.normal(size=(3000, 8))):
        dens = latent_density(codes)
        assert isinstance(dens, KernelDensity if codes.shape[1] == 2 else NearestCodeDensity)
        pts = np.vstack([rng.normal(size=(50, codes.shape[1])), np.full((1, codes.shape[1]), 9.0)])
        d = dens(pts)
        assert d.shape == (51,) and d[-1] < dens.threshold and bool(dens.is_low(d[-1]))
        assert np.allclose(np.asarray(dens.percentile(d)) / 100.0, dens.rank(pts), atol=0.01)
        assert np.array_equal(np.asarray(dens.is_low(d), bool), dens.is_low_at(pts))
