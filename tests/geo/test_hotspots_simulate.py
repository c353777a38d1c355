"""The simulator draws the process ETAS fits: fitting ETAS back recovers its parameters."""

from __future__ import annotations

import numpy as np
import pytest

from geo.hotspots import ETASForecaster, History, run_backtest
from geo.hotspots.events import layout_from_cells
from geo.hotspots.simulate import (
    SimulationParams,
    TrueIntensity,
    hotspot_background,
    incidents_frame,
    simulate_etas,
)
from tests.geo.test_hotspots_backtest import _cells


def _params(theta: float = 0.4) -> tuple[SimulationParams, object]:
    layout = layout_from_cells(_cells())
    mu = hotspot_background(layout, total_per_day=3.0, hotspots=4, spread_m=150.0, seed=1)
    return SimulationParams(mu=mu, theta=theta, q=0.8, bandwidth_m=100.0), layout


@pytest.mark.parametrize("seed", [2, 3])
def test_etas_fitted_back_recovers_the_parameters(seed: int) -> None:
    params, layout = _params()
    cell, day = simulate_etas(layout, params, days=730, seed=seed)  # type: ignore[arg-type]
    # expected size: background 3/day x 730 days / (1 - theta) = 3650, less late children
    assert 3300 < len(cell) < 4000
    assert np.all(np.diff(day) >= 0) and day.min() >= 0 and day.max() < 730
    history = History(cell, day, np.ones(len(cell)), layout)  # type: ignore[arg-type]
    fit, _ = ETASForecaster(bandwidth_m=100.0, window_days=730, n_iter=100).fit(
        history, origin_day=730.0
    )
    assert fit.theta == pytest.approx(params.theta, abs=0.1)
    assert fit.mean_lag_days == pytest.approx(params.mean_lag_days, rel=0.3)
    assert fit.mu.sum() == pytest.approx(params.mu.sum(), rel=0.15)
    assert np.corrcoef(fit.mu, params.mu)[0, 1] > 0.85


def test_no_triggering_gives_poisson_background() -> None:
    params, layout = _params(theta=0.0)
    cell, _ = simulate_etas(layout, params, days=300, seed=5)  # type: ignore[arg-type]
    assert len(cell) == pytest.approx(900, rel=0.1)
    with pytest.raises(ValueError, match="theta must be in"):
        SimulationParams(mu=params.mu, theta=1.2, q=0.8, bandwidth_m=100.0)


def test_true_intensity_is_the_ceiling_of_a_backtest() -> None:
    params, layout = _params()
    cell, day = simulate_etas(layout, params, days=300, seed=7)  # type: ignore[arg-type]
    frame = incidents_frame(layout, cell, day)  # type: ignore[arg-type]
    truth = TrueIntensity(params)
    result = run_backtest(frame, _cells(), weeks=8, methods=[truth])
    assert result.ratio(truth.name) > 1.0  # ranking by the truth beats counting
