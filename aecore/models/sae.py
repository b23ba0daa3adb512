"""A sparse autoencoder (SAE): the autoencoder that explains another network.

Same object as the rest of the app (an encoder, a code, a decoder, a reconstruction loss) with the
bottleneck turned inside out: the code is **overcomplete** (``latent_dim`` = 8–16 × the layer's width)
and kept **sparse**, so each of a network layer's activation vectors is written as a sum of a few
dictionary directions (features) that can be named. Trained on another network's activations (the
data set's judge, :mod:`aecore.models.classifier`), never on pictures.

- **TopK** (Gao et al., 2024): ``z = ReLU(TopK_k(W_enc (x − b_dec) + b_enc))``: exactly at most k
  features fire, no L1 shrinkage of their values (``sparsity_k`` = k).
- **L1** (the baseline of Bricken et al., 2023): ``z = ReLU(W_enc (x − b_dec) + b_enc)`` with
  ``l1_coeff · Σ z`` added to the loss (``sparsity_k`` = 0).
- **Unit-norm decoder columns** (:meth:`SparseAutoencoder.normalize_decoder`, after every step): a
  feature's activation is then its size in the layer, and L1 cannot shrink z by growing the column.
- **Input scale**: the layer's activations are divided by ``scale`` (a buffer set from the training
  activations: the root mean square entry) so one ``l1_coeff`` and one learning rate fit any layer;
  ``decode`` multiplies it back, so ``recon`` is in the layer's own units.

Speaks the one model interface (rows in, rows out; ``encode`` → ``(B, latent_dim)``,
``forward → Output``); :mod:`aecore.training.sae` trains one with dead-feature resampling.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import AutoencoderBase, ModelConfig, Output
from .registry import register


def topk_relu(pre: torch.Tensor, k: int) -> torch.Tensor:
    """Keep each row's ``k`` largest entries of ``pre`` ``(B, F)`` (ReLU'd), zero elsewhere."""
    vals, idx = pre.topk(min(k, pre.shape[1]), dim=1)
    return torch.zeros_like(pre).scatter(1, idx, F.relu(vals))


@register("sae")
class SparseAutoencoder(AutoencoderBase):
    label = "Sparse AE (on a network's activations)"
    trains_on = "activations"

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        d, f = config.input_dim, config.latent_dim
        w = torch.randn(d, f)
        w = w / w.norm(dim=0, keepdim=True)
        self.W_dec = nn.Parameter(w)  # (D, F): column j is feature j's direction
        self.W_enc = nn.Parameter(w.t().clone())  # (F, D): tied at the start (Gao et al.)
        self.b_enc = nn.Parameter(torch.zeros(f))
        self.b_dec = nn.Parameter(torch.zeros(d))
        self.register_buffer("scale", torch.ones(()))

    @property
    def topk(self) -> int:
        """How many features may fire per input (0: an L1 SAE, any number)."""
        return self.config.sparsity_k

    def pre_activations(self, x: torch.Tensor) -> torch.Tensor:
        """The encoder's affine map before the sparsifier, ``(B, F)``."""
        return (x / self.scale - self.b_dec) @ self.W_enc.t() + self.b_enc

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Feature activations ``(B, F)`` ≥ 0 of layer activations ``x`` ``(B, D)``."""
        pre = self.pre_activations(x)
        return topk_relu(pre, self.topk) if self.topk else F.relu(pre)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return (z @ self.W_dec.t() + self.b_dec) * self.scale  # (B, D), the layer's units

    def forward(self, x: torch.Tensor) -> Output:
        z = self.encode(x)  # (B, F)
        recon = self.decode(z)
        # The loss is measured in scaled units, so its size does not depend on the layer's.
        mse = F.mse_loss(recon / self.scale, x / self.scale)
        parts = {"mse": mse, "l0": (z > 0).float().sum(1).mean()}
        loss = mse
        if not self.topk:
            l1 = z.sum(1).mean()  # columns are unit-norm: Σ z_j ‖W_dec[:, j]‖ = Σ z_j
            parts["l1"] = l1
            loss = mse + self.config.l1_coeff * l1
        return Output(recon=recon, z=z, loss=loss, parts=parts)

    @torch.no_grad()
    def normalize_decoder(self) -> None:
        """Scale every decoder column to unit length (call after each optimiser step)."""
        self.W_dec.div_(self.W_dec.norm(dim=0, keepdim=True).clamp_min(1e-8))

    @torch.no_grad()
    def remove_parallel_grads(self) -> None:
        """Drop the part of each decoder column's gradient along the column: a step then turns the
        column instead of changing its length, which :meth:`normalize_decoder` would undo."""
        if self.W_dec.grad is not None:
            w, g = self.W_dec, self.W_dec.grad
            g.sub_(w * (w * g).sum(0, keepdim=True))
