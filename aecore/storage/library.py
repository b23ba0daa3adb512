"""The model library: shipped checkpoints (read-only) plus the user's own folder.

Pages pick models by *name*; this module turns names into files and lists what exists, reading
only the metadata headers, so listing 50 checkpoints costs milliseconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aecore.errors import UserError, translating
from aecore.storage.checkpoint import SUFFIX, CheckpointError, checkpoint_name, read_metadata
from aecore.storage.files import cache_folder

#: The name each test metric is shown under, everywhere (CLI, Model library, checkpoints README):
#: one number, one name, one unit. A VAE's "−ELBO" samples z ~ q(z|x) (aecore.models.likelihood).
METRIC_LABELS = {
    "test_mse": "test MSE (per pixel or coordinate)",
    "test_sq_err_per_image": "squared error per test image (summed over pixels)",
    "test_neg_elbo": "−ELBO, nats per example (Monte Carlo, z ~ q(z|x))",
    "test_nll_iwae": "IWAE bound on −log p(x), nats per example",
    "test_loss_at_posterior_mean": "VAE loss at z = μ, nats per example (skips the sampling: not the ELBO)",
}


def metric_lines(metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """``(label, value)`` for each known test metric present, in :data:`METRIC_LABELS` order."""
    out = []
    for key, label in METRIC_LABELS.items():
        v = metrics.get(key)
        if v is None:
            continue
        if key == "test_nll_iwae" and metrics.get("iwae_k"):
            label += f" (K = {metrics['iwae_k']:,})"
        if key in ("test_neg_elbo", "test_nll_iwae") and metrics.get("likelihood"):
            label += f", {metrics['likelihood']} likelihood"
        out.append((label, f"{v:.4f}" if abs(v) < 10 else f"{v:.2f}"))
    return out


#: The shipped checkpoints: inside the package (``aecore/checkpoints``), so a wheel carries them and an
#: installed copy finds them from any folder.
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "checkpoints"


def user_dir() -> Path:
    """Where trained and uploaded models go: ``$LATENTLAB_MODELS``, else a user cache folder."""
    return cache_folder("LATENTLAB_MODELS", "models")


@dataclass(frozen=True)
class ModelEntry:
    """One checkpoint in the library, described from its metadata header alone."""

    name: str
    path: Path
    readonly: bool
    family: str
    dataset: str
    latent_dim: int
    test_loss: float | None
    test_mse: float | None
    created: str
    size_bytes: int
    corruption: str | None = None
    neg_elbo: float | None = None  # VAEs: −ELBO, nats per example
    nll_iwae: float | None = None  # VAEs: IWAE bound on −log p(x), nats per example

    @property
    def label(self) -> str:
        """Human label for pickers: ``mnist-vae-2d  ·  vae, k=2, mnist``."""
        kind = "dae" if self.corruption and self.family == "ae" else self.family
        return f"{self.name}  ·  {kind}, k={self.latent_dim}, {self.dataset}"

    def as_row(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "dataset": self.dataset,
            "k": self.latent_dim,
            "test MSE": self.test_mse,
            "−ELBO (nats)": self.neg_elbo,
            "IWAE −log p(x) bound (nats)": self.nll_iwae,
            "created": self.created,
            "size (kB)": round(self.size_bytes / 1024, 1),
            "shipped": self.readonly,
        }


def describe(path: Path, readonly: bool) -> ModelEntry:
    """The entry for one checkpoint file, from its header; cached per (path, mtime, size).

    Every page lists the library on every run, and a header holds the whole training history
    (1,200 epochs for some shipped models): parsing 30 of them cost ~80 ms per run. A replaced
    or renamed file has a new key, so the cache never serves stale metadata."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size, readonly)
    hit = _DESCRIBED.get(key)
    if hit is None:
        hit = _describe(path, readonly)
        if len(_DESCRIBED) > 1024:  # bounded: old versions of rewritten files drop out
            _DESCRIBED.clear()
        _DESCRIBED[key] = hit
    return hit


_DESCRIBED: dict[tuple, ModelEntry] = {}


def _describe(path: Path, readonly: bool) -> ModelEntry:
    meta = read_metadata(path)
    cfg = meta.get("config") or {}
    metrics = meta.get("metrics") or {}
    tc = meta.get("train_config") or {}
    return ModelEntry(
        name=checkpoint_name(path),
        path=path,
        readonly=readonly,
        family=str(cfg.get("family", "?")),
        dataset=str(meta.get("dataset", "?")),
        latent_dim=int(cfg.get("latent_dim", 0)),
        test_loss=metrics.get("test_loss"),
        test_mse=metrics.get("test_mse"),
        created=str(meta.get("created", "")),
        size_bytes=path.stat().st_size,
        corruption=tc.get("corruption"),
        neg_elbo=metrics.get("test_neg_elbo"),
        nll_iwae=metrics.get("test_nll_iwae"),
    )


def list_models(
    shipped: Path | None = None, user: Path | None = None, dataset: str | None = None, latent_dim: int | None = None
) -> list[ModelEntry]:
    """All readable checkpoints, shipped first, then the user's; unreadable files are skipped.

    A user model with a shipped model's name is hidden: shipped names are reserved.
    """
    out: list[ModelEntry] = []
    seen: set[str] = set()
    for folder, ro in ((shipped or SHIPPED_DIR, True), (user if user is not None else user_dir(), False)):
        if not folder.is_dir():
            continue
        for p in sorted(folder.glob("*" + SUFFIX)):
            if p.name.startswith("."):
                continue
            try:
                e = describe(p, ro)
            except (CheckpointError, OSError, ValueError):
                continue
            if e.name in seen:
                continue
            if dataset and e.dataset != dataset:
                continue
            if latent_dim and e.latent_dim != latent_dim:
                continue
            seen.add(e.name)
            out.append(e)
    return out


def find_model(name: str, shipped: Path | None = None, user: Path | None = None) -> ModelEntry:
    """The entry called ``name``; raises ``KeyError`` with the available names otherwise."""
    models = list_models(shipped, user)
    for e in models:
        if e.name == name:
            return e
    raise KeyError(f"no model called {name!r}; available: {', '.join(m.name for m in models) or 'none'}")


# ---------------------------------------------------------------- managing the user's models
# Everything below only ever writes inside ``user_dir()``, through ``path_for`` (a sanitised name
# that cannot leave the folder) and ``write_atomic`` (a crash leaves the old file or the new one).
# Shipped checkpoints are read-only: their names are reserved, so nothing can shadow or replace them.

DEFAULT_MAX_UPLOAD_MB = 50.0


class LibraryError(UserError):
    """A library operation was refused (read-only model, name taken, missing model); the message says why."""


class ModelExists(LibraryError):
    """A save would replace a model of the same name: refused unless the person asked for it
    (``overwrite``; the Train page's "replace it?" box, the CLI's ``--force``)."""


def refuse_to_replace(path: Path, overwrite: bool) -> None:
    """Raise :class:`ModelExists` if ``path`` holds a model and ``overwrite`` is false: the one
    check before every write of a checkpoint (library saves, ``train --out``)."""
    if not overwrite and path.exists():
        what = existing_model_note(path)
        raise ModelExists(
            f"a model called '{checkpoint_name(path)}' already exists ({what}); choose another name, "
            "or confirm that it is to be replaced"
        )


def existing_model_note(path: Path) -> str:
    """What the checkpoint at ``path`` is, in a few words ("ae, k=2, trained on digits, 2025-…"),
    for the question "replace it?"."""
    try:
        e = describe(path, False)
    except (CheckpointError, OSError, ValueError):
        return "a file that is not a readable model"
    return f"{e.family}, k={e.latent_dim}, trained on {e.dataset}, {e.created or 'date unknown'}"


def user_model_note(name: str, shipped: Path | None = None, user: Path | None = None) -> str | None:
    """:func:`existing_model_note` for the user model ``name``, or ``None`` if there is none (or the
    name is not one a user model could have)."""
    try:
        p = _user_target(name, shipped, user)
    except UserError:
        return None
    return existing_model_note(p) if p.exists() else None


def propose_model_name(text: str, shipped: Path | None = None, user: Path | None = None) -> str:
    """A model name made from ``text`` (:func:`aecore.names.propose_name`) that no shipped or user
    model has: what the Train page's *Save as* and the CLI propose, so a proposal never replaces one."""
    from aecore.names import propose_name

    folder = user if user is not None else user_dir()
    taken = [checkpoint_name(p) for p in folder.glob("*" + SUFFIX)] if folder.is_dir() else []
    return propose_name(text, "model", reserved=shipped_names(shipped), taken=taken)


def max_upload_bytes() -> int:
    """The upload size limit: ``$LATENTLAB_MAX_UPLOAD_MB`` megabytes (default 50)."""
    raw = os.environ.get("LATENTLAB_MAX_UPLOAD_MB", "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        mb = DEFAULT_MAX_UPLOAD_MB
    return max(1, int(mb * 1024 * 1024))


def shipped_names(shipped: Path | None = None) -> set[str]:
    """Names of the shipped (read-only) checkpoints: reserved, a user model can never take one."""
    folder = shipped or SHIPPED_DIR
    if not folder.is_dir():
        return set()
    return {checkpoint_name(p) for p in folder.glob("*" + SUFFIX) if not p.name.startswith(".")}


def _user_target(name: str, shipped: Path | None, user: Path | None) -> Path:
    """The file a user model called ``name`` lives in; refuses shipped names and unsafe names."""
    from aecore.storage.checkpoint import path_for, safe_name

    clean = safe_name(name)  # raises InvalidName with its own message
    if clean in shipped_names(shipped):
        raise LibraryError(f"'{clean}' is a shipped model and is read-only; choose another name")
    return path_for(user if user is not None else user_dir(), clean)


def user_model_path(name: str, shipped: Path | None = None, user: Path | None = None) -> Path:
    """Where the user model ``name`` is (or would be) saved. Raises InvalidName / LibraryError."""
    return _user_target(name, shipped, user)


def save_model_bytes(
    name: str, data: bytes, shipped: Path | None = None, user: Path | None = None, overwrite: bool = False
) -> Path:
    """Atomically write already-validated checkpoint ``data`` as the user model ``name``; a model
    of that name is replaced only with ``overwrite`` (else :class:`ModelExists`)."""
    from aecore.storage.files import write_atomic

    target = _user_target(name, shipped, user)
    refuse_to_replace(target, overwrite)
    return write_atomic(target, data)


def validate_upload(data: bytes, max_bytes: int | None = None):
    """Check uploaded bytes without running any code from them; return the loaded ``Checkpoint``.

    The size is checked before anything is parsed; then ``checkpoint.from_bytes`` checks the
    format, version, config and every tensor shape. Raises ``CheckpointError`` with a specific
    message for each kind of bad file.
    """
    from aecore.storage.checkpoint import from_bytes

    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise CheckpointError(
            f"the file is too large: {len(data) / 1e6:.1f} MB, the upload limit is {limit / 1e6:.1f} MB "
            f"(setting LATENTLAB_MAX_UPLOAD_MB)"
        )
    data = bytes(data)
    _refuse_other_formats(data)
    return from_bytes(data, max_bytes=limit)


# Magic numbers of files students are likely to upload by mistake, so the message names the culprit.
_OTHER_FORMATS = [
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89HDF", "an HDF5/Keras file"),
    (b"\x93NUMPY", "a NumPy .npy array"),
    (b"\x7fELF", "a Linux program"),
    (b"MZ", "a Windows program"),
]


def _refuse_other_formats(data: bytes) -> None:
    """Name a recognisable non-checkpoint format, including old-protocol pickles (which ``from_bytes``
    cannot tell from noise). ``pickletools.genops`` only *decodes* opcodes; it never runs them."""
    import pickletools

    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            raise CheckpointError(f"wrong magic: this is {what}, not a Latent Lab checkpoint (.safetensors)")
    if data[:1] in (b"(", b"c", b"]", b"}", b"I", b"S", b"V", b"N") and data.rstrip().endswith(b"."):
        try:
            for _ in pickletools.genops(data[:65536]):
                pass
        except Exception:
            return
        raise CheckpointError(
            "this is a Python pickle (old protocol). Latent Lab never unpickles files, because unpickling "
            "can run arbitrary code; it only reads its own .safetensors checkpoints"
        )


def save_upload(
    name: str,
    data: bytes,
    shipped: Path | None = None,
    user: Path | None = None,
    overwrite: bool = False,
    max_bytes: int | None = None,
) -> ModelEntry:
    """Validate an upload and add it to the user's library as ``name``.

    The name is checked first (no file is read for a bad name), then the bytes; only a file that
    passes every check is written, atomically. On any error nothing in the library changes.
    """
    target = _user_target(name, shipped, user)
    refuse_to_replace(target, overwrite)
    validate_upload(data, max_bytes)
    save_model_bytes(name, data, shipped, user, overwrite=overwrite)
    return describe(target, False)


def import_onnx(
    name: str,
    encoder: bytes,
    decoder: bytes | None,
    dataset: str,
    shipped: Path | None = None,
    user: Path | None = None,
    overwrite: bool = False,
    max_bytes: int | None = None,
) -> ModelEntry:
    """Add an encoder and a decoder exported to ONNX to the user's library as ``name``, for the data
    set ``dataset`` (built in or imported): an ``onnx`` model (:mod:`aecore.models.imported`).
    ``decoder=None``: ``encoder`` is one graph holding both halves (two outputs, the code and the
    reconstruction), split by :func:`aecore.models.imported.split_autoencoder`.

    Checked in this order, nothing written until all pass: the name; each file's size (the upload
    limit) and every check of :func:`aecore.models.imported.parse`; the encoder on eight of the data
    set's rows (its input shape, a finite code of 1 to 1,024 numbers); the decoder on those codes (it
    must give rows of the data set's size, finite). The test MSE over up to 2,000 test rows is stored
    as the model's metric. Raises :class:`LibraryError` (or ``ModelExists``) with the reason."""
    import numpy as np

    from aecore.data.sets import load_dataset
    from aecore.models import ModelConfig
    from aecore.models.imported import OnnxAutoencoder, OnnxError, Runner, split_autoencoder
    from aecore.storage.checkpoint import to_bytes

    target = _user_target(name, shipped, user)
    refuse_to_replace(target, overwrite)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    for what, data in (("the encoder", encoder), ("the decoder", decoder or b"")):
        if len(data) > limit:
            raise LibraryError(f"{what} is {len(data) / 1e6:.1f} MB; the upload limit is {limit / 1e6:.1f} MB")
    try:
        ds = load_dataset(dataset)
    except Exception as e:
        raise LibraryError(f"the data set {dataset!r} cannot be loaded: {e}") from None
    D = int(np.prod(ds.x_train.shape[1:]))
    rows = ds.x_train[:8].reshape(8, D).float().numpy()  # (8, D)
    try:
        if decoder is None:  # one file with both halves
            encoder, decoder = split_autoencoder(bytes(encoder), rows, ds.image_shape)
        enc = Runner(bytes(encoder), ds.image_shape, "the encoder")
        dec = Runner(bytes(decoder), ds.image_shape, "the decoder")
        z = enc.run(rows)  # (8, k)
        k = z.shape[1]
        if not 1 <= k <= 1024 or not np.isfinite(z).all():
            raise OnnxError(
                f"the encoder gives {k} numbers per row{'' if np.isfinite(z).all() else ', not all finite'}"
            )
        out = dec.run(z)  # (8, D?)
    except OnnxError as e:
        raise LibraryError(f"{e} (the data set {dataset} has rows of {list(ds.x_train.shape[1:])})") from None
    if out.shape[1] != D or not np.isfinite(out).all():
        raise LibraryError(
            f"the decoder gives rows of {out.shape[1]} numbers; the data set {dataset} has {D} per row"
            if out.shape[1] != D
            else "the decoder gives values that are not finite"
        )
    config = ModelConfig(
        family="onnx",
        input_dim=D,
        latent_dim=int(k),
        hidden=(),
        output="linear",  # the decoder's graph applies its own output map
        image_shape=ds.image_shape,
        likelihood="gaussian",
        onnx_bytes=(len(encoder), len(decoder)),
    )
    x = ds.x_test[:2000].reshape(-1, D).float().numpy()  # (N, D)
    mse = float(((dec.run(enc.run(x)) - x) ** 2).mean())  # the sessions that checked the shapes
    model = OnnxAutoencoder.from_graphs(config, bytes(encoder), bytes(decoder))
    data = to_bytes(model, ds.name, metrics={"test_mse": mse}, extra={"imported": "onnx"})
    save_model_bytes(name, data, shipped, user, overwrite=overwrite)
    return describe(target, False)


def rename_model(old: str, new: str, shipped: Path | None = None, user: Path | None = None) -> ModelEntry:
    """Rename a user model. Shipped models are read-only; an existing name is never overwritten."""
    src = _existing_user_model(old, shipped, user)
    dst = _user_target(new, shipped, user)
    if dst == src:
        return describe(src, False)
    with translating(LibraryError, f"'{old}' could not be renamed"):  # a read-only folder, say
        return _link_rename(src, dst)


def _link_rename(src: Path, dst: Path) -> ModelEntry:
    try:
        # link + unlink: atomic "rename unless the target exists" (os.rename would silently replace).
        os.link(src, dst)
    except FileExistsError:
        raise LibraryError(f"a model called '{checkpoint_name(dst)}' already exists; choose another name") from None
    except OSError:
        if dst.exists():
            raise LibraryError(f"a model called '{checkpoint_name(dst)}' already exists") from None
        os.rename(src, dst)  # file systems without hard links
        return describe(dst, False)
    os.unlink(src)
    return describe(dst, False)


def delete_model(name: str, shipped: Path | None = None, user: Path | None = None) -> None:
    """Delete a user model. Shipped models are read-only."""
    path = _existing_user_model(name, shipped, user)
    with translating(LibraryError, f"'{name}' could not be deleted"):  # a read-only folder, say
        os.unlink(path)


def _existing_user_model(name: str, shipped: Path | None, user: Path | None) -> Path:
    if name in shipped_names(shipped):
        raise LibraryError(f"'{name}' is a shipped model and is read-only: it cannot be renamed or deleted")
    p = _user_target(name, shipped, user)
    if not p.is_file():
        raise LibraryError(f"there is no user model called '{name}'")
    return p


def model_bytes(name: str, shipped: Path | None = None, user: Path | None = None) -> bytes:
    """The checkpoint file's bytes (for a download button)."""
    return find_model(name, shipped, user).path.read_bytes()


def remove_stale_temp_files(user: Path | None = None, older_than_s: float = 3600.0) -> int:
    """Delete half-written ``.tmp-*`` files that a save killed mid-write left behind (they are never
    listed as models; this only reclaims the space). Recent ones may belong to a save in progress,
    so only files older than ``older_than_s`` go. Returns how many were removed."""
    import time

    folder = user if user is not None else user_dir()
    n = 0
    if folder.is_dir():
        for p in folder.glob(".tmp-*"):
            try:
                if time.time() - p.stat().st_mtime > older_than_s:
                    p.unlink()
                    n += 1
            except OSError:
                pass
    return n
