"""Export decoders for in-browser decoding: raw float32 weights + a small JSON manifest.

The latent plane (drag to decode, an explorer click) runs the decoder's forward pass in the
browser, so a dragged marker decodes every animation frame with no server round trip. The browser
needs the weights: we write them once into the app's ``static/`` folder (served by Streamlit's
``server.enableStaticServing`` at ``/app/static/...``), with a content hash in the file name, so
browsers may cache them forever and a retrained model can never be served stale weights.

File layout (``<name>-<hash>.bin``): for each layer in order, its weight then its bias, all
little-endian float32, back to back. A ``linear`` layer's weight is ``(out, in)`` row-major (as
torch's); a ``convT`` layer's (a ``ConvTranspose2d``) is stored per kernel tap, ``(k, k, in_c,
out_c)`` row-major (torch's is ``(in_c, out_c, k, k)``): for one tap a contiguous ``(in_c, out_c)``
matrix, which the browser's SIMD kernel adds into one output position's channels. The manifest
(``<name>-<hash>.json``, also returned as a dict) lists each layer's type, shapes, offsets (in
floats) and the activation applied after it, plus the output squash (``sigmoid`` or ``linear``).
Activations between layers travel as flat ``(C, H, W)`` vectors, exactly like torch's
``Unflatten``/``Flatten``.

MLP decoders, the conv decoders of :mod:`aecore.models.conv` (Linear, then transposed convs), the
VQ-VAE's (transposed convs on its grid of code vectors, :mod:`aecore.models.vq`) and imported ONNX
decoders made of those layers (:func:`aecore.models.imported.browser_decoder`, which also brings
LeakyReLU, with its slope as the layer's ``alpha``, and Sigmoid between layers) export; anything else
raises :class:`NotExportable` and the page decodes on the server.
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
from latentlab.server.static import STATIC_DIR, STATIC_URL

FORMAT = "latent-lab-decoder"
FORMAT_VERSION = 1
DECODER_SUBDIR = "decoders"

# The activations the browser runs: the families' own, and two more that imported (ONNX) decoders use.
_ACT_NAMES = {cls: name for name, cls in ACTIVATIONS.items()} | {nn.LeakyReLU: "leaky_relu", nn.Sigmoid: "sigmoid"}


class NotExportable(ValueError):
    """The decoder has a layer the browser cannot run: decode it on the server instead."""


def _layers(model: AutoencoderBase) -> list[dict[str, Any]]:
    """The decoder as a list of layers ``{"module", "type", "activation", ...}`` (``"none"`` where no
    activation follows); a ``convT`` layer also has its input and output ``(C, H, W)``."""
    try:
        dec = getattr(model, "decoder", None)
    except ValueError as e:  # an imported (ONNX) decoder the browser cannot run: the converter says why
        raise NotExportable(f"{e}: decoding on the server instead") from None
    mods = [dec] if isinstance(dec, nn.Linear) else list(dec) if isinstance(dec, nn.Sequential) else None
    if not mods:
        raise NotExportable(f"{type(model).__name__} has no Linear or Sequential decoder: decoding on the server")
    out: list[dict[str, Any]] = []
    shape: tuple[int, int, int] | None = None  # (C, H, W) between Unflatten and Flatten
    for m in mods:
        if isinstance(m, nn.Linear) and shape is None:
            out.append({"module": m, "type": "linear", "activation": "none"})
        elif isinstance(m, nn.Unflatten) and shape is None and len(m.unflattened_size) == 3:
            # After a Linear (the conv AEs), or first (a VQ-VAE's decoder reads its grid of code vectors).
            shape = tuple(int(v) for v in m.unflattened_size)
        elif isinstance(m, nn.ConvTranspose2d) and shape is not None:
            shape = _check_conv_t(m, shape, out)
        elif isinstance(m, nn.Flatten) and shape is not None:
            shape = None
        elif type(m) in _ACT_NAMES and out and out[-1]["activation"] == "none":
            if isinstance(m, nn.ELU) and m.alpha != 1.0:
                raise NotExportable("ELU with alpha != 1 is not supported in the browser")
            if isinstance(m, nn.GELU) and m.approximate != "none":
                raise NotExportable("tanh-approximated GELU is not supported in the browser")
            out[-1]["activation"] = _ACT_NAMES[type(m)]
            if isinstance(m, nn.LeakyReLU):
                out[-1]["alpha"] = float(m.negative_slope)
        else:
            raise NotExportable(
                f"decoder layer {type(m).__name__} cannot run in the browser "
                "(only Linear, ConvTranspose2d and activations do): decoding on the server instead"
            )
    if shape is not None:
        raise NotExportable("the decoder ends on an image tensor, not a flat row")
    return out


def _check_conv_t(m: nn.ConvTranspose2d, shape: tuple[int, int, int], out: list) -> tuple[int, int, int]:
    """Append transposed conv ``m`` (input ``shape``) to ``out``; return its output ``(C, H, W)``."""
    k, s, p = m.kernel_size[0], m.stride[0], m.padding[0]
    plain = (
        m.kernel_size == (k, k)
        and m.stride == (s, s)
        and m.padding == (p, p)
        and m.dilation == (1, 1)
        and m.output_padding == (0, 0)
        and m.groups == 1
        and m.padding_mode == "zeros"
        and m.in_channels == shape[0]
    )
    if not plain:
        raise NotExportable("only square, undilated, ungrouped transposed convs run in the browser")
    _, h, w = shape
    out_shape = (m.out_channels, (h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k)  # torch's output size
    out.append(
        {"module": m, "type": "convT", "activation": "none", "in_shape": shape, "out_shape": out_shape}
        | {"k": k, "stride": s, "pad": p}
    )
    return out_shape


def output_squash(model: AutoencoderBase) -> str:
    """``"sigmoid"`` or ``"linear"``: what ``model.decode`` applies to the last layer's output."""
    if isinstance(model, LinearAutoencoder):
        return "linear"  # its decode() skips the squash on purpose (a flat subspace)
    if type(model).decode is not AutoencoderBase.decode:
        raise NotExportable(f"{type(model).__name__} overrides decode(); its output map is unknown")
    return model.config.output


def is_exportable(model: AutoencoderBase) -> bool:
    """True if :func:`export_decoder` will accept this model (an MLP or a Linear + transposed-conv decoder)."""
    try:
        _layers(model)
        output_squash(model)
    except NotExportable:
        return False
    return True


def decoder_arrays(model: AutoencoderBase) -> tuple[dict[str, Any], bytes]:
    """The manifest (without file names) and the packed float32 weight bytes of ``model``'s decoder."""
    layers, chunks, offset = [], [], 0
    for spec in _layers(model):
        mod = spec["module"]
        w = mod.weight.detach().cpu().float().numpy()  # linear (out, in); convT (in_c, out_c, k, k)
        n_out = w.shape[0] if spec["type"] == "linear" else w.shape[1]
        b = mod.bias.detach().cpu().float().numpy() if mod.bias is not None else np.zeros(n_out, np.float32)
        entry = {"type": spec["type"], "activation": spec["activation"]}
        if "alpha" in spec:
            entry["alpha"] = spec["alpha"]
        if spec["type"] == "linear":
            entry.update({"in": int(w.shape[1]), "out": int(w.shape[0])})
        else:
            w = w.transpose(2, 3, 0, 1)  # (k, k, in_c, out_c): one (in_c, out_c) matrix per tap
            (ci, hi, wi), (co, ho, wo) = spec["in_shape"], spec["out_shape"]
            entry.update(
                {"in": ci * hi * wi, "out": co * ho * wo, "in_shape": [ci, hi, wi], "out_shape": [co, ho, wo]}
                | {"k": spec["k"], "stride": spec["stride"], "pad": spec["pad"]}
            )
        entry.update({"w_offset": offset, "b_offset": offset + w.size})
        layers.append(entry)
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
    browser fetches). Raises :class:`NotExportable` for a decoder the browser cannot run.
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
    "sigmoid": lambda h: 1.0 / (1.0 + np.exp(-h)),
}


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(__import__("math").erf)(x)


def forward_numpy(manifest: dict[str, Any], weights: np.ndarray, z) -> np.ndarray:
    """Decode ``z`` ``(B, k)`` from the exported arrays alone: the reference for the JS forward pass
    (same layout, same loop order), used by tests to check the file format without a browser."""
    h = np.atleast_2d(np.asarray(z, dtype=np.float64))  # (B, k)
    for L in manifest["layers"]:
        if L.get("type", "linear") == "convT":
            h = _conv_t_numpy(L, weights, h)
        else:
            w = weights[L["w_offset"] : L["w_offset"] + L["in"] * L["out"]].reshape(L["out"], L["in"])
            b = weights[L["b_offset"] : L["b_offset"] + L["out"]]
            h = h @ w.T.astype(np.float64) + b
        if L["activation"] == "leaky_relu":
            h = np.where(h > 0, h, L["alpha"] * h)
        else:
            h = _NP_ACTS[L["activation"]](h)
    if manifest["output"] == "sigmoid":
        h = 1.0 / (1.0 + np.exp(-h))
    return h  # (B, D)


def _conv_t_numpy(L: dict[str, Any], weights: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One exported transposed conv on flat ``(B, C·H·W)`` rows, tap by tap (as the browser does)."""
    (ci, hi, wi), (co, ho, wo), k, s, p = L["in_shape"], L["out_shape"], L["k"], L["stride"], L["pad"]
    w = weights[L["w_offset"] : L["w_offset"] + k * k * ci * co].reshape(k, k, ci, co).astype(np.float64)
    b = weights[L["b_offset"] : L["b_offset"] + co].astype(np.float64)
    x = h.reshape(-1, ci, hi, wi)  # (B, ci, hi, wi)
    out = np.broadcast_to(b[None, :, None, None], (len(x), co, ho, wo)).copy()  # (B, co, ho, wo)
    for ky in range(k):
        oy = np.arange(hi) * s - p + ky  # output row of each input row, for this tap
        vy = (oy >= 0) & (oy < ho)
        for kx in range(k):
            ox = np.arange(wi) * s - p + kx
            vx = (ox >= 0) & (ox < wo)
            y = np.einsum("bchw,co->bohw", x[:, :, vy][:, :, :, vx], w[ky, kx])  # (B, co, ·, ·)
            out[:, :, oy[vy][:, None], ox[vx][None, :]] += y  # a stride ≥ 1 maps rows to distinct rows
    return out.reshape(len(x), -1)
