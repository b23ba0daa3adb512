"""Anomaly demo: scores, ROC/AUC, confusion counts, held-out class, distance to M, and the
MNIST-vs-Fashion-MNIST AUC."""

import numpy as np
import pytest
import torch
from demo_fixtures import line_projector, shipped

from aecore.analysis import anomaly
from aecore.data.sets import load_dataset
from latentlab.figures.demos import distance_contour_figure, roc_figure, score_histogram_figure


def _rank_auc(s_in, s_out):
    """AUC by definition: P(out scores higher than in), ties counting half."""
    d = np.asarray(s_out)[:, None] - np.asarray(s_in)[None]
    return float(((d > 0) + 0.5 * (d == 0)).mean())


def test_roc_auc_extremes_and_definition():
    assert anomaly.roc(np.array([0.1, 0.2]), np.array([0.3, 0.4])).auc == pytest.approx(1.0)
    assert anomaly.roc(np.array([0.3, 0.4]), np.array([0.1, 0.2])).auc == pytest.approx(0.0)
    rng = np.random.default_rng(0)
    s_in, s_out = rng.normal(0, 1, 300), rng.normal(1, 1, 200)
    r = anomaly.roc(s_in, s_out)
    assert r.auc == pytest.approx(_rank_auc(s_in, s_out))
    assert r.fpr[0] == 0 and r.tpr[-1] == 1 and np.all(np.diff(r.fpr) >= 0)
    assert f"{r.auc:.3f}" in roc_figure(r, (0.1, 0.5)).layout.title.text


def test_confusion_counts():
    cm = anomaly.confusion_at(np.array([0.1, 0.2, 0.5]), np.array([0.4, 0.6, 0.05, 0.9]), threshold=0.3)
    assert (cm.tp, cm.fp, cm.tn, cm.fn) == (3, 1, 2, 1)
    assert cm.tpr == pytest.approx(0.75) and cm.fpr == pytest.approx(1 / 3)
    assert anomaly.threshold_for_fpr(np.arange(101.0), 0.05) == pytest.approx(95.0)


def test_worst_indices_and_histogram():
    s = np.array([0.3, 0.9, 0.1, 0.5])
    assert anomaly.worst_indices(s, 2).tolist() == [1, 3]
    fig = score_histogram_figure(s[:2], s[2:], threshold=0.4)
    assert len(fig.data) == 2 and fig.layout.xaxis.type == "log"
    assert sum(fig.data[0].y) == pytest.approx(1.0)  # fractions of each set


def test_scores_are_squared_distance_to_m():
    m = line_projector((1.0, 0.0))  # M = the x₁ axis; g∘f drops x₂
    x = torch.tensor([[0.5, 0.0], [0.2, 0.3], [-1.0, -2.0]])
    assert np.allclose(anomaly.recon_scores(m, x), np.array([0.0, 0.09, 4.0]) / 2)  # mean over 2 coords
    dm = anomaly.distance_map(m, x, n=21)
    gy = np.repeat(dm.ys[:, None], len(dm.xs), 1)
    assert np.allclose(dm.dist, np.abs(gy), atol=1e-5)  # distance to the x₁ axis is |x₂|
    fig = distance_contour_figure(dm, x.numpy(), manifold=np.c_[dm.xs, 0 * dm.xs])
    assert fig.data[0].type == "contour"


def test_held_out_indices_and_subsets():
    y = np.array([0, 3, 1, 3, 2])
    i_in, i_out = anomaly.held_out_indices(y, 3)
    assert i_in.tolist() == [0, 2, 4] and i_out.tolist() == [1, 3]
    sub = anomaly.subset_indices(100, 10, seed=1)
    assert len(sub) == 10 and np.all(np.diff(sub) > 0)
    assert np.array_equal(anomaly.subset_indices(5, 10), np.arange(5))


def test_model_without_a_class_scores_that_class_higher():
    """Train on digits without '0' (a few seconds): its reconstructions of 0s are worse."""
    ds = load_dataset("digits")
    m = anomaly.train_without_class(ds, 0, epochs=15)
    i_in, i_out = anomaly.held_out_indices(ds.y_test, 0)
    s = anomaly.score_sets(m, ds.x_test[i_in], ds.x_test[i_out])
    assert anomaly.roc(s.scores_in, s.scores_out).auc > 0.6


def test_mnist_ae_flags_fashion_mnist_auc_above_09(data_root):
    """Acceptance: mnist-ae-2d scoring the 10,000 MNIST test images (in) against the 10,000
    Fashion-MNIST test images (out) by reconstruction MSE: AUC > 0.9 (measured: 0.970)."""
    m, f = load_dataset("mnist", root=data_root), load_dataset("fashion-mnist", root=data_root)
    s = anomaly.score_sets(shipped("mnist-ae-2d"), m.x_test, f.x_test)
    auc = anomaly.roc(s.scores_in, s.scores_out).auc
    print(f"MNIST AE, MNIST test vs Fashion-MNIST test: AUC = {auc:.4f}")
    assert auc > 0.9


def test_the_percentile_threshold_flags_the_rest_of_the_normal_scores():
    from aecore.analysis.anomaly import threshold_at_percentile

    s = np.arange(100, dtype=float)  # 0 … 99
    t = threshold_at_percentile(s, 95)
    assert (s > t).mean() == 0.05 and threshold_at_percentile(s, 50) == 49.5
