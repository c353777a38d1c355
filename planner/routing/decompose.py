"""Large districts: split a routing problem into sub-areas, solve each, re-balance, merge.

A county-scale shift (40 units, 2,000 places) is too big for one LNS to improve within its
budget: every iteration repairs over thousands of candidate insertions. :func:`solve_large`
clusters the places into sub-areas of a few units each and solves each sub-area with the
ordinary solver (:func:`planner.routing.solver.solve`), so every LNS iteration stays cheap.

1. **Sub-areas.** ``k = ceil(units / units_per_area)`` seeds are picked farthest-first on the
   symmetric travel time; places join their nearest seed and the seeds move to their sub-area's
   medoid (a few Lloyd rounds). Places tied by a minimum gap (repeat visits) stay together. A
   sub-area holding less visit time than one unit's shift (an outlying post, a few far cells)
   is merged into the nearest other one, so no unit is sent where it would idle.
2. **Units.** Each sub-area gets a share of the units proportional to its prize (at least one
   where there is prize), the units nearest to it first; a place no unit of its sub-area may
   visit (skills) moves to the nearest sub-area that has such a unit.
3. **Solve** each sub-problem with a share of the budget proportional to its size.
4. **Re-balance.** Places left out in one sub-area move to the nearest other sub-area whose
   units came back with time to spare (places tied by minimum gaps, such as a cell's hour
   slots, move together when none of them is planned); those sub-areas are solved again and
   the new plan is kept only when it collects more prize (so a round never loses prize).
5. **Merge** the routes into one plan of the whole problem and check it with
   :func:`planner.routing.verify.verify`.

Problems below :data:`LARGE_NODES` places or :data:`LARGE_VEHICLES` units go to the solver
unchanged, so the published TOP/OPTW results (``benchmarks/routing.py``) do not move.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from planner.errors import InfeasibleError, VerificationError
from planner.routing.model import MinGap, Route, RoutingProblem, RoutingSolution, Stop, Vehicle
from planner.routing.solver import solve
from planner.routing.verify import verify

__all__ = ["LARGE_NODES", "LARGE_VEHICLES", "SubArea", "solve_large", "sub_areas"]

#: Smallest problem (places) that is decomposed.
LARGE_NODES = 600
#: Fewest units for which a problem is decomposed.
LARGE_VEHICLES = 8
#: Units per sub-area.
UNITS_PER_AREA = 4
_LLOYD_ROUNDS = 4
#: A sub-area must hold visits for this many shifts of one unit, or it is merged.
MIN_WORK_SHIFTS = 2.0


@dataclass(frozen=True)
class SubArea:
    """One sub-area: its places and the units that patrol it (indices of the full problem)."""

    nodes: tuple[int, ...]
    vehicles: tuple[int, ...]


def _symmetric(problem: RoutingProblem) -> np.ndarray:
    t = problem.travel_s[0].astype(np.float64)
    return (t + t.T) / 2.0


def _gap_groups(problem: RoutingProblem, places: list[int]) -> dict[int, int]:
    """Each place's group representative: places tied by a minimum gap share one."""
    parent = {p: p for p in places}

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for gap in problem.min_gaps:
        if gap.node_a in parent and gap.node_b in parent:
            parent[find(gap.node_a)] = find(gap.node_b)
    return {p: find(p) for p in places}


def sub_areas(
    problem: RoutingProblem, units_per_area: int = UNITS_PER_AREA, seed: int = 0
) -> list[SubArea]:
    """Split the places and units of ``problem`` into sub-areas (steps 1 and 2 above)."""
    n_vehicles = len(problem.vehicles)
    places = [j for j in range(problem.n_nodes) if j not in problem.depots]
    k = max(1, min(math.ceil(n_vehicles / units_per_area), len(places)))
    if k == 1 or not places:
        return [SubArea(tuple(places), tuple(range(n_vehicles)))]
    dist = _symmetric(problem)
    sub = dist[np.ix_(places, places)]
    rng = np.random.default_rng(seed)
    seeds = [int(rng.integers(len(places)))]
    nearest = sub[seeds[0]].copy()
    for _ in range(1, k):
        seeds.append(int(np.argmax(nearest)))
        nearest = np.minimum(nearest, sub[seeds[-1]])
    label = np.argmin(sub[seeds], axis=0)
    for _ in range(_LLOYD_ROUNDS):
        medoids = []
        for c in range(k):
            members = np.flatnonzero(label == c)
            if members.size == 0:
                medoids.append(seeds[c])
                continue
            inner = sub[np.ix_(members, members)].sum(axis=1)
            medoids.append(int(members[np.argmin(inner)]))
        new_label = np.argmin(sub[medoids], axis=0)
        seeds = medoids
        if np.array_equal(new_label, label):
            break
        label = new_label
    # places tied by a minimum gap go where their representative goes
    group = _gap_groups(problem, places)
    position = {p: i for i, p in enumerate(places)}
    label = np.array([label[position[group[p]]] for p in places])
    # a sub-area with less work than one unit's shift would leave its unit idle: merge it
    shift = float(np.mean([v.shift_end_s - v.shift_start_s for v in problem.vehicles]))
    service = _work(problem, places, group, shift)
    label, seeds = _merge_small(label, seeds, service, sub, MIN_WORK_SHIFTS * shift)
    k = len(seeds)

    # units: a share of the prize each, nearest first
    prize = np.array([int(problem.prize[p]) + 1 for p in places], dtype=float)
    share = np.array([prize[label == c].sum() for c in range(k)])
    wanted = np.maximum(1, np.floor(share / share.sum() * n_vehicles)).astype(int)
    # units go where there is prize per unit, but not beyond the work a sub-area holds
    room = np.array([max(1.0, float(service[label == c].sum()) / shift) for c in range(k)])
    if room.sum() >= n_vehicles:
        wanted = np.minimum(wanted, np.ceil(room).astype(int))
    while wanted.sum() > n_vehicles:
        wanted[np.argmax(wanted)] -= 1
    while wanted.sum() < n_vehicles:
        need = share / wanted
        open_ = wanted < room
        wanted[
            int(np.argmax(np.where(open_, need, -1.0))) if open_.any() else int(np.argmax(need))
        ] += 1
    medoid_nodes = [places[s] for s in seeds]
    pairs = sorted(
        (dist[problem.vehicles[v].start_node, medoid_nodes[c]], v, c)
        for v in range(n_vehicles)
        for c in range(k)
    )
    owner: dict[int, int] = {}
    for _, v, c in pairs:
        if v not in owner and wanted[c] > 0:
            owner[v] = c
            wanted[c] -= 1
    vehicles_of = [[v for v in range(n_vehicles) if owner.get(v) == c] for c in range(k)]

    # skills: a place goes to the nearest sub-area with a unit allowed to visit it
    order = np.argsort(dist[np.ix_(places, medoid_nodes)], axis=1)
    nodes_of: list[list[int]] = [[] for _ in range(k)]
    for i, p in enumerate(places):
        home = int(label[i])
        if not any(problem.vehicle_may_visit(v, p) for v in vehicles_of[home]):
            for c in order[i]:
                if any(problem.vehicle_may_visit(v, p) for v in vehicles_of[int(c)]):
                    home = int(c)
                    break
        nodes_of[home].append(p)
    _keep_gaps_together(problem, nodes_of)
    return [
        SubArea(tuple(nodes_of[c]), tuple(vehicles_of[c]))
        for c in range(k)
        if nodes_of[c] or vehicles_of[c]
    ]


def _work(
    problem: RoutingProblem, places: list[int], group: dict[int, int], shift_s: float
) -> np.ndarray:
    """Seconds of visits each place can give a sub-area: its service, except that places tied
    by minimum gaps (a cell's hour slots, a gap apart) give at most ``1 + shift / gap`` visits
    between them, shared out over the group."""
    gap_of: dict[int, int] = {}
    for g in problem.min_gaps:
        for node in (g.node_a, g.node_b):
            rep = group.get(node)
            if rep is not None:
                gap_of[rep] = max(gap_of.get(rep, 0), int(g.gap_s))
    size: dict[int, int] = {}
    for p in places:
        size[group[p]] = size.get(group[p], 0) + 1
    out = np.empty(len(places))
    for i, p in enumerate(places):
        rep = group[p]
        share = 1.0
        if rep in gap_of and gap_of[rep] > 0:
            share = min(1.0, (1 + shift_s // gap_of[rep]) / size[rep])
        out[i] = float(problem.service_s[p]) * share
    return out


def _merge_small(
    label: np.ndarray, seeds: list[int], service: np.ndarray, dist: np.ndarray, min_work: float
) -> tuple[np.ndarray, list[int]]:
    """Merge sub-areas whose places hold less than ``min_work`` seconds of visits into the
    nearest other sub-area (by medoid), smallest first; labels renumbered ``0 .. k'-1``.

    Farthest-first seeding picks outlying places as seeds, so a far post or a cluster of a few
    cells can become a sub-area of its own; it still gets a unit (every sub-area with prize
    does), and that unit idles most of its shift once its few places are done.
    """
    label = label.copy()
    alive = sorted(set(int(c) for c in label))
    while len(alive) > 1:
        work = {c: float(service[label == c].sum()) for c in alive}
        small = min(alive, key=lambda c: (work[c], c))
        if work[small] >= min_work:
            break
        target = min(
            (c for c in alive if c != small), key=lambda c: (dist[seeds[small], seeds[c]], c)
        )
        label[label == small] = target
        alive.remove(small)
    renumber = {c: i for i, c in enumerate(alive)}
    return np.array([renumber[int(c)] for c in label]), [seeds[c] for c in alive]


def _keep_gaps_together(problem: RoutingProblem, nodes_of: list[list[int]]) -> None:
    """Move the places of a minimum-gap group that skills split apart to one sub-area."""
    home = {p: c for c, nodes in enumerate(nodes_of) for p in nodes}
    for gap in problem.min_gaps:
        a, b = home.get(gap.node_a), home.get(gap.node_b)
        if a is not None and b is not None and a != b:
            nodes_of[b].remove(gap.node_b)
            nodes_of[a].append(gap.node_b)
            home[gap.node_b] = a


def _subproblem(problem: RoutingProblem, area: SubArea) -> tuple[RoutingProblem, list[int]]:
    """The problem restricted to ``area`` and the full index of each of its nodes."""
    depots = sorted(
        {problem.vehicles[v].start_node for v in area.vehicles}
        | {problem.vehicles[v].end_node for v in area.vehicles}
    )
    full = [*depots, *area.nodes]
    local = {node: i for i, node in enumerate(full)}
    index = np.array(full, dtype=np.int64)
    vehicle_local = {v: i for i, v in enumerate(area.vehicles)}
    allowed = None
    if problem.allowed_vehicles is not None:
        allowed = tuple(
            None
            if problem.allowed_vehicles[node] is None
            else frozenset(
                vehicle_local[v] for v in problem.allowed_vehicles[node] or () if v in vehicle_local
            )
            for node in full
        )
    vehicles = tuple(
        replace(
            problem.vehicles[v],
            start_node=local[problem.vehicles[v].start_node],
            end_node=local[problem.vehicles[v].end_node],
        )
        for v in area.vehicles
    )
    gaps = tuple(
        MinGap(local[g.node_a], local[g.node_b], g.gap_s)
        for g in problem.min_gaps
        if g.node_a in local and g.node_b in local
    )
    sub = RoutingProblem(
        travel_s=tuple(m[np.ix_(index, index)] for m in problem.travel_s),
        service_s=problem.service_s[index],
        prize=problem.prize[index],
        window_open_s=problem.window_open_s[index],
        window_close_s=problem.window_close_s[index],
        required=problem.required[index],
        vehicles=vehicles,
        allowed_vehicles=allowed,
        min_gaps=gaps,
        names=None if problem.names is None else tuple(problem.names[n] for n in full),
    )
    return sub, full


def _solve_area(
    problem: RoutingProblem,
    area: SubArea,
    budget_s: float,
    seed: int,
    max_iterations: int | None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[Route]:
    """Routes of ``area``'s units (full-problem indices); none when it has no unit."""
    if not area.vehicles:
        return []
    sub, full = _subproblem(problem, area)
    solution = solve(
        sub,
        time_limit_s=max(0.05, budget_s),
        seed=seed,
        max_iterations=max_iterations,
        clock=clock,
    )
    routes = []
    for route in solution.routes:
        stops = tuple(Stop(full[s.node], s.arrival_s, s.departure_s) for s in route.stops)
        routes.append(replace(route, vehicle=area.vehicles[route.vehicle], stops=stops))
    return routes


def _idle_s(problem: RoutingProblem, routes: Sequence[Route]) -> float:
    """Shift time the routes leave unused (seconds)."""
    total = 0.0
    for r in routes:
        vehicle: Vehicle = problem.vehicles[r.vehicle]
        used = (r.return_s - r.depart_s) if r.stops else 0
        total += max(0, vehicle.shift_end_s - vehicle.shift_start_s - used)
    return total


def solve_large(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    max_iterations: int | None = None,
    units_per_area: int = UNITS_PER_AREA,
    rounds: int = 2,
    clock: Callable[[], float] = time.perf_counter,
) -> RoutingSolution:
    """Solve a routing problem, by sub-areas when it is large (see the module docstring).

    Parameters are those of :func:`planner.routing.solver.solve`, plus:

    units_per_area
        Units per sub-area.
    rounds
        Solve rounds: the first solves every sub-area, each further one re-balances.

    Raises
    ------
    InfeasibleError
        When a required place cannot be visited (by sub-areas and then by the whole
        problem with the time left).
    VerificationError
        When the merged plan fails the independent check (a bug).
    """
    if time_limit_s <= 0:
        raise ValueError(f"time_limit_s: expected a positive number of seconds, got {time_limit_s}")
    if problem.n_nodes < LARGE_NODES or len(problem.vehicles) < LARGE_VEHICLES:
        return solve(
            problem,
            time_limit_s=time_limit_s,
            seed=seed,
            max_iterations=max_iterations,
            clock=clock,
        )
    t0 = clock()
    deadline = t0 + time_limit_s * 0.95
    areas = sub_areas(problem, units_per_area, seed)
    first_share = 0.75 if rounds > 1 else 1.0
    routes_of: list[list[Route]] = []
    total_nodes = max(1, sum(len(a.nodes) for a in areas))
    for c, area in enumerate(areas):
        left = deadline - clock()
        later = sum(len(a.nodes) for a in areas[c:])
        budget = left * first_share * len(area.nodes) / max(1, later) if later else 0.0
        budget = max(budget, 0.05 * time_limit_s * len(area.nodes) / total_nodes)
        try:
            routes_of.append(_solve_area(problem, area, budget, seed + c, max_iterations, clock))
        except InfeasibleError:
            # a required place the sub-area cannot serve: plan the whole problem instead
            remaining = max(0.1, t0 + time_limit_s - clock())
            return solve(
                problem,
                time_limit_s=remaining,
                seed=seed,
                max_iterations=max_iterations,
                clock=clock,
            )

    dist = _symmetric(problem)
    gapped = {g.node_a for g in problem.min_gaps} | {g.node_b for g in problem.min_gaps}
    group_of = _gap_groups(problem, sorted(gapped))
    members: dict[int, list[int]] = {}
    for node, rep in group_of.items():
        members.setdefault(rep, []).append(node)
    for round_no in range(1, rounds):
        visited = {s.node for routes in routes_of for r in routes for s in r.stops}
        idle = [_idle_s(problem, routes) for routes in routes_of]
        moved: dict[int, list[int]] = {}
        for c, area in enumerate(areas):
            seen: set[int] = set()
            for node in area.nodes:
                if node in visited or problem.required[node] or problem.prize[node] <= 0:
                    continue
                group = [node]
                if node in gapped:
                    # places tied by minimum gaps (a cell's hour slots) move together, and
                    # only when none of them is planned where they are
                    rep = group_of[node]
                    if rep in seen:
                        continue
                    seen.add(rep)
                    group = members[rep]
                    if any(m in visited or problem.required[m] for m in group):
                        continue
                # the nearest other sub-area with time to spare and a unit allowed there
                best, best_d = None, math.inf
                for d, other in enumerate(areas):
                    if d == c or idle[d] <= problem.service_s[node] or not other.vehicles:
                        continue
                    if not any(problem.vehicle_may_visit(v, node) for v in other.vehicles):
                        continue
                    reach = min(dist[node, problem.vehicles[v].start_node] for v in other.vehicles)
                    if reach < best_d:
                        best, best_d = d, reach
                if best is not None:
                    moved.setdefault(best, []).extend(group)
        if not moved:
            break
        left = deadline - clock()
        if left <= 0.05 * time_limit_s:
            break
        size = sum(len(areas[d].nodes) + len(extra) for d, extra in moved.items())
        for d, extra in sorted(moved.items()):
            left = deadline - clock()
            if left <= 0:
                break
            grown = SubArea((*areas[d].nodes, *extra), areas[d].vehicles)
            budget = left * (len(grown.nodes) / max(1, size))
            size -= len(grown.nodes)
            try:
                routes = _solve_area(
                    problem, grown, budget, seed + 1000 * round_no + d, max_iterations, clock
                )
            except InfeasibleError:
                continue
            if sum(r.prize for r in routes) > sum(r.prize for r in routes_of[d]):
                routes_of[d] = routes
                gained = set(extra)
                areas[d] = grown
                for c, area in enumerate(areas):
                    if c != d:
                        areas[c] = SubArea(
                            tuple(n for n in area.nodes if n not in gained), area.vehicles
                        )
    return _merge(problem, routes_of, seed)


def _merge(problem: RoutingProblem, routes_of: list[list[Route]], seed: int) -> RoutingSolution:
    by_vehicle = {r.vehicle: r for routes in routes_of for r in routes}
    routes = []
    for v, vehicle in enumerate(problem.vehicles):
        route = by_vehicle.get(v)
        if route is None:  # a unit no sub-area needed stays at its base
            route = Route(v, (), (), vehicle.shift_start_s, vehicle.shift_start_s, 0, 0)
        routes.append(route)
    visited = {s.node for r in routes for s in r.stops}
    dropped = tuple(
        j for j in range(problem.n_nodes) if j not in problem.depots and j not in visited
    )
    solution = RoutingSolution(
        routes=tuple(routes),
        total_prize=int(sum(r.prize for r in routes)),
        total_travel_s=int(sum(r.travel_s for r in routes)),
        dropped=dropped,
        status="DECOMPOSED",
        seed=seed,
    )
    problems = verify(problem, solution)
    if problems:
        raise VerificationError(problems)
    return solution
