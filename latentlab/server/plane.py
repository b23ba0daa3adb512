"""The latent plane payload: one format, built by :func:`plane_payload`, for the browser component
that draws every latent plane (``latentlab/ui/components/latent_plane``: the latent map, the explorer, the
drag page), written as static files the browser fetches once.

Why not a plotly chart: with 60,000 points a plotly figure is ~1.3 MB of JSON that Streamlit
re-serialises and re-sends on every rerun, so a click took over a second to answer (and 30 students
clicking at once took many). The plane component (``latentlab/ui/components/latent_plane``) instead fetches one file
per (model, split, view) holding the points, labels and density shading, draws them on a canvas, and
returns only the clicked spot: a click's rerun then carries a few hundred bytes.

A map file's name carries a key (checkpoint content hash, data set, split, view, format version), so
a page finds an existing map *without computing anything*: the lecture's first page shows the scatter
without importing torch or loading the data set. Hover images are a separate raw ``uint8`` file,
``(N, D)`` row-major, named by its content hash and shared by every model of that data set.

Torch-free on purpose (see above).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aecore.storage.files import safe_stem, write_atomic
from latentlab.figures.palette import PALETTE
from latentlab.server.static import STATIC_DIR, STATIC_URL, write_hashed

if TYPE_CHECKING:
    from aecore.analysis.density import KernelDensity
    from aecore.analysis.projection import Projection

MAP_VERSION = 3  # 2: maps carry the projection's linear map; 3: one binary file (encode_plane)
#: The first bytes of a plane file (:func:`encode_plane`).
MAGIC = b"LLPLANE1"
MAP_SUBDIR = "maps"
#: Resolution of the density shading sent to the browser (smooth by construction, so 160² is plenty).
GRID_N = 160


def plane_key(checkpoint_hash: str, dataset: str, split: str, view: str) -> str:
    """The key of a map file: everything the picture depends on, nothing that needs computing."""
    return f"{checkpoint_hash}-{safe_stem(dataset)}-{split}-{safe_stem(view)}-v{MAP_VERSION}"


def plane_path(key: str, static_dir: str | Path | None = None) -> Path:
    return Path(static_dir or STATIC_DIR) / MAP_SUBDIR / f"map-{key}.bin"


def _url(path: Path, static_dir: str | Path | None, url_prefix: str) -> str:
    rel = path.relative_to(Path(static_dir or STATIC_DIR)).as_posix()
    return f"{url_prefix.rstrip('/')}/{rel}"


def existing_plane_url(key: str, static_dir: str | Path | None = None, url_prefix: str = STATIC_URL) -> str | None:
    """The URL of an already written map with this key, or ``None`` (then build it with :func:`write_plane`)."""
    p = plane_path(key, static_dir)
    return _url(p, static_dir, url_prefix) if p.is_file() else None


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def images_u8(x) -> np.ndarray:
    """Flat images ``(N, D)`` with values in [0, 1] → ``uint8`` ``(N, D)`` (what the hover tooltip draws)."""
    a = np.asarray(x, dtype=np.float32)
    return (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def write_images(x_u8: np.ndarray, static_dir: str | Path | None = None, url_prefix: str = STATIC_URL) -> str:
    """Write ``uint8`` images ``(N, D)`` as ``maps/images-<hash>.u8`` (once) and return the URL."""
    blob = np.ascontiguousarray(x_u8, dtype=np.uint8).tobytes()
    return write_hashed(MAP_SUBDIR, "images", ".u8", blob, static_dir, url_prefix)


def plane_payload(
    points: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    bounds: tuple[tuple[float, float], tuple[float, float]],
    density: Callable[[np.ndarray], np.ndarray] | None = None,
    threshold: float | None = None,
    axis_titles: tuple[str, str] = ("z₁", "z₂"),
    images_url: str | None = None,
    image_shape: tuple[int, ...] | None = None,
    grid_n: int = GRID_N,
    note: str = "",
    linear_map: dict | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the map draws that does not change on a click, JSON-ready.

    ``points`` ``(N, 2)`` are plane positions (codes, or their projection), ``labels`` ``(N,)`` class
    indices, ``bounds`` the initial window ``((x0, x1), (y0, y1))``. ``density`` evaluates the
    training-code density at plane points ``(M, 2)``; it is sampled on a ``grid_n²`` grid over the
    window and sent normalised to its maximum, with ``threshold`` (same units as ``density``) as the
    relative level of the "extrapolating" contour. Arrays travel as base64: 60,000 float32 pairs
    are 640 kB, against ~1.2 MB as JSON numbers, and decode in milliseconds. ``linear_map``
    (:meth:`aecore.analysis.projection.Projection.linear_map`) lets a browser decoder turn a plane
    point into a code; ``extra`` holds what one page adds (JSON-ready, merged in).
    """
    pts = np.asarray(points, dtype="<f4").reshape(-1, 2)  # (N, 2)
    lab = np.asarray(labels).astype(np.int64).reshape(-1)  # (N,)
    if len(lab) != len(pts):
        raise ValueError(f"{len(pts)} points but {len(lab)} labels")
    if len(lab) and (lab.min() < 0 or lab.max() >= 65536):
        raise ValueError("labels must be class indices in 0..65535")
    ldt = "<u1" if (lab.max(initial=0) < 256) else "<u2"
    (x0, x1), (y0, y1) = bounds
    out: dict[str, Any] = {
        "format": "latent-lab-map",
        "version": MAP_VERSION,
        "n": int(len(pts)),
        "points": _b64(pts),
        "labels": _b64(lab.astype(ldt)),
        "labels_dtype": "u8" if ldt == "<u1" else "u16",
        "class_names": [str(c) for c in class_names],
        "palette": list(PALETTE),
        "bounds": [float(x0), float(x1), float(y0), float(y1)],
        "axis_titles": list(axis_titles),
        "images_url": images_url,
        "image_shape": list(image_shape) if image_shape else None,
        "density": None,
        "density_n": 0,
        "threshold": None,
        "note": note,
        "linear_map": linear_map,
        **(extra or {}),
    }
    if density is not None:
        xs = np.linspace(x0, x1, grid_n)
        ys = np.linspace(y0, y1, grid_n)
        gx, gy = np.meshgrid(xs, ys)  # (n, n), row 0 = y0 (the bottom)
        d = np.asarray(density(np.c_[gx.ravel(), gy.ravel()]), dtype=np.float64).reshape(grid_n, grid_n)
        top = max(float(d.max()), 1e-300)
        out["density"] = _b64((d / top).astype("<f4"))
        out["density_n"] = int(grid_n)
        out["threshold"] = None if threshold is None else float(threshold) / top
    return out


def encode_plane(payload: dict[str, Any]) -> bytes:
    """A :func:`plane_payload` as one binary file, what the browser fetches: ``MAGIC``, the header's
    length (uint32 LE), the header (JSON: every field but the arrays, and ``arrays``: name →
    ``[offset, dtype, shape]`` from the file's start), then the arrays, raw little-endian, each at an
    offset that is a multiple of 8 (so the browser views them in place as typed arrays, no copy, no
    base64: a million points are 8 MB of float32 and arrive as such)."""
    m = decode_plane(payload)
    arrays = {k: np.ascontiguousarray(m[k]) for k in ("points", "labels", "density") if m[k] is not None}
    head = {k: v for k, v in payload.items() if k not in arrays and k != "density"}
    dtypes = {"points": "f4", "density": "f4", "labels": "u1" if payload["labels_dtype"] == "u8" else "u2"}
    a8 = lambda n: (n + 7) // 8 * 8  # noqa: E731
    start = 0  # where the first array begins: after the header, which lists the offsets; grow to fit
    while True:
        layout, off = {}, start
        for k, a in arrays.items():
            layout[k] = [off, dtypes[k], list(a.shape)]
            off = a8(off + a.nbytes)
        text = json.dumps({**head, "arrays": layout}, separators=(",", ":")).encode()
        need = a8(len(MAGIC) + 4 + len(text))
        if need <= start:
            break
        start = need
    text += b" " * (start - len(MAGIC) - 4 - len(text))  # JSON allows trailing spaces
    out = bytearray(MAGIC + len(text).to_bytes(4, "little") + text)
    for k, a in arrays.items():
        out += b"\0" * (layout[k][0] - len(out))
        out += a.astype("<" + dtypes[k]).tobytes()
    return bytes(out)


def write_plane(
    key: str, payload: dict[str, Any], static_dir: str | Path | None = None, url_prefix: str = STATIC_URL
) -> str:
    """Write a map payload under its key as :func:`encode_plane` bytes (atomically: many sessions may
    build the same map) → URL."""
    path = plane_path(key, static_dir)
    write_atomic(path, encode_plane(payload))
    return _url(path, static_dir, url_prefix)


def prune_planes(prefix: str, keep: int, static_dir: str | Path | None = None) -> int:
    """Delete the plane files whose key starts with ``prefix`` but the ``keep`` newest (by time
    written) → how many went. For series of planes that replace one another (a training's plane per
    epoch): the few newest stay, for a browser still fetching one of them."""
    folder = Path(static_dir or STATIC_DIR) / MAP_SUBDIR
    files = sorted(folder.glob(f"map-{prefix}*.bin"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    gone = 0
    for p in files[keep:]:
        try:
            p.unlink()
            gone += 1
        except FileNotFoundError:  # another session pruned it first
            pass
    return gone


def decode_plane(m: dict[str, Any]) -> dict[str, Any]:
    """A plane payload with its arrays decoded (for tests and tools): ``points`` ``(N, 2)``,
    ``labels`` ``(N,)``, ``density`` ``(n, n)`` (row 0 = the bottom, max 1) or ``None``."""
    m = dict(m)
    m["points"] = np.frombuffer(base64.b64decode(m["points"]), "<f4").reshape(-1, 2)
    m["labels"] = np.frombuffer(base64.b64decode(m["labels"]), "<u1" if m["labels_dtype"] == "u8" else "<u2")
    if m["density"] is not None:
        n = m["density_n"]
        m["density"] = np.frombuffer(base64.b64decode(m["density"]), "<f4").reshape(n, n)
    return m


def read_plane(path: str | Path) -> dict[str, Any]:
    """A plane file (:func:`encode_plane`), its arrays as numpy arrays (as :func:`decode_plane` gives)."""
    raw = Path(path).read_bytes()
    if raw[: len(MAGIC)] != MAGIC:
        raise ValueError(f"{path} is not a latent-plane file")
    n = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "little")
    m = json.loads(raw[len(MAGIC) + 4 : len(MAGIC) + 4 + n])
    m["density"] = None
    for k, (off, dt, shape) in m.pop("arrays").items():
        m[k] = np.frombuffer(raw, "<" + dt, int(np.prod(shape)), off).reshape(shape)
    return m


def pad_plane(
    codes: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    proj: Projection,
    x_data: np.ndarray | None = None,
    max_points: int = 6000,
    grid_n: int = 64,
    seed: int = 0,
) -> tuple[dict[str, Any], np.ndarray, KernelDensity]:
    """The drag page's plane: a square window, the codes' density in the plane, at most ``max_points``
    points drawn, the projection's linear map for the browser decoder, and for point-cloud data
    ``x_data`` ``(N, D)`` a 2-D picture of data space (where the decoded points are drawn).

    Returns ``(payload, plane_points (N, 2), density)``: every code's position on the pad and the
    density fitted there (for the page's readouts)."""
    # Imported here: the first page reads existing plane files without torch (markers needs it).
    from aecore.analysis.density import KernelDensity
    from aecore.analysis.markers import plane_positions
    from aecore.analysis.projection import fit_projection, view_bounds

    p = plane_positions(proj, codes)  # (N, 2)
    labels = np.asarray(labels)
    (x0, x1), (y0, y1) = view_bounds(p, pad=0.12, q=0.005, square=True)
    density = KernelDensity(p)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(p))[:max_points] if len(p) > max_points else np.arange(len(p))
    extra = {}
    if x_data is not None:
        x = np.asarray(x_data, np.float64)
        data_proj = fit_projection(x, "pca")
        dp = np.asarray(data_proj.transform(x), np.float64)  # (N, 2)
        (a0, a1), (b0, b1) = view_bounds(dp, pad=0.2, q=0.005, square=True)
        extra["data_space"] = {
            "points": np.round(dp, 4).ravel().tolist(),
            "bounds": [a0, a1, b0, b1],
            **data_proj.linear_map(),
        }
    # Short titles: the pad writes them inside its square canvas (the page states PCA's variance shares).
    titles = {"pca": ("PC 1", "PC 2"), "pad": ("z₁", "(spread for visibility)")}.get(proj.method, ("z₁", "z₂"))
    payload = plane_payload(
        p[idx],
        labels[idx],
        class_names,
        ((x0, x1), (y0, y1)),
        density=density,
        axis_titles=titles,
        grid_n=grid_n,
        linear_map=proj.linear_map(),
        extra=extra,
    )
    return payload, p, density
