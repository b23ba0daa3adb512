"""Shared fixtures: tiny data, a data folder for MNIST, and (for browser tests) a live server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
# Tests must never wait on the network, and must not let two processes oversubscribe 2 cores.
# OMP_NUM_THREADS, when set, wins: `./run.sh test-cpus` runs the demo tests with 1 and 2 threads.
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or max(1, min(2, os.cpu_count() or 1))))


def _shared_data() -> Path | None:
    for cand in (os.environ.get("AECORE_DATA"), ROOT.parent / "shared" / "data"):
        if cand and (Path(cand) / "MNIST" / "raw" / "train-images-idx3-ubyte").exists():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The folder with real MNIST/Fashion-MNIST (``../shared/data``); skips if absent."""
    p = _shared_data()
    if p is None:
        pytest.skip("MNIST not found: set AECORE_DATA or put ../shared/data beside the clone")
    return p


@pytest.fixture
def user_models(tmp_path, monkeypatch) -> Path:
    """An empty user model folder, so tests never touch the real library."""
    d = tmp_path / "models"
    d.mkdir()
    monkeypatch.setenv("LATENTLAB_MODELS", str(d))
    return d
