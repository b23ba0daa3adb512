"""Browser-test helpers: start the app, wait for a rerun, check for errors, screenshots."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(port: int, env: dict | None = None, app: str = "app.py") -> subprocess.Popen:
    """Start ``streamlit run`` on loopback and wait until its health endpoint answers."""
    cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited: " + proc.stdout.read().decode(errors="replace")[-2000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 180 s")


def wait_for_app(page, timeout: float = 90_000, settle_ms: int = 800) -> None:
    """Wait until Streamlit has finished running the script: no running icon for ``settle_ms``.

    The running icon appears only after a short delay, so "absent once" is not enough.
    """
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        """(settle) => {
            const busy = document.querySelector("[data-testid='stStatusWidgetRunningIcon']")
                || document.querySelector("[data-testid='stSkeleton']");
            const now = performance.now();
            if (busy || window.__llIdleSince === undefined) { window.__llIdleSince = busy ? undefined : now; return false; }
            return now - window.__llIdleSince >= settle;
        }""", arg=settle_ms, timeout=timeout, polling=100)
    page.evaluate("() => { window.__llIdleSince = undefined; }")


def wait_for_map(page, timeout: float = 120_000) -> int:
    """Wait until the latent-map component has drawn its points; return how many it holds."""
    page.wait_for_selector("[data-testid='llmap-canvas'][data-ready='1']", timeout=timeout)
    return int(page.locator("[data-testid='llmap-canvas']").first.get_attribute("data-points"))


def assert_no_error(page) -> None:
    errs = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errs.count() == 0, "error on page: " + " | ".join(errs.nth(i).inner_text()[:300] for i in range(errs.count()))


def shot(page, name: str) -> Path:
    """Save a screenshot under out/screens/ (ignored by git) for a human to look at."""
    d = ROOT / "out" / "screens"
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"{name}.png"
    page.screenshot(path=str(p), full_page=True)
    return p
