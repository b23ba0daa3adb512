"""Training throughput: aecore's in-memory loop vs the textbook torchvision + DataLoader loop.

Same MLP AE (784-512-256-2, MSE, Adam lr 1e-3), same MNIST training images, same number of
samples seen. Prints samples/s for each and their ratio. Run from the repo root:

    AECORE_DATA=../shared/data python bench/train_throughput.py [--samples 60000]

The textbook loop is what most tutorials write: ``torchvision.datasets.MNIST`` with
``transforms.ToTensor()``, ``DataLoader(batch_size=128, shuffle=True)``, a per-sample PIL → tensor
conversion in Python, and plain Adam. aecore slices batches from a tensor already in memory and
uses fused Adam with its default large-data batch size.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from aecore.data.sets import default_data_dir, load_dataset
from aecore.models import build_model, config_for
from aecore.training.fit import TrainConfig, fit


def textbook(root: str, samples: int) -> float:
    import torchvision.datasets as tvd
    import torchvision.transforms as T
    from torch.utils.data import DataLoader

    ds = tvd.MNIST(root, train=True, download=False, transform=T.ToTensor())
    loader = DataLoader(ds, batch_size=128, shuffle=True)
    torch.manual_seed(0)
    model = build_model(config_for(load_dataset("mnist", root=root), "ae", 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    seen = 0
    t0 = time.perf_counter()
    while seen < samples:
        for xb, _ in loader:
            xb = xb.view(len(xb), -1)  # (B, 784)
            loss = model(xb).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += len(xb)
            if seen >= samples:
                break
    return seen / (time.perf_counter() - t0)


def aecore_loop(root: str, samples: int, batch_size: int) -> float:
    ds = load_dataset("mnist", root=root)
    x = ds.x_train[:samples]
    model = build_model(config_for(ds, "ae", 2))
    cfg = TrainConfig(epochs=1, batch_size=batch_size, val_fraction=0.0, keep_best=False)
    t0 = time.perf_counter()
    fit(model, x, cfg)
    return len(x) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--batch-size", type=int, default=1024, help="aecore's batch size")
    a = ap.parse_args()
    root = os.environ.get("AECORE_DATA") or str(default_data_dir())
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {a.samples} samples each")
    base = textbook(root, a.samples)
    print(f"textbook DataLoader loop (batch 128): {base:10.0f} samples/s")
    same = aecore_loop(root, a.samples, 128)
    print(f"aecore fit, batch 128:                {same:10.0f} samples/s   ratio {same / base:.2f}")
    fast = aecore_loop(root, a.samples, a.batch_size)
    print(f"aecore fit, batch {a.batch_size}:               {fast:10.0f} samples/s   ratio {fast / base:.2f}")


if __name__ == "__main__":
    main()
