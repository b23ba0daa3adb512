"""Offline: every page loads with no network and no error; no external request, no download."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _can_unshare() -> bool:
    if not (shutil.which("unshare") and shutil.which("ip")):
        return False
    r = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return r.returncode == 0


def test_every_page_offline(browser):
    check = [sys.executable, str(HERE / "offline_check.py")]
    if _can_unshare():
        # A network namespace with only loopback: no route to anywhere.
        cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *check]
        env = dict(os.environ)
    else:
        # Fallback: cut the network variables so any HTTP client fails fast.
        cmd = check
        dead = "http://127.0.0.1:9"
        env = {
            **os.environ,
            "HTTP_PROXY": dead,
            "HTTPS_PROXY": dead,
            "http_proxy": dead,
            "https_proxy": dead,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    # The check script imports labtools (test helpers, not installed): the clone's root on its path.
    root = str(HERE.parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert '"home": "ok"' in r.stdout
