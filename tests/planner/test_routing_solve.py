"""Solver behaviour on small problems whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import InfeasibleError, PlanningError
from planner.routing import Break, MinGap, solve, solve_varied, verify
from tests.planner.routing_fixtures import brute_force_prize, line_problem

FAST = {"time_limit_s": 1.0, "max_iterations": 200}


def test_two_vehicles_split_left_and_right_for_the_known_optimum() -> None:
    # Each vehicle can reach distance 3 and back; only by splitting sides are all 6 visited.
    p = line_problem([-3, -2, -1, 1, 2, 3], [5, 1, 1, 1, 1, 5], n_vehicles=2, shift_s=360)
    sol = solve(p, **FAST)
    assert sol.total_prize == 14
    assert sorted(map(sorted, (r.nodes for r in sol.routes))) == [[1, 2, 3], [4, 5, 6]]
    assert sol.dropped == ()


@pytest.mark.parametrize("seed", range(4))
def test_matches_brute_force_on_random_tiny_windowed_problems(seed: int) -> None:
    rng = np.random.default_rng(seed)
    xs = list(rng.integers(-5, 6, size=6).astype(float))
    opens = rng.integers(0, 400, size=6)
    windows = [(int(o), int(o + rng.integers(30, 300))) for o in opens]
    p = line_problem(
        xs,
        list(rng.integers(1, 10, size=6)),
        n_vehicles=2,
        shift_s=600,
        service_s=20,
        windows=windows,
    )
    assert solve(p, **FAST).total_prize == brute_force_prize(p)


def test_required_node_is_visited_even_when_worthless() -> None:
    p = line_problem([-4, 4, 3], [0, 10, 10], shift_s=500, required=[1])
    sol = solve(p, **FAST)
    assert 1 in sol.routes[0].nodes
    assert sol.total_prize == 0 + 10 * sum(1 for j in (2, 3) if j in sol.routes[0].nodes)


def test_time_windows_are_respected() -> None:
    p = line_problem([1, 2], [5, 5], shift_s=1000, windows=[(500, 520), (100, 130)])
    sol = solve(p, **FAST)
    assert sol.routes[0].nodes == (2, 1)
    for stop in sol.routes[0].stops:
        o, c = int(p.window_open_s[stop.node]), int(p.window_close_s[stop.node])
        assert o <= stop.arrival_s <= c


def test_skills_keep_nodes_on_allowed_vehicles() -> None:
    allowed = [frozenset({1}), frozenset({1}), None]
    p = line_problem([1, 2, 3], [3, 3, 3], n_vehicles=2, shift_s=1000, allowed=allowed)
    sol = solve(p, **FAST)
    assert {1, 2} <= set(sol.routes[1].nodes)
    assert not {1, 2} & set(sol.routes[0].nodes)


def test_break_is_taken_inside_its_window() -> None:
    brk = Break(duration_s=100, earliest_start_s=200, latest_start_s=250)
    p = line_problem([1, 2, 3], [1, 1, 1], shift_s=700, service_s=60, breaks=(brk,))
    sol = solve(p, **FAST)
    (placed,) = sol.routes[0].breaks
    assert 200 <= placed.start_s <= 250 and placed.duration_s == 100
    assert sol.total_prize == 3
    assert verify(p, sol) == []


def test_min_gap_delays_the_second_copy() -> None:
    # Nodes 1 and 2 are two copies of one place: 2 must start >= 300 s after 1.
    p = line_problem([1, 1], [5, 5], n_vehicles=2, shift_s=1000, min_gaps=(MinGap(1, 2, 300),))
    sol = solve(p, **FAST)
    start = {s.node: s.arrival_s for r in sol.routes for s in r.stops}
    assert start[2] >= start[1] + 300


def test_same_seed_gives_identical_plans() -> None:
    rng = np.random.default_rng(7)
    p = line_problem(
        list(rng.uniform(-10, 10, size=12)),
        list(rng.integers(1, 9, size=12)),
        n_vehicles=2,
        shift_s=900,
        service_s=30,
    )
    a = solve(p, time_limit_s=30, seed=3, max_iterations=150)
    b = solve(p, time_limit_s=30, seed=3, max_iterations=150)
    assert a == b


def test_unreachable_required_node_is_named() -> None:
    p = line_problem([1, 2, 20], [1, 1, 1], shift_s=600, required=[3])
    with pytest.raises(InfeasibleError, match=r"required node 3 is unreachable") as info:
        solve(p, **FAST)
    assert info.value.nodes == (3,) and info.value.status == "PRECHECK"


def test_required_node_closed_before_arrival_is_named() -> None:
    p = line_problem([5], [1], shift_s=1000, windows=[(0, 100)], required=[1])
    with pytest.raises(PlanningError, match=r"node 1 .*after its window closes at 100"):
        solve(p, **FAST)


def test_required_nodes_that_do_not_fit_together_raise() -> None:
    p = line_problem([-4, 4], [1, 1], shift_s=600, required=[1, 2])
    with pytest.raises(InfeasibleError, match=r"no plan visits all required nodes"):
        solve(p, **FAST)


def test_varied_plans_differ_and_stay_within_three_percent() -> None:
    rng = np.random.default_rng(1)
    p = line_problem(list(rng.uniform(-10, 10, size=10)), [5] * 10, n_vehicles=2, shift_s=3000)
    plans = solve_varied(p, 3, time_limit_s=2.0, max_iterations=40)
    assert len({s.signature() for s in plans}) == len(plans) >= 2
    best = plans[0].total_prize
    assert all(s.total_prize >= 0.97 * best for s in plans)
