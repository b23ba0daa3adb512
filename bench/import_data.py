"""`python -m aecore import-data` on the two sizes issue 19 names, timed end to end (a fresh process,
torch import included, as a user runs it), with a 1,000-row CSV as the baseline in the same run:

* a 60,000 × 784 CSV with a label column (MNIST's training images as integers 0-255 when
  ``$AECORE_DATA`` has MNIST, else seeded random integers of the same shape): target under 30 s;
* a ZIP of 1,000 PNG pictures (28 × 28) in 10 class folders.

    python bench/import_data.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np


def _pixels(n: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        from aecore.data.sets import load_dataset

        ds = load_dataset("mnist")
        return np.round(ds.x_train.numpy()[:n] * 255).astype(np.uint8), ds.y_train.numpy()[:n]
    except Exception:  # noqa: BLE001 - no MNIST here: random pictures of the same shape
        rng = np.random.default_rng(0)
        return rng.integers(0, 256, (n, 784), dtype=np.uint8), rng.integers(0, 10, n)


def write_csv(path: Path, n: int) -> None:
    x, y = _pixels(n)
    with open(path, "w") as f:
        f.write("label," + ",".join(f"p{i}" for i in range(784)) + "\n")
        for row, lab in zip(x, y):
            f.write(f"{lab}," + ",".join(map(str, row)) + "\n")


def write_zip(path: Path, n: int) -> None:
    from PIL import Image

    x, y = _pixels(n)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (row, lab) in enumerate(zip(x, y)):
            buf = io.BytesIO()
            Image.fromarray(row.reshape(28, 28)).save(buf, format="PNG")
            zf.writestr(f"digits/{lab}/{i}.png", buf.getvalue())


def run(path: Path, name: str, extra: list[str], folder: Path) -> float:
    env = {**os.environ, "LATENTLAB_DATASETS": str(folder)}
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "aecore", "import-data", str(path), "--name", name, *extra],
        capture_output=True,
        text=True,
        env=env,
    )
    dt = time.perf_counter() - t
    if out.returncode:
        raise SystemExit(out.stderr[-2000:])
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ll-import-"))
    files = {
        "csv 1,000 x 784 (baseline)": (tmp / "small.csv", ["--label", "label"]),
        "csv 60,000 x 784": (tmp / "big.csv", ["--label", "label"]),
        "zip 1,000 PNG, 10 folders": (tmp / "pics.zip", ["--size", "28"]),
    }
    write_csv(files["csv 1,000 x 784 (baseline)"][0], 1_000)
    write_csv(files["csv 60,000 x 784"][0], 60_000)
    write_zip(files["zip 1,000 PNG, 10 folders"][0], 1_000)
    res = {}
    for label, (path, extra) in files.items():
        ts = [run(path, f"bench-{i}", extra, tmp / "sets") for i in range(a.repeat)]
        res[label] = statistics.median(ts)
        mb = path.stat().st_size / 1e6
        print(f"{label:<28} {mb:6.1f} MB: median {res[label]:.1f} s (spread {min(ts):.1f}-{max(ts):.1f}, n={a.repeat})")
    base = res["csv 1,000 x 784 (baseline)"]
    big = res["csv 60,000 x 784"]
    print(
        f"ratio 60,000 / 1,000 rows: {big / base:.1f}x; zip / baseline: {res['zip 1,000 PNG, 10 folders'] / base:.1f}x"
    )
    print(f"target: 60,000 x 784 CSV under 30 s: {'MET' if big < 30 else 'NOT MET'} ({big:.1f} s)")


if __name__ == "__main__":
    main()
