"""The job queue's one interface, and the one queue of this server process.

Two queues implement :class:`JobQueue`: :class:`latentlab.server.jobs.JobManager` (threads in this process; the
default) and :class:`latentlab.server.cluster.ClusterJobManager` (the lecture hall's shared Dask cluster, when
``$LATENTLAB_DASK`` names one). Pages ask :func:`manager` and use only what this interface says, so
they never know which one runs their job. This module sits above both: neither imports the other
(jobs.py is the local queue and the job's body; cluster.py reuses that body on the workers).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from aecore.data.sets import Dataset
    from aecore.training.recipes import Recipe
    from latentlab.server.jobs import JobSnapshot


@runtime_checkable
class JobQueue(Protocol):
    """Trainings queued, run a few at a time, watched and stopped by id."""

    def submit(
        self,
        recipe: Recipe,
        name: str,
        dataset: Dataset | None = None,
        overwrite: bool = True,
        scatter_every: int = 2,
        scatter_points: int = 1000,
    ) -> str:
        """Queue a training of ``recipe`` saved as the user model ``name``; return the job id.
        Refuses a bad name at once, and raises :class:`latentlab.server.jobs.ServerBusy` when the queue is full."""
        ...

    def get(self, job_id: str) -> JobSnapshot | None:
        """A snapshot of the job (state, progress, curves, result), or ``None`` for an unknown id."""
        ...

    def stop(self, job_id: str) -> None:
        """Stop a job: a running one saves its best model so far, a queued one is cancelled."""
        ...

    def wait(self, job_id: str, timeout: float | None = None) -> JobSnapshot | None:
        """Block until the job has finished (tests and scripts; never a page)."""
        ...

    def jobs(self) -> list[JobSnapshot]:
        """Every job known: queued and running first, then finished ones."""
        ...

    def counts(self) -> dict[str, int]:
        """``{"running": n, "queued": m, "limit": N}`` for a status line."""
        ...


_MANAGER: JobQueue | None = None
_LOCK = threading.Lock()


def manager() -> JobQueue:
    """The one job queue of this server process (made on first use): the lecture hall's shared queue
    (:class:`latentlab.server.cluster.ClusterJobManager`) when ``$LATENTLAB_DASK`` names a cluster, else this
    process's own :class:`latentlab.server.jobs.JobManager`."""
    global _MANAGER
    with _LOCK:
        if _MANAGER is None:
            from latentlab.server.cluster import ClusterJobManager, cluster_address
            from latentlab.server.jobs import JobManager

            address = cluster_address()
            _MANAGER = ClusterJobManager(address) if address else JobManager()
        return _MANAGER
