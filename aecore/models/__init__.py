"""Model families behind one interface: ``encode``, ``decode``, ``forward(x) -> Output``."""

from __future__ import annotations

from . import conv, imported, linear, mlp, sae, vae, vq  # noqa: F401  (importing registers the families)
from .base import AutoencoderBase, ConfigError, ModelConfig, Output
from .registry import REGISTRY
from .vae import kl_per_dim


def build_model(config: ModelConfig | dict) -> AutoencoderBase:
    """Instantiate the registered class for ``config.family``."""
    if isinstance(config, dict):
        config = ModelConfig.from_dict(config)
    return REGISTRY[config.family](config)


def config_for(dataset, family: str = "ae", latent_dim: int = 2, hidden=None, **overrides) -> ModelConfig:
    """A sensible config for ``dataset``: sigmoid/Bernoulli for images, linear/Gaussian for points."""
    image = dataset.kind == "image"
    if family == "sae":  # on a table of activations: no hidden layers, linear output, TopK k/4 by default
        kw = dict(family=family, input_dim=dataset.input_dim, latent_dim=latent_dim, hidden=(), output="linear")
        return ModelConfig(**{**kw, "sparsity_k": max(1, latent_dim // 4), **overrides})
    if hidden is None:
        if family.startswith("conv") or family == "vq-vae":
            hidden = (32, 64)
        elif dataset.input_dim >= 256:
            hidden = (512, 256)
        elif image:
            hidden = (128, 64)
        else:
            hidden = (64, 64)
    kw = dict(
        family=family,
        input_dim=dataset.input_dim,
        latent_dim=latent_dim,
        hidden=tuple(hidden),
        output="sigmoid" if image else "linear",
        image_shape=dataset.image_shape,
        likelihood="bernoulli" if image else "gaussian",
        activation="relu" if image else "elu",
    )
    kw.update(overrides)
    return ModelConfig(**kw)


__all__ = [
    "AutoencoderBase",
    "ConfigError",
    "ModelConfig",
    "Output",
    "REGISTRY",
    "build_model",
    "config_for",
    "kl_per_dim",
]
