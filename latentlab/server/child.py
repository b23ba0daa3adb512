"""Work that runs in a child process and reports its progress to the page that polls it: a data-set
import and the lecture's preparation (the trainings' own queue is :mod:`latentlab.server.jobs`). Torch-free: the
sidebar polls the preparation on every page, the lecture's first included; the children import what
they need.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from dataclasses import dataclass
from typing import Any

from aecore.errors import UserError


def lower_priority() -> None:
    """Run this training thread at a lower CPU priority (``$LATENTLAB_TRAIN_NICE``, default 10), so the
    server's page runs, i.e. every other user's clicks, win the CPU on a small machine. Linux
    applies nice values per thread; elsewhere this does nothing."""
    try:
        nice = int(os.environ.get("LATENTLAB_TRAIN_NICE", "10"))
        if nice > 0 and hasattr(os, "setpriority"):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (OSError, ValueError, AttributeError):
        pass


_CTX = None


def context():
    """The multiprocessing context for training processes: a forkserver with torch and the training
    code preloaded (forking the multi-threaded server itself is unsafe; spawning pays torch's 3 s
    import for every training)."""
    global _CTX
    if _CTX is None:
        methods = mp.get_all_start_methods()
        if "forkserver" in methods:
            _CTX = mp.get_context("forkserver")
            _CTX.set_forkserver_preload(["torch", "latentlab.server.jobs"])
        else:
            _CTX = mp.get_context("spawn")
    return _CTX


# ---------------------------------------------------------------- data-set imports


@dataclass
class ChildJob:
    """Work in a child process that reports ``("progress", fraction, words)`` over a pipe and ends with
    one ``("done", ...)`` or ``("error", message)``: the server's GIL stays free for the pages, which
    poll it (:meth:`poll`). ``result`` is set when it ends: ``{"ok": True, ...}`` or ``{"ok": False,
    "message"}``, also when the child died without a word."""

    proc: Any
    conn: Any
    fraction: float = 0.0
    message: str = "Starting…"
    result: dict | None = None
    died: str = "The job stopped unexpectedly (out of memory?)."  # the result's message if the child dies

    @property
    def done(self) -> bool:
        return self.result is not None

    def finished(self, payload: tuple) -> dict:
        """The result for the child's ``("done", *payload)``."""
        return {"ok": True, "payload": payload}

    def poll(self) -> None:
        """Take in what the child has sent; notice a child that died without a word."""
        try:
            while self.result is None and self.conn.poll():
                msg = self.conn.recv()
                if msg[0] == "progress":
                    self.fraction, self.message = float(msg[1]), str(msg[2])
                elif msg[0] == "done":
                    self.result = self.finished(tuple(msg[1:]))
                else:
                    self.result = {"ok": False, "message": msg[1]}
        except (EOFError, OSError):
            pass
        if self.result is None and not self.proc.is_alive():
            self.result = {"ok": False, "message": self.died}


def _start_child(target, args: tuple, name: str) -> tuple[Any, Any]:
    """A daemon child process running ``target(conn, *args)``: ``(process, the parent's end of the pipe)``."""
    ctx = context()
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(child, *args), name=name, daemon=True)
    proc.start()
    child.close()
    return proc, parent


@dataclass
class ImportJob(ChildJob):
    """A data-set import (:func:`aecore.data.importing.import_file`) running in a child process, so
    that parsing a big file never holds the server's GIL: with the import on the page's thread a
    60,000-row CSV stalled another student's explorer clicks up to 2.2 s (bench/import_while_clicking.py).
    ``result``: ``{"ok": True, "summary", "notes", "name"}`` or ``{"ok": False, "message"}``."""

    folder: str = ""  # the uploaded file's temporary folder, removed when the job ends
    message: str = "Starting the import…"
    died: str = "The import stopped unexpectedly (out of memory?). Nothing was written."

    def finished(self, payload: tuple) -> dict:
        summary, notes, name = payload
        return {"ok": True, "summary": summary, "notes": notes, "name": name}

    def poll(self) -> None:
        import shutil

        super().poll()
        if self.result is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _import_child(conn, path: str, name: str, kwargs: dict) -> None:
    from aecore.data.importing import import_file

    try:
        rep = import_file(path, name, progress=lambda f, what: conn.send(("progress", f, what)), **kwargs)
        conn.send(("done", rep.summary(), rep.notes, rep.name))
    except UserError as exc:  # DataImportError, or the write's WriteError (a full disk): the message as it is
        conn.send(("error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - the page shows it; the server goes on
        conn.send(("error", f"The import failed: {exc.__class__.__name__}: {exc}"))
    finally:
        conn.close()


def start_import(data: bytes, suffix: str, name: str, **kwargs) -> ImportJob:
    """Write an upload to a temporary file and import it in a child process (``kwargs`` go to
    :func:`aecore.data.importing.import_file`)."""
    import tempfile
    from pathlib import Path

    folder = tempfile.mkdtemp(prefix="ll-upload-")
    path = Path(folder) / f"upload{suffix}"
    path.write_bytes(data)
    proc, conn = _start_child(_import_child, (str(path), name, kwargs), "latentlab-import")
    return ImportJob(proc=proc, conn=conn, folder=folder)


# ---------------------------------------------------------------- preparing a lecture


@dataclass
class PrepareJob(ChildJob):
    """``python -m aecore prepare`` (:func:`aecore.lecture.prepare.prepare_all`) in a child process:
    ~10 minutes of training and projecting that no page thread holds. ``result``: ``{"ok": True,
    "items", "cached", "seconds"}`` or ``{"ok": False, "message"}``."""

    message: str = "Starting to prepare the lecture…"
    died: str = "Preparing the lecture stopped unexpectedly (out of memory?). What was ready is kept."

    def finished(self, payload: tuple) -> dict:
        items, cached, seconds = payload
        return {"ok": True, "items": items, "cached": cached, "seconds": seconds}


def _prepare_child(conn) -> None:
    from aecore.lecture.prepare import prepare_all

    lower_priority()
    try:
        steps = prepare_all(lambda f, what: conn.send(("progress", f, what)))
        conn.send(("done", len(steps), sum(s.cached for s in steps), sum(s.seconds for s in steps)))
    except Exception as exc:  # noqa: BLE001 - the page shows it; the server goes on
        conn.send(("error", f"Preparing the lecture failed: {exc.__class__.__name__}: {exc}"))
    finally:
        conn.close()


_PREPARE: PrepareJob | None = None
_PREPARE_LOCK = threading.Lock()


def prepare_job(start: bool = False) -> PrepareJob | None:
    """This server's one lecture preparation: the one running or last finished (``None`` before any).
    With ``start``, a new one begins unless one is running (two tabs or two lecturers share it)."""
    global _PREPARE
    with _PREPARE_LOCK:
        if _PREPARE is not None:
            _PREPARE.poll()
        if start and (_PREPARE is None or _PREPARE.done):
            proc, conn = _start_child(_prepare_child, (), "latentlab-prepare")
            _PREPARE = PrepareJob(proc=proc, conn=conn)
        return _PREPARE
