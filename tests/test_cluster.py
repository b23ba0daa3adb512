"""The lecture hall's training queue (latentlab.server.cluster) on a real local Dask cluster: a training submitted
through one replica's manager is seen, with its progress, by another's; the class's queue has one
order; killing the worker mid-training restarts the job without a half-written checkpoint, and the
queue goes on."""

from __future__ import annotations

import os
import signal
import time

import pytest

from aecore.storage.checkpoint import load_checkpoint
from aecore.training.fit import TrainConfig
from aecore.training.recipes import Recipe
from latentlab.server import jobs

distributed = pytest.importorskip("distributed")


def recipe(epochs: int, hidden=(16,)) -> Recipe:
    return Recipe(
        dataset="digits", model="ae", latent_dim=2, hidden=hidden, train=TrainConfig(epochs=epochs, batch_size=64)
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from latentlab.server.cluster import local_cluster

    models = tmp_path_factory.mktemp("cluster-models")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LATENTLAB_MODELS", str(models))  # the replicas (this process) validate names there
        with local_cluster(1, 1, env={"LATENTLAB_MODELS": str(models), "LATENTLAB_TRAIN_THREADS": "1"}) as c:
            yield c, models


def _managers(cluster):
    from latentlab.server.cluster import ClusterJobManager

    c, _ = cluster
    return ClusterJobManager(c.scheduler_address), ClusterJobManager(c.scheduler_address)


def _until(pred, timeout=120.0, every=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(every)
    raise AssertionError("timed out")


def test_a_training_from_replica_a_is_seen_on_replica_b_and_the_queue_is_one(cluster):
    a, b = _managers(cluster)
    from latentlab.server.queue import JobQueue

    assert isinstance(a, JobQueue)  # the same interface as the local queue
    try:
        first = a.submit(recipe(300), "hall-first", scatter_every=1, scatter_points=100)
        second = b.submit(recipe(2), "hall-second")  # another replica, the same queue
        # Replica B sees A's training running, epoch by epoch, with its live codes.
        s = _until(
            lambda: (x := b.get(first)) and x.state == jobs.RUNNING and x.epoch >= 1 and x.codes is not None and x
        )
        assert s.name == "hall-first" and s.codes.shape == (100, 2)
        q = a.get(second)
        assert q.state == jobs.QUEUED and q.queue_position == 1  # one slot: the second waits, on both
        assert [j.id for j in b.jobs()][:2] == [first, second]
        b.stop(first)  # a stop asked on B reaches the worker running A's job
        done = a.wait(first, 120)
        assert done.state == jobs.STOPPED and "saved as 'hall-first'" in done.message
        assert b.wait(second, 120).state == jobs.DONE  # the queue went on
        for name in ("hall-first", "hall-second"):
            assert load_checkpoint(cluster[1] / f"{name}.safetensors").config.latent_dim == 2
    finally:
        a.close()
        b.close()


def test_killing_the_worker_mid_training_restarts_the_job_and_leaves_no_half_file(cluster):
    a, b = _managers(cluster)
    models = cluster[1]
    try:
        jid = a.submit(recipe(300, hidden=(64,)), "hall-killed")
        s = _until(lambda: (x := a.get(jid)) and x.state == jobs.RUNNING and x.epoch >= 1 and x)
        os.kill(s.worker_pid, signal.SIGKILL)  # the training's worker dies mid-epoch
        # Its nanny starts a new worker and the scheduler runs the job again; the page says so.
        again = _until(lambda: (x := b.get(jid)) and x.worker_pid != s.worker_pid and x.epoch >= 1 and x)
        assert again.state == jobs.RUNNING and "restarted" in again.message.lower()
        assert not list(models.glob("hall-killed*"))  # nothing half-written while it trains
        b.stop(jid)
        end = a.wait(jid, 180)
        assert end.state in (jobs.STOPPED, jobs.DONE), end.message
        load_checkpoint(models / "hall-killed.safetensors")  # one whole file
        later = b.submit(recipe(1), "hall-after")  # and the queue goes on
        assert a.wait(later, 120).state == jobs.DONE
    finally:
        a.close()
        b.close()
