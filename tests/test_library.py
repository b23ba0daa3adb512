"""The user's library: rename and delete user models; shipped models are read-only; names are safe."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from aecore.models import ModelConfig, build_model
from aecore.storage.checkpoint import InvalidName, load_checkpoint, to_bytes
from aecore.storage.library import (
    LibraryError,
    delete_model,
    find_model,
    list_models,
    model_bytes,
    rename_model,
    save_model_bytes,
    shipped_names,
    user_model_path,
)


def _bytes(k: int = 2) -> bytes:
    torch.manual_seed(k)
    m = build_model(ModelConfig(family="ae", input_dim=64, latent_dim=k, hidden=(8,), image_shape=(1, 8, 8)))
    return to_bytes(m, "digits")


@pytest.fixture
def lib(tmp_path, user_models):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "digits-ae-2d.safetensors").write_bytes(_bytes(2))
    save_model_bytes("mine", _bytes(3), shipped=shipped)
    save_model_bytes("other", _bytes(4), shipped=shipped)
    return shipped, user_models


def test_rename_moves_the_file_and_keeps_its_content(lib):
    shipped, user = lib
    before = (user / "mine.safetensors").read_bytes()
    e = rename_model("mine", "mine v2", shipped=shipped)
    assert e.name == "mine v2" and (user / "mine v2.safetensors").read_bytes() == before
    assert not (user / "mine.safetensors").exists()
    assert find_model("mine v2", shipped, user).latent_dim == 3


def test_rename_never_overwrites(lib):
    shipped, user = lib
    other = (user / "other.safetensors").read_bytes()
    with pytest.raises(LibraryError, match="already exists"):
        rename_model("mine", "other", shipped=shipped)
    assert (user / "other.safetensors").read_bytes() == other and (user / "mine.safetensors").exists()


@pytest.mark.parametrize(
    "new, err",
    [
        ("digits-ae-2d", LibraryError),
        ("../x", InvalidName),
        ("a/b", InvalidName),
        ("", InvalidName),
        (".hidden", InvalidName),
    ],
)
def test_rename_refuses_bad_targets(lib, new, err):
    shipped, user = lib
    with pytest.raises(err):
        rename_model("mine", new, shipped=shipped)
    assert sorted(p.name for p in user.iterdir()) == ["mine.safetensors", "other.safetensors"]


def test_shipped_models_are_read_only(lib):
    shipped, user = lib
    before = (shipped / "digits-ae-2d.safetensors").read_bytes()
    with pytest.raises(LibraryError, match="read-only"):
        delete_model("digits-ae-2d", shipped=shipped)
    with pytest.raises(LibraryError, match="read-only"):
        rename_model("digits-ae-2d", "stolen", shipped=shipped)
    with pytest.raises(LibraryError, match="read-only"):
        save_model_bytes("digits-ae-2d", _bytes(5), shipped=shipped)
    assert (shipped / "digits-ae-2d.safetensors").read_bytes() == before
    assert shipped_names(shipped) == {"digits-ae-2d"}


def test_delete_removes_only_that_model(lib):
    shipped, user = lib
    delete_model("mine", shipped=shipped)
    assert [m.name for m in list_models(shipped, user)] == ["digits-ae-2d", "other"]
    with pytest.raises(LibraryError, match="no user model"):
        delete_model("mine", shipped=shipped)


def test_download_bytes_are_the_file(lib):
    shipped, user = lib
    assert model_bytes("other", shipped, user) == (user / "other.safetensors").read_bytes()
    assert load_checkpoint(user / "other.safetensors").config.latent_dim == 4


def test_user_model_path_stays_in_the_folder(lib):
    shipped, user = lib
    assert user_model_path("a b-c_d.1", shipped=shipped).parent == user.resolve()
    for bad in ("..", "../../etc/passwd", "/abs", "x\\y", " "):
        with pytest.raises(InvalidName):
            user_model_path(bad, shipped=shipped)


def test_stale_temp_files_are_removed_fresh_ones_kept(user_models):
    import os
    import time

    from aecore.storage.library import remove_stale_temp_files

    old, fresh = user_models / ".tmp-old.part", user_models / ".tmp-new.part"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert remove_stale_temp_files(user_models) == 1
    assert not old.exists() and fresh.exists()


def test_listing_follows_a_replaced_file(lib):
    """Listing caches each file's header by (path, mtime, size): a model retrained under the same
    name must show its new metadata at once, not the cached one."""
    shipped, _ = lib
    assert find_model("mine", shipped=shipped).latent_dim == 3
    save_model_bytes("mine", _bytes(5), shipped=shipped, overwrite=True)
    assert find_model("mine", shipped=shipped).latent_dim == 5


def test_the_library_page_renames_and_deletes_only_after_yes(user_models):
    """The page's flow (its state in one class, LibraryState): Rename… asks, Yes renames and picks the
    new name; Delete… asks, Cancel keeps the model, Yes deletes it."""
    from streamlit.testing.v1 import AppTest

    save_model_bytes("page-mine", _bytes(3))
    page = Path(__file__).resolve().parents[1] / "latentlab" / "ui" / "pages" / "library.py"
    at = AppTest.from_file(str(page), default_timeout=120)
    at.session_state["lib_model"] = "page-mine"
    at.run()
    at.text_input(key="lib_rename_to").input("page-renamed").run()
    at.button(key="lib_rename").click().run()
    assert at.session_state["lib_confirm"] == ("rename", "page-mine", "page-renamed")
    at.button(key="lib_yes").click().run()
    assert not at.exception
    assert find_model("page-renamed") is not None and at.session_state["lib_model"] == "page-renamed"
    assert any("Renamed 'page-mine' to 'page-renamed'" in s.value for s in at.success)
    at.button(key="lib_delete").click().run()
    at.button(key="lib_no").click().run()
    assert find_model("page-renamed") is not None  # cancelled: kept
    at.button(key="lib_delete").click().run()
    at.button(key="lib_yes").click().run()
    assert "page-renamed" not in [m.name for m in list_models()]
