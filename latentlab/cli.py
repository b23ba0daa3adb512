"""``latent-lab``: the one command of an installed Latent Lab, from any folder, with no bash.

    latent-lab app [--port P] [--open] [Streamlit options]   the app (``./run.sh app`` calls this)
    latent-lab serve [--replicas N] [--port P]                a lecture hall behind HAProxy
    latent-lab prepare | train | import-data | import-model | info | list | download
                                                              the model toolkit (:mod:`aecore.cli`)

User data (trained models, imported data sets, prepared results) goes to the user's cache folder
(:func:`aecore.storage.files.cache_folder`), never into the installed package; only the files the
browser fetches (decoder weights, plane files) are written beside the app's script, where Streamlit
serves them (:data:`latentlab.server.static.STATIC_DIR`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
import webbrowser

from aecore import __version__
from aecore.cli import add_commands
from latentlab.server.static import APP_SCRIPT, STATIC_DIR

PROG = "latent-lab"


def app_command(port: int | None, extra: list[str]) -> list[str]:
    """The ``streamlit run`` command line of ``latent-lab app``: the package's own script, headless
    (no e-mail prompt on a first run), no usage statistics; ``extra`` (Streamlit options) last."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), "--server.headless", "true"]
    cmd += ["--browser.gatherUsageStats", "false"]
    if port is not None:
        cmd += ["--server.port", str(port)]
    return cmd + extra


def static_writable() -> str | None:
    """``None`` when the app can write its browser files beside its script, else why not (a
    read-only install, e.g. into a system Python as another user)."""
    probe = STATIC_DIR / f".write-test-{os.getpid()}"
    try:
        STATIC_DIR.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
        return None
    except OSError as e:
        return (
            f"Latent Lab writes the files the browser fetches into {STATIC_DIR}, and cannot ({e.strerror}). "
            "Install it into a virtual environment you own: python -m venv ll && ll/bin/pip install latent-lab"
        )


def _port_of(extra: list[str], port: int | None) -> int:
    """The port the app will listen on: ``--port``, else ``--server.port`` among Streamlit's options."""
    if port is not None:
        return port
    for i, a in enumerate(extra):
        if a.startswith("--server.port="):
            return int(a.split("=", 1)[1])
        if a == "--server.port" and i + 1 < len(extra):
            return int(extra[i + 1])
    return 8501


def _open_when_up(port: int, proc: subprocess.Popen) -> None:
    """Open the default browser at the app once it answers its health check (a lecturer's laptop)."""
    from latentlab.server.serve import is_healthy

    while proc.poll() is None:
        if is_healthy(port):
            webbrowser.open(f"http://localhost:{port}/")
            return
        time.sleep(0.3)


def _app(a: argparse.Namespace) -> int:
    why = static_writable()
    if why:
        print(f"error: {why}", file=sys.stderr)
        return 2
    cmd = app_command(a.port, a.extra)
    if not a.open and os.name == "posix":
        os.execv(sys.executable, cmd)  # the app is this process: Ctrl-C and signals reach Streamlit directly
    proc = subprocess.Popen(cmd)
    if a.open:
        threading.Thread(target=_open_when_up, args=(_port_of(a.extra, a.port), proc), daemon=True).start()
    try:
        return proc.wait()
    except KeyboardInterrupt:  # the child got Ctrl-C too; wait for it to stop
        return proc.wait()


def _serve(a: argparse.Namespace) -> int:
    from latentlab.server import serve

    return serve.main(a.extra)


def parser() -> argparse.ArgumentParser:
    """``latent-lab``'s argument parser: the app's commands and the model toolkit's."""
    p = argparse.ArgumentParser(prog=PROG, description="See what an autoencoder learns: the app and its model toolkit.")
    p.add_argument("--version", action="version", version=__version__)
    sub = p.add_subparsers(
        dest="cmd", required=True, metavar="{app,serve,prepare,train,import-data,info,list,download}"
    )
    ap = sub.add_parser("app", help="start the app (Streamlit) on this machine; open the printed URL")
    ap.add_argument("--port", type=int, default=None, help="the port (default 8501, or --server.port)")
    ap.add_argument("--open", action="store_true", help="open the default browser once the app answers")
    ap.set_defaults(fn=_app)
    # serve parses its own options (latentlab.server.serve.main): -h there prints them.
    sv = sub.add_parser(
        "serve", help="a lecture hall: several app processes behind HAProxy on one port", add_help=False
    )
    sv.set_defaults(fn=_serve)
    add_commands(sub)
    return p


#: Commands whose options are passed on: app's to Streamlit (e.g. --server.address 0.0.0.0), serve's
#: to the hall.
PASS_ON = ("app", "serve")


def main(argv: list[str] | None = None) -> int:
    """``latent-lab`` (the console script) and ``python -m latentlab``: run a sub-command; its exit status."""
    p = parser()
    a, extra = p.parse_known_args(argv)
    if a.cmd not in PASS_ON and extra:
        p.error("unrecognized arguments: " + " ".join(extra))
    a.extra = extra
    return a.fn(a)
