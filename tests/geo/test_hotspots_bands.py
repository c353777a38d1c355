"""Time bands (midnight crossing, staggered starts, date-only exclusion), weights and decay."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.hotspots.bands import (
    DEFAULT_BANDS,
    assign_band,
    band,
    band_membership,
    bands_from_spec,
    hour_of_week_profile,
    peak_hours,
)
from geo.hotspots.risk import decay_weights
from geo.hotspots.weights import CategoryWeights


def _times(*clock: str) -> pd.Series:
    return pd.Series(pd.to_datetime([f"2021-03-01 {c}" for c in clock])).dt.tz_localize(
        "America/Toronto"
    )


def test_default_bands_are_the_three_shifts() -> None:
    assert [b.name for b in DEFAULT_BANDS] == ["08-16", "16-24", "00-08"]
    times = _times("07:59", "08:00", "15:59", "16:00", "23:59", "00:00")
    got = assign_band(times, np.ones(6, dtype=bool), DEFAULT_BANDS)
    assert got.tolist() == ["00-08", "08-16", "08-16", "16-24", "16-24", "00-08"]


def test_band_crossing_midnight() -> None:
    night = band("22:00", "06:00")
    assert night.crosses_midnight and night.duration_h == 8
    assert night.hours() == (0, 1, 2, 3, 4, 5, 22, 23)
    member = band_membership(
        _times("21:59", "22:00", "03:00", "05:59", "06:00"), [True] * 5, [night]
    )
    assert member[:, 0].tolist() == [False, True, True, True, False]


def test_staggered_bands_from_spec() -> None:
    bands = bands_from_spec("07:30-15:30,15:30-23:30,23:30-07:30")
    assert [b.name for b in bands] == ["07:30-15:30", "15:30-23:30", "23:30-07:30"]
    got = assign_band(_times("07:29", "07:30", "23:45"), [True] * 3, bands)
    assert got.tolist() == ["23:30-07:30", "07:30-15:30", "23:30-07:30"]


def test_date_only_incidents_are_in_no_hourly_band() -> None:
    times = _times("00:00", "00:00", "03:00")
    known = np.array([False, True, True])
    got = assign_band(times, known, DEFAULT_BANDS)
    assert got.isna().tolist() == [True, False, False]  # never put in 00-08
    full_day = band(0, 24, name="day")
    assert band_membership(times, known, [full_day])[:, 0].all()


def test_bad_spec_names_the_part() -> None:
    with pytest.raises(ValueError, match=r"got '8 to 16'"):
        bands_from_spec("8 to 16,16-24")
    with pytest.raises(ValueError, match="duplicates"):
        bands_from_spec("08-16,08-16")


def test_peak_hours_and_hour_of_week() -> None:
    profile = np.zeros(24)
    profile[[2, 14, 22]] = [5, 9, 5]
    assert peak_hours(profile) == (14, 2, 22)
    assert peak_hours(np.zeros(24)) == ()
    week = hour_of_week_profile(_times("13:10", "13:50"), [True, True])
    assert week.shape == (7, 24) and week[0, 13] == 2  # 2021-03-01 is a Monday


def test_half_life_decay() -> None:
    w = decay_weights(np.array([0.0, 30.0, 60.0, -1.0]), 30.0)
    assert w == pytest.approx([1.0, 0.5, 0.25, 0.0])
    assert decay_weights(np.array([400.0]), None) == pytest.approx([1.0])
    with pytest.raises(ValueError, match="half_life_days must be a positive number of days, got 0"):
        decay_weights(np.array([1.0]), 0)


def test_category_synonyms_are_case_insensitive_and_unknowns_reported() -> None:
    table = CategoryWeights()
    names = pd.Series(
        [
            "STREET CRIMES",
            "Break and Enter",
            "motor vehicle theft",
            "抢夺",
            "入室盗窃",
            "盗窃",
            "诈骗",
            "Auto Theft",
            "Theft Over",
            "BURGLARY",
            "OTHER",
            "assault",
            "jaywalking",
        ]
    )
    canon = table.canonical(names).tolist()
    assert canon == ["street_crimes", "burglary", "vehicle_theft", "robbery", "burglary",
                     "theft", "fraud", "vehicle_theft", "theft", "burglary", "other", "assault",
                     "unknown"]  # fmt: skip
    weights, unknown = table.weigh(names)
    assert weights[3] == table.weights["robbery"] and weights[-1] == table.default_weight
    assert unknown == ("jaywalking",)
    custom = table.with_weights(robbery=5.0)
    assert custom.weigh(pd.Series(["Robbery"]))[0][0] == 5.0
    with pytest.raises(ValueError, match="unknown categories"):
        table.with_weights(piracy=1.0)
