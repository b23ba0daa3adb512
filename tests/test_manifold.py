"""The representation picture on toy data, without a browser: geometry of M (aecore.analysis.manifold),
toy training and its time-lapse (toy), PCA as a model (pca), the overfitting preset (overfit), and their figures.

Models are tiny and trained for a few seconds, seeded, so every assertion is repeatable.
"""

from __future__ import annotations

import numpy as np
import pytest

from aecore.analysis import manifold as mf
from aecore.analysis.density import relative_kde
from aecore.analysis.overfit import OVERFIT, overfit_run
from aecore.analysis.pca import deep_vs_pca, linear_vs_pca, pca_fit, principal_angles
from aecore.analysis.toy import timelapse_epochs, train_toy
from aecore.data.sets import load_dataset
from latentlab.figures import manifold as mfig
from latentlab.figures.base import trace_values
from latentlab.figures.pca import linear_pca_figure, matrix_latex
from latentlab.figures.timelapse import timelapse_animation, timelapse_schedule_text


def _fit_toy(name: str, k: int, family: str, epochs: int, n: int = 400, hidden=(32, 32)):
    # Small batches and a larger step than the page's recipe: converged in a few hundred steps.
    ds = load_dataset(name, n=n)
    run = train_toy(
        ds, k, family, seed=0, epochs=epochs, hidden=hidden if family == "ae" else None, lr=1e-2, batch_size=64
    )
    return run.model, ds


@pytest.fixture(scope="module")
def parabola():
    model, ds = _fit_toy("parabola", 1, "ae", epochs=60)
    return model, ds, mf.manifold_view(model, ds)


@pytest.fixture(scope="module")
def line_linear():
    return _fit_toy("line", 1, "linear-ae", epochs=40)


@pytest.fixture(scope="module")
def plane_linear():
    return _fit_toy("plane", 2, "linear-ae", epochs=40)


# ---------------------------------------------------------------- grid and density


def test_latent_grid_reaches_beyond_the_codes():
    codes = np.array([[0.0], [1.0], [2.0]])
    grid, shape = mf.latent_grid(codes, n=101, margin=0.25)
    assert shape == (101,) and grid.shape == (101, 1)
    assert grid[0, 0] == pytest.approx(-0.5) and grid[-1, 0] == pytest.approx(2.5)
    g2, s2 = mf.latent_grid(np.array([[0.0, 0.0], [1.0, 2.0]]), n=11, margin=0.5)
    assert s2 == (11, 11) and g2.shape == (121, 2)
    assert g2[:, 1].min() == pytest.approx(-1.0) and g2[:, 1].max() == pytest.approx(3.0)


def test_reliability_is_smooth_and_fades_away_from_codes():
    rng = np.random.default_rng(0)
    codes = rng.uniform(-1, 1, (500, 1))
    grid, _ = mf.latent_grid(codes, n=401, margin=0.5)
    rel = mf.reliability(relative_kde(codes, grid), relative_kde(codes, codes))
    assert rel.max() == pytest.approx(1.0)
    assert rel[0] < 0.01 and rel[-1] < 0.01  # far beyond the codes: extrapolation
    mid = np.abs(grid[:, 0]) < 0.5
    assert rel[mid].min() > 0.95  # solid where the codes are
    # No hard cut-off: between the solid middle and the faint end, intermediate values occur,
    # and neighbouring grid points never jump by more than a small step.
    assert ((rel > 0.1) & (rel < 0.9)).sum() >= 10
    assert np.abs(np.diff(rel)).max() < 0.1
    alpha = mf.fade_alpha(rel)
    assert alpha.min() >= mf.ALPHA_FLOOR - 1e-9 and alpha.max() == pytest.approx(1.0)


# ---------------------------------------------------------------- shape of M, x̂ on M


def test_parabola_curve_has_the_right_shape(parabola):
    model, ds, v = parabola
    assert v.k == 1 and v.m.shape == (mf.GRID_N[1], 2) and v.grid_shape == (mf.GRID_N[1],)
    # The grid reaches beyond the codes on both sides.
    assert v.grid_z[0, 0] < v.code_lo[0] and v.grid_z[-1, 0] > v.code_hi[0]
    solid = v.m[v.reliability > 0.5]
    # Where the codes are dense, M follows y = x² and covers the data's x range.
    assert np.abs(solid[:, 1] - solid[:, 0] ** 2).mean() < 0.05
    assert solid[:, 0].min() < -0.8 and solid[:, 0].max() > 0.8
    # Ends of the drawing are extrapolated: faded.
    assert v.reliability[0] < 0.05 and v.reliability[-1] < 0.05


def test_xhat_lies_on_m_within_grid_resolution(parabola, plane_linear):
    model, ds, v = parabola
    d = mf.distance_to_manifold(v.xhat, v.m, v.grid_shape)
    assert d.max() <= v.resolution
    assert v.xhat_dist_to_m < 0.1 * v.x_dist_to_m  # x is off M, x̂ on it
    model2, ds2 = plane_linear
    v2 = mf.manifold_view(model2, ds2)
    d2 = mf.distance_to_manifold(v2.xhat, v2.m, v2.grid_shape)
    assert d2.max() <= v2.resolution


def test_plane_surface_has_the_right_shape(plane_linear):
    model, ds = plane_linear
    v = mf.manifold_view(model, ds, n_grid=31)
    g = v.m_grid()
    assert g.shape == (31, 31, 3)
    # The true plane: x₃ = 0.5 x₁ − 0.3 x₂. Every vertex of the linear AE's M lies on it.
    resid = g[..., 2] - (0.5 * g[..., 0] - 0.3 * g[..., 1])
    assert np.abs(resid).max() < 0.05
    # And the surface is genuinely 2-D: its rows and columns point in independent directions.
    du, dv = g[-1, 0] - g[0, 0], g[0, -1] - g[0, 0]
    cos = abs(du @ dv) / (np.linalg.norm(du) * np.linalg.norm(dv))
    assert cos < 0.99


# ---------------------------------------------------------------- linear AE vs PCA


def test_principal_angles_basics():
    a = np.array([[1.0, 0], [0, 1], [0, 0]])
    assert np.allclose(principal_angles(a, a @ np.array([[2.0, 1], [0, 3]])), 0, atol=1e-6)
    b = np.array([[1.0], [0], [0]])
    c = np.array([[np.cos(np.radians(30))], [np.sin(np.radians(30))], [0]])
    assert principal_angles(b, c)[0] == pytest.approx(30, abs=1e-6)


@pytest.mark.parametrize("which", ["line_linear", "plane_linear"])
def test_linear_ae_spans_the_pca_subspace(which, request):
    model, ds = request.getfixturevalue(which)
    lp = linear_vs_pca(model, ds)
    assert lp.angles_deg.shape == (model.latent_dim,)
    assert lp.max_angle < 5.0
    # Same subspace, other coordinates: PCA scores are an affine function of the AE codes.
    assert lp.residual < 0.05
    assert abs(np.linalg.det(lp.change_of_basis)) > 1e-3  # invertible
    assert lp.ae_mse < 2 * lp.pca_mse + 1e-4


def test_change_of_basis_recovers_a_known_map():
    # Codes that are an exact affine map of the PCA scores → residual 0 and B = the inverse map.
    ds = load_dataset("plane", n=300)
    pca = pca_fit(ds.x_train.numpy(), 2)
    s = pca.scores(ds.x_train.numpy())
    a = np.array([[2.0, 0.5], [-1.0, 1.5]])
    z = s @ np.linalg.inv(a) + 0.3
    za = np.hstack([z, np.ones((len(z), 1))])
    coef, *_ = np.linalg.lstsq(za, s, rcond=None)
    assert np.allclose(coef[:2], a, atol=1e-6)


def test_nonlinear_beats_linear_on_the_parabola(parabola):
    model, ds, v = parabola
    lin, _ = _fit_toy("parabola", 1, "linear-ae", epochs=20)
    assert mf.mse(lin, ds.x_test) > 3 * v.test_mse


# ---------------------------------------------------------------- off-manifold probe


def test_off_manifold_iteration_reduces_distance_to_m(parabola):
    model, ds, v = parabola
    pr = mf.round_trips(model, [0.3, 0.9], v, steps=6)
    assert pr.points.shape == (7, 2) and pr.codes.shape == (6, 1)
    assert pr.dist_to_m[0] > 0.2  # the start is well off M
    assert pr.dist_to_m[1] < 0.1 * pr.dist_to_m[0]  # one pass lands on M
    assert pr.dist_to_m[1:].max() <= v.resolution


# ---------------------------------------------------------------- training helpers


def test_train_toy_is_seeded_and_records_snapshots():
    ds = load_dataset("parabola", n=200)
    a = train_toy(ds, 1, seed=3, epochs=6, snapshot_epochs=(0, 1, 3, 6), hidden=(16,))
    b = train_toy(ds, 1, seed=3, epochs=6, snapshot_epochs=(0, 1, 3, 6), hidden=(16,))
    assert [s.epoch for s in a.snapshots] == [0, 1, 3, 6]
    assert np.allclose(a.snapshots[-1].m, b.snapshots[-1].m)
    assert a.snapshots[0].m.shape == (a.grid_shape[0], 2)
    assert not np.allclose(a.snapshots[0].m, a.snapshots[-1].m)  # M moved while training
    with pytest.raises(ValueError, match="0..6"):
        train_toy(ds, 1, seed=3, epochs=6, snapshot_epochs=(0, 7), hidden=(16,))


def test_timelapse_epochs_are_log_spaced_from_the_untrained_net_to_the_end():
    """The film's frames sit where M changes: every epoch at first (it unfolds within ~10 epochs of
    400), ever further apart later; always 0 and the last epoch, ``frames`` distinct epochs (~0.3 s)."""
    e = timelapse_epochs(400)
    assert len(e) == 40 and e[0] == 0 and e[-1] == 400
    assert all(a < b for a, b in zip(e, e[1:]))  # strictly increasing: no frame twice
    assert e[:11] == list(range(11))  # the unfolding, frame by frame
    gaps = np.diff(e)
    assert gaps[-1] > 10 * gaps[0] and np.all(np.diff(gaps) >= -1)  # denser early, never denser again later
    assert sum(x <= 40 for x in e) > len(e) / 2  # most frames in the first tenth of training
    assert timelapse_epochs(6) == list(range(7))  # a short run: every epoch
    for epochs in range(1, 1200, 7):  # always the number of frames asked for
        for frames in (21, 40):
            got = timelapse_epochs(epochs, frames)
            assert len(got) == min(frames, epochs + 1) and got[0] == 0 and got[-1] == epochs


def test_overfitting_preset_heldout_error_rises():
    # The preset exactly as the page and the tour show it (2000 epochs), so the lecture's curve is
    # the one tested. Measured under ATEN_CPU_CAPABILITY=default/avx2/avx512: held-out error at the
    # end 5.2× its best, never below 5.0× in the last quarter; the margins below leave room.
    run = overfit_run(every=50)
    assert len(run.x_train) == OVERFIT["n_train"]
    assert run.epochs[-1] == OVERFIT["epochs"]
    assert run.train_mse[-1] < 0.1 * run.train_mse[0]
    best = run.heldout_mse.min()
    assert run.best_epoch < run.epochs[-1] // 4  # the minimum comes early…
    last_quarter = run.heldout_mse[len(run.heldout_mse) * 3 // 4 :]
    assert last_quarter.min() > 3 * best  # …and the held-out error rises after it and stays up
    assert run.heldout_mse[-1] > 3 * best


def test_compare_latent_dims_rows(parabola):
    model, ds, v = parabola
    rows = mf.compare_latent_dims({1: model}, ds)
    assert rows[0]["dimension of M"] == 1 and rows[0]["true intrinsic dim"] == 1
    assert rows[0]["test MSE"] == pytest.approx(v.test_mse)


# ---------------------------------------------------------------- figures


def _role(fig, role):
    return [t for t in fig.data if t.meta and t.meta.get("role") == role]


def test_picture_figure_draws_m_faded_segments_and_latent_panel(parabola):
    model, ds, v = parabola
    fig = mfig.picture_figure(v, segments=50)
    (m,) = _role(fig, "M")
    col = np.asarray(m.marker.color)
    drawn, _ = mfig.drawn_grid_index(v.grid_shape)
    assert len(col) == len(drawn) and col[0] < 0.05 and col[-1] < 0.05 and col.max() == pytest.approx(1.0, abs=0.02)
    # Each drawn point names its grid index (clicks and hover still reach the full-resolution M).
    cd = np.asarray(m.customdata)
    assert np.array_equal(cd[:, 0].astype(int), drawn) and np.allclose(cd[:, 1], v.reliability[drawn])
    # The colour scale maps low reliability to low opacity: faded, not cut off.
    alphas = mfig.rgba_alpha([c for _, c in m.marker.colorscale])
    assert alphas[0] == pytest.approx(mf.ALPHA_FLOOR, abs=1e-3) and alphas[-1] == pytest.approx(1.0)
    (seg,) = _role(fig, "segments")
    assert np.isnan(np.asarray(seg.x, dtype=float)).sum() == 50  # 50 separate x → x̂ segments
    assert _role(fig, "x") and _role(fig, "xhat") and _role(fig, "latent-grid") and _role(fig, "codes")
    hl = mfig.picture_figure(v, highlight=("grid", 10))
    assert len(_role(hl, "highlight")) == 2  # one ring per panel


def test_m_legend_swatch_is_solid(parabola):
    """M's legend entry once took the colour of M's first, faded point: white on white."""
    _, _, v = parabola
    fig = mfig.picture_figure(v, segments=10)
    (m,) = _role(fig, "M")
    (swatch,) = _role(fig, "M-legend")
    assert not m.showlegend and swatch.showlegend and swatch.name == m.name
    assert swatch.line.color == "rgb({},{},{})".format(*mfig.M_SOLID)


def test_surface_figure_for_k2_in_3d(plane_linear):
    model, ds = plane_linear
    v = mf.manifold_view(model, ds, n_grid=21)
    fig = mfig.picture_figure(v)
    (surf,) = _role(fig, "M")
    assert surf.type == "mesh3d"
    sc = np.asarray(surf.intensity).reshape(21, 21)  # each vertex's reliability
    assert sc[0, 0] < 0.05 and sc.max() == pytest.approx(1.0)
    assert len(surf.i) == len(surf.j) == len(surf.k) == 2 * 20 * 20  # two triangles per grid cell
    assert max(np.max(surf.i), np.max(surf.j), np.max(surf.k)) == 21 * 21 - 1
    alpha = mfig.rgba_alpha([c for _, c in surf.colorscale])  # low reliability: nearly transparent
    assert alpha[0] == pytest.approx(mf.ALPHA_FLOOR) and alpha[-1] >= 0.7 - 1e-9 and np.all(np.diff(alpha) > 0)
    assert surf.opacity < 1  # else plotly.js ignores the colorscale's alpha and draws the faded edges opaque
    lp = linear_vs_pca(model, ds)
    fig2 = linear_pca_figure(v, lp)
    assert _role(fig2, "pca") and _role(fig2, "M-mesh")
    assert "\\begin{pmatrix}" in matrix_latex(lp.change_of_basis, lp.offset)


# ---------------------------------------------------------------- deep AE vs PCA on real images


def test_pca_fit_by_scatter_matrix_matches_svd():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 5)) @ rng.standard_normal((5, 5))  # many more rows than columns
    a = pca_fit(x, 3)
    _, s, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    assert np.allclose(np.abs(a.basis.T @ vt[:3].T), np.eye(3), atol=1e-8)
    assert np.allclose(a.variance, s[:3] ** 2 / 399)


def test_deep_vs_pca_on_digits_shows_errors_per_image():
    from demo_fixtures import shipped

    ds = load_dataset("digits")
    r = deep_vs_pca(shipped("digits-ae-16d"), ds, n_show=6)
    assert r.k == 16 and r.x.shape == r.pca_recon.shape == r.ae_recon.shape == (6, 64)
    assert r.pca_err.shape == r.ae_err.shape == (6,)
    # The mean per image is the model's test MSE summed over the 64 pixels.
    assert r.ae_mean_err == pytest.approx(mf.mse(shipped("digits-ae-16d"), ds.x_test) * 64, rel=1e-4)
    assert r.ae_mean_err < r.pca_mean_err  # nonlinear 16-D code beats PCA-16 (0.0074 vs 0.0118 per pixel)


def test_shipped_deep_ae_beats_hinton_and_pca30_on_mnist(data_root):
    """mnist-ae-30d (784-1000-500-250-30) has squared error per test image 2.99: below the paper's
    3.00 (Hinton & Salakhutdinov; PCA-30: 13.87 there and here). Issue 15 asks for ≤ 2.9: not yet."""
    from demo_fixtures import shipped

    r = deep_vs_pca(shipped("mnist-ae-30d"), load_dataset("mnist", root=data_root), n_show=4)
    print(f"MNIST test, squared error per image: deep AE {r.ae_mean_err:.2f}, PCA-30 {r.pca_mean_err:.2f}")
    assert r.ae_mean_err < 3.0
    assert r.pca_mean_err == pytest.approx(13.87, abs=0.01)


def test_timelapse_of_a_surface_moves_the_drawn_vertices():
    """k = 2 in R³: M is a triangle mesh over the thinned grid; each frame moves exactly those vertices
    (a frame with the full grid's vertices would not fit the triangles)."""
    run = train_toy("plane", 2, epochs=2, snapshot_epochs=(0, 1, 2), sample=20)
    v = mf.manifold_view(run.model, run.dataset, sample=len(run.sample_x), n_grid=41)
    fig = timelapse_animation(v, run.snapshots, run.grid_shape, run.sample_x)
    roles = [(t.meta or {}).get("role") for t in fig.data]
    mesh = fig.data[roles.index("M")]
    idx, shape = mfig.drawn_grid_index(run.grid_shape)
    assert mesh.type == "mesh3d" and len(mesh.x) == len(idx) < len(run.snapshots[0].m)
    for f, snap in zip(fig.frames, run.snapshots):
        d = f.data[list(f.traces).index(roles.index("M"))]
        assert np.allclose(np.asarray(d.x, float), snap.m[idx, 0], atol=1e-6)
        assert np.allclose(np.asarray(d.intensity, float), snap.reliability[idx], atol=1e-6)
    assert np.allclose(np.asarray(mesh.x, float), run.snapshots[0].m[idx, 0], atol=1e-6)  # opens on epoch 0


def test_timelapse_animation_plays_in_the_browser():
    """The time-lapse is one figure with a frame per snapshot and a Play button: scrubbing and
    playing happen in the browser, not one server round trip per step."""
    run = train_toy("parabola", 1, epochs=6, snapshot_epochs=(0, 2, 4, 6), sample=30)
    v = mf.manifold_view(run.model, run.dataset, sample=len(run.sample_x), n_grid=101)
    fig = timelapse_animation(v, run.snapshots, run.grid_shape, run.sample_x)
    assert [f.name for f in fig.frames] == [str(s.epoch) for s in run.snapshots]
    roles = [(t.meta or {}).get("role") for t in fig.data]
    assert roles.index("x") not in fig.frames[0].traces  # the data never move: not re-sent per frame
    m_idx = roles.index("M")
    first = fig.frames[0].data[list(fig.frames[0].traces).index(m_idx)]
    assert np.allclose(np.asarray(first.x, dtype=float), run.snapshots[0].m[:, 0], atol=1e-6)
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert any("Play" in lab for lab in labels) and any("Pause" in lab for lab in labels)
    assert fig.layout.sliders[0].active == 0  # opens on the untrained net: the story before its end


@pytest.fixture(scope="module")
def film():
    """A 12-epoch run filmed on the page's log-spaced schedule (8 frames: 0, 1, 2, 3, 4, 6, 8, 12)."""
    epochs = timelapse_epochs(12, frames=8)
    run = train_toy("parabola", 1, epochs=12, snapshot_epochs=epochs, sample=30, n_grid=101)
    v = mf.manifold_view(run.model, run.dataset, sample=len(run.sample_x), n_grid=101)
    return run, timelapse_animation(v, run.snapshots, run.grid_shape, run.sample_x), epochs


def test_timelapse_film_opens_on_epoch_0(film):
    """The class sees the untrained net first: the figure as drawn is the first snapshot, the slider
    stands on its first step and the title and legend say epoch 0 (~1 s with the fixture)."""
    run, fig, epochs = film
    assert [s.epoch for s in run.snapshots] == epochs and epochs[0] == 0 and len(epochs) == 8
    d = fig.to_dict()
    roles = [(t.get("meta") or {}).get("role") for t in d["data"]]
    m = d["data"][roles.index("M")]
    assert np.allclose(trace_values(m["x"]), run.snapshots[0].m[:, 0], atol=1e-6)
    assert not np.allclose(trace_values(m["x"]), run.snapshots[-1].m[:, 0], atol=1e-3)  # not the end
    assert d["layout"]["sliders"][0]["active"] == 0
    assert d["layout"]["title"]["text"] == "Epoch 0"
    assert d["data"][roles.index("M-legend")]["name"] == "M at epoch 0"


def test_timelapse_frame_labels_agree_with_the_snapshot_drawn(film):
    """The lecturer's "epoch 50" on the slider against "M at epoch 40" in the legend: for every frame,
    the frame's name, its slider step (label and value), its title and its legend name the same
    epoch, and the M it draws is that epoch's snapshot (read from the figure's dict, as the browser
    gets it). The caption's words come from the same frames."""
    run, fig, epochs = film
    d = fig.to_dict()
    roles = [(t.get("meta") or {}).get("role") for t in d["data"]]
    steps = d["layout"]["sliders"][0]["steps"]
    assert len(steps) == len(d["frames"]) == len(run.snapshots)
    for step, frame, snap in zip(steps, d["frames"], run.snapshots):
        e = str(snap.epoch)
        assert frame["name"] == e and step["args"][0] == [e] and step["value"] == step["label"] == e
        assert frame["layout"]["title"]["text"] == f"Epoch {e}"
        by_trace = dict(zip(frame["traces"], frame["data"]))
        assert by_trace[roles.index("M-legend")]["name"] == f"M at epoch {e}"
        assert np.allclose(trace_values(by_trace[roles.index("M")]["x"]), snap.m[:, 0], atol=1e-6)
    assert timelapse_schedule_text([int(f["name"]) for f in d["frames"]]) == (
        "8 frames, at epochs spaced logarithmically (0, 1, 2, 3, …, 8, 12): every epoch up to 4, then further apart"
    )


def test_drawn_grid_is_thinned_but_keeps_m_extent():
    """Figures draw at most DRAWN_GRID_LINES lines of M per latent axis (a browser pays per point,
    in software WebGL most of all), always with both ends, so M keeps its extent."""
    for shape in [(801,), (61, 61), (15, 15, 15), (21, 21, 21), (5,)]:
        idx, drawn = mfig.drawn_grid_index(shape)
        cap = mfig.DRAWN_GRID_LINES[len(shape)]
        assert all(d <= cap for d in drawn) and len(idx) == int(np.prod(drawn)) == len(set(idx.tolist()))
        axes = np.unravel_index(idx, shape)
        assert all(a.min() == 0 and a.max() == n - 1 for a, n in zip(axes, shape))
    assert mfig.drawn_grid_index((5,))[1] == (5,)  # a small grid is drawn whole


def test_3d_surface_of_m_is_drawn_thinned():
    """k = 2 in R³: M is drawn as a surface of at most 31 × 31 vertices, with the full grid's corners
    and each vertex's own reliability."""
    g = np.stack(np.meshgrid(np.linspace(0, 1, 61), np.linspace(0, 2, 61), indexing="ij"), -1).reshape(-1, 2)
    m = np.column_stack([g, g.sum(1)])  # (3721, 3): a tilted plane
    rel = np.linspace(0, 1, len(m))
    v = mf.ManifoldView(
        dataset="t",
        k=2,
        dim=3,
        intrinsic_dim=2,
        grid_z=g,
        grid_shape=(61, 61),
        m=m,
        density=rel,
        reliability=rel,
        x=m[:4],
        z=g[:4],
        xhat=m[:4],
        t=None,
        codes=g[:4],
        code_lo=g.min(0),
        code_hi=g.max(0),
        test_mse=0.0,
        x_dist_to_m=0.0,
        xhat_dist_to_m=0.0,
        resolution=0.0,
    )
    (surf,) = [t for t in mfig.m_traces(v) if t.type == "mesh3d"]
    x, z, c = np.asarray(surf.x), np.asarray(surf.z), np.asarray(surf.intensity)
    assert x.shape == (31 * 31,) and x[0] == 0 and x[-1] == 1 and z[-1] == pytest.approx(3.0)
    assert c[0] == 0 and c[-1] == pytest.approx(1.0)


def test_grid_triangles_tile_each_cell_once():
    i, j, k = mfig.grid_triangles(3, 4)  # 2 × 3 cells, two triangles each
    tris = {tuple(sorted(t)) for t in zip(i.tolist(), j.tolist(), k.tolist())}
    assert len(tris) == len(i) == 12
    for a in (0, 5):  # cell (0, 0) and cell (1, 1): its four corners, split along one diagonal
        corners = {a, a + 1, a + 4, a + 5}
        mine = [t for t in tris if set(t) <= corners]
        assert len(mine) == 2 and set(mine[0]) | set(mine[1]) == corners


def test_k_comparison_in_3d_draws_shapes_without_axes(plane_linear):
    """Three 3-D scenes side by side: no axes (their ticks crowded each other, and each scene's
    axes cost drawing time), and M in each."""
    model, ds = plane_linear
    v = mf.manifold_view(model, ds, n_grid=11)
    fig = mfig.k_compare_figure([v, v])
    for scene in ("scene", "scene2"):
        assert all(fig.layout[scene][a].visible is False for a in ("xaxis", "yaxis", "zaxis"))
    assert len(_role(fig, "M")) == 2
