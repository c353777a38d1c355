"""Timing of given stop orders: earliest service starts, break placement and minimum gaps.

Used by the search (to accept or reject routes) and to turn node orders into timed plans.
The independent check of finished plans lives in :mod:`planner.routing.verify`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.routing.model import Break, BreakPlacement, RoutingProblem


@dataclass(frozen=True)
class RouteTimes:
    """Earliest feasible times of one vehicle's stop order."""

    vehicle: int
    nodes: tuple[int, ...]
    arrival_s: tuple[int, ...]
    departure_s: tuple[int, ...]
    breaks: tuple[BreakPlacement, ...]
    depart_s: int
    return_s: int
    travel_s: int


def schedule_route(
    problem: RoutingProblem,
    vehicle: int,
    nodes: Sequence[int],
    lower_bounds: Mapping[int, int] | None = None,
) -> RouteTimes | None:
    """Time a stop order as early as possible; ``None`` when no timing is feasible.

    Each break is taken in the first leg where it is either free (absorbed by waiting) or
    cannot be postponed any more; within a leg the unit travels first and takes the break
    on arrival when the break window allows, else takes it before leaving. This greedy rule
    can miss a feasible timing in contrived cases; it never returns an infeasible one.

    Parameters
    ----------
    problem
        The routing problem.
    vehicle
        Vehicle index.
    nodes
        Stops in visiting order, depots excluded.
    lower_bounds
        Extra earliest service starts per node (from minimum gaps).
    """
    veh = problem.vehicles[vehicle]
    travel = problem.travel(vehicle)
    opn, cls, svc = problem.window_open_s, problem.window_close_s, problem.service_s
    lbs = lower_bounds or {}
    pending = sorted(
        enumerate(veh.breaks), key=lambda ib: (ib[1].latest_start_s, ib[1].earliest_start_s)
    )
    placements: list[BreakPlacement] = []
    arrivals: list[int] = []
    departures: list[int] = []
    t = veh.shift_start_s
    prev = veh.start_node
    total_travel = 0
    seq = [*nodes, veh.end_node]
    last = len(seq) - 1
    for k, node in enumerate(seq):
        is_end = k == last
        if not is_end and not problem.vehicle_may_visit(vehicle, node):
            return None
        leg = int(travel[prev, node])
        total_travel += leg
        if is_end:
            open_j, close_j, svc_j = veh.shift_start_s, veh.shift_end_s, 0
        else:
            open_j = max(int(opn[node]), lbs.get(node, 0))
            close_j, svc_j = int(cls[node]), int(svc[node])
        cur, traveled = t, False
        remaining: list[tuple[int, Break]] = []
        for b_index, brk in pending:
            without = max(open_j, cur if traveled else cur + leg)
            e, lat, dur = brk.earliest_start_s, brk.latest_start_s, brk.duration_s
            if traveled:
                at = max(cur, e)
                after_travel = True
            else:
                at = max(cur + leg, e)
                after_travel = True
                if at > lat:
                    at, after_travel = max(cur, e), False
            b_start = at if at <= lat else None
            with_break = None
            if b_start is not None:
                end_b = b_start + dur
                with_break = max(open_j, end_b if after_travel else end_b + leg)
            must = is_end or without + svc_j > lat
            free = with_break is not None and with_break <= without
            if must or free:
                if b_start is None:
                    return None
                placements.append(BreakPlacement(b_index, b_start, dur, k - 1))
                cur = b_start + dur
                traveled = traveled or after_travel
            else:
                remaining.append((b_index, brk))
        pending = remaining
        arrive = max(open_j, cur if traveled else cur + leg)
        if arrive > close_j:
            return None
        if is_end:
            return RouteTimes(
                vehicle=vehicle,
                nodes=tuple(int(x) for x in nodes),
                arrival_s=tuple(arrivals),
                departure_s=tuple(departures),
                breaks=tuple(placements),
                depart_s=veh.shift_start_s,
                return_s=arrive,
                travel_s=total_travel,
            )
        arrivals.append(arrive)
        departures.append(arrive + svc_j)
        t = arrive + svc_j
        prev = node
    raise AssertionError("unreachable: the end depot closes every route")


def schedule_routes(
    problem: RoutingProblem, routes: Sequence[Sequence[int]]
) -> list[RouteTimes] | None:
    """Time all routes (one stop order per vehicle) honouring minimum gaps across vehicles.

    Gaps are enforced by raising the earliest start of the later copy and re-timing until
    nothing changes; only ever delaying keeps this monotone, so it ends after at most one
    round per gap unless the gaps form a cycle, which is reported as infeasible.
    """
    lbs: dict[int, int] = {}
    times: list[RouteTimes | None] = [
        schedule_route(problem, v, nodes, lbs) for v, nodes in enumerate(routes)
    ]
    if not problem.min_gaps:
        return None if any(t is None for t in times) else times  # type: ignore[return-value]
    where = {node: v for v, nodes in enumerate(routes) for node in nodes}
    for _ in range(len(problem.min_gaps) + 2):
        if any(t is None for t in times):
            return None
        start: dict[int, int] = {}
        for t in times:
            assert t is not None
            start.update(zip(t.nodes, t.arrival_s, strict=True))
        dirty: set[int] = set()
        for gap in problem.min_gaps:
            a, b = gap.node_a, gap.node_b
            if a in start and b in start and start[b] < start[a] + gap.gap_s:
                lbs[b] = start[a] + gap.gap_s
                dirty.add(where[b])
        if not dirty:
            return times  # type: ignore[return-value]
        for v in dirty:
            times[v] = schedule_route(problem, v, routes[v], lbs)
    return None
