"""Simulated incidents with a known intensity: how far a forecast is from the best possible.

:func:`simulate_etas` draws incidents on a grid from the discretised self-exciting process
that :class:`geo.hotspots.forecast.ETASForecaster` fits (cells and days):

.. math::

    \\lambda_c(d) = \\mu_c
        + \\theta \\sum_{\\ell \\ge 1} k_q(\\ell) \\sum_{c'} g_{cc'} N_{c'}(d - \\ell)

with a background :math:`\\mu` made of Gaussian hotspots on a low floor
(:func:`hotspot_background`), offspring ratio :math:`\\theta`, geometric lag kernel
:math:`k_q` (mean lag ``1 / (1 - q)`` days) and the Gaussian spatial kernel :math:`g` of
:meth:`CellLayout.kernel`. It is simulated as a branching process: background incidents are
Poisson per cell and day, and every incident has Poisson(:math:`\\theta`) children at a
geometric lag in a cell drawn from its kernel column.

:class:`TrueIntensity` is the forecast made from the true parameters (the expected count over
the horizon given the history, to first order in the triggering), so a method's PAI divided by
its PAI is the share of the achievable accuracy the method reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.hotspots.events import CellLayout
from geo.hotspots.forecast import ETASFit, ETASForecaster, History, _lag_kernel


@dataclass(frozen=True)
class SimulationParams:
    """Parameters of :func:`simulate_etas`.

    Attributes
    ----------
    mu
        Background rate per cell and day.
    theta
        Expected children per incident (< 1).
    q
        Geometric lag parameter; the mean lag is ``1 / (1 - q)`` days.
    bandwidth_m
        Standard deviation of the spatial triggering kernel.
    max_lag_days
        Longest lag (the kernel is truncated and renormalised, as in the fit).
    """

    mu: np.ndarray
    theta: float
    q: float
    bandwidth_m: float
    max_lag_days: int = 56

    def __post_init__(self) -> None:
        if not 0 <= self.theta < 1:
            raise ValueError(f"theta must be in [0, 1), got {self.theta!r}")
        if not 0 < self.q < 1:
            raise ValueError(f"q must be in (0, 1), got {self.q!r}")
        if np.any(np.asarray(self.mu) < 0):
            raise ValueError("mu must be >= 0 in every cell")

    @property
    def mean_lag_days(self) -> float:
        return 1.0 / (1.0 - self.q)


def hotspot_background(
    layout: CellLayout,
    *,
    total_per_day: float,
    hotspots: int = 12,
    spread_m: float = 150.0,
    floor_share: float = 0.3,
    seed: int = 0,
) -> np.ndarray:
    """A background rate per cell: ``hotspots`` Gaussian bumps plus a uniform floor.

    ``floor_share`` of ``total_per_day`` is spread evenly over the area, the rest over bumps
    centred on random cells (seeded).
    """
    rng = np.random.default_rng(seed)
    centres = rng.choice(layout.n, size=min(hotspots, layout.n), replace=False)
    heights = rng.gamma(2.0, 1.0, size=len(centres))
    bumps = np.zeros(layout.n)
    for centre, height in zip(centres, heights, strict=True):
        d2 = (layout.x - layout.x[centre]) ** 2 + (layout.y - layout.y[centre]) ** 2
        bumps += height * np.exp(-0.5 * d2 / spread_m**2)
    area = layout.area_m2 / layout.area_m2.sum()
    bumps = bumps * layout.area_m2
    return total_per_day * (floor_share * area + (1 - floor_share) * bumps / bumps.sum())


def simulate_etas(
    layout: CellLayout, params: SimulationParams, *, days: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Incidents of the process over ``days`` days: ``(cell, day)`` arrays, ``day`` in
    ``[0, days)`` with a uniform time of day, sorted by time."""
    rng = np.random.default_rng(seed)
    kernel = layout.kernel(params.bandwidth_m).tocsc()
    lag_p = _lag_kernel(params.q, params.max_lag_days)
    counts = rng.poisson(np.outer(params.mu, np.ones(days)))
    cell, day = np.nonzero(counts)
    reps = counts[cell, day]
    generation_cell, generation_day = np.repeat(cell, reps), np.repeat(day, reps)
    all_cells, all_days = [generation_cell], [generation_day]
    while len(generation_cell):
        n_children = rng.poisson(params.theta, size=len(generation_cell))
        parent_cell = np.repeat(generation_cell, n_children)
        parent_day = np.repeat(generation_day, n_children)
        lag = rng.choice(np.arange(1, params.max_lag_days + 1), size=len(parent_cell), p=lag_p)
        child_day = parent_day + lag
        child_cell = _draw_from_columns(kernel, parent_cell, rng)
        keep = child_day < days
        generation_cell, generation_day = child_cell[keep], child_day[keep]
        all_cells.append(generation_cell)
        all_days.append(generation_day)
    cells = np.concatenate(all_cells)
    whole_days = np.concatenate(all_days).astype(float)
    times = whole_days + rng.random(len(whole_days))
    order = np.argsort(times, kind="stable")
    return cells[order], times[order]


def _draw_from_columns(kernel: object, columns: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each entry of ``columns``, a row index drawn with the column's weights."""
    indptr = kernel.indptr  # type: ignore[attr-defined]
    indices = kernel.indices  # type: ignore[attr-defined]
    data = kernel.data  # type: ignore[attr-defined]
    cumulative = np.cumsum(data)
    start = indptr[columns]
    end = indptr[columns + 1]
    base = np.where(start > 0, cumulative[np.maximum(start - 1, 0)], 0.0)
    target = base + rng.random(len(columns)) * (cumulative[end - 1] - base)
    pos = np.clip(np.searchsorted(cumulative, target, side="right"), start, end - 1)
    return np.asarray(indices[pos], dtype=np.int64)


def incidents_frame(
    layout: CellLayout, cell: np.ndarray, day: np.ndarray, *, start: str = "2022-01-03"
) -> pd.DataFrame:
    """Simulated incidents as a table with ``cell_id``, ``occurred_at`` and ``time_known``."""
    when = pd.Timestamp(start) + pd.to_timedelta(day, unit="D")
    return pd.DataFrame(
        {
            "cell_id": layout.cell_ids.to_numpy()[cell],
            "occurred_at": pd.Series(when).dt.round("min"),
            "time_known": True,
        }
    )


@dataclass(frozen=True)
class TrueIntensity:
    """Not a method: the forecast from the true parameters of the simulation.

    The expected count over ``[origin, origin + horizon)`` given the incidents before the
    origin: the background plus the triggering by past incidents (children of incidents
    inside the horizon are left out, a second-order term).
    """

    params: SimulationParams

    @property
    def name(self) -> str:
        return "true-intensity"

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        etas = ETASForecaster(
            bandwidth_m=self.params.bandwidth_m,
            window_days=max(self.params.max_lag_days + 1, 14),
            max_lag_days=self.params.max_lag_days,
        )
        counts = etas._counts(history, origin_day)
        spread = np.asarray(history.layout.kernel(self.params.bandwidth_m) @ counts)
        fit = ETASFit(
            mu=np.asarray(self.params.mu, dtype=float),
            theta=self.params.theta,
            q=self.params.q,
            iterations=0,
            days=counts.shape[1],
        )
        return horizon_days * fit.mu + etas.triggering(fit, spread, horizon_days)
