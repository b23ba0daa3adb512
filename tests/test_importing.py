"""Bring a data set (aecore.data.importing, `python -m aecore import-data`): good files become data
sets that load and train; every hostile file is refused with its own message, through the function
and through the CLI, and leaves the data folder byte-identical."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecore import cli
from aecore.data import importing as I
from aecore.data.sets import LOADERS, dataset_names, is_image_dataset, load_dataset

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "datasets"
    monkeypatch.setenv("LATENTLAB_DATASETS", str(d))
    return d


def _png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(a, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _pictures(n_per_class: int = 10, size: int = 12, classes=("ring", "bar")) -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    out = {}
    for c in classes:
        for i in range(n_per_class):
            a = (rng.random((size, size)) * 60).astype(np.uint8)
            if c == "bar":
                a[:, size // 2 - 1 : size // 2 + 1] = 255
            else:
                a[2:-2, 2] = a[2:-2, -3] = a[2, 2:-2] = a[-3, 2:-2] = 255
            out[f"shapes/{c}/{i}.png"] = _png(a)
    return out


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*")} if folder.exists() else {}


# ---------------------------------------------------------------- good files


def test_a_csv_with_a_label_column_becomes_a_table(data_dir, tmp_path):
    rng = np.random.default_rng(0)
    rows = ["temp,pressure,flow,machine"] + [
        f"{20 + rng.normal():.3f},{1000 + 10 * rng.normal():.2f},{rng.random():.4f},{'AB'[i % 2]}" for i in range(50)
    ]
    (tmp_path / "log.csv").write_text("\n".join(rows) + "\n")
    rep = I.import_file(tmp_path / "log.csv", "plant-log", label="machine")
    assert rep.kind == "table" and rep.input_dim == 3 and rep.class_names == ["A", "B"]
    assert (rep.n_train, rep.n_test) == (40, 10)
    ds = load_dataset("plant-log")
    assert ds.kind == "table" and not ds.is_image and ds.x_train.shape == (40, 3)
    assert float(ds.x_train.min()) == 0.0 and float(ds.x_train.max()) == 1.0  # columns scaled on the train split
    assert "plant-log" in dataset_names() and not is_image_dataset("plant-log")


def test_a_zip_of_class_folders_becomes_pictures_that_train(data_dir, tmp_path, capsys):
    members = _pictures()
    members["shapes/bar/odd.png"] = _png(np.full((20, 9), 255))  # another size: resized, and said so
    path = _zip(tmp_path / "shapes.zip", members)
    assert cli.main(["import-data", str(path), "--name", "shapes", "--size", "16"]) == 0
    out = capsys.readouterr().out
    assert "16×16 grey pictures" in out and "2 different sizes" in out
    ds = load_dataset("shapes")
    assert ds.image_shape == (1, 16, 16) and ds.class_names == ["bar", "ring"] and is_image_dataset("shapes")
    assert len(ds.x_train) + len(ds.x_test) == 21
    out_model = tmp_path / "m"
    assert cli.main(["train", "--dataset", "shapes", "--epochs", "1", "--out", str(out_model), "--quiet"]) == 0
    assert out_model.with_suffix(".safetensors").exists()


def test_npy_and_npz_pictures_and_labels(data_dir, tmp_path):
    x = (np.random.default_rng(0).random((30, 8, 8)) * 255).astype(np.uint8)
    np.save(tmp_path / "a.npy", x)
    rep = I.import_file(tmp_path / "a.npy", "npy-pics")
    assert rep.kind == "image" and rep.image_shape == (1, 8, 8) and rep.class_names == ["all"]
    np.savez(tmp_path / "b.npz", x=x.reshape(30, 8, 8, 1).astype(np.float32) / 255, y=np.arange(30) % 3)
    rep = I.import_file(tmp_path / "b.npz", "npz-pics")
    assert rep.image_shape == (1, 8, 8) and rep.class_names == ["0", "1", "2"]
    ds = load_dataset("npz-pics")
    assert np.allclose(
        np.sort(np.r_[ds.x_train.numpy(), ds.x_test.numpy()].ravel()), np.sort(x.ravel() / 255), atol=1e-6
    )


# ---------------------------------------------------------------- hostile files


def _hostile(tmp: Path) -> dict[str, tuple[Path, dict, str]]:
    """name → (file, import options, a piece of its own message)."""

    def w(name: str, data: bytes) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name

    bomb = tmp / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("cats/a.png", "w") as f:
        for _ in range(300):  # 300 MB of zeros, ~300 kB compressed
            f.write(bytes(1 << 20))
    good = _pictures(2)
    obj = io.BytesIO()
    np.save(obj, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    npz = io.BytesIO()
    np.savez(npz, x=np.zeros((4, 3)), y=np.array([object(), 1], dtype=object))
    big = io.BytesIO()
    Image.new("1", (5000, 4000)).save(big, format="PNG")
    return {
        "empty file": (w("empty.csv", b""), {}, "empty"),
        "truncated zip": (w("cut.zip", _zip(tmp / "whole.zip", good).read_bytes()[:-60]), {}, "not a complete ZIP"),
        "zip bomb": (bomb, {}, "expands past 20 MB"),
        "dot-dot path": (_zip(tmp / "dots.zip", {"../../evil/a.png": good["shapes/bar/0.png"]}), {}, "points outside"),
        "absolute path": (_zip(tmp / "abs.zip", {"/etc/a.png": good["shapes/bar/0.png"]}), {}, "points outside"),
        "no images": (_zip(tmp / "txt.zip", {"cats/readme.txt": b"hello"}), {}, "no PNG or JPEG"),
        "renamed non-image": (
            _zip(tmp / "fake.zip", {"cats/a.png": b"#!/bin/sh\necho hi\n"}),
            {},
            "not a picture this app can read",
        ),
        "enormous image": (_zip(tmp / "huge.zip", {"cats/a.png": big.getvalue()}), {}, "5000 × 4000 pixels"),
        "text in numbers": (w("text.csv", b"a,b\n1,2\n3,oops\n"), {}, "not a number"),
        "nan": (w("nan.csv", b"a,b\n1,2\n3,nan\n"), {}, "finite"),
        "inf": (w("inf.csv", b"a,b\n1,inf\n3,4\n"), {}, "finite"),
        "one column": (w("one.csv", b"a\n1\n2\n3\n"), {}, "fewer than 2"),
        "no rows": (w("norows.csv", b"a,b,c\n"), {}, "no rows"),
        "id as label": (
            w("ids.csv", ("a,b,id\n" + "".join(f"{i},{i * 2},row{i}\n" for i in range(30))).encode()),
            {"label": "id"},
            "an id, not a class",
        ),
        "object npy": (w("obj.npy", obj.getvalue()), {}, "a pickle"),
        "pickled npz member": (w("obj.npz", npz.getvalue()), {}, "a pickle"),
        "escaping name": (w("fine.csv", b"a,b\n1,2\n3,4\n"), {"name": "../../etc/evil"}, "not allowed"),
        "built-in name": (w("fine2.csv", b"a,b\n1,2\n3,4\n"), {"name": "mnist"}, "built-in"),
        "other format": (w("notes.txt", b"1,2\n"), {}, "import a .csv"),
    }


HOSTILE = [
    "empty file",
    "truncated zip",
    "zip bomb",
    "dot-dot path",
    "absolute path",
    "no images",
    "renamed non-image",
    "enormous image",
    "text in numbers",
    "nan",
    "inf",
    "one column",
    "no rows",
    "id as label",
    "object npy",
    "pickled npz member",
    "escaping name",
    "built-in name",
    "other format",
]


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_files_are_refused_and_change_nothing(case, data_dir, tmp_path, capsys):
    # A data set already there: it must survive every refusal byte for byte.
    (tmp_path / "ok.csv").write_text("a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(I.MIN_ROWS)))
    I.import_file(tmp_path / "ok.csv", "kept")
    before = _snapshot(data_dir)
    path, opts, message = _hostile(tmp_path)[case]
    name = opts.pop("name", "newset")
    with pytest.raises(I.DataImportError, match=message):
        I.import_file(path, name, builtin=tuple(LOADERS), **opts)
    argv = ["import-data", str(path), "--name", name] + (["--label", opts["label"]] if "label" in opts else [])
    assert cli.main(argv) == 2
    assert message.lower() in capsys.readouterr().err.lower()
    assert _snapshot(data_dir) == before
    assert not list(data_dir.glob(".*"))  # no temporary file left behind


def test_a_file_over_the_size_limit_is_refused(data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(I, "MAX_FILE_BYTES", 100)
    (tmp_path / "big.csv").write_text("a,b\n" + "1,2\n" * 100)
    with pytest.raises(I.DataImportError, match="at most"):
        I.import_file(tmp_path / "big.csv", "big")
    assert _snapshot(data_dir) == {}


def _peak_rss_kb(argv: list[str], env: dict) -> tuple[int, int]:
    code = (
        "import resource, sys; from aecore import cli; rc = cli.main(sys.argv[1:]); "
        "print(rc, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, cwd=ROOT)
    rc, kb = out.stdout.split()[-2:]
    return int(rc), int(kb)


def test_a_zip_bomb_costs_no_more_memory_than_a_tiny_import(data_dir, tmp_path):
    import os

    env = {**os.environ, "LATENTLAB_DATASETS": str(data_dir)}
    tiny = _zip(tmp_path / "tiny.zip", _pictures())
    rc, base = _peak_rss_kb(["import-data", str(tiny), "--name", "tiny"], env)
    assert rc == 0
    bomb = _hostile(tmp_path)["zip bomb"][0]
    rc, peak = _peak_rss_kb(["import-data", str(bomb), "--name", "bomb"], env)
    assert rc == 2
    assert peak - base < 200 * 1024, f"the bomb's import peaked {(peak - base) / 1024:.0f} MB above a tiny import"


def test_csv_rows_can_be_pictures(data_dir, tmp_path):
    """MNIST's CSV copies: a label, then 784 grey levels 0-255 per row (28 x 28, row by row)."""
    rng = np.random.default_rng(0)
    pics = (rng.random((30, 28, 28)) * 256).astype(np.uint8)
    rows = ["label," + ",".join(f"p{i}" for i in range(784))]
    rows += [f"{i % 3}," + ",".join(map(str, p.ravel())) for i, p in enumerate(pics)]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    assert (
        cli.main(["import-data", str(tmp_path / "m.csv"), "--name", "mcsv", "--label", "label", "--pictures", "28x28"])
        == 0
    )
    ds = load_dataset("mcsv")
    assert ds.image_shape == (1, 28, 28) and is_image_dataset("mcsv") and ds.class_names == ["0", "1", "2"]
    both = np.sort(np.r_[ds.x_train.numpy(), ds.x_test.numpy()].ravel())
    assert np.allclose(both, np.sort(pics.ravel() / 255.0), atol=1e-6)
    with pytest.raises(I.DataImportError, match="not 27×27"):
        I.import_file(tmp_path / "m.csv", "bad", label="label", pictures="27x27")
