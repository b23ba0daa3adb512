"""The representation picture: geometry of the learned manifold M = g(R^k) on toy data.

An autoencoder x̂ = g(f(x)) with a k-dimensional code draws a k-dimensional manifold M in data
space: every x̂ lies on M, whatever x was. On toy data (R² and R³) M can be drawn, by decoding a
dense latent line (k = 1) or grid (k = 2, 3) that reaches *beyond* the training codes. Where no
training code lies, M is an extrapolation the loss never looked at, so each latent point carries
the density of training codes there ("reliability"), which the figures turn into opacity.

Everything here returns numpy arrays; the figures live in :mod:`latentlab.figures.manifold` and the
page only wires widgets to these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from aecore.analysis.coding import decode_array, encode_array, reconstruct_array
from aecore.analysis.density import relative_kde
from aecore.data.sets import Dataset, load_dataset
from aecore.models import AutoencoderBase, build_model, config_for
from aecore.training.fit import Progress, TrainConfig, evaluate, fit
from aecore.training.recipes import Recipe, build_for

#: Default latent resolution per k: dense enough that "x̂ on M" holds within a few 1e-3.
GRID_N = {1: 801, 2: 61, 3: 15}
#: How far beyond the training codes' range the grid reaches, as a fraction of that range per side.
MARGIN = 0.35
#: Opacity of the least reliable part of M: faint but still visible, never a hard cut-off.
ALPHA_FLOOR = 0.06


# ---------------------------------------------------------------- latent grid and density


def latent_grid(
    codes: np.ndarray,
    n: int | None = None,
    margin: float = MARGIN,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[int, ...]]:
    """A dense regular grid over the codes' bounding box, widened by ``margin`` × range per side.

    Returns the grid points ``(G, k)`` (row-major, last latent axis fastest) and the grid shape
    ``(n,)*k``. ``lo``/``hi`` ``(k,)`` override the box (a time-lapse keeps one box for all frames).
    """
    codes = np.asarray(codes, dtype=np.float64)
    k = codes.shape[1]
    n = n or GRID_N.get(k, 9)
    if lo is None or hi is None:
        cmin, cmax = codes.min(0), codes.max(0)  # (k,)
        span = np.maximum(cmax - cmin, 1e-3)
        lo, hi = cmin - margin * span, cmax + margin * span
    axes = [np.linspace(lo[i], hi[i], n) for i in range(k)]
    mesh = np.meshgrid(*axes, indexing="ij")
    grid = np.stack([m.ravel() for m in mesh], 1)  # (n**k, k)
    return grid.astype(np.float32), (n,) * k


def reliability(density: np.ndarray, code_density_at_codes: np.ndarray, quantile: float = 0.25) -> np.ndarray:
    """Density → reliability in [0, 1]: 1 where codes are as dense as at a typical training code
    (the ``quantile`` of the codes' own densities), falling smoothly to 0 far from every code."""
    ref = max(float(np.quantile(code_density_at_codes, quantile)), 1e-12)
    return np.clip(density / ref, 0.0, 1.0)


def fade_alpha(rel: np.ndarray, floor: float = ALPHA_FLOOR) -> np.ndarray:
    """Opacity for a reliability in [0, 1]: solid where reliable, fading to ``floor`` (never 0)."""
    return floor + (1.0 - floor) * np.sqrt(np.clip(rel, 0.0, 1.0))


# ---------------------------------------------------------------- the picture


@dataclass
class ManifoldView:
    """Everything the data-space and latent panels draw, for one model on one data set.

    ``m`` holds the vertices of M = g(grid) ``(G, D)``; reshape with :meth:`m_grid` to
    ``grid_shape + (D,)``. ``x``/``z``/``xhat`` are a sample of training points, their codes and
    reconstructions. ``codes`` are *all* training codes (the density's support).
    """

    dataset: str
    k: int
    dim: int
    intrinsic_dim: int | None
    grid_z: np.ndarray  # (G, k)
    grid_shape: tuple[int, ...]
    m: np.ndarray  # (G, D)
    density: np.ndarray  # (G,)
    reliability: np.ndarray  # (G,) in [0, 1]
    x: np.ndarray  # (S, D)
    z: np.ndarray  # (S, k)
    xhat: np.ndarray  # (S, D)
    t: np.ndarray | None  # (S,) true first intrinsic coordinate, for colouring
    codes: np.ndarray  # (N, k) all training codes
    code_lo: np.ndarray  # (k,) range of the training codes
    code_hi: np.ndarray  # (k,)
    test_mse: float
    x_dist_to_m: float  # mean distance of the sample x to M
    xhat_dist_to_m: float  # mean distance of x̂ to M (≈ 0: x̂ is on M)
    resolution: float  # largest gap between neighbouring vertices of M
    meta: dict = field(default_factory=dict)

    def m_grid(self) -> np.ndarray:
        return self.m.reshape(*self.grid_shape, self.dim)

    @property
    def alpha(self) -> np.ndarray:
        return fade_alpha(self.reliability)


def grid_resolution(m: np.ndarray, grid_shape: tuple[int, ...]) -> float:
    """The largest distance between vertices of M that are neighbours on the latent grid."""
    g = m.reshape(*grid_shape, m.shape[-1])
    gaps = [np.linalg.norm(np.diff(g, axis=a), axis=-1).max() for a in range(len(grid_shape))]
    return float(max(gaps))


def _point_segment_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 512) -> np.ndarray:
    """Distance from each point ``(P, D)`` to the nearest of the segments ``a[j]→b[j]`` ``(S, D)``."""
    ab = b - a  # (S, D)
    ab2 = np.maximum((ab**2).sum(1), 1e-18)  # (S,)
    out = np.empty(len(p))
    for i in range(0, len(p), chunk):
        pb = p[i : i + chunk]  # (B, D)
        t = np.clip(((pb[:, None] - a[None]) * ab[None]).sum(-1) / ab2[None], 0, 1)  # (B, S)
        proj = a[None] + t[..., None] * ab[None]  # (B, S, D)
        out[i : i + chunk] = np.sqrt(((pb[:, None] - proj) ** 2).sum(-1)).min(1)
    return out


def distance_to_manifold(points: np.ndarray, m: np.ndarray, grid_shape: tuple[int, ...]) -> np.ndarray:
    """Distance from each point ``(P, D)`` to the decoded M ``(G, D)``.

    For a curve (k = 1) the distance to the polyline through the vertices; otherwise to the
    nearest vertex, so the answer is exact up to the grid resolution.
    """
    points = np.asarray(points, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    if len(grid_shape) == 1:
        return _point_segment_dist(points, m[:-1], m[1:])
    out = np.empty(len(points))
    mm = (m**2).sum(1)
    for i in range(0, len(points), 1024):
        pb = points[i : i + 1024]
        d2 = (pb**2).sum(1)[:, None] + mm[None] - 2 * pb @ m.T
        out[i : i + 1024] = np.sqrt(np.maximum(d2.min(1), 0))
    return out


def mse(model: AutoencoderBase, x: torch.Tensor) -> float:
    """Mean squared reconstruction error per coordinate."""
    return float(((reconstruct_array(model, x) - x.numpy()) ** 2).mean())


def manifold_view(
    model: AutoencoderBase,
    ds: Dataset,
    n_grid: int | None = None,
    margin: float = MARGIN,
    sample: int = 300,
    seed: int = 0,
    x_train: torch.Tensor | None = None,
    x_test: torch.Tensor | None = None,
    box: tuple[np.ndarray, np.ndarray] | None = None,
) -> ManifoldView:
    """Decode a latent grid reaching beyond the training codes into M, and measure everything
    the page shows: density of codes on the grid, a sample of x → x̂, distances to M.

    ``x_train``/``x_test`` override the data set's splits (the overfitting preset trains on a
    handful of points); ``box`` = (lo, hi) fixes the latent box (time-lapse frames).
    """
    x_tr = ds.x_train if x_train is None else x_train
    x_te = ds.x_test if x_test is None else x_test
    codes = encode_array(model, x_tr)  # (N, k)
    k = codes.shape[1]
    lo, hi = box if box is not None else (None, None)
    grid, shape = latent_grid(codes, n_grid, margin, lo, hi)
    m = decode_array(model, grid)  # (G, D)
    dens = relative_kde(codes, grid)
    rel = reliability(dens, relative_kde(codes, codes))
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(x_tr), size=min(sample, len(x_tr)), replace=False))
    xs = x_tr[idx].numpy()
    zs = codes[idx]
    xh = decode_array(model, zs)
    t = None
    if x_train is None and ds.t_train is not None:
        t = ds.t_train[idx, 0].numpy()
    return ManifoldView(
        dataset=ds.name,
        k=k,
        dim=ds.input_dim,
        intrinsic_dim=ds.intrinsic_dim,
        grid_z=grid,
        grid_shape=shape,
        m=m,
        density=dens,
        reliability=rel,
        x=xs,
        z=zs,
        xhat=xh,
        t=t,
        codes=codes,
        code_lo=codes.min(0),
        code_hi=codes.max(0),
        test_mse=mse(model, x_te),
        x_dist_to_m=float(distance_to_manifold(xs, m, shape).mean()),
        xhat_dist_to_m=float(distance_to_manifold(xh, m, shape).mean()),
        resolution=grid_resolution(m, shape),
    )


# ---------------------------------------------------------------- training toy models

#: The shipped toy checkpoints' recipe (scripts/build_checkpoints.py ``_toy``), so a live run
#: with the defaults reproduces a shipped model.
TOY_EPOCHS = 400
TOY_BATCH = 128
TOY_LR = 3e-3


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch single-threaded for toy nets: 64-wide layers gain nothing from intra-op threads,
    and on a busy 2-core machine the thread hand-offs cost ~8× (60 epochs on the parabola:
    17 s with 1 thread vs 134 s with 2, measured under load)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def shipped_name(dataset: str, k: int, family: str = "ae") -> str:
    """The name a shipped toy checkpoint for this choice has (it may or may not exist)."""
    return f"{dataset}-{'linear' if family == 'linear-ae' else 'ae'}-k{k}"


def toy_model_name(dataset: str, k: int, family: str = "ae", seed: int = 0, epochs: int = TOY_EPOCHS) -> str:
    """What a slide calls a toy model: the shipped checkpoint's name for the seeded recipe
    ("parabola-ae-k1"), with the seed and epochs added when they are not the shipped recipe's (that
    model was trained on this machine, not shipped)."""
    base = shipped_name(dataset, k, family)
    return base if (seed, epochs) == (0, TOY_EPOCHS) else f"{base} (seed {seed}, {epochs} epochs)"


def toy_recipe(
    dataset: str,
    k: int,
    family: str = "ae",
    seed: int = 0,
    epochs: int = TOY_EPOCHS,
    hidden: tuple[int, ...] | None = None,
    lr: float = TOY_LR,
    batch_size: int = TOY_BATCH,
) -> Recipe:
    """The seeded recipe behind every toy model on the page (identical in every lecture)."""
    return Recipe(
        dataset=dataset,
        model=family,
        latent_dim=k,
        hidden=hidden,
        train=TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed),
    )


def timelapse_epochs(epochs: int, frames: int = 40) -> list[int]:
    """The epochs a time-lapse film shows: ``frames`` distinct epochs from 0 (the untrained net) to
    ``epochs``, spaced logarithmically: for 400 epochs 0, 1, 2, …, 11, 13, 15, 17, 19, 21, 24, 28, …, 310, 352, 400.

    M changes most in the first few epochs (it unfolds between epochs 0 and 10 of a 400-epoch run)
    and little afterwards, so evenly spaced frames showed the story in one step and then 39 alike.
    Every epoch when there are fewer than ``frames``."""
    if epochs + 1 <= frames:
        return list(range(epochs + 1))
    # Rounded log-spaced points collide at the start (1, 1, 1, 2, …): add points until ``frames - 1``
    # distinct epochs in 1..epochs remain (exactly that many for every length up to 3,000, tested).
    n = frames - 1
    while True:
        steps = np.unique(np.round(np.geomspace(1, epochs, n)).astype(int))
        if len(steps) >= frames - 1:
            return [0, *steps.tolist()]
        n += 1


@dataclass
class Snapshot:
    """M at one moment of training (time-lapse frame)."""

    epoch: int
    m: np.ndarray  # (G, D)
    reliability: np.ndarray  # (G,)
    xhat: np.ndarray  # (S, D) reconstructions of the view's sample
    train_loss: float
    val_loss: float | None


@dataclass
class ToyRun:
    model: AutoencoderBase
    dataset: Dataset
    history: list[dict]
    snapshots: list[Snapshot]
    grid_shape: tuple[int, ...]
    seconds: float
    sample_x: np.ndarray  # (S, D) the training points whose x̂ each snapshot holds


def train_toy(
    dataset: str | Dataset,
    k: int,
    family: str = "ae",
    seed: int = 0,
    epochs: int = TOY_EPOCHS,
    hidden: tuple[int, ...] | None = None,
    snapshot_epochs: Sequence[int] = (),
    on_progress: Callable[[float, str], None] | None = None,
    n_grid: int | None = None,
    sample: int = 150,
    lr: float = TOY_LR,
    batch_size: int = TOY_BATCH,
) -> ToyRun:
    """Train a toy model from its seeded recipe; optionally keep a snapshot of M after each epoch in
    ``snapshot_epochs`` (0: the untrained net; e.g. :func:`timelapse_epochs`), in training order.

    Each frame decodes a grid around *its own* training codes (the final code range is unknown
    while training), so every frame shows that moment's whole M with its own reliability.
    ``on_progress(fraction, text)`` is called after every epoch (e.g. to move a progress bar).
    """
    ds = load_dataset(dataset) if isinstance(dataset, str) else dataset
    recipe = toy_recipe(ds.name, k, family, seed, epochs, hidden, lr, batch_size)
    model = build_for(recipe, ds)
    snaps: list[Snapshot] = []
    rng = np.random.default_rng(seed)
    sidx = np.sort(rng.choice(len(ds.x_train), size=min(sample, len(ds.x_train)), replace=False))
    xs = ds.x_train[sidx]

    def snap(mdl: AutoencoderBase, epoch: int, tl: float, vl: float | None) -> None:
        was = mdl.training
        v = manifold_view(mdl, ds, n_grid=n_grid or {1: 301, 2: 41, 3: 11}.get(k), sample=1)
        snaps.append(Snapshot(epoch, v.m, v.reliability, reconstruct_array(mdl, xs), tl, vl))
        mdl.train(was)

    wanted = {int(e) for e in snapshot_epochs}
    if any(e < 0 or e > epochs for e in wanted):
        raise ValueError(f"snapshot epochs must lie in 0..{epochs}: {sorted(wanted)}")

    def cb(p: Progress) -> None:
        if p.epoch in wanted:
            snap(p.model, p.epoch, p.train_loss, p.val_loss)
        if on_progress:
            on_progress(p.epoch / p.epochs, f"epoch {p.epoch}/{p.epochs} · loss {p.train_loss:.4f}")

    if 0 in wanted:
        # Epoch 0: the freshly initialised net, exactly as fit() will re-initialise it.
        torch.manual_seed(seed)
        for mod in model.modules():
            if hasattr(mod, "reset_parameters") and mod is not model:
                mod.reset_parameters()
        snap(model, 0, float("nan"), None)
    with one_thread():
        res = fit(model, ds.x_train, recipe.train, callbacks=[cb])
    model = res.model.cpu().eval()
    gs = snaps[0].m.shape[0] if snaps else 0
    shape = (gs,) if k == 1 else (int(round(gs ** (1 / k))),) * k
    return ToyRun(
        model=model,
        dataset=ds,
        history=res.history,
        snapshots=snaps,
        grid_shape=shape,
        seconds=res.seconds,
        sample_x=xs.numpy(),
    )


# ---------------------------------------------------------------- k is a prior


def compare_latent_dims(models: dict[int, AutoencoderBase], ds: Dataset) -> list[dict]:
    """One row per k: the data's true intrinsic dimension, M's dimension (always k) and test MSE."""
    rows = []
    for k, model in sorted(models.items()):
        rows.append(
            {
                "k (latent dim)": k,
                "dimension of M": k,
                "true intrinsic dim": ds.intrinsic_dim,
                "test MSE": mse(model, ds.x_test),
            }
        )
    return rows


# ---------------------------------------------------------------- linear AE vs PCA


@dataclass
class PCA:
    mean: np.ndarray  # (D,)
    basis: np.ndarray  # (D, k) orthonormal columns, by decreasing variance
    variance: np.ndarray  # (k,)

    def scores(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mean) @ self.basis  # (N, k)

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        return self.mean + self.scores(x) @ self.basis.T


def pca_fit(x: np.ndarray, k: int) -> PCA:
    """PCA of the centred data ``(N, D)``: by SVD, or for many more rows than columns (60,000
    MNIST images of 784 pixels) by the eigenvectors of the D × D scatter matrix, ~10× faster."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(0)
    xc = x - mean
    if len(x) > 8 * x.shape[1]:
        evals, evecs = np.linalg.eigh(xc.T @ xc)  # ascending
        order = np.argsort(evals)[::-1][:k]
        return PCA(mean=mean, basis=evecs[:, order], variance=np.maximum(evals[order], 0) / max(1, len(x) - 1))
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    return PCA(mean=mean, basis=vt[:k].T, variance=s[:k] ** 2 / max(1, len(x) - 1))


def principal_angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Principal angles in degrees between the column spaces of ``a`` ``(D, k)`` and ``b`` ``(D, l)``,
    smallest first. All zero ⇔ the same subspace."""
    qa, _ = np.linalg.qr(np.asarray(a, dtype=np.float64))
    qb, _ = np.linalg.qr(np.asarray(b, dtype=np.float64))
    s = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.degrees(np.arccos(np.clip(s, -1.0, 1.0)))


def decoder_basis(model: AutoencoderBase) -> tuple[np.ndarray, np.ndarray]:
    """A linear decoder's affine subspace: directions ``(D, k)`` (columns of W) and offset ``(D,)``.

    Read off by decoding the origin and the unit vectors, so it works for any decoder that is
    affine, without reaching into its layers."""
    k = model.latent_dim
    pts = decode_array(model, np.vstack([np.zeros(k), np.eye(k)]))  # (k+1, D)
    return (pts[1:] - pts[0]).T.astype(np.float64), pts[0].astype(np.float64)


@dataclass
class LinearVsPCA:
    angles_deg: np.ndarray  # (k,) principal angles between AE's M and the PCA subspace
    change_of_basis: np.ndarray  # (k, k) B: PCA scores ≈ z @ B + c
    offset: np.ndarray  # (k,) c
    residual: float  # relative RMS residual of that least-squares fit (≈ 0: same subspace)
    ae_mse: float
    pca_mse: float
    pca: PCA
    ae_dirs: np.ndarray  # (D, k)
    ae_offset: np.ndarray  # (D,)

    @property
    def max_angle(self) -> float:
        return float(self.angles_deg.max())


def linear_vs_pca(model: AutoencoderBase, ds: Dataset) -> LinearVsPCA:
    """Compare a (linear) AE with PCA of the same dimension on the training data.

    The principal angles compare the *subspaces* (the AE's M vs the PCA plane/line). The
    change of basis B is the least-squares fit of PCA scores s from the AE codes z plus a
    constant, s ≈ z B + c; its relative residual ‖s − ŝ‖/‖s − s̄‖ is ≈ 0 when the codes are the
    PCA coordinates in another basis.
    """
    x = ds.x_train.numpy().astype(np.float64)
    k = model.latent_dim
    pca = pca_fit(x, k)
    dirs, off = decoder_basis(model)
    ang = principal_angles(dirs, pca.basis)
    z = encode_array(model, ds.x_train).astype(np.float64)  # (N, k)
    s = pca.scores(x)  # (N, k)
    za = np.hstack([z, np.ones((len(z), 1))])
    coef, *_ = np.linalg.lstsq(za, s, rcond=None)  # (k+1, k)
    resid = np.linalg.norm(s - za @ coef) / max(np.linalg.norm(s - s.mean(0)), 1e-12)
    xt = ds.x_test.numpy().astype(np.float64)
    return LinearVsPCA(
        angles_deg=ang,
        change_of_basis=coef[:k],
        offset=coef[k],
        residual=float(resid),
        ae_mse=mse(model, ds.x_test),
        pca_mse=float(((pca.reconstruct(xt) - xt) ** 2).mean()),
        pca=pca,
        ae_dirs=dirs,
        ae_offset=off,
    )


@dataclass
class DeepVsPCA:
    """A nonlinear AE with a k-D code against PCA-k on the same test images."""

    k: int
    x: np.ndarray  # (n, D) the test images shown
    pca_recon: np.ndarray  # (n, D)
    ae_recon: np.ndarray  # (n, D)
    pca_err: np.ndarray  # (n,) squared error of each shown image, summed over pixels
    ae_err: np.ndarray  # (n,)
    pca_mean_err: float  # mean squared error per image over the whole test split
    ae_mean_err: float


def deep_vs_pca(
    model: AutoencoderBase,
    ds: Dataset,
    n_show: int = 10,
    seed: int = 0,
    on_progress: Callable[[float, str], None] | None = None,
) -> DeepVsPCA:
    """Reconstructions of ``n_show`` seeded test images by ``model`` and by PCA with as many
    components as the model's code (fitted on the training split), with squared error per image
    (the unit of Hinton & Salakhutdinov, 2006: 3.00 for their 30-D deep AE, 13.87 for PCA-30).
    ``on_progress(fraction, text)`` hears each of the three steps (PCA's fit is most of the wait)."""
    say = on_progress or (lambda f, t: None)
    k = model.latent_dim
    say(0.0, f"fitting PCA-{k} to {len(ds.x_train):,} training images")
    pca = pca_fit(ds.x_train.numpy(), k)
    xt = ds.x_test.numpy().astype(np.float64)
    say(0.6, f"PCA-{k} reconstructs {len(xt):,} test images")
    pca_rec = pca.reconstruct(xt)  # (N, D)
    say(0.8, f"the deep AE reconstructs {len(xt):,} test images")
    ae_rec = reconstruct_array(model, ds.x_test)  # (N, D)
    say(1.0, "done")
    pca_all = ((pca_rec - xt) ** 2).sum(1)  # (N,) PCA's own error: unclipped, as the paper's
    ae_all = ((ae_rec.astype(np.float64) - xt) ** 2).sum(1)  # (N,)
    idx = np.sort(np.random.default_rng(seed).choice(len(xt), size=min(n_show, len(xt)), replace=False))
    return DeepVsPCA(
        k=k,
        x=xt[idx],
        pca_recon=np.clip(pca_rec[idx], 0, 1),
        ae_recon=ae_rec[idx],
        pca_err=pca_all[idx],
        ae_err=ae_all[idx],
        pca_mean_err=float(pca_all.mean()),
        ae_mean_err=float(ae_all.mean()),
    )


def pca_segment(pca: PCA, x: np.ndarray, margin: float = MARGIN, n: int = 41) -> tuple[np.ndarray, tuple[int, ...]]:
    """Points of the PCA line/plane ``(G, D)`` over the data's score range (widened by ``margin``)."""
    s = pca.scores(x)
    grid, shape = latent_grid(s, n, margin)
    return pca.mean + grid.astype(np.float64) @ pca.basis.T, shape


# ---------------------------------------------------------------- overfitting


@dataclass
class OverfitRun:
    model: AutoencoderBase
    x_train: torch.Tensor  # (n, D) the few training points
    x_heldout: torch.Tensor  # (H, D)
    epochs: np.ndarray  # (E,)
    train_mse: np.ndarray  # (E,)
    heldout_mse: np.ndarray  # (E,)
    best_epoch: int  # epoch of lowest held-out error
    view: ManifoldView
    snapshots: dict[int, np.ndarray]  # epoch → M vertices (G, D) at a few moments


OVERFIT = dict(dataset="parabola", n_train=8, noise=0.12, hidden=(256, 256, 256), epochs=2000, lr=3e-3)
#: Why the preset trains in float64 with a cosine schedule: at a constant step, Adam on 8 points
#: spikes once the training error is tiny, and where a spike falls depends on float32 rounding, so
#: on some CPUs' kernels a spike near the end pulled the held-out error back down (0.0196 → 0.0147)
#: and the demo's point was lost. The schedule's last epochs take tiny steps (no spike can land
#: there) and float64 keeps kernels from steering the trajectory apart.
OVERFIT_TRAIN = dict(schedule="cosine", dtype="float64")
#: What a slide calls the overfitting preset's model (it is trained by ``prepare``, not a library model).
OVERFIT_NAME = f"{OVERFIT['dataset']}-overfit-k1"
OVERFIT_LABEL = (
    f"A big AE ({'-'.join(map(str, OVERFIT['hidden']))}) trained {OVERFIT['epochs']:,} epochs "
    f"on {OVERFIT['n_train']} noisy {OVERFIT['dataset']} points"
)


def overfit_run(
    dataset: str = OVERFIT["dataset"],
    n_train: int = OVERFIT["n_train"],
    noise: float = OVERFIT["noise"],
    hidden: tuple[int, ...] = OVERFIT["hidden"],
    epochs: int = OVERFIT["epochs"],
    lr: float = OVERFIT["lr"],
    seed: int = 0,
    every: int = 10,
    on_progress: Callable[[float, str], None] | None = None,
) -> OverfitRun:
    """The overfitting preset: a handful of noisy points, a big network, k = 1, long training.

    The held-out error (fresh points from the same distribution) is measured every ``every``
    epochs: it falls, then rises as M bends to pass through every training point.
    """
    ds = load_dataset(dataset, seed=seed, n=2000, noise=noise)
    x_tr, x_ho = ds.x_train[:n_train], ds.x_test[:300]
    model = build_model(config_for(ds, "ae", 1, hidden=hidden))
    eps, tr, ho, snaps = [], [], [], {}

    def cb(p: Progress) -> None:
        if p.epoch % every == 0 or p.epoch == 1:
            eps.append(p.epoch)
            tr.append(evaluate(p.model, x_tr)["mse"])
            ho.append(evaluate(p.model, x_ho)["mse"])
        if p.epoch in (epochs // 8, epochs // 2):
            with torch.no_grad():
                p.model.eval()
                snaps[p.epoch] = manifold_view(p.model, ds, x_train=x_tr, x_test=x_ho, sample=n_train).m
                p.model.train()
        if on_progress:
            on_progress(p.epoch / p.epochs, f"epoch {p.epoch}/{p.epochs}")

    cfg = TrainConfig(
        epochs=epochs, batch_size=n_train, lr=lr, seed=seed, val_fraction=0.0, keep_best=False, **OVERFIT_TRAIN
    )
    with one_thread():
        fit(model, x_tr, cfg, callbacks=[cb])
    model = model.cpu().eval()
    view = manifold_view(model, ds, x_train=x_tr, x_test=x_ho, sample=n_train)
    snaps[epochs] = view.m
    ho_a = np.asarray(ho)
    return OverfitRun(
        model=model,
        x_train=x_tr,
        x_heldout=x_ho,
        epochs=np.asarray(eps),
        train_mse=np.asarray(tr),
        heldout_mse=ho_a,
        best_epoch=int(eps[int(ho_a.argmin())]),
        view=view,
        snapshots=snaps,
    )


# ---------------------------------------------------------------- off-manifold probe


@dataclass
class RoundTrips:
    """Repeated round trips x → g(f(x)) from one point: the first lands on M, the rest slide along it."""

    points: np.ndarray  # (T+1, D): x, g(f(x)), g(f(g(f(x)))), …
    codes: np.ndarray  # (T, k): f of each point but the last
    dist_to_m: np.ndarray  # (T+1,) distance of each point to the decoded M

    @property
    def converged_step(self) -> int:
        """First step after which the points move by less than 1e-3 (or the last step)."""
        mv = np.linalg.norm(np.diff(self.points, axis=0), axis=1)
        small = np.flatnonzero(mv < 1e-3)
        return int(small[0]) + 1 if len(small) else len(mv)


def round_trips(model: AutoencoderBase, x0, view: ManifoldView, steps: int = 8) -> RoundTrips:
    """Iterate x → g(f(x)) from an arbitrary point ``x0`` ``(D,)``.

    The first step jumps onto M (everything the decoder outputs is on M); later steps slide along
    M towards a fixed point of g∘f. Distances to M use ``view``'s decoded grid.
    """
    x = np.asarray(x0, dtype=np.float32).reshape(1, -1)
    pts, codes = [x[0]], []
    for _ in range(steps):
        z = encode_array(model, torch.from_numpy(x))  # (1, k)
        x = decode_array(model, z)  # (1, D)
        codes.append(z[0])
        pts.append(x[0])
    pts_a = np.asarray(pts)
    return RoundTrips(
        points=pts_a, codes=np.asarray(codes), dist_to_m=distance_to_manifold(pts_a, view.m, view.grid_shape)
    )


__all__ = [
    "DeepVsPCA",
    "GRID_N",
    "LinearVsPCA",
    "ManifoldView",
    "OverfitRun",
    "PCA",
    "RoundTrips",
    "Snapshot",
    "ToyRun",
    "compare_latent_dims",
    "one_thread",
    "decoder_basis",
    "deep_vs_pca",
    "distance_to_manifold",
    "fade_alpha",
    "grid_resolution",
    "latent_grid",
    "linear_vs_pca",
    "manifold_view",
    "mse",
    "overfit_run",
    "pca_fit",
    "pca_segment",
    "principal_angles",
    "round_trips",
    "timelapse_epochs",
    "reliability",
    "shipped_name",
    "toy_recipe",
    "train_toy",
]
