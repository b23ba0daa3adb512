"""Select, compare, explain (aecore.analysis.compare): a selection's summary, its CSV, how spread the
same examples are elsewhere, PCA as a model, and the attribute-vector acceptance line on MNIST."""

from __future__ import annotations

import csv
import io

import numpy as np
import torch

from aecore.analysis import coding
from aecore.analysis import compare as C
from aecore.analysis.pca import pca_fit
from aecore.models import ModelConfig, build_model


def test_points_in_polygon_uses_the_even_odd_rule():
    pts = np.array([[0.5, 0.5], [1.5, 0.5], [0.5, 1.5], [-0.1, 0.2]])
    square = [[0, 0], [1, 0], [1, 1], [0, 1]]
    assert C.points_in_polygon(pts, square).tolist() == [True, False, False, False]
    ell = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]  # an L: (1.5, 1.5) is in its notch
    assert C.points_in_polygon(np.r_[pts, [[1.5, 1.5]]], ell).tolist() == [True, True, True, False, False]
    assert not C.points_in_polygon(pts, [[0, 0], [1, 1]]).any()  # two points enclose nothing


def test_relative_spread_tells_a_cluster_from_a_scatter():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(400, 3))
    codes[:50] = 5 + 0.05 * rng.normal(size=(50, 3))  # a tight cluster
    tight, loose = C.relative_spread(codes, np.arange(50)), C.relative_spread(codes, np.arange(50, 400))
    assert tight < 0.05 and loose > 10 * tight
    assert C.relative_spread(codes, [3]) == 0.0


def _tiny_model(k=2, d=16):
    torch.manual_seed(0)
    return build_model(ModelConfig(family="ae", input_dim=d, latent_dim=k, hidden=(8,))).eval()


def test_a_selection_summary_counts_decodes_and_strips():
    model = _tiny_model()
    x = torch.rand(30, 16)
    labels = np.array([0] * 10 + [1] * 12 + [2] * 8)
    codes = coding.encode_array(model, x)
    idx = np.r_[0:4, 10:20, 25]  # four 0s, ten 1s, one 2
    s = C.summarise_selection(model, x, labels, codes, idx, n_classes=3, steps=5)
    assert s.counts.tolist() == [4, 10, 1] and s.top2 == (1, 0) and abs(s.share(1) - 10 / 15) < 1e-9
    assert np.allclose(s.mean_input, x[idx].numpy().mean(0))
    assert np.allclose(s.decoded_mean, coding.decode_array(model, codes[idx].mean(0)[None])[0], atol=1e-6)
    err = ((x[idx].numpy() - coding.reconstruct_array(model, x[idx])) ** 2).mean(1).mean()
    assert abs(s.mean_error - err) < 1e-6
    b = s.boundary  # from the 1s' mean code to the 0s'
    assert b.images.shape == (5, 16) and not b.low.any()
    assert np.allclose(b.z[0], codes[10:20].mean(0), atol=1e-6) and np.allclose(b.z[-1], codes[0:4].mean(0), atol=1e-6)
    assert C.summarise_selection(model, x, labels, codes, [10, 11], 3).boundary is None  # one class only


def test_the_selection_csv_has_one_row_per_example():
    codes = np.arange(12, dtype=np.float32).reshape(6, 2)
    labels = np.array([0, 1, 1, 0, 2, 2])
    rows = list(csv.reader(io.StringIO(C.selection_csv([1, 4, 5], labels, codes, ["a", "b", "c"]).decode())))
    assert rows[0] == ["index", "label", "class", "z1", "z2"]
    assert rows[1:] == [["1", "1", "b", "2", "3"], ["4", "2", "c", "8", "9"], ["5", "2", "c", "10", "11"]]


def test_the_pca_baseline_is_pca():
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5))).astype(np.float32)
    model = C.pca_baseline(x, k=2)
    pca = pca_fit(x, 2)
    z = coding.encode_array(model, torch.as_tensor(x))
    assert np.allclose(z, pca.scores(x), atol=1e-3)
    assert np.allclose(coding.reconstruct_array(model, torch.as_tensor(x)), pca.reconstruct(x), atol=1e-3)


def test_moving_3s_toward_8_makes_a_pixel_classifier_call_them_8(data_root):
    """The acceptance line: test 3s' codes moved along mean(8) - mean(3) (training codes) decode to
    images that a logistic regression on training pixels calls 8 far more often than before."""
    from aecore.analysis.density import latent_density
    from aecore.data.sets import load_dataset
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import find_model

    model = load_checkpoint(find_model("mnist-ae-16d").path).model
    ds = load_dataset("mnist", root=data_root)
    xtr, ytr = ds.x_train[:20000], ds.y_train[:20000].numpy()
    means = C.class_mean_codes(coding.encode_array(model, xtr), ytr, 10)
    threes = ds.x_test[ds.y_test == 3][:300]
    clf = C.pixel_classifier(xtr.numpy(), ytr, n=4000)
    density = latent_density(coding.encode_array(model, xtr[:5000]))
    mv = C.attribute_move(model, coding.encode_array(model, threes), means[8] - means[3], 1.0, density, clf, 8)
    assert mv.called_before < 0.1 and mv.called_after > mv.called_before + 0.3
    assert np.allclose(mv.z_after - mv.z_before, means[8] - means[3], atol=1e-4)
    assert 0 <= mv.dense_after <= 1 and mv.dense_before > 0.5


# ---------------------------------------------------------------- progress and the disk cache (issue 31)


def _blobs(n=300, d=12, classes=3, seed=0):
    """Three well-separated Gaussian blobs ``(n, d)`` with their labels: a classifier's tiny fixture."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    centres = 3 * rng.normal(size=(classes, d))
    return (centres[y] + rng.normal(size=(n, d))).astype(np.float32), y


def _increasing_to_one(reports):
    fractions = [f for f, _ in reports]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0, fractions
    assert all(b >= a for a, b in zip(fractions, fractions[1:])), fractions
    assert all(isinstance(t, str) and t for _, t in reports)


def test_the_pixel_classifier_reports_growing_fractions_ending_at_one():
    x, y = _blobs()
    reports = []
    clf = C.pixel_classifier(x, y, on_progress=lambda f, t: reports.append((f, t)))
    _increasing_to_one(reports)
    assert len(reports) > 3  # one per iteration, not just start and end
    assert 0 < reports[len(reports) // 2][0] < 1
    assert (clf.predict(x) == y).mean() > 0.95
    assert C.pixel_classifier(x, y).predict(x).tolist() == clf.predict(x).tolist()  # deterministic


def test_the_pixel_classifier_agrees_with_scikit_learns_logistic_regression():
    """The same model as LogisticRegression(C=0.5), fitted by hand so that it can report progress."""
    from sklearn.linear_model import LogisticRegression

    x, y = _blobs(n=400, d=20, classes=4, seed=1)
    x += np.random.default_rng(2).normal(scale=3, size=x.shape).astype(np.float32)  # classes overlap
    ours = C.pixel_classifier(x, y).predict(x)
    theirs = LogisticRegression(C=C.CLASSIFIER_C, max_iter=C.CLASSIFIER_MAX_ITER).fit(x, y).predict(x)
    assert (ours == theirs).mean() > 0.98


def test_the_pca_baseline_reports_progress():
    x, _ = _blobs()
    reports = []
    C.pca_baseline(x, 2, on_progress=lambda f, t: reports.append((f, t)))
    _increasing_to_one(reports)


def test_prepare_keeps_the_classifier_and_the_baseline_on_disk(tmp_path, monkeypatch):
    """The second call reads the first one's file: no second fit, the same predictions."""
    from aecore.data.sets import load_dataset
    from aecore.lecture import prepare

    monkeypatch.setenv("LATENTLAB_CACHE", str(tmp_path))
    fits = []
    fit, pca = C.pixel_classifier, C.pca_baseline
    monkeypatch.setattr(C, "pixel_classifier", lambda *a, **k: fits.append("clf") or fit(*a, **k))
    monkeypatch.setattr(C, "pca_baseline", lambda *a, **k: fits.append("pca") or pca(*a, **k))
    ds = load_dataset("digits")
    reports = []
    first = prepare.pixel_classifier("digits", on_progress=lambda f, t: reports.append((f, t)), ds=ds)
    again = prepare.pixel_classifier("digits", on_progress=lambda f, t: reports.append((f, t)))
    _increasing_to_one(reports)  # only the fit reported: reading the file says nothing
    assert fits == ["clf"] and (again.predict(ds.x_test) == first.predict(ds.x_test)).all()
    b1, b2 = prepare.pca_baseline("digits", ds=ds), prepare.pca_baseline("digits")
    assert fits == ["clf", "pca"]
    assert np.allclose(coding.encode_array(b1, ds.x_test), coding.encode_array(b2, ds.x_test), atol=1e-5)
    assert {p.name.split("-")[0] for p in (tmp_path / "prepared").iterdir()} == {"pixel", "pca"}
    assert "pixel classifier and PCA baseline of digits" in [label for label, _ in prepare.compare_items()]


def test_a_compared_sides_steps_report_growing_fractions(tmp_path, monkeypatch):
    """latentlab.ui.loaders.side_for (the Compare page's planes) says each step before it starts, ending at 1.0,
    for a library model and for the PCA baseline."""
    from latentlab.ui import loaders

    monkeypatch.setenv("LATENTLAB_CACHE", str(tmp_path))
    for name in ("digits-ae-2d", C.PCA_BASELINE):
        reports: list = []
        side = loaders.side_for(name, "digits", on_progress=lambda f, t, r=reports: r.append((f, t)))
        _increasing_to_one(reports)
        assert side.codes.shape[1] == 2 and len(side.points) == len(side.codes)
