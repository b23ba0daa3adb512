"""The code grid: a VQ-VAE's view of one image (its grid of code indices) beside x and x̂, with the
codebook below. Clicking a cell and a code (or the keyboard) changes the grid and the browser decodes
x̂ again at once, with the decoder the latent plane runs (``latent_plane/decoder.js``, exported by
:mod:`latentlab.server.export`). Nothing returns to Python.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentlab.ui.components.static_js import static_component

_component = static_component(
    "code_grid",
    Path(__file__).resolve().parent,
    ("../latent_plane/decoder.js", "codes.js", "grid.js"),
    "grid.css",
    "llcodes",
)


def code_grid(
    key: str,
    *,
    model_name: str,
    example: int,
    x: np.ndarray,
    xhat: np.ndarray,
    indices: np.ndarray,
    codebook: np.ndarray,
    counts: np.ndarray,
    patches: np.ndarray,
    manifest: dict,
    image_shape: tuple[int, int, int],
    cell: int = 40,
    image_px: int = 196,
    patch_px: int = 4,
    presenter: bool = False,
    palette_cols: int = 0,
) -> None:
    """Mount the grid for one image: ``x`` and Python's ``xhat`` ``(D,)`` in [0, 1], its code
    ``indices`` ``(h, w)``, the ``codebook`` ``(K, dim)``, each code's test-set ``counts`` ``(K,)`` and
    average ``patches`` ``(K, ph, pw)`` in [0, 1], and the exported decoder's ``manifest``; ``presenter``:
    slide type (≥ 18 px); ``palette_cols``: codes per row of the codebook
    (0: as many as the width holds). The browser keeps its edits until ``model_name`` or ``example`` changes."""
    h, w = indices.shape
    k, dim = codebook.shape
    _component(
        key=key,
        data={
            "model": model_name,
            "example": int(example),
            "x": np.round(np.asarray(x, np.float64), 4).tolist(),
            "xhat": np.round(np.asarray(xhat, np.float64), 4).tolist(),
            "indices": [int(v) for v in indices.ravel()],
            "h": int(h),
            "w": int(w),
            "k": int(k),
            "dim": int(dim),
            "codebook": np.asarray(codebook, np.float32).ravel().tolist(),
            "counts": [int(v) for v in counts],
            "patches": np.round(np.clip(patches, 0, 1) * 255).astype(int).ravel().tolist(),
            "patch_h": int(patches.shape[1]),
            "patch_w": int(patches.shape[2]),
            "manifest": manifest,
            "image_shape": [int(v) for v in image_shape],
            "cell": int(cell),
            "image_px": int(image_px),
            "patch_px": int(patch_px),
            "presenter": bool(presenter),
            "palette_cols": int(palette_cols),
        },
        width="stretch",
        height="content",
    )
