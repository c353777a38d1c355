"""``planner.shift``: one shift planned from a district, the way every caller plans it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from geo.analysis import AnalysisOptions, analyse
from geo.network.modes import Mode
from planner.defaults import DEFAULT_CREW, DEFAULT_UNIT_COUNTS
from planner.errors import PlanningError
from planner.shift import (
    PlanOptions,
    default_break,
    default_units,
    plan_shift,
    shift_band,
    shift_seconds,
)
from tests.districts import small_district

H = 3600


def options(band: str, **kw: object) -> PlanOptions:
    return PlanOptions(shift=shift_band(band), time_limit_s=1.0, max_iterations=150, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("band", ["18-02", "22-06", "07:30-15:30", "16-24"])
def test_any_band_is_planned_on_its_own_risk(band: str) -> None:
    result = plan_shift(small_district(), options(band))
    assert result.risk_band == shift_band(band).name
    assert (
        band in result.analysis.risk.band_names
        or result.risk_band in result.analysis.risk.band_names
    )
    start_s, end_s = shift_seconds(shift_band(band))
    for unit in result.problem.units:
        assert (unit.shift_start_s, unit.shift_end_s) == (start_s, end_s)
    for route in result.plan.routes:
        assert start_s <= route.depart_s <= route.return_s <= end_s


def test_a_band_crossing_midnight_ends_the_next_morning() -> None:
    assert shift_seconds(shift_band("22-06")) == (22 * H, 30 * H)
    assert shift_seconds(shift_band("18-02")) == (18 * H, 26 * H)


def test_dates_only_data_plan_on_the_day_band_and_say_so() -> None:
    result = plan_shift(small_district(times_known=False), options("18-02"))
    assert result.risk_band == "day"
    assert any("day-level risk" in note for note in result.notes)
    assert result.plan.routes and any(r.stops for r in result.plan.routes)


def test_an_analysis_without_the_shift_band_is_analysed_again_with_it() -> None:
    district = small_district()
    analysis = analyse(district, AnalysisOptions())
    assert "18-02" not in analysis.risk.band_names
    result = plan_shift(analysis, options("18-02"))
    assert "18-02" in result.analysis.risk.band_names
    assert result.risk_band == "18-02"


def test_the_plan_date_defaults_to_the_day_after_the_data() -> None:
    result = plan_shift(small_district(last_day="2024-03-09"), options("16-24"))
    assert result.problem.plan_date == date(2024, 3, 10)


def test_vary_gives_plans_for_successive_days() -> None:
    result = plan_shift(small_district(), options("16-24", vary=3))
    assert len(result.plans) >= 2
    first = result.problem.plan_date
    assert [result.plan_date_of(k) for k in range(3)] == [
        first,
        first + timedelta(days=1),
        first + timedelta(days=2),
    ]
    assert result.plans[0].stop_order() != result.plans[1].stop_order()


def test_vary_with_drop_reports_the_impossible_task_on_every_day() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    district = small_district()
    x, y = district.boundary.centroid.coords[0]
    duties = gpd.GeoDataFrame(
        {
            "duty_id": ["gate"],
            "kind": ["post"],
            "name": ["School gate"],
            "start_s": [3 * H],  # 03:00, outside an evening shift
            "end_s": [4 * H],
            "dwell_min": [60.0],
            "required": [True],
            "modes": [None],
            "priority": [1.0],
        },
        geometry=[Point(x, y)],
        crs=district.crs,
    )
    with pytest.raises(PlanningError, match="post:gate"):
        plan_shift(district, options("16-24"), duties=duties)
    result = plan_shift(district, options("16-24", vary=2, on_infeasible="drop"), duties=duties)
    for plan in result.plans:
        assert [d.label for d in plan.dropped if d.required] == ["School gate"]


def test_default_units_spread_over_stations_with_crews_and_breaks() -> None:
    units = default_units(["north", "south"], shift_band("16-24"))
    assert len(units) == sum(DEFAULT_UNIT_COUNTS.values())
    assert {u.start_station for u in units} == {"north", "south"}
    for unit in units:
        assert unit.crew == DEFAULT_CREW[unit.mode]
        (brk,) = unit.breaks
        assert (brk.earliest_s, brk.latest_s, brk.duration_s) == (19 * H, 21 * H, 30 * 60)
    assert [u.unit_id for u in units if u.mode is Mode.CAR] == ["C1", "C2", "C3"]


def test_short_shifts_have_no_default_break() -> None:
    assert default_break(8 * H, 13 * H) == ()
    assert len(default_break(8 * H, 14 * H)) == 1


def test_no_station_is_a_planning_error() -> None:
    with pytest.raises(PlanningError, match="no station"):
        default_units([], shift_band("16-24"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vary", 0, "vary: expected at least 1"),
        ("on_infeasible", "skip", "on_infeasible: expected 'raise' or 'drop'"),
        ("coverage_level", "streets", "coverage_level"),
        ("time_limit_s", 0.0, "time_limit_s"),
    ],
)
def test_bad_options_name_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PlanOptions(**{field: value})  # type: ignore[arg-type]


def test_day_is_not_a_shift() -> None:
    with pytest.raises(ValueError, match="a shift needs hours"):
        shift_band("day")
    with pytest.raises(ValueError, match="HH-HH"):
        shift_band("evening")
