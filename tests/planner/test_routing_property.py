"""Property: plans for random small problems always verify and stay within shifts."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InfeasibleError
from planner.routing import Break, MinGap, RoutingProblem, Vehicle, solve, verify


@st.composite
def problems(draw: st.DrawFn) -> RoutingProblem:
    n = draw(st.integers(3, 8))
    nv = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    base = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    travel = (base * rng.uniform(1.0, 1.3, size=(n, n))).astype(np.int64)
    opens = rng.integers(0, 300, size=n)
    closes = opens + rng.integers(0, 400, size=n)
    shift_end = int(draw(st.integers(150, 900)))
    with_break = draw(st.booleans())
    vehicles = tuple(
        Vehicle(
            start_node=0,
            end_node=int(rng.integers(0, 2)),
            shift_end_s=shift_end,
            breaks=(Break(30, 100, 400),) if with_break else (),
        )
        for _ in range(nv)
    )
    customers = list(range(2, n))
    allowed = tuple(
        None if j < 2 or rng.random() < 0.6 else frozenset({int(rng.integers(0, nv))})
        for j in range(n)
    )
    gaps = (MinGap(2, 3, int(rng.integers(0, 200))),) if n > 3 and draw(st.booleans()) else ()
    required = np.zeros(n, dtype=bool)
    if customers and draw(st.booleans()):
        required[customers[0]] = True
    return RoutingProblem(
        travel_s=(travel,),
        service_s=np.r_[0, 0, rng.integers(0, 40, size=n - 2)],
        prize=np.r_[0, 0, rng.integers(0, 10, size=n - 2)],
        window_open_s=opens,
        window_close_s=closes,
        required=required,
        vehicles=vehicles,
        allowed_vehicles=allowed,
        min_gaps=gaps,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_random_plans_verify_and_respect_shifts(problem: RoutingProblem) -> None:
    try:
        sol = solve(problem, time_limit_s=2.0, max_iterations=20)
    except InfeasibleError:
        return  # A required node or break that cannot fit is a legitimate answer.
    assert verify(problem, sol) == []
    for route in sol.routes:
        veh = problem.vehicles[route.vehicle]
        assert veh.shift_start_s <= route.depart_s <= route.return_s <= veh.shift_end_s
        assert all(s.arrival_s <= veh.shift_end_s for s in route.stops)
    assert all(problem.required[j] == 0 for j in sol.dropped)
