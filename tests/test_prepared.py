"""The prepared-material cache: exact round trips, computed once, never trusts a foreign file."""

import json

import numpy as np
import pytest
import torch

from aecore.analysis import manifold as mf
from aecore.analysis import toy
from aecore.lecture import prepared


@pytest.fixture(scope="module")
def tiny_run():
    return toy.train_toy("parabola", 1, epochs=4, snapshot_epochs=(0, 2, 4), n_grid=41, sample=20)


def test_toy_run_round_trips_exactly(tiny_run, tmp_path):
    view = mf.manifold_view(tiny_run.model, tiny_run.dataset, sample=20, n_grid=41)
    back_run, back_view = prepared.load(prepared.save(tmp_path / "r.npz", (tiny_run, view)))
    assert isinstance(back_view, mf.ManifoldView) and isinstance(back_run, toy.ToyRun)
    assert np.array_equal(back_view.m, view.m) and back_view.grid_shape == view.grid_shape
    assert back_view.test_mse == view.test_mse and back_view.meta == view.meta
    assert [s.epoch for s in back_run.snapshots] == [s.epoch for s in tiny_run.snapshots]
    assert np.array_equal(back_run.snapshots[-1].m, tiny_run.snapshots[-1].m)
    assert back_run.dataset.name == "parabola" and back_run.history == tiny_run.history
    x = tiny_run.dataset.x_test[:5]
    with torch.no_grad():  # the model is rebuilt from its checkpoint bytes: same outputs
        assert torch.allclose(back_run.model(x).recon, tiny_run.model(x).recon)


def test_cached_computes_once(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(3), 2: (1.5, None)}

    first = prepared.cached("t", "k", compute, folder=tmp_path)
    again = prepared.cached("t", "k", compute, folder=tmp_path)
    assert len(calls) == 1 and np.array_equal(again["a"], first["a"]) and again[2] == (1.5, None)


def test_a_foreign_file_is_recomputed_not_trusted(tmp_path):
    # A file naming a class outside the allow-list, and one holding a pickled object array.
    tree = {"__class__": "Popen", "fields": {"args": "rm -rf /"}}
    np.savez(tmp_path / "t-evil.npz", __tree__=np.frombuffer(json.dumps(tree).encode(), np.uint8))
    np.savez(tmp_path / "t-pickle.npz", __tree__=np.array([object()], dtype=object))
    for key in ("evil", "pickle"):
        with pytest.raises(ValueError):
            prepared.load(tmp_path / f"t-{key}.npz")
        assert prepared.cached("t", key, lambda: "fresh", folder=tmp_path) == "fresh"


def test_a_second_process_waits_for_the_first_computation_instead_of_repeating_it(tmp_path):
    """Two processes ask for the same item at once: one computes it, the other reads its file."""
    import subprocess
    import sys

    log = tmp_path / "computed.txt"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from aecore.lecture import prepared\n"
        "def compute():\n"
        "    with open(sys.argv[2], 'a') as f: f.write('x')\n"
        "    time.sleep(1.5)\n"
        "    return {'answer': 42}\n"
        "print(prepared.cached('slow', 'k1', compute, folder=Path(sys.argv[1]))['answer'])\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(log)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert outs == ["42", "42"]
    assert log.read_text() == "x"  # computed once
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".lock"] == []  # and no lock file left behind
