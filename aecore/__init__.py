"""aecore: the autoencoder library behind Latent Lab: torch + numpy, never Streamlit or plotly.

Sub-packages, lower ones first: ``data`` (built-in and toy sets, corruptions) → ``models`` (one
interface, a registry) → ``training`` (``fit`` with callbacks, recipes) → ``storage`` (atomic files,
checkpoints, the model library) → ``analysis`` (codes, density, projection, each demo's numbers) →
``lecture`` (results computed ahead). ``cli`` is ``python -m aecore``.

The names below are loaded on first use (PEP 562): ``import aecore.storage.library`` must not import torch,
so the lecture's first page can list models and draw a cached latent map in well under a second.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Checkpoint": "storage.checkpoint",
    "CheckpointError": "storage.checkpoint",
    "InvalidName": "storage.checkpoint",
    "load_checkpoint": "storage.checkpoint",
    "save_checkpoint": "storage.checkpoint",
    "corrupt": "data.corrupt",
    "Dataset": "data.sets",
    "DatasetUnavailable": "data.sets",
    "dataset_names": "data.sets",
    "load_dataset": "data.sets",
    "ModelConfig": "models",
    "Output": "models",
    "build_model": "models",
    "config_for": "models",
    "Progress": "training.fit",
    "TrainConfig": "training.fit",
    "TrainingDiverged": "training.fit",
    "TrainingStopped": "training.fit",
    "fit": "training.fit",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'aecore' has no attribute {name!r}")
