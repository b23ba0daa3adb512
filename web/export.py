"""Export MLP decoders for in-browser decoding: raw float32 weights + a small JSON manifest.

The drag-to-decode page runs the decoder's forward pass in plain JavaScript, so a dragged marker
decodes every animation frame with no server round trip. The browser needs the weights: we write
them once into the app's ``static/`` folder (served by Streamlit's ``server.enableStaticServing``
at ``/app/static/...``), with a content hash in the file name, so browsers may cache them forever
and a retrained model can never be served stale weights.

File layout (``<name>-<hash>.bin``): for each Linear layer in order, its weight ``(out, in)``
row-major, then its bias ``(out,)``, all little-endian float32, back to back. The manifest
(``<name>-<hash>.json``, also returned as a dict) lists each layer's shape, offsets (in floats)
and the activation applied after it, plus the output squash (``sigmoid`` or ``linear``).

Only decoders made of ``nn.Linear`` and element-wise activations export; conv decoders raise
:class:`NotExportable` and the page falls back to decoding on the server.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from aecore.models import AutoencoderBase
from aecore.models.base import ACTIVATIONS
from aecore.models.linear import LinearAutoencoder
from aecore.storage.files import safe_stem as _safe_stem_any
from aecore.storage.files import write_atomic as _write_atomic
from web.static import STATIC_DIR, STATIC_URL

FORMAT = "latent-lab-decoder"
FORMAT_VERSION = 1
DECODER_SUBDIR = "decoders"

_ACT_NAMES = {cls: name for name, cls in ACTIVATIONS.items()}


class NotExportable(ValueError):
    """The decoder is not a plain MLP (e.g. a conv decoder): decode it on the server instead."""


def _layers(model: AutoencoderBase) -> list[tuple[nn.Linear, str]]:
    """The decoder as ``[(linear, activation_after)]``; ``"none"`` where no activation follows."""
    dec = getattr(model, "decoder", None)
    mods = [dec] if isinstance(dec, nn.Linear) else list(dec) if isinstance(dec, nn.Sequential) else None
    if not mods:
        raise NotExportable(f"{type(model).__name__} has no MLP decoder")
    out: list[tuple[nn.Linear, str]] = []
    for m in mods:
        if isinstance(m, nn.Linear):
            out.append((m, "none"))
        elif type(m) in _ACT_NAMES and out and out[-1][1] == "none":
            if isinstance(m, nn.ELU) and m.alpha != 1.0:
                raise NotExportable("ELU with alpha != 1 is not supported in the browser")
            if isinstance(m, nn.GELU) and m.approximate != "none":
                raise NotExportable("tanh-approximated GELU is not supported in the browser")
            out[-1] = (out[-1][0], _ACT_NAMES[type(m)])
        else:
            raise NotExportable(
                f"decoder layer {type(m).__name__} cannot run in the browser "
                "(only Linear + activations do): decoding on the server instead"
            )
    return out


def output_squash(model: AutoencoderBase) -> str:
    """``"sigmoid"`` or ``"linear"``: what ``model.decode`` applies to the last layer's output."""
    if isinstance(model, LinearAutoencoder):
        return "linear"  # its decode() skips the squash on purpose (a flat subspace)
    if type(model).decode is not AutoencoderBase.decode:
        raise NotExportable(f"{type(model).__name__} overrides decode(); its output map is unknown")
    return model.config.output


def is_exportable(model: AutoencoderBase) -> bool:
    """True if :func:`export_decoder` will accept this model (a pure-MLP decoder)."""
    try:
        _layers(model)
        output_squash(model)
    except NotExportable:
        return False
    return True


def decoder_arrays(model: AutoencoderBase) -> tuple[dict[str, Any], bytes]:
    """The manifest (without file names) and the packed float32 weight bytes of ``model``'s decoder."""
    layers, chunks, offset = [], [], 0
    for lin, act in _layers(model):
        w = lin.weight.detach().cpu().float().numpy()  # (out, in)
        b = (
            lin.bias.detach().cpu().float().numpy() if lin.bias is not None else np.zeros(w.shape[0], np.float32)
        )  # (out,)
        layers.append(
            {
                "in": int(w.shape[1]),
                "out": int(w.shape[0]),
                "activation": act,
                "w_offset": offset,
                "b_offset": offset + w.size,
            }
        )
        offset += w.size + b.size
        chunks += [np.ascontiguousarray(w, dtype="<f4").tobytes(), np.ascontiguousarray(b, dtype="<f4").tobytes()]
    c = model.config
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "latent_dim": int(c.latent_dim),
        "output_dim": int(layers[-1]["out"]),
        "image_shape": list(c.image_shape) if c.image_shape else None,
        "output": output_squash(model),
        "layers": layers,
        "n_floats": offset,
    }
    if manifest["latent_dim"] != layers[0]["in"]:
        raise NotExportable("the decoder's first layer does not take the latent code")
    return manifest, b"".join(chunks)


def _safe_stem(name: str) -> str:
    return _safe_stem_any(name, "decoder")


def export_decoder(
    model: AutoencoderBase, name: str, static_dir: str | os.PathLike | None = None, url_prefix: str = STATIC_URL
) -> dict[str, Any]:
    """Write ``model``'s decoder to ``<static_dir>/decoders/<name>-<hash>.{bin,json}``; return the manifest.

    The hash covers the weights *and* the manifest, so any change gives new file names. Writing is
    skipped when the files already exist (same content, same name). The returned manifest has
    ``weights_file``/``manifest_file`` (relative to ``static_dir``) and ``weights_url`` (what the
    browser fetches). Raises :class:`NotExportable` for conv decoders.
    """
    manifest, blob = decoder_arrays(model)
    h = hashlib.sha256(blob)
    h.update(json.dumps(manifest, sort_keys=True).encode())
    digest = h.hexdigest()[:12]
    stem = f"{_safe_stem(name)}-{digest}"
    folder = Path(static_dir) if static_dir is not None else STATIC_DIR
    folder = folder / DECODER_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        **manifest,
        "name": name,
        "hash": digest,
        "weights_file": f"{DECODER_SUBDIR}/{stem}.bin",
        "manifest_file": f"{DECODER_SUBDIR}/{stem}.json",
        "weights_url": f"{url_prefix.rstrip('/')}/{DECODER_SUBDIR}/{stem}.bin",
    }
    bin_path, json_path = folder / f"{stem}.bin", folder / f"{stem}.json"
    if not (bin_path.exists() and bin_path.stat().st_size == len(blob)):
        _write_atomic(bin_path, blob)
    if not json_path.exists():
        _write_atomic(json_path, json.dumps(manifest, indent=1).encode())
    return manifest


def load_weights(path: str | os.PathLike) -> np.ndarray:
    """The packed float32 weights of an exported decoder, as one flat array."""
    return np.fromfile(path, dtype="<f4")


_NP_ACTS = {
    "none": lambda h: h,
    "relu": lambda h: np.maximum(h, 0.0),
    "elu": lambda h: np.where(h > 0, h, np.expm1(np.minimum(h, 0.0))),
    "tanh": np.tanh,
    "silu": lambda h: h / (1.0 + np.exp(-h)),
    "gelu": lambda h: 0.5 * h * (1.0 + _erf(h / np.sqrt(2.0))),
}


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(__import__("math").erf)(x)


def forward_numpy(manifest: dict[str, Any], weights: np.ndarray, z) -> np.ndarray:
    """Decode ``z`` ``(B, k)`` from the exported arrays alone: the reference for the JS forward pass
    (same layout, same loop order), used by tests to check the file format without a browser."""
    h = np.atleast_2d(np.asarray(z, dtype=np.float64))  # (B, k)
    for L in manifest["layers"]:
        w = weights[L["w_offset"] : L["w_offset"] + L["in"] * L["out"]].reshape(L["out"], L["in"])
        b = weights[L["b_offset"] : L["b_offset"] + L["out"]]
        h = _NP_ACTS[L["activation"]](h @ w.T.astype(np.float64) + b)
    if manifest["output"] == "sigmoid":
        h = 1.0 / (1.0 + np.exp(-h))
    return h  # (B, D)
