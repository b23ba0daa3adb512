"""Files the import benchmarks bring: MNIST's training pictures as a CSV or a ZIP of PNGs (seeded
random pictures of the same shape where MNIST is not on this machine)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np


def pixel_rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(pictures (n, 784) uint8, labels (n,))``."""
    try:
        from aecore.data.sets import load_dataset

        ds = load_dataset("mnist")
        return np.round(ds.x_train.numpy()[:n] * 255).astype(np.uint8), ds.y_train.numpy()[:n]
    except Exception:  # noqa: BLE001 - no MNIST here: random pictures of the same shape
        rng = np.random.default_rng(0)
        return rng.integers(0, 256, (n, 784), dtype=np.uint8), rng.integers(0, 10, n)


def write_pixels_csv(path: Path, n: int) -> None:
    """A CSV with a ``label`` column and 784 grey levels per row, as MNIST's CSV copies are."""
    x, y = pixel_rows(n)
    with open(path, "w") as f:
        f.write("label," + ",".join(f"p{i}" for i in range(784)) + "\n")
        for row, lab in zip(x, y):
            f.write(f"{lab}," + ",".join(map(str, row)) + "\n")


def write_pixels_zip(path: Path, n: int) -> None:
    """A ZIP of ``n`` 28 × 28 PNG pictures in one folder per class."""
    from PIL import Image

    x, y = pixel_rows(n)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (row, lab) in enumerate(zip(x, y)):
            buf = io.BytesIO()
            Image.fromarray(row.reshape(28, 28)).save(buf, format="PNG")
            zf.writestr(f"digits/{lab}/{i}.png", buf.getvalue())
