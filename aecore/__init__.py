"""aecore: the autoencoder library behind Latent Lab. Never imports Streamlit.

Layers: ``data`` (data sets) → ``models`` (one interface, a registry) → ``train`` (``fit`` with
callbacks) → ``checkpoint`` (safe files) → ``library`` (named models) → ``views`` and the
per-page modules (everything a page displays).
"""
__version__ = "0.1.0"

from .checkpoint import Checkpoint, CheckpointError, InvalidName, load_checkpoint, save_checkpoint  # noqa: E402
from .corrupt import corrupt  # noqa: E402
from .data import Dataset, DatasetUnavailable, dataset_names, load_dataset  # noqa: E402
from .models import ModelConfig, Output, build_model, config_for  # noqa: E402
from .train import Progress, TrainConfig, TrainingDiverged, TrainingStopped, fit  # noqa: E402

__all__ = [
    "Checkpoint", "CheckpointError", "Dataset", "DatasetUnavailable", "InvalidName", "ModelConfig", "Output",
    "Progress", "TrainConfig", "TrainingDiverged", "TrainingStopped", "build_model", "config_for", "corrupt",
    "dataset_names", "fit", "load_checkpoint", "load_dataset", "save_checkpoint",
]
