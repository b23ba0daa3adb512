"""The judges' files: one shipped classifier per image data set (:mod:`aecore.models.classifier`), in
``checkpoints/judges/`` (:mod:`aecore.storage.artifacts`). Everything read is checked against the
network its own config builds before a weight is loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from aecore.errors import UserError, translating
from aecore.storage.artifacts import load_checked, read_artifact, write_artifact
from aecore.storage.library import SHIPPED_DIR

JUDGE_FORMAT = "latent-lab-judge"
JUDGE_DIR = SHIPPED_DIR / "judges"


class JudgeError(UserError):
    """A judge's file that cannot be used (its message says why)."""


def judge_path(dataset: str, folder: Path | None = None) -> Path:
    """Where the judge of ``dataset`` lives (it may not exist)."""
    return (folder or JUDGE_DIR) / f"{dataset}-judge.safetensors"


def save_judge(path: str | os.PathLike, model, dataset: str, metrics: dict | None = None) -> Path:
    """Write the classifier ``model`` of ``dataset`` (float16 weights: 0.5 MB) atomically to ``path``."""
    meta = {"config": json.dumps(model.config.to_dict()), "dataset": dataset, "metrics": json.dumps(metrics or {})}
    return write_artifact(path, model.state_dict(), meta, JUDGE_FORMAT, half=True)


def load_judge(path: str | os.PathLike) -> tuple[Any, dict]:
    """The classifier in ``path`` (in eval mode, float32) and its metadata ``{"dataset", "metrics",
    "config"}``; :class:`JudgeError` for a file that is not a judge, or whose tensors do not match the
    network its config describes."""

    from aecore.models.classifier import ClassifierConfig, ConvClassifier

    path = Path(path)
    tensors, meta = read_artifact(path, JUDGE_FORMAT, JudgeError, "A judge")
    with translating(JudgeError, f"The judge {path.name}"):
        config = ClassifierConfig.from_dict(json.loads(meta["config"]))
        model = load_checked(ConvClassifier(config), tensors, JudgeError, path.name, f"its own config ({config})")
        metrics = json.loads(meta.get("metrics") or "{}")
    model.eval()
    return model, {"dataset": meta.get("dataset"), "metrics": metrics, "config": config}
