"""The implementation picture (aecore.analysis.network.activations): every column equals what torch
computes in the model's own forward pass (caught with forward hooks), for an MLP, a conv model and a
VAE; and the figure shows those values (web.figures.network)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from aecore.analysis.network import activations
from aecore.models import ModelConfig, build_model
from aecore.models.base import ACTIVATIONS

CONFIGS = {
    "mlp": ModelConfig(family="ae", input_dim=64, latent_dim=2, hidden=(32, 16), image_shape=(1, 8, 8)),
    "conv": ModelConfig(family="conv-ae", input_dim=64, latent_dim=3, hidden=(4, 6), image_shape=(1, 8, 8)),
    "vae": ModelConfig(family="vae", input_dim=64, latent_dim=2, hidden=(16,), image_shape=(1, 8, 8)),
    "linear": ModelConfig(family="linear-ae", input_dim=64, latent_dim=2, hidden=(), output="linear"),
}


def _hooked_forward(model, x):
    """What the model's forward pass computes after each nonlinearity (hooks), its code and its output."""
    seen = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, out: seen.append(out[0].detach().reshape(-1).clone()))
        for part in (model.encoder, model.decoder)
        for i, m in enumerate(part if isinstance(part, nn.Sequential) else [part])
        if isinstance(m, tuple(ACTIVATIONS.values())) and i < len(part) - 1
    ]
    try:
        with torch.no_grad():
            out = model(x[None])
    finally:
        for h in hooks:
            h.remove()
    return seen, out


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_column_is_torchs_own_activation(name):
    torch.manual_seed(0)
    model = build_model(CONFIGS[name]).eval()
    x = torch.rand(64)
    layers = activations(model, x.numpy())
    hidden, out = _hooked_forward(model, x)
    assert [ly.role for ly in layers] == ["input"] + ["hidden"] * (len(hidden) // 2) + ["code"] + ["hidden"] * (
        len(hidden) // 2
    ) + ["output"]
    assert len(hidden) == sum(ly.role == "hidden" for ly in layers)
    for ly, h in zip([ly for ly in layers if ly.role == "hidden"], hidden):
        assert np.array_equal(ly.values, h.numpy())  # bit for bit: the same modules on the same input
        assert int(np.prod(ly.shape)) == len(ly.values)
    assert np.array_equal(layers[0].values, x.numpy())
    code = next(ly for ly in layers if ly.role == "code")
    assert np.allclose(code.values, out.z[0].numpy(), atol=1e-6)  # z (a VAE's: μ, in eval mode)
    assert np.allclose(layers[-1].values, out.recon[0].numpy(), atol=1e-6)
    if name == "conv":
        assert layers[1].shape == (4, 4, 4)  # channels × rows × columns after the first conv


def test_the_figure_shows_those_values():
    from web.figures.network import network_figure

    torch.manual_seed(0)
    layers = activations(build_model(CONFIGS["conv"]).eval(), torch.rand(64).numpy())
    fig = network_figure(layers)
    shown = [np.asarray(t.z, dtype=np.float64).reshape(-1) for t in fig.data if t.type == "heatmap"]
    assert len(shown) == len(layers)
    for ly, z in zip(layers, shown):
        assert np.allclose(z, ly.values.astype(np.float64), atol=0, rtol=1e-7)
