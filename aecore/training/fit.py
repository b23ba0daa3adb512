"""Training: ``fit`` with progress callbacks, and nothing of any UI.

The hot loop slices mini-batches out of tensors already in memory (one ``index_select`` per
batch, no per-sample Python, no DataLoader): on a 2-core CPU that is several times faster than
the textbook ``DataLoader`` loop (see ``bench/train_throughput.py``).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from aecore.data.corrupt import CORRUPTIONS, corrupt
from aecore.models import AutoencoderBase


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; training stopped and nothing was saved."""


class TrainingStopped(Exception):
    """Raised *by a callback* to stop training early; ``fit`` catches it and keeps the best model."""


#: Learning-rate schedules ``fit`` knows; :func:`lr_factor` gives each one's multiplier of ``lr``.
SCHEDULES = ("constant", "cosine", "onecycle")
DTYPES = {"float32": torch.float32, "float64": torch.float64}
#: Share of the steps a one-cycle schedule spends warming up (linearly, from ``lr / 25``).
WARMUP = 0.15


def lr_factor(schedule: str, step: int, steps_total: int) -> float:
    """The multiplier of the base learning rate at optimiser step ``step`` (0-based) of ``steps_total``."""
    t = min(1.0, step / max(1, steps_total))
    if schedule == "constant":
        return 1.0
    if schedule == "onecycle" and t < WARMUP:
        return 0.04 + 0.96 * t / WARMUP
    if schedule == "onecycle":
        t = (t - WARMUP) / (1.0 - WARMUP)
    return 0.5 * (1.0 + math.cos(math.pi * t))


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run; round-trips through ``to_dict``/``from_dict``.

    ``corruption`` (``None``, ``"gaussian"``, ``"salt-and-pepper"``, ``"masking"``) makes a
    denoising AE: inputs are corrupted, the loss compares against the clean data.

    ``schedule`` shapes the learning rate over all optimiser steps (see :func:`lr_factor`):
    ``"constant"``, ``"cosine"`` (decays to 0, so the last epochs take tiny steps and cannot
    spike) or ``"onecycle"`` (a short warm-up to ``lr``, then cosine to 0: the fastest route to a
    good model in a fixed budget). ``dtype`` ``"float64"`` is for toy data, where a lecture's
    qualitative result must not hinge on float32 rounding that differs between CPU kernels.
    """

    epochs: int = 20
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 0.0
    seed: int = 0
    val_fraction: float = 0.1
    corruption: str | None = None
    corruption_level: float = 0.0
    device: str = "auto"
    keep_best: bool = True
    schedule: str = "constant"
    dtype: str = "float32"

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be ≥ 1")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"learning rate must be a positive number, got {self.lr}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ValueError("val_fraction must be in [0, 1)")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}; choose one of {list(SCHEDULES)}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {list(DTYPES)}, got {self.dtype!r}")
        if self.corruption is not None and self.corruption not in CORRUPTIONS:
            raise ValueError(f"unknown corruption {self.corruption!r}; choose one of {list(CORRUPTIONS)}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown training config keys {unknown}")
        return cls(**d)


@dataclass
class Progress:
    """What a callback receives after each epoch (and, with ``every_batches``, during one)."""

    epoch: int  # 1-based, the epoch just finished (or in progress)
    epochs: int
    step: int  # optimiser steps so far
    steps_total: int
    train_loss: float
    val_loss: float | None
    parts: dict[str, float]
    seconds: float
    model: AutoencoderBase
    done: bool = False

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / max(1, self.steps_total))


@dataclass
class FitResult:
    model: AutoencoderBase
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_val_loss: float | None = None
    stopped_early: bool = False
    seconds: float = 0.0


def pick_device(device: str = "auto") -> torch.device:
    """``"auto"`` means CUDA when present, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)


@torch.no_grad()
def evaluate(model: AutoencoderBase, x: torch.Tensor, batch_size: int = 4096) -> dict[str, float]:
    """Mean loss and its parts over ``x`` ``(N, D)`` in eval mode (VAEs decode μ: repeatable)."""
    was = model.training
    model.eval()
    p0 = next(model.parameters())
    tot: dict[str, float] = {}
    n = 0
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size].to(device=p0.device, dtype=p0.dtype)
        out = model(xb)
        b = len(xb)
        tot["loss"] = tot.get("loss", 0.0) + out.loss.item() * b
        for k, v in out.parts.items():
            tot[k] = tot.get(k, 0.0) + float(v) * b
        n += b
    model.train(was)
    return {k: v / max(n, 1) for k, v in tot.items()}


@torch.no_grad()
def _check_collapse(model: AutoencoderBase, x: torch.Tensor, epoch: int, cfg: TrainConfig) -> None:
    """Raise if every reconstruction is the same: a too-large step killed the network (all ReLUs
    dead or the sigmoid saturated), which a bounded loss alone never reveals."""
    xs = x[:512]
    if len(xs) < 2 or float(xs.std(0).mean()) == 0.0:
        return
    was = model.training
    model.eval()
    spread = float(model.decode(model.encode(xs)).std(0).mean())
    model.train(was)
    if spread < 1e-4 * float(xs.std(0).mean()):
        raise TrainingDiverged(
            f"training collapsed at epoch {epoch}: the model now outputs the same reconstruction for every "
            f"input. The learning rate ({cfg.lr:g}) is probably too high. Nothing was saved."
        )


def _adam(model, cfg: TrainConfig, device: torch.device):
    # fused Adam is ~1.5× faster per step on CPU and CUDA in recent torch; fall back if refused.
    try:
        return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)


def _diverged(loss_v: float, first_loss: float, step: int, epoch: int, cfg: TrainConfig) -> None:
    """Raise :class:`TrainingDiverged` for a NaN/inf loss, or one 100× above where it started (a VAE
    or a linear AE with a huge learning rate explodes to 1e8 long before it overflows)."""
    if math.isfinite(loss_v) and (step == 0 or abs(loss_v) <= 100 * max(first_loss, 1e-6)):
        return
    what = f"became {loss_v}" if not math.isfinite(loss_v) else f"exploded from {first_loss:.4g} to {loss_v:.4g}"
    raise TrainingDiverged(
        f"training diverged at epoch {epoch}, step {step + 1}: the loss {what}. "
        f"Try a smaller learning rate (now {cfg.lr:g}). Nothing was saved."
    )


@dataclass
class _Run:
    """One call of :func:`fit`: the data on its device, the generators, the optimiser and the counters."""

    model: AutoencoderBase
    cfg: TrainConfig
    x_train: torch.Tensor  # (N, D) on the device
    x_val: torch.Tensor | None  # (M, D) or None
    gen: torch.Generator  # shuffles (after the validation split, which drew from it first)
    noise_gen: torch.Generator  # the denoising corruption
    callbacks: list[Callable[[Progress], None]]
    every_batches: int
    step: int = 0
    first_loss: float | None = None
    t0: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self.clip = self.model.config.output == "sigmoid"
        self.opt = _adam(self.model, self.cfg, self.x_train.device)
        self.n = len(self.x_train)
        self.bs = min(self.cfg.batch_size, self.n)
        self.steps_total = math.ceil(self.n / self.bs) * self.cfg.epochs

    def emit(self, epoch: int, train_loss: float, val_loss: float | None, parts: dict, done: bool = False) -> None:
        """Tell every callback where training is (a :class:`Progress`)."""
        p = Progress(
            epoch, self.cfg.epochs, self.step, self.steps_total, train_loss, val_loss, parts,
            time.perf_counter() - self.t0, self.model, done=done,
        )  # fmt: skip
        for cb in self.callbacks:
            cb(p)

    def batch(self, xb: torch.Tensor, epoch: int) -> tuple[float, dict[str, float]]:
        """One optimiser step on ``xb`` ``(B, D)``: its loss and loss parts (before the step)."""
        cfg = self.cfg
        inp = xb
        if cfg.corruption:  # a denoising AE: corrupted in, clean as the target
            inp = corrupt(xb, cfg.corruption, cfg.corruption_level, self.noise_gen, clip=self.clip)
        out = self.model(inp, target=xb)
        loss_v = out.loss.item()
        if self.first_loss is None:
            self.first_loss = abs(loss_v)
        _diverged(loss_v, self.first_loss, self.step, epoch, cfg)
        if cfg.schedule != "constant":
            for g in self.opt.param_groups:
                g["lr"] = cfg.lr * lr_factor(cfg.schedule, self.step, self.steps_total)
        self.opt.zero_grad(set_to_none=True)
        out.loss.backward()
        self.opt.step()
        self.step += 1
        return loss_v, {k: float(v) for k, v in out.parts.items()}

    def epoch(self, epoch: int) -> tuple[float, dict[str, float]]:
        """One pass over the shuffled training rows: the mean loss and the mean loss parts."""
        perm = torch.randperm(self.n, generator=self.gen).to(self.x_train.device)
        run_loss, run_n, run_parts = 0.0, 0, {}
        for i in range(0, self.n, self.bs):
            xb = self.x_train.index_select(0, perm[i : i + self.bs])  # (B, D)
            loss_v, parts = self.batch(xb, epoch)
            b = len(xb)
            run_loss += loss_v * b
            run_n += b
            for k, v in parts.items():
                run_parts[k] = run_parts.get(k, 0.0) + v * b
            if self.every_batches and self.step % self.every_batches == 0 and i + self.bs < self.n:
                self.emit(epoch, run_loss / run_n, None, {k: v / run_n for k, v in run_parts.items()})
        return run_loss / run_n, {k: v / run_n for k, v in run_parts.items()}

    def record(self, epoch: int, train_loss: float, parts: dict[str, float]) -> dict[str, float]:
        """The epoch's history row, after the collapse check and the validation pass."""
        x_val = self.x_val
        _check_collapse(self.model, x_val if x_val is not None and len(x_val) > 1 else self.x_train, epoch, self.cfg)
        val = evaluate(self.model, x_val) if x_val is not None and len(x_val) else None
        val_loss = val["loss"] if val else None
        if val_loss is not None and not math.isfinite(val_loss):
            raise TrainingDiverged(f"validation loss became {val_loss} at epoch {epoch}. Nothing was saved.")
        rec = {"epoch": epoch, "train_loss": train_loss, "seconds": time.perf_counter() - self.t0}
        rec.update({f"train_{k}": v for k, v in parts.items()})
        if val:
            rec["val_loss"] = val_loss
            rec.update({f"val_{k}": v for k, v in val.items() if k != "loss"})
        return rec


def _start(
    model: AutoencoderBase, x_train: torch.Tensor, x_val: torch.Tensor | None, cfg: TrainConfig
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Generator, torch.Generator]:
    """Seed, re-initialise and place the model; split off the validation rows (a seeded split) unless
    given. Returns the training and validation rows on the device and the two generators."""
    device = pick_device(cfg.device)
    gen = torch.Generator().manual_seed(cfg.seed)
    # Re-initialise from the seed so that "same seed → same weights" holds regardless of how the
    # caller built the model.
    torch.manual_seed(cfg.seed)
    for m in model.modules():
        if hasattr(m, "reset_parameters") and m is not model:
            m.reset_parameters()
    dtype = DTYPES[cfg.dtype]
    model.to(device=device, dtype=dtype).train()
    x_train = x_train.to(dtype)
    if x_val is None and cfg.val_fraction > 0 and len(x_train) >= 10:
        perm = torch.randperm(len(x_train), generator=gen)
        n_val = max(1, int(round(cfg.val_fraction * len(x_train))))
        x_val, x_train = x_train[perm[:n_val]], x_train[perm[n_val:]]
    x_train = x_train.to(device).contiguous()
    x_val = x_val.to(device=device, dtype=dtype) if x_val is not None else None
    return x_train, x_val, gen, torch.Generator(device=device).manual_seed(cfg.seed + 1)


def fit(
    model: AutoencoderBase,
    x_train: torch.Tensor,
    cfg: TrainConfig | None = None,
    x_val: torch.Tensor | None = None,
    callbacks: list[Callable[[Progress], None]] | None = None,
    every_batches: int = 0,
) -> FitResult:
    """Train ``model`` on ``x_train`` ``(N, D)``; return the (best) model and its history.

    If ``x_val`` is None, ``cfg.val_fraction`` of ``x_train`` is held out (a seeded split).
    Each callback is called with a :class:`Progress` after every epoch, and every
    ``every_batches`` optimiser steps if > 0. A callback may raise :class:`TrainingStopped` to
    stop early: the best model so far is kept. A NaN/inf loss raises :class:`TrainingDiverged`.
    The same seed, data and config give bit-identical weights on the same machine.
    """
    cfg = cfg or TrainConfig()
    x_train, x_val, gen, noise_gen = _start(model, x_train, x_val, cfg)
    run = _Run(model, cfg, x_train, x_val, gen, noise_gen, list(callbacks or []), every_batches)
    result = FitResult(model=model)
    best_state, best_val = None, math.inf
    try:
        for epoch in range(1, cfg.epochs + 1):
            train_loss, parts = run.epoch(epoch)
            rec = run.record(epoch, train_loss, parts)
            result.history.append(rec)
            score = rec.get("val_loss", rec["train_loss"])
            if score < best_val:
                best_val, result.best_epoch = score, epoch
                if cfg.keep_best:
                    best_state = copy.deepcopy(model.state_dict())
            run.emit(epoch, rec["train_loss"], rec.get("val_loss"), parts, done=epoch == cfg.epochs)
    except TrainingStopped:
        result.stopped_early = True
    if cfg.keep_best and best_state is not None:
        model.load_state_dict(best_state)
    # Everything downstream (pages, export, checkpoints) speaks float32.
    model.float().eval()
    result.best_val_loss = best_val if math.isfinite(best_val) else None
    result.seconds = time.perf_counter() - run.t0
    return result
