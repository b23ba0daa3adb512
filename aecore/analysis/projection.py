"""2-D views of k-dimensional codes, with a way back: a click in the plane maps to a z. The one
projection API: every page, the job queue and the plane payloads project codes through here.

* ``identity`` (k = 2) and ``pad`` (k = 1: z is drawn at height 0) are exact.
* ``pca``: an orthogonal projection onto the top two principal axes. Its inverse lifts a 2-D
  point to the plane through the codes' mean spanned by those axes, so
  ``transform(inverse(p)) == p`` exactly; the components along the other k - 2 axes are set to
  the mean (that is the approximation for k > 2).
* ``umap``: umap-learn's embedding with its ``inverse_transform`` (an optimisation, approximate,
  and meaningful only inside the embedded data's convex hull).

Projections are cached on disk (``.npz``, never pickles) keyed by the checkpoint's content hash,
the split and the method, because UMAP costs a minute of numba compilation plus the fit.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from aecore.storage.files import cache_folder, file_hash, write_atomic

METHODS = ("pca", "umap")


def cache_dir() -> Path:
    """``$LATENTLAB_CACHE/projections``, else ``~/.cache/latent-lab/projections``."""
    return cache_folder("LATENTLAB_CACHE", "") / "projections"


@dataclass
class Projection:
    """A fitted 2-D projection of codes ``(N, k)``. ``embedding`` ``(N, 2)`` holds every code's position."""

    method: str  # "identity", "pad", "pca" or "umap"
    k: int
    embedding: np.ndarray  # (N, 2)
    mean: np.ndarray | None = None  # (k,) pca
    components: np.ndarray | None = None  # (2, k) pca, orthonormal rows
    explained: np.ndarray | None = None  # (2,) pca: fraction of variance on each axis
    umap_model: Any = None
    extra: dict = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        """True when a click maps back to exactly one z that projects onto it and loses nothing."""
        return self.method in ("identity", "pad") or (self.method == "pca" and self.k == 2)

    @property
    def axis_titles(self) -> tuple[str, str]:
        if self.method == "identity":
            return "z₁", "z₂"
        if self.method == "pad":
            return "z₁", "(nothing: k = 1)"
        if self.method == "pca":
            e = self.explained if self.explained is not None else np.zeros(2)
            return f"PC 1 ({e[0]:.0%} of variance)", f"PC 2 ({e[1]:.0%} of variance)"
        return "UMAP 1", "UMAP 2"

    def transform(self, z) -> np.ndarray:
        """Codes ``(M, k)`` → plane ``(M, 2)``."""
        z = np.atleast_2d(np.asarray(z, dtype=np.float64))
        if self.method == "identity":
            return z.astype(np.float32)
        if self.method == "pad":
            return np.c_[z[:, 0], np.zeros(len(z))].astype(np.float32)
        if self.method == "pca":
            return ((z - self.mean) @ self.components.T).astype(np.float32)
        return np.asarray(self.umap_model.transform(z.astype(np.float32)), dtype=np.float32)

    def linear_map(self) -> dict | None:
        """``{"mean": (k,), "basis": (2, k)}`` with ``z = mean + p @ basis`` for a plane point ``p``
        (what the browser's decoder applies before decoding a marker), or ``None`` for UMAP."""
        if self.method == "identity":
            mean, basis = np.zeros(2), np.eye(2)
        elif self.method == "pad":
            mean, basis = np.zeros(1), np.array([[1.0], [0.0]])
        elif self.method == "pca":
            mean, basis = self.mean, self.components
        else:
            return None
        return {"mean": np.asarray(mean, np.float64).tolist(), "basis": np.asarray(basis, np.float64).tolist()}

    def ellipse(self, mu, logvar, n_sigma: float = 1.0) -> list[float] | None:
        """The ``n_sigma`` ellipse of a diagonal Gaussian N(mu, exp(logvar)) ``(k,)`` each (a VAE's
        q(z|x)) in the plane: ``[cx, cy, rx, ry, angle]`` (plane units, angle in radians from the
        first axis), exact for a linear view (its covariance is mapped through the view), ``None``
        for UMAP."""
        lm = self.linear_map()
        if lm is None:
            return None
        basis = np.asarray(lm["basis"])  # (2, k)
        var = np.exp(np.asarray(logvar, np.float64).reshape(-1))[: basis.shape[1]]  # (k,)
        cov = (basis * var) @ basis.T  # (2, 2)
        vals, vecs = np.linalg.eigh(cov)  # ascending
        cx, cy = (float(v) for v in self.transform(np.asarray(mu).reshape(1, -1))[0])
        r = n_sigma * np.sqrt(np.maximum(vals, 0.0))
        return [cx, cy, float(r[1]), float(r[0]), float(np.arctan2(vecs[1, 1], vecs[0, 1]))]

    def inverse(self, p) -> np.ndarray:
        """Plane points ``(M, 2)`` → codes ``(M, k)`` (approximate unless ``exact``)."""
        p = np.atleast_2d(np.asarray(p, dtype=np.float64))
        if self.method == "identity":
            return p.astype(np.float32)
        if self.method == "pad":
            return p[:, :1].astype(np.float32)
        if self.method == "pca":
            return (self.mean + p @ self.components).astype(np.float32)
        if self.umap_model is None:
            raise RuntimeError("this UMAP projection has no fitted model to invert")
        return np.asarray(self.umap_model.inverse_transform(p.astype(np.float32)), dtype=np.float32)


def view_bounds(
    points: np.ndarray, pad: float = 0.15, q: float = 0.0005, square: bool = False
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The window ``((x0, x1), (y0, y1))`` a plane opens on: (almost) every point of ``points``
    ``(N, 2)`` plus a ``pad`` margin of empty space to click in.

    Uses the ``q`` / ``1 - q`` quantiles rather than min/max, so one wild code cannot shrink
    everything else to a dot. ``square``: both axes get the larger span, so one latent unit has the
    same length on both (distances in the picture are honest; the drag pad is square)."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    lo = np.quantile(pts, q, axis=0)
    hi = np.quantile(pts, 1 - q, axis=0)
    span = np.maximum(hi - lo, 1e-6)  # (2,)
    if square:
        span = np.full(2, float(span.max()))
    c = (lo + hi) / 2
    half = span / 2 * (1 + 2 * pad)
    return (float(c[0] - half[0]), float(c[0] + half[0])), (float(c[1] - half[1]), float(c[1] + half[1]))


def fit_pca(codes: np.ndarray) -> Projection:
    """PCA to 2-D by SVD (deterministic: each axis' sign is fixed so its largest loading is positive)."""
    codes = np.asarray(codes, dtype=np.float64)
    mean = codes.mean(0)
    _, s, vt = np.linalg.svd(codes - mean, full_matrices=False)
    comps = vt[:2]  # (2, k) orthonormal rows
    if comps.shape[0] < 2:  # k = 1: pad with a zero axis is not orthonormal; use the "pad" method
        raise ValueError("PCA to 2-D needs k ≥ 2")
    signs = np.sign(comps[np.arange(2), np.abs(comps).argmax(1)])
    comps = comps * signs[:, None]
    var = s**2
    proj = Projection(
        "pca",
        codes.shape[1],
        embedding=np.zeros((0, 2), np.float32),
        mean=mean,
        components=comps,
        explained=var[:2] / max(var.sum(), 1e-12),
    )
    proj.embedding = proj.transform(codes)
    return proj


def fit_umap(
    codes: np.ndarray, max_fit: int = 10000, seed: int = 0, n_neighbors: int = 15, min_dist: float = 0.1
) -> Projection:
    """UMAP to 2-D, fitted on at most ``max_fit`` codes (a fixed random subset; the rest are placed
    with ``transform``). Costs ~60 s of numba compilation the first time in a process."""
    import umap  # heavy import (numba): only on this explicit path

    codes = np.asarray(codes, dtype=np.float32)
    g = np.random.default_rng(seed)
    fit_idx = np.arange(len(codes)) if len(codes) <= max_fit else np.sort(g.choice(len(codes), max_fit, replace=False))
    model = umap.UMAP(
        n_components=2,
        n_neighbors=min(n_neighbors, len(fit_idx) - 1),
        min_dist=min_dist,
        random_state=seed,
        transform_seed=seed,
    )
    emb = np.empty((len(codes), 2), np.float32)
    emb[fit_idx] = model.fit_transform(codes[fit_idx])
    rest = np.setdiff1d(np.arange(len(codes)), fit_idx)
    if len(rest):
        emb[rest] = model.transform(codes[rest])
    return Projection(
        "umap",
        codes.shape[1],
        embedding=emb,
        umap_model=model,
        extra={"fit_idx": fit_idx, "n_neighbors": model.n_neighbors, "min_dist": min_dist, "seed": seed},
    )


def fit_projection(codes: np.ndarray, method: str = "pca", **kw) -> Projection:
    """The right projection for the codes' dimension: identity for k = 2, padding for k = 1,
    else ``method`` ("pca" or "umap")."""
    codes = np.asarray(codes)
    k = codes.shape[1]
    if k == 2:
        return Projection("identity", 2, embedding=codes.astype(np.float32))
    if k == 1:
        p = Projection("pad", 1, embedding=np.zeros((0, 2), np.float32))
        p.embedding = p.transform(codes)
        return p
    if method == "pca":
        return fit_pca(codes)
    if method == "umap":
        return fit_umap(codes, **kw)
    raise ValueError(f"projection method must be one of {METHODS}, not {method!r}")


# ---------------------------------------------------------------- disk cache (npz only, no pickles)

_UMAP_STATE = ("_sigmas", "_rhos", "_a", "_b", "_initial_alpha", "n_epochs")


def save_projection(proj: Projection, path: str | os.PathLike, codes: np.ndarray | None = None) -> Path:
    """Write a projection to ``path`` (.npz, ``allow_pickle`` never needed). For UMAP the arrays its
    ``inverse_transform`` reads are stored, plus the fit codes (``codes`` required)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {"embedding": proj.embedding}
    meta: dict[str, Any] = {"method": proj.method, "k": proj.k}
    if proj.method == "pca":
        arrays.update(mean=proj.mean, components=proj.components, explained=proj.explained)
    if proj.method == "umap":
        if codes is None:
            raise ValueError("saving a UMAP projection needs the codes it was fitted on")
        m = proj.umap_model
        arrays["fit_codes"] = np.asarray(codes, np.float32)[proj.extra["fit_idx"]]
        arrays["fit_embedding"] = np.asarray(m.embedding_, np.float32)
        for a in _UMAP_STATE:
            v = getattr(m, a, None)
            if v is not None:
                arrays["umap" + a] = np.asarray(v)
        meta.update(
            n_neighbors=int(proj.extra["n_neighbors"]),
            min_dist=float(proj.extra["min_dist"]),
            seed=int(proj.extra["seed"]),
        )
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return write_atomic(path, buf.getvalue())  # a crash never leaves a torn cache file


def _rebuild_umap(f, meta: dict):
    """A UMAP object whose ``inverse_transform`` works, from saved arrays (no refit, no pickle)."""
    import umap
    from umap import distances as dist

    m = umap.UMAP(
        n_components=2,
        n_neighbors=meta["n_neighbors"],
        min_dist=meta["min_dist"],
        random_state=meta["seed"],
        transform_seed=meta["seed"],
    )
    m.embedding_ = f["fit_embedding"]
    m._raw_data = f["fit_codes"]
    m._sparse_data = False
    m._metric_kwds = {}
    m._output_metric_kwds = {}
    m._inverse_distance_func = dist.named_distances_with_gradients["euclidean"]
    for a in _UMAP_STATE:
        if "umap" + a in f.files:
            v = f["umap" + a]
            setattr(m, a, v.item() if v.ndim == 0 else v)
    if "umap_n_epochs" not in f.files:
        m.n_epochs = None
    return m


def load_projection(path: str | os.PathLike) -> Projection:
    """Read a projection written by :func:`save_projection`."""
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(bytes(f["meta"]).decode())
        p = Projection(meta["method"], int(meta["k"]), embedding=f["embedding"])
        if p.method == "pca":
            p.mean, p.components, p.explained = f["mean"], f["components"], f["explained"]
        if p.method == "umap":
            p.umap_model = _rebuild_umap(f, meta)
            p.extra = {
                "n_neighbors": meta["n_neighbors"],
                "min_dist": meta["min_dist"],
                "seed": meta["seed"],
                "from_cache": True,
            }
    return p


def cache_path(checkpoint_path: str | os.PathLike, split: str, method: str, folder: Path | None = None) -> Path:
    """Where the projection of ``split``'s codes under this checkpoint is cached."""
    return (folder or cache_dir()) / f"{file_hash(checkpoint_path)}-{split}-{method}.npz"


def cached_projection(
    codes: np.ndarray,
    method: str,
    checkpoint_path: str | os.PathLike,
    split: str,
    folder: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Projection:
    """Load the projection from the disk cache, or fit it (reporting through ``progress``) and save it.
    A cache file that is unreadable or does not match the codes is refitted, never trusted."""
    codes = np.asarray(codes)
    if codes.shape[1] <= 2:
        return fit_projection(codes, method)
    path = cache_path(checkpoint_path, split, method, folder)
    if path.exists():
        try:
            p = load_projection(path)
            if p.k == codes.shape[1] and len(p.embedding) == len(codes):
                return p
        except Exception:  # noqa: BLE001 - a broken cache file is simply rebuilt
            pass
    if progress:
        progress(
            f"Fitting {method.upper()} on {len(codes):,} codes"
            + (" (about a minute the first time: numba compiles UMAP)" if method == "umap" else "")
        )
    p = fit_projection(codes, method)
    try:
        save_projection(p, path, codes)
    except OSError:
        pass  # a read-only cache folder only costs a refit next time
    return p
