"""Top-hotspot presence in every clock hour: the repair after the search (issue 11)."""

from __future__ import annotations

import pandas as pd

from geo.network.modes import Mode
from planner.plan import compile_with_gaps
from planner.presence_hours import covered_hours, repair_top_hours, shift_hours
from planner.problem import CompiledProblem, PatrolProblem
from planner.routing.schedule import Timer
from planner.routing.solver import build_solution
from planner.routing.verify import verify
from planner.sources import PresenceTaskOptions, presence_tasks
from planner.travel import StreetTravel
from planner.units import Unit

H = 3600


def _compiled() -> CompiledProblem:
    # A is the top hotspot (risk 1 an hour), B is worth more per stay (risk 2) but not top
    hours = [16 * H, 17 * H, 18 * H]
    hourly = pd.DataFrame(
        {"cell_id": ["A"] * 3 + ["B"] * 3, "hour_start_s": hours * 2, "risk": [1.0] * 3 + [2.0] * 3}
    )
    tasks = presence_tasks(
        hourly,
        {"A": (40.0, 0.0), "B": (80.0, 0.0)},
        PresenceTaskOptions(dwell_min=12, recover_min=90.0),
        shift_start_s=16 * H,
        shift_end_s=19 * H,
        unit_minutes=40.0,
    )
    unit = Unit("F1", Mode.FOOT, "s", "s", 16 * H, 19 * H)
    problem = PatrolProblem(tasks=tasks, units=(unit,), stations={"s": (0.0, 0.0)})
    return compile_with_gaps(problem, StreetTravel())


def test_an_hour_without_top_presence_gets_a_stay_and_an_impossible_one_is_stated() -> None:
    compiled = _compiled()
    routing = compiled.routing
    a16, b18 = (compiled.node_of_task(t) for t in ("presence:A@16", "presence:B@18"))
    # the search's plan: A at 16:00, then B at 18:00; hours 17 and 18 have no top presence
    given = build_solution(routing, [[a16, b18]], "FEASIBLE", 0)
    assert given is not None and not verify(routing, given)
    hours = shift_hours(compiled)
    assert hours == [16 * H, 17 * H, 18 * H]
    timed = [[(s.node, s.arrival_s, s.departure_s) for s in r.stops] for r in given.routes]
    assert covered_hours(compiled, timed, {"A"}, hours) == {16 * H: 1, 17 * H: 0, 18 * H: 0}

    repair = repair_top_hours(compiled, given, ["A"])
    out = repair.solution
    assert not verify(routing, out)
    timed = [[(s.node, s.arrival_s, s.departure_s) for s in r.stops] for r in out.routes]
    counts = covered_hours(compiled, timed, {"A"}, hours)
    # Two cells cannot hold the unit's time in 12-minute stays, so stays are 24 minutes
    # (worth 1.5 visits) and a cell's stays start 90 + 24 = 114 minutes apart.
    a18 = compiled.node_of_task("presence:A@18")
    assert int(routing.service_s[a18]) == 24 * 60
    # 18:00 is repaired: A's 18:xx stay is inserted next to B's, and B's stay is kept
    assert repair.repaired == (18 * H,)
    assert counts == {16 * H: 1, 17 * H: 0, 18 * H: 1}
    assert sorted(out.routes[0].nodes) == sorted((a16, b18, a18))
    stop = next(s for s in out.routes[0].stops if s.node == a18)
    assert 18 * H <= stop.arrival_s <= 18 * H + 36 * 60
    assert repair.prize_change == int(routing.prize[a18]) > 0
    # 17:00 cannot have A without giving up 16:00: A's 17:xx stay would start by 17:36,
    # less than 114 minutes after 16:00, so the hour is stated, not hidden
    assert repair.uncovered == (17 * H,)
    assert len(repair.notes) == 1 and repair.notes[0].startswith("Hour 17:00 has no presence")


def test_without_top_cells_the_plan_is_left_alone() -> None:
    compiled = _compiled()
    routing = compiled.routing
    nodes = [compiled.node_of_task(t) for t in ("presence:B@16", "presence:A@16")]
    given = build_solution(routing, [nodes], "FEASIBLE", 0)
    assert given is not None
    repair = repair_top_hours(compiled, given, [])
    assert repair.solution is given and repair.notes == ()


def test_the_repair_budget_counts_work_so_the_answer_does_not_depend_on_the_machine() -> None:
    compiled = _compiled()
    routing = compiled.routing
    a16, b18 = (compiled.node_of_task(t) for t in ("presence:A@16", "presence:B@18"))
    given = build_solution(routing, [[a16, b18]], "FEASIBLE", 0)
    assert given is not None
    # no work allowed: nothing is tried, and both hours are stated rather than hidden
    starved = repair_top_hours(compiled, given, ["A"], budget_stops=-1)
    assert starved.solution is given
    assert starved.repaired == () and starved.uncovered == (17 * H, 18 * H)
    assert [n[:10] for n in starved.notes] == ["Hour 17:00", "Hour 18:00"]
    # the budget is a count of stops timed (no clock is read): too small a budget leaves 18:00
    # too, and any budget past what the move needs (65 stops here) gives the default's answer
    assert repair_top_hours(compiled, given, ["A"], budget_stops=20).repaired == ()
    full = repair_top_hours(compiled, given, ["A"])
    runs = [repair_top_hours(compiled, given, ["A"], budget_stops=b) for b in (65, 200, 10**9)]
    for run in runs:
        assert run.repaired == full.repaired == (18 * H,)
        assert [r.nodes for r in run.solution.routes] == [r.nodes for r in full.solution.routes]


def test_the_timer_counts_the_stops_it_times() -> None:
    compiled = _compiled()
    routing = compiled.routing
    timer = Timer(routing)
    a16, b18 = (compiled.node_of_task(t) for t in ("presence:A@16", "presence:B@18"))
    assert timer.stops_timed == 0
    assert timer.route(0, [a16, b18]) is not None
    # the two stops and the unit's start and end
    assert timer.stops_timed == 4
    assert timer.routes([[a16]]) is not None
    assert timer.stops_timed == 7
