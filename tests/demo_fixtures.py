"""Small helpers shared by the demo-page tests (denoise, sampling, anomaly)."""

from __future__ import annotations

import pytest
import torch

from aecore.models import ModelConfig, build_model


def shipped(name: str):
    """The model of shipped checkpoint ``name``; skips (clearly) if the file is not there yet."""
    from aecore.storage.checkpoint import load_checkpoint
    from aecore.storage.library import SHIPPED_DIR

    p = SHIPPED_DIR / f"{name}.safetensors"
    if not p.exists():
        pytest.skip(f"shipped checkpoint {p.name} is missing (build it with scripts/build_checkpoints.py {name})")
    return load_checkpoint(p).model


def line_projector(direction=(1.0, 0.5)) -> torch.nn.Module:
    """A linear AE whose g∘f is the orthogonal projection onto the line through 0 along ``direction``:
    an exactly known manifold M, no training needed."""
    m = build_model(
        ModelConfig(family="linear-ae", input_dim=2, latent_dim=1, hidden=(), output="linear", likelihood="gaussian")
    )
    u = torch.tensor(direction, dtype=torch.float32)
    u = u / u.norm()
    with torch.no_grad():
        m.encoder.weight.copy_(u[None])  # z = u·x
        m.encoder.bias.zero_()
        m.decoder.weight.copy_(u[:, None])  # x̂ = z u
        m.decoder.bias.zero_()
    return m.eval()
