"""Faults on the save paths: a full disk and a read-only model folder, for real where possible.

The kill tests (tests/test_kill_during_save.py) show that a crash mid-save leaves the old file or
the new one. Here the disk itself refuses: every save path (``write_atomic``, a checkpoint save,
the Train page's ``latentlab.server.jobs.conclude``, a data-set import through the function and the CLI) must
fail with a sentence for the person, leave no half-written and no temporary file, and keep the
previous file intact; the library still lists what it had.

How the faults are made: as root, one child process in its own mount namespace (``unshare -m``)
mounts a 64 KB tmpfs (a disk that really fills: ``write`` fails with ENOSPC part-way) and a
read-only bind mount of a model folder (``EROFS``: root ignores file modes, not a read-only mount).
Where that is not allowed (no root, no ``unshare``), the disk fills by ``RLIMIT_FSIZE`` (``write``
fails with EFBIG at the limit; SIGXFSZ ignored) and the read-only folder is simulated by a
``mkstemp`` that raises EROFS: the result says which mechanism ran.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child (inside the mount namespace when there is one). argv: base folder, mechanism.
SCRIPT = r"""
import errno, json, os, resource, signal, subprocess, sys, tempfile
from pathlib import Path

base, mech = Path(sys.argv[1]), sys.argv[2]
full, models, data = base / "full", base / "models", base / "full" / "datasets"
for d in (full, models):
    d.mkdir(parents=True, exist_ok=True)
out = {"mechanism": mech}

def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)

if mech == "mount":
    sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full))
data.mkdir()
os.environ["LATENTLAB_DATASETS"] = str(data)
os.environ["LATENTLAB_MODELS"] = str(models)

import torch
torch.set_num_threads(1)
from aecore.errors import UserError
from aecore.models import ModelConfig, build_model
from aecore.storage import library
from aecore.storage.checkpoint import save_checkpoint, to_bytes
from aecore.storage.files import WriteError, write_atomic
from latentlab.server.jobs import conclude

def small(hidden):
    torch.manual_seed(0)
    return build_model(ModelConfig(family="ae", input_dim=64, latent_dim=2, hidden=hidden, image_shape=[1, 8, 8]))

def listing(d):
    return sorted(p.name for p in d.iterdir())

def result(final_bytes):
    return {"kind": "result", "data": final_bytes, "stopped": False, "best_epoch": 1, "metrics": {"test_mse": 0.1}}

big = to_bytes(small([1024]), "digits")  # ~300 KB: more than the small disk holds
# ---- the disk fills
old = full / "old.bin"
old.write_bytes(b"previous contents")
save_checkpoint(full / "model", small([8]), "digits")  # a small checkpoint: fits
csv = base / "rows.csv"
csv.write_text("a,b,c,d,e,f,g,h\n" + "\n".join(",".join(str((i * 7 + j) % 13) for j in range(8)) for i in range(4000)))
before = {p: p.read_bytes() for p in full.iterdir() if p.is_file()}
if mech == "rlimit":
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
cases = {}
def attempt(name, fn):
    try:
        fn()
        cases[name] = {"raised": None}
    except UserError as exc:
        cases[name] = {"raised": type(exc).__name__, "message": str(exc), "oserror": isinstance(exc, OSError)}
    except Exception as exc:
        cases[name] = {"raised": "NOT A UserError: " + type(exc).__name__, "message": str(exc)}
attempt("write_atomic", lambda: write_atomic(old, b"x" * 300_000))
attempt("save_checkpoint", lambda: save_checkpoint(full / "model", small([1024]), "digits"))
os.environ["LATENTLAB_MODELS"] = str(full)
out["conclude_full"] = conclude(result(big), "model", True, 3)
os.environ["LATENTLAB_MODELS"] = str(models)
from aecore.data.importing import import_file
attempt("import_file", lambda: import_file(csv, "rows"))
cli = subprocess.run([sys.executable, "-m", "aecore", "import-data", str(csv), "--name", "rows2"],
                     capture_output=True, text=True)
out["cli"] = {"rc": cli.returncode, "stderr": cli.stderr[-400:]}
out["after_full"] = {str(p): p.read_bytes() == b for p, b in before.items()}
out["listing_full"] = listing(full) + ["datasets/" + n for n in listing(data)]
out["cases"] = cases
if mech == "rlimit":
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

# ---- a read-only model folder, with one model in it
library.save_model_bytes("kept", to_bytes(small([8]), "digits"))
kept = (models / "kept.safetensors").read_bytes()
if mech == "mount":
    sh("mount", "--bind", str(models), str(models))
    sh("mount", "-o", "remount,bind,ro", str(models))
else:
    def refuse(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))
    tempfile.mkstemp = refuse
ro = {}
try:
    library.save_model_bytes("new", to_bytes(small([8]), "digits"))
    ro["save"] = None
except UserError as exc:
    ro["save"] = str(exc)
ro["conclude"] = conclude(result(to_bytes(small([8]), "digits")), "kept", True, 3)
ro["listed"] = [m.name for m in library.list_models(user=models) if not m.readonly]
ro["listing"] = listing(models)
ro["kept_intact"] = (models / "kept.safetensors").read_bytes() == kept
out["readonly"] = ro
print("RESULT " + json.dumps(out))
"""


def _mechanism() -> str:
    """ "mount" when this process may mount in a namespace of its own, else "rlimit"."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "rlimit"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /mnt"], capture_output=True, timeout=20
    )
    return "mount" if probe.returncode == 0 else "rlimit"


@pytest.fixture(scope="module")
def faults(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("faults")
    mech = os.environ.get("FAULTS_MECH") or _mechanism()
    cmd = [sys.executable, "-c", SCRIPT, str(base), mech]
    if mech == "mount":
        cmd = ["unshare", "-m", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line is not None, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(line[len("RESULT ") :])


def _full_message(mech: str) -> str:
    # ENOSPC on a real full disk; EFBIG where only the file size limit could be used
    return "the disk is full" if mech == "mount" else "larger than the disk allows"


@pytest.mark.parametrize("case", ["write_atomic", "save_checkpoint", "import_file"])
def test_disk_full_fails_with_a_message(faults, case):
    c = faults["cases"][case]
    assert c["raised"] in ("WriteError",), c  # a UserError, never a bare OSError
    assert _full_message(faults["mechanism"]) in c["message"], c
    assert c["message"].startswith("Could not save "), c
    assert c["oserror"], "WriteError stays an OSError for code that handles the file system's errors"


def test_disk_full_leaves_previous_files_and_no_temporary_file(faults):
    assert faults["after_full"] and all(faults["after_full"].values()), faults["after_full"]
    # Only what was there before: no temporary file, no half-written data set or model.
    assert faults["listing_full"] == ["datasets", "model.safetensors", "old.bin"], faults["listing_full"]


def test_disk_full_training_job_says_so(faults):
    c = faults["conclude_full"]
    assert c["state"] == "failed" and c["saved_path"] is None, c
    assert _full_message(faults["mechanism"]) in c["message"], c
    assert "'model' is unchanged" in c["message"], c


def test_disk_full_cli_import_prints_the_message(faults):
    cli = faults["cli"]
    assert cli["rc"] == 2, cli
    assert "error: Could not save" in cli["stderr"] and _full_message(faults["mechanism"]) in cli["stderr"], cli
    assert "Traceback" not in cli["stderr"], cli


def test_read_only_model_folder(faults):
    ro = faults["readonly"]
    assert ro["save"] is not None and "not writable" in ro["save"], ro
    assert ro["conclude"]["state"] == "failed" and "not writable" in ro["conclude"]["message"], ro
    assert "'kept' is unchanged" in ro["conclude"]["message"], ro
    assert ro["listed"] == ["kept"], ro  # the library still lists the model it had
    assert ro["listing"] == ["kept.safetensors"], ro  # nothing half-written, no temporary file
    assert ro["kept_intact"], ro
