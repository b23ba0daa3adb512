"""Disentanglement metrics (aecore.analysis.disentangle): MIG, SAP, DCI and the FactorVAE score give an
axis-aligned code ~1, a mixed one much less, punish a factor split over two dimensions, and agree with
disentanglement_lib's formulas on cases small enough to compute by hand."""

from __future__ import annotations

import numpy as np
import pytest

from aecore.analysis import disentangle as dis

SIZES = (4, 5, 6)  # a full factorial grid of 120 rows
TILES = 20  # 2,400 rows: 1,600 to train SAP's and DCI's classifiers, 800 to test them


def _grid(sizes=SIZES) -> np.ndarray:
    """Every combination of factor values, ``(prod(sizes), F)`` int."""
    axes = np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij")
    return np.stack(axes, axis=-1).reshape(-1, len(sizes))


def _aligned(sizes=SIZES, tiles=TILES, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """The grid tiled, and codes = the standardised factors plus a little noise (so tiles differ)."""
    factors = np.tile(_grid(sizes), (tiles, 1))  # (N, F)
    z = (factors - factors.mean(axis=0)) / factors.std(axis=0)
    return z + 0.01 * np.random.default_rng(seed).normal(size=z.shape), factors


@pytest.fixture(scope="module")
def aligned():
    codes, factors = _aligned()
    return codes, factors, dis.scores(codes, factors, seed=0)


def test_axis_aligned_code_scores_near_one(aligned):
    codes, factors, s = aligned
    assert s.mig >= 0.95 and s.dci_d >= 0.95 and s.dci_c >= 0.95 and s.dci_i >= 0.95, s
    assert s.factor_vae == 1.0, s
    np.testing.assert_allclose(s.mi_normalised, np.eye(3), atol=0.02)
    # SAP's ceiling on discrete factors is below 1: the runner-up dimension guesses at chance (~1/n), and
    # a one-feature one-vs-rest linear classifier cannot cut a 5- or 6-valued factor into intervals (a
    # middle value is not linearly separable from the rest), so even the right dimension reads those
    # with ~0.3-0.5 accuracy. But each factor's best dimension is its own.
    train, test = dis.train_test_rows(len(codes), 0)
    m = dis.sap_matrix(codes[train], factors[train], codes[test], factors[test])  # (3, 3)
    assert (m.argmax(axis=0) == [0, 1, 2]).all() and m[0, 0] == 1.0 and s.sap >= 0.3, m
    # On binary factors: own dimension 100% right, the others at chance: SAP = 1 - 1/2.
    codes2, factors2 = _aligned(sizes=(2, 2, 2), tiles=100)
    train, test = dis.train_test_rows(len(codes2), 0)
    m2 = dis.sap_matrix(codes2[train], factors2[train], codes2[test], factors2[test])
    np.testing.assert_array_equal(np.diag(m2), 1.0)
    assert dis.sap_from_matrix(m2) == pytest.approx(0.5, abs=0.05)


def test_a_code_that_mixes_every_factor_scores_much_lower(aligned):
    codes, factors, s1 = aligned
    # Householder reflection I - 2/3 * ones: orthogonal, every code dimension is 1/3 of one factor
    # minus 2/3 of each other one, so no dimension is any factor's own.
    mixed = codes @ (np.eye(3) - 2 / 3)
    s = dis.scores(mixed, factors, seed=0)
    for name in ("mig", "sap", "dci_d"):
        low, high = getattr(s, name), getattr(s1, name)
        assert low < 0.2 and low < high - 0.25, (name, low, high)
    assert s.dci_i >= 0.95  # the information is all still there, just not axis-aligned
    # Holding factor j fixed, the variance of each other dimension drops by 4/9, more than j's own
    # (1/9): two dimensions tie for each factor, and a dimension → factor map gets about half right.
    assert s.factor_vae < 0.75


def test_a_factor_copied_into_two_dimensions_loses_completeness_and_its_mig(aligned):
    codes, factors, s1 = aligned
    rng = np.random.default_rng(1)
    copy = codes[:, :1] + 0.01 * rng.normal(size=(len(codes), 1))  # factor 0 again, its own noise
    split = np.concatenate([codes[:, :1], copy, codes[:, 1:]], axis=1)  # (N, 4)
    s = dis.scores(split, factors, seed=0)
    # Factor 0's importance is shared by two dimensions: its completeness ~ 1 - H_4(1/2, 1/2) = 1/2.
    assert s.dci_c < s1.dci_c - 0.1, (s.dci_c, s1.dci_c)
    assert s.dci_d >= 0.95  # each dimension still serves one factor only
    per_factor = dis.mig_per_factor(split, factors)
    assert per_factor[0] < 0.05 and (per_factor[1:] >= 0.95).all(), per_factor


def test_published_gbt_importance_agrees_on_aligned_and_mixed_codes():
    codes, factors = _aligned(tiles=5)  # 400 training rows: boosting is slow
    train, test = dis.train_test_rows(len(codes), 0)
    for mix, lo, hi in [(np.eye(3), 0.95, 1.0), (np.eye(3) - 2 / 3, 0.0, 0.2)]:
        c = codes @ mix
        r = dis.dci(c[train], factors[train], c[test], factors[test], importance="gbt")
        assert lo <= r["disentanglement"] <= hi and lo <= r["completeness"] <= hi, r
        assert r["informativeness"] >= 0.95 and r["importance"].shape == (3, 3)
    with pytest.raises(ValueError, match="importance"):
        dis.dci(codes[train], factors[train], codes[test], factors[test], importance="lasso")


def test_dci_from_importance_by_hand():
    # R = [[1, 1], [0, 2]] (k = 2 codes, F = 2 factors).
    # Disentanglement: row 0 (1/2, 1/2) has H_2 = 1 → 0; row 1 (0, 1) has H_2 = 0 → 1; the rows'
    # shares of the total 4 are 2/4 and 2/4: D = 0.5 * 0 + 0.5 * 1 = 0.5.
    # Completeness: column 0 (1, 0) → 1; column 1 (1/3, 2/3): H_2 = log2(3) - 2/3 = 0.9182958 → 0.0817042;
    # the columns' shares are 1/4 and 3/4: C = 0.25 * 1 + 0.75 * 0.0817042 = 0.3112781.
    d, c = dis.dci_from_importance([[1.0, 1.0], [0.0, 2.0]])
    assert d == pytest.approx(0.5, abs=1e-6)
    assert c == pytest.approx(0.25 + 0.75 * (1 - (np.log2(3) - 2 / 3)), abs=1e-6)
    assert c == pytest.approx(0.3112781, abs=1e-6)
    assert dis.dci_from_importance(np.eye(3)) == pytest.approx((1.0, 1.0), abs=1e-6)
    assert dis.dci_from_importance(np.ones((3, 3))) == pytest.approx((0.0, 0.0), abs=1e-6)


def test_dci_formulas_match_disentanglement_libs():
    """disentanglement_lib's dci.py (scipy's entropy), verbatim but for names, on random matrices."""
    from scipy.stats import entropy

    def published(m):
        per_code = 1.0 - entropy(m.T + 1e-11, base=m.shape[1])
        per_factor = 1.0 - entropy(m + 1e-11, base=m.shape[0])
        return np.sum(per_code * m.sum(axis=1) / m.sum()), np.sum(per_factor * m.sum(axis=0) / m.sum())

    rng = np.random.default_rng(0)
    for shape in [(2, 2), (3, 2), (10, 5), (4, 7)]:
        m = rng.random(shape) ** 3
        m[0, 0] = 0.0  # a zero entry: the 1e-11 guard matters
        assert dis.dci_from_importance(m) == pytest.approx(published(m), abs=1e-9)


def test_mig_by_hand():
    # Factors: a binary f0 and a 4-valued f1 (grid of 8 rows). Code 0 = f0, code 1 = f1 // 2 (f1's
    # upper bit). MI(code 0; f0) = H(f0) = log 2, MI(code 1; f1) = H(f1 // 2) = log 2, the other two
    # are 0 (f0, f1 independent on a grid). H(f1) = log 4.
    # MIG: f0 (log 2 - 0) / log 2 = 1, f1 (log 2 - 0) / log 4 = 1/2; mean 3/4.
    factors = _grid((2, 4))
    codes = np.stack([factors[:, 0], factors[:, 1] // 2], axis=1).astype(float)
    np.testing.assert_allclose(dis.mutual_info(codes, factors), [[np.log(2), 0], [0, np.log(2)]], atol=1e-12)
    np.testing.assert_allclose(dis.factor_entropy(factors), [np.log(2), np.log(4)])
    np.testing.assert_allclose(dis.mig_per_factor(codes, factors), [1.0, 0.5])
    assert dis.mig(codes, factors) == pytest.approx(0.75)


def test_discretize_matches_disentanglement_libs_histogram_bins():
    # bins = 2 over [0, 1]: edges 0, 0.5, 1; a value's bin is the last left edge <= it.
    np.testing.assert_array_equal(dis.discretize([[0.0], [0.5], [1.0], [0.2]], bins=2)[:, 0], [0, 1, 1, 0])
    x = np.random.default_rng(0).normal(size=(500, 3))
    # disentanglement_lib's _histogram_discretize (codes as rows there), numbered from 1.
    published = np.stack([np.digitize(x[:, i], np.histogram(x[:, i], 20)[1][:-1]) for i in range(3)], axis=1)
    np.testing.assert_array_equal(dis.discretize(x) + 1, published)


def test_sap_from_matrix_by_hand():
    # Factor 0: top two 0.9 and 0.5 → 0.4; factor 1: 0.6 and 0.3 → 0.3; SAP = 0.35.
    assert dis.sap_from_matrix([[0.9, 0.2], [0.5, 0.6], [0.1, 0.3]]) == pytest.approx(0.35)


def test_factor_vae_ignores_collapsed_dimensions():
    codes, factors = _aligned()
    # A dimension stuck at 0 (std 0 < 0.05): unpruned, its 0/0 variance ratio would be NaN, which
    # argmin picks every time, and one dimension cannot tell three factors apart (score ~1/3).
    stuck = np.zeros((len(codes), 1))
    assert dis.factor_vae_score(np.concatenate([stuck, codes], axis=1), factors) == 1.0
    assert dis.factor_vae_score(stuck, factors) == 0.0  # nothing left: 0, as disentanglement_lib


def test_same_seed_same_scores():
    codes, factors = _aligned()
    codes = codes @ (np.eye(3) - 2 / 3)  # mixed (as above), so no score sits at a bound
    a, b = dis.scores(codes, factors, seed=3), dis.scores(codes, factors, seed=3)
    assert [a.mig, a.sap, a.dci_d, a.dci_c, a.dci_i, a.factor_vae] == [
        b.mig,
        b.sap,
        b.dci_d,
        b.dci_c,
        b.dci_i,
        b.factor_vae,
    ]
    np.testing.assert_array_equal(a.mi_normalised, b.mi_normalised)
    c = dis.scores(codes, factors, seed=4)
    assert c.factor_vae != a.factor_vae or c.dci_d != a.dci_d  # the seed does reach the draws


def test_small_grids_split_in_proportion_and_bad_factors_are_refused():
    train, test = dis.train_test_rows(2400, seed=0)
    assert (len(train), len(test)) == (1600, 800) and not set(train) & set(test)
    codes, factors = _aligned(tiles=1)
    with pytest.raises(ValueError, match="single value"):
        dis.mig(codes, np.concatenate([factors, np.zeros((len(factors), 1), int)], axis=1))
    with pytest.raises(ValueError, match="integer"):
        dis.mig(codes, factors + 0.5)
