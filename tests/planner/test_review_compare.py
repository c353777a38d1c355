"""Planned against actual on hand-made tracks: visits, delays, dwell, presence, posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from planner.plan import PatrolPlan, PlannedStop, UnitRoute
from planner.presence import minutes_by_cell_hour, wall_seconds
from planner.review import ReviewOptions, review_plan, track_intervals, wall_seconds_of
from planner.review.compare import cell_of_points
from planner.tasks import Task, TaskKind
from planner.units import Mode, Unit
from tests.tracksim import CELL_M, centre, grid_cells

T16 = 16 * 3600


def _plan(kinds: tuple[TaskKind, ...] = (TaskKind.HOTSPOT, TaskKind.HOTSPOT)) -> tuple:
    """One car: stop 1 in r01c01 at 16:10-16:22, stop 2 in r01c05 at 16:50-17:20."""
    a, b = centre(1, 1), centre(1, 5)
    stops = (
        PlannedStop(
            1, "s1", kinds[0], "A", *a, "r01c01", None, T16 + 600, T16 + 1320, 720, True, 1
        ),
        PlannedStop(
            2, "s2", kinds[1], "B", *b, "r01c05", None, T16 + 3000, T16 + 4800, 1800, False, 1
        ),
    )
    route = UnitRoute(
        "C1",
        Mode.CAR,
        "base",
        "base",
        T16,
        T16 + 6000,
        stops,
        (),
        (LineString([centre(0, 0), a]), LineString([a, b]), LineString([b, centre(0, 0)])),
        0,
        2520,
        3000.0,
        2.0,
    )
    tasks = tuple(
        Task(s.task_id, s.kind, s.label, s.x, s.y, dwell_s=s.dwell_s, cell_id=s.cell_id)
        for s in stops
    )
    unit = Unit("C1", Mode.CAR, "base", "base", T16, T16 + 8 * 3600)
    return PatrolPlan((route,), (), 1.0, {}, 0, ()), tasks, (unit,)


def _stay(unit: str, xy: tuple[float, float], start: float, end: float, step: float = 1.0):
    t = np.arange(start, end, step)
    return pd.DataFrame({"unit_id": unit, "x": xy[0], "y": xy[1], "wall_s": t})


def test_visit_delay_dwell_and_missed_stop_by_hand() -> None:
    plan, tasks, units = _plan()
    # at stop 1 from 16:13:20 to 16:21:40 (500 s), 200 s late; never near stop 2
    fixes = pd.concat(
        [
            _stay("C1", centre(1, 1), T16 + 800, T16 + 1301),
            _stay("C1", centre(3, 3), T16 + 1301, T16 + 4000),
        ]
    )
    review = review_plan(plan, tasks, units, grid_cells(), fixes)
    s1, s2 = review.stops.itertuples(index=False)
    assert s1.visited and s1.evidence == "track"
    assert s1.arrive_s == T16 + 800 and s1.delay_s == 200
    assert s1.dwell_s == pytest.approx(500.0)
    assert s1.dwell_band == "short"  # 8.3 min < 10 min of the Koper band
    assert not s2.visited and np.isnan(s2.arrive_s)
    unit = review.units.iloc[0]
    assert (unit.stops_planned, unit.stops_visited) == (2, 1)
    assert unit.share_visited == 0.5
    # planned 12 + 30 min; delivered: 501 s in r01c01 in hour 16 (the last fix lasts until
    # the next one, a second later) of the 12 planned
    assert unit.planned_presence_min == pytest.approx(42.0)
    assert unit.delivered_presence_min == pytest.approx(501 / 60)


def test_presence_by_cell_and_hour_splits_at_the_hour() -> None:
    plan, tasks, units = _plan()
    # 16:50 to 17:20 in r01c05 (stop 2, exactly as planned): 10 min in hour 16, 20 in hour 17
    fixes = _stay("C1", centre(1, 5), T16 + 3000, T16 + 4801)
    review = review_plan(plan, tasks, units, grid_cells(), fixes)
    table = review.presence.set_index(["cell_id", "hour"])
    assert table.loc[("r01c05", 16), "actual_min"] == pytest.approx(10.0)
    assert table.loc[("r01c05", 17), "actual_min"] == pytest.approx(20.0)
    assert table.loc[("r01c05", 16), "planned_min"] == pytest.approx(10.0)
    assert table.loc[("r01c05", 17), "planned_min"] == pytest.approx(20.0)
    assert table.loc[("r01c01", 16), "planned_min"] == pytest.approx(12.0)
    assert table.loc[("r01c01", 16), "actual_min"] == 0.0
    stop2 = review.stops.iloc[1]
    assert stop2.visited and stop2.dwell_s == pytest.approx(1800.0) and stop2.delay_s == 0
    assert stop2.dwell_band == "long"  # 30 min > 15


def test_a_gap_in_the_record_counts_as_presence_nowhere() -> None:
    fixes_t = np.array([0.0, 1, 2, 3, 500, 501, 502])
    units = np.array(["U"] * 7, dtype=object)
    cells = np.array(["a"] * 7, dtype=object)
    intervals = track_intervals(units, fixes_t, cells, max_gap_s=120)
    assert [(i.start_s, i.end_s) for i in intervals] == [(0.0, 3.0), (500.0, 502.0)]
    table = minutes_by_cell_hour(intervals)
    assert table["minutes"].sum() == pytest.approx(5 / 60)


def test_flicker_across_a_cell_edge_is_one_visit() -> None:
    t = np.arange(0.0, 100.0)
    cells = np.array(["a"] * 40 + ["b"] * 5 + ["a"] * 55, dtype=object)
    intervals = track_intervals(np.array(["U"] * 100, dtype=object), t, cells, max_gap_s=120)
    assert [(i.cell_id, i.start_s, i.end_s) for i in intervals] == [("a", 0.0, 99.0)]


def test_posts_held_and_checkins_stand_in_for_tracks() -> None:
    plan, tasks, units = _plan((TaskKind.HOTSPOT, TaskKind.POST))
    fixes = _stay("C1", centre(1, 5), T16 + 3100, T16 + 4000)  # 900 s of the 1800 planned
    review = review_plan(plan, tasks, units, grid_cells(), fixes)
    post = review.posts.iloc[0]
    assert post.task_id == "s2" and post.planned_min == 30.0
    assert post.held_min == pytest.approx(899 / 60)
    assert post.share_held == pytest.approx(899 / 1800)
    checkins = pd.DataFrame({"unit_id": ["C1"], "checkpoint_id": ["s1"], "wall_s": [T16 + 700.0]})
    with_check = review_plan(plan, tasks, units, grid_cells(), fixes, checkins=checkins)
    s1 = with_check.stops.iloc[0]
    assert s1.visited and s1.evidence == "checkin" and s1.delay_s == 100
    late = checkins.assign(wall_s=[T16 + 9000.0])  # outside the window: does not count
    assert (
        not review_plan(plan, tasks, units, grid_cells(), fixes, checkins=late)
        .stops.iloc[0]
        .visited
    )


def test_a_unit_without_tracks_is_named() -> None:
    plan, tasks, units = _plan()
    fixes = _stay("X9", centre(1, 1), T16 + 800, T16 + 1300)
    review = review_plan(plan, tasks, units, grid_cells(), fixes)
    assert not review.stops["visited"].any()
    assert any("no track for unit(s) C1" in n for n in review.notes)
    assert any("X9" in n and "not in the plan" in n for n in review.notes)


def test_two_stops_at_one_place_share_one_stay() -> None:
    a = centre(2, 2)
    stops = (
        PlannedStop(
            1, "h", TaskKind.HOTSPOT, "H", *a, "r02c02", None, T16, T16 + 720, 720, False, 1
        ),
        PlannedStop(
            2, "ar", TaskKind.AREA, "S", *a, "r02c02", None, T16 + 720, T16 + 1020, 300, False, 1
        ),
    )
    route = UnitRoute("C1", Mode.CAR, "b", "b", T16, T16 + 2000, stops, (), (), 0, 1020, 0.0, 2.0)
    plan = PatrolPlan((route,), (), 1.0, {}, 0, ())
    fixes = _stay("C1", a, T16, T16 + 1021)
    review = review_plan(plan, (), (), grid_cells(), fixes)
    first, second = review.stops.itertuples(index=False)
    assert first.visited and second.visited
    assert first.dwell_s == pytest.approx(720.0) and second.dwell_s == pytest.approx(300.0)
    assert second.arrive_s == pytest.approx(T16 + 720)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="visit_radius_m: expected > 0"):
        ReviewOptions(visit_radius_m=0)
    with pytest.raises(ValueError, match="missing columns"):
        plan, tasks, units = _plan()
        review_plan(plan, tasks, units, grid_cells(), pd.DataFrame({"unit_id": []}))


def test_cells_of_points_on_edges_go_to_one_cell() -> None:
    cells = grid_cells(3)
    x0, y0 = float(cells.total_bounds[0]), float(cells.total_bounds[1])
    got = cell_of_points(cells, np.array([x0 + CELL_M, x0 - 5]), np.array([y0 + 10, y0 + 10]))
    assert got[0] in ("r00c00", "r00c01") and got[1] is None


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31)),
    minutes=st.integers(min_value=0, max_value=36 * 60),
    zone=st.sampled_from(["America/Los_Angeles", "Asia/Shanghai", "Europe/London"]),
)
def test_vectorised_wall_seconds_match_the_presence_clock(
    day: date, minutes: int, zone: str
) -> None:
    """Fix times become wall seconds exactly as planner.presence counts them, DST days too."""
    instant = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(minutes=minutes)
    got = wall_seconds_of(pd.Series([pd.Timestamp(instant)]), day, zone)[0]
    assert got == pytest.approx(wall_seconds(instant, day, zone))


def test_wall_seconds_on_the_night_clocks_go_back() -> None:
    """2024-11-03 in Los Angeles: 01:30 happens twice; both read 5,400 s on the wall."""
    day = date(2024, 11, 3)
    first = pd.Timestamp("2024-11-03T08:30:00Z")  # 01:30 PDT
    second = pd.Timestamp("2024-11-03T09:30:00Z")  # 01:30 PST
    got = wall_seconds_of(pd.Series([first, second]), day, "America/Los_Angeles")
    assert list(got) == [5400.0, 5400.0]
    with pytest.raises(ValueError, match="aware"):
        wall_seconds_of(pd.Series([pd.Timestamp("2024-11-03 01:30")]), day, "America/Los_Angeles")
