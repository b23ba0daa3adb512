"""Learned priors' files (:mod:`aecore.models.priors`): one per model and kind, shipped in
``checkpoints/priors/`` (:mod:`aecore.storage.artifacts`), named ``<model>-<kind>.safetensors``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from aecore.errors import UserError, translating
from aecore.storage.artifacts import read_artifact, write_artifact
from aecore.storage.library import SHIPPED_DIR

PRIOR_FORMAT = "latent-lab-prior"
PRIOR_DIR = SHIPPED_DIR / "priors"


class PriorError(UserError):
    """A prior's file that cannot be used (its message says why)."""


def prior_path(model: str, kind: str, folder: Path | None = None) -> Path:
    """Where ``model``'s prior of ``kind`` ("mixture", "flow") lives (it may not exist)."""
    return (folder or PRIOR_DIR) / f"{model}-{kind}.safetensors"


def save_prior(path: str | os.PathLike, prior, model: str, metrics: dict | None = None) -> Path:
    """Write a fitted prior of the model named ``model`` atomically to ``path``."""
    meta = {"config": json.dumps(prior.config()), "model": model, "metrics": json.dumps(metrics or {})}
    return write_artifact(path, prior.state(), meta, PRIOR_FORMAT)


def load_prior(path: str | os.PathLike):
    """The prior in ``path`` and its metadata ``{"model", "metrics"}``; :class:`PriorError` for a
    file that is not a prior or does not fit its own config."""
    from aecore.models.priors import PRIORS

    path = Path(path)
    tensors, meta = read_artifact(path, PRIOR_FORMAT, PriorError, "A prior")
    with translating(PriorError, f"The prior {path.name}"):
        config = json.loads(meta["config"])
        if config.get("kind") not in PRIORS:
            raise PriorError(f"{path.name}: unknown prior kind {config.get('kind')!r}")
        prior = PRIORS[config["kind"]].from_state(config, tensors)
        info = {"model": meta.get("model"), "metrics": json.loads(meta.get("metrics") or "{}")}
    return prior, info
