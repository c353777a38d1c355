"""Sector walks (分片巡逻) in the review: judged along their streets, not as a point visit.

A hand-made foot plan: a hotspot, a sector walk out along a street and back (500 m, from the
centre of cell r05c05 to the centre of r05c06 and back), and another hotspot. Simulated tracks
walk the sector, walk part of it, or only pass its start.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from planner.plan import PatrolPlan, PlannedStop, UnitRoute
from planner.presence import minutes_by_cell_hour
from planner.review import ReviewOptions, planned_intervals, review_plan
from planner.review.compare import _walked
from planner.review.simulate import TrackSimOptions, simulate_tracks
from planner.tasks import Task, TaskKind
from planner.units import Mode, Unit
from tests.tracksim import centre, grid_cells

SPEED = 1.25  # m/s on foot
DWELL = 600
WALK_M = 500.0
WALK_S = int(WALK_M / SPEED)  # 400 s


def _stop(order: int, task: Task, arrive: int, dwell: int, walk: int = 0) -> PlannedStop:
    return PlannedStop(
        order,
        task.task_id,
        task.kind,
        task.label,
        task.x,
        task.y,
        task.cell_id,
        None,
        arrive,
        arrive + dwell,
        dwell,
        False,
        1.0,
        walk_s=walk,
    )


def _plan() -> tuple[
    PatrolPlan, tuple[Task, ...], tuple[Unit, ...], dict[str, tuple[float, float]]
]:
    station = centre(5, 2)
    a, b = centre(5, 5), centre(5, 6)
    first = Task("hotspot:r02c02", TaskKind.HOTSPOT, "Hotspot r2c2", *centre(2, 2), DWELL, 1.0)
    sector = Task(
        "area:S1",
        TaskKind.AREA,
        "Sector S1 walk",
        a[0],
        a[1],
        0,
        1.0,
        line=LineString([a, b, a]),
        cell_id="r05c05",
    )
    last = Task("hotspot:r09c09", TaskKind.HOTSPOT, "Hotspot r9c9", *centre(9, 9), DWELL, 1.0)
    tasks = (first, sector, last)
    t = 16 * 3600
    here = station
    stops, legs = [], []
    for order, task in enumerate(tasks, start=1):
        leg = LineString([here, (task.x, task.y)])
        t += int(round(leg.length / SPEED))
        walk = WALK_S if task.line is not None else 0
        stops.append(_stop(order, task, t, task.dwell_s, walk))
        legs.append(leg)
        t += task.dwell_s + walk
        end = task.line.coords[-1] if task.line is not None else (task.x, task.y)
        here = (float(end[0]), float(end[1]))
    back = LineString([here, station])
    legs.append(back)
    route = UnitRoute(
        "F1",
        Mode.FOOT,
        "base",
        "base",
        16 * 3600,
        t + int(back.length / SPEED),
        tuple(stops),
        (),
        tuple(legs),
        0,
        2 * DWELL,
        float(sum(g.length for g in legs)),
        3.0,
    )
    plan = PatrolPlan((route,), (), 1.0, {}, 0, ())
    unit = Unit("F1", Mode.FOOT, "base", "base", 16 * 3600, 24 * 3600)
    return plan, tasks, (unit,), {"base": station}


def _review(walk_share: float, seed: int = 3):
    plan, tasks, units, stations = _plan()
    sim = simulate_tracks(
        plan,
        stations,
        TrackSimOptions(
            seed=seed,
            walk_share=walk_share,
            skip_share=0.0,
            bad_fixes=0,
            gaps=0,
            dwell_factor=(1.0, 1.0),
            noise_m=3.0,
        ),
        tasks=tasks,
    )
    review = review_plan(plan, tasks, units, grid_cells(), sim.fixes)
    rows = review.stops.set_index("task_id")
    truth = sim.truth.set_index("task_id")
    return review, rows, truth


def test_planned_walk_presence_is_spread_over_the_cells_it_crosses() -> None:
    plan, tasks, _, _ = _plan()
    walk = [iv for iv in planned_intervals(plan, grid_cells(), tasks) if iv.kind == "walk"]
    # out 125 m in r05c05, 250 m in r05c06, back 125 m in r05c05: a quarter, a half, a quarter
    # (to the 10 m sampling of planner.walks.cell_path: 8 s on foot)
    assert [iv.cell_id for iv in walk] == ["r05c05", "r05c06", "r05c05"]
    seconds = [iv.end_s - iv.start_s for iv in walk]
    assert seconds == pytest.approx([100.0, 200.0, 100.0], abs=8.0)
    assert sum(seconds) == pytest.approx(WALK_S)
    start = plan.routes[0].stops[1].departure_s
    assert walk[0].start_s == start and walk[-1].end_s == pytest.approx(start + WALK_S)
    table = minutes_by_cell_hour(walk).groupby("cell_id")["minutes"].sum()
    assert table.to_dict() == pytest.approx({"r05c05": 200 / 60, "r05c06": 200 / 60}, abs=0.14)
    # without the tasks (no street line) the walk counts in the stop's own cell
    bare = [iv for iv in planned_intervals(plan, grid_cells()) if iv.kind == "walk"]
    assert [(iv.cell_id, iv.end_s - iv.start_s) for iv in bare] == [("r05c05", WALK_S)]


def test_a_walked_sector_is_done_with_its_share_and_time_on_the_streets() -> None:
    review, rows, truth = _review(walk_share=1.0)
    assert truth.loc["area:S1", "walked_share"] == 1.0
    walk = rows.loc["area:S1"]
    assert bool(walk["visited"]) and walk["evidence"] == "track"
    assert walk["walk_share"] >= 0.95
    assert walk["planned_walk_s"] == WALK_S
    # seen along the streets for the walk (400 s), plus coming and going within 25 m of them
    assert WALK_S - 5 <= walk["dwell_s"] <= WALK_S + 2 * 25 / SPEED + 10
    assert rows["visited"].all()
    # the walk's presence is planned and delivered in both cells it crosses
    unit = review.units.iloc[0]
    assert unit["planned_presence_min"] == pytest.approx((2 * DWELL + WALK_S) / 60, abs=0.1)
    assert unit["share_presence_delivered"] > 0.9
    cells = review.presence.groupby("cell_id")[["planned_min", "actual_min"]].sum()
    assert cells.loc["r05c06", "planned_min"] == pytest.approx(200 / 60, abs=0.14)
    assert cells.loc["r05c06", "actual_min"] == pytest.approx(200 / 60, abs=0.6)


def test_passing_the_start_of_a_sector_is_not_a_walk() -> None:
    _, rows, truth = _review(walk_share=0.0)
    assert truth.loc["area:S1", "walked_share"] == 0.0
    walk = rows.loc["area:S1"]
    # the unit was at the walk's start (a point visit would count it): not done
    assert not bool(walk["visited"]) and walk["evidence"] == ""
    assert walk["walk_share"] < 0.2
    assert np.isnan(walk["arrive_s"]) and np.isnan(walk["dwell_s"])
    # the hotspots before and after are still matched with their stays
    assert rows.loc["hotspot:r02c02", "visited"] and rows.loc["hotspot:r09c09", "visited"]


@pytest.mark.parametrize(("share", "streets"), [(0.15, 0.3), (0.35, 0.7), (0.7, 1.0)])
def test_the_share_walked_is_of_the_streets(share: float, streets: float) -> None:
    """The walk goes out along one 250 m street and back: walking 15 % of the walk's time
    walks 75 m, 30 % of the street; from half the time on, all of it."""
    _, rows, _ = _review(walk_share=share)
    walk = rows.loc["area:S1"]
    # the 25 m radius beyond the point where the unit turned counts as walked too (10 % of the
    # street), give or take a 10 m sample and the GPS error
    assert walk["walk_share"] == pytest.approx(min(streets + 25 / 250 + 0.02, 1.0), abs=0.04)
    assert bool(walk["visited"]) == (walk["walk_share"] >= ReviewOptions().walk_done_share)
    assert bool(walk["visited"]) == (share > 0.2)


def test_walk_options_are_checked() -> None:
    with pytest.raises(ValueError, match="walk_done_share: expected 0 < share <= 1, got 0"):
        ReviewOptions(walk_done_share=0)
    with pytest.raises(ValueError, match="walk_radius_m: expected > 0, got -1"):
        ReviewOptions(walk_radius_m=-1)
    with pytest.raises(ValueError, match=r"walk_share: expected 0\.\.1, got 2"):
        TrackSimOptions(walk_share=2)


@given(
    points=st.lists(
        st.tuples(st.floats(10, 2990), st.floats(10, 2990)), min_size=2, max_size=5, unique=True
    ),
    walk_s=st.integers(1, 3600),
)
@settings(max_examples=40, deadline=None)
def test_a_walks_planned_presence_adds_up_to_its_walking_time(
    points: list[tuple[float, float]], walk_s: int
) -> None:
    """However the streets run across the grid, the walk's planned presence is its walking
    time, in one piece from its departure, each cell for its share of the length."""
    from tests.tracksim import ORIGIN

    line = LineString([(ORIGIN[0] + px, ORIGIN[1] + py) for px, py in points])
    if line.length < 1:
        return
    x0, y0 = line.coords[0]
    task = Task("area:X", TaskKind.AREA, "X walk", float(x0), float(y0), 0, 1.0, line=line)
    stop = _stop(1, task, 16 * 3600, 0, walk_s)
    route = UnitRoute(
        "F1", Mode.FOOT, "b", "b", 16 * 3600, 20 * 3600, (stop,), (), (), 0, 0, 0.0, 1.0
    )
    plan = PatrolPlan((route,), (), 1.0, {}, 0, ())
    walk = [iv for iv in planned_intervals(plan, grid_cells(), (task,)) if iv.kind == "walk"]
    assert sum(iv.end_s - iv.start_s for iv in walk) == pytest.approx(walk_s)
    assert walk[0].start_s == stop.departure_s
    for before, after in itertools.pairwise(walk):
        assert after.start_s == pytest.approx(before.end_s)  # one walk, no gaps, no overlaps
    # the streets walked by fixes along the whole line: all of them
    n = int(line.length) + 2
    xy = [line.interpolate(k / (n - 1), normalized=True) for k in range(n)]
    t = np.arange(n, dtype=float)
    x = np.array([p.x for p in xy])
    y = np.array([p.y for p in xy])
    done = _walked(line, (0.0, float(n)), t, x, y, ReviewOptions())
    assert done.share == pytest.approx(1.0)
    half = _walked(line, (0.0, float(n // 2)), t, x, y, ReviewOptions())
    assert 0.0 <= half.share <= 1.0
