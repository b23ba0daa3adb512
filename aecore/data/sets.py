"""Data sets behind every page: one loader, one uniform object.

Images are stored flat, ``(N, D)`` float32 in [0, 1], with ``image_shape`` to reshape them;
point clouds are ``(N, d)`` with d = 2 or 3. Keeping every data set flat lets every model
family share one interface (conv models reshape internally).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aecore.data import toy
from aecore.data.dataset import Dataset
from aecore.errors import UserError
from aecore.storage.files import cache_folder


class DatasetUnavailable(RuntimeError):
    """A data set's files are missing and could not be downloaded. The message says how to get them."""


# ---------------------------------------------------------------- folders


def default_data_dir() -> Path:
    """Where image data sets live: ``$AECORE_DATA``, else the user cache folder."""
    return cache_folder("AECORE_DATA", "data")


# ---------------------------------------------------------------- loaders


def read_sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits as ``(data (1797, 64) in 0..16, target (1797,))``.

    Reads the CSV inside the installed scikit-learn directly: importing ``sklearn.datasets``
    costs seconds of start-up (scipy and friends) that a lecture's first page should not pay.
    Falls back to ``load_digits`` if the file moved.
    """
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        f = Path(loc) / "datasets" / "data" / "digits.csv.gz"
        if f.exists():
            arr = np.loadtxt(f, delimiter=",")
            return arr[:, :-1], arr[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data, d.target


def _digits(seed: int = 0, **_) -> Dataset:
    import torch

    # scikit-learn ships these 1,797 images inside the wheel: the always-offline default.
    data, target = read_sklearn_digits()
    x = torch.tensor(data / 16.0, dtype=torch.float32)  # (1797, 64) in [0, 1]
    y = torch.tensor(target, dtype=torch.int64)
    # A fixed, stratification-free permutation: the split must never depend on the caller's seed,
    # or a checkpoint's "test loss" would be measured on a different test set after reload.
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(1234))
    n_test = 360
    te, tr = perm[:n_test], perm[n_test:]
    return Dataset(
        name="digits",
        kind="image",
        x_train=x[tr],
        y_train=y[tr],
        x_test=x[te],
        y_test=y[te],
        class_names=[str(i) for i in range(10)],
        image_shape=(1, 8, 8),
        description="scikit-learn's bundled 8×8 handwritten digits (1,437 train / 360 test). Always offline.",
    )


_TV = {
    "mnist": ("MNIST", [str(i) for i in range(10)], "MNIST handwritten digits, 28×28 (60,000 train / 10,000 test)."),
    "fashion-mnist": (
        "FashionMNIST",
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        "Zalando's Fashion-MNIST clothing images, 28×28 (60,000 train / 10,000 test).",
    ),
}


def _how_to_get(name: str, root: Path) -> str:
    folder = _TV[name][0]
    return (
        f"The {name} data set is not in {root} and could not be downloaded (offline?).\n"
        f"To use it, either\n"
        f"  • run once with network access:  python -m aecore download {name}\n"
        f"  • or copy torchvision's layout by hand: {root}/{folder}/raw/"
        f"{{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte\n"
        f"  • or point the app at an existing folder:  export AECORE_DATA=/path/to/data\n"
        f"The built-in 'digits' data set and the toy data sets always work offline."
    )


def _read_idx(path: Path) -> np.ndarray:
    """Read an uncompressed IDX file (MNIST's format) without torchvision: 20× faster to import."""
    raw = path.read_bytes()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DatasetUnavailable(f"{path} is not an IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise DatasetUnavailable(f"{path} is truncated: expected {int(np.prod(dims))} values, found {data.size}")
    return data.reshape(dims)


def _torchvision_set(name: str, root: str | os.PathLike | None = None, download: bool = False, **_) -> Dataset:
    import torch

    folder, classes, desc = _TV[name]
    root = Path(root).expanduser() if root else default_data_dir()
    raw = root / folder / "raw"
    files = {s: (raw / f"{s}-images-idx3-ubyte", raw / f"{s}-labels-idx1-ubyte") for s in ("train", "t10k")}
    have = all(p.exists() for pair in files.values() for p in pair)
    if not have and download:
        try:  # torchvision knows the mirrors and checksums; only reached with network access.
            import torchvision.datasets as tvd

            getattr(tvd, folder)(root=str(root), train=True, download=True)
            getattr(tvd, folder)(root=str(root), train=False, download=True)
            have = True
        except Exception as exc:  # noqa: BLE001 - any failure means "not available", explained below
            raise DatasetUnavailable(_how_to_get(name, root) + f"\n(download failed: {exc})") from None
    if not have:
        raise DatasetUnavailable(_how_to_get(name, root))
    # The IDX files are exactly what torchvision.datasets.MNIST reads; parsing them directly
    # avoids a 2 s torchvision import on the app's start-up path.
    out = {}
    for split, (img_p, lab_p) in files.items():
        imgs = _read_idx(img_p)
        labs = _read_idx(lab_p)
        # Same float32 x / 255 as torchvision's ToTensor, but in torch: 10× faster than numpy's
        # astype + divide (1.1 s → 0.1 s for MNIST's train split), which the first page load pays.
        u8 = torch.from_numpy(np.array(imgs.reshape(len(imgs), -1)))  # writable uint8 copy
        out[split] = (u8.float().div_(255.0), torch.from_numpy(labs.astype(np.int64)))  # (N, 784), (N,)
    return Dataset(
        name=name,
        kind="image",
        x_train=out["train"][0],
        y_train=out["train"][1],
        x_test=out["t10k"][0],
        y_test=out["t10k"][1],
        class_names=list(classes),
        image_shape=(1, 28, 28),
        description=desc,
        meta={"root": str(root)},
    )


def _toy_loader(name: str) -> Callable[..., Dataset]:
    def load(seed: int = 0, n: int | None = None, noise: float | None = None, **_) -> Dataset:
        import torch

        spec = toy.TOYS[name]
        n = n or spec.n
        noise = spec.noise if noise is None else noise
        g = np.random.default_rng(seed)
        x, t = spec.fn(n, noise, g)  # (n, d), (n, m)
        n_test = max(1, n // 5)
        x = torch.tensor(x, dtype=torch.float32)
        t = torch.tensor(t, dtype=torch.float32)
        # Colour by position along the first intrinsic coordinate, in 6 bands: shows unfolding.
        edges = np.quantile(t[:, 0].numpy(), np.linspace(0, 1, 7)[1:-1])
        y = torch.tensor(np.searchsorted(edges, t[:, 0].numpy()), dtype=torch.int64)
        return Dataset(
            name=name,
            kind="points",
            x_train=x[n_test:],
            y_train=y[n_test:],
            x_test=x[:n_test],
            y_test=y[:n_test],
            class_names=[f"band {i + 1}" for i in range(6)],
            intrinsic_dim=spec.intrinsic_dim,
            t_train=t[n_test:],
            t_test=t[:n_test],
            description=spec.description,
            meta={"noise": noise, "n": n, "seed": seed},
        )

    return load


def _sensor_log(seed: int = 0, **_) -> Dataset:
    import torch

    from aecore.data import sensors

    log = sensors.sensor_log(seed)
    # As an imported table is (aecore.data.importing): each channel scaled to [0, 1] by its range
    # over the training rows (healthy ones); a faulty test reading may fall outside.
    lo, hi = log.x_train.min(0), log.x_train.max(0)
    scale = lambda a: torch.tensor((a - lo) / (hi - lo), dtype=torch.float32)  # noqa: E731
    return Dataset(
        name="sensor-log",
        kind="table",
        x_train=scale(log.x_train),
        y_train=torch.zeros(len(log.x_train), dtype=torch.int64),
        x_test=scale(log.x_test),
        y_test=torch.tensor(log.y_test),
        class_names=list(sensors.CLASS_NAMES),
        description="A pump's 12 sensors, driven by 3 hidden operating variables; healthy training rows, "
        "test rows with drift, stuck-sensor and broken-correlation faults (aecore.data.sensors).",
        # JSON-friendly: a model's checkpoint keeps its data set's meta.
        meta={"columns": list(sensors.CHANNELS), "fault_channel": log.channel_test.tolist(), "seed": seed},
    )


def _sprites(**_) -> Dataset:
    import torch

    from aecore.data import sprites

    x = torch.from_numpy(np.array(sprites.render_all()))  # (46080, 1024), a private copy
    t = torch.from_numpy(sprites.factor_grid())  # (46080, 5) factor indices
    tr, te = (torch.from_numpy(i) for i in sprites.split_indices())
    return Dataset(
        name="sprites",
        kind="image",
        x_train=x[tr],
        y_train=t[tr, 0],
        x_test=x[te],
        y_test=t[te, 0],
        class_names=list(sprites.SHAPES),
        image_shape=(1, sprites.SIZE, sprites.SIZE),
        t_train=t[tr],
        t_test=t[te],
        description="Procedural sprites with known factors: 3 shapes × 6 scales × 10 orientations × 16 × 16 "
        "positions, 32×32 (36,864 train / 9,216 test), after dSprites. Generated offline (aecore.data.sprites).",
        meta={"factor_names": list(sprites.FACTOR_NAMES), "factor_sizes": list(sprites.FACTOR_SIZES)},
    )


#: The built-in image data sets of the demo pages' pickers (the rest are point clouds and tables).
IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist")
#: Built-in image sets whose true generative factors are known: each row's factor indices are the
#: data set's ``t_*`` and their names ``meta["factor_names"]`` (the disentanglement page's sets).
FACTOR_DATASETS = ("sprites",)

LOADERS: dict[str, Callable[..., Dataset]] = {
    "digits": _digits,
    "mnist": lambda **kw: _torchvision_set("mnist", **kw),
    "fashion-mnist": lambda **kw: _torchvision_set("fashion-mnist", **kw),
    **{name: _toy_loader(name) for name in toy.TOYS},
    "sensor-log": _sensor_log,
    "sprites": _sprites,
}


def dataset_names() -> list[str]:
    """All data set names the loader knows, offline-safe ones first, then the imported ones
    (:mod:`aecore.data.importing`)."""
    from aecore.data.importing import list_user_datasets

    return list(LOADERS) + [d["name"] for d in list_user_datasets() if d["name"] not in LOADERS]


def dataset_kind(name: str) -> str | None:
    """``"image"``, ``"points"`` (the toy clouds) or ``"table"`` for a data set name, from the
    built-in lists or an imported set's header (nothing is loaded); ``None`` for an unknown name."""
    if name in IMAGE_DATASETS or name in FACTOR_DATASETS:
        return "image"
    if name in toy.TOYS:
        return "points"
    if name in LOADERS:
        return "table"
    from aecore.data.importing import user_dataset_kind

    return user_dataset_kind(name)


def is_image_dataset(name: str) -> bool:
    """True for a built-in image set (:data:`IMAGE_DATASETS`) or an imported set of pictures."""
    return dataset_kind(name) == "image"


#: Other spellings of the built-in sets: any case, "_" for "-", and these short names.
ALIASES = {"fashion": "fashion-mnist"}


class UnknownDataset(UserError, KeyError):
    """No data set of that name (built in or imported). A ``KeyError`` too, for older callers."""

    def __str__(self) -> str:  # KeyError would quote the whole sentence
        return str(self.args[0]) if self.args else ""


def builtin_key(name: str) -> str | None:
    """The built-in data set ``name`` means (``"MNIST"``, ``"fashion_mnist"`` and ``"fashion"`` are
    spellings of built-in sets), or ``None``."""
    if name in LOADERS:
        return name
    key = name.lower().replace("_", "-")
    key = ALIASES.get(key, key)
    return key if key in LOADERS else None


def reserved_dataset_names() -> tuple[str, ...]:
    """Names an imported data set may not take: the built-in sets and their aliases (the name check
    also refuses any spelling of them with other case or "_" for "-")."""
    return (*LOADERS, *ALIASES)


def describe_user_dataset(name: str) -> str | None:
    """One line about the imported data set ``name`` (where from, when, how big), for the question
    "replace it?"; ``None`` if there is none."""
    from datetime import datetime

    from aecore.data.importing import DataImportError, list_user_datasets, path_for

    for d in list_user_datasets():
        if d["name"] == name:
            try:
                when = datetime.fromtimestamp(path_for(name).stat().st_mtime).strftime("%Y-%m-%d %H:%M")
            except (DataImportError, OSError):
                when = "?"
            return f"imported from {d['source'] or '?'} on {when}, {d['n_train'] + d['n_test']:,} rows"
    return None


def load_dataset(
    name: str, root: str | os.PathLike | None = None, seed: int = 0, download: bool = False, **kwargs
) -> Dataset:
    """Load a data set by name.

    An imported set is found by its exact name, as listed (``my_set`` is ``my_set``); a built-in one
    also by another spelling (:func:`builtin_key`). ``root`` is the torchvision-layout folder for
    MNIST/Fashion-MNIST (else ``$AECORE_DATA``, else the user cache). ``download=True`` lets
    torchvision fetch missing files; offline this raises :class:`DatasetUnavailable` with
    instructions instead of a traceback. ``seed`` and ``n``/``noise`` only affect the toy point
    clouds. An unknown name raises :class:`UnknownDataset`.
    """
    if name not in LOADERS:
        from aecore.data.importing import load_user_dataset, user_dataset_kind

        # The exact name first: turning "_" into "-" here made every imported "my_set" unloadable.
        if user_dataset_kind(name):
            return load_user_dataset(name)
    key = builtin_key(name)
    if key is None:
        raise UnknownDataset(f"unknown data set {name!r}; choose one of: {', '.join(dataset_names())}")
    return LOADERS[key](root=root, seed=seed, download=download, **kwargs)


def is_available(name: str, root: str | os.PathLike | None = None) -> bool:
    """True if ``load_dataset(name)`` would succeed offline (a file check, no loading)."""
    if name not in LOADERS:
        from aecore.data.importing import user_dataset_kind

        if user_dataset_kind(name) is not None:
            return True
    key = builtin_key(name)
    if key not in _TV:
        return key is not None
    folder = _TV[key][0]
    raw = (Path(root).expanduser() if root else default_data_dir()) / folder / "raw"
    return all((raw / f"{s}-{k}-ubyte").exists() for s in ("train", "t10k") for k in ("images-idx3", "labels-idx1"))
