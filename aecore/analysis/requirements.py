"""What each demo needs of a data set, and the one check that says why a set cannot serve it.

A user's own set may be anything: a ZIP with one folder is "1 class", a 3-row CSV has 2 training rows
and 1 test row, a class may have no test row at all (the test split is a random fifth). The pages
used to find out by failing (``ZeroDivisionError`` on the Anomalies page, "PCA to 2-D needs k ≥ 2"
on a plane). Each demo's needs are written down here once, and :func:`unfit_reason` turns a set that
falls short into a sentence that says what is missing and what to do; the pages show it instead of
running. Torch-free: it reads only sizes and labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Codes a k > 2 model's density needs: :class:`aecore.analysis.density.NearestCodeDensity` (m = 10
#: neighbours) needs more than m + 1 training codes.
MIN_DENSITY_CODES = 12


@dataclass(frozen=True)
class Needs:
    """A demo's needs: the kinds of data it draws, at least ``classes`` classes, ``train_rows``
    training and ``test_rows`` test rows. ``held_out``: one class is held out of training (the
    anomaly detector), so that class needs test rows and the others training and test rows."""

    demo: str  # how the page is named in the message
    kinds: tuple[str, ...] = ("image", "table", "points")
    classes: int = 1
    train_rows: int = 1
    test_rows: int = 1
    held_out: bool = False
    why_classes: str = ""  # why it needs that many classes, for the message


#: Every demo that takes a user's set (or a model trained on one), by the key a page passes.
NEEDS = {
    "anomaly-class": Needs(
        "The held-out-class anomaly detector",
        classes=2,
        train_rows=2,
        test_rows=2,
        held_out=True,
        why_classes="it trains on all classes but one and asks whether the one left out looks unusual",
    ),
    # A k > 2 code: its density needs MIN_DENSITY_CODES training codes, its PCA view a few test codes.
    "plane": Needs("A latent plane of this model's codes", train_rows=MIN_DENSITY_CODES, test_rows=3),
    # A 1- or 2-D code: a kernel density and the code itself as the view, fine on a few rows.
    "plane-2d": Needs("A latent plane of this model's codes", train_rows=2, test_rows=1),
    # Codes as features (aecore.analysis.probes): classifiers and k-means scored against the labels.
    "features": Needs(
        "Codes as features",
        kinds=("image", "table"),
        classes=2,
        train_rows=10,
        test_rows=10,
        why_classes="its classifiers and clusters are scored against the classes",
    ),
    "denoise": Needs("The Denoising page", kinds=("image",), test_rows=1),
    "sampling": Needs("The Sampling page", kinds=("image",), train_rows=MIN_DENSITY_CODES, test_rows=3),
}

KIND_WORDS = {"image": "pictures", "table": "a table", "points": "a point cloud"}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else ('es' if word.endswith('s') else 's')}"


def _counts(y, n_classes: int) -> np.ndarray:
    return np.bincount(np.asarray(y, dtype=np.int64).ravel(), minlength=n_classes)


def held_out_classes(ds) -> list[int]:
    """The classes of ``ds`` that the held-out-class detector can hold out: the class has a test
    row, and the other classes have training rows and test rows enough (:data:`NEEDS`)."""
    need = NEEDS["anomaly-class"]
    n = len(ds.class_names)
    tr, te = _counts(ds.y_train, n), _counts(ds.y_test, n)
    return [
        c
        for c in range(n)
        if te[c] >= 1 and tr.sum() - tr[c] >= need.train_rows and te.sum() - te[c] >= max(1, need.test_rows - 1)
    ]


def unfit_reason(ds, demo: str, cls: int | None = None, latent_dim: int | None = None) -> str | None:
    """Why data set ``ds`` (an :class:`aecore.data.sets.Dataset`) cannot serve ``demo`` (a key of
    :data:`NEEDS`), in words with what to do; ``None`` when it can. ``cls``: the class a
    held-out demo would hold out (``None``: any one of them). ``latent_dim``: for ``"plane"``, the
    model's code size (a 1- or 2-D code needs fewer rows)."""
    if demo == "plane" and latent_dim is not None and latent_dim <= 2:
        demo = "plane-2d"
    need = NEEDS[demo]
    name = f"'{ds.name}'"
    more = (
        "Import a larger set (a fifth of the rows is kept for testing), train a model on it and pick that model."
        if demo.startswith("plane")
        else "Import a larger set (a fifth of the rows is kept for testing), or pick another data set."
    )
    if ds.kind not in need.kinds:
        wanted = " or ".join(KIND_WORDS.get(k, k) for k in need.kinds)
        return f"{need.demo} needs {wanted}; {name} is {KIND_WORDS.get(ds.kind, ds.kind)}. Pick another data set."
    n_classes = len(ds.class_names)
    if n_classes < need.classes:
        return (
            f"{need.demo} needs at least {need.classes} classes ({need.why_classes}); {name} has "
            f"{_plural(n_classes, 'class')}. Import it with labels: a ZIP with one folder per class, or a CSV/NPZ "
            "with a label column."
        )
    n_train, n_test = len(ds.y_train), len(ds.y_test)
    seen = np.unique(np.asarray(ds.y_train)) if n_train else np.array([], int)
    if need.classes > 1 and not need.held_out and n_train and len(seen) < need.classes:
        # The sensor log's training rows are all healthy: its fault classes exist in the test rows only.
        only = ", ".join(f"'{ds.class_names[int(c)]}'" for c in seen if 0 <= int(c) < n_classes)
        return (
            f"{need.demo} needs training rows of at least {need.classes} classes ({need.why_classes}); "
            f"{name}'s training rows are all {only}. Pick another data set."
        )
    if n_train < need.train_rows:
        return f"{need.demo} needs at least {need.train_rows} training rows; {name} has {n_train:,}. {more}"
    if n_test < need.test_rows:
        return f"{need.demo} needs at least {need.test_rows} test rows; {name} has {n_test:,}. {more}"
    if need.held_out:
        usable = held_out_classes(ds)
        if cls is not None and cls not in usable:
            cname = ds.class_names[cls] if 0 <= cls < n_classes else str(cls)
            return (
                f"{need.demo} cannot hold out '{cname}' of {name}: it needs a test row of that class and test "
                f"and training rows of the others. Pick another class, or import more rows of '{cname}'."
            )
        if not usable:
            return (
                f"{need.demo} needs a class with test rows beside other classes with training and test rows; no "
                f"class of {name} has that. {more}"
            )
    return None
