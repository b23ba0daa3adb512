"""One call from "a data set name and a few choices" to a trained, evaluated, saved model.

Used by the CLI, the Train page and the script that builds the shipped checkpoints, so the three
can never drift apart.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from .checkpoint import save_checkpoint
from .data import Dataset, load_dataset
from .models import AutoencoderBase, build_model, config_for
from .train import FitResult, Progress, TrainConfig, evaluate, fit

#: Model choices a user sees. "dae" is an MLP AE trained with input corruption.
MODEL_CHOICES = {
    "ae": "ae", "dae": "ae", "vae": "vae", "linear-ae": "linear-ae", "conv-ae": "conv-ae", "conv-vae": "conv-vae",
}


@dataclass
class Recipe:
    """What to train. ``model`` is a key of :data:`MODEL_CHOICES`; ``exclude_classes`` drops those
    labels from training (to make an anomaly detector for them)."""

    dataset: str = "digits"
    model: str = "ae"
    latent_dim: int = 2
    hidden: tuple[int, ...] | None = None
    beta: float = 1.0
    exclude_classes: tuple[int, ...] = ()
    train: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self):
        if self.model not in MODEL_CHOICES:
            raise ValueError(f"unknown model {self.model!r}; choose one of {list(MODEL_CHOICES)}")
        if self.latent_dim < 1:
            raise ValueError("latent dimension must be ≥ 1")
        if self.model == "dae" and not self.train.corruption:
            self.train = dataclasses.replace(self.train, corruption="gaussian", corruption_level=0.5)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["train"] = self.train.to_dict()
        return d


@dataclass
class TrainedModel:
    model: AutoencoderBase
    dataset: Dataset
    fit: FitResult
    metrics: dict[str, float]
    path: Path | None = None


def build_for(recipe: Recipe, ds: Dataset) -> AutoencoderBase:
    kw = {"beta": recipe.beta} if MODEL_CHOICES[recipe.model] in ("vae", "conv-vae") else {}
    cfg = config_for(ds, MODEL_CHOICES[recipe.model], recipe.latent_dim, hidden=recipe.hidden, **kw)
    return build_model(cfg)


def test_metrics(model: AutoencoderBase, x_test: torch.Tensor) -> dict[str, float]:
    """``test_loss`` (the model's own objective) and ``test_mse`` (per-element, comparable across
    families) on held-out data."""
    ev = evaluate(model.cpu(), x_test)
    return {"test_loss": ev["loss"], "test_mse": ev["mse"], **{f"test_{k}": v for k, v in ev.items()
                                                              if k not in ("loss", "mse")}}


def train_recipe(recipe: Recipe, data_root: str | None = None, out: str | Path | None = None,
                 callbacks: list[Callable[[Progress], None]] | None = None, dataset: Dataset | None = None,
                 dtype: str = "float32", every_batches: int = 0) -> TrainedModel:
    """Load the data, train, measure on the test split and (if ``out``) save atomically.

    Nothing is written unless training finished without error, so a diverging run leaves any
    existing file at ``out`` untouched.
    """
    ds = dataset or load_dataset(recipe.dataset, root=data_root)
    x_train, y_train = ds.x_train, ds.y_train
    x_test = ds.x_test
    if recipe.exclude_classes:
        keep = ~torch.isin(y_train, torch.tensor(list(recipe.exclude_classes)))
        x_train = x_train[keep]
        x_test = ds.x_test[~torch.isin(ds.y_test, torch.tensor(list(recipe.exclude_classes)))]
    model = build_for(recipe, ds)
    result = fit(model, x_train, recipe.train, callbacks=callbacks, every_batches=every_batches)
    model = result.model.cpu().eval()
    metrics = test_metrics(model, x_test)
    metrics["best_val_loss"] = result.best_val_loss
    metrics["best_epoch"] = result.best_epoch
    metrics["train_seconds"] = round(result.seconds, 2)
    path = None
    if out is not None:
        extra = {"recipe": recipe.to_dict(), "dataset_meta": {k: v for k, v in ds.meta.items() if k != "root"}}
        path = save_checkpoint(out, model, ds.name, metrics=metrics, history=result.history,
                               train_config=recipe.train.to_dict(), extra=extra, dtype=dtype)
    return TrainedModel(model=model, dataset=ds, fit=result, metrics=metrics, path=path)
