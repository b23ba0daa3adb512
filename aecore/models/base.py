"""The one model interface every page and the trainer rely on.

Every model takes and returns *flat* rows ``(B, D)``: conv models reshape internally, so data
sets, corruptions, metrics and pages never branch on the architecture.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from aecore.errors import UserError


@dataclass
class Output:
    """What ``forward`` returns: named fields, never a positional tuple.

    ``loss`` is the scalar training objective (mean over the batch); ``parts`` holds its named
    terms (e.g. ``recon``, ``kl``) as scalars. ``mu``/``logvar`` are set by VAEs only.
    """

    recon: torch.Tensor  # (B, D)
    z: torch.Tensor  # (B, k)
    loss: torch.Tensor  # ()
    parts: dict[str, torch.Tensor] = field(default_factory=dict)
    mu: torch.Tensor | None = None  # (B, k)
    logvar: torch.Tensor | None = None  # (B, k)


ACTIVATIONS = {"relu": nn.ReLU, "elu": nn.ELU, "tanh": nn.Tanh, "gelu": nn.GELU, "silu": nn.SiLU}


class ConfigError(UserError):
    """A model config is malformed: unknown keys, wrong types or out-of-range values."""


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model. Round-trips through :meth:`to_dict`/:meth:`from_dict`.

    ``output`` is ``"sigmoid"`` for images in [0, 1] and ``"linear"`` for point clouds.
    ``likelihood`` (VAEs): ``"bernoulli"`` (BCE, images) or ``"gaussian"`` (squared error / 2σ²).
    ``recon_loss`` (the other families): what training minimises, ``"mse"`` or ``"bce"`` (binary
    cross-entropy on the sigmoid's logits, for images in [0, 1]: its gradient does not vanish where
    the sigmoid saturates, so a deep AE trains much faster; Hinton & Salakhutdinov used it).
    ``hidden`` lists the MLP widths (the depth is its length) or the conv channels.
    """

    family: str = "ae"
    input_dim: int = 784
    latent_dim: int = 2
    hidden: tuple[int, ...] = (512, 256)
    activation: str = "relu"
    output: str = "sigmoid"
    image_shape: tuple[int, ...] | None = None
    likelihood: str = "bernoulli"
    beta: float = 1.0
    obs_sigma: float = 0.1
    recon_loss: str = "mse"
    codebook_size: int = 0  # VQ-VAEs: how many code vectors (0: not a VQ model)
    sparsity_k: int = 0  # sparse AEs: how many features may fire (TopK; 0: an L1 penalty instead)
    l1_coeff: float = 0.0  # sparse AEs without TopK: the weight of the L1 penalty on the features
    onnx_bytes: tuple[int, ...] = ()  # ONNX imports: the sizes of the encoder's and decoder's graphs

    def __post_init__(self):
        self.hidden = tuple(int(h) for h in self.hidden)
        self.onnx_bytes = tuple(int(n) for n in self.onnx_bytes)
        if self.image_shape is not None:
            self.image_shape = tuple(int(s) for s in self.image_shape)
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ConfigError` with a readable reason if any value is out of range."""

        def bad(msg):
            raise ConfigError(f"invalid model config: {msg}")

        from .registry import REGISTRY  # the families: whatever registered itself (models/__init__ imports them all)

        if self.family not in REGISTRY:
            bad(f"family {self.family!r} is not one of {tuple(REGISTRY)}")
        for name in ("input_dim", "latent_dim"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                bad(f"{name} must be a positive integer, got {v!r}")
        if self.latent_dim > 1024 or self.input_dim > 1_000_000:
            bad("input_dim or latent_dim is implausibly large")
        if any(h < 1 or h > 8192 for h in self.hidden) or len(self.hidden) > 16:
            bad(f"hidden widths must be 1..8192 and at most 16 layers, got {self.hidden}")
        if self.activation not in ACTIVATIONS:
            bad(f"activation {self.activation!r} is not one of {sorted(ACTIVATIONS)}")
        if self.output not in ("sigmoid", "linear"):
            bad(f"output must be 'sigmoid' or 'linear', got {self.output!r}")
        if self.likelihood not in ("bernoulli", "gaussian"):
            bad(f"likelihood must be 'bernoulli' or 'gaussian', got {self.likelihood!r}")
        if self.likelihood == "bernoulli" and self.is_vae and self.output != "sigmoid":
            bad("a Bernoulli likelihood needs output='sigmoid'")
        if self.recon_loss not in ("mse", "bce"):
            bad(f"recon_loss must be 'mse' or 'bce', got {self.recon_loss!r}")
        if self.recon_loss == "bce" and self.output != "sigmoid":
            bad("recon_loss='bce' needs output='sigmoid' (data in [0, 1])")
        if not (math.isfinite(self.beta) and self.beta >= 0):
            bad(f"beta must be a finite number ≥ 0, got {self.beta!r}")
        if not (math.isfinite(self.obs_sigma) and self.obs_sigma > 0):
            bad(f"obs_sigma must be > 0, got {self.obs_sigma!r}")
        if self.family.startswith("conv"):
            if self.image_shape is None or len(self.image_shape) != 3:
                bad("conv models need image_shape = (C, H, W)")
            c, h, w = self.image_shape
            if c * h * w != self.input_dim:
                bad(f"image_shape {self.image_shape} does not match input_dim {self.input_dim}")
            if h % 4 or w % 4:
                bad("conv models need image height and width divisible by 4")
        if self.family == "vq-vae":
            if (
                self.image_shape is None
                or len(self.image_shape) != 3
                or self.image_shape[1] % 4
                or self.image_shape[2] % 4
            ):
                bad("a VQ-VAE needs image_shape = (C, H, W) with H and W divisible by 4")
            cells = (self.image_shape[1] // 4) * (self.image_shape[2] // 4)
            if self.latent_dim % cells:
                bad(f"a VQ-VAE's latent_dim must be code_dim × {cells} grid cells, got {self.latent_dim}")
            if not (isinstance(self.codebook_size, int) and 2 <= self.codebook_size <= 4096):
                bad(f"a VQ-VAE needs codebook_size in 2..4096, got {self.codebook_size!r}")

        if (self.family == "onnx") != bool(self.onnx_bytes):
            bad("onnx_bytes (the two graphs' sizes) belongs to ONNX imports, and they need it")
        if self.onnx_bytes and (len(self.onnx_bytes) != 2 or not all(1 <= n <= 200 * 2**20 for n in self.onnx_bytes)):
            bad(f"onnx_bytes must be two sizes of 1 byte to 200 MB, got {self.onnx_bytes}")
        if self.family == "sae":
            if self.hidden:
                bad("a sparse AE has no hidden layers (hidden=())")
            if self.output != "linear" or self.recon_loss != "mse":
                bad("a sparse AE reconstructs activations: output='linear', recon_loss='mse'")
            k = self.sparsity_k
            if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= self.latent_dim:
                bad(f"sparsity_k must be 0..latent_dim, got {k!r}")
            if not (math.isfinite(self.l1_coeff) and self.l1_coeff >= 0) or (k == 0 and self.l1_coeff == 0):
                bad("a sparse AE needs sparsity_k ≥ 1 (TopK) or l1_coeff > 0 (L1)")

    @property
    def is_vae(self) -> bool:
        """True for a variational family (its class says so: ``variational = True``)."""
        from .registry import REGISTRY

        return bool(getattr(REGISTRY.get(self.family), "variational", False))

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["hidden"] = list(self.hidden)
        d["image_shape"] = list(self.image_shape) if self.image_shape else None
        d["onnx_bytes"] = list(self.onnx_bytes)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        """Build a config from a dict, refusing unknown keys (a typo must not pass silently)."""
        if not isinstance(d, dict):
            raise ConfigError(f"invalid model config: expected a mapping, got {type(d).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"invalid model config: unknown keys {unknown}")
        try:
            return cls(**d)
        except ConfigError:
            raise
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"invalid model config: {exc}") from None


def mlp(sizes: list[int], act: str, last_act: bool = False) -> nn.Sequential:
    """A stack of Linear layers with ``act`` between them (and after the last if ``last_act``)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_act:
            layers.append(ACTIVATIONS[act]())
    return nn.Sequential(*layers)


class AutoencoderBase(nn.Module):
    """Shared plumbing: ``encode``/``decode``/``forward`` and the reconstruction loss."""

    family: ClassVar[str] = ""  # set by @register
    #: The name a user sees (the Train page, the CLI's listing).
    label: ClassVar[str] = ""
    #: A VAE: encodes to q(z|x), its loss is the negative ELBO, its prior N(0, I) can be sampled.
    variational: ClassVar[bool] = False
    #: What it learns from: ``"data"`` (a data set's rows), ``"activations"`` (another network's
    #: layer: a sparse AE), which the Train page and the data pages leave out, or ``"elsewhere"``
    #: (an imported ONNX model: never trained here, so the Train page and the CLI do not offer it).
    trains_on: ClassVar[str] = "data"

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def _squash(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(logits) if self.config.output == "sigmoid" else logits

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Map codes ``(B, k)`` to reconstructions ``(B, D)`` in data space."""
        return self._squash(self.decode_logits(z))

    def encode(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def recon_error(self, x: torch.Tensor, xhat: torch.Tensor) -> torch.Tensor:
        """Per-example mean squared error ``(B,)``: the comparable metric across families."""
        return ((x - xhat) ** 2).mean(dim=1)

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None) -> Output:
        """Encode, decode and score. ``target`` (default ``x``) is what the recon is compared to:
        a denoising AE passes the corrupted batch as ``x`` and the clean one as ``target``."""
        target = x if target is None else target
        z = self.encode(x)  # (B, k)
        if self.config.recon_loss == "bce":
            logits = self.decode_logits(z)  # (B, D)
            recon = torch.sigmoid(logits)
            bce = F.binary_cross_entropy_with_logits(logits, target)  # per element, like the MSE
            mse = F.mse_loss(recon, target)
            return Output(recon=recon, z=z, loss=bce, parts={"bce": bce.detach(), "mse": mse.detach()})
        recon = self.decode(z)  # (B, D)
        mse = F.mse_loss(recon, target)
        return Output(recon=recon, z=z, loss=mse, parts={"mse": mse.detach()})

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def validate_loaded(self) -> None:
        """Checks a family runs on what a checkpoint gave it beyond the shapes (an ONNX import parses
        its graphs again); raises a ``UserError`` saying why the file cannot be used."""
