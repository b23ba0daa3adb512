"""Where a model's codes are dense: one module, three estimators named for what they are.

g(z) is trustworthy where training codes are dense and an extrapolation elsewhere; every page that
says so ("extrapolating", shading, reliability of M, low-density draws) asks this module.

* :class:`KernelDensity`: a Gaussian KDE (Scott's bandwidth), binned on a grid for 2-D codes. For
  the plane a page draws (shading, the drag pad's readouts) and a 2-D model's own latent space.
* :class:`NearestCodeDensity`: distance to the m-th nearest code after whitening. Valid in any k:
  a KDE's bandwidth rule breaks down beyond a few dimensions, this needs none.
* :func:`relative_kde`: relative KDE values on a toy model's latent grid (the reliability of M).

:func:`latent_density` picks the estimator for a model's own k-D latent space: a KDE for k ≤ 2,
nearest codes beyond. Both classes answer the same questions with the same arguments: call one on
points ``(M, k)`` for densities (higher = denser), ``threshold`` is the density below which only
``quantile`` of the training codes lie, ``is_low(d)`` / ``percentile(d)`` take density values,
``rank(points)`` / ``is_low_at(points)`` take points.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

#: A decoded z whose code density is below this quantile of the training codes' own densities
#: gets the "extrapolating" warning: only 2 % of real training codes sit in regions that sparse.
LOW_DENSITY_QUANTILE = 0.02


def scott_bandwidth(codes: np.ndarray) -> np.ndarray:
    """Per-dimension Gaussian KDE bandwidth ``(k,)`` by Scott's rule, with a robust spread
    (min of std and IQR/1.349) so a few outlying codes do not blur the dense clusters."""
    codes = np.asarray(codes, dtype=np.float64)
    n, k = codes.shape
    std = codes.std(0)
    q75, q25 = np.percentile(codes, [75, 25], axis=0)
    spread = np.minimum(std, (q75 - q25) / 1.349)
    spread = np.where(spread > 0, spread, np.where(std > 0, std, 1.0))
    return spread * n ** (-1.0 / (k + 4))


class KernelDensity:
    """A Gaussian kernel density estimate of training codes ``(N, k)``, queryable at any z.

    For k = 2 (the plane the page draws) the KDE is binned: a 2-D histogram on a fine grid,
    smoothed by a Gaussian filter, read back by bilinear interpolation. That makes a query O(1)
    however many codes there are (60,000 MNIST codes: microseconds per click), and a heat map of
    the plane as cheap as a lookup. For other k it is the exact KDE over a fixed random subsample
    of ``max_points`` codes (enough for a smooth estimate, and one query stays ~1 ms).

    ``threshold`` is the ``quantile`` of the densities *at the training codes themselves*;
    ``is_low(d)`` flags densities below it.
    """

    def __init__(
        self,
        codes: np.ndarray,
        bandwidth: np.ndarray | float | None = None,
        quantile: float = LOW_DENSITY_QUANTILE,
        bins: int = 256,
        max_points: int = 4000,
        seed: int = 0,
    ):
        codes = np.asarray(codes, dtype=np.float64)
        if codes.ndim != 2 or len(codes) < 2:
            raise ValueError(f"KernelDensity needs codes of shape (N≥2, k), got {codes.shape}")
        self.n, self.k = codes.shape
        bw = (
            scott_bandwidth(codes)
            if bandwidth is None
            else np.broadcast_to(np.asarray(bandwidth, dtype=np.float64), (self.k,)).copy()
        )
        self.bandwidth = bw  # (k,)
        self.quantile = quantile
        if self.k == 2:
            self._fit_binned(codes, bins)
            ref = codes
        else:
            g = np.random.default_rng(seed)
            self._pts = codes if self.n <= max_points else codes[g.choice(self.n, max_points, replace=False)]
            ref = self._pts
        # The training codes' own densities define what "dense" means for this model.
        self.train_density = np.sort(self(ref))  # (N',)
        self.threshold = float(np.quantile(self.train_density, quantile))

    # -- k = 2: binned KDE
    def _fit_binned(self, codes: np.ndarray, bins: int) -> None:
        lo = codes.min(0) - 4 * self.bandwidth
        hi = codes.max(0) + 4 * self.bandwidth
        hist, ex, ey = np.histogram2d(codes[:, 0], codes[:, 1], bins=bins, range=[[lo[0], hi[0]], [lo[1], hi[1]]])
        step = np.array([ex[1] - ex[0], ey[1] - ey[0]])
        smooth = ndimage.gaussian_filter(hist, sigma=self.bandwidth / step, mode="constant", truncate=4.0)
        self._grid = smooth / (self.n * step[0] * step[1])  # (bins, bins), a density per unit area
        self._lo, self._step = lo, step

    def __call__(self, z) -> np.ndarray:
        """Density at codes ``z`` ``(M, k)`` (or one ``(k,)``) → ``(M,)``."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim == 1:
            z = z[None]
        if z.shape[1] != self.k:
            raise ValueError(f"z has {z.shape[1]} dimensions, the density was fitted in {self.k}")
        if self.k == 2:
            # Bin centres sit at lo + (i + 0.5) * step.
            idx = (z - self._lo) / self._step - 0.5  # (M, 2) fractional bin indices
            return np.maximum(ndimage.map_coordinates(self._grid, idx.T, order=1, mode="constant", cval=0.0), 0.0)
        inv = 1.0 / self.bandwidth
        norm_c = np.prod(inv) / (2 * np.pi) ** (self.k / 2) / len(self._pts)
        out = np.empty(len(z))
        for i in range(0, len(z), 512):  # chunks keep the (512, N) distance matrix small
            d2 = (((z[i : i + 512, None, :] - self._pts[None]) * inv) ** 2).sum(-1)
            out[i : i + 512] = np.exp(-0.5 * d2).sum(1) * norm_c
        return out

    def is_low(self, d) -> np.ndarray | bool:
        """True where density ``d`` is below the threshold: g extrapolates there."""
        r = np.asarray(d) < self.threshold
        return bool(r) if r.ndim == 0 else r

    def percentile(self, d) -> np.ndarray | float:
        """Percent of training codes whose own density is ≤ ``d`` (0 = emptier than every code)."""
        r = np.searchsorted(self.train_density, np.asarray(d), side="right") / len(self.train_density) * 100.0
        return float(r) if np.ndim(r) == 0 else r

    def rank(self, points) -> np.ndarray:
        """``(M,)`` in [0, 1]: the fraction of training codes in places at most as dense as each point."""
        return np.asarray(self.percentile(self(points))) / 100.0

    def is_low_at(self, points, quantile: float | None = None) -> np.ndarray:
        """``(M,)`` bool: which points lie where fewer than ``quantile`` of the training codes are as sparse."""
        if quantile is None:
            return np.asarray(self.is_low(self(points)), dtype=bool).reshape(-1)
        return self(points) < float(np.quantile(self.train_density, quantile))

    def grid(self, x_range: tuple[float, float], y_range: tuple[float, float], res: int = 120):
        """Density on a ``res × res`` grid: ``(xs (res,), ys (res,), d (res_y, res_x))`` for a heat map.
        Only for k = 2 (project first for larger k)."""
        if self.k != 2:
            raise ValueError("a density grid needs 2-D codes; fit the density on a 2-D projection")
        xs = np.linspace(x_range[0], x_range[1], res)
        ys = np.linspace(y_range[0], y_range[1], res)
        gx, gy = np.meshgrid(xs, ys)  # (res, res), rows = y
        return xs, ys, self(np.c_[gx.ravel(), gy.ravel()]).reshape(res, res)


#: Rounds of local whitening: neighbours found in the global frame can straddle a gap between
#: clusters (the gap is squashed there); found again in the local frame, they no longer do.
LOCAL_WHITENING_ROUNDS = 3


def _whitener(cov: np.ndarray) -> np.ndarray:
    """``L⁻¹`` with ``LLᵀ = cov`` ``(k, k)``: maps that covariance to the identity. A flat direction
    gets a tiny ridge so that it stays invertible."""
    k = cov.shape[0]
    cov = cov + 1e-9 * max(float(np.trace(cov)) / k, 1e-12) * np.eye(k)
    return np.linalg.inv(np.linalg.cholesky(cov))


class NearestCodeDensity:
    """Where a model's codes ``(N, k)`` are dense, in any latent size k.

    The statistic is the distance from a point to its ``m``-th nearest code (a k-nearest-neighbour
    density estimate: density ∝ m / (N · distance^k), so a larger distance means an emptier place),
    measured after whitening the codes. A point is *low density* when that distance exceeds the
    ``1 − quantile`` quantile of the same statistic for the codes themselves, each measured
    leave-one-out against the others.

    Why this and not a kernel density estimate: a KDE needs one global bandwidth, and the usual
    rules (Scott's, derived for Gaussian data) are poor beyond a few dimensions; the neighbour
    distance adapts to the local spread of the codes, needs no bandwidth, and its threshold is
    calibrated in any k: a fresh point from the codes' own distribution is flagged with
    probability ≈ ``quantile`` (the leave-one-out statistics of the codes and the statistic of such
    a point are exchangeable), so the false-alarm rate does not drift with k.

    The price of high k: neighbour distances concentrate (in 16-D the emptiest 2% of codes are
    only ~1.5× farther from their neighbours than the median code), so a 2% cut-off flags gross
    misses only. :meth:`rank` gives the whole picture: where, among the codes, the draws
    typically sit.

    Why whiten (``x ↦ L⁻¹(x − mean)``): a decoder absorbs any invertible linear map of its latent
    space, so an AE's axes and scales are arbitrary and the answer must not depend on them;
    whitening makes it invariant to every such map. It also measures an offset in units of the
    codes' own spread *along that direction*: in raw units the wide directions dominate every
    distance, so a draw far outside a thin direction of the cloud (where the codes' density falls
    fastest) would hardly count.

    ``whiten="local"`` (what :func:`latent_density` uses for the "extrapolating" warning) whitens by
    the covariance of each code's offsets to its nearest codes instead of the codes' own covariance
    (``"global"``, what the Sampling page's draws are judged by). Why: two far clusters give the
    axis between them a huge global variance, and global whitening shrinks that gap to about one
    unit, so in 16-D the empty point halfway between the clusters looked as dense as any code
    (measured: never flagged). Offsets to neighbours are within-cluster, so the gap keeps its size.
    The neighbours are found in a whitened frame (first the global one, then the local one,
    :data:`LOCAL_WHITENING_ROUNDS` times), which keeps the construction invariant to linear maps.
    The Sampling page keeps global whitening: its tested lesson (N(0, I) draws against a VAE's and
    an AE's codes) was measured with it, and at the 2% cut-off local whitening reverses that
    small margin while every rank statistic still tells the same story.

    ``max_codes`` subsamples (seeded) to keep a page responsive on 10,000 MNIST codes.
    """

    def __init__(self, codes: np.ndarray, m: int = 10, max_codes: int = 4000, seed: int = 0, whiten: str = "global"):
        if whiten not in ("global", "local"):
            raise ValueError(f"whiten is 'global' or 'local', not {whiten!r}")
        codes = np.asarray(codes, dtype=np.float64)
        if codes.ndim != 2 or len(codes) < m + 2:
            raise ValueError(f"NearestCodeDensity needs codes of shape (N > m + 1, k) with m = {m}, got {codes.shape}")
        if len(codes) > max_codes:
            codes = codes[np.random.default_rng(seed).choice(len(codes), max_codes, replace=False)]
        self.codes, self.m = codes, int(m)
        k = codes.shape[1]
        self.mean = codes.mean(0)
        white = _whitener(np.cov(codes, rowvar=False).reshape(k, k))  # (k, k): the global frame first
        #: Names the statistic: stored leave-one-out distances (aecore.lecture.prepare) are keyed by it, so
        #: a change of metric never meets distances measured with another.
        self.metric = "global" if whiten == "global" else f"local-{LOCAL_WHITENING_ROUNDS}"
        rows = np.random.default_rng(seed + 1).choice(len(codes), min(len(codes), 500), replace=False)  # (S,)
        for _ in range(LOCAL_WHITENING_ROUNDS if whiten == "local" else 0):
            g = (codes - self.mean) @ white.T  # (N, k): the frame neighbours are found in
            d2 = (g[rows] ** 2).sum(1)[:, None] + (g**2).sum(1)[None] - 2.0 * g[rows] @ g.T  # (S, N)
            nn = np.argpartition(d2, self.m, axis=1)[:, 1 : self.m + 1]  # (S, m), skipping the code itself
            offsets = (codes[nn] - codes[rows][:, None]).reshape(-1, k)  # (S·m, k) raw offsets to neighbours
            white = _whitener(offsets.T @ offsets / len(offsets))  # local spread → identity
        self.white = white
        self._w = (codes - self.mean) @ self.white.T  # (N, k)
        self._w2 = (self._w**2).sum(1)  # (N,)
        self._own: np.ndarray | None = None
        self._sorted: np.ndarray | None = None

    def _mth(self, p: np.ndarray, skip_self: bool, chunk: int = 1024) -> np.ndarray:
        out = np.empty(len(p))
        j = self.m if skip_self else self.m - 1  # a code's nearest code is itself (distance 0)
        for i in range(0, len(p), chunk):
            q = p[i : i + chunk]
            d2 = (q**2).sum(1)[:, None] + self._w2[None] - 2.0 * q @ self._w.T  # (c, N)
            out[i : i + chunk] = np.partition(d2, j, axis=1)[:, j]
        return np.sqrt(np.maximum(out, 0.0))

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Whitened distance ``(M,)`` from each of ``points`` ``(M, k)`` to its ``m``-th nearest code."""
        p = (np.asarray(points, dtype=np.float64).reshape(-1, self.codes.shape[1]) - self.mean) @ self.white.T
        return self._mth(p, skip_self=False)

    def own_distances(self) -> np.ndarray:
        """The same statistic for every code, leave-one-out ``(N,)`` (computed once)."""
        if self._own is None:
            own = self._mth(self._w, skip_self=True)
            self._sorted = np.sort(own)
            self._own = own
        return self._own

    def use_own_distances(self, own: np.ndarray) -> None:
        """Adopt :meth:`own_distances` computed before (kept on disk by :func:`aecore.lecture.prepare.draw_density`)."""
        own = np.asarray(own, dtype=np.float64)
        if own.shape != (len(self.codes),):
            raise ValueError(f"expected {len(self.codes)} leave-one-out distances, got shape {own.shape}")
        self._own, self._sorted = own, np.sort(own)

    def distance_threshold(self, quantile: float = LOW_DENSITY_QUANTILE) -> float:
        """The distance beyond which only ``quantile`` of the real codes lie: "low density" means
        emptier than the neighbourhood of 98% of the places where the model actually puts data."""
        return float(np.quantile(self.own_distances(), 1.0 - quantile))

    def rank_of(self, distance: np.ndarray) -> np.ndarray:
        """:meth:`rank` from already computed :meth:`distance` values."""
        self.own_distances()
        return (len(self._sorted) - np.searchsorted(self._sorted, distance, side="right")) / len(self._sorted)

    # -- the questions every estimator here answers (see the module docstring)

    def _log_scale(self) -> float:
        """log(m / (N · V_k)), V_k the volume of the unit k-ball: density = exp(this) / r^k."""
        k = self.codes.shape[1]
        return math.log(self.m / len(self.codes)) - ((k / 2) * math.log(math.pi) - math.lgamma(k / 2 + 1))

    def _density_of_distance(self, r) -> np.ndarray:
        """The k-nearest-neighbour density m / (N · V_k · r^k), in whitened units."""
        r = np.maximum(np.asarray(r, dtype=np.float64), 1e-12)
        return np.exp(self._log_scale() - self.codes.shape[1] * np.log(r))

    def _distance_of_density(self, d) -> np.ndarray:
        """The inverse of :meth:`_density_of_distance`."""
        d = np.maximum(np.asarray(d, dtype=np.float64), 1e-300)
        return np.exp((self._log_scale() - np.log(d)) / self.codes.shape[1])

    def __call__(self, points) -> np.ndarray:
        """Density ``(M,)`` at ``points`` ``(M, k)`` (or one ``(k,)``): higher = denser."""
        return self._density_of_distance(self.distance(points))

    @property
    def threshold(self) -> float:
        """The density below which only :data:`LOW_DENSITY_QUANTILE` of the training codes lie."""
        return float(self._density_of_distance(self.distance_threshold(LOW_DENSITY_QUANTILE)))

    def is_low(self, d) -> np.ndarray | bool:
        """True where density ``d`` is below :attr:`threshold`: g extrapolates there."""
        r = np.asarray(d) < self.threshold
        return bool(r) if r.ndim == 0 else r

    def percentile(self, d) -> np.ndarray | float:
        """Percent of training codes whose own (leave-one-out) density is ≤ ``d``."""
        dist = self._distance_of_density(d)
        r = self.rank_of(dist) * 100.0
        return float(r) if np.ndim(r) == 0 else r

    def rank(self, points) -> np.ndarray:
        """``(M,)`` in [0, 1]: the fraction of real codes that lie in emptier places than each point
        (larger leave-one-out distance). Uniform on [0, 1], median ½, for points spread like the
        codes; "low density" at ``quantile`` q is (up to interpolation) a rank below q.

        The whole rank distribution says more than one cut-off: in 16-D, draws can avoid the
        emptiest 2% of the code space yet sit systematically in its sparse fringe."""
        return self.rank_of(self.distance(points))

    def is_low_at(self, points, quantile: float | None = None) -> np.ndarray:
        """``(M,)`` bool: which points lie farther from their m-th nearest code than all but
        ``quantile`` of the real codes are from theirs."""
        return self.distance(points) > self.distance_threshold(LOW_DENSITY_QUANTILE if quantile is None else quantile)


def relative_kde(codes: np.ndarray, query: np.ndarray, bandwidth: float | None = None, chunk: int = 4096) -> np.ndarray:
    """Gaussian kernel density of ``codes`` ``(N, k)`` at ``query`` ``(G, k)`` → ``(G,)``.

    Codes are standardised per axis first, and the bandwidth defaults to Scott's rule
    n^(-1/(k+4)) in those units: a smooth estimate with no cut-off anywhere. Values are relative
    (the kernel's constant is dropped): compare them only with each other.
    """
    codes = np.asarray(codes, dtype=np.float64)
    query = np.asarray(query, dtype=np.float64)
    n, k = codes.shape
    mu, sd = codes.mean(0), codes.std(0) + 1e-9
    c = (codes - mu) / sd
    q = (query - mu) / sd
    h = bandwidth or n ** (-1.0 / (k + 4))
    out = np.empty(len(q))
    cc = (c**2).sum(1)  # (N,)
    for i in range(0, len(q), chunk):
        qb = q[i : i + chunk]
        d2 = (qb**2).sum(1)[:, None] + cc[None] - 2 * qb @ c.T  # (B, N)
        out[i : i + chunk] = np.exp(-0.5 * np.maximum(d2, 0) / h**2).mean(1)
    return out


def latent_density(codes: np.ndarray) -> KernelDensity | NearestCodeDensity:
    """The estimator for a model's own latent space, fitted on its training codes ``(N, k)``: a KDE
    for k ≤ 2 (exact enough, and binned: O(1) per query), nearest codes beyond (a KDE's bandwidth
    rule breaks down in 16-D; the nearest-code statistic stays calibrated in any k)."""
    codes = np.asarray(codes)
    return KernelDensity(codes) if codes.shape[1] <= 2 else NearestCodeDensity(codes, whiten="local")
