"""Priors over a latent space: what to draw z from so that g(z) looks like data.

A VAE imposes its prior, N(0, I), by training; a vanilla AE has none, and N(0, I) draws decode to
ghosts (the Sampling page). The other answer is to *learn* the prior from the trained AE's codes:
the first stage of latent diffusion (Rombach et al., 2022) is exactly an autoencoder, the second a
generative model of its codes. Three priors, one interface:

* :class:`StandardNormal`: N(0, I), imposed (the VAE's; a baseline for any AE).
* :class:`GaussianMixturePrior`: a mixture of full-covariance Gaussians fitted by EM.
* :class:`FlowPrior`: a diffusion-family model of the codes: an MLP velocity field v(x, t) trained by
  flow matching (Lipman et al., 2023; the straight path of rectified flow, Liu et al., 2023) to carry
  N(0, I) noise at t = 0 onto the codes at t = 1. Sampling integrates dx/dt = v from a noise draw,
  so it is deterministic given the draw: the same seed's ε feeds N(0, I) and the flow alike.

Each has ``fit(codes)``, ``sample(n, seed)`` ``(n, k)`` and ``log_prob(z)`` ``(n,)`` (nats), and
``state()`` / ``from_state`` for its file (:mod:`aecore.storage.priors`). torch + numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

Progress = Callable[[float, str], None]  # (fraction done, what is happening)

_LOG_2PI = math.log(2 * math.pi)


def draw_eps(n: int, k: int, seed: int = 0) -> np.ndarray:
    """``n`` seeded draws ε ~ N(0, I_k), ``(n, k)`` float32: the same seed gives the same draws
    (and the first rows of a seed's draws are the same for any ``n``)."""
    return np.random.default_rng(int(seed)).standard_normal((n, k)).astype(np.float32)


def _std_normal_logp(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return -0.5 * (z**2).sum(1) - 0.5 * z.shape[1] * _LOG_2PI


class StandardNormal:
    """N(0, I_k): nothing to fit."""

    kind = "normal"

    def __init__(self, k: int):
        self.k = int(k)

    def fit(self, codes: np.ndarray, seed: int = 0, on_progress: Progress | None = None) -> StandardNormal:
        self.k = np.asarray(codes).shape[1]
        return self

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        return draw_eps(n, self.k, seed)

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        return _std_normal_logp(z)

    def config(self) -> dict:
        return {"kind": self.kind, "k": self.k}

    def state(self) -> dict[str, np.ndarray]:
        return {}

    @classmethod
    def from_state(cls, config: dict, tensors: dict[str, np.ndarray]) -> StandardNormal:
        return cls(config["k"])


class GaussianMixturePrior:
    """A mixture of ``components`` full-covariance Gaussians, fitted by EM from a seeded k-means++
    start on up to ``max_codes`` codes. Each covariance gets ``reg`` × the codes' mean variance added
    to its diagonal (no component collapses onto a few codes)."""

    kind = "mixture"

    def __init__(self, components: int = 10, iterations: int = 100, max_codes: int = 20_000, reg: float = 1e-3):
        self.components, self.iterations, self.max_codes, self.reg = components, iterations, max_codes, reg
        self.weights = self.means = self.chol = None  # (C,), (C, k), (C, k, k) lower Cholesky factors

    def fit(self, codes: np.ndarray, seed: int = 0, on_progress: Progress | None = None) -> GaussianMixturePrior:
        x = np.asarray(codes, dtype=np.float64)
        rng = np.random.default_rng(seed)
        if len(x) > self.max_codes:
            x = x[np.sort(rng.choice(len(x), self.max_codes, replace=False))]
        n, k = x.shape
        c = min(self.components, n)
        ridge = self.reg * float(x.var(0).mean()) * np.eye(k)
        resp = _kmeans_pp_responsibilities(x, c, rng)  # (n, C) one-hot
        for it in range(self.iterations):
            self._m_step(x, resp, ridge)
            log_r = self._log_joint(x)  # (n, C)
            resp = np.exp(log_r - _logsumexp(log_r)[:, None])
            if on_progress and (it + 1) % 10 == 0:
                on_progress((it + 1) / self.iterations, f"EM iteration {it + 1}/{self.iterations}")
        self._m_step(x, resp, ridge)
        return self

    def _m_step(self, x: np.ndarray, resp: np.ndarray, ridge: np.ndarray) -> None:
        nk = resp.sum(0) + 1e-10  # (C,)
        self.weights = nk / nk.sum()
        self.means = (resp.T @ x) / nk[:, None]  # (C, k)
        covs = []
        for j in range(len(nk)):
            d = x - self.means[j]
            covs.append((resp[:, j, None] * d).T @ d / nk[j] + ridge)
        self.chol = np.linalg.cholesky(np.stack(covs))  # (C, k, k)

    def _log_joint(self, z: np.ndarray) -> np.ndarray:
        """log w_j + log N(z; μ_j, Σ_j) ``(n, C)``."""
        z = np.asarray(z, dtype=np.float64)
        out = np.empty((len(z), len(self.weights)))
        for j, (w, mu, ch) in enumerate(zip(self.weights, self.means, self.chol)):
            sol = np.linalg.solve(ch, (z - mu).T)  # (k, n): L⁻¹(z − μ)
            logdet = 2 * np.log(np.diag(ch)).sum()
            out[:, j] = math.log(w) - 0.5 * (sol**2).sum(0) - 0.5 * (logdet + z.shape[1] * _LOG_2PI)
        return out

    def log_prob(self, z: np.ndarray) -> np.ndarray:
        return _logsumexp(self._log_joint(z))

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """μ_c + L_c ε with the seed's ε (the same draws N(0, I) gets) and a component c per row
        chosen by uniforms drawn after them."""
        k = self.means.shape[1]
        rng = np.random.default_rng(int(seed))
        eps = rng.standard_normal((n, k))  # == draw_eps(n, k, seed)
        comp = np.searchsorted(np.cumsum(self.weights), rng.uniform(size=n) * self.weights.sum())
        comp = np.minimum(comp, len(self.weights) - 1)
        return (self.means[comp] + np.einsum("nij,nj->ni", self.chol[comp], eps)).astype(np.float32)

    def config(self) -> dict:
        return {"kind": self.kind, "components": self.components, "iterations": self.iterations, "reg": self.reg}

    def state(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights, "means": self.means, "chol": self.chol}

    @classmethod
    def from_state(cls, config: dict, tensors: dict[str, np.ndarray]) -> GaussianMixturePrior:
        p = cls(int(config["components"]), int(config["iterations"]), reg=float(config["reg"]))
        p.weights, p.means, p.chol = (np.asarray(tensors[n], np.float64) for n in ("weights", "means", "chol"))
        c, k = p.means.shape
        if p.weights.shape != (c,) or p.chol.shape != (c, k, k):
            raise ValueError("the mixture's arrays do not fit together")
        return p


def _logsumexp(a: np.ndarray) -> np.ndarray:
    m = a.max(1)
    return m + np.log(np.exp(a - m[:, None]).sum(1))


def _kmeans_pp_responsibilities(x: np.ndarray, c: int, rng: np.random.Generator, rounds: int = 10) -> np.ndarray:
    """One-hot assignments ``(n, C)`` after k-means++ seeding and a few Lloyd rounds."""
    centres = [x[rng.integers(len(x))]]
    d2 = ((x - centres[0]) ** 2).sum(1)
    for _ in range(1, c):
        centres.append(x[rng.choice(len(x), p=d2 / d2.sum())])
        d2 = np.minimum(d2, ((x - centres[-1]) ** 2).sum(1))
    cen = np.stack(centres)
    for _ in range(rounds):
        lab = ((x[:, None, :] - cen[None]) ** 2).sum(2).argmin(1)
        cen = np.stack([x[lab == j].mean(0) if (lab == j).any() else cen[j] for j in range(c)])
    return np.eye(c)[lab]


class _Velocity(nn.Module):
    """v(x, t): an MLP on x and sinusoidal features of t."""

    def __init__(self, k: int, width: int, depth: int, t_features: int = 16):
        super().__init__()
        self.register_buffer("freqs", torch.exp(torch.linspace(0, math.log(1000), t_features // 2)))
        layers, d = [], k + t_features
        for _ in range(depth):
            layers += [nn.Linear(d, width), nn.SiLU()]
            d = width
        self.net = nn.Sequential(*layers, nn.Linear(d, k))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        a = t[:, None] * self.freqs[None]  # (B, F/2)
        return self.net(torch.cat([x, torch.sin(a), torch.cos(a)], 1))  # (B, k)


class FlowPrior:
    """A flow-matching model of the codes (see the module docstring). Codes are standardised per
    dimension first (their mean and spread kept), so one learning rate suits every model's scale."""

    kind = "flow"

    def __init__(self, width: int = 256, depth: int = 3, steps: int = 4000, batch: int = 1024, lr: float = 2e-3):
        self.width, self.depth, self.steps, self.batch, self.lr = width, depth, steps, batch, lr
        self.net: _Velocity | None = None
        self.mean = self.std = None  # (k,) float64

    def fit(self, codes: np.ndarray, seed: int = 0, on_progress: Progress | None = None) -> FlowPrior:
        x = np.asarray(codes, dtype=np.float64)
        self.mean, self.std = x.mean(0), x.std(0) + 1e-8
        data = torch.as_tensor((x - self.mean) / self.std, dtype=torch.float32)
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        self.net = _Velocity(x.shape[1], self.width, self.depth)
        opt = torch.optim.Adam(self.net.parameters(), lr=self.lr)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / self.steps)))
        for step in range(self.steps):
            x1 = data[torch.randint(len(data), (self.batch,), generator=gen)]
            x0 = torch.randn(x1.shape, generator=gen)
            t = torch.rand(len(x1), generator=gen)
            xt = (1 - t[:, None]) * x0 + t[:, None] * x1  # the straight path from noise to a code
            loss = ((self.net(xt, t) - (x1 - x0)) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if on_progress and (step + 1) % 200 == 0:
                on_progress((step + 1) / self.steps, f"step {step + 1}/{self.steps} · loss {loss.item():.3f}")
        self.net.eval()
        return self

    @torch.no_grad()
    def trajectory(self, eps: np.ndarray, steps: int = 40) -> np.ndarray:
        """The ODE's states ``(steps + 1, n, k)`` in code units, from noise ``eps`` ``(n, k)`` at t = 0
        to samples at t = 1 (Heun's method: two velocity calls per step)."""
        x = torch.as_tensor(np.asarray(eps), dtype=torch.float32)
        out, h = [x.clone()], 1.0 / steps
        for i in range(steps):
            t = torch.full((len(x),), i * h)
            v0 = self.net(x, t)
            v1 = self.net(x + h * v0, t + h)
            x = x + 0.5 * h * (v0 + v1)
            out.append(x.clone())
        xs = torch.stack(out).double().numpy()
        return xs * self.std + self.mean

    def sample(self, n: int, seed: int = 0, steps: int = 40) -> np.ndarray:
        return self.trajectory(draw_eps(n, len(self.mean), seed), steps)[-1].astype(np.float32)

    def log_prob(self, z: np.ndarray, steps: int = 40) -> np.ndarray:
        """log p(z) by the instantaneous change of variables: integrate the ODE back from z to t = 0,
        with the exact divergence of v (k backward passes per step), and add log N(x₀; 0, I)."""
        x = torch.as_tensor((np.asarray(z, dtype=np.float64) - self.mean) / self.std, dtype=torch.float32)
        k, h = x.shape[1], 1.0 / steps
        div_total = torch.zeros(len(x), dtype=torch.float64)
        for i in range(steps, 0, -1):  # Euler backwards in t
            t = torch.full((len(x),), i * h)
            with torch.enable_grad():
                xi = x.detach().requires_grad_(True)
                v = self.net(xi, t)
                div = sum(torch.autograd.grad(v[:, j].sum(), xi, retain_graph=j < k - 1)[0][:, j] for j in range(k))
            div_total += div.double() * h
            x = (xi - h * v).detach()
        logp0 = _std_normal_logp(x.double().numpy())
        return logp0 - div_total.numpy() - np.log(self.std).sum()

    def config(self) -> dict:
        return {"kind": self.kind, "width": self.width, "depth": self.depth, "steps": self.steps, "lr": self.lr}

    def state(self) -> dict[str, np.ndarray]:
        out = {f"net.{n}": p.detach().numpy() for n, p in self.net.state_dict().items()}
        return {**out, "mean": self.mean, "std": self.std}

    @classmethod
    def from_state(cls, config: dict, tensors: dict[str, np.ndarray]) -> FlowPrior:
        p = cls(int(config["width"]), int(config["depth"]), int(config["steps"]), lr=float(config["lr"]))
        p.mean, p.std = np.asarray(tensors["mean"], np.float64), np.asarray(tensors["std"], np.float64)
        p.net = _Velocity(len(p.mean), p.width, p.depth)
        p.net.load_state_dict({n[4:]: torch.as_tensor(v) for n, v in tensors.items() if n.startswith("net.")})
        p.net.eval()
        return p


#: The priors by name, as files and pages call them.
PRIORS = {c.kind: c for c in (StandardNormal, GaussianMixturePrior, FlowPrior)}
