"""Rebuild every shipped checkpoint in ``checkpoints/`` and its README table.

    python scripts/build_checkpoints.py                 # all
    python scripts/build_checkpoints.py mnist-ae-2d     # just these names
    python scripts/build_checkpoints.py --readme        # only rewrite the README table

MNIST/Fashion-MNIST come from ``$AECORE_DATA`` (``../shared/data`` in CI). Seeded: the same
machine gives the same weights. Image models are stored as float16 to keep the folder small.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aecore.checkpoint import load_checkpoint  # noqa: E402
from aecore.recipes import Recipe, train_recipe  # noqa: E402
from aecore.train import TrainConfig  # noqa: E402

OUT = ROOT / "checkpoints"


def _img(ds, model, epochs, bs=256, lr=1e-3, k=2, **kw):
    tc = dict(epochs=epochs, batch_size=bs, lr=lr, seed=0)
    if model == "dae":
        tc.update(corruption="gaussian", corruption_level=0.5)
    return Recipe(dataset=ds, model=model, latent_dim=k, train=TrainConfig(**tc), **kw)


def _toy(ds, model, k, epochs=400, **kw):
    return Recipe(dataset=ds, model=model, latent_dim=k,
                  train=TrainConfig(epochs=epochs, batch_size=128, lr=3e-3, seed=0), **kw)


SPECS: dict[str, Recipe] = {
    **{f"digits-{m}-2d": _img("digits", m, 300, bs=64) for m in ("ae", "dae", "vae")},
    **{f"mnist-{m}-2d": _img("mnist", m, 30) for m in ("ae", "dae", "vae")},
    **{f"fashion-mnist-{m}-2d": _img("fashion-mnist", m, 30) for m in ("ae", "dae", "vae")},
    # The same MLPs with a realistic latent size, for the Sampling page: in 16-D an AE's codes fill a
    # thin, anisotropic region that N(0, I) draws miss, while a VAE's aggregate posterior fills its prior.
    # A 16-D code keeps improving long after a 2-D one has flattened, hence the longer runs.
    **{f"digits-{m}-16d": _img("digits", m, 1200, bs=64, k=16) for m in ("ae", "vae")},
    **{f"mnist-{m}-16d": _img("mnist", m, 100, k=16) for m in ("ae", "vae")},
    **{f"fashion-mnist-{m}-16d": _img("fashion-mnist", m, 100, k=16) for m in ("ae", "vae")},
    # Toy manifolds: k = the true intrinsic dimension, plus the "k is a prior" and linear cases.
    "parabola-ae-k1": _toy("parabola", "ae", 1),
    "parabola-ae-k2": _toy("parabola", "ae", 2),
    "parabola-linear-k1": _toy("parabola", "linear-ae", 1),
    "circle-ae-k1": _toy("circle", "ae", 1),
    "circle-ae-k2": _toy("circle", "ae", 2),
    "spiral-ae-k1": _toy("spiral", "ae", 1, epochs=800),
    "helix-ae-k1": _toy("helix", "ae", 1),
    "swiss-roll-ae-k1": _toy("swiss-roll", "ae", 1),
    "swiss-roll-ae-k2": _toy("swiss-roll", "ae", 2),
    "swiss-roll-ae-k3": _toy("swiss-roll", "ae", 3),
    "s-curve-ae-k2": _toy("s-curve", "ae", 2),
    "line-linear-k1": _toy("line", "linear-ae", 1),
    "plane-linear-k2": _toy("plane", "linear-ae", 2),
}


def command_for(name: str, r: Recipe) -> str:
    t = r.train
    parts = [f"python -m aecore train --dataset {r.dataset} --model {r.model} --latent-dim {r.latent_dim}",
             f"--epochs {t.epochs} --batch-size {t.batch_size} --lr {t.lr:g} --seed {t.seed}"]
    if r.model == "dae":
        parts.append(f"--corruption {t.corruption} --level {t.corruption_level:g}")
    if r.exclude_classes:
        parts.append("--exclude-class " + ",".join(map(str, r.exclude_classes)))
    if r.dataset in ("mnist", "fashion-mnist", "digits"):
        parts.append("--dtype float16")
    parts.append(f"--out checkpoints/{name}")
    return " ".join(parts)


def pca_mse(dataset: str, k: int = 2) -> float:
    """Test MSE of the best rank-k linear reconstruction (PCA fitted on the train split)."""
    import torch

    from aecore.data import load_dataset

    ds = load_dataset(dataset)
    mean = ds.x_train.mean(0)
    _, _, v = torch.pca_lowrank(ds.x_train - mean, q=k + 8, center=False, niter=6)
    w = v[:, :k]  # (D, k)
    rec = (ds.x_test - mean) @ w @ w.T + mean
    return float(((rec - ds.x_test) ** 2).mean())


def write_readme() -> None:
    rows, pcas = [], {}
    for name, r in SPECS.items():
        p = OUT / f"{name}.safetensors"
        if not p.exists():
            continue
        ck = load_checkpoint(p)
        m = ck.metrics
        c = ck.config
        widths = [] if c.family == "linear-ae" else list(c.hidden)  # a linear AE has no hidden layer
        arch = f"{c.family} {'-'.join(map(str, [c.input_dim, *widths, c.latent_dim]))}"
        if r.model == "dae":
            arch += f" (DAE, {r.train.corruption} {r.train.corruption_level:g})"
        if c.is_vae:
            arch += f" ({c.likelihood}, β={c.beta:g})"
        rows.append(f"| `{name}` | {arch} | {ck.dataset} | {len(ck.history)} | {m['test_loss']:.4f} | "
                    f"{m['test_mse']:.4f} | {p.stat().st_size / 1e6:.2f} |")
        if ck.dataset in ("digits", "mnist", "fashion-mnist") and (ck.dataset, c.latent_dim) not in pcas:
            pcas[ck.dataset, c.latent_dim] = pca_mse(ck.dataset, c.latent_dim)
    cmds = "\n".join(command_for(n, r) for n, r in SPECS.items())
    ks = sorted({k for _, k in pcas})
    pca_rows = "\n".join(f"| {d} | " + " | ".join(f"{pcas[d, k]:.4f}" if (d, k) in pcas else "" for k in ks) + " |"
                         for d in dict.fromkeys(d for d, _ in pcas))
    text = f"""# Shipped checkpoints

Every model the app opens without training. Each file is a safetensors checkpoint (weights +
config + data set + metrics + training history, format version 1); `python -m aecore info FILE`
prints it. Image models are stored as float16 (loaded as float32). Rebuild all of them with
`python scripts/build_checkpoints.py` (MNIST data from `$AECORE_DATA`, e.g. `../shared/data`).

Test loss is each model's own objective on the test split: mean squared error per pixel for
AEs, the negative ELBO in nats per image for VAEs (Bernoulli likelihood for images, Gaussian
for point clouds). Test MSE is the per-element squared error of x̂ = g(f(x)) (VAEs decode the
posterior mean), comparable across families. Epochs = epochs trained; the saved weights are those
of the epoch with the best validation loss (10% of the training split held out).

| name | architecture | data set | epochs | test loss | test MSE | MB |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

## Baseline: PCA with k components (same test sets)

The best any *linear* k-D code can do. A nonlinear k-D AE must beat it.

| data set | {" | ".join(f"PCA-{k} test MSE" for k in ks)} |
|---|{"---|" * len(ks)}
{pca_rows}

## Commands that reproduce them

```
{cmds}
```
"""
    (OUT / "README.md").write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--readme", action="store_true")
    a = ap.parse_args()
    if not a.readme:
        for name, r in SPECS.items():
            if a.names and name not in a.names:
                continue
            t = time.time()
            dtype = "float16" if r.dataset in ("mnist", "fashion-mnist", "digits") else "float32"
            tm = train_recipe(r, out=OUT / name, dtype=dtype)
            h = tm.fit.history
            print(f"{name}: {time.time() - t:.0f}s test_loss={tm.metrics['test_loss']:.4f} "
                  f"test_mse={tm.metrics['test_mse']:.4f} val last5={[round(e.get('val_loss', 0), 4) for e in h[-5:]]}",
                  flush=True)
    write_readme()


if __name__ == "__main__":
    main()
