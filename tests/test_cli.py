import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "aecore", *args], cwd=ROOT, capture_output=True, text=True, timeout=300, **kw
    )


def test_train_then_info(tmp_path):
    out = tmp_path / "x"
    r = run("train", "--dataset", "digits", "--model", "ae", "--latent-dim", "2", "--epochs", "3", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "3/3" in r.stderr  # the progress bar reached the end
    assert (tmp_path / "x.safetensors").exists()
    info = run("info", str(out))
    assert info.returncode == 0, info.stderr
    assert "family" in info.stdout and "digits" in info.stdout and "metric.test_loss" in info.stdout


def test_info_on_garbage_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x80\x04garbage")
    r = run("info", str(bad))
    assert r.returncode == 1 and "pickle" in r.stderr and "Traceback" not in r.stderr


def test_missing_dataset_is_a_clear_error(tmp_path):
    import os

    r = run(
        "train",
        "--dataset",
        "mnist",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "m"),
        env={**os.environ, "AECORE_DATA": str(tmp_path)},
    )
    assert r.returncode == 2 and "python -m aecore download mnist" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "m.safetensors").exists()


def test_diverging_run_leaves_existing_checkpoint_intact(tmp_path):
    out = tmp_path / "m"
    assert run("train", "--dataset", "digits", "--epochs", "1", "--out", str(out), "--quiet").returncode == 0
    before = (tmp_path / "m.safetensors").read_bytes()
    r = run("train", "--dataset", "digits", "--model", "vae", "--epochs", "3", "--lr", "10", "--out", str(out))
    assert r.returncode == 1 and "diverged" in r.stderr
    assert (tmp_path / "m.safetensors").read_bytes() == before


def test_info_names_a_vaes_bounds():
    info = run("info", "checkpoints/digits-vae-2d")
    assert info.returncode == 0, info.stderr
    lines = info.stdout.splitlines()
    elbo = [ln for ln in lines if ln.strip().startswith("−ELBO, nats per example")]
    iwae = [ln for ln in lines if ln.strip().startswith("IWAE bound on −log p(x), nats per example (K = 1,000)")]
    assert len(elbo) == 1 and len(iwae) == 1 and "bernoulli likelihood" in elbo[0]
    assert float(elbo[0].split()[-1]) > float(iwae[0].split()[-1]) > 0
    assert any("not the ELBO" in ln for ln in lines)  # the posterior-mean loss keeps its own name
