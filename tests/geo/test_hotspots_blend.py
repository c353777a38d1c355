"""The validated blend: it learns from earlier weeks only, and the default picks by validation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from geo.hotspots import (
    SIMPLE_DEFAULT,
    BlendForecaster,
    DecayForecaster,
    History,
    NaiveForecaster,
    ValidatedForecaster,
    blend_features,
    forecaster_from_name,
    run_backtest,
)
from geo.hotspots.blend import FeatureSpec
from geo.hotspots.events import events_from_incidents, layout_from_cells
from tests.geo.test_hotspots_backtest import RandomForecaster, _cells, _incidents


@dataclass(frozen=True)
class SpyHistory(History):
    """A History that records the end of every time window read from it (every read, of
    counts, categories and hour-of-week profiles alike, goes through ``mask``)."""

    reads: list[float] = field(default_factory=list, compare=False)

    def mask(self, start_day: float, end_day: float) -> np.ndarray:
        self.reads.append(float(end_day))
        return super().mask(start_day, end_day)


@dataclass(frozen=True)
class Instrumented:
    """Runs a method on a spying copy of the history and records what it read per origin."""

    inner: BlendForecaster | ValidatedForecaster
    log: list[tuple[float, float, int]] = field(default_factory=list, compare=False, hash=False)

    @property
    def name(self) -> str:
        return f"spy:{self.inner.name}"

    def predict(self, history: History, *, origin_day: float, horizon_days: float) -> np.ndarray:
        spy = SpyHistory(
            history.cell,
            history.day,
            history.weight,
            history.layout,
            history.category,
            history.time_known,
        )
        out = self.inner.predict(spy, origin_day=origin_day, horizon_days=horizon_days)
        self.log.append((origin_day, max(spy.reads), len(spy.reads)))
        return out


def _history(days: int = 140) -> History:
    layout = layout_from_cells(_cells())
    return History.from_events(events_from_incidents(_incidents(days=days), layout), layout)


def test_blend_never_reads_the_test_weeks_in_a_backtest() -> None:
    blend = Instrumented(BlendForecaster(training_periods=6, max_iter=10))
    validated = Instrumented(ValidatedForecaster(validation_periods=2, min_history_days=42))
    result = run_backtest(_incidents(), _cells(), weeks=4, methods=[blend, validated])
    assert len(blend.log) == len(validated.log) == 4
    for origin, latest_read, reads in [*blend.log, *validated.log]:
        assert reads > 0
        assert latest_read <= origin  # nothing at or after the first test day was read
    assert result.methods["spy:blend"].pai[0.05] > 0


def test_blend_with_profiles_never_reads_the_test_weeks_of_a_band() -> None:
    """The hour-of-week profiles and per-category counts read through the same door: on a
    band crossing midnight (shift dates) nothing at or after the origin is read either."""
    blend = Instrumented(BlendForecaster(training_periods=6, max_iter=10))
    validated = Instrumented(ValidatedForecaster(validation_periods=2, min_history_days=42))
    assert BlendForecaster().spec.profile_blocks_per_day > 0
    result = run_backtest(_incidents(), _cells(), weeks=3, band="22-06", methods=[blend, validated])
    assert result.band == "22-06"
    assert len(blend.log) == len(validated.log) == 3
    for origin, latest_read, reads in blend.log:
        assert reads > 10  # features at every training origin, profiles included
        assert latest_read <= origin
    for origin, latest_read, reads in validated.log:
        assert reads > 0 and latest_read <= origin


def test_blend_forecast_is_the_same_without_the_future() -> None:
    full = _history()
    origin = float(np.floor(full.day.max())) - 14.0
    past = full.day < origin
    assert full.category is not None
    cut = History(
        full.cell[past], full.day[past], full.weight[past], full.layout, full.category[past]
    )
    blend = BlendForecaster(training_periods=6, max_iter=10)
    a = blend.predict(full, origin_day=origin, horizon_days=7)
    b = blend.predict(cut, origin_day=origin, horizon_days=7)
    np.testing.assert_allclose(a, b)
    starts = blend.training_origins(origin, 7)
    assert len(starts) == 6 and max(starts) + 7 <= origin


def test_blend_finds_the_planted_hotspots() -> None:
    result = run_backtest(
        _incidents(),
        _cells(),
        weeks=6,
        methods=[NaiveForecaster(4), DecayForecaster(56.0), BlendForecaster(), RandomForecaster()],
    )
    pai = {name: s.pai[0.05] for name, s in result.methods.items()}
    assert pai["blend"] > 2 * pai["random"]
    assert pai["blend"] >= 0.9 * pai["decay-56d"]


def test_features_are_named_and_cached() -> None:
    history = _history()
    spec = FeatureSpec()
    x = blend_features(history, 100.0 + history.day.min(), horizon_days=7, spec=spec)
    assert x.shape == (history.layout.n, len(spec.names(())))
    assert np.all(x >= 0)
    again = blend_features(history, 100.0 + history.day.min(), horizon_days=7, spec=spec)
    assert again is x
    names = spec.names(("theft",))
    assert "category:theft" in names and names[-1] == "day-share:18h"
    assert sum(n.startswith(("week-share:", "day-share:")) for n in names) == 7 + 4


def test_short_history_falls_back_to_the_simple_default() -> None:
    history = _history(days=20)
    origin = float(np.floor(history.day.max())) + 1
    blend = BlendForecaster()
    assert blend.fit(history, origin_day=origin, horizon_days=7) is None
    np.testing.assert_allclose(
        blend.predict(history, origin_day=origin, horizon_days=7),
        SIMPLE_DEFAULT.predict(history, origin_day=origin, horizon_days=7),
    )
    choice = ValidatedForecaster(validation_periods=4).choose(
        history, origin_day=origin, horizon_days=7
    )
    assert choice.method == SIMPLE_DEFAULT.name and choice.reason == "history too short"


def test_validation_picks_counting_over_noise() -> None:
    history = _history()
    origin = float(np.floor(history.day.max())) + 1
    picker = ValidatedForecaster(
        candidates=(RandomForecaster(), DecayForecaster(56.0)), validation_periods=3
    )
    choice = picker.choose(history, origin_day=origin, horizon_days=7)
    assert choice.method == "decay-56d"
    assert choice.scores["decay-56d"] > choice.scores["random"]
    assert max(choice.validation_starts) + 7 <= origin
    with pytest.raises(ValueError, match="metric must be 'pai' or 'pei', got 'hit'"):
        ValidatedForecaster(metric="hit")


@pytest.mark.parametrize("name", ["blend", "blend-etas", "validated-pai@5%", "validated-pei@2%"])
def test_blend_names_round_trip(name: str) -> None:
    assert forecaster_from_name(name).name == name


def test_backtest_reports_what_the_default_chose() -> None:
    picker = ValidatedForecaster(
        candidates=(RandomForecaster(), DecayForecaster(56.0)), validation_periods=2
    )
    result = run_backtest(_incidents(), _cells(), weeks=3, methods=[picker])
    picks = result.choices[picker.name]
    assert len(picks) == 4  # three test weeks and the week after
    assert set(picks) <= {"random", "decay-56d"} and picks[-1] == "decay-56d"
    assert result.to_json_dict()["choices"][picker.name]["next_week"] == "decay-56d"


def test_a_small_validation_gain_does_not_replace_the_first_candidate() -> None:
    history = _history()
    origin = float(np.floor(history.day.max())) + 1
    pair = (NaiveForecaster(1), DecayForecaster(56.0))
    scores = (
        ValidatedForecaster(candidates=pair, validation_periods=3, margin=0.0)
        .choose(history, origin_day=origin, horizon_days=7)
        .scores
    )
    gain = scores["decay-56d"] / scores["naive-1w"] - 1
    assert gain > 0.01  # decayed counts beat one week's count on the planted hotspots
    above = ValidatedForecaster(candidates=pair, validation_periods=3, margin=gain + 0.01)
    below = ValidatedForecaster(candidates=pair, validation_periods=3, margin=gain - 0.01)
    assert above.choose(history, origin_day=origin, horizon_days=7).method == "naive-1w"
    assert below.choose(history, origin_day=origin, horizon_days=7).method == "decay-56d"
    with pytest.raises(ValueError, match=r"margin must be in \[0, 1\), got 1.5"):
        ValidatedForecaster(margin=1.5)
