"""Autoencoders outside Latent Lab's registry, exported to ONNX as a torch user would: what the ONNX
import's tests (tests/test_onnx_import.py, tests/browser/test_onnx_browser.py) and bench/drag_fps.py
bring to the app."""

from __future__ import annotations

import io
import warnings

import torch
from torch import nn


def onnx_bytes(module: nn.Module, example: torch.Tensor) -> bytes:
    """``module`` exported with ``torch.onnx.export`` (the TorchScript exporter, a dynamic batch axis)."""
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(), (example,), f, input_names=["x"], output_names=["y"],
            dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, dynamo=False,
        )  # fmt: skip
    return f.getvalue()


def foreign_models(side: int = 8, k: int = 2, seed: int = 0, width: int = 32) -> tuple[nn.Module, nn.Module]:
    """An MLP encoder with LayerNorm and LeakyReLU, and a conv decoder with BatchNorm (its running
    statistics set, so that folding it is tested), for ``side`` × ``side`` grey pictures (side % 4 == 0);
    untrained, seeded. Neither is a Latent Lab family."""
    torch.manual_seed(seed)
    q = side // 4
    enc = nn.Sequential(nn.Linear(side * side, width), nn.LayerNorm(width), nn.LeakyReLU(0.1), nn.Linear(width, k))
    dec = nn.Sequential(
        nn.Linear(k, 8 * q * q), nn.LeakyReLU(0.2), nn.Unflatten(1, (8, q, q)),
        nn.ConvTranspose2d(8, 4, 4, 2, 1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.ConvTranspose2d(4, 1, 4, 2, 1), nn.Sigmoid(), nn.Flatten(),
    )  # fmt: skip
    with torch.no_grad():
        bn = dec[4]
        bn.running_mean.uniform_(-0.5, 0.5), bn.running_var.uniform_(0.5, 2.0), bn.weight.uniform_(0.5, 1.5)
    return enc.eval(), dec.eval()
