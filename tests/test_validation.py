"""Validation before use: a user's set that a demo cannot serve (one class, three rows, a class with no
test row) gets a message on the page saying what is needed, from one check
(aecore.analysis.requirements), never a ZeroDivisionError or a PCA error."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from aecore.analysis.requirements import held_out_classes, unfit_reason
from aecore.data import importing as I
from aecore.data.sets import load_dataset

ROOT = Path(__file__).resolve().parent.parent


def _png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(a, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _zip(path: Path, classes: dict[str, int]) -> Path:
    """A ZIP of 8×8 pictures, ``classes``: folder name → number of pictures."""
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as zf:
        for c, n in classes.items():
            for i in range(n):
                a = rng.random((8, 8)) * 60
                a[:, 3 + len(c) % 3] = 255  # each class its own bar
                zf.writestr(f"{c}/{i}.png", _png(a))
    return path


@pytest.fixture(scope="module")
def sets(tmp_path_factory) -> Path:
    """Tiny imported sets in a folder of their own: a one-folder ZIP, a 3-row CSV, two classes."""
    base = tmp_path_factory.mktemp("validation")
    folder = base / "datasets"
    I.import_file(_zip(base / "one.zip", {"cats": 24}), "one-class", size=8, folder=folder)
    I.import_file(_zip(base / "two.zip", {"cats": 12, "dogs": 12}), "two-class", size=8, folder=folder)
    _three_rows(folder)
    return folder


def _three_rows(folder: Path) -> None:
    """A 3-row table (2 training rows, 1 test row) as the importer wrote it before it asked for a
    minimum: such sets are on disk, and a model may be trained on one."""
    import json

    import torch
    from safetensors.torch import save

    x = torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.5, 0.5, 0.6]])
    meta = {"format": I.FORMAT, "version": "1", "name": "three-rows", "kind": "table", "image_shape": "null"}
    meta.update(class_names='["all"]', columns=json.dumps(["a", "b", "c"]), source="three.csv", extra="{}")
    tensors = {"x_train": x[:2], "y_train": torch.zeros(2, dtype=torch.int64), "x_test": x[2:]}
    tensors["y_test"] = torch.zeros(1, dtype=torch.int64)
    (folder / "three-rows.safetensors").write_bytes(save(tensors, metadata=meta))


@pytest.fixture
def env(sets, tmp_path, monkeypatch, user_models) -> Path:
    monkeypatch.setenv("LATENTLAB_DATASETS", str(sets))
    monkeypatch.setenv("LATENTLAB_CACHE", str(tmp_path / "cache"))
    return sets


def test_one_class_and_three_rows_cannot_hold_out_a_class(env):
    one = unfit_reason(load_dataset("one-class"), "anomaly-class")
    assert "at least 2 classes" in one and "has 1 class" in one and "one folder per class" in one
    three = unfit_reason(load_dataset("three-rows"), "anomaly-class")
    assert "at least 2 classes" in three
    assert unfit_reason(load_dataset("two-class"), "anomaly-class") is None
    assert unfit_reason(load_dataset("digits"), "anomaly-class") is None


def test_a_class_without_test_rows_cannot_be_held_out(env):
    ds = load_dataset("two-class")
    ds.y_test[:] = 0  # every test row is class 0: class 1 has nothing to flag
    assert held_out_classes(ds) == []  # holding out 0 leaves no in-distribution test row, 1 has none
    assert "no class of 'two-class'" in unfit_reason(ds, "anomaly-class")
    ds = load_dataset("two-class")
    assert held_out_classes(ds) == [0, 1]
    ds.y_test[ds.y_test == 1] = 0
    assert "cannot hold out 'dogs'" in unfit_reason(ds, "anomaly-class", cls=1)


def test_plane_and_picture_needs(env):
    three = load_dataset("three-rows")
    assert unfit_reason(three, "plane", latent_dim=2) is None  # a 2-D code: the code is the view
    msg = unfit_reason(three, "plane", latent_dim=16)
    assert "at least 12 training rows" in msg and "has 2" in msg
    assert "needs pictures" in unfit_reason(three, "denoise") and "is a table" in unfit_reason(three, "denoise")
    assert unfit_reason(load_dataset("digits"), "plane", latent_dim=16) is None


def _run(page: str, state: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "latentlab" / "ui" / "pages" / page), default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_anomalies_page_says_one_class_is_not_enough(env):
    at = _run("anomaly.py", {"an_data": "one-class"})
    assert not at.exception, at.exception
    assert any("at least 2 classes" in w.value for w in at.warning), [w.value for w in at.warning]


def test_anomalies_page_trains_a_small_set_with_measured_progress(env):
    at = _run("anomaly.py", {"an_data": "two-class", "an_class": 1})
    assert not at.exception, at.exception
    assert not at.error and not at.warning, [e.value for e in at.error] + [w.value for w in at.warning]
    assert [m.label for m in at.metric][:1] == ["AUC"]
    text = " ".join(m.value for m in at.markdown)
    assert "without class 'dogs'" in text and "about 10 s" not in text


def test_model_pages_say_the_set_is_too_small(env):
    from aecore.training.fit import TrainConfig
    from aecore.training.recipes import Recipe, train_recipe

    r = Recipe(dataset="three-rows", model="ae", latent_dim=16, train=TrainConfig(epochs=1, batch_size=4))
    train_recipe(r, out=Path(os.environ["LATENTLAB_MODELS"]) / "tiny-16d.safetensors")
    for page, key in (("explorer.py", "ex_model"), ("home.py", "home_model")):
        at = _run(page, {key: "tiny-16d"})
        assert not at.exception, (page, at.exception)
        assert any("at least 12 training rows" in w.value for w in at.warning), (page, [w.value for w in at.warning])


def test_detector_progress_is_epochs_done_and_measured_time_left(env):
    from aecore.analysis import anomaly

    seen = []
    anomaly.train_without_class(load_dataset("two-class"), 1, epochs=3, on_progress=lambda f, t: seen.append((f, t)))
    assert [f for f, _ in seen] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert seen[0][1].startswith("epoch 1/3 · ") and seen[-1][1].startswith("epoch 3/3 · almost done")


def _giant_png(side: int = 100_000) -> bytes:
    """A small PNG whose header claims ``side`` × ``side`` pixels (10¹⁰): Pillow refuses it with
    DecompressionBombError from the header alone."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "page,prefix,model_key", [("explorer.py", "ex", "ex_model"), ("home.py", "home", "home_model")]
)
def test_giant_picture_as_own_input_is_a_message_and_the_plane_stays(user_models, page, prefix, model_key):
    at = _run(
        page,
        {
            model_key: "digits-ae-2d",
            f"{prefix}_own": True,
            f"{prefix}_src": "own",
            f"_{prefix}_own_src": ("upload", _giant_png()),
        },
    )
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("This picture cannot be used" in e and "pixels" in e for e in errors), errors
    assert not any("DecompressionBomb" in e for e in errors), errors
    planes = [c for c in at.get("bidi_component") if c.proto.component_name == "latent_lab.latent_plane"]
    assert planes, "the latent plane is still drawn"
