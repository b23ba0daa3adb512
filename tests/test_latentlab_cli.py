"""``latent-lab``, the one command (latentlab/cli.py): its sub-commands, the app's command line, and
where user files go on each platform. The installed wheel, run from an empty folder, is
tests/browser/test_wheel_browser.py."""

import subprocess
import sys
from pathlib import Path

import pytest

from aecore.storage import files
from latentlab import cli
from latentlab.server.static import APP_SCRIPT, STATIC_DIR


def test_every_command_the_issue_names_is_there(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for cmd in ("app", "serve", "prepare", "train", "import-data", "info"):
        assert cmd in out


def test_model_commands_are_aecores(tmp_path, capsys):
    """info runs the toolkit's own code (the same as python -m aecore info)."""
    ck = Path(files.__file__).resolve().parents[1] / "checkpoints" / "digits-ae-2d.safetensors"
    assert cli.main(["info", str(ck)]) == 0
    assert "digits" in capsys.readouterr().out


def test_unknown_options_are_refused_except_where_passed_on(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["info", "x", "--server.port", "1"])
    assert e.value.code == 2 and "unrecognized arguments" in capsys.readouterr().err


def test_app_runs_the_packaged_script_from_any_folder():
    cmd = cli.app_command(8600, ["--server.address", "0.0.0.0"])
    assert cmd[1:5] == ["-m", "streamlit", "run", str(APP_SCRIPT)] and Path(cmd[4]).is_absolute()
    assert cmd[cmd.index("--server.headless") + 1] == "true"  # no e-mail prompt on a first run
    assert cmd[cmd.index("--server.port") + 1] == "8600" and cmd[-2:] == ["--server.address", "0.0.0.0"]
    # What Streamlit reads beside its main script travels with it.
    assert (APP_SCRIPT.parent / ".streamlit" / "config.toml").is_file()
    assert (APP_SCRIPT.parent / "assets" / "icon.png").is_file()
    assert STATIC_DIR.parent == APP_SCRIPT.parent
    assert cli._port_of(["--server.port=9000"], None) == 9000 and cli._port_of([], None) == 8501


def test_a_static_folder_it_cannot_write_is_a_sentence_not_a_traceback(monkeypatch, tmp_path, capsys):
    blocker = tmp_path / "site-packages"
    blocker.write_text("a file where the app's folder should be")  # unwritable even for root (CI)
    monkeypatch.setattr(cli, "STATIC_DIR", blocker / "static")
    assert cli.static_writable() is not None
    assert cli.main(["app"]) == 2
    err = capsys.readouterr().err
    assert "virtual environment" in err and str(blocker / "static") in err and "Traceback" not in err


def test_python_dash_m_latentlab_is_the_same_command(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "latentlab", "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and r.stdout.strip()


@pytest.mark.parametrize(
    "platform,env,expected",
    [
        ("linux", {}, "{home}/.cache/latent-lab"),
        ("darwin", {}, "{home}/Library/Application Support/latent-lab"),
        ("win32", {"LOCALAPPDATA": "{home}/AppData/Local"}, "{home}/AppData/Local/latent-lab"),
        ("darwin", {"XDG_CACHE_HOME": "{home}/xdg"}, "{home}/xdg/latent-lab"),  # an explicit choice wins
    ],
)
def test_user_files_go_to_the_platforms_folder(monkeypatch, tmp_path, platform, env, expected):
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("HOME", str(tmp_path))
    for k in ("XDG_CACHE_HOME", "LOCALAPPDATA", "LATENTLAB_MODELS"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v.format(home=tmp_path))
    assert files.user_folder() == Path(expected.format(home=tmp_path))
    assert files.cache_folder("LATENTLAB_MODELS", "models") == Path(expected.format(home=tmp_path)) / "models"
