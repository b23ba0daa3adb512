"""A process SIGKILLed while saving leaves the old checkpoint or the new one, never a broken file.

A helper process imports torch once (a "zygote"), then for each trial forks a child that saves two
different models to the same path in a loop; the test kills the child after a random delay and
loads the file. Forking from the zygote keeps 30 trials to a few seconds instead of paying the
torch import 30 times.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from aecore.models import ModelConfig, build_model
from aecore.storage.checkpoint import load_checkpoint
from aecore.storage.library import list_models

ROOT = Path(__file__).resolve().parent.parent
TRIALS = 30
CFG = dict(family="ae", input_dim=784, latent_dim=2, hidden=[512, 256], image_shape=[1, 28, 28])

ZYGOTE = r"""
import os, signal, sys
import torch
torch.set_num_threads(1)  # no thread pool before fork()
from aecore.storage.checkpoint import save_checkpoint
from aecore.models import ModelConfig, build_model
cfg = ModelConfig(**eval(sys.argv[2]))
models = []
for seed in (0, 1):
    torch.manual_seed(seed)
    models.append(build_model(cfg))
path = sys.argv[1]
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped automatically
print("zygote", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        i = 0
        while True:  # save A, B, A, B... until killed
            save_checkpoint(path, models[i % 2], "digits", extra={"which": "AB"[i % 2], "i": i})
            if i == 0:
                print(f"ready {os.getpid()}", flush=True)
            i += 1
"""


def _reference():
    cfg = ModelConfig(**CFG)
    out = {}
    for seed, tag in ((0, "A"), (1, "B")):
        torch.manual_seed(seed)
        out[tag] = build_model(cfg).state_dict()
    return out


def _dead(pid: int, timeout: float = 10) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} did not die")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_sigkill_during_save_leaves_old_or_new(tmp_path):
    ref = _reference()
    path = tmp_path / "model.safetensors"
    # cwd: "-c" puts the working directory first on the path, so the child imports this clone's aecore.
    z = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE, str(path), repr(CFG)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    rng = random.Random(1234)
    seen = {"A": 0, "B": 0}
    leftovers = 0
    try:
        assert z.stdout.readline().strip() == "zygote"
        for trial in range(TRIALS):
            z.stdin.write("go\n")
            z.stdin.flush()
            line = z.stdout.readline().split()
            assert line and line[0] == "ready", line
            pid = int(line[1])
            time.sleep(rng.uniform(0.0, 0.25))  # somewhere inside some save of the loop
            os.kill(pid, signal.SIGKILL)
            _dead(pid)
            ck = load_checkpoint(path)  # must load: never a torn file
            tag = ck.extra["which"]
            assert tag in ("A", "B")
            state = ck.model.state_dict()
            assert all(torch.equal(state[k], v) for k, v in ref[tag].items()), f"trial {trial}: weights mixed"
            seen[tag] += 1
            # A kill between mkstemp and os.replace leaves a hidden temp file; it must stay invisible.
            temps = list(tmp_path.glob(".tmp-*"))
            leftovers += len(temps)
            for t in temps:
                t.unlink()
    finally:
        z.kill()
        z.wait(10)
    assert sum(seen.values()) == TRIALS
    assert seen["A"] and seen["B"], seen  # the kills landed at different points of the loop
    print(
        f"\n{TRIALS} kills: final file A {seen['A']}x, B {seen['B']}x; "
        f"{leftovers} kills landed mid-write (temp file left behind)"
    )


def test_leftover_temp_files_are_not_models(tmp_path, user_models):
    (user_models / ".tmp-abc.part").write_bytes(b"\0" * 100)
    (user_models / ".tmp-x.safetensors").write_bytes(b"\0" * 100)
    assert [m.name for m in list_models(tmp_path / "no-shipped", user_models)] == []
