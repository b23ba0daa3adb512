"""Small safetensors files that go with a data set or a model but are not autoencoders: a data set's
judge (:mod:`aecore.storage.judges`), a model's learned prior (:mod:`aecore.storage.priors`).

Each is tensors plus string metadata whose ``format`` names its kind; reading one checks that
``format`` before anything else and never runs code from the file. Each kind lives in its own folder
beside ``checkpoints/``'s models, so the model library never lists one as an autoencoder.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from aecore.errors import UserError, translating
from aecore.storage.files import write_atomic


def write_artifact(path: str | os.PathLike, tensors: dict, meta: dict[str, str], fmt: str, half: bool = False) -> Path:
    """Write ``tensors`` (numpy arrays or torch tensors; float16 when ``half``, else float32 for
    floating ones) with ``meta`` and ``format = fmt`` atomically to ``path``."""
    import torch
    from safetensors.torch import save

    def as_tensor(v) -> torch.Tensor:
        t = torch.as_tensor(np.asarray(v.detach().cpu() if isinstance(v, torch.Tensor) else v))
        if t.is_floating_point():
            t = t.to(torch.float16 if half else torch.float32)
        return t.contiguous()

    data = save({k: as_tensor(v) for k, v in tensors.items()}, metadata={**meta, "format": fmt})
    return write_atomic(Path(path), data)


def read_artifact(
    path: str | os.PathLike, fmt: str, error: type[UserError], what: str
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The tensors (as float32/int numpy arrays) and metadata of ``path``; ``error`` (saying ``what``
    the file should have been) for a file of another format, or unreadable."""
    from safetensors import safe_open

    path = Path(path)
    with translating(error, f"{what} {path.name}"):
        with safe_open(str(path), framework="np") as f:
            meta = f.metadata() or {}
            if meta.get("format") != fmt:
                raise error(f"{path.name} is not {what.lower()}'s file (format {meta.get('format')!r})")
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    return {k: v.astype(np.float32) if v.dtype == np.float16 else v for k, v in tensors.items()}, meta


def load_checked(module, tensors: dict, error: type[UserError], name: str, what: str = "its own config"):
    """Load ``tensors`` (numpy arrays) into ``module`` (built from the file's own config) after checking
    that their names and shapes are exactly the module's: ``error`` naming ``name`` otherwise. A file
    cannot smuggle a tensor in, nor load half a model."""
    import torch

    expected = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    if {k: tuple(v.shape) for k, v in tensors.items()} != expected:
        raise error(f"{name}: its tensors do not match {what}")
    module.load_state_dict({k: torch.as_tensor(v) for k, v in tensors.items()})
    return module
