"""Input corruptions for denoising autoencoders and the denoising demo.

All take flat rows ``(B, D)`` and a level in [0, 1], and never modify their input. Pass a
``torch.Generator`` for reproducible noise (the demo page and the trainer both do).
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def gaussian(
    x: torch.Tensor, level: float, generator: torch.Generator | None = None, clip: bool = True
) -> torch.Tensor:
    """x + N(0, level²); clipped to [0, 1] for images so the corrupted input stays a valid image."""
    noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    out = x + level * noise
    return out.clamp(0.0, 1.0) if clip else out


def salt_and_pepper(
    x: torch.Tensor, level: float, generator: torch.Generator | None = None, low: float = 0.0, high: float = 1.0
) -> torch.Tensor:
    """Set a fraction ``level`` of entries to ``low`` or ``high`` (half each)."""
    u = torch.rand(x.shape, generator=generator, device=x.device)
    salt = torch.rand(x.shape, generator=generator, device=x.device) < 0.5
    out = x.clone()
    hit = u < level
    out[hit & salt] = high
    out[hit & ~salt] = low
    return out


def masking(x: torch.Tensor, level: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Zero a fraction ``level`` of entries (the classic denoising-AE "masking noise")."""
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= level
    return x * keep


CORRUPTIONS: dict[str, Callable[..., torch.Tensor]] = {
    "gaussian": gaussian,
    "salt-and-pepper": salt_and_pepper,
    "masking": masking,
}


def corrupt(
    x: torch.Tensor, kind: str, level: float, generator: torch.Generator | None = None, clip: bool = True
) -> torch.Tensor:
    """Apply the corruption named ``kind`` at ``level``. ``clip`` only matters for Gaussian noise
    (point clouds are not bounded to [0, 1])."""
    if kind not in CORRUPTIONS:
        raise KeyError(f"unknown corruption {kind!r}; choose one of {list(CORRUPTIONS)}")
    if not 0.0 <= level <= 10.0:
        raise ValueError(f"corruption level must be in [0, 10], got {level}")
    if kind == "gaussian":
        return gaussian(x, level, generator, clip=clip)
    if kind == "salt-and-pepper" and not clip:
        lo, hi = x.min().item(), x.max().item()
        return salt_and_pepper(x, level, generator, lo, hi)
    return CORRUPTIONS[kind](x, level, generator)
