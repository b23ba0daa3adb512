"""The long fuzz run over every file and byte reader (issue 32): the same strategies and property as
``tests/test_fuzz_readers.py`` (:mod:`labtools.fuzz`), with many more cases and a fresh seed.

    python bench/fuzz.py [--cases 100000] [--readers csv,zip] [--seed 1] [--out bench/out]

Each reader runs in its own child process, so that its peak RSS (``ru_maxrss``) is its own: a reader
that allocated what a lying header declared would show here even if it then refused the file. The
cases are split over the readers by :data:`WEIGHTS` (the fast ones get more). Unlike the test, a
failure does not stop the run: every case is tried, failures are counted by kind, and the first
example of each kind is saved under ``--out`` (its bytes and a text file with the traceback).
Shrinking is off: a failure is saved as found; the test suite's run shrinks what it finds.

Prints, per reader: cases tried, accepted, refused, failures, seconds and peak RSS; exits 1 if any
case failed.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from labtools import fuzz

ROOT = Path(__file__).resolve().parents[1]

#: Share of the cases per reader: about equal time each (the pad and drawing cases are cheapest, a
#: ZIP or NPZ import decodes and writes a data set).
WEIGHTS = {"checkpoint": 12, "csv": 10, "npy": 10, "npz": 8, "zip": 8, "image": 12, "drawing": 12, "pad": 28}


def child(reader: str, cases: int, seed: int, out: Path) -> dict:
    """Run ``cases`` cases of ``reader`` in this process; the summary as a dict."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    ws = fuzz.Workspace(Path(tempfile.mkdtemp(prefix=f"fuzz-{reader}-")))
    os.environ["LATENTLAB_DATASETS"] = str(ws.ds)
    os.chdir(ws.elsewhere)
    fuzz.pad_setup()
    outcomes: collections.Counter = collections.Counter()
    failures: collections.Counter = collections.Counter()
    saved: dict[str, str] = {}

    @hseed(seed)
    @settings(
        max_examples=cases,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # no shrinking: a failure is recorded and the run goes on
        suppress_health_check=list(HealthCheck),
    )
    @given(fuzz.STRATEGIES[reader]())
    def run(case):
        outcomes["tried"] += 1
        try:
            outcomes[fuzz.check(case, ws)] += 1
        except Exception as exc:  # noqa: BLE001 - the point: count every kind of failure, keep going
            where = traceback.extract_tb(exc.__traceback__)[-1]
            kind = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
            failures[kind] += 1
            if kind not in saved:
                out.mkdir(parents=True, exist_ok=True)
                stem = out / f"fuzz-{reader}-{len(saved) + 1}"
                data = case.data if isinstance(case.data, bytes) else repr(case.data).encode()
                stem.with_suffix(".bin").write_bytes(data)
                stem.with_suffix(".txt").write_text(f"{case!r}\n\n{traceback.format_exc()}")
                saved[kind] = str(stem.with_suffix(".bin"))

    t = time.perf_counter()
    run()
    return {
        "reader": reader,
        "cases": outcomes["tried"],
        "accepted": outcomes["accepted"],
        "refused": outcomes["refused"],
        "failures": sum(failures.values()),
        "kinds": dict(failures),
        "examples": saved,
        "seconds": round(time.perf_counter() - t, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def split(total: int, readers: list[str]) -> dict[str, int]:
    """``total`` cases over ``readers`` by :data:`WEIGHTS` (at least one each)."""
    w = sum(WEIGHTS[r] for r in readers)
    return {r: max(1, round(total * WEIGHTS[r] / w)) for r in readers}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000, help="cases in all, over the readers (default 100,000)")
    ap.add_argument("--readers", default=",".join(fuzz.READERS), help="comma-separated, of " + ", ".join(fuzz.READERS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where failing examples are saved")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, a.cases, a.seed, a.out.resolve())))
        return 0
    readers = [r for r in a.readers.split(",") if r]
    unknown = set(readers) - set(fuzz.READERS)
    if unknown:
        ap.error(f"unknown readers {sorted(unknown)}")
    rows = []
    t0 = time.perf_counter()
    for reader, n in split(a.cases, readers).items():
        p = subprocess.run(
            [sys.executable, __file__, "--child", reader, "--cases", str(n), "--seed", str(a.seed)]
            + ["--out", str(a.out.resolve())],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if p.returncode:  # the child itself died (killed for memory?): that is a failure too
            rows.append({"reader": reader, "cases": n, "failures": 1, "kinds": {"child died": p.stderr[-500:]}})
        else:
            rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        acc, ref, sec, rss = (r.get(k, 0) for k in ("accepted", "refused", "seconds", "peak_rss_mb"))
        print(
            f"{reader:11} {r['cases']:>7,} cases  {acc:>6,} accepted  {ref:>7,} refused  {r['failures']:>4} failures"
            f"  {sec:>6.1f} s  peak RSS {rss:>6.0f} MB",
            flush=True,
        )
        for kind, count in r["kinds"].items():
            print(f"    {count} × {kind}: {r.get('examples', {}).get(kind, '')}")
    total = sum(r["cases"] for r in rows)
    fails = sum(r["failures"] for r in rows)
    print(f"{'all':11} {total:>7,} cases, {fails} failures, {time.perf_counter() - t0:.0f} s")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
