"""What the lecture hall's training queue costs to start: a local Dask cluster (latentlab.server.cluster.local_cluster:
a scheduler in this process, one nanny and one worker process) from nothing to a finished trivial task,
and the memory of its processes (RSS of this process's growth, the nanny and the worker), against
starting one app process (the baseline, measured in the same run). Repeated; medians and spread.

    python bench/cluster_start.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from labtools.browser import free_port, start_streamlit


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int(p.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(p.name))
            except OSError:
                continue
    return out


def _import_trainer() -> bool:
    import latentlab.server.jobs  # noqa: F401  (torch and the training code: what a worker's first training imports)

    return True


def one_cluster() -> tuple[float, float, float, float]:
    from distributed import Client

    from latentlab.server.cluster import local_cluster

    before = rss_mb(os.getpid())
    t0 = time.perf_counter()
    with local_cluster(1, 1) as c, Client(c.scheduler_address) as client:
        assert client.submit(sum, [1, 2], pure=False).result() == 3
        dt = time.perf_counter() - t0
        procs = children(os.getpid())
        procs += [q for p in procs for q in children(p)]
        mem = rss_mb(os.getpid()) - before + sum(rss_mb(p) for p in set(procs))
        t1 = time.perf_counter()
        client.submit(_import_trainer, pure=False).result()
        warm = time.perf_counter() - t1
        mem_warm = rss_mb(os.getpid()) - before + sum(rss_mb(p) for p in set(procs))
    return dt, mem, warm, mem_warm


def one_app() -> float:
    t0 = time.perf_counter()
    proc = start_streamlit(free_port(), log=Path(os.devnull), poll=0.1)
    dt = time.perf_counter() - t0
    proc.terminate()
    proc.wait(10)
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import distributed  # noqa: F401  (its own import, ~1 s, is paid once by a server too)

    cl = [one_cluster() for _ in range(args.repeat)]
    app = [one_app() for _ in range(args.repeat)]
    med = statistics.median
    print(
        f"Dask local cluster (scheduler + 1 worker) to a finished task: median {med(c[0] for c in cl):.2f} s "
        f"(spread {min(c[0] for c in cl):.2f}–{max(c[0] for c in cl):.2f} s), memory {med(c[1] for c in cl):.0f} MB"
    )
    print(
        f"  then the worker imports torch and the trainer (its first training): {med(c[2] for c in cl):.2f} s, "
        f"memory then {med(c[3] for c in cl):.0f} MB"
    )
    print(
        f"one app process to its health check (baseline): median {med(app):.2f} s "
        f"(spread {min(app):.2f}–{max(app):.2f} s)"
    )
    print(f"ratio cluster/app start: {med(c[0] for c in cl) / med(app):.2f}")


if __name__ == "__main__":
    main()
