"""Medians and ratios of repeated timings, and the order in which the repeats run."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence

__all__ = ["interleaved", "median", "paired_ratios", "ratio"]


def median(values: Iterable[float]) -> float:
    """The median of ``values`` (NaN for an empty sequence)."""
    values = list(values)
    return statistics.median(values) if values else math.nan


def ratio(a: float, b: float) -> float:
    """``a / b``, or NaN when ``b`` is zero or either is NaN."""
    if b == 0 or math.isnan(a) or math.isnan(b):
        return math.nan
    return a / b


def paired_ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """``a[i] / b[i]`` for each repeat: interleaved runs share the machine's state of the moment."""
    if len(a) != len(b):
        raise ValueError(f"paired samples must have the same length, got {len(a)} and {len(b)}")
    return [ratio(x, y) for x, y in zip(a, b)]


def interleaved(methods: Sequence[str], repeats: int) -> list[tuple[int, str]]:
    """The measuring order: ``(repeat, method)`` for A B C, A B C, ... ``repeats`` times."""
    return [(r, m) for r in range(repeats) for m in methods]
