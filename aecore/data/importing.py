"""Bring a data set: a CSV, an NPY/NPZ array or a ZIP of pictures in one folder per class, checked,
normalised, split and stored in the user data-set folder as one safetensors file (tensors and a JSON
header: nothing in it can run code). ``python -m aecore import-data`` and the app's upload run this
same code.

What is accepted, and how it is normalised:

* **CSV**: numeric columns, an optional header row, and an optional label column chosen by its
  name (any values: each distinct value is a class). A table: each column is scaled to [0, 1] by its
  minimum and maximum over the training split (a constant column becomes 0).
* **NPY / NPZ** (read with ``allow_pickle=False``): ``(N, D)`` is a table, as a CSV;
  ``(N, H, W)``, ``(N, H, W, C)`` or ``(N, C, H, W)`` with C = 1 or 3 are pictures: ``uint8`` grey
  levels are divided by 255, floats already in [0, 1] are kept, others are scaled by the array's own
  minimum and maximum. An NPZ holds ``x`` (or its first array) and optionally ``y``, the labels.
* **ZIP** of PNG/JPEG pictures, one folder per class (an enclosing folder is allowed): each picture
  resized to ``size`` × ``size`` (aspect not kept), grey or RGB, grey levels divided by 255.

Then a seeded split: :data:`TEST_FRACTION` of the rows for the test split (at least
:data:`MIN_ROWS` rows in all). Refused, each with its
own message and nothing written: see :class:`DataImportError`'s uses and the limits below. A ZIP is
read member by member, never more than :data:`MAX_MEMBER_BYTES` of one member or
:data:`MAX_UNPACKED_BYTES` in all, whatever its directory claims: a ZIP bomb stops at the limit.
"""

from __future__ import annotations

import io
import json
import re
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from aecore import names
from aecore.data import inputs
from aecore.errors import UserError, translating
from aecore.storage.files import cache_folder, write_atomic

#: Limits (said in the README and on the upload page).
MAX_FILE_BYTES = 300 * 1024 * 1024
MAX_ROWS = 200_000
#: The fewest rows an import keeps. With :data:`TEST_FRACTION` of 0.2 that is 4 test rows (a test
#: error is then a mean over several examples, not one) and 16 training rows: one batch (the Train
#: page's smallest batch is 32, so a set this small trains as one batch per epoch) and more than the
#: 12 training codes a density over k > 2 needs (``aecore.analysis.requirements.MIN_DENSITY_CODES``).
#: A 3-row CSV used to import silently and report a test error measured on a single row.
MIN_ROWS = 20
MAX_COLUMNS = 4_096
MAX_CLASSES = 1_000
MAX_IMAGES = 100_000
IMAGE_SIZES = (8, 16, 28, 32, 48, 64)  # the side a ZIP's pictures are resized to
MAX_SIDE = 64  # pictures from an array: at most 64 × 64
MAX_MEMBER_BYTES = 20 * 1024 * 1024  # one file inside a ZIP (or an NPZ member: MAX_FILE_BYTES)
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # all of a ZIP's files together
TEST_FRACTION = 0.2
FORMAT = "latent-lab-dataset"
SUFFIX = ".safetensors"

Progress = Callable[[float, str], None]


class DataImportError(UserError):
    """A file that cannot become a data set; the message says why (shown as it is)."""


@dataclass
class ImportReport:
    """What an import made."""

    name: str
    kind: str  # "image" or "table"
    n_train: int
    n_test: int
    input_dim: int
    image_shape: tuple[int, ...] | None
    class_names: list[str]
    normalisation: str
    path: Path
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        what = (
            f"{self.image_shape[1]}×{self.image_shape[2]} {'RGB' if self.image_shape[0] == 3 else 'grey'} pictures"
            if self.image_shape
            else f"a table of {self.input_dim} columns"
        )
        return (
            f"'{self.name}': {what}, {self.n_train:,} training and {self.n_test:,} test rows, "
            f"{len(self.class_names)} class{'es' if len(self.class_names) != 1 else ''}. {self.normalisation}"
        )


def user_datasets_dir() -> Path:
    """Where imported data sets live: ``$LATENTLAB_DATASETS``, else the user cache folder."""
    return cache_folder("LATENTLAB_DATASETS", "datasets")


class DataSetExists(DataImportError):
    """An import would replace a data set of the same name: refused unless asked to (``overwrite``)."""


def check_name(name: str, builtin: tuple[str, ...] = ()) -> str:
    """A data set's name, checked by the one name rule (:func:`aecore.names.check_name`): lower-case
    letters, digits, ``-`` and ``_``, at most 40, not a built-in set's name (``builtin``, compared
    ignoring case and ``_``/``-``); so it can never point outside its folder."""
    try:
        return names.check_name(name, "dataset", builtin)
    except names.InvalidName as exc:
        raise DataImportError(_sentence(str(exc))) from None


def _sentence(s: str) -> str:
    return s[:1].upper() + s[1:] + ("" if s.endswith(".") else ".")


def _refuse_to_replace(out: Path, overwrite: bool) -> None:
    if not overwrite and out.exists():
        raise DataSetExists(
            f"A data set called '{out.stem}' exists already: choose another name, or confirm that it is to be replaced"
        )


def path_for(name: str, folder: str | Path | None = None) -> Path:
    """The file of the imported data set ``name`` (checked) inside ``folder``; never outside it."""
    folder = Path(folder or user_datasets_dir()).resolve()
    p = (folder / (check_name(name) + SUFFIX)).resolve()
    if p.parent != folder:  # belt and braces: a symlinked folder
        raise DataImportError(f"The name {name!r} resolves outside the data-set folder.")
    return p


# ---------------------------------------------------------------- readers


def _lines(path: Path, skip: int, progress: Progress | None, total: int) -> Iterator[str]:
    """The file's lines after ``skip`` of them, reporting the share of bytes read."""
    done, last = 0, 0.0
    with open(path, encoding="utf-8", errors="strict") as f:
        for i, ln in enumerate(f):
            done += len(ln)
            if i < skip:
                continue
            if progress and i % 2000 == 0 and time.monotonic() - last > 0.2:
                last = time.monotonic()
                progress(0.9 * min(1.0, done / max(1, total)), f"Reading the CSV: {i:,} rows")
            yield ln


def _is_number(s: str) -> bool:
    try:
        float(s.strip().strip('"'))
        return True
    except ValueError:
        return False


def read_csv(path: Path, label: str | None = None, progress: Progress | None = None):
    """``(x (N, D) float32, labels (N,) str or None, column names)``."""
    import csv

    total = path.stat().st_size
    try:
        with open(path, encoding="utf-8", errors="strict") as f:
            first = f.readline()
    except UnicodeDecodeError:
        raise DataImportError("The CSV is not UTF-8 text.") from None
    if not first.strip():
        raise DataImportError("The CSV has no rows.")
    head = next(csv.reader([first]))
    has_header = not all(_is_number(h) for h in head)
    names = [h.strip() for h in head] if has_header else [f"column {i + 1}" for i in range(len(head))]
    if len(names) > MAX_COLUMNS + 1:
        raise DataImportError(f"The CSV has {len(names):,} columns; at most {MAX_COLUMNS:,} are read.")
    lab_idx = None
    if label:
        if not has_header:
            raise DataImportError(f"The CSV has no header row, so no column is called {label!r}.")
        if label not in names:
            raise DataImportError(f"No column is called {label!r}; the columns are: {', '.join(names[:12])}…")
        lab_idx = names.index(label)
    cols = [i for i in range(len(names)) if i != lab_idx]
    if len(cols) < 2:
        raise DataImportError("The CSV has fewer than 2 numeric columns: nothing for an autoencoder to compress.")
    skip = 1 if has_header else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data": refused below, in words
            x = np.loadtxt(
                _lines(path, skip, progress, total),
                delimiter=",",
                quotechar='"',
                usecols=cols,
                dtype=np.float32,
                ndmin=2,
            )
    except UnicodeDecodeError:
        raise DataImportError("The CSV is not UTF-8 text.") from None
    except ValueError as exc:
        msg = str(exc).split("\n")[0]
        raise DataImportError(f"A value in the CSV is not a number: {msg} (rows counted after the header).") from None
    if len(x) == 0:
        raise DataImportError("The CSV has a header but no rows.")
    if len(x) > MAX_ROWS:
        raise DataImportError(f"The CSV has {len(x):,} rows; at most {MAX_ROWS:,} are read.")
    _check_finite(x)
    labels = None
    if lab_idx is not None:
        # A row too short to have the label column reaches only this second pass (the numbers' pass
        # reads the other columns): numpy's ValueError becomes the CSV's own message.
        with translating(DataImportError, f"The CSV's label column {label!r}"), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            labels = np.loadtxt(
                _lines(path, skip, None, total), delimiter=",", quotechar='"', usecols=[lab_idx], dtype=str, ndmin=1
            )
        if len(labels) != len(x):
            raise DataImportError(f"The CSV has {len(x):,} rows of numbers but {len(labels):,} labels.")
    return x, labels, [names[i] for i in cols]


def _check_finite(x: np.ndarray) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataImportError(f"Row {r + 1}, column {c + 1} holds {x[r, c]}: every value must be a finite number.")


def _bounded(f, limit: int, what: str) -> bytes:
    """Read at most ``limit`` bytes of a stream, refusing if there are more (never more in memory)."""
    data = f.read(limit + 1)
    if len(data) > limit:
        raise DataImportError(f"{what} expands past {limit / 2**20:.0f} MB: refused (a ZIP bomb stops here).")
    return data


def _npy_header(f, what: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """An NPY stream's declared ``(shape, fortran order, dtype)``, read without reading the data, and
    refused here if the dtype is not numbers: a pickled (object) array is named before any of it is
    read, and :func:`_npy` can compare the declared size with the bytes there are."""
    with translating(DataImportError, what):
        magic = f.read(8)
        if len(magic) < 8 or magic[:6] != b"\x93NUMPY":
            raise DataImportError(f"{what} is not an NPY array (it does not start with NumPy's magic bytes).")
        version = (magic[6], magic[7])
        if version not in ((1, 0), (2, 0)):
            raise DataImportError(f"{what} is an NPY file of format version {version}, which is not read here.")
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(f)
    if dtype.hasobject:
        raise DataImportError(f"{what} holds Python objects (a pickle), which could run code: refused.")
    if dtype.kind not in "biuf" or dtype.fields:
        raise DataImportError(f"{what} holds {dtype} values; numbers are needed.")
    return tuple(shape), bool(fortran), dtype


def _npy(data: bytes, what: str) -> np.ndarray:
    """An NPY file's array, after its header's declared size is checked against the bytes there are
    (a header may claim terabytes: nothing that size is ever allocated)."""
    f = io.BytesIO(data)
    shape, fortran, dtype = _npy_header(f, what)
    declared = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if declared != len(data) - f.tell():
        raise DataImportError(
            f"{what} declares an array of shape {shape} ({dtype}, {declared:,} bytes) but holds "
            f"{len(data) - f.tell():,} bytes of data: damaged or truncated."
        )
    if len(shape) == 0:
        raise DataImportError(f"{what} holds a single number, not rows of examples.")
    if declared == 0:
        raise DataImportError(f"{what} has shape {shape}: it holds no values.")
    return np.frombuffer(data, dtype, offset=f.tell()).reshape(shape, order="F" if fortran else "C")


def read_npy(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    with open(path, "rb") as f:
        return _npy(_bounded(f, MAX_FILE_BYTES, "The file"), "The NPY file"), None


def read_npz(path: Path) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """``(x, y or None, notes)``. Every member is looked at first, and the archive is used only if what
    it holds is clear: the examples are ``x`` (or the only array besides ``y``), the labels ``y``.

    Ambiguous input is a question, not a guess, so these are refused, naming the members: a member
    that is not a numeric NPY array (a pickle, text, another archive), and several arrays none of
    which is called ``x``. Arrays beside ``x`` and ``y`` are named in a note as not used."""
    zf = _open_zip(path)
    shapes: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
    infos = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        what = f"The NPZ member {info.filename!r}"
        if not info.filename.endswith(".npy"):
            raise DataImportError(f"{what} is not an NPY array: an NPZ to import holds only arrays (x, and y).")
        with translating(DataImportError, what), zf.open(info) as f:
            shape, _, dtype = _npy_header(f, what)
        key = info.filename[: -len(".npy")]
        if key in shapes:  # which of the two would np.load give? Neither is guessed.
            raise DataImportError(f"The NPZ holds two members called {info.filename!r}: refused.")
        shapes[key], infos[key] = (shape, dtype), info
    if not shapes:
        raise DataImportError("The NPZ holds no arrays.")

    def listing(keys) -> str:
        return ", ".join(f"'{k}' {shapes[k][0]} {shapes[k][1]}" for k in keys)

    notes: list[str] = []
    if "x" in shapes:
        key = "x"
    else:
        candidates = [k for k in shapes if k != "y"]
        if len(candidates) != 1:
            raise DataImportError(
                f"The NPZ holds {len(shapes)} array{'s' if len(shapes) != 1 else ''} ({listing(shapes)}) and none is "
                "called 'x', so it is not clear which are the examples: save them as x (and the labels as y), "
                "e.g. np.savez(path, x=examples, y=labels)."
            )
        key = candidates[0]
        notes.append(f"The NPZ has no array called 'x': its only other array, '{key}' {shapes[key][0]}, was used.")
    unused = [k for k in shapes if k not in (key, "y")]
    if unused:
        notes.append(f"The NPZ also holds {listing(unused)}: not used (only x and y are read).")
    budget = [MAX_UNPACKED_BYTES]

    def member(name: str) -> np.ndarray:
        what = f"The NPZ member '{name}'"
        with translating(DataImportError, what), zf.open(infos[name]) as f:
            data = _bounded(f, min(MAX_FILE_BYTES, budget[0]), what)
        budget[0] -= len(data)
        return _npy(data, what)

    y = member("y") if "y" in shapes and key != "y" else None
    if y is not None and y.ndim != 1:
        raise DataImportError(f"The NPZ's labels 'y' have shape {y.shape}: one label per row, (N,), is needed.")
    return member(key), y, notes


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        with translating(DataImportError, "The ZIP"):
            zf = zipfile.ZipFile(path)
    except DataImportError as exc:
        if isinstance(exc.__cause__, zipfile.BadZipFile):  # the common case, in plainer words
            raise DataImportError("This is not a complete ZIP file (truncated, or not a ZIP).") from None
        raise
    for info in zf.infolist():
        p = info.filename
        if not p:  # a damaged directory entry (found by bench/fuzz.py): zipfile's is_dir() would IndexError
            raise DataImportError("The ZIP holds a member without a name: the archive is damaged.")
        if p.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", p) or ".." in PurePosixPath(p.replace("\\", "/")).parts:
            raise DataImportError(f"The ZIP holds a path that points outside it ({p!r}): refused.")
    return zf


def read_zip(path: Path, size: int, color: str, progress: Progress | None = None):
    """``(x (N, C·size·size) float32 in [0, 1], labels (N,) str, image_shape, notes)``."""
    from PIL import Image

    if size not in IMAGE_SIZES:
        raise DataImportError(f"Pictures are resized to one of {IMAGE_SIZES} pixels a side, not {size}.")
    zf = _open_zip(path)
    files = [i for i in zf.infolist() if not i.is_dir() and not PurePosixPath(i.filename).name.startswith(".")]
    files = [i for i in files if "__MACOSX" not in i.filename]
    pics = [i for i in files if PurePosixPath(i.filename).suffix.lower() in (".png", ".jpg", ".jpeg")]
    if not pics:
        raise DataImportError("The ZIP holds no PNG or JPEG pictures.")
    parts = [PurePosixPath(i.filename).parts for i in pics]
    # One enclosing folder (a zipped folder of class folders) is stripped.
    while all(len(p) > 2 for p in parts) and len({p[0] for p in parts}) == 1:
        parts = [p[1:] for p in parts]
    if any(len(p) < 2 for p in parts):
        raise DataImportError("Put the pictures in one folder per class (e.g. cats/1.png, dogs/7.png).")
    if len(pics) > MAX_IMAGES:
        raise DataImportError(f"The ZIP holds {len(pics):,} pictures; at most {MAX_IMAGES:,} are read.")
    c = 3 if color == "rgb" else 1
    x = np.empty((len(pics), c * size * size), np.float32)
    labels, sizes, budget, last = [], {}, MAX_UNPACKED_BYTES, 0.0
    for n, (info, p) in enumerate(zip(pics, parts)):
        what = f"The ZIP's file {info.filename!r}"
        with translating(DataImportError, what), zf.open(info) as f:
            data = _bounded(f, min(MAX_MEMBER_BYTES, budget), what)
        budget -= len(data)
        # Pillow refuses a header that declares a decompression bomb in Image.open itself, before its
        # size can be checked here: translating turns that (and any other decoder error) into words.
        with translating(DataImportError, what):
            im = Image.open(io.BytesIO(data))
            if im.format not in ("PNG", "JPEG"):
                raise DataImportError(f"{info.filename!r} is a {im.format} file, not a PNG or JPEG picture.")
            w, h = im.size
            if w * h > inputs.MAX_PIXELS:
                raise DataImportError(
                    f"{info.filename!r} has {w} × {h} pixels; at most {inputs.MAX_PIXELS:,} are read."
                )
            im.load()
            im = im.convert("RGB" if c == 3 else "L").resize((size, size), Image.BILINEAR, reducing_gap=2.0)
        sizes[(w, h)] = sizes.get((w, h), 0) + 1
        a = np.asarray(im, dtype=np.float32) / 255.0  # (size, size) or (size, size, 3)
        x[n] = (a.transpose(2, 0, 1) if c == 3 else a[None]).reshape(-1)
        labels.append(p[0])
        if progress and time.monotonic() - last > 0.2:
            last = time.monotonic()
            progress(0.9 * (n + 1) / len(pics), f"Reading pictures: {n + 1:,} of {len(pics):,}")
    notes = []
    if len(sizes) > 1:
        common = max(sizes, key=sizes.get)
        notes.append(
            f"The pictures had {len(sizes)} different sizes ({sum(sizes.values()) - sizes[common]:,} not "
            f"{common[0]}×{common[1]}): every one was resized to {size}×{size}."
        )
    return x, np.asarray(labels), (c, size, size), notes


# ---------------------------------------------------------------- from arrays to a data set


def _as_images(a: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int]] | None:
    """An array of pictures → ``(flat (N, C·H·W), (C, H, W))``; ``None`` for a table."""
    if a.ndim == 2:
        return None
    if a.ndim == 3:
        a = a[:, None]
    elif a.ndim == 4 and a.shape[-1] in (1, 3) and a.shape[1] not in (1, 3):
        a = a.transpose(0, 3, 1, 2)  # channels last → first
    elif not (a.ndim == 4 and a.shape[1] in (1, 3)):
        raise DataImportError(
            f"An array of shape {a.shape} is neither a table (N, D) nor pictures (N, H, W), (N, H, W, C) "
            "or (N, C, H, W) with C = 1 or 3."
        )
    _, c, h, w = a.shape
    if max(h, w) > MAX_SIDE:
        raise DataImportError(f"Pictures of {h}×{w}: at most {MAX_SIDE}×{MAX_SIDE} (resize them first).")
    return a.reshape(len(a), -1), (c, h, w)


def _rows_as_pictures(x: np.ndarray, shape: str) -> tuple[np.ndarray, tuple[int, int, int], str]:
    """Table rows ``(N, H·W·C)`` as pictures ``"HxW"`` or ``"HxWx3"`` (channels last in a row) →
    ``(flat (N, C·H·W) in [0, 1], (C, H, W), how scaled)``."""
    m = re.fullmatch(r"\s*(\d+)\s*[x×]\s*(\d+)\s*(?:[x×]\s*([13]))?\s*", shape or "")
    if not m:
        raise DataImportError(f"Picture shape {shape!r}: write it as HxW (grey) or HxWx3 (RGB), e.g. 28x28.")
    h, w, c = int(m[1]), int(m[2]), int(m[3] or 1)
    if h * w * c != x.shape[1]:
        raise DataImportError(f"Rows of {x.shape[1]:,} values are not {h}×{w}×{c} = {h * w * c:,}-value pictures.")
    if max(h, w) > MAX_SIDE:
        raise DataImportError(f"Pictures of {h}×{w}: at most {MAX_SIDE}×{MAX_SIDE} (resize them first).")
    a = x.reshape(len(x), h, w, c).transpose(0, 3, 1, 2).reshape(len(x), -1)
    flat, how = _image_scale(a)
    return flat, (c, h, w), how


def _image_scale(a: np.ndarray) -> tuple[np.ndarray, str]:
    if a.dtype == np.uint8:
        return a.astype(np.float32) / 255.0, "Grey levels divided by 255."
    if a.min() >= 0 and 1 < a.max() <= 255 and np.all(a == np.round(a)):
        return a.astype(np.float32) / 255.0, "Grey levels 0–255 divided by 255."
    a = a.astype(np.float32)
    _check_finite(a.reshape(len(a), -1))
    lo, hi = float(a.min()), float(a.max())
    if lo >= 0 and hi <= 1:
        return a, "Values already in [0, 1], kept."
    return (a - lo) / max(hi - lo, 1e-12), f"Scaled from [{lo:g}, {hi:g}] to [0, 1]."


def _classes(labels: np.ndarray | None, n: int) -> tuple[np.ndarray, list[str]]:
    if labels is None:
        return np.zeros(n, np.int64), ["all"]
    if len(labels) != n:
        raise DataImportError(f"{len(labels):,} labels for {n:,} rows.")
    labels = np.asarray(labels)
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)
    names, idx = np.unique(labels.astype(str) if labels.dtype.kind not in "iu" else labels, return_inverse=True)
    if len(names) > MAX_CLASSES or (len(names) == n and n > 20):
        raise DataImportError(
            f"The label column has {len(names):,} different values for {n:,} rows: that is an id, not a class. "
            "Choose a column whose values repeat (or none)."
        )
    return idx.astype(np.int64), [str(v) for v in names]


def build_arrays(x, labels, kind, image_shape, seed: int = 0):
    """Split ``x`` ``(N, D)`` with a seeded permutation and normalise a table by the training split's
    column ranges → ``(tensors, class_names, normalisation text, extra metadata)``."""
    import torch

    n = len(x)
    if n < MIN_ROWS:
        raise DataImportError(
            f"{n} row{'s' if n != 1 else ''}: at least {MIN_ROWS} are needed ({int(TEST_FRACTION * 100)}% are kept "
            "to test on, the rest to train on)."
        )
    if n > MAX_ROWS:
        raise DataImportError(f"{n:,} rows; at most {MAX_ROWS:,} are read.")
    if x.shape[1] > max(MAX_COLUMNS, 3 * MAX_SIDE * MAX_SIDE):
        raise DataImportError(f"{x.shape[1]:,} values per row; at most {MAX_COLUMNS:,} are read.")
    y, class_names = _classes(labels, n)
    perm = np.random.default_rng(seed).permutation(n)
    n_test = max(1, int(round(TEST_FRACTION * n)))
    te, tr = perm[:n_test], perm[n_test:]
    extra = {}
    norm = ""
    if kind == "table":
        lo, hi = x[tr].min(0), x[tr].max(0)
        span = np.where(hi > lo, hi - lo, 1.0)
        x = np.where(hi > lo, (x - lo) / span, 0.0).astype(np.float32)
        norm = "Each column scaled to [0, 1] by its minimum and maximum over the training split."
        extra = {"column_min": lo.tolist(), "column_max": hi.tolist()}
    tensors = {
        "x_train": torch.as_tensor(np.ascontiguousarray(x[tr], np.float32)),
        "y_train": torch.as_tensor(y[tr]),
        "x_test": torch.as_tensor(np.ascontiguousarray(x[te], np.float32)),
        "y_test": torch.as_tensor(y[te]),
    }
    return tensors, class_names, norm, extra


def _check_file(path: Path) -> None:
    """A file that exists, is not empty and is not over :data:`MAX_FILE_BYTES`; else :class:`DataImportError`."""
    if not path.is_file():
        raise DataImportError(f"No file at {path}.")
    nbytes = path.stat().st_size
    if nbytes == 0:
        raise DataImportError("The file is empty.")
    if nbytes > MAX_FILE_BYTES:
        raise DataImportError(f"The file has {nbytes / 2**20:.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB are read.")


def _read_any(path: Path, label: str | None, size: int, color: str, progress: Progress | None):
    """Read a CSV, NPY, NPZ or ZIP by its suffix: ``(x (N, D) float32, labels or None, kind, image_shape,
    normalisation said so far, CSV columns or None, notes)``."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        x, labels, columns = read_csv(path, label, progress)
        return x, labels, "table", None, "", columns, []
    if suffix in (".npy", ".npz"):
        a, labels, notes = (*read_npy(path), []) if suffix == ".npy" else read_npz(path)
        pics = _as_images(a)
        if pics is None:
            with np.errstate(over="ignore"):  # a float64 beyond float32's range becomes inf: refused next
                x = a.astype(np.float32)
            _check_finite(x)
            return x, labels, "table", None, "", None, notes
        flat, image_shape = pics
        x, norm0 = _image_scale(flat)
        return x, labels, "image", image_shape, norm0, None, notes
    if suffix == ".zip":
        x, labels, image_shape, notes = read_zip(path, size, color, progress)
        return x, labels, "image", image_shape, "Grey levels divided by 255.", None, notes
    raise DataImportError(f"A {suffix or 'suffix-less'} file: import a .csv, .npy, .npz or .zip.")


def import_file(
    path: str | Path,
    name: str,
    label: str | None = None,
    size: int = 28,
    color: str = "grey",
    seed: int = 0,
    progress: Progress | None = None,
    folder: str | Path | None = None,
    builtin: tuple[str, ...] = (),
    pictures: str | None = None,
    overwrite: bool = False,
    source: str | None = None,
) -> ImportReport:
    """Read ``path`` (CSV, NPY, NPZ or ZIP by its suffix), check, normalise and split it, and store
    it as data set ``name``. ``pictures`` (``"28x28"``, or ``"32x32x3"`` for RGB): a table's rows are
    pictures of that shape, row by row (channels last), as in MNIST's CSV copies. A data set of the
    same name is replaced only with ``overwrite``; else :class:`DataSetExists` before anything is
    read. ``source``: the file's name as the person knows it (an upload's; default ``path``'s).
    Raises :class:`DataImportError`, having written nothing."""
    from safetensors.torch import save

    path = Path(path)
    out = path_for(check_name(name, builtin), folder)
    _refuse_to_replace(out, overwrite)
    _check_file(path)
    if progress:
        progress(0.0, f"Reading {path.name}…")
    x, labels, kind, image_shape, norm0, columns, notes = _read_any(path, label, size, color, progress)
    if pictures and kind == "table":
        x, image_shape, norm0 = _rows_as_pictures(x, pictures)
        kind = "image"
    if kind == "table" and x.shape[1] < 2:
        raise DataImportError("One column: nothing for an autoencoder to compress (at least 2 are needed).")
    tensors, class_names, norm, extra = build_arrays(x, labels, kind, image_shape, seed)
    norm = norm or norm0
    meta = {
        "format": FORMAT,
        "version": "1",
        "name": out.stem,
        "kind": kind,
        "image_shape": json.dumps(list(image_shape) if image_shape else None),
        "class_names": json.dumps(class_names),
        "columns": json.dumps(columns),
        "normalisation": norm,
        "notes": json.dumps(notes),
        "source": source or path.name,  # the upload's own name, not its temporary file's
        "seed": str(seed),
        "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        "extra": json.dumps(extra),
    }
    if progress:
        progress(0.95, "Writing the data set…")
    _refuse_to_replace(out, overwrite)  # again: another import may have taken the name meanwhile
    write_atomic(out, save(tensors, metadata=meta))
    if progress:
        progress(1.0, "Done.")
    return ImportReport(
        name=out.stem,
        kind=kind,
        n_train=len(tensors["x_train"]),
        n_test=len(tensors["x_test"]),
        input_dim=int(tensors["x_train"].shape[1]),
        image_shape=image_shape,
        class_names=class_names,
        normalisation=norm,
        path=out,
        notes=notes,
    )


# ---------------------------------------------------------------- reading them back


def _header(path: Path) -> dict:
    import struct

    with open(path, "rb") as f:
        (hlen,) = struct.unpack("<Q", f.read(8))
        if hlen > 10 * 1024 * 1024:
            raise DataImportError(f"{path.name} is not a Latent Lab data set.")
        meta = json.loads(f.read(hlen)).get("__metadata__") or {}
    if meta.get("format") != FORMAT:
        raise DataImportError(f"{path.name} is not a Latent Lab data set.")
    return meta


def list_user_datasets(folder: str | Path | None = None) -> list[dict]:
    """The imported data sets, from their headers alone: name, kind, image shape, sizes, classes."""
    out = []
    for p in sorted(Path(folder or user_datasets_dir()).glob(f"*{SUFFIX}")):
        try:
            m = _header(p)
            shapes = json.loads(_raw_shapes(p))
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            continue  # a broken file is not listed (and never loaded)
        out.append(
            {
                "name": p.stem,
                "kind": m.get("kind", "table"),
                "image_shape": json.loads(m.get("image_shape") or "null"),
                "n_train": shapes["x_train"][0],
                "n_test": shapes["x_test"][0],
                "input_dim": shapes["x_train"][1],
                "classes": len(json.loads(m.get("class_names") or "[]")),
                "source": m.get("source", ""),
            }
        )
    return out


def _raw_shapes(path: Path) -> str:
    import struct

    with open(path, "rb") as f:
        (hlen,) = struct.unpack("<Q", f.read(8))
        h = json.loads(f.read(hlen))
    return json.dumps({k: v["shape"] for k, v in h.items() if k != "__metadata__"})


def dataset_fingerprint(name: str, folder: str | Path | None = None) -> str | None:
    """``name@<mtime>-<size>`` for an imported data set, ``None`` for any other name: what caches
    keyed by a data set's name use instead, so that a set imported again under the same name never
    meets results computed on the old one."""
    try:
        st = path_for(name, folder).stat()
    except (DataImportError, OSError):
        return None
    return f"{name}@{st.st_mtime_ns}-{st.st_size}"


def dataset_key(name: str) -> str:
    """A data set's name as a cache key part: ``name`` itself, or an imported set's fingerprint."""
    return dataset_fingerprint(name) or name


def user_dataset_kind(name: str, folder: str | Path | None = None) -> str | None:
    """``"image"`` or ``"table"`` for an imported data set, ``None`` if there is none of that name."""
    try:
        p = path_for(name, folder)
    except DataImportError:
        return None
    if not p.is_file():
        return None
    try:
        return _header(p).get("kind", "table")
    except (OSError, ValueError):
        return None


def load_user_dataset(name: str, folder: str | Path | None = None):
    """An imported data set as a :class:`aecore.data.dataset.Dataset` (reads tensors only: no code runs)."""
    from safetensors.torch import load_file

    from aecore.data.dataset import Dataset

    p = path_for(name, folder)
    meta = _header(p)
    t = load_file(str(p))
    shape = json.loads(meta.get("image_shape") or "null")
    return Dataset(
        name=p.stem,
        kind=meta.get("kind", "table"),
        x_train=t["x_train"].float(),
        y_train=t["y_train"].long(),
        x_test=t["x_test"].float(),
        y_test=t["y_test"].long(),
        class_names=json.loads(meta.get("class_names") or '["all"]'),
        image_shape=tuple(shape) if shape else None,
        description=f"Imported from {meta.get('source', '?')} on {meta.get('created', '?')}. "
        + meta.get("normalisation", ""),
        meta={"imported": True, "columns": json.loads(meta.get("columns") or "null")},
    )
