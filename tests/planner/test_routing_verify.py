"""The independent verifier catches hand-broken plans."""

from __future__ import annotations

import dataclasses

import pytest

from planner.routing import (
    Break,
    BreakPlacement,
    MinGap,
    Route,
    RoutingProblem,
    RoutingSolution,
    Stop,
    verify,
)
from planner.routing.solver import build_solution
from tests.planner.routing_fixtures import line_problem


def _plan(p: RoutingProblem, routes: list[list[int]]) -> RoutingSolution:
    sol = build_solution(p, routes, "TEST", 0)
    assert sol is not None
    return sol


def _replace_route(sol: RoutingSolution, v: int, **changes: object) -> RoutingSolution:
    routes = list(sol.routes)
    routes[v] = dataclasses.replace(routes[v], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(sol, routes=tuple(routes))


def test_a_correct_plan_passes() -> None:
    p = line_problem([1, 2], [1, 1], shift_s=500, service_s=10)
    assert verify(p, _plan(p, [[1, 2]])) == []


def test_late_arrival_is_caught() -> None:
    p = line_problem([1, 2], [1, 1], shift_s=500, windows=[(0, 500), (0, 130)])
    sol = _plan(p, [[1, 2]])
    stops = (sol.routes[0].stops[0], Stop(2, 150, 150))
    bad = _replace_route(sol, 0, stops=stops, return_s=270)
    assert any("outside the window [0, 130]" in m for m in verify(p, bad))


def test_arrival_faster_than_travel_is_caught() -> None:
    p = line_problem([1, 2], [1, 1], shift_s=500)
    sol = _plan(p, [[1, 2]])
    bad = _replace_route(sol, 0, stops=(Stop(1, 10, 10), sol.routes[0].stops[1]))
    assert any("before departure 0 + travel 60" in m for m in verify(p, bad))


def test_missing_required_node_is_caught() -> None:
    p = line_problem([1, 2], [1, 1], shift_s=500, required=[2])
    sol = _plan(p, [[1]])
    assert "required node 2 is not visited" in verify(p, sol)


def test_shift_overrun_is_caught() -> None:
    p = line_problem([1, 2], [1, 1], shift_s=500)
    sol = _plan(p, [[1, 2]])
    bad = _replace_route(sol, 0, return_s=600)
    assert any("after its shift ends at 500" in m for m in verify(p, bad))


def test_missing_break_is_caught() -> None:
    p = line_problem([1], [1], shift_s=500, breaks=(Break(30, 100, 200),))
    sol = _plan(p, [[1]])
    assert verify(p, sol) == []
    bad = _replace_route(sol, 0, breaks=())
    assert "vehicle 0 takes break 0 0 times, expected once" in verify(p, bad)


def test_break_outside_its_window_is_caught() -> None:
    p = line_problem([1], [1], shift_s=500, breaks=(Break(30, 100, 200),))
    sol = _plan(p, [[1]])
    bad = _replace_route(sol, 0, breaks=(BreakPlacement(0, 300, 30, 0),), return_s=390)
    assert any("outside [100, 200]" in m for m in verify(p, bad))


def test_violated_min_gap_is_caught() -> None:
    p = line_problem([1, 1], [1, 1], n_vehicles=2, shift_s=900, min_gaps=(MinGap(1, 2, 300),))
    sol = _plan(p, [[1], [2]])
    assert verify(p, sol) == []
    stops = (Stop(2, 60, 60),)
    bad = _replace_route(sol, 1, stops=stops, return_s=120)
    assert any("less than 300 after node 1" in m for m in verify(p, bad))


def test_skill_violation_and_double_visit_are_caught() -> None:
    p = line_problem([1], [1], n_vehicles=2, shift_s=500, allowed=[frozenset({0})])
    sol = _plan(p, [[1], []])
    stolen = Route(1, (Stop(1, 60, 60),), (), 0, 120, 120, 1)
    bad = dataclasses.replace(sol, routes=(sol.routes[0], stolen), total_prize=2)
    found = verify(p, bad)
    assert "vehicle 1 is not allowed to visit node 1" in found
    assert "node 1 is visited by vehicles 0 and 1" in found


@pytest.mark.parametrize("field", ["total_prize", "total_travel_s"])
def test_wrong_totals_are_caught(field: str) -> None:
    p = line_problem([1], [4], shift_s=500)
    sol = _plan(p, [[1]])
    bad = dataclasses.replace(sol, **{field: getattr(sol, field) + 1})
    assert any("reported total" in m for m in verify(p, bad))
