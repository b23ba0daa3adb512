"""One call from "a data set name and a few choices" to a trained, evaluated, saved model.

Used by the CLI, the Train page and the script that builds the shipped checkpoints, so the three
can never drift apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from aecore.data.sets import Dataset, load_dataset
from aecore.models import REGISTRY, AutoencoderBase, build_model, config_for
from aecore.storage.checkpoint import checkpoint_file, save_checkpoint
from aecore.training.fit import FitResult, Progress, TrainConfig, evaluate, fit

#: Model choices a user sees → the model family each trains: every registered family, plus "dae"
#: (an MLP AE trained with input corruption: a recipe, not an architecture).
#: A family trained on another network's activations (a sparse AE) is not a choice here.
_ON_DATA = {name: cls for name, cls in REGISTRY.items() if cls.trains_on == "data"}
MODEL_CHOICES = {**{name: name for name in _ON_DATA}, "dae": "ae"}
#: What each choice is called on screen.
MODEL_LABELS = {**{name: cls.label or name for name, cls in _ON_DATA.items()}, "dae": "Denoising AE (DAE)"}


#: The Train page's starting point per data set (:func:`live_train_config`, :func:`live_hidden`). In
#: a lecture a training runs in front of the class, so the defaults aim at a decent model in seconds.
#: MNIST-sized sets: a 784-256-128-k MLP (half the width of the shipped ones, ~2.3× fewer FLOPs) with
#: a one-cycle schedule peaking at 1e-2 reaches a 2-D AE test MSE of 0.0372-0.0375 (seeds 0-2; PCA-2:
#: 0.0557) in 9 epochs, 12-14 s on 2 cores, where the textbook loop (Adam 1e-3, batch 128) needs
#: over twice as long (``bench/time_to_quality.py`` measures both).
LIVE_TRAIN = {
    "mnist": dict(epochs=9, batch_size=256, lr=1e-2, schedule="onecycle"),
    "fashion-mnist": dict(epochs=9, batch_size=256, lr=1e-2, schedule="onecycle"),
}
LIVE_HIDDEN = {"mnist": (256, 128), "fashion-mnist": (256, 128), "sprites": (256, 128)}
#: What an AE minimises on sets of mostly-black pictures: with squared error an AE on the sprites sits on
#: the mean image (test MSE 0.05 after 2 epochs), with binary cross-entropy it draws them (0.007 after 1).
LIVE_RECON = {"sprites": "bce"}
LIVE_TRAIN_OTHER = dict(epochs=10, batch_size=128, lr=1e-3, schedule="constant")


def live_train_config(dataset: str, **overrides) -> TrainConfig:
    """The training settings the Train page (and ``bench/time_to_quality.py``) start from."""
    return TrainConfig(**{**LIVE_TRAIN.get(dataset, LIVE_TRAIN_OTHER), **overrides})


def live_recon_loss(dataset: str, model: str) -> str:
    """What the Train page's ``model`` (a key of :data:`MODEL_CHOICES`) minimises on ``dataset``: an MLP
    or conv AE (a DAE too) :data:`LIVE_RECON`'s loss, every other family its own (VAEs their
    likelihood: "mse" is then ignored)."""
    return LIVE_RECON.get(dataset, "mse") if MODEL_CHOICES[model] in ("ae", "conv-ae") else "mse"


def live_hidden(dataset: str) -> tuple[int, ...] | None:
    """The MLP widths the Train page's "auto" width means for ``dataset`` (None: ``config_for``'s)."""
    return LIVE_HIDDEN.get(dataset)


@dataclass
class Recipe:
    """What to train. ``model`` is a key of :data:`MODEL_CHOICES`; ``exclude_classes`` drops those
    labels from training (to make an anomaly detector for them)."""

    dataset: str = "digits"
    model: str = "ae"
    latent_dim: int = 2
    hidden: tuple[int, ...] | None = None
    activation: str | None = None  # None: the data set's default (config_for)
    recon_loss: str = "mse"  # AEs: "mse" or "bce" (ModelConfig.recon_loss)
    beta: float = 1.0
    codebook_size: int = 0  # VQ-VAEs only (latent_dim is then code_dim × the grid's cells)
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
    kw = {"beta": recipe.beta} if REGISTRY[MODEL_CHOICES[recipe.model]].variational else {}
    if recipe.activation:
        kw["activation"] = recipe.activation
    if recipe.recon_loss != "mse":
        kw["recon_loss"] = recipe.recon_loss
    if recipe.codebook_size:
        kw["codebook_size"] = recipe.codebook_size
    cfg = config_for(ds, MODEL_CHOICES[recipe.model], recipe.latent_dim, hidden=recipe.hidden, **kw)
    return build_model(cfg)


def test_metrics(model: AutoencoderBase, x_test: torch.Tensor, iwae_k: int = 0) -> dict[str, float]:
    """Test-split metrics, each under the name of what it is.

    ``test_mse``: per-element squared error of x̂ = g(f(x)), comparable across families (a VAE
    decodes its posterior mean). ``test_loss``: the model's own objective; for a VAE that is the
    −ELBO in nats per example, a seeded Monte Carlo estimate over z ~ q(z|x)
    (:func:`aecore.models.likelihood.vae_bounds`), also stored as ``test_neg_elbo``; with ``iwae_k`` > 0
    the K-sample IWAE bound on −log p(x) is added as ``test_nll_iwae``. The eval-mode loss,
    which decodes z = μ and so skips the sampling, keeps its own name ``test_loss_at_posterior_mean``.
    """
    model = model.cpu()
    ev = evaluate(model, x_test)
    m = {
        "test_loss": ev["loss"],
        "test_mse": ev["mse"],
        **{f"test_{k}": v for k, v in ev.items() if k not in ("loss", "mse")},
    }
    if model.config.image_shape is not None:  # the unit of Hinton & Salakhutdinov's table
        m["test_sq_err_per_image"] = m["test_mse"] * model.config.input_dim
    if model.config.is_vae:
        from aecore.models.likelihood import vae_bounds

        m["test_loss_at_posterior_mean"] = m.pop("test_loss")
        for part in ("nll", "kl"):  # eval-mode parts: at z = μ, so named for that too
            if f"test_{part}" in m:
                m[f"test_{part}_at_posterior_mean"] = m.pop(f"test_{part}")
        m.update(vae_bounds(model, x_test, k=iwae_k).as_metrics())
        m["test_loss"] = m["test_neg_elbo"]
    return m


def splits(recipe: Recipe, ds: Dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """The training and test inputs ``(N, D)`` a recipe uses: without ``exclude_classes`` in both."""
    if not recipe.exclude_classes:
        return ds.x_train, ds.x_test
    drop = torch.tensor(list(recipe.exclude_classes))
    return ds.x_train[~torch.isin(ds.y_train, drop)], ds.x_test[~torch.isin(ds.y_test, drop)]


def train_recipe(
    recipe: Recipe,
    data_root: str | None = None,
    out: str | Path | None = None,
    callbacks: list[Callable[[Progress], None]] | None = None,
    dataset: Dataset | None = None,
    dtype: str = "float32",
    every_batches: int = 0,
    iwae_k: int = 0,
    overwrite: bool = True,
) -> TrainedModel:
    """Load the data, train, measure on the test split and (if ``out``) save atomically.

    Nothing is written unless training finished without error, so a diverging run leaves any
    existing file at ``out`` untouched. With ``overwrite=False`` an existing file at ``out`` is never
    replaced: :class:`aecore.storage.library.ModelExists` before training starts (and again before
    the write, should one have appeared meanwhile). ``iwae_k`` > 0 adds a VAE's K-sample IWAE bound
    to the metrics (K = 1,000 costs about a minute on MNIST on 2 cores, so live trainings skip it).
    """
    from aecore.storage.library import refuse_to_replace

    target = checkpoint_file(out) if out is not None else None
    if target is not None:
        refuse_to_replace(target, overwrite)
    ds = dataset or load_dataset(recipe.dataset, root=data_root)
    x_train, x_test = splits(recipe, ds)
    model = build_for(recipe, ds)
    result = fit(model, x_train, recipe.train, callbacks=callbacks, every_batches=every_batches)
    model = result.model.cpu().eval()
    metrics = test_metrics(model, x_test, iwae_k=iwae_k)
    metrics["best_val_loss"] = result.best_val_loss
    metrics["best_epoch"] = result.best_epoch
    metrics["train_seconds"] = round(result.seconds, 2)
    path = None
    if target is not None:
        extra = {"recipe": recipe.to_dict(), "dataset_meta": {k: v for k, v in ds.meta.items() if k != "root"}}
        refuse_to_replace(target, overwrite)
        path = save_checkpoint(
            target,
            model,
            ds.name,
            metrics=metrics,
            history=result.history,
            train_config=recipe.train.to_dict(),
            extra=extra,
            dtype=dtype,
        )
    return TrainedModel(model=model, dataset=ds, fit=result, metrics=metrics, path=path)
