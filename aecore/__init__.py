"""aecore: the autoencoder library behind Latent Lab. Never imports Streamlit.

Layers: ``data`` (data sets) → ``models`` (one interface, a registry) → ``train`` (``fit`` with
callbacks) → ``checkpoint`` (safe files) → ``library`` (named models) → ``views`` and the
per-page modules (everything a page displays).

The names below are loaded on first use (PEP 562): ``import aecore.library`` must not import torch,
so the lecture's first page can list models and draw a cached latent map in well under a second.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Checkpoint": "checkpoint",
    "CheckpointError": "checkpoint",
    "InvalidName": "checkpoint",
    "load_checkpoint": "checkpoint",
    "save_checkpoint": "checkpoint",
    "corrupt": "corrupt",
    "Dataset": "data",
    "DatasetUnavailable": "data",
    "dataset_names": "data",
    "load_dataset": "data",
    "ModelConfig": "models",
    "Output": "models",
    "build_model": "models",
    "config_for": "models",
    "Progress": "train",
    "TrainConfig": "train",
    "TrainingDiverged": "train",
    "TrainingStopped": "train",
    "fit": "train",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'aecore' has no attribute {name!r}")
