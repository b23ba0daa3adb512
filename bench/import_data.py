"""`python -m aecore import-data` on the two sizes issue 19 names, timed end to end (a fresh process,
torch import included, as a user runs it), with a 1,000-row CSV as the baseline in the same run:

* a 60,000 × 784 CSV with a label column (MNIST's training images as integers 0-255 when
  ``$AECORE_DATA`` has MNIST, else seeded random integers of the same shape): target under 30 s;
* a ZIP of 1,000 PNG pictures (28 × 28) in 10 class folders.

    python bench/import_data.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from labtools.datafiles import write_pixels_csv, write_pixels_zip


def run(path: Path, name: str, extra: list[str], folder: Path) -> float:
    env = {**os.environ, "LATENTLAB_DATASETS": str(folder)}
    t = time.perf_counter()
    out = subprocess.run(
        # --force: each repeat and each file imports under the same few names, on purpose.
        [sys.executable, "-m", "aecore", "import-data", str(path), "--name", name, "--force", *extra],
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
    write_pixels_csv(files["csv 1,000 x 784 (baseline)"][0], 1_000)
    write_pixels_csv(files["csv 60,000 x 784"][0], 60_000)
    write_pixels_zip(files["zip 1,000 PNG, 10 folders"][0], 1_000)
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
