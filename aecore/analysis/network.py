"""The *implementation* picture of one input: every unit's activation, layer by layer.

x → hidden layers → z → hidden layers → x̂, as torch computes it for this x. The Two pictures page
draws these columns beside the *representation* picture (the latent plane, and for toy data the
manifold M with x and x̂ on it): the contrast the app exists to teach.

A layer here is what a diagram draws as a column of units: the input, the output of each
nonlinearity, the code, and the reconstruction. Reshapes (Flatten, Unflatten) are not layers; a
conv layer's units are its channels × rows × columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from aecore.models.base import ACTIVATIONS, AutoencoderBase

_ACT_TYPES = tuple(ACTIVATIONS.values())
_RESHAPES = (nn.Flatten, nn.Unflatten)


@dataclass
class Layer:
    """One column of units."""

    name: str  # "x", "encoder 1", "z", "decoder 1", "x̂"
    role: str  # "input", "hidden", "code", "output"
    values: np.ndarray  # (units,) this x's activations, flattened (channels, rows, columns for conv)
    shape: tuple[int, ...]  # the units' own shape: (units,) or (C, H, W)


def _columns(seq: nn.Module, h: torch.Tensor, prefix: str) -> tuple[list[Layer], torch.Tensor]:
    """Run ``h`` ``(1, …)`` through ``seq`` module by module; a column after each nonlinearity.
    Returns the columns and the last module's output (the pre-activation of the code or of x̂)."""
    out: list[Layer] = []
    mods = list(seq) if isinstance(seq, nn.Sequential) else [seq]  # a linear AE's is one Linear
    for i, mod in enumerate(mods):
        h = mod(h)
        if isinstance(mod, _ACT_TYPES) and i < len(mods) - 1:
            v = h[0].detach()
            out.append(Layer(f"{prefix} {len(out) + 1}", "hidden", v.reshape(-1).numpy().copy(), tuple(v.shape)))
    return out, h


@torch.no_grad()
def activations(model: AutoencoderBase, x) -> list[Layer]:
    """Every column of units for one input ``x`` ``(D,)``, in order: x, the encoder's hidden layers,
    z (a VAE's: μ of q(z|x), what ``encode`` returns), the decoder's hidden layers, x̂ = g(z).

    Computed by running the model's own ``encoder`` and ``decoder`` modules one at a time, so each
    column is exactly what torch's forward pass computes there (a test holds this with forward hooks)."""
    was = model.training
    model.eval()
    try:
        xt = torch.as_tensor(np.asarray(x, dtype=np.float32)).reshape(1, -1)  # (1, D)
        shape = tuple(model.config.image_shape or (xt.shape[1],))
        layers = [Layer("x", "input", xt[0].numpy().copy(), shape)]
        k = model.config.latent_dim
        # An imported ONNX model's layers are a graph onnxruntime runs, not torch modules: its picture
        # has the columns every autoencoder has, x, z and x̂.
        modules = isinstance(getattr(model, "encoder", None), nn.Module)
        if modules:
            enc, h = _columns(model.encoder, xt, "encoder")
            z = h[:, :k] if model.config.is_vae else h  # a VAE's encoder ends in (μ, log σ²)
        else:
            enc, z = [], model.encode(xt)  # (1, k)
        layers += enc + [Layer("z", "code", z[0].numpy().copy(), (k,))]
        dec = _columns(model.decoder, z, "decoder")[0] if modules else []
        xhat = model.decode(z)  # (1, D): the model's own output squashing (none for a linear AE)
        layers += dec + [Layer("x̂", "output", xhat[0].numpy().copy(), shape)]
        return layers
    finally:
        model.train(was)
