"""Lecture material computed once and kept on disk: what ``python -m aecore prepare`` fills.

A lecture must not wait in front of the class: a toy manifold view, the overfitting preset's 2,000
epochs, a time-lapse film, a held-out-class anomaly model are each seconds to minutes of CPU the
first time a server shows them. :func:`cached` looks for the result on disk first, so a fresh server
(or another laptop's, with the folder copied) opens them at once.

Files are ``.npz`` archives read with ``allow_pickle=False``: arrays, plus one JSON tree naming the
dataclasses to rebuild from an allow-list (:data:`CLASSES`). Models travel as checkpoint bytes and
are rebuilt from their own config (:func:`aecore.storage.checkpoint.from_bytes`); data sets by name. So
loading a file never runs code from it, and a file that does not decode is recomputed, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

#: Bump when a cached object's meaning changes (a field, a default grid): old files are then ignored.
VERSION = 1


def cache_dir() -> Path:
    """``$LATENTLAB_CACHE/prepared``, else ``~/.cache/latent-lab/prepared``."""
    from aecore.storage.files import cache_folder

    return cache_folder("LATENTLAB_CACHE", "") / "prepared"


def _classes() -> dict[str, type]:
    # Imported lazily: this module is imported by pages that must not pay for torch up front.
    from aecore.analysis.denoise import PsnrCurve
    from aecore.analysis.discrete import CodebookUse
    from aecore.analysis.factors import Study, StudyRow
    from aecore.analysis.manifold import ManifoldView
    from aecore.analysis.overfit import OverfitRun
    from aecore.analysis.pca import DeepVsPCA
    from aecore.analysis.probes import BudgetCurve, FeatureReport, FeatureScores
    from aecore.analysis.rate_distortion import RateDistortion
    from aecore.analysis.sae import FeatureCards, SAEDashboard, SAEStats
    from aecore.analysis.toy import Snapshot, ToyRun

    return {
        c.__name__: c
        for c in (
            ManifoldView,
            Snapshot,
            ToyRun,
            OverfitRun,
            DeepVsPCA,
            PsnrCurve,
            RateDistortion,
            FeatureScores,
            BudgetCurve,
            FeatureReport,
            StudyRow,
            Study,
            CodebookUse,
            SAEDashboard,
            SAEStats,
            FeatureCards,
        )
    }


#: The only classes a file may name (see :func:`_classes`).
CLASSES = (
    "ManifoldView",
    "Snapshot",
    "ToyRun",
    "OverfitRun",
    "DeepVsPCA",
    "PsnrCurve",
    "RateDistortion",
    "FeatureScores",
    "BudgetCurve",
    "FeatureReport",
    "StudyRow",
    "Study",
    "CodebookUse",
    "SAEDashboard",
    "SAEStats",
    "FeatureCards",
)


def key_of(*parts: Any) -> str:
    """A short, stable file key for these parts (strings, numbers, tuples, dicts). A part that names
    an imported data set stands for that file's version (:func:`aecore.data.importing.dataset_fingerprint`):
    importing it again under the same name makes new keys."""
    from aecore.data.importing import dataset_key

    parts = tuple(dataset_key(p) if isinstance(p, str) else p for p in parts)
    blob = json.dumps([VERSION, *parts], sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


# ---------------------------------------------------------------- encode / decode


def _encode(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    """A JSON tree for ``obj``; arrays (and tensors, models as checkpoint bytes) go to ``arrays``."""
    import torch

    from aecore.data.sets import Dataset
    from aecore.models import AutoencoderBase

    def stash(a: np.ndarray) -> str:
        name = f"a{len(arrays)}"
        arrays[name] = a
        return name

    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return {"__array__": stash(obj)}
    if isinstance(obj, torch.Tensor):
        return {"__tensor__": stash(obj.detach().cpu().numpy())}
    if isinstance(obj, AutoencoderBase):
        import copy

        from aecore.storage.checkpoint import to_bytes

        blob = to_bytes(copy.deepcopy(obj).cpu().float(), dataset="prepared")  # never change the caller's model
        return {"__model__": stash(np.frombuffer(blob, dtype=np.uint8))}
    if isinstance(obj, Dataset):
        return {"__dataset__": obj.name}
    if dataclasses.is_dataclass(obj) and type(obj).__name__ in CLASSES:
        return {
            "__class__": type(obj).__name__,
            "fields": {f.name: _encode(getattr(obj, f.name), arrays) for f in dataclasses.fields(obj)},
        }
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
    if isinstance(obj, dict):
        return {"__dict__": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()]}
    raise TypeError(f"cannot store a {type(obj).__name__} in a prepared file")


def _decode(tree: Any, arrays) -> Any:
    if isinstance(tree, list):
        return [_decode(v, arrays) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "__array__" in tree:
        return np.array(arrays[tree["__array__"]])
    if "__tensor__" in tree:
        import torch

        return torch.from_numpy(np.array(arrays[tree["__tensor__"]]))
    if "__model__" in tree:
        from aecore.storage.checkpoint import from_bytes

        return from_bytes(np.asarray(arrays[tree["__model__"]], dtype=np.uint8).tobytes()).model
    if "__dataset__" in tree:
        from aecore.data.sets import load_dataset

        return load_dataset(tree["__dataset__"])
    if "__tuple__" in tree:
        return tuple(_decode(v, arrays) for v in tree["__tuple__"])
    if "__dict__" in tree:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in tree["__dict__"]}
    if "__class__" in tree:
        cls = _classes().get(tree["__class__"])
        if cls is None:
            raise ValueError(f"a prepared file names an unknown class {tree['__class__']!r}")
        return cls(**{k: _decode(v, arrays) for k, v in tree["fields"].items()})
    raise ValueError("malformed prepared file")


def save(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` to ``path`` (an ``.npz``) atomically."""
    from aecore.storage.files import write_atomic

    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, arrays)
    arrays["__tree__"] = np.frombuffer(json.dumps(tree).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path = Path(path)
    write_atomic(path, buf.getvalue())
    return path


def load(path: str | os.PathLike) -> Any:
    """Read what :func:`save` wrote. Never unpickles; raises ``ValueError``/``OSError`` on a bad file."""
    with np.load(path, allow_pickle=False) as z:
        tree = json.loads(bytes(z["__tree__"]).decode())
        return _decode(tree, z)


_MISSING = object()


def _read(path: Path):
    """The stored result at ``path``, or ``_MISSING`` when there is none or it does not decode."""
    if path.is_file():
        try:
            return load(path)
        except Exception:  # noqa: BLE001 - a damaged or foreign file is recomputed, never trusted
            pass
    return _MISSING


@contextlib.contextmanager
def _computing(path: Path):
    """Hold an exclusive lock on ``path``'s ``.lock`` file while one process computes it: a second
    process (another replica, ``prepare`` running while a student opens the page, a second session's
    thread) waits for the first and reads its file instead of computing the same minute again. A
    no-op where locks are unavailable (no ``fcntl``, a read-only folder): then both compute.

    Yields a list; the holder appends to it when it computed, and then removes the lock file (no
    ``.lock`` beside every result). Safe: whoever waited on the removed file, or makes a new one, reads
    the result first (:func:`cached`)."""
    done: list[bool] = []
    lock = path.with_suffix(".lock")
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    except (ImportError, OSError):
        yield done
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield done
        if done:
            with contextlib.suppress(OSError):
                lock.unlink()
    finally:
        os.close(fd)  # closing releases the lock


def cached(kind: str, key: str, compute: Callable[[], T], folder: Path | None = None) -> T:
    """The stored result for ``(kind, key)``, else ``compute()``, stored for next time.

    A missing, unreadable or stale file is recomputed (once: a second process asking meanwhile
    waits for the first, :func:`_computing`); a read-only cache folder only costs the computation
    next time."""
    path = (folder or cache_dir()) / f"{kind}-{key}.npz"
    if (found := _read(path)) is not _MISSING:
        return found
    with _computing(path) as done:
        if (found := _read(path)) is not _MISSING:  # computed by whoever held the lock before us
            return found
        result = compute()
        try:
            save(path, result)
        except OSError:
            pass
        done.append(True)
    return result


def is_cached(kind: str, key: str, folder: Path | None = None) -> bool:
    return ((folder or cache_dir()) / f"{kind}-{key}.npz").is_file()
