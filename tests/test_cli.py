import subprocess
import sys
from pathlib import Path

import pytest

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
    r = run(
        "train", "--dataset", "digits", "--model", "vae", "--epochs", "3", "--lr", "10", "--out", str(out), "--force"
    )
    assert r.returncode == 1 and "diverged" in r.stderr
    assert (tmp_path / "m.safetensors").read_bytes() == before


def test_info_names_a_vaes_bounds():
    info = run("info", "aecore/checkpoints/digits-vae-2d")
    assert info.returncode == 0, info.stderr
    lines = info.stdout.splitlines()
    elbo = [ln for ln in lines if ln.strip().startswith("−ELBO, nats per example")]
    iwae = [ln for ln in lines if ln.strip().startswith("IWAE bound on −log p(x), nats per example (K = 1,000)")]
    assert len(elbo) == 1 and len(iwae) == 1 and "bernoulli likelihood" in elbo[0]
    assert float(elbo[0].split()[-1]) > float(iwae[0].split()[-1]) > 0
    assert any("not the ELBO" in ln for ln in lines)  # the posterior-mean loss keeps its own name


# ---------------------------------------------------------------- names that round-trip, nothing replaced unasked
# In-process (aecore.cli.main, the same code as `python -m aecore`): no torch import per command.


def _csv(path, rows: int = 30):
    path.write_text("a,b,c,kind\n" + "".join(f"{i},{(i * 7) % 5},{i % 3},k{i % 2}\n" for i in range(rows)))
    return path


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENTLAB_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("LATENTLAB_DATASETS", str(tmp_path / "sets"))
    return tmp_path / "models", tmp_path / "sets"


def test_the_train_command_import_data_prints_works_for_a_name_with_underscores(folders, tmp_path, capsys):
    from aecore import cli
    from aecore.storage.library import find_model

    assert cli.main(["import-data", str(_csv(tmp_path / "m.csv")), "--name", "my_set", "--label", "kind"]) == 0
    printed = capsys.readouterr().out.split("Train on it: python -m aecore ")[1].split()
    assert printed == ["train", "--dataset", "my_set", "--name", "my_set-ae-2d"]
    assert cli.main([*printed, "--epochs", "1", "--hidden", "4", "--quiet"]) == 0
    assert find_model("my_set-ae-2d").dataset == "my_set"  # listed, with its data set's own name
    # Without --name the set is named after its file, as the Data sets page proposes.
    assert cli.main(["import-data", str(_csv(tmp_path / "Sensor Log_2.csv")), "--label", "kind"]) == 0
    assert "Imported 'sensor-log_2'" in capsys.readouterr().out


def test_cli_never_replaces_a_model_or_a_data_set_without_force(folders, tmp_path, capsys):
    from aecore import cli

    models, sets = folders
    csv = _csv(tmp_path / "m.csv")
    assert cli.main(["import-data", str(csv), "--name", "kept", "--label", "kind"]) == 0
    train = ["train", "--dataset", "kept", "--name", "mine", "--epochs", "1", "--hidden", "4", "--quiet"]
    assert cli.main(train) == 0
    model, data = (models / "mine.safetensors").read_bytes(), (sets / "kept.safetensors").read_bytes()
    capsys.readouterr()

    assert cli.main([*train, "--latent-dim", "3"]) == 2
    err = capsys.readouterr().err
    assert "a model called 'mine' already exists (ae, k=2, trained on kept" in err and "--force" in err
    assert cli.main(["import-data", str(_csv(tmp_path / "n.csv", 40)), "--name", "kept", "--label", "kind"]) == 2
    assert "'kept' exists already" in capsys.readouterr().err
    assert (models / "mine.safetensors").read_bytes() == model and (sets / "kept.safetensors").read_bytes() == data

    assert cli.main([*train, "--latent-dim", "3", "--force"]) == 0
    assert (
        cli.main(["import-data", str(_csv(tmp_path / "n.csv", 40)), "--name", "kept", "--label", "kind", "--force"])
        == 0
    )
    from aecore.data.sets import load_dataset
    from aecore.storage.library import find_model

    assert find_model("mine").latent_dim == 3 and len(load_dataset("kept").x_train) == 32


def test_cli_refuses_a_name_it_cannot_use_at_the_door(folders, capsys):
    from aecore import cli

    assert cli.main(["train", "--dataset", "digits", "--name", "../escape", "--epochs", "1"]) == 2
    assert "not allowed" in capsys.readouterr().err
    assert cli.main(["train", "--dataset", "digits", "--name", "digits-ae-2d", "--epochs", "1"]) == 2  # shipped
    assert "read-only" in capsys.readouterr().err
