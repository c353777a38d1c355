"""Workload curves with the routing planner: minimal fleets, monotone curves, infeasible fleets."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.network.modes import Mode
from planner.errors import InfeasibleError, PlanningError
from planner.problem import PatrolProblem
from planner.staffing.workload import (
    CoverageCurve,
    FleetLadder,
    WorkloadOptions,
    area_of_tasks,
    coverage_curve,
    ladder_units,
    restrict_to_area,
)
from planner.tasks import Task, TaskKind
from planner.travel import StreetTravel

H = 3600
FAST = WorkloadOptions(target_share=0.8, time_limit_s=1.0, max_iterations=200, seed=0)


def hotspot(tid: str, x: float, y: float, **kw: object) -> Task:
    return Task(tid, TaskKind.HOTSPOT, tid, x, y, dwell_s=720, prize=10.0, **kw)  # type: ignore[arg-type]


def clusters_problem() -> PatrolProblem:
    """Three pairs of hotspots 1.5 km out in three directions; in a 2-hour shift a foot unit
    can serve one pair only (26 min out, 2 x 12 min, 26 min back; a second pair is too far)."""
    tasks = []
    for name, (x, y) in {"east": (1500, 0), "west": (-1500, 0), "north": (0, 1500)}.items():
        tasks.append(hotspot(f"{name}-1", x, y))
        tasks.append(hotspot(f"{name}-2", x + 50, y + 50))
    units = ladder_units(FleetLadder.single(Mode.FOOT, 1), ["base"], 16 * H, 18 * H, break_min=0)
    return PatrolProblem(tuple(tasks), units, {"base": (0.0, 0.0)})


@pytest.fixture(scope="module")
def cluster_curve() -> CoverageCurve:
    ladder = FleetLadder.single(Mode.FOOT, 4)
    units = ladder_units(ladder, ["base"], 16 * H, 18 * H, break_min=0)
    return coverage_curve(
        clusters_problem(), StreetTravel(), ladder, FAST, shift="16-18", units=units
    )


def test_workload_minimum_is_minimal(cluster_curve: CoverageCurve) -> None:
    curve = cluster_curve
    assert curve.minimum_units == 3
    assert curve.minimum_people == 3
    below = curve.points[curve.minimum_units - 2]
    # One unit fewer covers two pairs of three and misses the 80 % target.
    assert below.feasible and below.risk_share == pytest.approx(4 / 6)
    assert below.risk_share < curve.target_share
    assert curve.points[curve.minimum_units - 1].risk_share >= curve.target_share


def test_curve_is_monotone_with_marginal_values(cluster_curve: CoverageCurve) -> None:
    shares = [p.risk_share for p in cluster_curve.points]
    assert shares == sorted(shares)
    assert [p.units for p in cluster_curve.points] == [1, 2, 3, 4]
    assert cluster_curve.points[0].risk_share == pytest.approx(2 / 6)
    for prev, p in zip(cluster_curve.points, cluster_curve.points[1:], strict=False):
        assert p.marginal_share == pytest.approx(p.risk_share - prev.risk_share)
        assert p.marginal_share >= 0
        assert p.presence_min >= prev.presence_min
    # Everything is covered with 3 units: the 4th point carries that plan without solving.
    assert cluster_curve.points[3].carried and cluster_curve.points[3].raw_risk_share is None
    assert cluster_curve.points[2].presence_min == pytest.approx(6 * 12)


def test_crew_turns_units_into_people() -> None:
    ladder = FleetLadder.mixed(4, crew={Mode.CAR: 2, Mode.FOOT: 1, Mode.BICYCLE: 1})
    assert ladder.modes == (Mode.CAR, Mode.FOOT, Mode.BICYCLE, Mode.CAR)
    assert [ladder.people(k) for k in range(1, 5)] == [2, 3, 4, 6]
    assert ladder.units_by_mode(4) == {"car": 2, "foot": 1, "bicycle": 1}


def test_fleet_that_cannot_serve_required_tasks_is_marked_infeasible() -> None:
    # Two posts held at the same hour in different places: one unit cannot do both.
    posts = tuple(
        Task(
            f"post-{i}",
            TaskKind.POST,
            f"Post {i}",
            x,
            0.0,
            dwell_s=H,
            window_open_s=16 * H + 1800,
            window_close_s=16 * H + 1800,
            required=True,
            prize=5.0,
        )
        for i, x in enumerate((500.0, -500.0))
    )
    ladder = FleetLadder.single(Mode.FOOT, 2)
    units = ladder_units(ladder, ["base"], 16 * H, 18 * H, break_min=0)
    problem = PatrolProblem(posts, units[:1], {"base": (0.0, 0.0)})
    opts = WorkloadOptions(target_share=0.8, time_limit_s=0.5, max_iterations=100)
    curve = coverage_curve(problem, StreetTravel(), ladder, opts, units=units)
    first, second = curve.points
    assert not first.feasible and first.risk_share == 0.0 and first.reason
    assert second.feasible and second.risk_share == pytest.approx(1.0)
    assert curve.minimum_units == 2
    assert any("cannot serve every required task" in n for n in curve.notes)


@dataclass
class _FakePlan:
    risk_share: float
    dwell_s: int


def test_search_dips_are_carried_so_the_curve_never_drops() -> None:
    outcomes = iter([0.3, 0.6, 0.5, None, 0.9])

    def planner(problem: PatrolProblem) -> _FakePlan:
        share = next(outcomes)
        if share is None:
            raise InfeasibleError("no plan found in time", "ROUTING_FAIL_TIMEOUT")
        return _FakePlan(share, int(share * 10_000))

    ladder = FleetLadder.single(Mode.FOOT, 5)
    curve = coverage_curve(
        clusters_problem(),
        StreetTravel(),
        ladder,
        FAST,
        planner=planner,  # type: ignore[arg-type]
    )
    shares = [p.risk_share for p in curve.points]
    assert shares == pytest.approx([0.3, 0.6, 0.6, 0.6, 0.9])
    assert [p.carried for p in curve.points] == [False, False, True, True, False]
    assert curve.points[2].raw_risk_share == pytest.approx(0.5)
    assert curve.points[3].feasible  # the 3-unit plan is still a valid 4-unit plan
    assert curve.minimum_units == 5


def test_verification_errors_are_bugs_and_propagate() -> None:
    from planner.errors import VerificationError

    def planner(problem: PatrolProblem) -> _FakePlan:
        raise VerificationError(["route F1 ends after its shift"])

    with pytest.raises(VerificationError):
        coverage_curve(
            clusters_problem(),
            StreetTravel(),
            FleetLadder.single(Mode.FOOT, 2),
            FAST,
            planner=planner,  # type: ignore[arg-type]
        )


def test_tasks_are_split_by_area() -> None:
    problem = clusters_problem()
    areas = gpd.GeoDataFrame(
        {"area_id": ["E", "W"]}, geometry=[box(1000, -500, 2000, 500), box(-2000, -500, -1000, 500)]
    )
    owner = area_of_tasks(problem, areas)
    assert owner["east-1"] == "E" and owner["west-2"] == "W" and owner["north-1"] is None
    east = restrict_to_area(problem, "E", owner)
    assert {t.task_id for t in east.tasks} == {"east-1", "east-2"}


def test_bad_options_name_the_argument() -> None:
    with pytest.raises(ValueError, match="target_share"):
        WorkloadOptions(target_share=0)
    with pytest.raises(ValueError, match="max_units"):
        FleetLadder.single(Mode.CAR, 0)
    with pytest.raises(PlanningError):
        PatrolProblem((), (), {})
