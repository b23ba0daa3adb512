"""Training jobs that run off the page's script thread, shared by the whole server.

A Streamlit page must never train inside its script run: the run would block that user's page,
and on a 2-core lecture laptop several students training at once would freeze everyone. So the
Train page *submits* a job here and polls a snapshot of it. One :class:`JobManager` per process
(:func:`manager`) runs at most ``LATENTLAB_MAX_TRAININGS`` trainings at a time (default 1); the
others wait in a FIFO queue and know their position. A stop request makes the trainer's callback
raise :class:`~aecore.training.fit.TrainingStopped`, so ``fit`` keeps the best model so far, which is
then saved. A diverging run (NaN/inf) fails with a readable message and saves nothing, so an
existing model of that name is left intact.

Each training runs in its own *process* (``$LATENTLAB_TRAIN_PROCESS``, default on), started from a
forkserver that has torch imported already, so a start costs milliseconds after the first. A thread
would share the server's GIL: a training's ~10,000 small torch calls per MNIST epoch each hand the
GIL back and forth, and 30 students' clicks queued behind them (bench/load_test.py). The job's
thread in the server only relays the child's progress events and saves the result, so the library
logic (names, atomic saves) stays in one process. Setting it to 0 trains on the job's thread.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from aecore.analysis.projection import fit_projection
from aecore.data.sets import Dataset, load_dataset
from aecore.errors import UserError
from aecore.storage import library
from aecore.storage.checkpoint import InvalidName, to_bytes
from aecore.training.fit import Progress, TrainingDiverged, TrainingStopped
from aecore.training.recipes import Recipe, train_recipe
from latentlab.server.child import context, lower_priority

QUEUED, RUNNING, DONE, STOPPED, FAILED, CANCELLED = "queued", "running", "done", "stopped", "failed", "cancelled"
FINISHED = (DONE, STOPPED, FAILED, CANCELLED)


def max_trainings() -> int:
    """How many trainings may run at once: ``$LATENTLAB_MAX_TRAININGS`` (default 1, at least 1)."""
    try:
        return max(1, int(os.environ.get("LATENTLAB_MAX_TRAININGS", "1")))
    except ValueError:
        return 1


def max_queue() -> int:
    """How many jobs may wait: ``$LATENTLAB_MAX_QUEUE`` (default 20); beyond it a submit is refused."""
    try:
        return max(0, int(os.environ.get("LATENTLAB_MAX_QUEUE", "20")))
    except ValueError:
        return 20


def train_threads() -> int:
    """CPU threads one training may use: ``$LATENTLAB_TRAIN_THREADS``, default all cores but one
    (at least 1), so a training never takes the core the server answers clicks on."""
    try:
        n = int(os.environ.get("LATENTLAB_TRAIN_THREADS", "0"))
    except ValueError:
        n = 0
    return n if n > 0 else max(1, (os.cpu_count() or 2) - 1)


def train_in_process() -> bool:
    """``$LATENTLAB_TRAIN_PROCESS`` (default 1): train in a child process rather than on a thread."""
    return os.environ.get("LATENTLAB_TRAIN_PROCESS", "1").strip().lower() not in ("0", "false", "no", "off")


class ServerBusy(RuntimeError):
    """The queue is full; the message says to try again later."""


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state for a page to draw (never mutated after it is made)."""

    id: str
    name: str  # the model name the result is saved under
    state: str
    queue_position: int  # 1-based while queued, else 0
    epoch: int
    epochs: int
    fraction: float  # 0..1 of optimiser steps done
    history: tuple[dict[str, float], ...]  # one dict per finished epoch: epoch, train_loss, val_loss…
    codes: np.ndarray | None  # (n, 2) latent positions of a fixed test subset, or None
    labels: np.ndarray | None  # (n,) their classes
    codes_epoch: int  # the epoch the codes were taken at
    class_names: tuple[str, ...]
    message: str  # human status line, e.g. "Queued: position 2" or the error
    worker_pid: int | None  # the process that trains (not the server's, unless LATENTLAB_TRAIN_PROCESS=0)
    saved_path: str | None
    metrics: dict[str, Any]
    recipe: dict[str, Any]
    submitted: float
    started: float | None
    finished: float | None

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.time()) - self.started


@dataclass
class _Job:
    id: str
    name: str
    recipe: Recipe
    dataset: Dataset | None
    overwrite: bool
    scatter_every: int
    scatter_points: int
    state: str = QUEUED
    epoch: int = 0
    fraction: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)
    codes: np.ndarray | None = None
    labels: np.ndarray | None = None
    codes_epoch: int = 0
    class_names: tuple[str, ...] = ()
    message: str = ""
    worker_pid: int | None = None
    saved_path: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class JobManager:
    """Runs training jobs on background threads, at most ``max_concurrent`` at a time.

    All state is guarded by one lock; pages only ever see :class:`JobSnapshot` copies.
    """

    def __init__(self, max_concurrent: int | None = None, queue_limit: int | None = None, keep_finished: int = 100):
        self.max_concurrent = max_concurrent or max_trainings()
        self.queue_limit = max_queue() if queue_limit is None else queue_limit
        self.keep_finished = keep_finished
        self._lock = threading.RLock()
        self._jobs: dict[str, _Job] = {}
        self._queue: list[str] = []
        self._running: set[str] = set()
        self._ids = itertools.count(1)
        self._datasets: dict[str, Dataset] = {}

    # ------------------------------------------------------------ public API

    def submit(
        self,
        recipe: Recipe,
        name: str,
        dataset: Dataset | None = None,
        overwrite: bool = True,
        scatter_every: int = 2,
        scatter_points: int = 1000,
    ) -> str:
        """Queue a training of ``recipe`` whose result is saved as the user model ``name``.

        The name is validated now (``InvalidName`` / ``library.LibraryError`` for a bad or shipped
        name), so a typo fails at once rather than after training. ``dataset`` may be passed to
        share an already-loaded one. Raises :class:`ServerBusy` when the queue is full.
        Returns the job id.
        """
        library.user_model_path(name)  # validates; raises with a readable message
        if not overwrite and library.user_model_path(name).exists():
            raise library.LibraryError(f"a model called '{name.strip()}' already exists; choose another name")
        with self._lock:
            if len(self._queue) >= self.queue_limit and len(self._running) >= self.max_concurrent:
                raise ServerBusy(
                    f"the server is busy: {len(self._running)} training(s) running and "
                    f"{len(self._queue)} waiting. Try again in a few minutes."
                )
            jid = f"job-{next(self._ids)}"
            self._jobs[jid] = _Job(
                id=jid,
                name=name.strip(),
                recipe=recipe,
                dataset=dataset,
                overwrite=overwrite,
                scatter_every=max(1, int(scatter_every)),
                scatter_points=scatter_points,
            )
            self._queue.append(jid)
            self._prune()
            self._pump()
        return jid

    def get(self, job_id: str) -> JobSnapshot | None:
        """A snapshot of the job, or None if the id is unknown (e.g. pruned long ago)."""
        with self._lock:
            j = self._jobs.get(job_id)
            if j is None:
                return None
            pos = self._queue.index(job_id) + 1 if job_id in self._queue else 0
            msg = j.message
            if j.state == QUEUED:
                msg = (
                    f"The server is busy ({len(self._running)} training(s) running): "
                    f"queued, position {pos}. It starts automatically."
                )
            return JobSnapshot(
                id=j.id,
                name=j.name,
                state=j.state,
                queue_position=pos,
                epoch=j.epoch,
                epochs=j.recipe.train.epochs,
                fraction=j.fraction,
                history=tuple(dict(h) for h in j.history),
                codes=j.codes,
                labels=j.labels,
                codes_epoch=j.codes_epoch,
                class_names=j.class_names,
                message=msg,
                worker_pid=j.worker_pid,
                saved_path=j.saved_path,
                metrics=dict(j.metrics),
                recipe=j.recipe.to_dict(),
                submitted=j.submitted,
                started=j.started,
                finished=j.finished,
            )

    def stop(self, job_id: str) -> None:
        """Ask a job to stop: a running one keeps (and saves) its best model so far; a queued one is cancelled."""
        with self._lock:
            j = self._jobs.get(job_id)
            if j is None or j.state in FINISHED:
                return
            j.stop.set()
            if j.state == QUEUED:
                self._queue.remove(job_id)
                j.state, j.finished = CANCELLED, time.time()
                j.message = "Cancelled before it started; nothing was trained or saved."

    def wait(self, job_id: str, timeout: float | None = None) -> JobSnapshot | None:
        """Block until the job has finished (for tests and scripts, never for pages)."""
        deadline = None if timeout is None else time.time() + timeout
        while True:
            snap = self.get(job_id)
            if snap is None or snap.is_finished:
                return snap
            if deadline is not None and time.time() > deadline:
                return snap
            time.sleep(0.02)

    def jobs(self) -> list[JobSnapshot]:
        """Every job this server knows, queued and running first (oldest first), then finished ones."""
        with self._lock:
            ids = list(self._jobs)
        snaps = [s for s in (self.get(i) for i in ids) if s is not None]
        return sorted(snaps, key=lambda s: (s.is_finished, s.submitted))

    def counts(self) -> dict[str, int]:
        """``{"running": n, "queued": m, "limit": N}`` for a status line."""
        with self._lock:
            return {"running": len(self._running), "queued": len(self._queue), "limit": self.max_concurrent}

    # ------------------------------------------------------------ internals

    def _prune(self) -> None:
        done = [j for j in self._jobs.values() if j.state in FINISHED]
        for j in sorted(done, key=lambda j: j.finished or 0)[: max(0, len(done) - self.keep_finished)]:
            del self._jobs[j.id]

    def _pump(self) -> None:
        """Start queued jobs while there is a free slot (called with the lock held)."""
        while self._queue and len(self._running) < self.max_concurrent:
            jid = self._queue.pop(0)
            j = self._jobs[jid]
            j.state, j.started = RUNNING, time.time()
            j.message = "Starting…"
            self._running.add(jid)
            j.thread = threading.Thread(target=self._run, args=(j,), name=f"latentlab-{jid}", daemon=True)
            j.thread.start()

    def _dataset(self, name: str) -> Dataset:
        with self._lock:
            ds = self._datasets.get(name)
        if ds is None:
            ds = load_dataset(name)
            with self._lock:
                self._datasets[name] = ds
        return ds

    def _run(self, j: _Job) -> None:
        # Lower this thread's priority first: on Linux a process inherits the nice value of the
        # thread that starts it, so the forkserver (whose first start imports torch, ~3 s of CPU)
        # and every training process then yield the CPU to the pages.
        lower_priority()
        try:
            ds = j.dataset if j.dataset is not None else self._dataset(j.recipe.dataset)
            args = (j.recipe, ds, j.scatter_every, j.scatter_points)
            final = (
                self._run_in_process(j, args)
                if train_in_process()
                else train_body(*args, emit=lambda ev: self._apply(j, ev), should_stop=j.stop.is_set)
            )
            self._conclude(j, final)
        except (InvalidName, library.LibraryError, ValueError, KeyError) as exc:
            self._finish(j, FAILED, f"Training failed: {exc}")
        except Exception as exc:  # never let a worker die silently: the page must show something
            traceback.print_exc()
            self._finish(j, FAILED, f"Training failed with an unexpected error: {type(exc).__name__}: {exc}")

    def _run_in_process(self, j: _Job, args: tuple) -> dict[str, Any]:
        """Train in a child process; relay its events into ``j`` until it sends its final event."""
        ctx = context()
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_child_main, args=(child, *args), name=f"latentlab-{j.id}", daemon=True)
        proc.start()
        child.close()
        stop_sent = False
        try:
            while True:
                if j.stop.is_set() and not stop_sent:
                    parent.send("stop")
                    stop_sent = True
                if parent.poll(0.1):
                    try:
                        ev = parent.recv()
                    except EOFError:
                        break
                    if ev.get("kind") == "progress":
                        self._apply(j, ev)
                    else:
                        return ev
                elif not proc.is_alive():
                    break
        finally:
            parent.close()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
        return {"kind": "error", "message": f"the training process ended unexpectedly (exit code {proc.exitcode})"}

    def _apply(self, j: _Job, ev: dict[str, Any]) -> None:
        """One progress event (from a child process or the thread) into the job's state."""
        with self._lock:
            if ev.get("class_names") is not None:
                j.class_names = tuple(ev["class_names"])
            if ev.get("pid") is not None:
                j.worker_pid = ev["pid"]
            if "epoch" in ev:
                j.epoch, j.fraction = ev["epoch"], ev["fraction"]
            if ev.get("history") is not None:
                j.history.append(dict(ev["history"]))
            if ev.get("codes") is not None:
                j.codes, j.labels, j.codes_epoch = ev["codes"], ev["labels"], ev["epoch"]
            if ev.get("message"):
                j.message = ev["message"]

    def _conclude(self, j: _Job, final: dict[str, Any]) -> None:
        """Save the trained model (in this process: names and atomic saves live here) and finish."""
        c = conclude(final, j.name, j.overwrite, j.epoch)
        with self._lock:
            j.saved_path, j.metrics = c["saved_path"], c["metrics"]
            j.fraction = 1.0 if c["state"] == DONE else j.fraction
        self._finish(j, c["state"], c["message"])

    def _finish(self, j: _Job, state: str, message: str) -> None:
        with self._lock:
            j.state, j.message, j.finished = state, message, time.time()
            self._running.discard(j.id)
            j.dataset = None  # let a big data set be freed
            self._pump()


def conclude(final: dict[str, Any], name: str, overwrite: bool, epoch: int) -> dict[str, Any]:
    """What a training's final event (:func:`train_body`'s) comes to: the model saved as the user
    model ``name`` (one atomic write) when there is one, and ``{"state", "message", "saved_path",
    "metrics"}`` for the page. Used wherever the training ran (this server's child process, or a
    worker of the lecture hall's cluster: :mod:`latentlab.server.cluster`)."""
    out: dict[str, Any] = {"saved_path": None, "metrics": {}}
    kind = final.get("kind")
    if kind == "diverged":
        return {
            **out,
            "state": FAILED,
            "message": f"Training stopped: {final['message']} Any earlier model called '{name}' is unchanged.",
        }
    if kind == "invalid":
        return {**out, "state": FAILED, "message": f"Training failed: {final['message']}"}
    if kind != "result":
        return {
            **out,
            "state": FAILED,
            "message": f"Training failed with an unexpected error: {final.get('message', kind)}",
        }
    if final["data"] is None:
        return {**out, "state": STOPPED, "message": "Stopped before the first epoch finished: nothing was saved."}
    taken_meanwhile = ""
    try:
        try:
            path = library.save_model_bytes(name, final["data"], overwrite=overwrite)
        except library.ModelExists:
            # The name was free when the training started (the page asked otherwise) and another
            # training or an upload took it since: keep both, the new one under the next free name.
            taken = name
            name = library.propose_model_name(name)
            path = library.save_model_bytes(name, final["data"], overwrite=False)
            taken_meanwhile = f" ('{taken}' was taken while it trained; that model is unchanged)"
    except UserError as exc:  # a full disk, a read-only folder, a name taken meanwhile: said, not raised
        return {
            **out,
            "state": FAILED,
            "message": f"Trained, but the model could not be saved as '{name}': {exc} "
            f"Any earlier model called '{name}' is unchanged.",
        }
    stopped, best, metrics = final["stopped"], final["best_epoch"], dict(final["metrics"])
    out = {"saved_path": str(path), "metrics": metrics}
    if stopped:
        return {
            **out,
            "state": STOPPED,
            "message": f"Stopped after epoch {epoch}. The best model so far (epoch {best}) was saved as "
            f"'{name}'{taken_meanwhile}.",
        }
    score = (
        f"test −ELBO {metrics['test_neg_elbo']:.2f} nats"
        if "test_neg_elbo" in metrics
        else f"test MSE {metrics['test_mse']:.4f}"
    )
    return {
        **out,
        "state": DONE,
        "message": f"Done: saved as '{name}'{taken_meanwhile} (best epoch {best}, {score}).",
    }


def _progress_reporter(ds: Dataset, scatter_every: int, scatter_points: int, emit, should_stop):
    """fit's callback for a job: stops when ``should_stop()``, and emits each report as a progress
    event, with the codes of a fixed test subset (the same points at every refresh) in a PCA view at
    the end of the first, every ``scatter_every``-th and the last epoch."""
    n = min(scatter_points, len(ds.x_test))
    pick = torch.randperm(len(ds.x_test), generator=torch.Generator().manual_seed(0))[:n]
    x_show, y_show = ds.x_test[pick], ds.y_test[pick].numpy()

    def on_progress(p: Progress) -> None:
        if should_stop():
            raise TrainingStopped()
        codes = None
        # fit also reports mid-epoch (every_batches); an epoch's end is a whole number of epochs of steps.
        end_of_epoch = p.step == p.epoch * (p.steps_total // p.epochs)
        if end_of_epoch and (p.epoch % scatter_every == 0 or p.done or p.epoch == 1):
            was = p.model.training
            p.model.eval()
            with torch.no_grad():
                dev = next(p.model.parameters()).device
                codes = fit_projection(p.model.encode(x_show.to(dev)).cpu().numpy(), "pca").embedding
            p.model.train(was)
        rec = None
        if end_of_epoch:
            rec = {"epoch": p.epoch, "train_loss": p.train_loss}
            if p.val_loss is not None:
                rec["val_loss"] = p.val_loss
        emit(
            {
                "kind": "progress",
                "epoch": p.epoch,
                "fraction": p.fraction,
                "history": rec,
                "codes": codes,
                "labels": y_show if codes is not None else None,
                "message": f"Epoch {p.epoch}/{p.epochs}: train loss {p.train_loss:.4f}"
                + (f", validation loss {p.val_loss:.4f}" if p.val_loss is not None else ""),
            }
        )

    return on_progress


def _result_event(recipe: Recipe, ds: Dataset, trained) -> dict[str, Any]:
    """The final event of a training that ran at least one epoch: the checkpoint's bytes and its numbers."""
    stopped = trained.fit.stopped_early
    extra = {
        "recipe": recipe.to_dict(),
        "dataset_meta": {k: v for k, v in ds.meta.items() if k != "root"},
        "stopped_early": stopped,
    }
    data = to_bytes(
        trained.model,
        ds.name,
        metrics=trained.metrics,
        history=trained.fit.history,
        train_config=recipe.train.to_dict(),
        extra=extra,
    )
    return {
        "kind": "result",
        "data": data,
        "metrics": dict(trained.metrics),
        "stopped": stopped,
        "best_epoch": trained.fit.best_epoch,
    }


def train_body(
    recipe: Recipe, ds: Dataset, scatter_every: int, scatter_points: int, emit, should_stop
) -> dict[str, Any]:
    """Train ``recipe`` on ``ds``, reporting progress events through ``emit`` (dicts of plain
    values and numpy arrays: they may cross a process boundary) and stopping, with the best model
    so far, once ``should_stop()``. Returns the final event: ``result`` (checkpoint bytes, or
    ``None`` when stopped before the first epoch), ``diverged`` or ``invalid``."""
    lower_priority()
    # Per thread: torch's intra-op thread count is an OpenMP setting of the calling thread, so
    # this limits the training only, not the pages' encoding and decoding.
    torch.set_num_threads(train_threads())
    on_progress = _progress_reporter(ds, scatter_every, scatter_points, emit, should_stop)
    emit(
        {
            "kind": "progress",
            "class_names": [str(c) for c in ds.class_names],
            "pid": os.getpid(),
            "message": f"Training on {ds.name}…",
        }
    )
    steps_per_epoch = -(-max(1, len(ds.x_train)) // min(recipe.train.batch_size, max(1, len(ds.x_train))))
    every = max(1, steps_per_epoch // 10)
    try:
        trained = train_recipe(recipe, dataset=ds, callbacks=[on_progress], every_batches=every)
    except TrainingDiverged as exc:
        return {"kind": "diverged", "message": str(exc)}
    except ValueError as exc:
        return {"kind": "invalid", "message": str(exc)}
    if not trained.fit.history:
        return {"kind": "result", "data": None}
    return _result_event(recipe, ds, trained)


def _child_main(conn, recipe: Recipe, ds: Dataset, scatter_every: int, scatter_points: int) -> None:
    """A training process: run :func:`train_body`, sending its events to the server over ``conn``;
    a ``"stop"`` message from the server stops it (the best model so far is still returned)."""
    stop = False

    def should_stop() -> bool:
        nonlocal stop
        while not stop and conn.poll():
            stop = conn.recv() == "stop"
        return stop

    try:
        final = train_body(recipe, ds, scatter_every, scatter_points, emit=conn.send, should_stop=should_stop)
    except Exception as exc:  # noqa: BLE001 - reported to the server, which shows it on the page
        traceback.print_exc()
        final = {"kind": "error", "message": f"{type(exc).__name__}: {exc}"}
    try:
        conn.send(final)
    except (BrokenPipeError, OSError):
        pass  # the server went away: nobody is waiting for this model
    finally:
        conn.close()
