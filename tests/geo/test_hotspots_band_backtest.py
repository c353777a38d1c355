"""Per-band backtests and bootstrap intervals on tiny hand-built cases with known answers."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.hotspots import (
    BacktestResult,
    History,
    NaiveForecaster,
    backtest_bands,
    backtest_events,
    band,
    run_backtest,
)
from geo.hotspots.events import events_from_incidents, layout_from_cells
from geo.hotspots.metrics import bootstrap_metric, bootstrap_ratio
from geo.schema import CELL_ID, OCCURRED_AT, TIME_KNOWN

CRS = "EPSG:32650"


def _cells() -> gpd.GeoDataFrame:
    """Four 100 m cells A B / C D: flagging 25 % of the area flags exactly one cell."""
    boxes = [box(0, 100, 100, 200), box(100, 100, 200, 200), box(0, 0, 100, 100)]
    boxes.append(box(100, 0, 200, 100))
    return gpd.GeoDataFrame({CELL_ID: list("ABCD")}, geometry=boxes, crs=CRS)


def _incidents() -> pd.DataFrame:
    """History shift dates 2024-01-01..07, test shift dates 01-08..14 (until 01-14).

    Band 18-02: A is the night cell, C the daytime cell. The 01:00 incident on 01-08 belongs
    to the 01-07 night shift (history); the 00:30 and 01:30 incidents on 01-15 belong to the
    01-14 shift (test); the 19:00 incident on 01-15 is after the last test shift.
    """
    rows = [
        ("A", "2024-01-02 19:00"),
        ("A", "2024-01-03 20:00"),
        ("A", "2024-01-08 01:00"),
        ("B", "2024-01-04 22:00"),
        *[("C", f"2024-01-0{d} 10:00") for d in range(2, 7)],
        ("A", "2024-01-08 23:00"),
        ("A", "2024-01-15 00:30"),
        ("A", "2024-01-15 01:30"),
        ("B", "2024-01-10 21:00"),
        ("C", "2024-01-09 10:00"),
        ("C", "2024-01-10 10:00"),
        ("B", "2024-01-15 19:00"),
    ]
    cell, when = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            CELL_ID: list(cell),
            OCCURRED_AT: pd.to_datetime(list(when)).tz_localize("Asia/Shanghai"),
            TIME_KNOWN: True,
        }
    )


def _run(band_spec: object) -> BacktestResult:
    result = run_backtest(
        _incidents(),
        _cells(),
        weeks=1,
        until="2024-01-14",
        band=band_spec,  # type: ignore[arg-type]
        methods=[NaiveForecaster(1)],
        shares=(0.25,),
    )
    return result


def test_band_crossing_midnight_is_scored_by_shift_date() -> None:
    night = _run("18-02")
    assert night.band == "18-02"
    week = night.per_week[night.per_week["method"] == "naive-1w"].iloc[0]
    # test shifts 01-08..01-14: A three times (23:00, 00:30 and 01:30 after the 14th), B once
    assert week["incidents"] == 4
    # history (the 01-08 01:00 incident included) flags A: 3 of 4 hit
    assert week["hits"] == pytest.approx(3.0)
    assert week["best_hits"] == pytest.approx(3.0)
    assert night.methods["naive-1w"].pai[0.25] == pytest.approx((3 / 4) / 0.25)
    assert night.methods["naive-1w"].pei[0.25] == pytest.approx(1.0)
    assert night.week_starts[0] == pd.Timestamp("2024-01-08")


def test_day_level_on_the_same_data_flags_the_daytime_cell() -> None:
    day = _run(None)
    week = day.per_week[day.per_week["method"] == "naive-1w"].iloc[0]
    # wall-clock days 01-08..01-14: A twice (01:00, 23:00 on the 8th), B once, C twice;
    # history flags C (5 incidents), which gets 2 of 5
    assert week["incidents"] == 5
    assert week["hits"] == pytest.approx(2.0)
    assert day.methods["naive-1w"].pai[0.25] == pytest.approx((2 / 5) / 0.25)
    assert any("3 incident(s) after the last test day" in n for n in day.notes)


def test_backtest_bands_reports_day_and_each_band() -> None:
    layout = layout_from_cells(_cells())
    events = events_from_incidents(_incidents(), layout)
    bands = (band(8, 16), band(18, 2))
    out = backtest_bands(
        events,
        layout,
        bands=bands,
        weeks=1,
        until="2024-01-14",
        methods=[NaiveForecaster(1)],
        shares=(0.25,),
    )
    assert list(out.results) == ["day", "08-16", "18-02"]
    assert out.results["18-02"].methods["naive-1w"].pai[0.25] == pytest.approx(3.0)
    # 08-16: C only, flagged from history and hit twice of twice
    assert out.results["08-16"].methods["naive-1w"].pei[0.25] == pytest.approx(1.0)
    assert set(out.to_json_dict()) == {"bands", "skipped"}
    dated = events_from_incidents(_incidents().assign(**{TIME_KNOWN: False}), layout)
    only_day = backtest_bands(dated, layout, bands=bands, weeks=1, until="2024-01-14")
    assert list(only_day.results) == ["day"]
    assert only_day.skipped == {
        "08-16": "incidents carry dates only",
        "18-02": ("incidents carry dates only"),
    }


def test_bootstrap_ratio_of_a_constant_difference_has_no_width() -> None:
    base = np.array([3.0, 5.0, 2.0, 8.0, 4.0, 6.0])
    ratio, low, high = bootstrap_ratio(2 * base, base, n_boot=500, seed=1)
    assert ratio == pytest.approx(2.0) and low == pytest.approx(2.0) and high == pytest.approx(2.0)


def test_bootstrap_ratio_interval_covers_the_known_ratio() -> None:
    rng = np.random.default_rng(7)
    base = rng.poisson(20, size=40).astype(float)
    better = rng.poisson(30, size=40).astype(float)  # true ratio 1.5
    ratio, low, high = bootstrap_ratio(better, base, n_boot=2000, seed=3)
    assert low < 1.5 < high and low > 1.0
    assert low < ratio < high
    # a method that wins some weeks and loses others by the same amount: 1 is inside
    _, low2, high2 = bootstrap_ratio(np.array([4.0, 0, 4, 0]), np.array([0.0, 4, 0, 4]))
    assert low2 < 1 < high2
    value, v_low, v_high = bootstrap_metric(base, base * 2, scale=10.0)
    assert value == pytest.approx(5.0) and v_low == pytest.approx(5.0) == v_high
    with pytest.raises(ValueError, match="one value per period"):
        bootstrap_ratio(np.ones(3), np.ones(4))


@dataclass(frozen=True)
class Oracle:
    """Not a forecaster: ranks by the test period itself (the best possible)."""

    @property
    def name(self) -> str:
        return "oracle"

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        return history.counts(origin_day, origin_day + horizon_days)


def test_comparisons_say_better_or_not_better_than_naive() -> None:
    from tests.geo.test_hotspots_backtest import _cells as grid
    from tests.geo.test_hotspots_backtest import _incidents as planted

    result = run_backtest(
        planted(days=120), grid(), weeks=6, methods=[NaiveForecaster(4), Oracle()]
    )
    comp = result.compare(metric="pai", share=0.05, n_boot=500)
    assert comp["naive-4w"].ratio == 1.0 and comp["naive-4w"].verdict == "not better than naive"
    oracle = comp["oracle"]
    assert oracle.verdict == "better than naive" and oracle.ratio_low > 1
    assert oracle.low <= oracle.value <= oracle.high
    assert oracle.value == pytest.approx(result.methods["oracle"].pai[0.05])
    pei = result.compare(metric="pei", share=0.05, n_boot=200)["oracle"]
    assert pei.value == pytest.approx(1.0) and pei.low == pytest.approx(1.0)
    with pytest.raises(ValueError, match="was not scored"):
        result.compare(share=0.5)


def test_per_weekday_backtest_scores_one_shift_a_week() -> None:
    inc, cells = _incidents(), _cells()
    options = dict(weeks=1, until="2024-01-14", methods=[NaiveForecaster(1)], shares=(0.25,))
    sunday = run_backtest(inc, cells, band="18-02", **options)  # type: ignore[arg-type]
    assert sunday.band == "18-02"
    layout = layout_from_cells(cells)
    events = events_from_incidents(inc, layout)
    out = backtest_bands(
        events, layout, bands=(band(18, 2),), weekdays=True, min_weekday_incidents=1, **options
    )
    # Sunday night shifts: 01-07 (the 01:00 incident on the 8th) flags A; 01-14 has A twice
    sun = out.results["18-02 Sun"]
    assert sun.band == "18-02 Sun"
    assert sun.per_week["incidents"].iloc[0] == 2
    assert sun.methods["naive-1w"].pai[0.25] == pytest.approx((2 / 2) / 0.25)
    # Wednesday night shifts: A on 01-03 flags A, but 01-10 brings B: nothing hit
    wed = out.results["18-02 Wed"]
    assert wed.per_week["incidents"].iloc[0] == 1
    assert wed.methods["naive-1w"].pai[0.25] == 0.0
    # Monday night shifts: none before the test week, so no forecast to score
    assert "no incident before the first test period" in out.skipped["18-02 Mon"]
    # Fridays have no night incident at all: reported, not scored
    assert "18-02 Fri" in out.skipped and "18-02 Fri" not in out.results
    assert "day Tue" in out.results  # the whole day per weekday too
    with pytest.raises(ValueError, match="weekday must be 0"):
        backtest_events(events, layout, weekday=7, **options)  # type: ignore[arg-type]
