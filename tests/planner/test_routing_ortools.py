"""The OR-Tools model agrees with the core on small problems."""

from __future__ import annotations

from planner.routing import Break, MinGap, solve, verify
from planner.routing.ortools_search import improve_with_ortools
from planner.routing.schedule import schedule_routes
from tests.planner.routing_fixtures import line_problem


def test_ortools_from_scratch_finds_the_known_optimum() -> None:
    p = line_problem([-3, -2, -1, 1, 2, 3], [5, 1, 1, 1, 1, 5], n_vehicles=2, shift_s=360)
    found = improve_with_ortools(p, None, time_limit_s=1.0, solution_limit=200)
    assert found.routes is not None
    assert sorted(map(sorted, found.routes)) == [[1, 2, 3], [4, 5, 6]]


def test_ortools_routes_respect_gaps_and_breaks() -> None:
    p = line_problem(
        [1, 1, 2],
        [5, 5, 5],
        n_vehicles=2,
        shift_s=1200,
        service_s=30,
        breaks=(Break(60, 200, 400),),
        min_gaps=(MinGap(1, 2, 300),),
    )
    found = improve_with_ortools(p, [[1], [2]], time_limit_s=1.0, solution_limit=100)
    assert found.routes is not None
    assert schedule_routes(p, found.routes) is not None


def test_solve_with_ortools_phase_still_verifies() -> None:
    p = line_problem([-3, -1, 2, 4, 5], [3, 1, 2, 5, 4], n_vehicles=2, shift_s=600)
    sol = solve(p, time_limit_s=2.0, max_iterations=50, ortools_fraction=0.5)
    assert verify(p, sol) == []
    assert sol.total_prize == 15  # all fit: one unit goes to -3, the other to 5
