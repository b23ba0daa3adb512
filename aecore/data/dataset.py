"""One data set, as every page and model sees it: a train/test split with labels, flat rows.

Images are stored flat, ``(N, D)`` float32 in [0, 1], with ``image_shape`` to reshape them; point
clouds are ``(N, d)`` with d = 2 or 3. Its own module so that the built-in sets
(:mod:`aecore.data.sets`) and the imported ones (:mod:`aecore.data.importing`) both make it without
importing each other: sets.py lists and loads both kinds, importing.py knows only its files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported where tensors are made: the first page lists data sets without it
    import torch


@dataclass
class Dataset:
    """A train/test split with labels, ready for training and for the pages.

    ``x_*`` are float32 ``(N, D)``; ``y_*`` are int64 ``(N,)`` class indices into ``class_names``.
    For toy point clouds ``t_*`` holds the true intrinsic coordinate(s) of each point ``(N, m)``
    and ``intrinsic_dim`` is m; for images both are None.
    """

    name: str
    kind: str  # "image" or "points"
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    class_names: list[str]
    image_shape: tuple[int, ...] | None = None  # (C, H, W) for images
    intrinsic_dim: int | None = None
    t_train: torch.Tensor | None = None
    t_test: torch.Tensor | None = None
    description: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def input_dim(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    def split(self, which: str = "test") -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(x, y)`` of the ``"train"`` or ``"test"`` split."""
        if which not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', not {which!r}")
        return (self.x_train, self.y_train) if which == "train" else (self.x_test, self.y_test)

    def as_images(self, x: torch.Tensor) -> np.ndarray:
        """Reshape flat rows ``(N, D)`` to ``(N, H, W)`` (grey) or ``(N, H, W, C)`` numpy arrays."""
        if self.image_shape is None:
            raise ValueError(f"{self.name} is a point cloud, not an image data set")
        c, h, w = self.image_shape
        arr = x.detach().cpu().float().reshape(-1, c, h, w).numpy()
        return arr[:, 0] if c == 1 else arr.transpose(0, 2, 3, 1)
