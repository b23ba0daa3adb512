"""Checkpoints: one safetensors file per model, safe to load from strangers.

The file holds the weights plus JSON metadata (format version, model config, data set, metrics,
training history). safetensors is a plain header + raw tensor bytes, so loading never runs code
from the file (unlike ``torch.load`` of a pickle). Everything read is validated before a model is
built from it, and each kind of bad file gets its own readable :class:`CheckpointError`.

torch and the model code are imported inside the functions that build or save models: listing the
library (headers only, :func:`read_metadata`) must not pay torch's ~3 s import on the first page.
"""

from __future__ import annotations

import json
import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aecore.errors import UserError, translating
from aecore.names import InvalidName, check_name  # InvalidName is imported from here by older callers
from aecore.storage.files import write_atomic

if TYPE_CHECKING:  # annotations only (see the module docstring)
    from aecore.models import AutoencoderBase, ModelConfig

FORMAT = "latent-lab-checkpoint"
FORMAT_VERSION = 1
SUFFIX = ".safetensors"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


class CheckpointError(UserError):
    """A checkpoint file is unreadable, malformed, from the future or does not match its config."""


@dataclass
class Checkpoint:
    """A loaded checkpoint: the rebuilt model (eval mode, CPU) and everything saved with it."""

    model: AutoencoderBase
    config: ModelConfig
    dataset: str
    metrics: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    train_config: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    path: Path | None = None

    @property
    def name(self) -> str:
        return checkpoint_name(self.path) if self.path else ""

    def summary(self) -> dict[str, Any]:
        """A flat dict for tables and ``python -m aecore info``."""
        c = self.config
        return {
            "name": self.name,
            "path": str(self.path) if self.path else "",
            "family": c.family,
            "dataset": self.dataset,
            "latent_dim": c.latent_dim,
            "input_dim": c.input_dim,
            "hidden": list(c.hidden),
            "params": self.model.n_params(),
            "created": self.created,
            "epochs": len(self.history),
            **{f"metric.{k}": v for k, v in self.metrics.items()},
            **(
                {
                    "corruption": self.train_config.get("corruption"),
                    "corruption_level": self.train_config.get("corruption_level"),
                }
                if self.train_config.get("corruption")
                else {}
            ),
        }


# ---------------------------------------------------------------- names and paths


def safe_name(name: str) -> str:
    """A user-given model name, checked by the one name rule (:func:`aecore.names.check_name`):
    returned stripped (and without ``.safetensors``), or :class:`InvalidName` saying why.

    Allowed: letters, digits, ``_ - . space``, starting with a letter or digit, ≤ 64 characters.
    So ``..``, ``/``, ``\\`` and hidden files can never be formed.
    """
    return check_name(name, "model")


def path_for(folder: str | os.PathLike, name: str) -> Path:
    """The file for checkpoint ``name`` inside ``folder``, guaranteed not to escape it."""
    folder = Path(folder).resolve()
    p = (folder / (safe_name(name) + SUFFIX)).resolve()
    if p.parent != folder:  # belt and braces: symlinks or odd names
        raise InvalidName(f"the model name {name!r} resolves outside {folder}")
    return p


def resolve_path(path: str | os.PathLike) -> Path:
    """Accept ``foo`` or ``foo.safetensors`` for a checkpoint file path."""
    p = Path(path)
    if not p.exists() and p.suffix != SUFFIX and p.with_name(p.name + SUFFIX).exists():
        return p.with_name(p.name + SUFFIX)
    return p


def checkpoint_file(path: str | os.PathLike) -> Path:
    """The file a checkpoint path names: ``.safetensors`` appended if missing (what a save writes)."""
    path = Path(path)
    return path if path.suffix == SUFFIX else path.with_name(path.name + SUFFIX)


def checkpoint_name(path: str | os.PathLike) -> str:
    """A checkpoint's name: its file name without ``.safetensors`` (what the library lists)."""
    n = Path(path).name
    return n[: -len(SUFFIX)] if n.endswith(SUFFIX) else n


# ---------------------------------------------------------------- saving


def _jsonable(v: Any) -> Any:
    # numpy arrays and scalars (a data set's meta may hold them) become lists and numbers.
    return json.loads(json.dumps(v, default=lambda o: o.tolist() if hasattr(o, "tolist") else float(o)))


def to_bytes(
    model: AutoencoderBase,
    dataset: str,
    metrics: dict | None = None,
    history: list | None = None,
    train_config: dict | None = None,
    extra: dict | None = None,
    dtype: str = "float32",
    created: str | None = None,
) -> bytes:
    """Serialise a model and its metadata to checkpoint bytes (for saving or downloading).

    ``created`` defaults to now; a file rewritten with re-measured metrics keeps its own."""
    import torch
    from safetensors.torch import save

    if dtype not in ("float32", "float16"):
        raise ValueError("dtype must be 'float32' or 'float16'")
    tdtype = torch.float16 if dtype == "float16" else torch.float32
    # A family's byte buffers (an ONNX import's graphs) stay bytes; every other tensor takes the float type.
    raw = set(getattr(type(model), "byte_buffers", ()))
    tensors = {
        k: v.detach().cpu().to(v.dtype if k in raw else tdtype).contiguous() for k, v in model.state_dict().items()
    }
    meta = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "config": json.dumps(model.config.to_dict()),
        "dataset": dataset,
        "metrics": json.dumps(_jsonable(metrics or {})),
        "history": json.dumps(_jsonable(history or [])),
        "train_config": json.dumps(_jsonable(train_config or {})),
        "extra": json.dumps(_jsonable(extra or {})),
        "created": created or time.strftime("%Y-%m-%d %H:%M:%S"),
        "dtype": dtype,
    }
    return save(tensors, metadata=meta)


def save_checkpoint(
    path: str | os.PathLike,
    model: AutoencoderBase,
    dataset: str,
    metrics: dict | None = None,
    history: list | None = None,
    train_config: dict | None = None,
    extra: dict | None = None,
    dtype: str = "float32",
    created: str | None = None,
) -> Path:
    """Save atomically to ``path`` (``.safetensors`` is appended if missing). Returns the path."""
    path = checkpoint_file(path)
    return write_atomic(path, to_bytes(model, dataset, metrics, history, train_config, extra, dtype, created))


# ---------------------------------------------------------------- loading


def _sniff(data: bytes) -> None:
    """Refuse obviously wrong files with a specific message before parsing anything."""
    if len(data) == 0:
        raise CheckpointError("the file is empty (0 bytes)")
    # A safetensors file starts with its header's length (8 bytes, little-endian) and then "{". That
    # length can begin with the bytes of a pickle's magic (a header of 896 bytes is 80 03 00 …), so
    # the pickle test comes second: a file that is not parsed as safetensors is never loaded anyway.
    looks_safetensors = len(data) >= 9 and data[8:9] == b"{"
    if not looks_safetensors and data[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"):
        raise CheckpointError(
            "this is a Python pickle. Latent Lab never unpickles files, because unpickling can run "
            "arbitrary code; it only reads its own .safetensors checkpoints"
        )
    if data[:4] == b"PK\x03\x04":
        raise CheckpointError(
            "this is a zip archive (a torch.save() file?). It is not loaded, because torch.save files "
            "contain pickles that can run code; save the model with aecore instead"
        )
    if len(data) < 10:
        raise CheckpointError(f"the file is too short ({len(data)} bytes) to be a checkpoint: truncated?")
    (hlen,) = struct.unpack("<Q", data[:8])
    if data[8:9] != b"{" or hlen > 100 * 1024 * 1024:
        raise CheckpointError("wrong magic: this is not a safetensors checkpoint (unrecognised header)")
    if 8 + hlen > len(data):
        raise CheckpointError(
            f"the file is truncated: its header says {hlen} bytes of metadata, but the file has only {len(data)} bytes"
        )


def _json_field(meta: dict, key: str, default: Any, kind: type | None = None) -> Any:
    """Metadata field ``key`` parsed from its JSON text (``default`` when absent); of type ``kind``
    (default: ``default``'s type) or refused, so that a page never meets a list where a dict was
    promised."""
    raw = meta.get(key)
    if raw is None:
        return default
    try:
        v = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; a deep nesting recurses
        raise CheckpointError(f"the checkpoint's '{key}' metadata is not valid JSON") from None
    kind = kind or (type(default) if default is not None else None)
    if kind is not None and not isinstance(v, kind):
        raise CheckpointError(f"the checkpoint's '{key}' metadata is a JSON {type(v).__name__}, not a {kind.__name__}")
    return v


#: The dtypes a checkpoint's weights may have (safetensors' names): floating point only.
_FLOAT_DTYPES = {"F16", "BF16", "F32", "F64"}


def _parse_header(data: bytes) -> tuple[dict, dict[str, str]]:
    """``(tensor table, metadata)`` of checkpoint bytes (at least the whole header), validated as far
    as the header alone allows: JSON object, metadata a table of texts, our format and version."""
    _sniff(data)
    (hlen,) = struct.unpack("<Q", data[:8])
    try:
        header = json.loads(data[8 : 8 + hlen])
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested deeper than the parser goes
        raise CheckpointError("wrong magic: the safetensors header is not valid JSON") from None
    if not isinstance(header, dict):
        raise CheckpointError("wrong magic: the safetensors header is not a JSON object")
    meta = header.pop("__metadata__", None) or {}
    # safetensors' own rule (text → text); checked here because the fields are read before safetensors.
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise CheckpointError("the checkpoint's metadata is not a table of texts (a damaged or hand-made header)")
    if meta.get("format") != FORMAT:
        raise CheckpointError(
            "this safetensors file is not a Latent Lab checkpoint (its metadata has no "
            f"format={FORMAT!r}); it has no model config to rebuild the model from"
        )
    try:
        version = int(meta.get("format_version", ""))
    except ValueError:
        raise CheckpointError(f"unreadable format version {meta.get('format_version')!r}") from None
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"this checkpoint has format version {version}, newer than this app understands "
            f"({FORMAT_VERSION}); update Latent Lab to load it"
        )
    if version < 1:
        raise CheckpointError(f"unknown checkpoint format version {version}")
    return header, meta


def _expected_tensors(config: ModelConfig) -> dict[str, tuple[tuple[int, ...], bool]]:
    """``{name: (shape, is_float)}``: the config's tensors, floats except the family's
    ``byte_buffers`` (an ONNX import's graphs), stored as bytes."""
    import torch

    from aecore.models import build_model

    with translating(CheckpointError, "the model config"), torch.device("meta"):
        model = build_model(config)
    raw = set(getattr(type(model), "byte_buffers", ()))
    return {k: (tuple(v.shape), k not in raw) for k, v in model.state_dict().items()}


def _check_tensor_table(
    table: dict, expected: dict[str, tuple[int, ...]], config: ModelConfig, byte_tensors: frozenset = frozenset()
) -> None:
    """The header's tensors against the config's, before any weight is read (``byte_tensors``: the
    names stored as bytes, not floats)."""
    missing = sorted(set(expected) - set(table))
    unexpected = sorted(set(table) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"the weights do not match the config ({config.family}, k={config.latent_dim}): "
            f"missing {missing[:4]}{'…' if len(missing) > 4 else ''}, "
            f"unexpected {unexpected[:4]}{'…' if len(unexpected) > 4 else ''}"
        )
    for k, entry in table.items():
        shape = entry.get("shape") if isinstance(entry, dict) else None
        dtype = entry.get("dtype") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or tuple(shape) != expected[k]:
            raise CheckpointError(f"shape mismatch for '{k}': the file has {shape}, the config needs {expected[k]}")
        if k in byte_tensors:
            if dtype != "U8":
                raise CheckpointError(f"tensor '{k}' has dtype {dtype}, expected bytes (U8)")
        elif dtype not in _FLOAT_DTYPES:
            raise CheckpointError(f"tensor '{k}' has dtype {dtype}, expected floating point")


def from_bytes(data: bytes, path: Path | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Checkpoint:
    """Validate and load checkpoint bytes. Raises :class:`CheckpointError` for any bad input.

    Order matters: the header (format, version, config, tensor names, shapes and dtypes) is checked
    before a weight is read or a model allocated, so a lying header costs no memory."""
    import torch
    from safetensors.torch import load

    from aecore.models import ConfigError, ModelConfig, build_model

    if max_bytes is not None and len(data) > max_bytes:
        raise CheckpointError(f"the file is too large: {len(data) / 1e6:.1f} MB, the limit is {max_bytes / 1e6:.0f} MB")
    table, meta = _parse_header(data)
    cfg_dict = _json_field(meta, "config", None)
    if cfg_dict is None:
        raise CheckpointError("the checkpoint has no model config")
    try:
        # from_dict turns the values it expects to be odd into ConfigError; translating the rest
        # (an int() of 1e999 overflows) keeps every refusal a CheckpointError.
        with translating(CheckpointError, "the model config"):
            config = ModelConfig.from_dict(cfg_dict)
    except ConfigError as exc:
        raise CheckpointError(str(exc)) from None
    metrics = _json_field(meta, "metrics", {})
    history = _json_field(meta, "history", [])
    train_config = _json_field(meta, "train_config", {})
    extra = _json_field(meta, "extra", {})
    spec = _expected_tensors(config)
    expected = {k: shape for k, (shape, _) in spec.items()}
    byte_tensors = frozenset(k for k, (_, is_float) in spec.items() if not is_float)
    _check_tensor_table(table, expected, config, byte_tensors)
    with translating(CheckpointError, "the checkpoint"):
        tensors = load(data)
    for k, t in tensors.items():
        if tuple(t.shape) != expected[k]:  # the header said so; safetensors agreed
            raise CheckpointError(
                f"shape mismatch for '{k}': the file has {tuple(t.shape)}, the config needs {expected[k]}"
            )
        if k in byte_tensors:
            if t.dtype != torch.uint8:
                raise CheckpointError(f"tensor '{k}' has dtype {t.dtype}, expected bytes")
            continue
        if not t.is_floating_point():
            raise CheckpointError(f"tensor '{k}' has dtype {t.dtype}, expected floating point")
        if not torch.isfinite(t).all():
            raise CheckpointError(f"tensor '{k}' contains NaN or infinite values")
    model = build_model(config)
    model.load_state_dict({k: v if k in byte_tensors else v.float() for k, v in tensors.items()})
    model.eval()
    try:
        model.validate_loaded()
    except UserError as exc:
        raise CheckpointError(str(exc)) from None
    return Checkpoint(
        model=model,
        config=config,
        dataset=str(meta.get("dataset", "")),
        metrics=metrics,
        history=history,
        train_config=train_config,
        extra=extra,
        created=str(meta.get("created", "")),
        path=path,
    )


def load_checkpoint(path: str | os.PathLike, max_bytes: int | None = DEFAULT_MAX_BYTES) -> Checkpoint:
    """Load and validate the checkpoint at ``path`` (``.safetensors`` optional). Never runs code."""
    p = resolve_path(path)
    if not p.is_file():
        raise CheckpointError(f"no checkpoint file at {p}")
    with translating(CheckpointError, f"the checkpoint file {p.name}"):  # unreadable: permissions, I/O
        size = p.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise CheckpointError(f"the file is too large: {size / 1e6:.1f} MB, the limit is {max_bytes / 1e6:.0f} MB")
        data = p.read_bytes()
    return from_bytes(data, path=p, max_bytes=max_bytes)


def read_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """Only the JSON metadata (fast: reads the header, not the weights). Raises CheckpointError."""
    p = resolve_path(path)
    with translating(CheckpointError, f"the checkpoint file {p.name}"):
        with open(p, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise CheckpointError("the file is too short to be a checkpoint")
            (hlen,) = struct.unpack("<Q", head)
            if hlen > 100 * 1024 * 1024:
                raise CheckpointError("wrong magic: this is not a safetensors checkpoint")
            raw = f.read(hlen)
    _, meta = _parse_header(head + raw)
    out = {k: v for k, v in meta.items()}
    for k, kind in (("config", dict), ("metrics", dict), ("history", list), ("train_config", dict), ("extra", dict)):
        out[k] = _json_field(meta, k, None, kind)
    return out
