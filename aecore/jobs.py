"""Training jobs that run off the page's script thread, shared by the whole server.

A Streamlit page must never train inside its script run: the run would block that user's page,
and on a 2-core lecture laptop several students training at once would freeze everyone. So the
Train page *submits* a job here and polls a snapshot of it. One :class:`JobManager` per process
(:func:`manager`) runs at most ``LATENTLAB_MAX_TRAININGS`` trainings at a time (default 1); the
others wait in a FIFO queue and know their position. A stop request makes the trainer's callback
raise :class:`~aecore.train.TrainingStopped`, so ``fit`` keeps the best model so far, which is
then saved. A diverging run (NaN/inf) fails with a readable message and saves nothing, so an
existing model of that name is left intact.
"""
from __future__ import annotations

import itertools
import os
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from . import library
from .checkpoint import InvalidName, to_bytes
from .data import Dataset, load_dataset
from .recipes import Recipe, train_recipe
from .train import Progress, TrainingDiverged, TrainingStopped

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


def _lower_priority() -> None:
    """Run this training thread at a lower CPU priority (``$LATENTLAB_TRAIN_NICE``, default 10), so the
    server's page runs, i.e. every other user's clicks, win the CPU on a small machine. Linux
    applies nice values per thread; elsewhere this does nothing."""
    try:
        nice = int(os.environ.get("LATENTLAB_TRAIN_NICE", "10"))
        if nice > 0 and hasattr(os, "setpriority"):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (OSError, ValueError, AttributeError):
        pass


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
    saved_path: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


def latent_2d(codes: np.ndarray) -> np.ndarray:
    """Codes ``(n, k)`` → ``(n, 2)`` for a scatter: k=1 gets a zero second axis, k>2 its top-2 PCA."""
    codes = np.asarray(codes, dtype=np.float32)
    if codes.shape[1] == 2:
        return codes
    if codes.shape[1] == 1:
        return np.c_[codes[:, 0], np.zeros(len(codes), np.float32)]
    c = codes - codes.mean(0, keepdims=True)
    _, _, vt = np.linalg.svd(c, full_matrices=False)
    return (c @ vt[:2].T).astype(np.float32)


class JobManager:
    """Runs training jobs on background threads, at most ``max_concurrent`` at a time.

    All state is guarded by one lock; pages only ever see :class:`JobSnapshot` copies.
    """

    def __init__(self, max_concurrent: int | None = None, queue_limit: int | None = None,
                 keep_finished: int = 100):
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

    def submit(self, recipe: Recipe, name: str, dataset: Dataset | None = None, overwrite: bool = True,
               scatter_every: int = 2, scatter_points: int = 1000) -> str:
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
                raise ServerBusy(f"the server is busy: {len(self._running)} training(s) running and "
                                 f"{len(self._queue)} waiting. Try again in a few minutes.")
            jid = f"job-{next(self._ids)}"
            self._jobs[jid] = _Job(id=jid, name=name.strip(), recipe=recipe, dataset=dataset, overwrite=overwrite,
                                   scatter_every=max(1, int(scatter_every)), scatter_points=scatter_points)
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
                msg = (f"The server is busy ({len(self._running)} training(s) running): "
                       f"queued, position {pos}. It starts automatically.")
            return JobSnapshot(
                id=j.id, name=j.name, state=j.state, queue_position=pos, epoch=j.epoch,
                epochs=j.recipe.train.epochs, fraction=j.fraction, history=tuple(dict(h) for h in j.history),
                codes=j.codes, labels=j.labels, codes_epoch=j.codes_epoch, class_names=j.class_names,
                message=msg, saved_path=j.saved_path, metrics=dict(j.metrics), recipe=j.recipe.to_dict(),
                submitted=j.submitted, started=j.started, finished=j.finished,
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
        _lower_priority()
        try:
            self._train(j)
        except TrainingDiverged as exc:
            self._finish(j, FAILED, f"Training stopped: {exc} Any earlier model called '{j.name}' is unchanged.")
        except (InvalidName, library.LibraryError, ValueError, KeyError) as exc:
            self._finish(j, FAILED, f"Training failed: {exc}")
        except Exception as exc:  # never let a worker die silently: the page must show something
            traceback.print_exc()
            self._finish(j, FAILED, f"Training failed with an unexpected error: {type(exc).__name__}: {exc}")

    def _finish(self, j: _Job, state: str, message: str) -> None:
        with self._lock:
            j.state, j.message, j.finished = state, message, time.time()
            self._running.discard(j.id)
            j.dataset = None  # let a big data set be freed
            self._pump()

    def _train(self, j: _Job) -> None:
        ds = j.dataset if j.dataset is not None else self._dataset(j.recipe.dataset)
        # A fixed test subset for the live scatter, the same points at every refresh.
        n = min(j.scatter_points, len(ds.x_test))
        pick = torch.randperm(len(ds.x_test), generator=torch.Generator().manual_seed(0))[:n]
        x_show, y_show = ds.x_test[pick], ds.y_test[pick].numpy()
        with self._lock:
            j.class_names = tuple(str(c) for c in ds.class_names)
            j.message = f"Training on {ds.name}…"

        def on_progress(p: Progress) -> None:
            if j.stop.is_set():
                raise TrainingStopped()
            codes = None
            # fit also reports mid-epoch (every_batches); an epoch's end is a whole number of epochs of steps.
            end_of_epoch = p.step == p.epoch * (p.steps_total // p.epochs)
            if end_of_epoch and (p.epoch % j.scatter_every == 0 or p.done or p.epoch == 1):
                was = p.model.training
                p.model.eval()
                with torch.no_grad():
                    dev = next(p.model.parameters()).device
                    codes = latent_2d(p.model.encode(x_show.to(dev)).cpu().numpy())
                p.model.train(was)
            with self._lock:
                j.epoch, j.fraction = p.epoch, p.fraction
                if end_of_epoch:
                    rec = {"epoch": p.epoch, "train_loss": p.train_loss}
                    if p.val_loss is not None:
                        rec["val_loss"] = p.val_loss
                    j.history.append(rec)
                if codes is not None:
                    j.codes, j.labels, j.codes_epoch = codes, y_show, p.epoch
                j.message = f"Epoch {p.epoch}/{p.epochs}: train loss {p.train_loss:.4f}" + (
                    f", validation loss {p.val_loss:.4f}" if p.val_loss is not None else "")
            # Yield the GIL briefly so the server's other sessions stay snappy on a small CPU.
            time.sleep(0.001)

        steps_per_epoch = -(-max(1, len(ds.x_train)) // min(j.recipe.train.batch_size, max(1, len(ds.x_train))))
        every = max(1, steps_per_epoch // 10)
        trained = train_recipe(j.recipe, dataset=ds, callbacks=[on_progress], every_batches=every)
        stopped = trained.fit.stopped_early
        if not trained.fit.history:
            self._finish(j, STOPPED, "Stopped before the first epoch finished: nothing was saved.")
            return
        extra = {"recipe": j.recipe.to_dict(), "dataset_meta": {k: v for k, v in ds.meta.items() if k != "root"},
                 "stopped_early": stopped}
        data = to_bytes(trained.model, ds.name, metrics=trained.metrics, history=trained.fit.history,
                        train_config=j.recipe.train.to_dict(), extra=extra)
        path = library.save_model_bytes(j.name, data, overwrite=j.overwrite)
        with self._lock:
            j.saved_path, j.metrics = str(path), dict(trained.metrics)
            j.fraction = 1.0 if not stopped else j.fraction
        best = trained.fit.best_epoch
        if stopped:
            self._finish(j, STOPPED, f"Stopped after epoch {j.epoch}. The best model so far (epoch {best}) "
                                     f"was saved as '{j.name}'.")
        else:
            self._finish(j, DONE, f"Done: saved as '{j.name}' (best epoch {best}, "
                                  f"test loss {trained.metrics['test_loss']:.4f}).")


_MANAGER: JobManager | None = None
_MANAGER_LOCK = threading.Lock()


def manager() -> JobManager:
    """The one job manager of this server process (created on first use)."""
    global _MANAGER
    with _MANAGER_LOCK:
        if _MANAGER is None:
            _MANAGER = JobManager()
        return _MANAGER
