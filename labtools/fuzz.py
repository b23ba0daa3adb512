"""Property-based fuzzing of every file and byte reader: the strategies, and the property each reader
must keep. Shared by ``tests/test_fuzz_readers.py`` (a fixed seed, a few hundred cases) and
``bench/fuzz.py`` (the long run), so that the two try the same inputs.

Why strategies that start from *valid* files: random bytes stop at the first magic-number check, so
they never reach the code after it. A valid file that is then truncated, flipped, spliced, given a
header that lies about its size or shape (a PNG's IHDR with its CRC recomputed so that Pillow reads
on, an NPY's shape and dtype, a ZIP's local and central sizes), or given members it should not have
(a pickled array, several arrays, a nested ZIP, a text file, ``../x.png``) gets past the first checks
and exercises the rest. Plain random bytes are tried too.

The property (:func:`check`): a reader returns a valid result, or raises its own door's
:class:`aecore.errors.UserError` subclass with a non-empty message; never another exception; never a
file written outside its folder. Memory is bounded by the readers' declared-size checks (no reader
allocates what a header claims before comparing it with the bytes there are); the bench reports each
reader's peak RSS to show it.
"""

from __future__ import annotations

import functools
import io
import json
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

#: The readers, in the order the bench runs them.
READERS = ("checkpoint", "csv", "npy", "npz", "zip", "image", "drawing", "pad")

#: Integers that break size fields: zero, one, sign and width edges, and "enormous".
INTERESTING = (0, 1, 2, 3, 7, 255, 256, 65535, 65536, 100_000, 2**31 - 1, 2**31, 2**32 - 1)


@dataclass
class Case:
    """One input for one reader: its bytes (or array), the file suffix, and the reader's options."""

    reader: str
    data: Any
    suffix: str = ""
    options: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # what Hypothesis prints for a failing example: short, reproducible
        d = self.data
        shown = f"{len(d)} bytes {bytes(d[:64])!r}…" if isinstance(d, bytes | bytearray) else repr(d)[:200]
        return f"Case({self.reader!r}, {shown}, suffix={self.suffix!r}, options={self.options!r})"


# ---------------------------------------------------------------- valid seeds


def png_bytes(a: np.ndarray, mode: str | None = None) -> bytes:
    """A PNG of ``a`` (uint8, (H, W) grey or (H, W, 3|4))."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(a, np.uint8), mode=mode).save(buf, format="PNG")
    return buf.getvalue()


def image_bytes(a: np.ndarray, fmt: str, **kw) -> bytes:
    """``a`` saved by Pillow as ``fmt`` (JPEG, GIF, BMP …)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(a, np.uint8)).save(buf, format=fmt, **kw)
    return buf.getvalue()


def npy_bytes(a: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=allow_pickle)
    return buf.getvalue()


def zip_bytes(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP of ``(name, data)`` members, in order (names are written as given, even ``../x``)."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", compression) as zf:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": wanted here
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buf.getvalue()


def _picture(seed: int, size: int = 8, rgb: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = (rng.random((size, size, 3) if rgb else (size, size)) * 80).astype(np.uint8)
    a[size // 4 : -size // 4, size // 2] = 255  # a stroke: not blank
    return a


@functools.cache
def seed_pictures() -> tuple[bytes, ...]:
    """Small valid pictures: grey, RGB and RGBA PNG, a palette PNG with transparency, a JPEG."""
    from PIL import Image

    grey, rgb = _picture(0), _picture(1, rgb=True)
    rgba = np.dstack([rgb, np.full((8, 8), 200, np.uint8)])
    pal = io.BytesIO()
    Image.fromarray(grey).convert("P").save(pal, format="PNG", transparency=0)
    return (
        png_bytes(grey),
        png_bytes(rgb),
        png_bytes(rgba),
        pal.getvalue(),
        image_bytes(_picture(2, 16), "JPEG", quality=80),
        image_bytes(_picture(3, 28), "PNG"),
    )


@functools.cache
def seed_other_pictures() -> tuple[bytes, ...]:
    """Readable pictures of formats the doors refuse (GIF, BMP)."""
    return (image_bytes(_picture(4), "GIF"), image_bytes(_picture(5), "BMP"))


def csv_text(rows: int = 24, cols: int = 3, header: bool = True, label: bool = True, seed: int = 0) -> str:
    """A small valid CSV: ``cols`` numeric columns, optionally a header and a ``kind`` label column."""
    rng = np.random.default_rng(seed)
    lines = []
    if header:
        lines.append(",".join([f"c{i}" for i in range(cols)] + (["kind"] if label else [])))
    for r in range(rows):
        vals = [f"{v:.3f}" for v in rng.normal(size=cols)]
        lines.append(",".join(vals + ([("ab", "cd", "ef")[r % 3]] if label else [])))
    return "\n".join(lines) + "\n"


@functools.cache
def seed_arrays() -> dict[str, np.ndarray]:
    """Valid arrays: a table, labels, grey and RGB pictures (channels last and first)."""
    rng = np.random.default_rng(0)
    return {
        "table": rng.normal(size=(24, 3)),
        "labels": np.arange(24) % 3,
        "grey": (rng.random((24, 8, 8)) * 255).astype(np.uint8),
        "rgb_last": rng.random((24, 8, 8, 3)).astype(np.float32),
        "rgb_first": rng.random((24, 3, 4, 4)).astype(np.float32),
    }


@functools.cache
def seed_zip() -> bytes:
    """A valid ZIP of tiny PNGs in two class folders inside one enclosing folder (24: more than
    ``importing.MIN_ROWS``)."""
    pics = [png_bytes(_picture(i)) for i in range(24)]
    return zip_bytes([(f"set/{('ring', 'bar')[i % 2]}/{i}.png", p) for i, p in enumerate(pics)])


@functools.cache
def seed_checkpoints() -> tuple[bytes, ...]:
    """Tiny real checkpoints (``to_bytes`` of small models): an AE, a VAE in float16, a conv AE."""
    import torch

    from aecore.models import ModelConfig, build_model
    from aecore.storage.checkpoint import to_bytes

    torch.manual_seed(0)
    out = []
    for cfg, dtype in (
        (ModelConfig(family="ae", input_dim=6, latent_dim=2, hidden=(4,), output="linear"), "float32"),
        (ModelConfig(family="vae", input_dim=16, latent_dim=2, hidden=(4,)), "float16"),
        (ModelConfig(family="conv-ae", input_dim=16, latent_dim=2, hidden=(2,), image_shape=(1, 4, 4)), "float32"),
    ):
        out.append(to_bytes(build_model(cfg), "digits", metrics={"test_mse": 0.1}, history=[{"epoch": 1}], dtype=dtype))
    return tuple(out)


#: The token the pad's fuzzed requests use; :func:`pad_setup` registers a follower under it.
PAD_TOKEN = "fuzz-token"


def pad_body(markers: Any = ((0.5, -1.0),), seq: Any = 1, token: Any = PAD_TOKEN) -> bytes:
    """The pad channel's JSON body, as the browser sends it."""
    return json.dumps({"token": token, "markers": markers, "seq": seq}).encode()


# ---------------------------------------------------------------- byte-level edits

Draw = Callable[[st.SearchStrategy], Any]


def _truncate(draw: Draw, data: bytes) -> bytes:
    return data[: draw(st.integers(0, max(0, len(data) - 1)))]


def _flip(draw: Draw, data: bytes) -> bytes:
    if not data:
        return data
    i = draw(st.integers(0, len(data) - 1))
    return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]


def _splice(draw: Draw, data: bytes) -> bytes:
    """Copy a slice (a header, a chunk) to another place: duplicated headers, shifted offsets."""
    n = len(data)
    i = draw(st.integers(0, n))
    j = draw(st.integers(i, min(n, i + 256)))
    k = draw(st.integers(0, n))
    return data[:k] + data[i:j] + data[k:]


def _delete(draw: Draw, data: bytes) -> bytes:
    n = len(data)
    i = draw(st.integers(0, n))
    return data[:i] + data[draw(st.integers(i, min(n, i + 64))) :]


def _insert(draw: Draw, data: bytes) -> bytes:
    i = draw(st.integers(0, len(data)))
    return data[:i] + draw(st.binary(max_size=24)) + data[i:]


def _set_int(draw: Draw, data: bytes) -> bytes:
    """Overwrite 4 bytes with an interesting integer, either byte order: a size field that lies."""
    if len(data) < 4:
        return data
    i = draw(st.integers(0, len(data) - 4))
    v = draw(st.sampled_from(INTERESTING + (len(data), len(data) * 1000)))
    fmt = draw(st.sampled_from(("<I", ">I")))
    return data[:i] + struct.pack(fmt, v % 2**32) + data[i + 4 :]


BYTE_EDITS: tuple[Callable[[Draw, bytes], bytes], ...] = (_truncate, _flip, _splice, _delete, _insert, _set_int)


# ---------------------------------------------------------------- format-aware edits


def png_set_ihdr(png: bytes, width: int | None = None, height: int | None = None, **fields: int) -> bytes:
    """The PNG with its IHDR's width/height (and ``depth``, ``color`` …) replaced and the chunk's CRC
    recomputed, so that Pillow believes the new header (a lying header with a bad CRC is refused early
    and tests nothing past it)."""
    i = png.find(b"IHDR")
    if i < 4 or len(png) < i + 21:
        return png
    body = bytearray(png[i + 4 : i + 17])
    if width is not None:
        body[0:4] = struct.pack(">I", width % 2**32)
    if height is not None:
        body[4:8] = struct.pack(">I", height % 2**32)
    for k, off in (("depth", 8), ("color", 9), ("interlace", 12)):
        if k in fields:
            body[off] = fields[k] % 256
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(body)) & 0xFFFFFFFF)
    return png[: i + 4] + bytes(body) + crc + png[i + 21 :]


def _png_size(draw: Draw, data: bytes) -> bytes:
    big = st.sampled_from((0, 1, 3, 4097, 65535, 100_000, 2**31 - 1))
    return png_set_ihdr(data, draw(big), draw(big))


def _png_fields(draw: Draw, data: bytes) -> bytes:
    return png_set_ihdr(
        data,
        depth=draw(st.sampled_from((0, 1, 2, 4, 8, 16, 3, 255))),
        color=draw(st.sampled_from((0, 2, 3, 4, 6, 1, 7))),
        interlace=draw(st.sampled_from((0, 1, 2))),
    )


PNG_EDITS = (_png_size, _png_fields)


def npy_with_header(data: bytes, shape: tuple | None = None, descr: Any = None, fortran: bool | None = None) -> bytes:
    """An NPY file's bytes with its header's shape, dtype or order replaced and the data kept: a header
    that declares more (or other) data than the file holds."""
    try:
        f = io.BytesIO(data)
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        hdr = read(f)  # (shape, fortran, dtype)
        body = data[f.tell() :]
    except Exception:  # noqa: BLE001 - not an NPY any more (an earlier edit): leave it as it is
        return data
    d = {
        "descr": np.lib.format.dtype_to_descr(hdr[2]) if descr is None else descr,
        "fortran_order": hdr[1] if fortran is None else fortran,
        "shape": hdr[0] if shape is None else tuple(shape),
    }
    text = repr(d).encode("latin1")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + body


_DESCRS = ("<f8", "<f4", "<f2", "|u1", "<i8", ">i4", "|b1", "<c16", "<U3", "|O", "|V8", "<M8[s]", [("a", "<f4")])


def _npy_header(draw: Draw, data: bytes) -> bytes:
    dims = st.sampled_from((0, 1, 2, 3, 4, 8, 24, 65, 10**6, 2**40))
    shape = draw(st.lists(dims, max_size=5).map(tuple))
    return npy_with_header(
        data,
        shape=shape if draw(st.booleans()) else None,
        descr=draw(st.sampled_from(_DESCRS)) if draw(st.booleans()) else None,
        fortran=draw(st.booleans()) if draw(st.booleans()) else None,
    )


NPY_EDITS = (_npy_header,)

# Offsets of the size fields in a ZIP's local header (PK\3\4) and central directory entry (PK\1\2).
_ZIP_FIELDS = {
    b"PK\x03\x04": {"csize": (18, "<I"), "usize": (22, "<I"), "name_len": (26, "<H"), "extra_len": (28, "<H")},
    b"PK\x01\x02": {
        "csize": (20, "<I"),
        "usize": (24, "<I"),
        "name_len": (28, "<H"),
        "extra_len": (30, "<H"),
        "offset": (42, "<I"),
    },
    b"PK\x05\x06": {"entries": (10, "<H"), "cd_size": (12, "<I"), "cd_offset": (16, "<I")},
}


def zip_set_field(data: bytes, signature: bytes, nth: int, name: str, value: int) -> bytes:
    """The ZIP with field ``name`` of its ``nth`` record of ``signature`` set to ``value``."""
    starts, at = [], data.find(signature)
    while at >= 0:
        starts.append(at)
        at = data.find(signature, at + 1)
    if not starts:
        return data
    off, fmt = _ZIP_FIELDS[signature][name]
    i = starts[nth % len(starts)] + off
    if i + struct.calcsize(fmt) > len(data):
        return data
    return data[:i] + struct.pack(fmt, value % (256 ** struct.calcsize(fmt))) + data[i + struct.calcsize(fmt) :]


def _zip_sizes(draw: Draw, data: bytes) -> bytes:
    sig = draw(st.sampled_from(tuple(_ZIP_FIELDS)))
    name = draw(st.sampled_from(tuple(_ZIP_FIELDS[sig])))
    value = draw(st.sampled_from(INTERESTING + (len(data),)))
    return zip_set_field(data, sig, draw(st.integers(0, 20)), name, value)


ZIP_EDITS = (_zip_sizes,)


def checkpoint_with_header(data: bytes, edit: Callable[[dict], None]) -> bytes:
    """A checkpoint's bytes with its safetensors JSON header changed by ``edit`` (in place) and its
    length field rewritten: a header that parses but lies (shapes, offsets, config, metadata)."""
    try:
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8 : 8 + n])
        rest = data[8 + n :]
    except Exception:  # noqa: BLE001 - not a checkpoint any more: leave it
        return data
    edit(header)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + rest


_CONFIG_VALUES = (
    0,
    -1,
    1,
    3,
    10**6,
    10**9,
    8192,
    1.5,
    float("nan"),
    "x",
    None,
    True,
    [],
    [8192] * 16,
    [10**6],
    [1, 4, 4],
    {"a": 1},
)


def _checkpoint_header(draw: Draw, data: bytes) -> bytes:
    what = draw(st.sampled_from(("config", "meta", "tensor", "drop", "metadata")))
    key = draw(st.sampled_from(("input_dim", "latent_dim", "hidden", "family", "image_shape", "beta", "zzz")))
    value = draw(st.sampled_from(_CONFIG_VALUES))
    meta_key = draw(st.sampled_from(("format", "format_version", "metrics", "history", "dataset", "created")))
    meta_value = draw(st.sampled_from(("2", "0", "x", "{", "[]", "null", "latent-lab-checkpoint", "1e999")))
    shape = draw(st.lists(st.sampled_from((0, 1, 2, 4, 10**6, 2**40)), max_size=3))
    offsets = draw(st.lists(st.sampled_from((0, 4, 8, 10**6, 2**63)), min_size=2, max_size=2))
    dtype = draw(st.sampled_from(("F32", "F16", "I64", "BOOL", "U8", "F64", "XX")))
    pick = draw(st.integers(0, 50))

    def edit(h: dict) -> None:
        meta = h.get("__metadata__")
        names = sorted(k for k in h if k != "__metadata__")
        if what == "config" and isinstance(meta, dict):
            try:
                cfg = json.loads(meta.get("config", "{}"))
                cfg[key] = value
                meta["config"] = json.dumps(cfg)
            except Exception:  # noqa: BLE001
                pass
        elif what == "meta" and isinstance(meta, dict):
            meta[meta_key] = meta_value
        elif what == "tensor" and names:
            t = h[names[pick % len(names)]]
            if isinstance(t, dict):
                t.update({"shape": shape} if pick % 3 == 0 else {"data_offsets": offsets} if pick % 3 else {})
                if pick % 5 == 0:
                    t["dtype"] = dtype
        elif what == "drop" and names:
            h.pop(names[pick % len(names)])
        elif what == "metadata":
            h["__metadata__"] = [1] if pick % 2 else {"format": 1}

    return checkpoint_with_header(data, edit)


CHECKPOINT_EDITS = (_checkpoint_header,)


@st.composite
def mutated(draw, seeds: st.SearchStrategy, edits: tuple = (), max_edits: int = 3) -> bytes:
    """A valid seed, then 0 to ``max_edits`` edits (format-aware ones twice as likely as byte edits)."""
    data = draw(seeds)
    for _ in range(draw(st.integers(0, max_edits))):
        edit = draw(st.sampled_from(BYTE_EDITS + edits + edits))
        data = edit(draw, data)
    return data


def _random_bytes(max_size: int = 512) -> st.SearchStrategy:
    return st.binary(max_size=max_size)


# ---------------------------------------------------------------- one strategy per reader


def checkpoint_cases() -> st.SearchStrategy[Case]:
    """Checkpoint bytes (``from_bytes``, then as a file: ``load_checkpoint`` and ``read_metadata``)."""
    seeds = st.sampled_from(seed_checkpoints())
    edited = mutated(seeds, CHECKPOINT_EDITS, max_edits=2)
    data = st.one_of(  # a branch is drawn about uniformly: the mutated seeds get three in five
        edited,
        edited,
        edited,
        _random_bytes(),
        st.sampled_from((b"\x80\x04K\x01.", b"PK\x03\x04" + bytes(30), bytes(8) + b"{}")),
    )
    return data.map(lambda d: Case("checkpoint", d, ".safetensors"))


_CSV_CELLS = ("1", "-2.5", "1e3", "nan", "inf", "-inf", "", " ", '"3"', "x", "1e999", "0x10", "é", '"a,b"', "1,2")


@st.composite
def _csv_file(draw) -> tuple[bytes, dict]:
    rows = draw(st.sampled_from((0, 1, 3, 19, 20, 24, 24, 30, 30)))
    cols = draw(st.sampled_from((1, 2, 3, 3, 4)))
    header, label = draw(st.booleans()), draw(st.booleans())
    text = csv_text(rows, cols, header, label, seed=draw(st.integers(0, 3)))
    if draw(st.integers(0, 2)) == 0:  # odd cells, ragged rows, other line ends
        lines = text.splitlines()
        for _ in range(draw(st.integers(1, 3))):
            if not lines:
                break
            r = draw(st.integers(0, len(lines) - 1))
            cells = lines[r].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(_CSV_CELLS))
            if draw(st.booleans()):
                cells = cells[: draw(st.integers(0, len(cells)))]
            lines[r] = ",".join(cells)
        text = draw(st.sampled_from(("\n", "\r\n", "\r"))).join(lines)
    options: dict = {}
    if label and header and draw(st.integers(0, 4)):  # mostly the right column: past the label checks
        options["label"] = "kind"
    elif draw(st.booleans()):
        options["label"] = draw(st.sampled_from(("kind", "c0", "nope", "")))
    if draw(st.integers(0, 4)) == 0:
        options["pictures"] = draw(st.sampled_from(("1x3", "3x1", "2x2", "1x1x3", "bad", "0x0", "1000x1000")))
    return text.encode(draw(st.sampled_from(("utf-8",) * 4 + ("utf-16", "latin-1"))), errors="replace"), options


def csv_cases() -> st.SearchStrategy[Case]:
    """CSV files through ``import_file`` (with and without a header, a label column, a pictures shape)."""

    @st.composite
    def case(draw):
        data, options = draw(_csv_file())
        data = draw(mutated(st.just(data), (), max_edits=draw(st.sampled_from((0, 0, 1, 2)))))
        return Case("csv", data, ".csv", options)

    return st.one_of(case(), case(), case(), _random_bytes().map(lambda d: Case("csv", d, ".csv")))


def _array_seeds() -> st.SearchStrategy[bytes]:
    arrays = seed_arrays()
    special = (
        np.float64(3.0),  # 0-d
        np.zeros((0, 3)),
        np.zeros((24, 0)),
        np.zeros((24, 8, 0)),
        np.full((24, 2), np.nan),
        np.zeros((24,)),
        np.ones((24, 2), np.complex64),
        np.array(["a", "b"] * 12),
        np.zeros((24, 2), [("a", "<f4")]),
        np.ones((24, 2), bool),
        np.ones((24, 2), np.float16) * 65504,
        np.ones((24, 100, 2)),
        np.zeros((2, 2, 2, 2, 2)),
    )
    valid = [npy_bytes(a) for a in arrays.values()]
    odd = [npy_bytes(a) for a in special]
    return st.sampled_from(valid + odd)


def npy_cases() -> st.SearchStrategy[Case]:
    """NPY files: valid tables and pictures, odd shapes and dtypes, headers that lie, random bytes."""
    pickled = npy_bytes(np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    data = st.one_of(
        mutated(_array_seeds(), NPY_EDITS, max_edits=2),
        st.just(pickled),
        st.just(seed_zip()),  # a ZIP called .npy: np.load would open it as an NPZ
        _random_bytes(),
    )
    return data.map(lambda d: Case("npy", d, ".npy"))


def _member_payloads() -> st.SearchStrategy[bytes]:
    arrays = seed_arrays()
    return st.sampled_from(
        (
            npy_bytes(arrays["table"]),
            npy_bytes(arrays["labels"]),
            npy_bytes(arrays["grey"]),
            npy_bytes(arrays["rgb_first"]),
            npy_bytes(np.arange(5)),
            npy_bytes(np.float32(1.0)),
            npy_bytes(np.array([object(), 1], dtype=object), allow_pickle=True),
            npy_with_header(npy_bytes(arrays["table"]), shape=(2**40, 3)),
            b"not an array",
            b"",
        )
    )


@st.composite
def _npz_file(draw) -> bytes:
    arrays = seed_arrays()
    names = st.sampled_from(("x", "y", "data", "labels", "x.npy", "a/b", "../x", "arr_0", ""))
    members = [("x.npy", npy_bytes(arrays[draw(st.sampled_from(("table", "grey", "rgb_last")))]))]
    if draw(st.booleans()):
        members.append(("y.npy", npy_bytes(arrays["labels"])))
    for _ in range(draw(st.integers(0, 3))):
        name = draw(names)
        name = name if draw(st.integers(0, 5)) == 0 else name + ".npy"
        payload = draw(st.one_of(_member_payloads(), st.just(seed_zip())))
        members.insert(draw(st.integers(0, len(members))), (name, payload))
    if draw(st.integers(0, 5)) == 0:
        members = members[1:]  # no x at all
    comp = draw(st.sampled_from((zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)))
    return zip_bytes(members, comp)


def npz_cases() -> st.SearchStrategy[Case]:
    """NPZ archives: x and y, extra and pickled members, no ``x``, nested ZIPs, lying headers."""
    edited = mutated(_npz_file(), ZIP_EDITS + NPY_EDITS, max_edits=2)
    data = st.one_of(edited, edited, edited, _random_bytes())
    return data.map(lambda d: Case("npz", d, ".npz"))


@st.composite
def _zip_file(draw) -> bytes:
    """Class folders of valid pictures (sometimes too few, or one class), with 0 to 3 odd members
    inserted: a picture whose header declares 10^10 pixels, a GIF, a nested ZIP, an NPY, text, empty
    files, ``../``, absolute and ``__MACOSX`` paths, hidden files."""
    pictures = seed_pictures()
    giant = png_set_ihdr(pictures[0], 100_000, 100_000)  # 10^10 pixels declared: a bomb by header
    prefix = draw(st.sampled_from(("", "set/", "a/b/")))
    classes = draw(st.sampled_from((("cats", "dogs"), ("only",), ("x", "y", "z"))))
    n = draw(st.sampled_from((1, 3, 20, 24)))
    members = [(f"{prefix}{classes[i % len(classes)]}/{i}.png", pictures[i % len(pictures)]) for i in range(n)]
    folders = st.sampled_from(("cats", "set/dogs", "", "../up", "/abs", "C:", "__MACOSX/cats", "a/b/c/d"))
    files = st.sampled_from(("1.png", "2.jpg", "3.PNG", "x.txt", ".hidden.png", "4.jpeg", "5.gif", "../x.png"))
    payload = st.one_of(
        st.sampled_from(pictures + seed_other_pictures() + (giant, b"", b"#!/bin/sh\n")),
        st.just(seed_zip()),
        st.just(npy_bytes(seed_arrays()["grey"])),
    )
    for i in range(draw(st.integers(0, 3))):
        folder = draw(folders)
        name = (folder + "/" if folder else "") + f"odd{i}-" + draw(files)
        name = "" if draw(st.integers(0, 9)) == 0 else name  # an empty name: what bench/fuzz.py found
        members.insert(draw(st.integers(0, len(members))), (name, draw(payload)))
    comp = draw(st.sampled_from((zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)))
    return zip_bytes(members, comp)


def zip_cases() -> st.SearchStrategy[Case]:
    """ZIPs of pictures: the valid seed, drawn member lists (giant declared pictures, nested ZIPs, text,
    path traversal), lying local/central sizes, random bytes; at a few resize options."""

    @st.composite
    def case(draw):
        data = draw(
            st.one_of(
                mutated(st.just(seed_zip()), ZIP_EDITS + PNG_EDITS, max_edits=2),
                mutated(_zip_file(), ZIP_EDITS, max_edits=1),
                _random_bytes(),
            )
        )
        size = draw(st.sampled_from((8, 8, 8, 28, 8, 8, 28, 5)))  # 5: not a size offered, refused
        options = {"size": size, "color": draw(st.sampled_from(("grey", "rgb")))}
        return Case("zip", data, ".zip", options)

    return case()


def image_cases() -> st.SearchStrategy[Case]:
    """One's own picture upload (``inputs.read_image`` and ``inputs.prepare``)."""
    seeds = st.sampled_from(seed_pictures() + seed_other_pictures())
    edited = mutated(seeds, PNG_EDITS, max_edits=2)
    data = st.one_of(edited, edited, edited, _random_bytes())
    return data.map(lambda d: Case("image", d, ".png", {"dataset": "mnist", "image_shape": (1, 28, 28)}))


@st.composite
def _drawing(draw) -> np.ndarray:
    shape = draw(st.sampled_from(((112, 112), (28, 28), (8, 8), (1, 1), (3, 200), (0, 5), (112,), (2, 8, 8))))
    special = st.sampled_from((0.0, 1.0, 0.5, -1.0, 2.0, 1e30, float("nan"), float("inf"), -float("inf")))
    a = np.full(shape, draw(special), np.float32)
    if a.ndim == 2 and a.size:
        for _ in range(draw(st.integers(0, 3))):  # strokes
            r, c = draw(st.integers(0, a.shape[0] - 1)), draw(st.integers(0, a.shape[1] - 1))
            a[r : r + draw(st.integers(1, 20)), c : c + draw(st.integers(1, 20))] = draw(special)
    return a


def drawing_cases() -> st.SearchStrategy[Case]:
    """The drawing pad's bitmap through ``inputs.prepare`` for each data-set style."""
    styles = st.sampled_from(
        (("mnist", (1, 28, 28)), ("digits", (1, 8, 8)), ("mine", (3, 16, 16)), ("mine", (1, 5, 7)))
    )
    return st.builds(
        lambda a, s: Case("drawing", a, options={"dataset": s[0], "image_shape": s[1]}), _drawing(), styles
    )


def _json_values() -> st.SearchStrategy:
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=8),
    )
    return st.recursive(
        leaf,
        lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
        max_leaves=8,
    )


def pad_cases() -> st.SearchStrategy[Case]:
    """POST bodies for the drag pad's channel: valid requests, wrong types, NaN, deep nesting, junk."""
    point = st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.booleans()), max_size=3
    )
    markers = st.one_of(st.lists(point, max_size=3), _json_values())
    token = st.one_of(st.just(PAD_TOKEN), st.text(max_size=10), _json_values())
    seq = st.one_of(st.integers(-(2**70), 2**70), _json_values())
    bodies = st.one_of(
        st.builds(pad_body, markers, seq, token),
        st.builds(
            lambda m, s: pad_body(m, s),
            st.lists(st.lists(st.floats(-10, 10), min_size=2, max_size=2), min_size=1, max_size=2),
            st.integers(0, 99),
        ),
        _json_values().map(lambda v: json.dumps(v).encode()),
        st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),  # deeper than the JSON parser's recursion
        st.integers(1, 3000).map(lambda n: b'{"token":' * n),
        mutated(st.just(pad_body()), (), max_edits=3),
        st.just(b" " * 5000),
        _random_bytes(64),
    )
    return bodies.map(lambda b: Case("pad", b))


STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "checkpoint": checkpoint_cases,
    "csv": csv_cases,
    "npy": npy_cases,
    "npz": npz_cases,
    "zip": zip_cases,
    "image": image_cases,
    "drawing": drawing_cases,
    "pad": pad_cases,
}


# ---------------------------------------------------------------- the property


class Workspace:
    """A scratch tree for one reader's cases: ``in/`` (the input file), ``ds/`` (the import's folder,
    also ``$LATENTLAB_DATASETS``) and ``elsewhere/`` (the working directory during a case). After a case
    the tree must hold only the input and, after a successful import, the one data-set file."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.inp, self.ds, self.elsewhere = self.root / "in", self.root / "ds", self.root / "elsewhere"
        for d in (self.inp, self.ds, self.elsewhere):
            d.mkdir(parents=True, exist_ok=True)

    def files(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file() or p.is_symlink()}

    def clear(self) -> None:
        for d in (self.inp, self.ds, self.elsewhere):
            for p in d.iterdir():
                p.unlink() if not p.is_dir() or p.is_symlink() else _rmtree(p)


def _rmtree(p: Path) -> None:
    import shutil

    shutil.rmtree(p)


def _refusal(exc: BaseException, door: type) -> str:
    """A refusal must be the door's own error type, with a message a person can read."""
    assert isinstance(exc, door), f"{type(exc).__name__} instead of {door.__name__}: {exc}"
    assert str(exc).strip(), f"{type(exc).__name__} with an empty message"
    return "refused"


def pad_setup() -> None:
    """Register a follower under :data:`PAD_TOKEN`, so valid fuzzed requests reach it."""
    from latentlab.ui.components import pad_channel

    pad_channel.register(PAD_TOKEN, lambda ms: f"<p>{ms[0][0]:.3f}, {ms[0][1]:.3f} ({len(ms)})</p>")


def check(case: Case, ws: Workspace) -> str:
    """Run ``case`` through its reader and assert the property (see the module docstring); return
    ``"accepted"`` or ``"refused"`` (the bench counts both: a strategy whose cases are all refused at
    the first check tests little). An exception other than the door's own refusal propagates as
    itself: it is the finding."""
    ws.clear()
    if case.reader == "checkpoint":
        return _check_checkpoint(case, ws)
    if case.reader in ("csv", "npy", "npz", "zip"):
        return _check_import(case, ws)
    if case.reader == "image":
        return _check_image(case)
    if case.reader == "drawing":
        return _check_drawing(case)
    if case.reader == "pad":
        return _check_pad(case)
    raise ValueError(f"unknown reader {case.reader!r}")


def _check_checkpoint(case: Case, ws: Workspace) -> str:
    from aecore.storage.checkpoint import Checkpoint, CheckpointError, from_bytes, load_checkpoint, read_metadata

    outcome = "accepted"
    try:
        ck = from_bytes(case.data)
        assert isinstance(ck, Checkpoint) and ck.model is not None
        ck.summary()  # what the library table shows: metrics a dict, history a list
    except CheckpointError as exc:
        outcome = _refusal(exc, CheckpointError)
    path = ws.inp / "model.safetensors"
    path.write_bytes(case.data)
    before = ws.files()
    for reader in (load_checkpoint, read_metadata):
        try:
            out = reader(path)
            assert out is not None
        except CheckpointError as exc:
            _refusal(exc, CheckpointError)
    assert ws.files() == before, f"a checkpoint read wrote {ws.files() - before}"
    return outcome


def _check_import(case: Case, ws: Workspace) -> str:
    from aecore.data.importing import MIN_ROWS, DataImportError, ImportReport, import_file, load_user_dataset

    path = ws.inp / f"upload{case.suffix}"
    path.write_bytes(case.data)
    before = ws.files()
    try:
        rep = import_file(path, "fuzzed", folder=ws.ds, **case.options)
    except DataImportError as exc:
        assert ws.files() == before, f"a refused import left {ws.files() - before}"
        return _refusal(exc, DataImportError)
    assert isinstance(rep, ImportReport) and rep.path == (ws.ds / "fuzzed.safetensors").resolve()
    assert ws.files() == before | {"ds/fuzzed.safetensors"}, f"an import wrote {ws.files() - before}"
    assert rep.n_train + rep.n_test >= MIN_ROWS and rep.n_test >= 1
    ds = load_user_dataset("fuzzed", ws.ds)
    for x in (ds.x_train, ds.x_test):
        assert bool(x.isfinite().all()), "an imported set holds non-finite values"
    assert 0.0 <= float(ds.x_train.min()) and float(ds.x_train.max()) <= 1.0, "training values outside [0, 1]"
    assert int(ds.y_train.max()) < len(ds.class_names) and int(ds.y_test.max()) < len(ds.class_names)
    return "accepted"


def _check_image(case: Case) -> str:
    from aecore.data import inputs

    try:
        a = inputs.read_image(case.data)
    except inputs.InputError as exc:
        return _refusal(exc, inputs.InputError)
    assert a.ndim == 2 and a.dtype == np.float32 and np.isfinite(a).all() and a.min() >= 0 and a.max() <= 1
    try:
        x = inputs.prepare(case.data, case.options["dataset"], case.options["image_shape"])
    except inputs.InputError as exc:
        return _refusal(exc, inputs.InputError)
    assert x.shape == (int(np.prod(case.options["image_shape"])),) and np.isfinite(x).all()
    return "accepted"


def _check_drawing(case: Case) -> str:
    from aecore.data import inputs

    try:
        x = inputs.prepare(case.data, case.options["dataset"], case.options["image_shape"])
    except inputs.InputError as exc:
        return _refusal(exc, inputs.InputError)
    assert x.shape == (int(np.prod(case.options["image_shape"])),), x.shape
    assert np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1
    return "accepted"


def _check_pad(case: Case) -> str:
    from latentlab.ui.components import pad_channel

    status, reply = pad_channel.handle(case.data)
    assert status in (200, 400, 404, 413) and isinstance(reply, dict), (status, reply)
    json.dumps(reply, allow_nan=False)  # what the route sends must be strict JSON
    if status == 200:
        assert set(reply) == {"seq", "html"}
        return "accepted"
    assert isinstance(reply.get("error"), str) and reply["error"]
    return "refused"
