import json
import pickle
import struct

import pytest
import torch

from aecore.data.sets import load_dataset
from aecore.models import build_model, config_for
from aecore.storage.checkpoint import (
    FORMAT_VERSION,
    CheckpointError,
    InvalidName,
    from_bytes,
    load_checkpoint,
    path_for,
    read_metadata,
    safe_name,
    save_checkpoint,
    to_bytes,
)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build_model(config_for(load_dataset("digits"), "vae", 2, hidden=(16,)))


def test_round_trip_equal(model, tmp_path):
    p = save_checkpoint(
        tmp_path / "m", model, "digits", metrics={"test_loss": 1.5}, history=[{"epoch": 1}], train_config={"epochs": 1}
    )
    assert p.name == "m.safetensors"
    ck = load_checkpoint(tmp_path / "m")  # suffix optional
    assert ck.config == model.config and ck.dataset == "digits" and ck.metrics["test_loss"] == 1.5
    sd, sd2 = model.state_dict(), ck.model.state_dict()
    assert all(torch.equal(sd[k], sd2[k]) for k in sd)
    x = torch.rand(4, 64)
    model.eval()
    assert torch.equal(model.encode(x), ck.model.encode(x))
    assert read_metadata(p)["config"]["family"] == "vae"


def test_float16_storage_halves_size(model, tmp_path):
    a = save_checkpoint(tmp_path / "a", model, "digits")
    b = save_checkpoint(tmp_path / "b", model, "digits", dtype="float16")
    assert b.stat().st_size < 0.6 * a.stat().st_size
    ck = load_checkpoint(b)
    w = ck.model.state_dict()["encoder.0.weight"]
    assert w.dtype == torch.float32 and torch.allclose(w, model.state_dict()["encoder.0.weight"], atol=1e-3)


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _good(model):
    return to_bytes(model, "digits")


def _with_meta(model, **changes):
    """Rewrite the safetensors header's metadata of a valid checkpoint."""
    data = _good(model)
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header["__metadata__"].update(changes)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data[8 + n :]


def test_bad_files_give_clear_errors(model, tmp_path):
    good = _good(model)
    target = tmp_path / "pwned.txt"
    bad_cfg = model.config.to_dict()
    wrong_shape = {**bad_cfg, "hidden": [17]}
    cases = {
        "truncated": (good[: len(good) // 2], "truncated"),
        "empty": (b"", "empty"),
        "random": (bytes(range(256)) * 40, "wrong magic"),
        "pickle": (pickle.dumps(_Evil(str(target))), "pickle"),
        "torch-zip": (b"PK\x03\x04" + b"\0" * 100, "zip"),
        "future": (_with_meta(model, format_version=str(FORMAT_VERSION + 1)), "newer than this app"),
        "foreign": (_with_meta(model, format="something-else"), "not a Latent Lab checkpoint"),
        "shapes": (_with_meta(model, config=json.dumps(wrong_shape)), "shape mismatch"),
        "unknown-keys": (_with_meta(model, config=json.dumps({**bad_cfg, "x": 1})), "unknown keys"),
        "negative-k": (_with_meta(model, config=json.dumps({**bad_cfg, "latent_dim": -1})), "latent_dim"),
    }
    for name, (data, msg) in cases.items():
        with pytest.raises(CheckpointError, match=msg):
            from_bytes(data)
        (tmp_path / f"{name}.safetensors").write_bytes(data)
        with pytest.raises(CheckpointError):
            load_checkpoint(tmp_path / f"{name}.safetensors")
    assert not target.exists()  # the pickle's code never ran
    with pytest.raises(CheckpointError, match="too large"):
        from_bytes(good, max_bytes=100)


def test_names_cannot_escape(tmp_path):
    assert safe_name(" my model-1 ") == "my model-1"
    for bad, msg in [
        ("", "empty"),
        ("   ", "empty"),
        ("../evil", "slash|'..'"),
        ("a/b", "slash"),
        ("a\\b", "slash"),
        ("..", "'..'"),
        (".hidden", "not allowed"),
        ("x" * 80, "not allowed"),
    ]:
        with pytest.raises(InvalidName, match=msg):
            path_for(tmp_path, bad)
    assert path_for(tmp_path, "ok").parent == tmp_path.resolve()


def test_save_is_atomic_on_failure(model, tmp_path, monkeypatch):
    p = save_checkpoint(tmp_path / "m", model, "digits", metrics={"v": 1})
    import aecore.storage.checkpoint as C

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(C.os, "replace", boom)
    with pytest.raises(OSError):
        save_checkpoint(tmp_path / "m", model, "digits", metrics={"v": 2})
    monkeypatch.undo()
    assert load_checkpoint(p).metrics == {"v": 1}
    assert [f.name for f in tmp_path.iterdir()] == ["m.safetensors"]  # no temp file left behind


def test_a_header_length_that_looks_like_pickle_magic_still_loads(tmp_path):
    """A checkpoint whose header is, say, 896 bytes starts 80 03 00 …: a pickle's magic. It was refused
    as a pickle (seen when a config field grew the header by a few bytes)."""
    model = build_model(config_for(load_dataset("digits"), "ae", 2, hidden=(3,)))
    for pad in range(0, 1200):
        data = to_bytes(model, "digits", extra={"pad": "x" * pad})
        if data[0] == 0x80 and data[1] in (2, 3, 4, 5):  # what _sniff took for a pickle's magic
            break
    else:
        pytest.fail("could not make a header length of 0x0280-0x0580 bytes")
    (hlen,) = struct.unpack("<Q", data[:8])
    assert hlen % 256 == 0x80
    ck = from_bytes(data)
    assert ck.config.latent_dim == 2
