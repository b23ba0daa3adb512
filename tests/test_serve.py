"""The lecture hall's plumbing without a browser (latentlab.server.serve): HAProxy's configuration pins sessions
with a cookie and checks health, HAProxy itself accepts it, and two processes writing the same plane
file at once (two replicas drawing the same map) leave one good file."""

from __future__ import annotations

import multiprocessing as mp
import subprocess

import numpy as np
import pytest

from latentlab.server import plane as LM
from latentlab.server.serve import STICKY_COOKIE, find_haproxy, haproxy_config


def test_the_balancer_pins_sessions_and_checks_health(tmp_path):
    cfg = haproxy_config(8501, [9001, 9002])
    assert f"cookie {STICKY_COOKIE} insert" in cfg and "option httpchk GET /_stcore/health" in cfg
    assert "server r1 127.0.0.1:9001 cookie r1 check" in cfg and "server r2 127.0.0.1:9002 cookie r2 check" in cfg
    assert "bind 127.0.0.1:8501" in cfg and "timeout tunnel" in cfg  # loopback; websockets live long
    exe = find_haproxy()
    if exe is None:
        pytest.skip("HAProxy is not installed")
    (tmp_path / "h.cfg").write_text(cfg)
    check = subprocess.run([exe, "-c", "-f", str(tmp_path / "h.cfg")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def _write_many(folder: str, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(n):
        pts = rng.normal(size=(2000, 2)).astype(np.float32)
        LM.write_plane("same-key", LM.plane_payload(pts, np.zeros(2000, int), ["a"], ((-3, 3), (-3, 3))), folder)


def test_two_replicas_writing_the_same_plane_leave_one_good_file(tmp_path):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(tmp_path), s, 40)) for s in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 1  # one plane file, no temporary file left behind
    m = LM.read_plane(files[0])
    assert m["points"].shape == (2000, 2)
