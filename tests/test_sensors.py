"""The sensor-log demo (aecore.data.sensors, the Anomalies page's table): a seeded log whose faults
an AE with k = 3 finds, on every seed the page offers, while a per-channel range check misses the
faults that stay in range."""

from __future__ import annotations

import numpy as np
import pytest

from aecore.analysis import anomaly
from aecore.data import sensors
from aecore.data.sets import load_dataset


def test_the_log_is_seeded_and_labelled():
    a, b = sensors.sensor_log(3), sensors.sensor_log(3)
    assert np.array_equal(a.x_test, b.x_test) and not np.array_equal(a.x_test, sensors.sensor_log(4).x_test)
    assert a.x_train.shape == (6000, 12) and a.x_test.shape == (2400, 12)
    assert np.bincount(a.y_test).tolist() == [1500, 300, 300, 300]
    assert (a.channel_test[a.y_test == 0] == -1).all() and (a.channel_test[a.y_test > 0] >= 0).all()
    assert (a.channel_test[a.y_test == 3] == sensors.FLOW).all()
    # A broken correlation leaves the flow reading inside its usual range: only its relation is wrong.
    flow = a.x_test[a.y_test == 3, sensors.FLOW]
    lo, hi = a.x_train[:, sensors.FLOW].min(), a.x_train[:, sensors.FLOW].max()
    assert ((flow >= lo) & (flow <= hi)).mean() > 0.95


@pytest.mark.parametrize("seed", range(5))  # the seeds the page offers
def test_the_ae_finds_every_fault_and_names_the_channel(seed):
    model, ds = anomaly.train_sensor_detector(seed)
    err = anomaly.channel_errors(model, ds.x_test)  # (N, 12)
    y, score = ds.y_test.numpy(), err.mean(1)
    blame = anomaly.blamed_channel(err, err[y == 0])
    broken = np.asarray(ds.meta["fault_channel"])
    single = anomaly.single_channel_scores(ds.x_train.numpy(), ds.x_test.numpy())
    for f in (1, 2, 3):
        assert anomaly.roc(score[y == 0], score[y == f]).auc >= 0.95, ds.class_names[f]
        assert (blame[y == f] == broken[y == f]).mean() >= 0.9, ds.class_names[f]
    # The contrast the page draws: a range check on each channel alone misses what stays in range.
    assert anomaly.roc(single[y == 0], single[y == 3]).auc < 0.8


def test_the_log_loads_as_a_table_data_set():
    ds = load_dataset("sensor-log", seed=1)
    assert ds.kind == "table" and ds.input_dim == 12 and ds.class_names[0] == "healthy"
    assert float(ds.x_train.min()) == 0.0 and float(ds.x_train.max()) == 1.0
    assert (ds.y_train == 0).all()  # trained on healthy minutes only


def test_the_fault_table_counts_what_the_threshold_catches_and_who_is_blamed():
    # Healthy minutes score 0..3, fault 1 scores 10 and 1, fault 2 scores 0.5 (never flagged at 5).
    y = np.array([0, 0, 0, 0, 1, 1, 2])
    score = np.array([0.0, 1.0, 2.0, 3.0, 10.0, 1.0, 0.5])
    single = np.array([0.0, 0.0, 0.0, 0.0, 9.0, 9.0, 0.0])
    blame = np.array([0, 0, 0, 0, 4, 2, 1])
    broken = np.array([-1, -1, -1, -1, 4, 4, 1])
    r1, r2 = anomaly.fault_rows(score, y, 5.0, single, blame, broken, ["drift", "stuck"])
    assert (r1.kind, r1.minutes, r1.caught, r1.blamed_right) == ("drift", 2, 0.5, 1.0)  # flagged: blamed right
    assert r1.auc == anomaly.roc(score[:4], score[4:6]).auc and r1.auc_single == 1.0
    assert (r2.kind, r2.minutes, r2.caught, r2.blamed_right) == ("stuck", 1, 0.0, None)  # nothing flagged: no share
