"""A small conv classifier: the app's judge of pictures (and, later, the network other tools look inside).

Not an autoencoder, so not in the model registry: it has no code to decode. It is the independent
eye that says what a decoded or sampled picture looks like: its class (``forward``: logits) and its
penultimate features (``features``), in which the Fréchet distance between a set of samples and the
test set is measured (:mod:`aecore.analysis.judge`). One per data set, shipped in
``checkpoints/judges/``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
from torch import nn


@dataclass(frozen=True)
class ClassifierConfig:
    """The classifier's shape: its input picture ``image_shape`` (C, H, W), two conv blocks of
    ``channels`` (3×3, ReLU, 2×2 max-pool each), a ``features``-wide ReLU layer and ``n_classes``
    logits. Round-trips to a dict (:meth:`to_dict`, :meth:`from_dict`)."""

    image_shape: tuple[int, int, int] = (1, 28, 28)
    n_classes: int = 10
    channels: tuple[int, int] = (32, 64)
    features: int = 128

    def __post_init__(self) -> None:
        object.__setattr__(self, "image_shape", tuple(int(v) for v in self.image_shape))
        object.__setattr__(self, "channels", tuple(int(v) for v in self.channels))
        c, h, w = self.image_shape
        if len(self.channels) != 2 or min(self.channels) < 1 or self.features < 1 or self.n_classes < 2:
            raise ValueError(f"not a classifier shape: {self}")
        if c < 1 or h < 4 or w < 4 or h % 4 or w % 4:
            raise ValueError(f"the picture's sides must be multiples of 4 (two 2×2 pools): {self.image_shape}")

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> ClassifierConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown classifier settings {sorted(unknown)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


class ConvClassifier(nn.Module):
    """``forward(x)``: logits ``(B, n_classes)`` of flattened pictures ``x`` ``(B, C·H·W)`` in [0, 1];
    ``features(x)``: the penultimate layer ``(B, features)``."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        c, h, w = config.image_shape
        c1, c2 = config.channels
        self.convs = nn.Sequential(
            nn.Conv2d(c, c1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.hidden = nn.Linear(c2 * (h // 4) * (w // 4), config.features)
        self.head = nn.Linear(config.features, config.n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(len(x), *self.config.image_shape)  # (B, C, H, W)
        return torch.relu(self.hidden(self.convs(x).flatten(1)))  # (B, features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, n_classes)
