"""The explorer's computations: code density and its low-density threshold, decoded probes,
manifold grids (incl. Gaussian-quantile spacing), interpolation, click parsing and figures."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import norm

from aecore.analysis import coding
from aecore.analysis import explore as E
from aecore.analysis.coding import interpolate
from aecore.analysis.density import LOW_DENSITY_QUANTILE, KernelDensity
from aecore.analysis.projection import view_bounds
from aecore.data.sets import load_dataset
from aecore.models import build_model, config_for
from latentlab.figures.explore import density_path_figure


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    """Two tight 2-D clusters far apart: codes (2000, 2)."""
    g = np.random.default_rng(0)
    return np.r_[g.normal([-3, 0], 0.5, (1000, 2)), g.normal([3, 1], 0.5, (1000, 2))].astype(np.float32)


@pytest.fixture(scope="module")
def model():
    """An untrained MLP AE on the 8×8 digits (decoding only needs *a* decoder)."""
    torch.manual_seed(0)
    return build_model(config_for(load_dataset("digits"), "ae", 2)).eval()


def exact_kde(codes, z, bw):
    d2 = (((z[:, None, :] - codes[None]) / bw) ** 2).sum(-1)
    return np.exp(-0.5 * d2).sum(1) / (len(codes) * (2 * np.pi) ** (codes.shape[1] / 2) * np.prod(bw))


# ---------------------------------------------------------------- density


def test_binned_density_matches_exact_kde_and_integrates_to_one(blobs):
    dens = KernelDensity(blobs)
    pts = np.array([[-3, 0], [3, 1], [-2.5, 0.4], [0, 0.5], [3.4, 0.2]], np.float64)
    exact = exact_kde(blobs.astype(np.float64), pts, dens.bandwidth)
    got = dens(pts)
    assert np.allclose(got[[0, 1, 2, 4]], exact[[0, 1, 2, 4]], rtol=0.05)  # dense points: within 5 %
    assert got[3] < 0.05 * got[0]  # between the clusters: nearly empty
    xs, ys, d = dens.grid((-8, 8), (-6, 7), 200)
    area = (xs[1] - xs[0]) * (ys[1] - ys[0])
    assert d.sum() * area == pytest.approx(1.0, abs=0.03)
    assert dens(np.array([40.0, 40.0]))[0] == 0.0  # far outside: nothing


def test_low_density_threshold_is_the_training_quantile(blobs):
    dens = KernelDensity(blobs)
    low_share = np.mean(dens.is_low(dens(blobs)))
    assert low_share == pytest.approx(LOW_DENSITY_QUANTILE, abs=0.01)
    assert dens.is_low(dens(np.array([0.0, 6.0]))[0]) is True  # empty space
    assert dens.is_low(dens(np.array([-3.0, 0.0]))[0]) is False  # a cluster centre
    assert dens.percentile(0.0) == 0.0
    assert dens.percentile(dens(np.array([-3.0, 0.0]))[0]) > 90
    assert dens.percentile(dens.threshold) == pytest.approx(100 * LOW_DENSITY_QUANTILE, abs=1.0)


def test_density_in_three_dimensions_uses_exact_kde():
    g = np.random.default_rng(1)
    codes = g.normal(0, 1, (3000, 3))
    dens = KernelDensity(codes, max_points=3000)
    pts = np.array([[0, 0, 0], [1, -1, 0.5], [6, 6, 6]], np.float64)
    assert np.allclose(dens(pts), exact_kde(codes, pts, dens.bandwidth), rtol=1e-6)
    assert dens.is_low(dens(pts)).tolist() == [False, False, True]
    with pytest.raises(ValueError, match="2-D"):
        dens.grid((0, 1), (0, 1))
    with pytest.raises(ValueError, match="dimensions"):
        dens(np.zeros(2))


# ---------------------------------------------------------------- probes and clicks


def test_probe_decodes_and_finds_true_nearest_neighbours(model, blobs):
    dens = KernelDensity(blobs)
    z = np.array([2.9, 1.1], np.float32)
    pr = E.probe(model, z, dens, blobs, n_neighbours=4)
    assert pr.image.shape == (64,)
    assert np.allclose(pr.image, coding.decode_array(model, z)[0])
    brute = np.argsort(((blobs - z) ** 2).sum(1))[:4]
    assert pr.neighbours.tolist() == brute.tolist()
    assert np.all(np.diff(pr.distances) >= 0)
    assert not pr.low_density
    far = E.probe(model, np.array([0.0, 9.0]), dens, blobs)
    assert far.low_density and far.density < dens.threshold and far.percentile == 0.0


@pytest.mark.parametrize("k", [2, 16])
def test_nearest_indices_kd_tree_agrees_with_brute_force(k):
    rng = np.random.default_rng(k)
    codes = rng.normal(size=(coding._TREE_MIN + 500, k)).astype(np.float32)  # big enough for the tree
    for z in rng.normal(size=(20, k)) * 1.5:
        d = ((codes.astype(np.float64) - z) ** 2).sum(1)
        got = coding.nearest_indices(codes, z, 7)
        assert np.array_equal(got, np.argsort(d)[:7])
        small = coding.nearest_indices(codes[:500], z, 7)  # the brute-force path
        assert np.array_equal(small, np.argsort(d[:500])[:7])
    # One tree per array, reused; another array gets its own; n larger than the set is clipped.
    assert coding._tree_for(codes) is coding._tree_for(codes)
    other = codes + 1.0
    assert coding.nearest_indices(other, codes[3] + 1.0, 1)[0] == 3
    assert len(coding.nearest_indices(codes[:3], codes[0], 10)) == 3


def test_strip_image_puts_frames_in_one_row_and_flags_low_ones():
    rng = np.random.default_rng(0)
    frames = rng.uniform(size=(5, 64)).astype(np.float32)  # five 8 x 8 images
    img = coding.strip_image(frames, (1, 8, 8), flags=[False, True, False, False, True])
    assert img.shape == (8 + 1 + 2, 5 * 8 + 4, 3) and img.dtype == np.uint8
    for i in range(5):
        tile = img[:8, i * 9 : i * 9 + 8, 0]
        assert np.array_equal(tile, coding.to_display(frames[i], (1, 8, 8), 1))
        bar = img[9:, i * 9 : i * 9 + 8]
        assert (bar == coding.FLAG_RGB).all() if i in (1, 4) else (bar == 255).all()
    assert (img[:, 8] == 255).all()  # a white gutter between frames


def test_view_bounds_pad_beyond_the_codes(blobs):
    (x0, x1), (y0, y1) = view_bounds(blobs, pad=0.15)
    assert x0 < blobs[:, 0].min() and x1 > blobs[:, 0].max()
    assert y0 < blobs[:, 1].min() and y1 > blobs[:, 1].max()


# ---------------------------------------------------------------- manifold grid


def test_grid_axis_spacings():
    assert np.allclose(E.grid_axis(-2, 2, 5), [-2, -1, 0, 1, 2])
    keras = norm.ppf(np.linspace(0.05, 0.95, 15))
    assert np.allclose(E.grid_axis(norm.ppf(0.05), norm.ppf(0.95), 15, "gaussian"), keras)
    gauss = E.grid_axis(-2, 2, 9, "gaussian")
    assert np.allclose(np.diff(norm.cdf(gauss)), np.diff(norm.cdf(gauss))[0])  # equal prior mass per step
    assert np.diff(gauss)[4] < np.diff(gauss)[0]  # denser near 0 than in the tails
    with pytest.raises(ValueError):
        E.grid_axis(1, 1, 5)
    with pytest.raises(ValueError):
        E.grid_axis(0, 1, 5, "log")


def test_grid_points_read_like_the_picture():
    p = E.grid_points((0, 2), (10, 12), 3)
    assert p.shape == (9, 2)
    assert p[0].tolist() == [0, 12]  # top-left
    assert p[2].tolist() == [2, 12]  # top-right
    assert p[-1].tolist() == [2, 10]  # bottom-right


def test_manifold_grid_decodes_every_point_and_applies_lift(model):
    pts, imgs = E.manifold_grid(model, (-1, 1), (-1, 1), 4)
    assert imgs.shape == (16, 64)
    assert np.allclose(imgs, coding.decode_array(model, pts))
    # A lift (a projection's inverse) is applied before decoding.
    _, lifted = E.manifold_grid(model, (-1, 1), (-1, 1), 4, lift=lambda p: p * 3)
    assert np.allclose(lifted, coding.decode_array(model, pts * 3))
    assert not np.allclose(lifted, imgs)


# ---------------------------------------------------------------- interpolation


def test_interpolate_is_an_even_straight_path():
    z = interpolate([0, 0, 0], [1, 2, 3], 11)
    assert z.shape == (11, 3)
    assert np.allclose(z[0], 0) and np.allclose(z[-1], [1, 2, 3])
    assert np.allclose(np.diff(z, axis=0), [0.1, 0.2, 0.3], atol=1e-6)
    with pytest.raises(ValueError, match="dimensions"):
        interpolate([0, 0], [1, 1, 1], 8)


def test_interpolation_strip_flags_the_gap_between_clusters(model, blobs):
    dens = KernelDensity(blobs)
    for bad in (1, 65):  # a strip is 2 to 64 frames
        with pytest.raises(ValueError, match="steps"):
            E.interpolation_strip(model, [-3, 0], [3, 1], bad, dens)
    it = E.interpolation_strip(model, [-3, 0], [3, 1], 12, dens)
    assert it.images.shape == (12, 64) and it.z.shape == (12, 2) and it.density.shape == (12,)
    assert np.allclose(it.density, dens(it.z))
    assert not it.low[0] and not it.low[-1]  # both ends sit in clusters
    assert it.low[5] and it.low[6]  # the middle crosses empty space


def test_first_of_classes_and_slider_ranges():
    assert E.first_of_classes(np.array([3, 1, 0, 1, 0]), 0, 1) == (2, 1)
    assert E.first_of_classes(np.array([5, 5]), 0, 1) == (0, 1)
    r = E.slider_ranges(np.array([[0.0, 10.0], [1.0, 20.0]]), pad=0.5)
    assert np.allclose(r, [[-0.5, 1.5], [5.0, 25.0]])


# ---------------------------------------------------------------- figures


def test_density_path_figure_marks_low_frames():
    fig = density_path_figure(np.linspace(0, 1, 5), np.array([1.0, 0.5, 0.01, 0.5, 1.0]), threshold=0.1)
    low = next(t for t in fig.data if t.name == "extrapolating")
    assert list(low.x) == [0.5]


# ---------------------------------------------------------------- the page (no browser)


def test_page_with_k3_model_projects_and_sliders_set_z(user_models, tmp_path, monkeypatch):
    """k > 2: the page shows the PCA plane with the 'approximate' notice, and the per-dimension
    sliders set z directly (decoded, with a density and, far out, the warning)."""
    import os

    from streamlit.testing.v1 import AppTest

    from aecore.training.fit import TrainConfig
    from aecore.training.recipes import Recipe, train_recipe

    monkeypatch.setenv("LATENTLAB_CACHE", str(tmp_path / "cache"))
    train_recipe(
        Recipe(dataset="digits", model="ae", latent_dim=3, hidden=(32,), train=TrainConfig(epochs=2)),
        out=user_models / "tiny-k3",
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    monkeypatch.chdir(root)  # page scripts import latentlab.ui.loaders, latentlab.ui.state, latentlab.ui.theme
    at = AppTest.from_file(os.path.join(root, "latentlab", "ui", "pages", "explorer.py"), default_timeout=120)
    at.query_params["ex_model"] = "tiny-k3"
    at.run()
    assert not at.exception
    assert any("PCA" in i.value and "approximate" in i.value for i in at.info)
    assert [at.slider(key=f"ex_zs_{i}") is not None for i in range(3)] == [True] * 3
    s = at.slider(key="ex_zs_0")
    s.set_value(float(s.max)).run()
    assert not at.exception
    z = at.session_state["ex_z"]
    assert len(z) == 3 and z[0] == pytest.approx(float(s.max))
    assert len(at.metric) >= 1  # the code density at z is shown
    # Every picture goes as a lossless PNG (Streamlit's default for arrays is a quality-100 JPEG):
    # the decoded image, the neighbours' row, the manifold grid and the interpolation frames.
    urls = [im.url for el in at.get("image") for im in el.proto.imgs]
    assert len(urls) >= 3 and all(u.endswith(".png") for u in urls), urls
    assert list((tmp_path / "cache" / "projections").glob("*-test-pca.npz"))  # projection cached on disk


def test_interpolation_plays_as_a_film():
    """The A → B walk animates in the browser: a frame per decoded image, Play/Pause, and a frame
    where g extrapolates says so."""
    from latentlab.figures.explore import interpolation_animation

    imgs = np.random.default_rng(0).random((5, 4 * 3)).astype(np.float32)
    low = np.array([False, False, True, False, False])
    fig = interpolation_animation(imgs, (1, 4, 3), np.linspace(0, 1, 5), low)
    assert len(fig.frames) == 5 and np.asarray(fig.frames[2].data[0].z).shape == (4, 3)
    assert np.allclose(np.asarray(fig.frames[4].data[0].z), imgs[4].reshape(4, 3)[::-1])
    assert "extrapolating" in fig.frames[2].layout.title.text and "extrapolating" not in fig.frames[1].layout.title.text
    assert any("Play" in b.label for b in fig.layout.updatemenus[0].buttons)
