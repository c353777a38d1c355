"""Distance to the best possible: forecasts on simulated incidents with a known intensity.

``python -m benchmarks.simulated``. On square grids in the shape of the sample districts
(Portland 150 m, Toronto 150 m), :func:`geo.hotspots.simulate.simulate_etas` draws two years of
incidents from a self-exciting process with background hotspots. Every method is backtested
on the last 8 weeks, and its PAI at 5 % of the area is divided by the PAI of ranking by the
true intensity (:class:`geo.hotspots.simulate.TrueIntensity`) in the same run. Target: the
default method reaches >= 0.8 of the true-intensity PAI.
"""

from __future__ import annotations

import time

from benchmarks.forecast import sample_grid
from geo.hotspots.backtest import run_backtest
from geo.hotspots.blend import DEFAULT_METHOD, BlendForecaster
from geo.hotspots.events import layout_from_cells
from geo.hotspots.forecast import (
    SIMPLE_DEFAULT,
    ETASForecaster,
    Forecaster,
    KDEForecaster,
    NaiveForecaster,
)
from geo.hotspots.simulate import (
    SimulationParams,
    TrueIntensity,
    hotspot_background,
    incidents_frame,
    simulate_etas,
)

SHARE = 0.05
TARGET = 0.8
DAYS = 730
#: (sample, cell size, background incidents per day, hotspots, theta, q): a mostly stationary
#: background, the same on the small Toronto beat, and strong short-lived near-repeats
SCENARIOS = (
    ("portland-central", 150.0, 25.0, 40, 0.3, 0.85),
    ("toronto-uoft", 150.0, 3.0, 4, 0.3, 0.85),
    ("portland-central", 150.0, 10.0, 40, 0.7, 0.6),
)


def run() -> dict[str, float]:
    """Print each method's PAI@5 % as a share of the true intensity's; return the default's."""
    out = {}
    for name, size, per_day, hotspots, theta, q in SCENARIOS:
        cells, _ = sample_grid(name, size)
        layout = layout_from_cells(cells)
        mu = hotspot_background(layout, total_per_day=per_day, hotspots=hotspots, seed=1)
        params = SimulationParams(mu=mu, theta=theta, q=q, bandwidth_m=150.0)
        cell, day = simulate_etas(layout, params, days=DAYS, seed=2)
        frame = incidents_frame(layout, cell, day)
        truth = TrueIntensity(params)
        methods: list[Forecaster] = [
            NaiveForecaster(4),
            SIMPLE_DEFAULT,
            KDEForecaster(100.0),
            ETASForecaster(150.0),
            BlendForecaster(),
            DEFAULT_METHOD,
            truth,
        ]
        started = time.perf_counter()
        result = run_backtest(frame, cells, weeks=8, methods=methods)
        elapsed = time.perf_counter() - started
        best = result.methods[truth.name].pai[SHARE]
        print(
            f"\n{name} shape, {layout.n} cells of {size:g} m, {len(cell):,} simulated incidents "
            f"over {DAYS} days (theta {params.theta}, mean lag {params.mean_lag_days:.1f} d); "
            f"true-intensity PAI@5% {best:.2f}; {elapsed:.1f} s"
        )
        for method, scores in result.methods.items():
            share_of_best = scores.pai[SHARE] / best if best > 0 else float("nan")
            print(f"  {method:<22} PAI@5% {scores.pai[SHARE]:6.2f}  -> {share_of_best:.3f} of true")
        value = result.methods[DEFAULT_METHOD.name].pai[SHARE] / best
        verdict = "MET" if value >= TARGET else "MISSED"
        print(
            f"  default {DEFAULT_METHOD.name}: {value:.3f} of true [target >= {TARGET}: {verdict}]"
        )
        out[f"{name} theta {theta}"] = value
    return out


def main() -> None:
    run()


if __name__ == "__main__":
    main()
