"""The lecture hall's training queue on Dask distributed: one queue for every app replica.

With several app processes (``./run.sh serve``), each one's own :class:`latentlab.server.jobs.JobManager` would
run its own queue on the same cores. Here a training is a Dask task instead: any replica submits it
to the one scheduler (``$LATENTLAB_DASK``, its address), a worker with a free thread runs it, and
every replica reads its state from the scheduler's metadata store, so a student on any replica sees
the class's queue and the live progress of a training started elsewhere. On one machine
``./run.sh serve`` starts a local cluster; an address of an existing cluster adds its machines'
workers (and their GPUs: the trainer uses CUDA where torch finds it) with no code change.

Why Dask and not Ray: pure Python wheels (no 60 MB binary), a local cluster of one scheduler and one
worker starts in about 2 s and holds about 0.3 GB (``bench/cluster_start.py``), and its scheduler's
metadata store is all the shared state the queue needs. The task trains through the same
:func:`latentlab.server.jobs.train_body` and saves through the same :func:`latentlab.server.jobs.conclude`
(one atomic write
to the shared model library) as a single server's child process.

Faults. A task is submitted ``fire_and_forget``: it runs on even if the replica that submitted it
dies. A worker killed mid-training is restarted by its nanny and the scheduler runs the task again
(Dask's ``allowed-failures``, 3 by default): the job says so ("restarted after its worker stopped"),
and no checkpoint is half written (the save is one atomic rename). A job whose task the scheduler no
longer has and that never finished is reported failed with that reason.

Metadata layout: ``["latentlab", "jobs", id]`` → the job's record (plain JSON values, small: every
replica's Train page reads all of them), ``["latentlab", "codes", id]`` → its latest live codes and
labels (read only by the pages that show that job), ``["latentlab", "stop", id]`` → ``True`` once a
stop is asked.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Any

import numpy as np

from latentlab.server import jobs as J

#: A submitted job whose task the scheduler does not know yet is not "lost" before this (seconds).
GRACE = 15.0
#: How often a running training writes its progress to the scheduler (seconds).
PUBLISH_EVERY = 0.5
#: A page's view of the queue is at most this old (one scheduler round trip per interval per replica).
SNAPSHOT_TTL = 0.4


def cluster_address() -> str | None:
    """``$LATENTLAB_DASK``: the scheduler's address (``tcp://host:8786``), or ``None`` (no cluster)."""
    return os.environ.get("LATENTLAB_DASK", "").strip() or None


def _task_key(job_id: str) -> str:
    return f"latentlab-train-{job_id}"


# ---------------------------------------------------------------- on the worker


_DATASETS: dict[str, Any] = {}


def run_job(job_id: str, recipe, name: str, overwrite: bool, scatter_every: int, scatter_points: int) -> str:
    """A training (``recipe``: an :class:`aecore.training.recipes.Recipe`), as a Dask task on a worker:
    train, publish progress, save, publish the end."""
    from distributed import get_client, get_worker

    from aecore.data.sets import load_dataset

    client = get_client()
    path = ["latentlab", "jobs", job_id]
    rec = client.get_metadata(path, default=None) or {}
    if rec.get("state") == J.CANCELLED:  # cancelled while queued, and the cancel lost the race
        return J.CANCELLED
    rec.update(
        state=J.RUNNING,
        started=time.time(),
        attempt=int(rec.get("attempt", 0)) + 1,
        worker=get_worker().address,
        worker_pid=os.getpid(),
        history=[],
        epoch=0,
        fraction=0.0,
    )
    rec["message"] = "Starting…" if rec["attempt"] == 1 else "Restarted after its worker stopped: training again…"
    client.set_metadata(path, rec)
    last = [0.0]
    stop_checked = [0.0, False]

    def publish(force: bool = False) -> None:
        now = time.time()
        if force or now - last[0] >= PUBLISH_EVERY:
            last[0] = now
            rec["heartbeat"] = now
            client.set_metadata(path, rec)

    def emit(ev: dict) -> None:
        if ev.get("class_names") is not None:
            rec["class_names"] = list(ev["class_names"])
        if "epoch" in ev:
            rec["epoch"], rec["fraction"] = int(ev["epoch"]), float(ev["fraction"])
        if ev.get("history") is not None:
            rec["history"].append({k: float(v) for k, v in ev["history"].items()})
        if ev.get("codes") is not None:
            codes = {
                "codes": np.asarray(ev["codes"], np.float32).round(4).tolist(),
                "labels": np.asarray(ev["labels"]).astype(int).tolist(),
            }
            client.set_metadata(["latentlab", "codes", job_id], codes)
            rec["codes_epoch"] = int(ev["epoch"])
        if ev.get("message"):
            rec["message"] = ev["message"] if rec["attempt"] == 1 else f"(restarted) {ev['message']}"
        publish(force=ev.get("history") is not None or ev.get("codes") is not None)

    def should_stop() -> bool:
        now = time.time()
        if now - stop_checked[0] >= 1.0:  # one round trip a second, not one per batch
            stop_checked[0] = now
            stop_checked[1] = bool(client.get_metadata(["latentlab", "stop", job_id], default=False))
        return stop_checked[1]

    try:
        if recipe.dataset not in _DATASETS:
            _DATASETS.clear()  # one data set at a time per worker: MNIST is ~200 MB
            _DATASETS[recipe.dataset] = load_dataset(recipe.dataset)
        final = J.train_body(recipe, _DATASETS[recipe.dataset], scatter_every, scatter_points, emit, should_stop)
        c = J.conclude(final, name, overwrite, rec.get("epoch", 0))
    except Exception as exc:  # noqa: BLE001 - every end is shown on the page
        c = {
            "state": J.FAILED,
            "message": f"Training failed with an unexpected error: {type(exc).__name__}: {exc}",
            "saved_path": None,
            "metrics": {},
        }
    rec.update(
        state=c["state"], message=c["message"], saved_path=c["saved_path"], metrics=c["metrics"], finished=time.time()
    )
    if c["state"] == J.DONE:
        rec["fraction"] = 1.0
    publish(force=True)
    return c["state"]


# ---------------------------------------------------------------- on a replica


class ClusterJobManager:
    """The job queue (:class:`latentlab.server.queue.JobQueue`) over a Dask cluster: the page cannot tell it from
    :class:`latentlab.server.jobs.JobManager`, except that :meth:`jobs` lists the whole class's trainings, from
    every replica."""

    def __init__(self, address: str, queue_limit: int | None = None):
        from distributed import Client

        self.address = address
        self.client = Client(address, timeout=20, set_as_default=False)
        self.queue_limit = J.max_queue() if queue_limit is None else queue_limit
        self._lock = threading.Lock()
        self._cache: tuple[float, dict[str, dict]] = (0.0, {})

    # ------------------------------------------------------------ reading the shared state

    def _records(self, fresh: bool = False) -> dict[str, dict]:
        """Every job's record from the scheduler, lost jobs marked (at most :data:`SNAPSHOT_TTL` old:
        every page poll of this replica shares one pair of scheduler round trips per interval)."""
        with self._lock:
            t, recs = self._cache
            if fresh or time.time() - t > SNAPSHOT_TTL:
                recs = self._lost(self.client.get_metadata(["latentlab", "jobs"], default=None) or {})
                self._cache = (time.time(), recs)
            return recs

    def _slots(self) -> int:
        """Training slots: worker threads in the cluster."""
        return max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def _task_states(self, keys: list[str]) -> dict[str, str | None]:
        def states(dask_scheduler, keys):
            return {k: (dask_scheduler.tasks[k].state if k in dask_scheduler.tasks else None) for k in keys}

        return self.client.run_on_scheduler(states, keys=keys)

    def _lost(self, recs: dict[str, dict]) -> dict[str, dict]:
        """Mark unfinished jobs whose task the scheduler no longer runs (it erred, or was forgotten)."""
        open_ids = [i for i, r in recs.items() if r.get("state") not in J.FINISHED]
        if not open_ids:
            return recs
        states = self._task_states([_task_key(i) for i in open_ids])
        for i in open_ids:
            st = states.get(_task_key(i))
            young = time.time() - float(recs[i].get("submitted", 0)) < GRACE  # its submit may be on its way
            if st in (None, "erred", "forgotten") and not (st is None and young):
                r = dict(recs[i])
                r.update(
                    state=J.FAILED,
                    finished=time.time(),
                    message="Training failed: the worker running it stopped "
                    + ("and it could not be restarted" if r.get("attempt") else "before it started")
                    + ". Nothing was saved; train again.",
                )
                self.client.set_metadata(["latentlab", "jobs", i], r)
                recs = {**recs, i: r}
        return recs

    def jobs(self) -> list[J.JobSnapshot]:
        """Every job of the class, queued and running first (oldest first), then finished ones."""
        recs = self._records()
        snaps = [self._snapshot(i, recs, with_codes=False) for i in recs]
        return sorted(snaps, key=lambda s: (s.is_finished, s.submitted))

    def get(self, job_id: str) -> J.JobSnapshot | None:
        recs = self._records()
        if job_id not in recs:
            recs = self._records(fresh=True)  # submitted a moment ago, maybe by this very page
            if job_id not in recs:
                return None
        return self._snapshot(job_id, recs)

    def _snapshot(self, job_id: str, recs: dict[str, dict], with_codes: bool = True) -> J.JobSnapshot:
        r = recs[job_id]
        live = None
        if with_codes and r.get("codes_epoch"):
            live = self.client.get_metadata(["latentlab", "codes", job_id], default=None)
        queued = sorted((x for x in recs.values() if x.get("state") == J.QUEUED), key=lambda x: x["submitted"])
        pos = next((k + 1 for k, x in enumerate(queued) if x["id"] == job_id), 0)
        running = sum(1 for x in recs.values() if x.get("state") == J.RUNNING)
        msg = r.get("message", "")
        if r.get("state") == J.QUEUED:
            msg = (
                f"The class's trainings are busy ({running} running): queued, position {pos}. It starts automatically."
            )
        codes = live and live.get("codes")
        return J.JobSnapshot(
            id=job_id,
            name=r["name"],
            state=r["state"],
            queue_position=pos,
            epoch=int(r.get("epoch", 0)),
            epochs=int(r["epochs"]),
            fraction=float(r.get("fraction", 0.0)),
            history=tuple(r.get("history", ())),
            codes=None if codes is None else np.asarray(codes, np.float32),
            labels=None if codes is None else np.asarray(live["labels"]),
            codes_epoch=int(r.get("codes_epoch", 0)),
            class_names=tuple(r.get("class_names", ())),
            message=msg,
            worker_pid=r.get("worker_pid"),
            saved_path=r.get("saved_path"),
            metrics=dict(r.get("metrics", {})),
            recipe=dict(r["recipe"]),
            submitted=float(r["submitted"]),
            started=r.get("started"),
            finished=r.get("finished"),
        )

    # ------------------------------------------------------------ changing it

    def submit(
        self,
        recipe,
        name: str,
        dataset=None,
        overwrite: bool = True,
        scatter_every: int = 2,
        scatter_points: int = 1000,
    ) -> str:
        """Queue a training on the cluster (``dataset`` is ignored: the worker loads its own copy)."""
        from distributed import fire_and_forget

        from aecore.storage import library

        library.user_model_path(name)  # validates; raises with a readable message
        if not overwrite and library.user_model_path(name).exists():
            raise library.LibraryError(f"a model called '{name.strip()}' already exists; choose another name")
        c = self.counts()
        if c["queued"] >= self.queue_limit and c["running"] >= c["limit"]:
            raise J.ServerBusy(
                f"the class's trainings are busy: {c['running']} running and {c['queued']} waiting. "
                "Try again in a few minutes."
            )
        jid = f"job-{uuid.uuid4().hex[:10]}"
        rec = {
            "id": jid,
            "name": name.strip(),
            "state": J.QUEUED,
            "epochs": int(recipe.train.epochs),
            "recipe": recipe.to_dict(),
            "submitted": time.time(),
            "message": "Queued.",
            "replica": os.environ.get("LATENTLAB_REPLICA", ""),
        }
        self.client.set_metadata(["latentlab", "jobs", jid], rec)
        fut = self.client.submit(
            run_job,
            jid,
            recipe,
            name.strip(),
            overwrite,
            max(1, int(scatter_every)),
            scatter_points,
            key=_task_key(jid),
            pure=False,
        )
        fire_and_forget(fut)
        self._cache = (0.0, {})
        return jid

    def stop(self, job_id: str) -> None:
        """A running job stops at its next check (within a second) and saves its best model so far; a
        queued one is cancelled."""
        self.client.set_metadata(["latentlab", "stop", job_id], True)
        r = self._records(fresh=True).get(job_id)
        if r is not None and r.get("state") == J.QUEUED:
            from distributed import Future

            self.client.cancel([Future(_task_key(job_id), client=self.client)], force=True)
            r = dict(
                r,
                state=J.CANCELLED,
                finished=time.time(),
                message="Cancelled before it started; nothing was trained or saved.",
            )
            self.client.set_metadata(["latentlab", "jobs", job_id], r)
        self._cache = (0.0, {})

    def wait(self, job_id: str, timeout: float | None = None) -> J.JobSnapshot | None:
        """Block until the job has finished (tests and scripts, never pages)."""
        deadline = None if timeout is None else time.time() + timeout
        while True:
            snap = self.get(job_id)
            if snap is None or snap.is_finished or (deadline is not None and time.time() > deadline):
                return snap
            time.sleep(0.1)

    def counts(self) -> dict[str, int]:
        recs = self._records()
        return {
            "running": sum(1 for r in recs.values() if r.get("state") == J.RUNNING),
            "queued": sum(1 for r in recs.values() if r.get("state") == J.QUEUED),
            "limit": self._slots(),
        }

    def close(self) -> None:
        self.client.close()


def local_cluster(workers: int = 1, threads: int = 1, env: dict | None = None):
    """A Dask cluster on this machine for ``./run.sh serve`` and the tests: a scheduler in this
    process, ``workers`` worker processes (each restarted by its nanny if it dies) of ``threads``
    training slots each, loopback only, no dashboard; ``env`` is added to the workers' environment
    (where the models and data sets are)."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=threads,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,  # errors only: a lecture's terminal is not a log
        env={**{k: v for k, v in os.environ.items() if k.startswith(("LATENTLAB_", "AECORE_"))}, **(env or {})},
    )
