"""Linear autoencoder: no nonlinearity anywhere, so its decoder spans a k-dim *linear* subspace.

Trained with squared error it converges to the PCA subspace (Baldi & Hornik, 1989), though
in other coordinates: the manifold page draws exactly that.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import AutoencoderBase, ModelConfig
from .registry import register


@register("linear-ae")
class LinearAutoencoder(AutoencoderBase):
    label = "Linear AE (= PCA)"

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.encoder = nn.Linear(config.input_dim, config.latent_dim)
        self.decoder = nn.Linear(config.latent_dim, config.input_dim)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # (B, k)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        # No output squashing either: a sigmoid would bend the subspace into a curved manifold.
        return self.decoder(z)  # (B, D)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)
