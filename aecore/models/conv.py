"""Conv autoencoder for images: two stride-2 convs down, two transposed convs up.

It still speaks flat rows ``(B, D)`` to the outside world and reshapes with ``image_shape``.
"""

from __future__ import annotations

import torch
from torch import nn

from .base import ACTIVATIONS, AutoencoderBase, ModelConfig
from .registry import register


def conv_encoder(c: ModelConfig, out_dim: int) -> nn.Module:
    ch, h, w = c.image_shape
    c1, c2 = (list(c.hidden) + [32, 64])[:2] if len(c.hidden) < 2 else c.hidden[:2]
    act = ACTIVATIONS[c.activation]
    return nn.Sequential(
        nn.Unflatten(1, (ch, h, w)),
        nn.Conv2d(ch, c1, 3, stride=2, padding=1),
        act(),  # (B, c1, H/2, W/2)
        nn.Conv2d(c1, c2, 3, stride=2, padding=1),
        act(),  # (B, c2, H/4, W/4)
        nn.Flatten(),
        nn.Linear(c2 * (h // 4) * (w // 4), out_dim),
    )


def conv_decoder(c: ModelConfig) -> nn.Module:
    ch, h, w = c.image_shape
    c1, c2 = (list(c.hidden) + [32, 64])[:2] if len(c.hidden) < 2 else c.hidden[:2]
    act = ACTIVATIONS[c.activation]
    return nn.Sequential(
        nn.Linear(c.latent_dim, c2 * (h // 4) * (w // 4)),
        act(),
        nn.Unflatten(1, (c2, h // 4, w // 4)),
        nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1),
        act(),  # (B, c1, H/2, W/2)
        nn.ConvTranspose2d(c1, ch, 4, stride=2, padding=1),  # (B, C, H, W)
        nn.Flatten(),
    )


@register("conv-ae")
class ConvAutoencoder(AutoencoderBase):
    label = "Convolutional AE"

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.encoder = conv_encoder(config, config.latent_dim)
        self.decoder = conv_decoder(config)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # (B, k)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, D)
