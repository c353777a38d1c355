"""Rolling-origin backtest on synthetic data where the right answer is known."""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.hotspots import (
    DecayForecaster,
    ETASForecaster,
    Forecaster,
    History,
    KDEForecaster,
    NaiveForecaster,
    forecaster_from_name,
    run_backtest,
)
from geo.schema import CATEGORY, CELL_ID, OCCURRED_AT, TIME_KNOWN

CRS = "EPSG:32650"
N = 10  # 10 x 10 cells of 100 m
HOT = ("c44", "c45", "c54")


def _cells() -> gpd.GeoDataFrame:
    boxes = [
        box(j * 100, i * 100, (j + 1) * 100, (i + 1) * 100) for i in range(N) for j in range(N)
    ]
    ids = [f"c{i}{j}" for i in range(N) for j in range(N)]
    return gpd.GeoDataFrame({CELL_ID: ids}, geometry=boxes, crs=CRS)


def _incidents(seed: int = 11, days: int = 140) -> pd.DataFrame:
    """Background 0.03 per cell and day everywhere, 0.5 per day in three persistent cells."""
    rng = np.random.default_rng(seed)
    cells = _cells()[CELL_ID].to_numpy()
    rate = np.where(np.isin(cells, HOT), 0.5, 0.03)
    counts = rng.poisson(rate[:, None] * np.ones(days))
    cell_idx, day_idx = np.nonzero(counts)
    reps = counts[cell_idx, day_idx]
    cell_idx, day_idx = np.repeat(cell_idx, reps), np.repeat(day_idx, reps)
    hours = rng.integers(0, 24, size=len(day_idx))
    when = (
        pd.Timestamp("2023-01-01")
        + pd.to_timedelta(day_idx, unit="D")
        + pd.to_timedelta(hours, unit="h")
    )
    return pd.DataFrame(
        {
            CELL_ID: cells[cell_idx],
            OCCURRED_AT: pd.Series(when).dt.tz_localize("Asia/Shanghai"),
            CATEGORY: "theft",
            TIME_KNOWN: True,
        }
    )


@dataclass(frozen=True)
class RandomForecaster:
    seed: int = 0

    @property
    def name(self) -> str:
        return "random"

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        return np.random.default_rng(self.seed + int(origin_day)).random(history.layout.n)


def test_planted_persistent_hotspot_wins() -> None:
    methods: list[Forecaster] = [
        NaiveForecaster(4),
        DecayForecaster(56.0),
        KDEForecaster(bandwidth_m=100.0, window_days=120),
        ETASForecaster(bandwidth_m=100.0, window_days=120, max_lag_days=28, n_iter=15),
        RandomForecaster(),
    ]
    result = run_backtest(_incidents(), _cells(), weeks=6, methods=methods)
    pai5 = {name: s.pai[0.05] for name, s in result.methods.items()}
    assert pai5["decay-56d"] > 2 * pai5["random"]
    assert pai5["etas-100m"] > 2 * pai5["random"]
    # 5 % of the area = 5 cells holds the three hot cells, which get 1.5 / 4.41 = 34 % of
    # incidents; the best possible also picks the luckiest two background cells of the week
    assert result.methods["decay-56d"].hit_rate[0.05] > 0.3
    assert result.methods["decay-56d"].pei[0.05] > 0.6
    assert 0.2 < pai5["random"] < 3
    assert result.baseline == "naive-4w" and result.weeks == 6
    assert result.ratio("decay-56d") == pytest.approx(pai5["decay-56d"] / pai5["naive-4w"])


def test_json_shape_and_table() -> None:
    result = run_backtest(_incidents(days=60), _cells(), weeks=2, methods=[DecayForecaster(28.0)])
    payload = result.to_json_dict()
    json.dumps(payload)
    assert set(payload) == {"methods", "baseline", "default", "weeks", "band", "notes", "choices"}
    assert list(payload["methods"]) == ["naive-4w", "decay-28d"]  # baseline added first
    assert set(payload["methods"]["decay-28d"]) == {"hit_rate", "pai", "pei"}
    assert list(payload["methods"]["decay-28d"]["pai"]) == ["0.01", "0.02", "0.05", "0.1"]
    assert payload["weeks"] == 2 and payload["baseline"] == "naive-4w"
    assert payload["default"] in payload["methods"]
    rows = result.table_rows()
    assert len(rows) == 2 and len(rows[0]) == len(result.table_columns()) == 13
    assert rows[0][0] == "naive-4w (baseline)"


def test_forecasts_never_see_the_test_week() -> None:
    inc = _incidents(days=60)
    result = run_backtest(inc, _cells(), weeks=1, until="2023-03-01", methods=[NaiveForecaster(1)])
    # a naive-1w forecast from data ending on the origin equals last week's counts
    start = result.week_starts[0]
    assert start == pd.Timestamp("2023-02-23")
    assert (
        result.per_week["incidents"].iloc[0]
        == (
            (inc[OCCURRED_AT].dt.tz_localize(None) >= start)
            & (inc[OCCURRED_AT].dt.tz_localize(None) < pd.Timestamp("2023-03-02"))
        ).sum()
    )


def test_band_backtest_and_errors() -> None:
    inc = _incidents(days=60)
    night = run_backtest(inc, _cells(), weeks=2, band="00-08", methods=[DecayForecaster(28.0)])
    assert night.band == "00-08"
    dated = inc.assign(**{TIME_KNOWN: False})
    with pytest.raises(ValueError, match="no incident with a known time falls in band '16-24'"):
        run_backtest(dated, _cells(), weeks=2, band="16-24")
    with pytest.raises(ValueError, match="no incident before the first test period"):
        run_backtest(inc, _cells(), weeks=20)
    with pytest.raises(ValueError, match="weeks must be >= 1, got 0"):
        run_backtest(inc, _cells(), weeks=0)


@pytest.mark.parametrize(
    "name", ["naive-4w", "decay-112d", "decay-56d-bw150m", "kde-100m-365d", "etas-200m-bg300m"]
)
def test_methods_round_trip_by_name(name: str) -> None:
    assert forecaster_from_name(name).name == name


def test_unknown_method_name_is_named() -> None:
    with pytest.raises(ValueError, match="unknown method name 'prophet'"):
        forecaster_from_name("prophet")
