"""The presence objective: diminishing returns, its value, the upper bound, walks, verifier.

Hand-computed cases, a brute-force check of the bound and of the solver on instances small
enough to enumerate, and property tests of the rule's concavity.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString

from geo.network.modes import Mode
from planner.plan import plan_patrols, stop_presence, walk_segments
from planner.presence import (
    PresenceInterval,
    PresenceRule,
    concentration_curve,
    gini,
    minutes_by_cell_hour,
    presence_bound,
    presence_value,
)
from planner.presence_report import unit_capacity
from planner.problem import PatrolProblem, compile_problem
from planner.routing import Stop
from planner.routing.schedule import schedule_route
from planner.routing.verify import verify_presence
from planner.sources import PresenceTaskOptions, line_repeats, presence_tasks
from planner.tasks import Task, TaskKind
from planner.travel import StreetTravel, traverse_s
from planner.units import Unit

H = 3600
RULE = PresenceRule(dwell_min=12.0, repeat_value=0.5, visits=3)


def risk_table(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["cell_id", "hour_start_s", "risk"])


# ---- the diminishing-returns rule


def test_gain_counts_the_first_dwell_fully_then_halves() -> None:
    assert RULE.gain(0) == 0
    assert RULE.gain(6) == pytest.approx(0.5)
    assert RULE.gain(12) == pytest.approx(1.0)
    assert RULE.gain(24) == pytest.approx(1.5)
    assert RULE.gain(36) == pytest.approx(1.75)
    assert RULE.gain(60) == pytest.approx(1.75)  # beyond three dwells presence adds nothing


@given(st.floats(0, 200), st.floats(0, 200))
def test_gain_is_monotone_and_subadditive(a: float, b: float) -> None:
    assert RULE.gain(a + b) >= max(RULE.gain(a), RULE.gain(b)) - 1e-9
    assert RULE.gain(a + b) <= RULE.gain(a) + RULE.gain(b) + 1e-9


@given(st.floats(0, 100), st.floats(0.1, 50))
def test_gain_increments_decrease(m: float, step: float) -> None:
    first = RULE.gain(m + step) - RULE.gain(m)
    second = RULE.gain(m + 2 * step) - RULE.gain(m + step)
    assert second <= first + 1e-9


def test_the_rule_refuses_bad_parameters() -> None:
    with pytest.raises(ValueError, match="repeat_value"):
        PresenceRule(repeat_value=0.0)
    with pytest.raises(ValueError, match="dwell_min"):
        PresenceRule(dwell_min=0)


# ---- the value of presence


def test_two_units_in_one_cell_hour_get_one_and_a_half_dwells() -> None:
    intervals = [
        PresenceInterval("A", 16 * H, 16 * H + 720, "C1"),
        PresenceInterval("A", 16 * H + 1800, 16 * H + 2520, "F1"),
        PresenceInterval("B", 17 * H, 17 * H + 360, "C1"),  # 6 min in B at 17:00
    ]
    table = minutes_by_cell_hour(intervals)
    risk = risk_table([("A", 16 * H, 2.0), ("B", 17 * H, 4.0), ("A", 17 * H, 9.0)])
    assert presence_value(table, risk, RULE) == pytest.approx(2.0 * 1.5 + 4.0 * 0.5)


def test_a_visit_across_the_hour_is_valued_in_both_hours() -> None:
    table = minutes_by_cell_hour([PresenceInterval("A", 16 * H + 3000, 17 * H + 600)])
    risk = risk_table([("A", 16 * H, 1.0), ("A", 17 * H, 1.0)])
    # 10 minutes in each hour: 10/12 of a full dwell twice.
    assert presence_value(table, risk, RULE) == pytest.approx(2 * 10 / 12)


# ---- the upper bound


def test_bound_takes_the_best_pieces_within_the_hour_and_total_capacity() -> None:
    risk = risk_table([("A", 16 * H, 2.0), ("B", 16 * H, 1.0)])
    # 60 minutes in the hour: A 2, A 1, B 1, A 0.5, B 0.5.
    assert presence_bound(risk, RULE, {16 * H: 60.0}, 1e9) == pytest.approx(5.0)
    # 30 minutes in all: A 2, then 12 min at rate 1/12 (A or B), then 6 min at 1/12.
    assert presence_bound(risk, RULE, {16 * H: 60.0}, 30.0) == pytest.approx(3.5)
    assert presence_bound(risk, RULE, {17 * H: 60.0}, 30.0) == 0.0


def test_unit_capacity_counts_minutes_per_hour_and_subtracts_breaks_and_travel() -> None:
    from planner.units import Break

    unit = Unit(
        "F1", Mode.FOOT, "s", "s", 16 * H + 1800, 18 * H, breaks=(Break(17 * H, 17 * H, 600),)
    )
    hours, total = unit_capacity([unit], {"F1": 300})
    assert hours == {16 * H: 30.0, 17 * H: 60.0}
    assert total == pytest.approx(90 - 10 - 5)


def tiny_problem(visits: int = 1) -> PatrolProblem:
    """Three cells 300-900 m from one station, one foot unit, a two-hour shift."""
    hourly = risk_table(
        [
            ("A", 16 * H, 3.0),
            ("A", 17 * H, 1.0),
            ("B", 16 * H, 1.0),
            ("B", 17 * H, 2.5),
            ("C", 16 * H, 0.5),
            ("C", 17 * H, 0.4),
        ]
    )
    points = {"A": (300.0, 0.0), "B": (0.0, 600.0), "C": (900.0, 900.0)}
    tasks = presence_tasks(
        hourly,
        points,
        PresenceTaskOptions(dwell_min=12, visits=visits, recover_min=None),
        shift_start_s=16 * H,
        shift_end_s=18 * H,
        unit_minutes=120,
    )
    unit = Unit("F1", Mode.FOOT, "s", "s", 16 * H, 18 * H)
    return PatrolProblem(tasks=tasks, units=(unit,), stations={"s": (0.0, 0.0)})


def hourly_of_tiny() -> pd.DataFrame:
    return risk_table(
        [
            ("A", 16 * H, 3.0),
            ("A", 17 * H, 1.0),
            ("B", 16 * H, 1.0),
            ("B", 17 * H, 2.5),
            ("C", 16 * H, 0.5),
            ("C", 17 * H, 0.4),
        ]
    )


def brute_force_best(
    problem: PatrolProblem,
    travel: StreetTravel,
    hourly: pd.DataFrame | None = None,
    rule: PresenceRule = RULE,
) -> float:
    """The best presence value over every feasible stop order of the one unit."""
    compiled = compile_problem(problem, travel)
    routing = compiled.routing
    nodes = list(range(compiled.first_task_node, routing.n_nodes))
    best = 0.0
    for k in range(len(nodes) + 1):
        for order in itertools.permutations(nodes, k):
            times = schedule_route(routing, 0, order)
            if times is None:
                continue
            intervals = []
            for node, arrive, leave in zip(
                times.nodes, times.arrival_s, times.departure_s, strict=True
            ):
                task = compiled.task_of(node)
                assert task is not None and task.cell_id is not None
                intervals.append(PresenceInterval(task.cell_id, arrive, leave))
            risk = hourly_of_tiny() if hourly is None else hourly
            value = presence_value(minutes_by_cell_hour(intervals), risk, rule)
            best = max(best, value)
    return best


def test_bound_is_above_the_exact_optimum_and_the_solver_reaches_it() -> None:
    travel = StreetTravel()
    problem = tiny_problem(visits=1)
    assert len(problem.tasks) == 6
    optimum = brute_force_best(problem, travel)
    plan = plan_patrols(problem, travel, time_limit_s=5, max_iterations=200)
    value = presence_value(minutes_by_cell_hour(plan.presence), hourly_of_tiny(), RULE)
    hours, total = unit_capacity(problem.units, plan.least_travel_s)
    bound = presence_bound(hourly_of_tiny(), RULE, hours, total)
    assert value <= optimum + 1e-9
    assert value == pytest.approx(optimum)
    assert bound >= optimum - 1e-9
    assert 0 < optimum / bound <= 1


def test_the_bound_is_tight_when_travel_is_short_and_slots_match_the_rule() -> None:
    rule = PresenceRule(dwell_min=12, repeat_value=0.5, visits=2)
    hourly = risk_table([("A", 16 * H, 3.0), ("A", 17 * H, 1.0)])
    tasks = presence_tasks(
        hourly,
        {"A": (30.0, 0.0)},
        PresenceTaskOptions(dwell_min=12, visits=2, recover_min=None),
        shift_start_s=16 * H,
        shift_end_s=18 * H,
        unit_minutes=120,
    )
    unit = Unit("F1", Mode.FOOT, "s", "s", 16 * H, 18 * H)
    problem = PatrolProblem(tasks=tasks, units=(unit,), stations={"s": (0.0, 0.0)})
    travel = StreetTravel()
    optimum = brute_force_best(problem, travel, hourly, rule)
    plan = plan_patrols(problem, travel, time_limit_s=3, max_iterations=100)
    value = presence_value(minutes_by_cell_hour(plan.presence), hourly, rule)
    hours, total = unit_capacity(problem.units, plan.least_travel_s)
    bound = presence_bound(hourly, rule, hours, total)
    assert optimum == pytest.approx(3 * 1.5 + 1 * 1.5)
    assert value == pytest.approx(optimum)
    assert bound == pytest.approx(optimum)  # no gap: the plan is provably optimal


@given(st.integers(0, 2**31 - 1))
def test_bound_holds_for_random_feasible_plans(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problem = tiny_problem(visits=2)
    compiled = compile_problem(problem, StreetTravel())
    routing = compiled.routing
    nodes = list(range(compiled.first_task_node, routing.n_nodes))
    order = [int(n) for n in rng.permutation(nodes)[: rng.integers(0, len(nodes) + 1)]]
    while order and schedule_route(routing, 0, order) is None:
        order.pop()
    times = schedule_route(routing, 0, order)
    assert times is not None
    intervals = [
        PresenceInterval(compiled.task_of(n).cell_id or "", a, d)  # type: ignore[union-attr]
        for n, a, d in zip(times.nodes, times.arrival_s, times.departure_s, strict=True)
    ]
    value = presence_value(minutes_by_cell_hour(intervals), hourly_of_tiny(), RULE)
    hours, total = unit_capacity(problem.units, {"F1": 0})
    assert presence_bound(hourly_of_tiny(), RULE, hours, total) >= value - 1e-9


# ---- hour slots


def test_hour_slots_end_inside_their_hour_and_carry_the_diminishing_prizes() -> None:
    problem = tiny_problem(visits=3)
    slots = [t for t in problem.tasks if t.cell_id == "A" and t.window_open_s == 16 * H]
    assert [t.prize for t in slots] == pytest.approx([3.0, 1.5, 0.75])
    for t in problem.tasks:
        assert t.window_close_s is not None and t.window_open_s is not None
        assert t.window_close_s + t.dwell_s <= t.window_open_s - t.window_open_s % H + H


def test_slots_are_limited_to_the_best_by_value() -> None:
    tasks = presence_tasks(
        hourly_of_tiny(),
        {"A": (0, 0), "B": (1, 1), "C": (2, 2)},
        PresenceTaskOptions(dwell_min=12, visits=1, slots_per_visit=1.0, recover_min=None),
        shift_start_s=16 * H,
        shift_end_s=18 * H,
        unit_minutes=36,  # room for three visits
    )
    assert sorted(t.prize for t in tasks) == [1.0, 2.5, 3.0]


# ---- walks and their presence


def test_a_walk_resumes_after_a_break_taken_during_it() -> None:
    assert walk_segments(100, 60, [(130, 160)]) == [(100, 130), (160, 190)]
    assert walk_segments(100, 60, [(200, 230)]) == [(100, 160)]
    assert walk_segments(100, 0, []) == []


def test_walk_presence_is_spread_over_its_cells_in_order() -> None:
    line = LineString([(0, 0), (100, 0)])
    task = Task(
        "area:X", TaskKind.AREA, "X walk", 0, 0, line=line, cell_path=(("A", 0.25), ("B", 0.75))
    )
    out = stop_presence("F1", task, Stop(0, 1000, 1000), [(1000, 1040), (1100, 1140)])
    assert [(i.cell_id, i.start_s, i.end_s, i.kind) for i in out] == [
        ("A", 1000, 1020, "walk"),
        ("B", 1020, 1040, "walk"),
        ("B", 1100, 1140, "walk"),
    ]


def line_task(**kw: object) -> Task:
    base: dict[str, object] = {
        "task_id": "line:L",
        "kind": TaskKind.LINE,
        "label": "L",
        "x": 0.0,
        "y": 0.0,
        "line": LineString([(0, 0), (900, 0)]),
        "cell_id": "A",
        "cell_path": (("A", 0.5), ("B", 0.5)),
    }
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def test_plans_walk_lines_and_the_verifier_recomputes_their_presence() -> None:
    travel = StreetTravel()
    tasks = tuple(
        line_task(task_id=f"line:L#{k + 1}", place_id="line:L", repeat=k, prize=1.0)
        for k in range(3)
    )
    unit = Unit("F1", Mode.FOOT, "s", "s", 16 * H, 18 * H)
    problem = PatrolProblem(tasks=tasks, units=(unit,), stations={"s": (0.0, 0.0)})
    plan = plan_patrols(problem, travel, time_limit_s=3, max_iterations=50)
    route = plan.routes[0]
    walk = traverse_s(tasks[0].line, travel.speed_kmh(Mode.FOOT))  # type: ignore[arg-type]
    assert len(route.stops) == 3  # the line is walked three times
    assert all(s.walk_s == walk and s.end_s == s.departure_s + walk for s in route.stops)
    table = minutes_by_cell_hour(plan.presence)
    assert table.groupby("cell_id")["minutes"].sum().to_dict() == pytest.approx(
        {"A": 3 * walk / 120, "B": 3 * walk / 120}
    )
    by_id = {t.task_id: t for t in tasks}

    def walk_s(task: Task, _: object) -> int:
        return traverse_s(task.line, travel.speed_kmh(Mode.FOOT))  # type: ignore[arg-type]

    assert verify_presence(plan.routes, by_id, plan.presence, walk_s) == []
    assert any(
        "reported as" in m for m in verify_presence(plan.routes, by_id, plan.presence[1:], walk_s)
    )
    shifted = [
        PresenceInterval(i.cell_id, i.start_s + 5, i.end_s + 5, i.unit_id, i.kind)
        for i in plan.presence
    ] + list(plan.presence[:1])
    assert any("overlap" in m for m in verify_presence(plan.routes, by_id, shifted, walk_s))


def test_line_repeats_read_numbers_and_continuous() -> None:
    class Row:
        duty_id = "L"

        def __init__(self, repeat: object) -> None:
            self.repeat = repeat

    line = LineString([(0, 0), (750, 0)])  # 10 minutes at 4.5 km/h
    assert line_repeats(Row(None), line, None, None) == 1
    assert line_repeats(Row("3"), line, None, None) == 3
    assert line_repeats(Row("continuous"), line, 18 * H, 19 * H) == 6
    with pytest.raises(ValueError, match=r"duty 'L'.*whole number"):
        line_repeats(Row("often"), line, None, None)
    with pytest.raises(ValueError, match="needs a window"):
        line_repeats(Row("坚持"), line, None, None)


# ---- spread


def test_lorenz_and_gini_of_even_and_concentrated_presence() -> None:
    xs, ys = concentration_curve([10, 10], [1, 1])
    assert gini(xs, ys) == pytest.approx(0.0)
    xs, ys = concentration_curve([0, 0, 0, 30], [1, 1, 1, 1])
    assert gini(xs, ys) == pytest.approx(0.75)
    assert xs[0] == 0 and xs[-1] == 1 and ys[-1] == 1
