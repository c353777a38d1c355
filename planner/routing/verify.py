"""Independent check of a routing plan against its problem, in plain Python.

Shares no code with the solver or the scheduler: it re-reads the problem's arrays and
re-derives every constraint from the stated times, so a bug in the search cannot hide here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from planner.routing.model import RoutingProblem, RoutingSolution


def verify(problem: RoutingProblem, solution: RoutingSolution) -> list[str]:
    """List every constraint the plan violates; an empty list means the plan is feasible.

    Checked: one route per vehicle; depots never visited; each node at most once; skills;
    service start within the node's window and no earlier than the previous departure plus
    travel plus the breaks taken in between; departure = start + service; departure from
    the start depot within the shift; return to the end depot by the shift end; every break
    taken exactly once, inside its start window, between the departure and the next
    arrival of its leg, without overlapping other breaks; required nodes visited; minimum
    gaps; reported totals.

    Parameters
    ----------
    problem
        The problem the plan claims to solve.
    solution
        The plan.

    Returns
    -------
    list of str
        One message per violation, naming the vehicle, node and the times involved.
    """
    out: list[str] = []
    n = int(problem.service_s.shape[0])
    service = [int(x) for x in problem.service_s]
    opn = [int(x) for x in problem.window_open_s]
    cls = [int(x) for x in problem.window_close_s]
    prize = [int(x) for x in problem.prize]
    seen_vehicles: set[int] = set()
    visited_by: dict[int, int] = {}
    start_of: dict[int, int] = {}
    total_prize = 0
    total_travel = 0
    for route in solution.routes:
        v = route.vehicle
        if not 0 <= v < len(problem.vehicles):
            out.append(f"route for unknown vehicle {v}")
            continue
        if v in seen_vehicles:
            out.append(f"vehicle {v} has more than one route")
        seen_vehicles.add(v)
        veh = problem.vehicles[v]
        matrix = problem.travel_s[veh.profile]
        if route.depart_s < veh.shift_start_s:
            out.append(
                f"vehicle {v} leaves its depot at {route.depart_s} "
                f"before its shift starts at {veh.shift_start_s}"
            )
        legs: dict[int, list[tuple[int, int, int]]] = {}
        taken: dict[int, int] = {}
        for bp in route.breaks:
            if not 0 <= bp.break_index < len(veh.breaks):
                out.append(f"vehicle {v}: unknown break {bp.break_index}")
                continue
            taken[bp.break_index] = taken.get(bp.break_index, 0) + 1
            brk = veh.breaks[bp.break_index]
            if bp.duration_s != brk.duration_s:
                out.append(
                    f"vehicle {v} break {bp.break_index} lasts {bp.duration_s}, "
                    f"expected {brk.duration_s}"
                )
            if not brk.earliest_start_s <= bp.start_s <= brk.latest_start_s:
                out.append(
                    f"vehicle {v} break {bp.break_index} starts at {bp.start_s}, outside "
                    f"[{brk.earliest_start_s}, {brk.latest_start_s}]"
                )
            if not -1 <= bp.after_stop < len(route.stops):
                out.append(f"vehicle {v} break {bp.break_index} in unknown leg {bp.after_stop}")
                continue
            legs.setdefault(bp.after_stop, []).append((bp.start_s, bp.duration_s, bp.break_index))
        for b in range(len(veh.breaks)):
            if taken.get(b, 0) != 1:
                out.append(f"vehicle {v} takes break {b} {taken.get(b, 0)} times, expected once")
        prev_node = veh.start_node
        prev_dep = route.depart_s
        travel = 0
        seq = [(s.node, s.arrival_s, s.departure_s) for s in route.stops]
        seq.append((veh.end_node, route.return_s, route.return_s))
        for k, (node, arrive, depart) in enumerate(seq):
            is_end = k == len(seq) - 1
            where = "end depot" if is_end else f"stop {k} (node {node})"
            if not 0 <= node < n:
                out.append(f"vehicle {v} {where}: node out of range")
                break
            leg_travel = int(matrix[prev_node][node])
            travel += leg_travel
            busy = 0
            free_from = prev_dep
            for b_start, b_dur, b_index in sorted(legs.get(k - 1, [])):
                if b_start < free_from:
                    out.append(
                        f"vehicle {v} break {b_index} starts at {b_start}, before the unit is "
                        f"free at {free_from}"
                    )
                free_from = b_start + b_dur
                busy += b_dur
            if free_from > arrive:
                out.append(
                    f"vehicle {v} {where}: a break ends at {free_from}, after the arrival {arrive}"
                )
            earliest = prev_dep + leg_travel + busy
            if arrive < earliest:
                out.append(
                    f"vehicle {v} {where}: arrival {arrive} is before departure {prev_dep} "
                    f"+ travel {leg_travel} + breaks {busy} = {earliest}"
                )
            if is_end:
                if arrive > veh.shift_end_s:
                    out.append(
                        f"vehicle {v} returns at {arrive}, after its shift ends at "
                        f"{veh.shift_end_s}"
                    )
                break
            if node in problem.depots:
                out.append(f"vehicle {v} visits depot node {node} as a stop")
            if node in visited_by:
                out.append(f"node {node} is visited by vehicles {visited_by[node]} and {v}")
            visited_by[node] = v
            start_of[node] = arrive
            total_prize += prize[node]
            if not problem.vehicle_may_visit(v, node):
                out.append(f"vehicle {v} is not allowed to visit node {node}")
            if arrive < opn[node] or arrive > cls[node]:
                out.append(
                    f"vehicle {v} {where}: service starts at {arrive}, outside the window "
                    f"[{opn[node]}, {cls[node]}]"
                )
            if depart != arrive + service[node]:
                out.append(
                    f"vehicle {v} {where}: departure {depart} != start {arrive} + "
                    f"service {service[node]}"
                )
            prev_node, prev_dep = node, depart
        if travel != route.travel_s:
            out.append(f"vehicle {v}: reported travel {route.travel_s}, recomputed {travel}")
        route_prize = sum(prize[s.node] for s in route.stops if 0 <= s.node < n)
        if route_prize != route.prize:
            out.append(f"vehicle {v}: reported prize {route.prize}, recomputed {route_prize}")
        total_travel += travel
    for v in range(len(problem.vehicles)):
        if v not in seen_vehicles:
            out.append(f"vehicle {v} has no route (an empty route is expected when unused)")
    for node in range(n):
        if bool(problem.required[node]) and node not in visited_by:
            out.append(f"required node {node} is not visited")
    for gap in problem.min_gaps:
        a, b = gap.node_a, gap.node_b
        if a in start_of and b in start_of and start_of[b] < start_of[a] + gap.gap_s:
            out.append(
                f"min gap: node {b} starts at {start_of[b]}, less than {gap.gap_s} after "
                f"node {a} at {start_of[a]}"
            )
    if total_prize != solution.total_prize:
        out.append(f"reported total prize {solution.total_prize}, recomputed {total_prize}")
    if total_travel != solution.total_travel_s:
        out.append(f"reported total travel {solution.total_travel_s}, recomputed {total_travel}")
    dropped = set(solution.dropped)
    for node in range(n):
        if node in problem.depots:
            continue
        if (node in dropped) == (node in visited_by):
            state = "both visited and dropped" if node in dropped else "neither visited nor dropped"
            out.append(f"node {node} is {state}")
    return out


def verify_presence(
    routes: Sequence[Any],
    tasks: Mapping[str, Any],
    presence: Sequence[Any],
    walk_s_of: Callable[[Any, Any], int],
) -> list[str]:
    """Check a plan's duties in time and recompute its presence from its stops.

    Independent of the extraction: for every unit, each duty (dwell, then the walk of a line or
    sector with any break taken during it) must end before the next arrival and the return;
    a walk must take ``walk_s_of(task, route)`` seconds of walking; and the presence intervals
    the plan reports must add up, per unit and cell, to the minutes recomputed here from the
    stops (dwell in the task's cell, walks in the cells of ``task.cell_path`` by length share).

    Parameters
    ----------
    routes
        The plan's unit routes (``unit_id``, ``stops``, ``breaks``, ``return_s``).
    tasks
        ``{task_id: Task}`` of the problem.
    presence
        The plan's :class:`~planner.presence.PresenceInterval` values.
    walk_s_of
        Seconds a unit of ``route`` takes to walk ``task``'s line.

    Returns
    -------
    list of str
        One message per violation (empty: the duties and presence are consistent).
    """
    out: list[str] = []
    expected: dict[tuple[str, str], float] = {}
    for route in routes:
        pauses = sorted((b.start_s, b.start_s + b.duration_s) for b in route.breaks)
        stops = list(route.stops)
        for k, stop in enumerate(stops):
            task = tasks.get(stop.task_id)
            if task is None:
                out.append(f"unit {route.unit_id}: stop {stop.task_id!r} is not a task")
                continue
            walk = walk_s_of(task, route) if task.line is not None else 0
            if stop.walk_s != walk:
                out.append(
                    f"unit {route.unit_id}: {stop.task_id!r} walks {stop.walk_s} s, its line "
                    f"takes {walk} s"
                )
            paused = sum(
                max(0, min(p1, stop.end_s) - max(p0, stop.departure_s)) for p0, p1 in pauses
            )
            if stop.end_s - stop.departure_s != walk + paused:
                out.append(
                    f"unit {route.unit_id}: {stop.task_id!r} ends at {stop.end_s}, expected "
                    f"{stop.departure_s} + walk {walk} s + breaks {paused} s"
                )
            nxt = stops[k + 1].arrival_s if k + 1 < len(stops) else route.return_s
            if stop.end_s > nxt:
                out.append(
                    f"unit {route.unit_id}: {stop.task_id!r} ends at {stop.end_s}, after the "
                    f"next arrival at {nxt}"
                )
            for p0, p1 in pauses:
                if p0 < stop.departure_s and p1 > stop.arrival_s:
                    out.append(
                        f"unit {route.unit_id}: a break {p0}-{p1} overlaps the dwell of "
                        f"{stop.task_id!r} ({stop.arrival_s}-{stop.departure_s})"
                    )
            dwell = stop.departure_s - stop.arrival_s
            if task.cell_id is not None and dwell > 0:
                key = (route.unit_id, str(task.cell_id))
                expected[key] = expected.get(key, 0.0) + dwell
            if walk > 0:
                path = task.cell_path or ((task.cell_id, 1.0),)
                for cell, share in path:
                    if cell is not None:
                        key = (route.unit_id, str(cell))
                        expected[key] = expected.get(key, 0.0) + share * walk
    reported: dict[tuple[str, str], float] = {}
    for interval in presence:
        key = (str(interval.unit_id), str(interval.cell_id))
        reported[key] = reported.get(key, 0.0) + (interval.end_s - interval.start_s)
    for key in sorted(set(expected) | set(reported)):
        a, b = expected.get(key, 0.0), reported.get(key, 0.0)
        if abs(a - b) > 1.0:
            out.append(
                f"unit {key[0]}: presence in cell {key[1]} is reported as {b:.0f} s, the stops "
                f"give {a:.0f} s"
            )
    by_unit: dict[str, list[tuple[float, float]]] = {}
    for interval in presence:
        by_unit.setdefault(str(interval.unit_id), []).append((interval.start_s, interval.end_s))
    for unit, spans in by_unit.items():
        spans.sort()
        for (_, a1), (b0, _) in itertools.pairwise(spans):
            if b0 < a1 - 1e-6:
                out.append(f"unit {unit}: presence intervals overlap at {b0:.0f}-{a1:.0f}")
    return out
