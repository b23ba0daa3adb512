"""Small numbers the benchmarks print."""

from __future__ import annotations


def pct(xs, q: float) -> float:
    """The ``q``-quantile (0 to 1) of ``xs`` by nearest rank; NaN for an empty list."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")
