"""Computations the pages display: codes of a data set, decoded points, display-ready images.

Everything returns numpy arrays (what plotly and ``st.image`` want), so pages do no tensor maths.
"""

from __future__ import annotations

import numpy as np
import torch

from aecore.models import AutoencoderBase


def _dtype(model: AutoencoderBase) -> torch.dtype:
    # Toy models train in float64 (TrainConfig.dtype); a snapshot taken mid-training must feed
    # them their own dtype. Results always leave as float32.
    # An imported ONNX model has no torch parameters: its graphs take float32.
    p = next(model.parameters(), None)
    return p.dtype if p is not None else torch.float32


@torch.no_grad()
def encode_array(model: AutoencoderBase, x: torch.Tensor, batch_size: int = 8192) -> np.ndarray:
    """Codes ``(N, k)`` of rows ``x`` ``(N, D)`` (the posterior mean for VAEs)."""
    model.eval()
    dt = _dtype(model)
    out = [model.encode(x[i : i + batch_size].to(dt)).float() for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros((0, model.latent_dim), np.float32)


@torch.no_grad()
def decode_array(model: AutoencoderBase, z) -> np.ndarray:
    """Decode codes ``(B, k)`` (array-like; a single ``(k,)`` point is accepted) to ``(B, D)``."""
    model.eval()
    z = np.asarray(z, dtype=np.float32)
    # Codes shared between sessions are read-only arrays; torch warns when it wraps one (it cannot
    # promise not to write), so wrap a copy: a few floats per click.
    zt = torch.from_numpy(z if z.flags.writeable else z.copy()).to(_dtype(model))
    if zt.ndim == 1:
        zt = zt[None]
    if zt.shape[1] != model.latent_dim:
        raise ValueError(f"z has {zt.shape[1]} dimensions, the model's latent space has {model.latent_dim}")
    return model.decode(zt).float().numpy()


@torch.no_grad()
def reconstruct_array(model: AutoencoderBase, x: torch.Tensor, batch_size: int = 8192) -> np.ndarray:
    """x̂ = g(f(x)) ``(N, D)``."""
    model.eval()
    dt = _dtype(model)
    out = [model.decode(model.encode(x[i : i + batch_size].to(dt))).float() for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy()


def to_display(flat: np.ndarray, image_shape: tuple[int, ...], size: int = 280) -> np.ndarray:
    """One flat image ``(D,)`` → uint8 ``(size', size')`` (grey) or ``(…, 3)``, upscaled by an integer
    factor with nearest-neighbour, so an 8×8 or 28×28 image stays crisp instead of blurred."""
    c, h, w = image_shape
    img = np.clip(np.asarray(flat, dtype=np.float32).reshape(c, h, w), 0.0, 1.0)
    img = img[0] if c == 1 else img.transpose(1, 2, 0)
    f = max(1, size // max(h, w))
    img = np.repeat(np.repeat(img, f, axis=0), f, axis=1)
    return (img * 255.0 + 0.5).astype(np.uint8)


def image_grid(
    flat: np.ndarray, image_shape: tuple[int, ...], rows: int, cols: int, cell: int = 56, pad: int = 2
) -> np.ndarray:
    """Tile ``rows*cols`` flat images ``(rows*cols, D)`` into one uint8 picture, row-major, with a
    ``pad``-pixel white gutter; each tile is nearest-neighbour upscaled to about ``cell`` pixels."""
    tiles = [to_display(f, image_shape, cell) for f in flat]
    th, tw = tiles[0].shape[:2]
    extra = tiles[0].shape[2:]
    out = np.full((rows * (th + pad) + pad, cols * (tw + pad) + pad, *extra), 255, np.uint8)
    for i, t in enumerate(tiles[: rows * cols]):
        r, c = divmod(i, cols)
        out[pad + r * (th + pad) : pad + r * (th + pad) + th, pad + c * (tw + pad) : pad + c * (tw + pad) + tw] = t
    return out


# A brute-force scan of 60k codes costs ~1-2 ms per query on a small CPU, ~10% of an explorer
# click (and the drag page asks ~10 times a second per marker); a KD-tree answers in ~0.05 ms. The
# pages share one read-only codes array per model and split, so the tree is built once (~13 ms).
_TREE_MIN = 4096
_trees: dict[int, tuple] = {}  # id(codes) -> (weakref to codes, cKDTree)


def _tree_for(codes: np.ndarray):
    import weakref

    from scipy.spatial import cKDTree

    key = id(codes)
    hit = _trees.get(key)
    if hit is not None and hit[0]() is codes:
        return hit[1]
    # Unbalanced, uncompacted: builds in ~13 ms instead of ~21 for 60k codes; queries as fast.
    tree = cKDTree(np.asarray(codes, dtype=np.float64), balanced_tree=False, compact_nodes=False)
    # Dropped with its array: an id is only reused after the old array is gone.
    _trees[key] = (weakref.ref(codes, lambda _r, k=key: _trees.pop(k, None)), tree)
    return tree


FLAG_RGB = (213, 94, 0)  # vermillion, the app's colour for "g extrapolates here"


def strip_image(flat: np.ndarray, image_shape: tuple[int, ...], flags=None, pad: int = 1, bar: int = 2) -> np.ndarray:
    """Frames ``(n, D)`` side by side at their own resolution, as one RGB picture ``(H + 1 + bar, n*W + (n-1)*pad, 3)``
    with a ``pad``-pixel white gutter. Under each frame whose ``flags[i]`` is true, a vermillion bar.

    One picture for a whole strip: it always fits one row (the browser scales it to the column,
    crisp), and it is one PNG and one element per page run instead of one per frame."""
    tiles = [to_display(f, image_shape, 1) for f in flat]
    tiles = [np.repeat(t[..., None], 3, axis=2) if t.ndim == 2 else t for t in tiles]  # (H, W, 3)
    n = len(tiles)
    if n == 0:
        return np.full((1, 1, 3), 255, np.uint8)
    h, w = tiles[0].shape[:2]
    out = np.full((h + 1 + bar, n * w + (n - 1) * pad, 3), 255, np.uint8)
    flags = np.zeros(n, bool) if flags is None else np.asarray(flags, bool)
    for i, t in enumerate(tiles):
        x = i * (w + pad)
        out[:h, x : x + w] = t
        if flags[i]:
            out[h + 1 :, x : x + w] = FLAG_RGB
    return out


def nearest_indices(codes: np.ndarray, z, n: int = 5) -> np.ndarray:
    """Indices of the ``n`` codes ``(N, k)`` nearest to ``z`` ``(k,)``, nearest first.

    ``codes`` must not change after the first query: big arrays get a KD-tree, kept with the array."""
    n = min(n, len(codes))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    z = np.asarray(z, dtype=np.float32).reshape(-1)
    if len(codes) >= _TREE_MIN and isinstance(codes, np.ndarray):
        _, idx = _tree_for(codes).query(z.astype(np.float64), k=n)
        return np.atleast_1d(np.asarray(idx, dtype=np.int64))
    diff = codes - z[None]
    d = np.einsum("ij,ij->i", diff, diff)  # (N,) squared distances
    idx = np.argpartition(d, n - 1)[:n]
    return idx[np.argsort(d[idx])]


def png_bytes(img: np.ndarray) -> bytes:
    """A uint8 image ``(H, W)`` or ``(H, W, 3)`` as PNG bytes: lossless, and zlib level 1, which
    encodes a 900-px manifold grid in ~4 ms instead of ~11 (a few kB larger)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(img, dtype=np.uint8)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def png_data_uri(img: np.ndarray) -> str:
    """A uint8 image ``(H, W)`` or ``(H, W, 3)`` as a ``data:image/png;base64,…`` URI.

    For views that must reach the browser as *one* element: the drag page's followers update ~10
    times a second, and each separate Streamlit element (plus its image fetch) costs the browser's
    main thread time that the pad needs for its frames."""
    import base64

    return "data:image/png;base64," + base64.b64encode(png_bytes(img)).decode("ascii")


def interpolate(a, b, n: int) -> np.ndarray:
    """``n`` evenly spaced points ``(n, len(a))`` on the segment from ``a`` to ``b``, both ends
    included (codes for a strip of decodings, or plane points for a density profile)."""
    a = np.asarray(a, dtype=np.float32).reshape(-1)
    b = np.asarray(b, dtype=np.float32).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"the two end points have different dimensions: {a.shape} vs {b.shape}")
    t = np.linspace(0.0, 1.0, int(n), dtype=np.float32)[:, None]
    return (1 - t) * a[None] + t * b[None]
