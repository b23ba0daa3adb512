"""Variational autoencoders (MLP and conv): an encoder q(z|x) = N(μ, diag σ²), a prior N(0, I).

``encode`` returns μ (the deterministic code the pages plot). ``forward`` samples z with the
reparameterisation trick while training and uses μ in eval mode, so test metrics are repeatable.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .base import AutoencoderBase, ModelConfig, Output, mlp
from .conv import conv_decoder, conv_encoder
from .registry import register


def kl_per_dim(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, 1)) for each example and latent dimension ``(B, k)``, in nats."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)


class _VAEMixin(AutoencoderBase):
    variational = True

    def encode_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(μ, log σ²)``, each ``(B, k)``."""
        h = self.encoder(x)  # (B, 2k)
        mu, logvar = h.chunk(2, dim=1)
        # Clamp keeps exp() finite in the first steps of an unlucky init.
        return mu, logvar.clamp(-12.0, 8.0)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode_stats(x)[0]  # (B, k): the posterior mean

    def kl_weight(self) -> float:
        """The weight of KL(q(z|x) ‖ N(0, I)) in the loss: β (β-VAE; 1 is the ELBO)."""
        return self.config.beta

    def log_px_given_z(self, logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """log p(x | z) per example ``(...,)`` from decoder logits ``(..., D)``, in nats, constants
        included, so that the training loss and every reported bound are the same quantity.

        Bernoulli: −BCE, applied to grey levels in [0, 1] as they are (continuous images, not the
        binarised MNIST of the papers). Gaussian: N(x; g(z), obs_sigma² I)."""
        c = self.config
        if c.likelihood == "bernoulli":
            return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)
        d = x.shape[-1]
        return -((self._squash(logits) - x) ** 2).sum(-1) / (2 * c.obs_sigma**2) - d * (
            math.log(c.obs_sigma) + 0.5 * math.log(2 * math.pi)
        )

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None) -> Output:
        target = x if target is None else target
        mu, logvar = self.encode_stats(x)
        if self.training:
            z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        else:
            z = mu
        logits = self.decode_logits(z)  # (B, D)
        recon = self._squash(logits)
        nll = -self.log_px_given_z(logits, target)  # (B,)
        kl = kl_per_dim(mu, logvar).sum(1)  # (B,)
        loss = (nll + self.kl_weight() * kl).mean()
        parts = {
            "nll": nll.mean().detach(),
            "kl": kl.mean().detach(),
            "mse": F.mse_loss(recon, target).detach(),
        }
        return Output(recon=recon, z=z, loss=loss, parts=parts, mu=mu, logvar=logvar)


@register("vae")
class MLPVAE(_VAEMixin):
    label = "Variational AE (VAE)"

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        c = config
        self.encoder = mlp([c.input_dim, *c.hidden, 2 * c.latent_dim], c.activation)
        self.decoder = mlp([c.latent_dim, *reversed(c.hidden), c.input_dim], c.activation)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)


@register("conv-vae")
class ConvVAE(_VAEMixin):
    label = "Convolutional VAE"

    def __init__(self, config: ModelConfig):
        super().__init__(config)
        self.encoder = conv_encoder(config, 2 * config.latent_dim)
        self.decoder = conv_decoder(config)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)


def gaussian_log_density(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """log N(z; μ, diag σ²) per dimension, broadcasting (e.g. ``(B, 1, k)`` against ``(1, B, k)``)."""
    return -0.5 * (math.log(2 * math.pi) + logvar + (z - mu).pow(2) / logvar.exp())


def total_correlation(z: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """The minibatch estimate of the total correlation KL(q(z) ‖ Π_j q(z_j)) of the aggregate
    posterior (Chen et al., 2018, minibatch-weighted sampling), a scalar in nats.

    q(z_i) ≈ (1/B) Σ_b q(z_i | x_b) over the batch. The estimator's other constant, log N (the data
    set's size), appears in both log q(z) and Σ_j log q(z_j) and would cancel to (k − 1) log(N/B): it
    moves the value, never the gradient, and is left out, so the number is the batch's own TC."""
    b = z.shape[0]
    logq = gaussian_log_density(z[:, None], mu[None], logvar[None])  # (B, B, k): q(z_i,j | x_b)
    log_qz = torch.logsumexp(logq.sum(2), dim=1) - math.log(b)  # (B,)
    log_prod = (torch.logsumexp(logq, dim=1) - math.log(b)).sum(1)  # (B,)
    return (log_qz - log_prod).mean()


@register("tc-vae")
class MLPBetaTCVAE(MLPVAE):
    """β-TC-VAE (Chen et al., 2018): the ELBO with only the total-correlation part of its KL term
    weighted by β (here ``config.beta``): loss = −log p(x|z) + KL + (β − 1) TC. The KL splits into
    index-code mutual information, total correlation and dimension-wise KL; penalising only the TC
    asks for independent latent dimensions without starving the code of information, as β-VAE does."""

    label = "β-TC-VAE"

    def kl_weight(self) -> float:
        return 1.0  # the KL term keeps weight 1; β weighs the total correlation (below)

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None) -> Output:
        out = super().forward(x, target)
        if self.training and self.config.beta != 1:
            tc = total_correlation(out.z, out.mu, out.logvar)
            out.loss = out.loss + (self.config.beta - 1) * tc
            out.parts["tc"] = tc.detach()
        return out
