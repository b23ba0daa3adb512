"""Hostile uploads: every bad file is rejected with its own clear message, the library is unchanged,
and nothing in a file ever runs."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import random
import struct

import pytest
import torch

from aecore.models import ModelConfig, build_model
from aecore.storage.checkpoint import CheckpointError, InvalidName, to_bytes
from aecore.storage.library import LibraryError, list_models, save_upload, validate_upload

MARKER_NAME = "pwned-by-pickle.txt"


def _model(k: int = 2):
    torch.manual_seed(0)
    return build_model(ModelConfig(family="ae", input_dim=64, latent_dim=k, hidden=(16,), image_shape=(1, 8, 8)))


def _good() -> bytes:
    return to_bytes(_model(), "digits", metrics={"test_loss": 0.1})


def _with_meta(data: bytes, **changes) -> bytes:
    """Rewrite a safetensors header's metadata (tensor offsets stay valid: only the header changes)."""
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + hlen])
    header["__metadata__"].update({k: v for k, v in changes.items()})
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data[8 + hlen :]


def _config_meta(**cfg_changes) -> str:
    cfg = _model().config.to_dict()
    cfg.update(cfg_changes)
    return json.dumps(cfg)


def _evil_pickle(path: str, protocol: int) -> bytes:
    class Writes:
        def __reduce__(self):
            # pathlib.Path(path).write_text("pwned") when unpickled
            import pathlib

            return (pathlib.Path.write_text, (pathlib.Path(path), "pwned"))

    return pickle.dumps(Writes(), protocol=protocol)


def _torch_save_zip() -> bytes:
    buf = io.BytesIO()
    torch.save(_model().state_dict(), buf)
    return buf.getvalue()


def _corpus(tmp_path) -> dict[str, tuple[str, bytes, str]]:
    """case → (upload name, bytes, a phrase its error message must contain)."""
    good = _good()
    marker = str(tmp_path / MARKER_NAME)
    other = to_bytes(build_model(ModelConfig(family="ae", input_dim=64, latent_dim=3, hidden=(16,))), "digits")
    wrong_shapes = _with_meta(other, config=_config_meta())  # k=3 weights, k=2 config
    return {
        "truncated": ("trunc", good[: len(good) // 2], "truncated"),
        "zero bytes": ("empty-file", b"", "empty"),
        "random bytes": ("random", b"\x17" + random.Random(0).randbytes(4095), "unrecognised header"),
        "pickle (protocol 4) that writes a file": ("evil4", _evil_pickle(marker, 4), "pickle"),
        "pickle (protocol 2) that writes a file": ("evil2", _evil_pickle(marker, 2), "pickle"),
        "pickle (protocol 0) that writes a file": ("evil0", _evil_pickle(marker, 0), "old protocol"),
        "torch.save zip": ("torchsave", _torch_save_zip(), "zip archive"),
        "wrong magic": ("magic", b"\x89PNG\r\n\x1a\n" + os.urandom(200), "PNG image"),
        "future format version": ("future", _with_meta(good, format_version="99"), "newer than this app"),
        "not a Latent Lab checkpoint": ("foreign", _with_meta(good, format="something-else"), "not a Latent Lab"),
        "shapes do not match the config": ("shapes", wrong_shapes, "shape mismatch"),
        "config with unknown keys": (
            "unknown-keys",
            _with_meta(good, config=_config_meta(evil="rm -rf /")),
            "unknown keys",
        ),
        "negative latent size": (
            "negative-k",
            _with_meta(good, config=_config_meta(latent_dim=-2)),
            "latent_dim must be a positive integer",
        ),
        "config is not JSON": ("bad-json", _with_meta(good, config="{not json"), "not valid JSON"),
        "oversize": ("huge", good + b"\0" * (2 * 1024 * 1024), "too large"),
        "name with ../": ("../escape", good, "'..'"),
        "name with /": ("sub/dir", good, "slash"),
        "empty name": ("   ", good, "empty"),
        "shipped name": ("digits-ae-2d", good, "read-only"),
    }


def _snapshot(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def library(tmp_path, user_models, monkeypatch):
    """A user folder with one model already in it, a 1 MB upload limit and an empty shipped folder
    holding one reserved name."""
    monkeypatch.setenv("LATENTLAB_MAX_UPLOAD_MB", "1")
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "digits-ae-2d.safetensors").write_bytes(_good())
    save_upload("existing", _good(), shipped=shipped)
    return shipped, user_models


def test_hostile_corpus_each_rejected_with_its_own_message(tmp_path, library):
    shipped, user = library
    corpus = _corpus(tmp_path)
    assert len(corpus) >= 12
    before_user, before_shipped = _snapshot(user), _snapshot(shipped)
    messages = {}
    for case, (name, data, phrase) in corpus.items():
        with pytest.raises((CheckpointError, InvalidName, LibraryError)) as info:
            save_upload(name, data, shipped=shipped)
        msg = str(info.value)
        assert phrase.lower() in msg.lower(), f"{case}: message {msg!r} lacks {phrase!r}"
        messages[case] = msg
        # Nothing changed: no new file (not even a temporary one), nothing replaced.
        assert _snapshot(user) == before_user, case
        assert _snapshot(shipped) == before_shipped, case
    # Each kind of bad file gets its own message (only the two protocol-≥2 pickles share one).
    assert messages["pickle (protocol 4) that writes a file"] == messages["pickle (protocol 2) that writes a file"]
    assert len(set(messages.values())) == len(messages) - 1, messages
    # No code from any file ran: the pickle's file never appeared, anywhere we can see.
    assert not (tmp_path / MARKER_NAME).exists()
    assert not list(tmp_path.rglob(MARKER_NAME))
    assert [m.name for m in list_models(shipped, user)] == ["digits-ae-2d", "existing"]


def test_the_evil_pickle_really_would_write_the_file(tmp_path):
    """Guard against a corpus that proves nothing: unpickling it (here, deliberately) does write."""
    marker = tmp_path / "proof.txt"
    pickle.loads(_evil_pickle(str(marker), 4))
    assert marker.read_text() == "pwned"


def test_upload_limit_comes_from_the_setting(monkeypatch):
    data = _good()
    monkeypatch.setenv("LATENTLAB_MAX_UPLOAD_MB", str(len(data) / 1024 / 1024 / 2))
    with pytest.raises(CheckpointError, match="too large"):
        validate_upload(data)
    monkeypatch.setenv("LATENTLAB_MAX_UPLOAD_MB", "5")
    assert validate_upload(data).config.latent_dim == 2


def test_a_good_upload_is_added_and_loads(library):
    shipped, user = library
    e = save_upload("my upload.safetensors", _good(), shipped=shipped)
    assert e.name == "my upload" and not e.readonly
    assert (user / "my upload.safetensors").is_file()
    with pytest.raises(LibraryError, match="already exists"):
        save_upload("my upload", _good(), shipped=shipped)
