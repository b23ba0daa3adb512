"""A vector-quantised autoencoder (VQ-VAE, van den Oord et al., 2017): a grid of discrete codes.

The conv encoder maps an image to a (D, H/4, W/4) grid of vectors; each is replaced by the nearest of
``codebook_size`` learned code vectors (the codebook), so an image *is* a grid of integers (7×7 on
MNIST). The conv decoder maps the grid of code vectors back to pixels. Three pieces make it train:

- **straight-through estimator**: the nearest-code lookup has no gradient, so the decoder's gradient
  is copied onto the encoder's output unchanged (z_q = z_e + sg(e − z_e));
- **commitment loss** β_c·‖z_e − sg(e)‖² keeps the encoder's outputs near the codes they pick;
- **codebook by exponential moving averages** (each code drifts to the mean of the vectors assigned
  to it; Razavi et al., 2019) with **dead-code restarts**: a code no batch has picked for a while
  is moved onto a random encoder output, so the codebook stays in use (perplexity, not a handful of codes).

Speaks the one model interface: rows ``(B, D_in)`` in and out; ``encode`` returns the quantised grid
flattened, ``(B, latent_dim)`` with ``latent_dim = code_dim · H/4 · W/4``, which is what ``decode`` reads.
The decoder is transposed convs only, so the browser runs it (``latentlab.server.export``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base import ACTIVATIONS, AutoencoderBase, ModelConfig, Output
from .registry import register

#: Weight of the commitment loss (the paper's β; 0.25 there and here).
COMMITMENT = 0.25
#: EMA decay of the codebook's counts and sums.
EMA_DECAY = 0.99
#: A code whose EMA count falls below this share of a fair count (the batch's vectors / K) is
#: restarted on an encoder output.
DEAD_COUNT = 0.03


def grid_shape(c: ModelConfig) -> tuple[int, int, int]:
    """``(code_dim, h, w)`` of a VQ config's code grid: the image's H/4 × W/4 cells."""
    _, h, w = c.image_shape
    cells = (h // 4) * (w // 4)
    return c.latent_dim // cells, h // 4, w // 4


def _channels(c: ModelConfig) -> tuple[int, int]:
    c1, c2 = (list(c.hidden) + [32, 64])[:2] if len(c.hidden) < 2 else c.hidden[:2]
    return c1, c2


@register("vq-vae")
class VQVAE(AutoencoderBase):
    label = "Vector-quantised AE (VQ-VAE)"

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        ch, h, w = config.image_shape
        d, gh, gw = grid_shape(config)
        c1, c2 = _channels(config)
        act = ACTIVATIONS[config.activation]
        self.encoder = nn.Sequential(
            nn.Unflatten(1, (ch, h, w)),
            nn.Conv2d(ch, c1, 4, stride=2, padding=1),
            act(),  # (B, c1, H/2, W/2)
            nn.Conv2d(c1, c2, 4, stride=2, padding=1),
            act(),  # (B, c2, H/4, W/4)
            nn.Conv2d(c2, c2, 3, padding=1),
            act(),
            nn.Conv2d(c2, d, 1),  # (B, D, H/4, W/4): one vector per cell, before quantising
        )
        self.decoder = nn.Sequential(
            nn.Unflatten(1, (d, gh, gw)),
            nn.ConvTranspose2d(d, c2, 3, stride=1, padding=1),
            act(),  # (B, c2, H/4, W/4)
            nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1),
            act(),  # (B, c1, H/2, W/2)
            nn.ConvTranspose2d(c1, ch, 4, stride=2, padding=1),  # (B, C, H, W)
            nn.Flatten(),
        )
        k = config.codebook_size
        # Buffers, not parameters: the optimiser never touches the codebook; the EMA below does.
        self.register_buffer("codebook", torch.randn(k, d) * 0.1)  # (K, D)
        self.register_buffer("ema_count", torch.ones(k))  # (K,)
        self.register_buffer("ema_sum", self.codebook.clone())  # (K, D)
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))

    # -- the grid ------------------------------------------------------------------------------
    def _cells(self, x: torch.Tensor) -> torch.Tensor:
        """The encoder's vectors, one row per cell ``(B·h·w, D)``, row-major over (b, i, j)."""
        ze = self.encoder(x)  # (B, D, h, w)
        return ze.permute(0, 2, 3, 1).reshape(-1, ze.shape[1])

    def nearest(self, vectors: torch.Tensor) -> torch.Tensor:
        """The index of the nearest code for each row of ``vectors`` ``(N, D)`` → ``(N,)``."""
        cb = self.codebook
        d2 = vectors.pow(2).sum(1, keepdim=True) - 2 * vectors @ cb.T + cb.pow(2).sum(1)  # (N, K)
        return d2.argmin(1)

    def code_indices(self, x: torch.Tensor) -> torch.Tensor:
        """Each image's grid of code indices ``(B, h, w)``, int64."""
        _, gh, gw = grid_shape(self.config)
        return self.nearest(self._cells(x)).reshape(len(x), gh, gw)

    def grid_vectors(self, idx: torch.Tensor) -> torch.Tensor:
        """Code indices ``(B, h, w)`` → the decoder's input ``(B, latent_dim)`` (channels first)."""
        return self.codebook[idx].permute(0, 3, 1, 2).reshape(len(idx), -1)  # (B, D·h·w)

    def decode_indices(self, idx: torch.Tensor) -> torch.Tensor:
        """Pixels ``(B, D_in)`` of code grids ``(B, h, w)``."""
        return self.decode(self.grid_vectors(idx))

    # -- the interface ---------------------------------------------------------------------------
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.grid_vectors(self.code_indices(x))  # (B, latent_dim): the quantised grid

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, D_in)

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None) -> Output:
        target = x if target is None else target
        ze = self._cells(x)  # (N, D), N = B·h·w
        if self.training:
            self._update_codebook(ze.detach())
        idx = self.nearest(ze)  # (N,)
        zq = self.codebook[idx]  # (N, D)
        commit = F.mse_loss(ze, zq.detach())
        zq_st = ze + (zq - ze).detach()  # straight through: the decoder's gradient reaches the encoder
        _, gh, gw = grid_shape(self.config)
        z = zq_st.reshape(len(x), gh, gw, -1).permute(0, 3, 1, 2).reshape(len(x), -1)  # (B, latent_dim)
        recon = self.decode(z)
        mse = F.mse_loss(recon, target)
        counts = torch.bincount(idx, minlength=self.config.codebook_size).float()
        p = counts / counts.sum()
        perplexity = torch.exp(-(p * (p + 1e-12).log()).sum())
        return Output(
            recon=recon,
            z=z.detach(),
            loss=mse + COMMITMENT * commit,
            parts={"mse": mse.detach(), "commitment": commit.detach(), "perplexity": perplexity.detach()},
        )

    @torch.no_grad()
    def _update_codebook(self, ze: torch.Tensor) -> None:
        """One EMA step of the codebook towards the batch's vectors ``ze`` ``(N, D)``, then restart
        the dead codes on random rows of ``ze`` (the global torch RNG: seeded by the trainer)."""
        k = self.config.codebook_size
        fair = len(ze) / k  # a code's count per batch if all were used equally
        if not bool(self.initialised):  # start the codes on encoder outputs, not on noise
            pick = torch.randint(0, len(ze), (k,))
            self.codebook.copy_(ze[pick])
            self.ema_sum.copy_(ze[pick] * fair)
            self.ema_count.fill_(fair)
            self.initialised.fill_(True)
        idx = self.nearest(ze)
        onehot = F.one_hot(idx, k).type_as(ze)  # (N, K)
        self.ema_count.mul_(EMA_DECAY).add_(onehot.sum(0), alpha=1 - EMA_DECAY)
        self.ema_sum.mul_(EMA_DECAY).add_(onehot.T @ ze, alpha=1 - EMA_DECAY)
        n = self.ema_count.sum()
        smoothed = (self.ema_count + 1e-5) / (n + k * 1e-5) * n  # Laplace smoothing: no division by 0
        self.codebook.copy_(self.ema_sum / smoothed[:, None])
        # Unused for ~350 steps (0.99^350 ≈ 0.03): restarted with a fair count, so it has time to be picked.
        dead = self.ema_count < DEAD_COUNT * fair
        if bool(dead.any()):
            pick = torch.randint(0, len(ze), (int(dead.sum()),))
            self.codebook[dead] = ze[pick]
            self.ema_sum[dead] = ze[pick] * fair
            self.ema_count[dead] = fair
