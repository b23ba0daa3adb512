"""The training job manager: off-thread training, a bounded queue, stop keeps the best model,
divergence leaves an existing model intact."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

from aecore.data.sets import load_dataset
from aecore.storage.checkpoint import InvalidName, load_checkpoint
from aecore.storage.library import LibraryError, find_model
from aecore.training.fit import TrainConfig
from aecore.training.recipes import Recipe
from latentlab.server import jobs


@pytest.fixture(scope="module")
def tiny():
    """300 digits: a few ms per epoch."""
    ds = load_dataset("digits")
    return dataclasses.replace(
        ds, x_train=ds.x_train[:300], y_train=ds.y_train[:300], x_test=ds.x_test[:100], y_test=ds.y_test[:100]
    )


def recipe(epochs=3, lr=1e-3, model="ae", k=2):
    return Recipe(
        dataset="digits",
        model=model,
        latent_dim=k,
        hidden=(16,),
        train=TrainConfig(epochs=epochs, batch_size=64, lr=lr),
    )


def _wait_epoch(mgr, jid, epoch, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = mgr.get(jid)
        if len(s.history) >= epoch:
            return s
        time.sleep(0.01)
    raise AssertionError("job did not reach the epoch in time")


def test_job_trains_off_thread_reports_progress_and_saves(user_models, tiny):
    mgr = jobs.JobManager(max_concurrent=1)
    jid = mgr.submit(recipe(epochs=4, k=3), "tiny ae", dataset=tiny, scatter_every=2)
    assert mgr.get(jid).state in (jobs.RUNNING, jobs.DONE)  # submit returned without training inline
    s = mgr.wait(jid, 60)
    assert s.state == jobs.DONE, s.message
    assert s.fraction == 1.0 and s.epoch == 4
    assert [h["epoch"] for h in s.history] == [1, 2, 3, 4]
    assert all("val_loss" in h for h in s.history)
    assert s.codes.shape == (100, 2) and s.labels.shape == (100,) and s.codes_epoch == 4  # k=3 → PCA to 2-D
    assert "saved as 'tiny ae'" in s.message
    ck = load_checkpoint(user_models / "tiny ae.safetensors")
    assert ck.config.latent_dim == 3 and len(ck.history) == 4 and ck.metrics["test_loss"] > 0
    assert find_model("tiny ae").dataset == "digits"


@pytest.mark.parametrize("in_process", [True, False])
def test_training_runs_in_its_own_process_by_default(user_models, tiny, monkeypatch, in_process):
    """A child process does not share the server's GIL (a thread would, and slow every click);
    LATENTLAB_TRAIN_PROCESS=0 falls back to a thread. Both give a saved, loadable model."""
    import os

    monkeypatch.setenv("LATENTLAB_TRAIN_PROCESS", "1" if in_process else "0")
    mgr = jobs.JobManager()
    s = mgr.wait(mgr.submit(recipe(epochs=2), "where", dataset=tiny), 60)
    assert s.state == jobs.DONE, s.message
    assert (s.worker_pid != os.getpid()) if in_process else (s.worker_pid == os.getpid())
    assert load_checkpoint(s.saved_path).config.latent_dim == 2


def test_queue_has_positions_and_runs_in_order(user_models, tiny):
    mgr = jobs.JobManager(max_concurrent=1)
    a = mgr.submit(recipe(epochs=400), "a", dataset=tiny)
    b = mgr.submit(recipe(epochs=2), "b", dataset=tiny)
    c = mgr.submit(recipe(epochs=2), "c", dataset=tiny)
    sb, sc = mgr.get(b), mgr.get(c)
    assert mgr.get(a).state == jobs.RUNNING
    assert (sb.state, sb.queue_position, sc.queue_position) == (jobs.QUEUED, 1, 2)
    assert "busy" in sc.message and "queued, position 2" in sc.message
    assert mgr.counts() == {"running": 1, "queued": 2, "limit": 1}
    mgr.stop(c)  # a queued job is cancelled, nothing trained
    assert mgr.get(c).state == jobs.CANCELLED and mgr.get(b).queue_position == 1
    mgr.stop(a)
    assert mgr.wait(a, 60).state == jobs.STOPPED
    assert mgr.wait(b, 60).state == jobs.DONE
    assert not (user_models / "c.safetensors").exists()


def test_at_most_n_trainings_run_at_once(user_models, tiny):
    mgr = jobs.JobManager(max_concurrent=2)
    ids = [mgr.submit(recipe(epochs=400), f"n{i}", dataset=tiny) for i in range(3)]
    states = [mgr.get(i).state for i in ids]
    assert states == [jobs.RUNNING, jobs.RUNNING, jobs.QUEUED]
    for i in ids:
        mgr.stop(i)
    for i in ids:
        assert mgr.wait(i, 60).is_finished


def test_stop_keeps_the_best_model_so_far(user_models, tiny):
    mgr = jobs.JobManager(max_concurrent=1)
    jid = mgr.submit(recipe(epochs=500), "stopped", dataset=tiny)
    _wait_epoch(mgr, jid, 3)
    mgr.stop(jid)
    s = mgr.wait(jid, 60)
    assert s.state == jobs.STOPPED and "best model so far" in s.message
    ck = load_checkpoint(user_models / "stopped.safetensors")
    assert 3 <= len(ck.history) < 500
    best = min(h["val_loss"] for h in ck.history)
    assert ck.metrics["best_val_loss"] == pytest.approx(best)


def test_divergence_fails_readably_and_keeps_the_previous_model(user_models, tiny):
    mgr = jobs.JobManager(max_concurrent=1)
    good = mgr.wait(mgr.submit(recipe(epochs=2, model="vae"), "keep me", dataset=tiny), 60)
    assert good.state == jobs.DONE
    before = (user_models / "keep me.safetensors").read_bytes()
    s = mgr.wait(mgr.submit(recipe(epochs=5, lr=10.0, model="vae"), "keep me", dataset=tiny), 60)
    assert s.state == jobs.FAILED
    assert "learning rate" in s.message and "'keep me' is unchanged" in s.message, s.message
    assert "Traceback" not in s.message
    assert (user_models / "keep me.safetensors").read_bytes() == before
    assert [p.name for p in user_models.iterdir()] == ["keep me.safetensors"]  # no temp file left


def test_bad_names_fail_at_submit_not_after_training(user_models, tiny):
    mgr = jobs.JobManager(max_concurrent=1)
    for bad in ("", "../up", "a/b"):
        with pytest.raises(InvalidName):
            mgr.submit(recipe(), bad, dataset=tiny)
    with pytest.raises(LibraryError, match="read-only"):
        mgr.submit(recipe(), "digits-ae-2d", dataset=tiny)  # a shipped name
    assert mgr.counts()["queued"] == 0


def test_full_queue_says_busy(user_models, tiny):
    mgr = jobs.JobManager(max_concurrent=1, queue_limit=1)
    a = mgr.submit(recipe(epochs=400), "q1", dataset=tiny)
    b = mgr.submit(recipe(epochs=400), "q2", dataset=tiny)
    with pytest.raises(jobs.ServerBusy, match="busy"):
        mgr.submit(recipe(), "q3", dataset=tiny)
    mgr.stop(b)
    mgr.stop(a)
    assert mgr.wait(a, 60).is_finished


def test_settings(monkeypatch):
    monkeypatch.setenv("LATENTLAB_MAX_TRAININGS", "3")
    assert jobs.max_trainings() == 3 and jobs.JobManager().max_concurrent == 3
    monkeypatch.setenv("LATENTLAB_MAX_TRAININGS", "zero")
    assert jobs.max_trainings() == 1
    monkeypatch.setenv("LATENTLAB_MAX_TRAININGS", "0")
    assert jobs.max_trainings() == 1
    from latentlab.server import queue

    assert queue.manager() is queue.manager()
    assert isinstance(queue.manager(), queue.JobQueue) and isinstance(queue.manager(), jobs.JobManager)


def test_a_name_taken_while_training_keeps_both_models(user_models):
    """The name was free at submit; another training took it meanwhile: the new model is saved
    under the next free name and the other one is left as it was (nothing lost, nothing replaced)."""
    import torch

    from aecore.models import ModelConfig, build_model
    from aecore.storage.checkpoint import to_bytes

    torch.manual_seed(0)
    model = build_model(ModelConfig(family="ae", input_dim=64, latent_dim=2, hidden=[8], image_shape=[1, 8, 8]))
    data = to_bytes(model, "digits")
    first = jobs.conclude(
        {"kind": "result", "data": data, "stopped": False, "best_epoch": 1, "metrics": {"test_mse": 0.1}},
        "mine",
        False,
        1,
    )
    before = (user_models / "mine.safetensors").read_bytes()
    second = jobs.conclude(
        {"kind": "result", "data": data + b"", "stopped": False, "best_epoch": 2, "metrics": {"test_mse": 0.2}},
        "mine",
        False,
        2,
    )
    assert first["state"] == second["state"] == jobs.DONE
    assert "saved as 'mine-2' ('mine' was taken while it trained; that model is unchanged)" in second["message"]
    assert (user_models / "mine.safetensors").read_bytes() == before
    assert load_checkpoint(user_models / "mine-2.safetensors").name == "mine-2"


def _fake_prepare(conn) -> None:
    """Stands in for the lecture's preparation in a child process: two reports, then its summary."""
    import time as _t

    conn.send(("progress", 0.25, "toy manifolds"))
    _t.sleep(0.5)
    conn.send(("progress", 0.75, "UMAP"))
    conn.send(("done", 12, 5, 3.5))
    conn.close()


def _dies(conn) -> None:
    conn.send(("progress", 0.1, "starting"))
    os._exit(9)  # as the kernel's OOM killer would: no word sent


def test_preparing_the_lecture_is_one_background_job_with_progress(monkeypatch):
    from latentlab.server import child

    monkeypatch.setattr(child, "_prepare_child", _fake_prepare)
    monkeypatch.setattr(child, "_PREPARE", None)
    assert child.prepare_job() is None  # nothing asked yet
    job = child.prepare_job(start=True)
    assert child.prepare_job(start=True) is job  # a second tab joins the running one, starts nothing
    seen = []
    deadline = time.time() + 60
    while not job.done and time.time() < deadline:
        child.prepare_job()  # what the sidebar's poll does
        seen.append(job.fraction)
        time.sleep(0.05)
    assert job.result == {"ok": True, "items": 12, "cached": 5, "seconds": 3.5}
    assert seen == sorted(seen) and 0.25 in seen  # progress moved forward, and was seen on the way
    assert child.prepare_job(start=True) is not job  # once done, the button starts a new one


def test_a_child_job_that_dies_without_a_word_ends_with_a_message():
    from latentlab.server import child

    proc, conn = child._start_child(_dies, (), "latentlab-test")
    job = child.PrepareJob(proc=proc, conn=conn)
    deadline = time.time() + 60
    while not job.done and time.time() < deadline:
        job.poll()
        time.sleep(0.05)
    assert job.result["ok"] is False and "stopped unexpectedly" in job.result["message"]


def test_the_sidebar_can_poll_the_preparation_without_torch():
    """The preparation's status is read on every page, the lecture's first included (torch-free)."""
    import subprocess
    import sys

    code = (
        "import sys, latentlab.server.child as child, latentlab.ui.state; child.prepare_job();"
        " print('torch' in sys.modules)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stdout + r.stderr[-2000:]
