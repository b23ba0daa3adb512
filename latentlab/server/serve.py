"""Serve a lecture hall: several app processes behind HAProxy, on one port.

One Streamlit server is one Python process, so one core's worth of GIL however big the machine
(about 60 students clicking on a 2-core laptop, ``bench/load_test.py``). ``./run.sh serve --replicas N``
starts N ``streamlit run`` processes of the app on loopback ports and HAProxy (Debian's package) in
front of them on one port:

* **Sticky sessions.** HAProxy inserts a cookie naming the replica into the first response; the
  browser sends it with everything else (the websocket, media and static files, the drag pad's
  position channel), so a session always reaches the process that holds its state. A websocket
  is one connection, so it stays where it was opened in any case.
* **Health and failover.** HAProxy asks each replica's ``/_stcore/health`` every half second; a dead
  one is out after two misses, and its sessions' requests go to another: the page's websocket
  reconnects there, the cookie then names the new replica, and the page reloads from its URL, which
  holds the view's state (the watch is in ``latentlab/ui/components/keys``; the cookie is readable by the
  page for that reason).
* **Shared disk.** Every replica reads and writes the same checkpoints, model library and plane
  files; every write goes through :func:`aecore.storage.files.write_atomic`, so two replicas writing
  the same file at once leave one good file.

Nothing here imports Streamlit: it starts processes and waits for them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from latentlab.server.static import APP_SCRIPT

#: The cookie HAProxy sets to pin a browser to its replica.
STICKY_COOKIE = "LLREPLICA"


def streamlit_command(port: int, app: str | None = None, address: str = "127.0.0.1") -> list[str]:
    """The command line of one app process on ``address:port`` (headless, no file watcher): ``app``,
    by default the package's own :data:`~latentlab.server.static.APP_SCRIPT`, from any folder."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app or APP_SCRIPT),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
    ]


def is_healthy(port: int, timeout: float = 1.0) -> bool:
    """Whether the app process on ``port`` answers its health check."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


def start_replica(
    port: int, env: dict | None = None, log: Path | None = None, poll: float = 0.3, app: str | None = None
) -> subprocess.Popen:
    """Start one app process on loopback ``port`` and wait (up to 180 s) until it answers its health
    check, asking every ``poll`` seconds. Its output goes to ``log`` if given, else to a pipe."""
    out = open(log, "wb") if log is not None else subprocess.PIPE
    proc = subprocess.Popen(
        streamlit_command(port, app), env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
    )
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            text = Path(log).read_bytes() if log is not None else proc.stdout.read()
            raise RuntimeError("streamlit exited: " + text.decode(errors="replace")[-2000:])
        if is_healthy(port):
            return proc
        time.sleep(poll)
    proc.kill()
    raise RuntimeError("streamlit did not start within 180 s")


def haproxy_config(port: int, backends: list[int], address: str = "127.0.0.1") -> str:
    """HAProxy's configuration: ``address:port`` in front of the app processes on ``backends``
    (loopback ports), round robin for new sessions, a cookie for the rest of each session."""
    servers = "\n".join(
        f"    server r{i} 127.0.0.1:{p} cookie r{i} check inter 500ms fall 2 rise 1" for i, p in enumerate(backends, 1)
    )
    return f"""# Written by latentlab/server/serve.py: {len(backends)} Latent Lab replicas behind one port.
global
    maxconn 4096

defaults
    mode http
    option http-server-close
    option redispatch
    retries 2
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    timeout tunnel 1h
    timeout http-request 30s

frontend latentlab
    bind {address}:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    cookie {STICKY_COOKIE} insert indirect nocache
    option httpchk GET /_stcore/health
    http-check expect status 200
{servers}
"""


def find_haproxy() -> str | None:
    """The ``haproxy`` executable, or ``None``."""
    return shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


class Hall:
    """N app processes behind HAProxy: :meth:`start`, then :attr:`url`; :meth:`stop` ends them all.
    ``env`` is added to every replica's environment; ``log_dir`` gets one log per process."""

    def __init__(
        self, replicas: int, port: int, env: dict | None = None, log_dir: Path | None = None, trainers: int = 1
    ):
        if replicas < 1:
            raise ValueError("at least one replica")
        self.replicas, self.port, self.env, self.trainers = replicas, port, dict(env or {}), trainers
        self.cluster = None
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="latentlab-serve-"))
        self.procs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.balancer: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Hall:
        exe = find_haproxy()
        if exe is None:
            raise RuntimeError(
                "HAProxy is not installed: it is Debian's package `haproxy` (sudo apt-get install haproxy). "
                "`./run.sh app` serves one process without it."
            )
        self.ports = [free_port() for _ in range(self.replicas)]
        try:
            # One training queue for every replica: a Dask cluster's (latentlab/server/cluster.py). An existing
            # cluster's address in $LATENTLAB_DASK is used as it is; else a local one is started here.
            if self.trainers and not self.env.get("LATENTLAB_DASK") and not os.environ.get("LATENTLAB_DASK"):
                from latentlab.server.cluster import local_cluster

                self.cluster = local_cluster(self.trainers, env=self.env)
                self.env["LATENTLAB_DASK"] = self.cluster.scheduler_address
            for i, p in enumerate(self.ports, 1):
                env = {**self.env, "LATENTLAB_REPLICA": f"r{i}"}
                self.procs.append(start_replica(p, env, log=self.log_dir / f"replica-r{i}.log"))
            cfg = self.log_dir / "haproxy.cfg"
            cfg.write_text(haproxy_config(self.port, self.ports))
            check = subprocess.run([exe, "-c", "-q", "-f", str(cfg)], capture_output=True, text=True)
            if check.returncode:
                raise RuntimeError("HAProxy refused its configuration: " + (check.stderr or check.stdout)[-1000:])
            log = open(self.log_dir / "haproxy.log", "wb")
            self.balancer = subprocess.Popen([exe, "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
            deadline = time.time() + 20
            while not is_healthy(self.port):
                if self.balancer.poll() is not None or time.time() > deadline:
                    raise RuntimeError("HAProxy did not start: " + (self.log_dir / "haproxy.log").read_text()[-1000:])
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        return self

    def replica_pids(self) -> list[int]:
        """The app processes' pids (alive or not), replica r1 first."""
        return [p.pid for p in self.procs]

    def kill_replica(self, i: int) -> None:
        """Kill replica ``i`` (0-based) at once, as a crash would (SIGKILL)."""
        self.procs[i].kill()
        self.procs[i].wait(10)

    def stop(self) -> None:
        for p in ([self.balancer] if self.balancer else []) + self.procs:
            if p.poll() is None:
                p.terminate()
        for p in ([self.balancer] if self.balancer else []) + self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def __enter__(self) -> Hall:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    """A free TCP port on loopback (free now; take it soon)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="latent-lab serve", description="Several app processes behind HAProxy, one port.")
    ap.add_argument("--replicas", type=int, default=max(1, min(8, (os.cpu_count() or 2))), help="app processes")
    ap.add_argument("--port", type=int, default=8501, help="the port students open (default 8501)")
    ap.add_argument(
        "--trainers",
        type=int,
        default=1,
        help="training workers of the local Dask cluster (default 1; 0: each replica trains on its own). "
        "With $LATENTLAB_DASK set, that cluster's workers train instead.",
    )
    args = ap.parse_args(argv)
    hall = Hall(args.replicas, args.port, trainers=args.trainers)
    print(f"[serve] starting {args.replicas} replicas behind HAProxy…", flush=True)
    hall.start()
    print(f"[serve] open {hall.url}  (logs in {hall.log_dir}; Ctrl-C stops everything)", flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        while not stop:
            dead = [i for i, p in enumerate(hall.procs) if p.poll() is not None]
            if hall.balancer.poll() is not None:
                print("[serve] HAProxy exited; stopping", flush=True)
                return 1
            if len(dead) == len(hall.procs):
                print("[serve] every replica exited; stopping", flush=True)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        hall.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
