"""MLP autoencoder: configurable width and depth."""

from __future__ import annotations

import torch

from .base import AutoencoderBase, ModelConfig, mlp
from .registry import register


@register("ae")
class MLPAutoencoder(AutoencoderBase):
    label = "Autoencoder (AE)"

    """x (D) → hidden… → z (k) → …hidden → x̂ (D); the decoder mirrors the encoder."""

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        c = config
        self.encoder = mlp([c.input_dim, *c.hidden, c.latent_dim], c.activation)
        self.decoder = mlp([c.latent_dim, *reversed(c.hidden), c.input_dim], c.activation)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # (B, k)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, D)
