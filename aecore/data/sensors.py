"""A procedural "healthy machine" sensor log, with labelled faults: the tabular anomaly demo.

A pump driven by three hidden operating variables, all smooth in time: its **load** (0.2 to 1),
its **speed** (which follows the load, with its own slow wander) and the **ambient** temperature
(a daily cycle), one row a minute. Twelve sensors read functions of those three, each with 1% noise of its range, so
the healthy log lies near a 3-dimensional manifold in 12-D: an AE with k = 3 can learn it, and any
reading off it reconstructs badly. Faults, injected into test rows only (each into one channel,
recorded), where they change the reading by a clear margin:

* **drift**: a sensor's offset has crept away, by 40% to 80% of its range;
* **stuck**: a sensor keeps a value it read at another operating point (at least 30% of its range away);
* **broken correlation**: the flow meter reads as if the load were mirrored (1.2 - load): each value
  is a normal value on its own, only its relation to the other channels is wrong. No threshold on a
  single channel finds it; the AE does.

Seeded: the same seed gives the same log on every machine (numpy only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHANNELS = (
    "motor current (A)",
    "motor temperature (°C)",
    "bearing temperature (°C)",
    "vibration x (mm/s)",
    "vibration y (mm/s)",
    "inlet pressure (bar)",
    "outlet pressure (bar)",
    "flow (m³/h)",
    "coolant temperature (°C)",
    "power (kW)",
    "shaft speed (rpm)",
    "oil pressure (bar)",
)
FAULTS = ("drift", "stuck", "broken correlation")
CLASS_NAMES = ("healthy", *FAULTS)
FLOW = CHANNELS.index("flow (m³/h)")


@dataclass
class SensorLog:
    """Readings ``(N, 12)`` in physical units; ``label`` ``(N,)`` indexes :data:`CLASS_NAMES`,
    ``channel`` ``(N,)`` the faulty channel (-1 for a healthy row)."""

    x_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    channel_test: np.ndarray


def _hidden(n: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, 3)``: load, speed, ambient, one row a minute, smooth in time. Each is a sum of slow waves
    of incommensurate periods with seeded phases: stationary, so a few days of training log visit
    every operating point the test log does (a detector should flag faults, not new weather)."""
    t = np.arange(n)

    def waves(*periods: float) -> np.ndarray:  # in [-1, 1]
        w = sum(np.sin(2 * np.pi * t / p + rng.uniform(0, 2 * np.pi)) for p in periods)
        return w / len(periods)

    load = 0.6 + 0.4 * waves(97, 331, 1201)
    speed = np.clip(0.6 * load + 0.2 + 0.2 * waves(173, 613), 0.1, 1.0)
    ambient = 18 + 6 * np.sin(2 * np.pi * t / 1440 + rng.uniform(0, 2 * np.pi)) + waves(211, 877)
    return np.stack([load, speed, ambient], 1)


def _sensors(h: np.ndarray) -> np.ndarray:
    """Noise-free readings ``(n, 12)`` of the hidden variables ``(n, 3)``."""
    L, S, A = h[:, 0], h[:, 1], h[:, 2]
    current = 8 + 30 * L + 6 * S
    motor_t = A + 35 * L + 8 * S
    return np.stack(
        [
            current,
            motor_t,
            A + 20 * L + 15 * S**2,
            1.0 + 6 * S**2,
            0.8 + 5 * S**2 + 1.5 * L,
            2.0 + 0.4 * S - 0.3 * L,
            3.0 + 4 * L * S + 1.5 * S,
            10 + 40 * S + 40 * L,
            A + 12 * L + 3 * S,
            0.4 * current * (0.7 + 0.3 * S),
            600 + 2400 * S,
            2.5 + 1.5 * S - 0.01 * (motor_t - A),
        ],
        1,
    )


def sensor_log(seed: int = 0, n_train: int = 6000, n_test: int = 1500, n_fault: int = 300) -> SensorLog:
    """The healthy log (``n_train`` rows for training, ``n_test`` for testing) and ``n_fault`` faulty
    test rows of each kind in :data:`FAULTS`."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test + 3 * n_fault
    h = _hidden(n, rng)
    clean = _sensors(h)  # (n, 12)
    spread = np.ptp(clean[:n_train], 0)  # (12,)
    x = clean + rng.normal(0, 0.01, clean.shape) * spread
    # Which minutes are training, test and fault rows: whole stretches of time, not a shuffle, as a
    # log is split in practice (train on last month, test on this one).
    tr = np.arange(n_train)
    te = np.arange(n_train, n)
    xt = x[te].copy()
    y = np.zeros(len(te), np.int64)
    ch = np.full(len(te), -1, np.int64)
    # The fault rows: spread over the whole test stretch, so that healthy and faulty test rows share
    # its operating conditions (a later stretch of time alone would look different to a detector).
    rows = rng.permutation(len(te))[: 3 * n_fault]
    L = h[te, 0]  # the test rows' load
    for f, kind in enumerate(FAULTS):
        part = rows[f * n_fault : (f + 1) * n_fault]
        y[part] = f + 1
        for r in part:
            if kind == "drift":
                c = int(rng.integers(0, len(CHANNELS)))
                xt[r, c] += rng.choice([-1, 1]) * rng.uniform(0.4, 0.8) * spread[c]
            elif kind == "stuck":
                c = int(rng.integers(0, len(CHANNELS)))
                gap = np.abs(x[:n_train, c] - xt[r, c])
                far = np.flatnonzero(gap >= 0.3 * spread[c])
                xt[r, c] = x[far[rng.integers(0, len(far))] if len(far) else int(np.argmax(gap)), c]
            else:
                c = FLOW
                mirrored = h[te[r]].copy()
                mirrored[0] = 1.2 - mirrored[0]
                if abs(mirrored[0] - L[r]) < 0.35:  # too close to the truth to tell: mirror further
                    mirrored[0] = 1.0 if L[r] < 0.6 else 0.2
                xt[r, c] = _sensors(mirrored[None])[0, c] + rng.normal(0, 0.01) * spread[c]
            ch[r] = c
    return SensorLog(x_train=x[tr].astype(np.float32), x_test=xt.astype(np.float32), y_test=y, channel_test=ch)
