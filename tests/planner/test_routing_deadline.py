"""The time limit holds in every phase; checked by counting clock reads, never by timing."""

from __future__ import annotations

import pytest

from planner.routing import solve, solve_varied, verify
from planner.routing.lns import Search
from tests.planner.routing_fixtures import StepClock, patrol_like_problem


def test_construction_stops_inserting_at_the_deadline_but_keeps_required_nodes() -> None:
    p = patrol_like_problem()
    clock = StepClock()
    search = Search(p, seed=0, clock=clock)
    clock.readings.clear()
    # The deadline passes before construction could place even the optional nodes.
    start = search.construct(deadline=clock.now + 5 * clock.step_s)
    assert start is not None
    visited = {j for r in start.routes for j in r}
    assert search.required_set <= visited
    assert len(visited) < len(search.candidates)
    deadline = clock.readings[0] + 4 * clock.step_s
    # One check stops the insertion, one stops further construction settings.
    assert sum(t >= deadline for t in clock.readings) <= 3


def test_solve_returns_right_after_the_deadline_with_breaks_and_gaps() -> None:
    p = patrol_like_problem()
    clock = StepClock(step_s=0.001)
    sol = solve(p, time_limit_s=0.5, seed=1, clock=clock)
    assert verify(p, sol) == []
    # The search stops at 97 % of the limit; no insertion or LNS iteration starts once a
    # check has seen that deadline: the repair in progress stops, then the LNS loop.
    search_deadline = clock.readings[0] + 0.97 * 0.5
    assert 1 <= sum(t >= search_deadline for t in clock.readings) <= 2
    assert clock.now < clock.readings[0] + 0.5


@pytest.mark.parametrize("limit", [0.05, 0.2])
def test_every_budget_gives_a_verified_plan(limit: float) -> None:
    p = patrol_like_problem(seed=2)
    clock = StepClock(step_s=0.001)
    sol = solve(p, time_limit_s=limit, clock=clock)
    assert verify(p, sol) == []
    assert all(p.required[j] == 0 for j in sol.dropped)


def test_variants_share_the_time_limit() -> None:
    p = patrol_like_problem(seed=3)
    clock = StepClock(step_s=0.001)
    plans = solve_varied(p, 3, time_limit_s=0.9, clock=clock)
    assert len(plans) == 3
    assert clock.now <= clock.readings[0] + 0.9 + 0.01
