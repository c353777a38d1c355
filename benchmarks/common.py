"""Shared helpers for benchmarks: median timing and a uniform result line."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def median_seconds(func: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``repeat`` calls of ``func`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class Figure:
    """One measured figure against its same-run baseline."""

    name: str
    value_s: float
    baseline_name: str
    baseline_s: float
    target: str

    @property
    def speedup(self) -> float:
        return self.baseline_s / self.value_s if self.value_s > 0 else float("inf")

    def line(self) -> str:
        return (
            f"{self.name}: {self.value_s:.3f} s (median) vs {self.baseline_name} "
            f"{self.baseline_s:.3f} s -> {self.speedup:.1f}x faster  [target: {self.target}]"
        )
