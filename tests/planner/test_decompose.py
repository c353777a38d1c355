"""Solving large routing problems by sub-areas: valid merged plans, kept deadlines, skills,
minimum gaps and required places respected, small problems left to the plain solver."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.routing import MinGap, RoutingProblem, Vehicle, solve, verify
from planner.routing.decompose import LARGE_NODES, LARGE_VEHICLES, solve_large, sub_areas

H = 3600


def city(
    n_places: int,
    n_units: int,
    *,
    seed: int = 0,
    skills: bool = False,
    gaps: int = 0,
    required: int = 0,
) -> RoutingProblem:
    """Places scattered over 12 x 12 km around four stations, cars at 30 km/h."""
    rng = np.random.default_rng(seed)
    stations = np.array([[3000, 3000], [9000, 3000], [3000, 9000], [9000, 9000]], dtype=float)
    places = rng.uniform(0, 12_000, size=(n_places, 2))
    xy = np.vstack([stations, places])
    metres = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * 1.3
    travel = np.round(metres / (30 / 3.6)).astype(np.int64)
    n = len(xy)
    service = np.r_[np.zeros(4), np.full(n_places, 12 * 60)].astype(np.int64)
    prize = np.r_[np.zeros(4), rng.integers(1, 100, n_places)].astype(np.int64)
    req = np.zeros(n, dtype=bool)
    req[4 : 4 + required] = True
    vehicles = tuple(
        Vehicle(v % 4, v % 4, 0, 16 * H, 24 * H, name=f"car-{v}") for v in range(n_units)
    )
    allowed = None
    if skills:  # every fifth place only for the even units
        even = frozenset(range(0, n_units, 2))
        allowed = tuple(even if j >= 4 and j % 5 == 0 else None for j in range(n))
    min_gaps = tuple(MinGap(4 + 2 * g + 10, 4 + 2 * g + 11, 3600) for g in range(gaps))
    return RoutingProblem(
        travel_s=(travel,),
        service_s=service,
        prize=prize,
        window_open_s=np.full(n, 16 * H),
        window_close_s=np.full(n, 24 * H),
        required=req,
        vehicles=vehicles,
        allowed_vehicles=allowed,
        min_gaps=min_gaps,
    )


def test_sub_areas_cover_every_place_and_unit_once() -> None:
    problem = city(700, 12, skills=True)
    areas = sub_areas(problem, units_per_area=4)
    assert len(areas) == 3
    places = sorted(j for a in areas for j in a.nodes)
    assert places == [j for j in range(problem.n_nodes) if j not in problem.depots]
    assert sorted(v for a in areas for v in a.vehicles) == list(range(12))
    for area in areas:
        assert area.vehicles, "every sub-area has a unit"
        for j in area.nodes:  # skills: someone in the sub-area may visit each place
            assert any(problem.vehicle_may_visit(v, j) for v in area.vehicles)


def test_large_problem_is_solved_by_sub_areas_within_the_deadline() -> None:
    problem = city(LARGE_NODES + 100, 12, skills=True, gaps=3, required=2)
    solution = solve_large(problem, time_limit_s=20, seed=1, max_iterations=30)
    assert solution.status == "DECOMPOSED"
    assert verify(problem, solution) == []
    visited = [s.node for r in solution.routes for s in r.stops]
    assert len(visited) == len(set(visited))
    assert {4, 5} <= set(visited), "required places are visited"
    assert solution.total_prize == sum(int(problem.prize[j]) for j in visited)
    assert len(visited) > 200  # 12 cars x 8 h of 12-minute stops: most of the day is used


def test_deadline_is_kept_with_a_fake_clock() -> None:
    problem = city(LARGE_NODES + 50, 8)
    now = [0.0]

    def clock() -> float:
        now[0] += 0.01  # every reading of the clock is 10 ms later
        return now[0]

    solution = solve_large(problem, time_limit_s=5, seed=0, clock=clock)
    assert verify(problem, solution) == []
    assert solution.status == "DECOMPOSED"
    # the solver's documented overrun: max(0.5 s, 10 %) of the limit
    assert now[0] <= 5 + 0.5


def test_small_problem_goes_to_the_plain_solver() -> None:
    problem = city(60, 3)
    assert problem.n_nodes < LARGE_NODES and len(problem.vehicles) < LARGE_VEHICLES
    alone = solve(problem, time_limit_s=5, seed=3, max_iterations=20)
    wrapped = solve_large(problem, time_limit_s=5, seed=3, max_iterations=20)
    assert wrapped.signature() == alone.signature()
    assert wrapped.status != "DECOMPOSED"


@settings(max_examples=15, deadline=None)
@given(
    n_places=st.integers(50, 400),
    n_units=st.integers(1, 30),
    per_area=st.integers(1, 8),
    seed=st.integers(0, 10_000),
)
def test_sub_areas_partition_places_and_units(
    n_places: int, n_units: int, per_area: int, seed: int
) -> None:
    problem = city(n_places, n_units, seed=seed, skills=True, gaps=2)
    areas = sub_areas(problem, units_per_area=per_area, seed=seed)
    places = [j for a in areas for j in a.nodes]
    assert sorted(places) == [j for j in range(problem.n_nodes) if j not in problem.depots]
    assert sorted(v for a in areas for v in a.vehicles) == list(range(n_units))
    home = {j: i for i, a in enumerate(areas) for j in a.nodes}
    for gap in problem.min_gaps:  # repeat visits stay in one sub-area
        assert home[gap.node_a] == home[gap.node_b]


def test_time_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="time_limit_s"):
        solve_large(city(10, 1), time_limit_s=0)
