"""Files Latent Lab writes: where they go, how they are named, and the one way they are written.

Torch-free on purpose: the lecture's first page lists models and reads cached maps without torch.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from aecore.errors import UserError, translating

#: Prefix and suffix of the temporary file a write goes through (the model library hides and
#: sweeps these: a process killed mid-write leaves one behind).
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"


class WriteError(UserError, OSError):
    """A file could not be written (the disk is full, the folder is read-only…); the message says
    why, for the person. Also an ``OSError``, so that code which already handles the file system's
    errors (a cache write that may fail quietly) keeps handling it."""


def user_folder() -> Path:
    """The user's own Latent Lab folder, where every file it writes for them goes (never into the
    installed package): ``$XDG_CACHE_HOME/latent-lab`` where that is set, else the platform's place
    for an application's own files: ``~/Library/Application Support/latent-lab`` on macOS (not
    ``Caches``, which the system may empty: trained models live here), ``%LOCALAPPDATA%\\latent-lab`` on
    Windows, ``~/.cache/latent-lab`` elsewhere (where it has always been on Linux)."""
    import sys

    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "latent-lab"
    home = Path(os.path.expanduser("~"))
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "latent-lab"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "latent-lab"
    return home / ".cache" / "latent-lab"


def cache_folder(env_var: str, sub: str) -> Path:
    """``$env_var`` if set, else ``<user folder>/<sub>`` (:func:`user_folder`): one rule for every
    folder Latent Lab writes (data, user models, imported data sets, projections, prepared results)."""
    env = os.environ.get(env_var)
    if env:
        return Path(env).expanduser()
    return user_folder() / sub


def file_hash(path: str | os.PathLike) -> str:
    """First 16 hex digits of the file's SHA-256: a retrained model under the same name gets a new key."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def safe_stem(name: str, default: str = "file") -> str:
    """A model name as a file-name/URL stem: checkpoint names may hold spaces; URLs should not."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or default


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder, fsync and ``os.replace``.

    Several sessions (or server processes) may write the same file at once, a reader must never see
    half of it, and a crash at any moment leaves either the old file or the new one. Readable by
    everyone (0644): static files may be served by another process. A write that fails (a full
    disk, a read-only folder) leaves the old file as it was and no temporary file, and raises
    :class:`WriteError` with a sentence for the person ("… the disk is full …"), its ``errno`` that
    of the cause."""
    path = Path(path)
    try:
        with translating(WriteError, f"Could not save {path.name}"):
            _write_replace(path, data)
    except WriteError as exc:
        exc.errno = getattr(exc.__cause__, "errno", None)
        raise
    try:  # make the rename itself durable
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
    return path


def _write_replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        # A full disk fails the write (or only the close's flush): either way the part written so
        # far goes, and the old file was never touched.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
