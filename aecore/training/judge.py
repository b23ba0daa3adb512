"""Training a data set's judge (:class:`aecore.models.classifier.ConvClassifier`): seeded Adam on
cross-entropy with a cosine learning rate, the same in-memory batching as :func:`aecore.training.fit.fit`.

Used by ``scripts/build_checkpoints.py`` to make the shipped judges; a lecture never waits for it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import torch
from torch import nn

from aecore.data.dataset import Dataset
from aecore.models.classifier import ClassifierConfig, ConvClassifier

Progress = Callable[[float, str], None]  # (fraction done, what is happening)


def classifier_accuracy(model: ConvClassifier, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    """The share of ``x`` ``(N, D)`` whose predicted class is ``y`` ``(N,)``."""
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i : i + batch]).argmax(1) for i in range(0, len(x), batch)])
    return float((pred == y).float().mean())


def train_classifier(
    ds: Dataset,
    epochs: int = 4,
    seed: int = 0,
    batch_size: int = 128,
    lr: float = 2e-3,
    on_progress: Progress | None = None,
) -> tuple[ConvClassifier, dict]:
    """A judge for the image data set ``ds``, trained on its training split; returns the model (eval
    mode) and its metrics ``{"test_accuracy", "epochs", "seconds"}``. Deterministic for a seed on one
    machine (torch's kernels differ between CPUs: the shipped file is the reference)."""
    if not ds.is_image:
        raise ValueError(f"a judge needs pictures; {ds.name} is a table")
    torch.manual_seed(seed)
    x, y = ds.split("train")
    x, y = x.float(), y.long()
    model = ConvClassifier(ClassifierConfig(tuple(ds.image_shape), int(y.max()) + 1))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(x) / batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(1.0, s / steps))))
    loss_fn, gen, t0 = nn.CrossEntropyLoss(), torch.Generator().manual_seed(seed), time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch_size):
            idx = order[i : i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model(x.index_select(0, idx)), y.index_select(0, idx))
            loss.backward()
            opt.step()
            sched.step()
        if on_progress:
            on_progress((epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs} · loss {loss.item():.3f}")
    xt, yt = ds.split("test")
    acc = classifier_accuracy(model, xt.float(), yt.long())
    model.eval()
    return model, {"test_accuracy": acc, "epochs": epochs, "seconds": round(time.perf_counter() - t0, 1)}
