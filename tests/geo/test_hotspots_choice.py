"""The planner's risk from the method chosen by validation (geo.hotspots.choice)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from geo.hotspots import compute_risk
from geo.hotspots.bands import DAY_BAND, band
from geo.hotspots.blend import ValidatedForecaster, hour_of_week_shares
from geo.hotspots.choice import clear_cache, validated_band_risk
from geo.hotspots.columns import SCORE
from geo.hotspots.events import (
    CellLayout,
    Events,
    day_number,
    events_from_incidents,
    layout_from_cells,
)
from geo.hotspots.forecast import History
from geo.schema import CATEGORY, CELL_ID, OCCURRED_AT, TIME_KNOWN
from tests.geo.test_hotspots_backtest import HOT, _cells, _incidents

EVENING = band(16, 24)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def _events(incidents: pd.DataFrame) -> tuple[Events, CellLayout]:
    layout = layout_from_cells(_cells())
    return events_from_incidents(incidents, layout), layout


def test_validated_risk_names_its_method_and_validation_weeks() -> None:
    incidents = _incidents()
    risk = compute_risk(incidents, _cells(), bands=[EVENING], method="validated")
    choice = risk.methods["16-24"]
    assert choice.validated and choice.method in choice.scores
    # the best, or the first candidate (decayed counts) when no other beats it by 3 %
    best = max(choice.scores.values())
    assert choice.scores[choice.method] == best or (
        choice.method == "decay-112d" and choice.scores[choice.method] * 1.03 >= best
    )
    # the validation weeks end before the reference day: the planned week is never seen
    assert choice.validation_end is not None and choice.validation_end < risk.at
    assert choice.validation_start is not None
    assert (risk.at - choice.validation_start).days == 28
    assert choice.low <= choice.pai <= choice.high
    note = next(n for n in risk.notes if n.startswith("Risk in 16-24"))
    assert choice.method in note and f"{choice.pai:.2f}" in note and "never including" in note
    # the planted hotspots lead the evening's risk
    top = risk.band("16-24").head(3)[CELL_ID]
    assert set(top) == set(HOT)
    assert risk.params["methods"] == {"16-24": choice.method}


def test_scores_keep_the_size_of_the_decayed_counts() -> None:
    incidents = _incidents()
    fixed = compute_risk(incidents, _cells(), bands=[EVENING])
    chosen = compute_risk(incidents, _cells(), bands=[EVENING], method="validated")
    assert not fixed.methods and fixed.params["method"] == "decayed"
    assert chosen.band("16-24")[SCORE].sum() == pytest.approx(fixed.band("16-24")[SCORE].sum())


def test_nothing_after_the_reference_day_changes_the_choice_or_the_risk() -> None:
    incidents = _incidents()
    at = pd.Timestamp("2023-05-01")
    later = incidents[OCCURRED_AT].dt.tz_localize(None) >= at
    assert later.any()
    kept = incidents[~later]
    # the incidents after the reference day moved to other cells entirely
    moved = incidents.copy()
    moved.loc[later, CELL_ID] = "c00"
    a = compute_risk(kept, _cells(), bands=[EVENING], at="2023-05-01", method="validated")
    clear_cache()
    b = compute_risk(moved, _cells(), bands=[EVENING], at="2023-05-01", method="validated")
    assert a.methods["16-24"] == b.methods["16-24"]
    np.testing.assert_allclose(a.band("16-24")[SCORE], b.band("16-24")[SCORE])


def test_choice_is_deterministic_and_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    events, layout = _events(_incidents())
    at = float(np.floor(events.day.max())) + 1
    first, c1 = validated_band_risk(events, layout, EVENING, at_day=at)
    clear_cache()
    calls: list[float] = []
    real = ValidatedForecaster.choose

    def counting(self: ValidatedForecaster, *args: object, **kwargs: float) -> object:
        calls.append(kwargs["origin_day"])
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ValidatedForecaster, "choose", counting)
    again, c2 = validated_band_risk(events, layout, EVENING, at_day=at)
    cached, c3 = validated_band_risk(events, layout, EVENING, at_day=at)
    assert calls == [at]  # validated once; the second call came from the cache
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(again, cached)
    assert c1 == c2 == c3
    validated_band_risk(events, layout, EVENING, at_day=at, share=0.1)
    assert len(calls) == 2  # another share is another validation


def test_short_history_uses_the_best_simple_method() -> None:
    incidents = _incidents(days=20)
    risk = compute_risk(incidents, _cells(), bands=[EVENING], method="validated")
    choice = risk.methods["16-24"]
    assert not choice.validated and choice.method == "decay-112d"
    assert choice.reason == "history too short"
    assert "best simple method" in next(n for n in risk.notes if n.startswith("Risk in"))
    fixed = compute_risk(incidents, _cells(), bands=[EVENING])
    assert list(risk.band("16-24")[CELL_ID][:5]) == list(fixed.band("16-24")[CELL_ID][:5])


def test_large_data_validates_the_simple_methods_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("geo.hotspots.choice.HEAVY_MAX_CELLS", 10)
    risk = compute_risk(_incidents(), _cells(), bands=[EVENING], method="validated")
    choice = risk.methods["16-24"]
    assert "simple methods only" in choice.reason
    assert set(choice.scores) == {"decay-112d", "naive-4w", "decay-28d"}


def test_only_the_bands_asked_for_are_validated() -> None:
    risk = compute_risk(
        _incidents(), _cells(), bands=[EVENING, DAY_BAND], method="validated", validate=["day"]
    )
    assert set(risk.methods) == {"day"}
    with pytest.raises(ValueError, match="method must be 'validated' or 'decayed', got 'x'"):
        compute_risk(_incidents(), _cells(), method="x")  # type: ignore[arg-type]


def test_a_band_crossing_midnight_is_validated_in_shift_dates() -> None:
    night = band(22, 6)
    risk = compute_risk(_incidents(), _cells(), bands=[night], method="validated")
    choice = risk.methods["22-06"]
    assert choice.validated and choice.incidents > 0
    assert choice.validation_end is not None and choice.validation_end < risk.at


def _hand_history() -> History:
    """Cell 0: 10 incidents on Mondays 01:00 (known times); cell 1: 4 date-only Tuesdays."""
    layout = layout_from_cells(_cells())
    monday = day_number("2023-01-02")  # a Monday
    days = [monday + 7 * k + 1 / 24 for k in range(10)] + [monday + 1 + 7 * k for k in range(4)]
    return History(
        cell=np.array([0] * 10 + [1] * 4),
        day=np.array(days),
        weight=np.ones(14),
        layout=layout,
        time_known=np.array([True] * 10 + [False] * 4),
    )


def test_hour_of_week_shares_on_a_hand_built_case() -> None:
    history = _hand_history()
    origin = float(np.ceil(history.day.max())) + 1
    shares = hour_of_week_shares(history, origin, blocks_per_day=4, prior=5.0)
    assert shares.shape == (100, 28)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    # cell 0: smoothed 0.6 of its 10 incidents in Monday 00-06, 0.2 to each side block
    district = shares[50]  # an empty cell carries the district's profile
    expected = (np.array([6.0, 2.0]) + 5 * district[[0, 1]]) / (10 + 5)
    np.testing.assert_allclose(shares[0, [0, 1]], expected)
    assert shares[0, 27] == pytest.approx((2.0 + 5 * district[27]) / 15)  # Sunday 18-24
    # cell 1: date-only Tuesdays spread evenly over Tuesday's four blocks
    tuesday = shares[1, 4:8]
    assert tuesday[1] == pytest.approx(tuesday[2])
    assert tuesday.sum() > 0.5
    # nothing before the window or after the origin is counted
    early = hour_of_week_shares(history, float(history.day.min()), blocks_per_day=4)
    np.testing.assert_allclose(early, 1.0 / 28)


def test_hour_of_week_shares_for_a_category_mix() -> None:
    incidents = _incidents()
    incidents[CATEGORY] = np.where(np.arange(len(incidents)) % 2, "theft", "robbery")
    incidents[TIME_KNOWN] = True
    events, layout = _events(incidents)
    history = History.from_events(events, layout)
    origin = float(np.floor(history.day.max()))
    shares = hour_of_week_shares(history, origin)
    assert np.all(shares > 0) and np.allclose(shares.sum(axis=1), 1.0)
