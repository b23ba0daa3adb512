"""The errors a user can cause, and the one place that turns other libraries' exceptions into words.

Every door that takes input from a person (a checkpoint upload, a data-set import, a picture, a
playlist, a URL, the CLI) has its own error type, and every one of them is a :class:`UserError`: its
message is written for the person and is shown as it is, never as a traceback. A page catches
``UserError`` once; the CLI prints it and exits 2.

Inside a reader, third-party code (Pillow, numpy, zipfile, zlib, safetensors, the file system) raises
its own exceptions. :func:`translating` wraps such code and re-raises any of them as the door's type
with :func:`describe`'s sentence, so no reader writes its own ``except (OSError, ValueError, …)``
list and no page shows ``DecompressionBombError``.
"""

from __future__ import annotations

import errno
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager


class UserError(ValueError):
    """Something a person gave us that cannot be used; the message says why, in words for them."""


def describe(exc: BaseException) -> str:
    """A sentence for a person about an exception raised by a library while reading their input."""
    name = type(exc).__name__
    if isinstance(exc, UserError):
        return str(exc)
    if name == "DecompressionBombError" or name == "DecompressionBombWarning":
        return "the picture declares more pixels than are safe to decode (a decompression bomb?)"
    if name == "UnidentifiedImageError":
        return "it is not a picture this app can read (PNG or JPEG)"
    if name == "SafetensorError":
        return "its tensor data is corrupt or truncated"
    if isinstance(exc, zipfile.BadZipFile) or isinstance(exc, zipfile.LargeZipFile):
        return "it is not a readable ZIP archive (damaged or truncated?)"
    if isinstance(exc, zlib.error):
        return "its compressed data is damaged"
    if isinstance(exc, MemoryError):
        return "it needs more memory than this machine has to spare"
    if isinstance(exc, UnicodeError):
        return "its text is not UTF-8"
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full: free some space and try again"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"the folder is not writable ({exc.strerror})"
        if exc.errno == errno.EFBIG or exc.errno == errno.EDQUOT:
            return "the file is larger than the disk allows"
        if exc.errno is None:  # not the file system: a decoder (Pillow's "image file is truncated")
            return f"its data is damaged or truncated ({str(exc).strip()[:120] or name})"
        return f"it could not be read or written ({exc.strerror or name})"
    if isinstance(exc, EOFError):
        return "it ends too early (truncated?)"
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else name
    return f"it could not be read ({detail})"


@contextmanager
def translating(error: type[UserError], what: str) -> Iterator[None]:
    """Run the body; any exception other than a :class:`UserError` becomes ``error(f"{what}: …")``.

    ``what`` names the input for the person ("The ZIP", "This picture"). ``KeyboardInterrupt`` and
    ``SystemExit`` (not ``Exception``) pass through untouched."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:  # the point: nothing from a third party reaches the page as itself
        raise error(f"{what}: {describe(exc)}.") from exc
