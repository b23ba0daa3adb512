"""The model library: shipped checkpoints (read-only) plus the user's own folder.

Pages pick models by *name*; this module turns names into files and lists what exists, reading
only the metadata headers, so listing 50 checkpoints costs milliseconds.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import SUFFIX, CheckpointError, checkpoint_name, read_metadata

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DIR = PROJECT_ROOT / "checkpoints"


def user_dir() -> Path:
    """Where trained and uploaded models go: ``$LATENTLAB_MODELS``, else a user cache folder."""
    env = os.environ.get("LATENTLAB_MODELS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "latent-lab" / "models"


@dataclass(frozen=True)
class ModelEntry:
    """One checkpoint in the library, described from its metadata header alone."""

    name: str
    path: Path
    readonly: bool
    family: str
    dataset: str
    latent_dim: int
    test_loss: float | None
    test_mse: float | None
    created: str
    size_bytes: int
    corruption: str | None = None

    @property
    def label(self) -> str:
        """Human label for pickers: ``mnist-vae-2d  ·  vae, k=2, mnist``."""
        kind = "dae" if self.corruption and self.family == "ae" else self.family
        return f"{self.name}  ·  {kind}, k={self.latent_dim}, {self.dataset}"

    def as_row(self) -> dict[str, Any]:
        return {
            "name": self.name, "family": self.family, "dataset": self.dataset, "k": self.latent_dim,
            "test loss": self.test_loss, "test MSE": self.test_mse, "created": self.created,
            "size (kB)": round(self.size_bytes / 1024, 1), "shipped": self.readonly,
        }


def describe(path: Path, readonly: bool) -> ModelEntry:
    meta = read_metadata(path)
    cfg = meta.get("config") or {}
    metrics = meta.get("metrics") or {}
    tc = meta.get("train_config") or {}
    return ModelEntry(
        name=checkpoint_name(path), path=path, readonly=readonly, family=str(cfg.get("family", "?")),
        dataset=str(meta.get("dataset", "?")), latent_dim=int(cfg.get("latent_dim", 0)),
        test_loss=metrics.get("test_loss"), test_mse=metrics.get("test_mse"),
        created=str(meta.get("created", "")), size_bytes=path.stat().st_size,
        corruption=tc.get("corruption"),
    )


def list_models(shipped: Path | None = None, user: Path | None = None, dataset: str | None = None,
                latent_dim: int | None = None) -> list[ModelEntry]:
    """All readable checkpoints, shipped first, then the user's; unreadable files are skipped.

    A user model with a shipped model's name is hidden: shipped names are reserved.
    """
    out: list[ModelEntry] = []
    seen: set[str] = set()
    for folder, ro in ((shipped or SHIPPED_DIR, True), (user if user is not None else user_dir(), False)):
        if not folder.is_dir():
            continue
        for p in sorted(folder.glob("*" + SUFFIX)):
            if p.name.startswith("."):
                continue
            try:
                e = describe(p, ro)
            except (CheckpointError, OSError, ValueError):
                continue
            if e.name in seen:
                continue
            if dataset and e.dataset != dataset:
                continue
            if latent_dim and e.latent_dim != latent_dim:
                continue
            seen.add(e.name)
            out.append(e)
    return out


def find_model(name: str, shipped: Path | None = None, user: Path | None = None) -> ModelEntry:
    """The entry called ``name``; raises ``KeyError`` with the available names otherwise."""
    models = list_models(shipped, user)
    for e in models:
        if e.name == name:
            return e
    raise KeyError(f"no model called {name!r}; available: {', '.join(m.name for m in models) or 'none'}")
