"""Sparse autoencoders' files (:mod:`aecore.models.sae`): one per data set and sparsity kind, trained on
the data set's judge's penultimate layer and shipped in ``checkpoints/saes/``
(:mod:`aecore.storage.artifacts`), named ``<dataset>-sae-<kind>.safetensors`` (kind "topk" or "l1").
The model is rebuilt from its own config and checked against the file's tensors before a weight loads.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from aecore.errors import UserError, translating
from aecore.storage.artifacts import load_checked, read_artifact, write_artifact
from aecore.storage.library import SHIPPED_DIR

SAE_FORMAT = "latent-lab-sae"
SAE_DIR = SHIPPED_DIR / "saes"
#: The sparsity kinds shipped per data set: TopK (Gao et al., 2024) and the L1 baseline.
SAE_KINDS = ("topk", "l1")


class SAEError(UserError):
    """A sparse autoencoder's file that cannot be used (its message says why)."""


def sae_path(dataset: str, kind: str = "topk", folder: Path | None = None) -> Path:
    """Where ``dataset``'s SAE of ``kind`` lives (it may not exist)."""
    return (folder or SAE_DIR) / f"{dataset}-sae-{kind}.safetensors"


def save_sae(path: str | os.PathLike, sae, dataset: str, layer: str, metrics: dict | None = None) -> Path:
    """Write ``sae`` (trained on ``dataset``'s judge's ``layer``) atomically to ``path`` (float32: 1 MB, and the
    shipped metrics hold to the last digit)."""
    meta = {
        "config": json.dumps(sae.config.to_dict()),
        "dataset": dataset,
        "layer": layer,
        "metrics": json.dumps(metrics or {}),
    }
    return write_artifact(path, sae.state_dict(), meta, SAE_FORMAT)


def load_sae(path: str | os.PathLike):
    """The SAE in ``path`` (eval mode, float32) and its metadata ``{"dataset", "layer", "metrics"}``;
    :class:`SAEError` for a file that is not an SAE, or whose tensors do not fit its own config."""
    from aecore.models import build_model
    from aecore.models.base import ConfigError, ModelConfig

    path = Path(path)
    tensors, meta = read_artifact(path, SAE_FORMAT, SAEError, "A sparse autoencoder")
    with translating(SAEError, f"The sparse autoencoder {path.name}"):
        try:
            config = ModelConfig.from_dict(json.loads(meta["config"]))
        except ConfigError as exc:  # one error type at this door
            raise SAEError(f"{path.name}: {exc}") from exc
        if config.family != "sae":
            raise SAEError(f"{path.name}: its config is a {config.family!r}, not a sparse autoencoder")
        sae = load_checked(build_model(config), tensors, SAEError, path.name)
        metrics = json.loads(meta.get("metrics") or "{}")
        info = {"dataset": meta.get("dataset"), "layer": meta.get("layer"), "metrics": metrics}
    sae.eval()
    return sae, info
