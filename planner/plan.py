"""Plan patrols: solve a compiled patrol problem and extract a :class:`PatrolPlan`.

:func:`plan_patrols` is the planner's entry point. It pre-checks the required tasks (and, when
asked, plans the rest without the impossible ones), runs the routing core, whose every solution
has passed the independent verifier, and turns node routes into plain data: ordered stops with
times, street paths between them, totals, presence per cell and dropped tasks with reasons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from shapely.geometry import LineString

from geo.network.modes import Mode
from planner.errors import InfeasibleError, PlanningError, VerificationError
from planner.presence import PresenceInterval, walk_presence, walk_segments
from planner.presence_hours import repair_top_hours
from planner.problem import CompiledProblem, PatrolProblem, compile_problem
from planner.routing import MinGap, RoutingSolution, Stop, precheck, solve_varied
from planner.routing.decompose import solve_large
from planner.routing.verify import verify_presence
from planner.sources import PRESENCE_SLOT_PREFIX
from planner.tasks import Task, TaskKind
from planner.travel import TravelProvider, traverse_s


@dataclass(frozen=True)
class PlannedStop:
    """One visit of a route, in order."""

    order: int
    task_id: str
    kind: TaskKind
    label: str
    x: float
    y: float
    cell_id: str | None
    area_id: str | None
    arrival_s: int
    departure_s: int
    dwell_s: int
    required: bool
    prize: float
    walk_s: int = 0
    end_s: int = -1

    def __post_init__(self) -> None:
        # ``end_s``: when the duty ends (a walk's last step, else the departure).
        if self.end_s < 0:
            object.__setattr__(self, "end_s", self.departure_s + self.walk_s)

    @property
    def duration_s(self) -> int:
        """Seconds of the duty: the dwell, or the walk along a line or a sector's streets."""
        return self.dwell_s + self.walk_s


@dataclass(frozen=True)
class PlannedBreak:
    """A meal break taken on the way after stop ``after_order`` (0: leaving the station)."""

    start_s: int
    duration_s: int
    after_order: int


@dataclass(frozen=True)
class UnitRoute:
    """The route of one unit.

    ``legs[i]`` is the street line from the previous place (the start station for ``i = 0``) to
    stop ``i``; the last leg runs from the last stop to the end station. Line tasks add their
    own line after their stop.
    """

    unit_id: str
    mode: Mode
    start_station: str
    end_station: str
    depart_s: int
    return_s: int
    stops: tuple[PlannedStop, ...]
    breaks: tuple[PlannedBreak, ...]
    legs: tuple[LineString, ...]
    travel_s: int
    dwell_s: int
    distance_m: float
    prize: float
    walk_s: int = 0

    @property
    def patrol_s(self) -> int:
        """Seconds on patrol duty: dwell at places plus walks along lines and sectors."""
        return self.dwell_s + self.walk_s


@dataclass(frozen=True)
class DroppedTask:
    """A task the plan does not do, and why."""

    task_id: str
    label: str
    kind: TaskKind
    required: bool
    reason: str


@dataclass(frozen=True)
class PatrolPlan:
    """A verified plan for one shift.

    Attributes
    ----------
    routes
        One per unit (a unit with no stops stays at its station).
    dropped
        Tasks not done, with reasons.
    risk_share
        Share of the total prize of all candidate tasks that the plan collects.
    presence_min_by_cell
        Minutes of presence (stops and walks) per grid cell.
    seed
        Seed of the search that produced the plan.
    notes
        How travel times were computed, tasks relaxed, and facts passed on from the input.
    presence
        The planned presence: one interval per stop, and per cell a walk passes through.
    least_travel_s
        Per unit, the least travel from its station to any task plus from any task back
        (what no plan of the unit can avoid; used by the presence bound).
    arrival_s
        Per mode and hotspot cell, the least travel into the cell's stay point from any
        other place or station (0 where other duties or walks give presence in the cell):
        every stay there costs at least that much travel (used by the presence bound).
    """

    routes: tuple[UnitRoute, ...]
    dropped: tuple[DroppedTask, ...]
    risk_share: float
    presence_min_by_cell: Mapping[str, float]
    seed: int
    notes: tuple[str, ...]
    presence: tuple[PresenceInterval, ...] = ()
    least_travel_s: Mapping[str, int] = field(default_factory=dict)
    arrival_s: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def distance_m(self) -> float:
        return float(sum(r.distance_m for r in self.routes))

    @property
    def travel_s(self) -> int:
        return int(sum(r.travel_s for r in self.routes))

    @property
    def dwell_s(self) -> int:
        return int(sum(r.dwell_s for r in self.routes))

    @property
    def prize(self) -> float:
        return float(sum(r.prize for r in self.routes))

    def stop_order(self) -> tuple[tuple[str, ...], ...]:
        """Task ids per unit in visiting order (compare plans for unpredictability)."""
        return tuple(tuple(s.task_id for s in r.stops) for r in self.routes)


def _relax_impossible(compiled: CompiledProblem) -> tuple[PatrolProblem, list[DroppedTask]]:
    """Make each required task that fails the pre-check optional, reporting it as dropped."""
    patrol = compiled.patrol
    dropped: list[DroppedTask] = []
    try:
        precheck(compiled.routing)
        return patrol, dropped
    except InfeasibleError as exc:
        bad_nodes = set(exc.nodes)
        reason = str(exc)
    tasks = []
    for node in range(compiled.first_task_node, compiled.routing.n_nodes):
        task = compiled.task_of(node)
        assert task is not None
        if node in bad_nodes and task.required:
            tasks.append(replace(task, required=False))
            dropped.append(
                DroppedTask(task.task_id, task.label, task.kind, True, f"impossible: {reason}")
            )
        else:
            tasks.append(task)
    return replace(patrol, tasks=tuple(tasks)), dropped


def _extract(
    compiled: CompiledProblem,
    solution: RoutingSolution,
    travel: TravelProvider,
    pre_dropped: list[DroppedTask],
    with_paths: bool,
) -> PatrolPlan:
    patrol = compiled.patrol
    routes: list[UnitRoute] = []
    intervals: list[PresenceInterval] = []
    path_cache: dict[tuple[Mode, tuple[float, float], tuple[float, float]], list[LineString]] = {}
    collected = 0.0
    for route in solution.routes:
        unit = patrol.units[route.vehicle]
        stops: list[PlannedStop] = []
        speed = travel.speed_kmh(unit.mode)
        for order, stop in enumerate(route.stops, start=1):
            task = compiled.task_of(stop.node)
            assert task is not None, "routes visit task nodes only"
            dwell = stop.departure_s - stop.arrival_s
            walk_s = traverse_s(task.line, speed) if task.line is not None else 0
            pause = [
                (b.start_s, b.start_s + b.duration_s)
                for b in route.breaks
                if b.after_stop == order - 1 and b.start_s < stop.departure_s + walk_s
            ]
            active = walk_segments(stop.departure_s, walk_s, pause)
            intervals.extend(stop_presence(unit.unit_id, task, stop, active))
            stops.append(
                PlannedStop(
                    order=order,
                    task_id=task.task_id,
                    kind=task.kind,
                    label=task.label,
                    x=task.x,
                    y=task.y,
                    cell_id=task.cell_id,
                    area_id=task.area_id,
                    arrival_s=stop.arrival_s,
                    departure_s=stop.departure_s,
                    dwell_s=dwell,
                    required=task.required,
                    prize=task.prize,
                    walk_s=walk_s,
                    end_s=active[-1][1] if active else stop.departure_s,
                )
            )
            collected += task.prize
        start_xy = patrol.stations[unit.start_station]
        end_xy = patrol.stations[unit.end_station]
        legs: list[LineString] = []
        line_m = 0.0
        if with_paths:
            previous = start_xy
            for stop in route.stops:
                task = compiled.task_of(stop.node)
                assert task is not None
                # Hour slots of one cell share a place: the same leg is often asked again.
                key = (unit.mode, previous, (task.x, task.y))
                if key not in path_cache:
                    path_cache[key] = travel.paths(
                        unit.mode,
                        np.array([previous[0], task.x]),
                        np.array([previous[1], task.y]),
                    )
                legs.extend(path_cache[key])
                if task.line is not None:
                    line_m += float(task.line.length)
                previous = task.end_xy
            legs.extend(
                travel.paths(
                    unit.mode,
                    np.array([previous[0], end_xy[0]]),
                    np.array([previous[1], end_xy[1]]),
                )
            )
        breaks = tuple(
            PlannedBreak(b.start_s, b.duration_s, b.after_stop + 1) for b in route.breaks
        )
        routes.append(
            UnitRoute(
                unit_id=unit.unit_id,
                mode=unit.mode,
                start_station=unit.start_station,
                end_station=unit.end_station,
                depart_s=route.depart_s,
                return_s=route.return_s,
                stops=tuple(stops),
                breaks=breaks,
                legs=tuple(legs),
                travel_s=route.travel_s,
                dwell_s=int(sum(s.dwell_s for s in stops)),
                distance_m=float(sum(leg.length for leg in legs)) + line_m,
                prize=float(sum(s.prize for s in stops)),
                walk_s=int(sum(s.walk_s for s in stops)),
            )
        )
    dropped = list(pre_dropped)
    already = {d.task_id for d in dropped}
    for node in solution.dropped:
        task = compiled.task_of(node)
        if task is None or task.task_id in already:
            continue
        if task.task_id.startswith(PRESENCE_SLOT_PREFIX) and not task.required:
            # An hour slot of presence left unused is a choice, not a duty left undone.
            continue
        dropped.append(
            DroppedTask(
                task.task_id, task.label, task.kind, task.required, _drop_reason(compiled, node)
            )
        )
    total = sum(t.prize for t in patrol.tasks) + sum(0.0 for _ in pre_dropped)
    notes = tuple(f"{mode}: {note}" for mode, note in compiled.travel_notes.items()) + patrol.notes
    presence: dict[str, float] = {}
    for interval in intervals:
        presence[interval.cell_id] = (
            presence.get(interval.cell_id, 0.0) + (interval.end_s - interval.start_s) / 60.0
        )
    return PatrolPlan(
        routes=tuple(routes),
        dropped=tuple(dropped),
        risk_share=collected / total if total > 0 else 0.0,
        presence_min_by_cell=dict(sorted(presence.items())),
        seed=solution.seed,
        notes=notes,
        presence=tuple(intervals),
        least_travel_s=least_travel(compiled),
        arrival_s=arrival_travel(compiled),
    )


def arrival_travel(compiled: CompiledProblem) -> dict[str, dict[str, float]]:
    """Per mode and cell with presence stays, the least travel into its stay point from any
    node not at that cell (:attr:`PatrolPlan.arrival_s`)."""
    routing = compiled.routing
    first = compiled.first_task_node
    stays: dict[str, list[int]] = {}
    free: set[str] = set()
    for k, task in enumerate(compiled.patrol.tasks):
        if task.task_id.startswith(PRESENCE_SLOT_PREFIX) and task.line is None:
            if task.cell_id is not None:
                stays.setdefault(task.cell_id, []).append(first + k)
        else:
            free.update(c for c, _ in task.cell_path)
            if task.cell_id is not None:
                free.add(task.cell_id)
    out: dict[str, dict[str, float]] = {}
    for profile, mode in enumerate(compiled.modes):
        matrix = routing.travel_s[profile]
        into: dict[str, float] = {}
        for cell, nodes in stays.items():
            if cell in free:
                into[cell] = 0.0
                continue
            column = matrix[:, nodes[0]].astype(float)
            column[nodes] = np.inf
            into[cell] = float(column.min()) if np.isfinite(column).any() else 0.0
        out[mode.value] = into
    return out


def least_travel(compiled: CompiledProblem) -> dict[str, int]:
    """Per unit, the least time out to any task it may do plus the least time back."""
    routing = compiled.routing
    out: dict[str, int] = {}
    first = compiled.first_task_node
    for v, veh in enumerate(routing.vehicles):
        nodes = [j for j in range(first, routing.n_nodes) if routing.vehicle_may_visit(v, j)]
        if not nodes:
            out[veh.name] = 0
            continue
        matrix = routing.travel(v)
        away = int(matrix[veh.start_node, nodes].min())
        # Leaving a walk's node includes the walk (presence, not travel): leave walks out.
        plain = [j for j in nodes if (t := compiled.task_of(j)) is not None and t.line is None]
        back = int(matrix[plain, veh.end_node].min()) if plain else 0
        out[veh.name] = away + back
    return out


def stop_presence(
    unit_id: str, task: Task, stop: Stop, walk: list[tuple[int, int]]
) -> list[PresenceInterval]:
    """Presence a stop gives: its dwell in its cell, and its walk spread over the cells the
    walk passes through (each cell for its share of the walking time, in order)."""
    out: list[PresenceInterval] = []
    if task.cell_id is not None and stop.departure_s > stop.arrival_s:
        out.append(
            PresenceInterval(
                task.cell_id, stop.arrival_s, stop.departure_s, unit_id, "stop", task.task_id
            )
        )
    path: tuple[tuple[str, float], ...] = task.cell_path
    if not path and task.cell_id is not None:
        path = ((task.cell_id, 1.0),)
    out.extend(walk_presence(walk, path, unit_id, task.task_id))
    return out


def _drop_reason(compiled: CompiledProblem, node: int) -> str:
    """Why an optional task was left out: nobody may serve it, nobody can reach it in time, or
    it was worth less than the tasks chosen in the hours available."""
    routing = compiled.routing
    allowed = routing.allowed_vehicles[node] if routing.allowed_vehicles is not None else None
    if allowed is not None and not allowed:
        return "no unit on duty has the mode or skills it needs"
    candidates = range(len(routing.vehicles)) if allowed is None else sorted(allowed)
    for v in candidates:
        veh = routing.vehicles[v]
        matrix = routing.travel(v)
        arrive = max(
            veh.shift_start_s + int(matrix[veh.start_node, node]), int(routing.window_open_s[node])
        )
        back = arrive + int(routing.service_s[node]) + int(matrix[node, veh.end_node])
        if arrive <= int(routing.window_close_s[node]) and back <= veh.shift_end_s:
            return "not enough time: lower value than the tasks planned in the hours available"
    return "no unit can reach it within its time window and be back by the end of its shift"


def _compile(
    problem: PatrolProblem, travel: TravelProvider, on_infeasible: str
) -> tuple[CompiledProblem, list[DroppedTask]]:
    """The compiled problem; with ``"drop"``, the impossible required tasks made optional and
    reported as dropped."""
    if on_infeasible not in ("raise", "drop"):
        raise PlanningError(f"on_infeasible must be 'raise' or 'drop', got {on_infeasible!r}")
    compiled = compile_with_gaps(problem, travel)
    if on_infeasible == "raise":
        return compiled, []
    relaxed, pre_dropped = _relax_impossible(compiled)
    if pre_dropped:
        compiled = compile_with_gaps(relaxed, travel)
    return compiled, pre_dropped


def compile_with_gaps(problem: PatrolProblem, travel: TravelProvider) -> CompiledProblem:
    """:func:`planner.problem.compile_problem`, with the recovery gaps of presence stays
    between every pair of a cell's stays, not only consecutive ones.

    A cell's stays under the recovery-gap rule are chained by ``min_gap_s``
    (:func:`planner.sources.presence_tasks`); the compiled chain ties each stay to the next
    offered one only, so with the one between them skipped, two stays could come closer than
    the gap. Each stay is tied here to every earlier stay of its cell it could follow too
    soon (its window opens before the earlier one's closes plus the gap).
    """
    compiled = compile_problem(problem, travel)
    first = compiled.first_task_node
    by_place: dict[str, list[tuple[int, int]]] = {}
    for k, task in enumerate(problem.tasks):
        if task.task_id.startswith(PRESENCE_SLOT_PREFIX) and task.min_gap_s > 0 and task.place_id:
            by_place.setdefault(task.place_id, []).append((task.repeat, first + k))
    have = {(g.node_a, g.node_b) for g in compiled.routing.min_gaps}
    extra: list[MinGap] = []
    for stays in by_place.values():
        stays.sort()
        for i, (_, b) in enumerate(stays):
            task_b = problem.tasks[b - first]
            for _, a in stays[:i]:
                task_a = problem.tasks[a - first]
                if (a, b) in have or task_a.window_close_s is None:
                    continue
                if task_b.window_open_s is None or (
                    task_b.window_open_s < task_a.window_close_s + task_b.min_gap_s
                ):
                    extra.append(MinGap(a, b, task_b.min_gap_s))
    if not extra:
        return compiled
    routing = replace(compiled.routing, min_gaps=(*compiled.routing.min_gaps, *extra))
    return replace(compiled, routing=routing)


def plan_patrols(
    problem: PatrolProblem,
    travel: TravelProvider,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    on_infeasible: Literal["raise", "drop"] = "raise",
    with_paths: bool = True,
    max_iterations: int | None = None,
    top_cells: Sequence[str] = (),
) -> PatrolPlan:
    """Plan the routes of one shift.

    Parameters
    ----------
    problem
        Tasks, units and stations.
    travel
        Travel model.
    time_limit_s
        Solver budget in seconds.
    seed
        Seed of the search; the same seed and ``max_iterations`` give the same plan.
    on_infeasible
        ``"raise"``: a required task no unit can do raises :class:`PlanningError` naming it.
        ``"drop"``: such tasks are reported as dropped with the reason, the rest is planned.
    with_paths
        Compute the street path of every leg (for maps and distances).
    max_iterations
        Bound on search iterations, for plans reproducible regardless of machine speed.
    top_cells
        The top hotspot cells (by the shift's risk): every clock hour of the shift gets a
        stay at one of them where feasible (:func:`planner.presence_hours.repair_top_hours`);
        an hour where none is feasible is stated in the plan's notes.

    Raises
    ------
    PlanningError
        For impossible demands (with ``on_infeasible="raise"``) or an invalid problem.
    """
    compiled, pre_dropped = _compile(problem, travel, on_infeasible)
    # large districts are solved by sub-areas (planner.routing.decompose); others unchanged
    solution = solve_large(
        compiled.routing, time_limit_s=time_limit_s, seed=seed, max_iterations=max_iterations
    )
    return _finish(compiled, solution, travel, pre_dropped, with_paths, problem, top_cells)


def _finish(
    compiled: CompiledProblem,
    solution: RoutingSolution,
    travel: TravelProvider,
    pre_dropped: list[DroppedTask],
    with_paths: bool,
    problem: PatrolProblem,
    top_cells: Sequence[str],
) -> PatrolPlan:
    """The verified plan of ``solution``, repaired for top-hotspot presence in every hour."""
    repair = repair_top_hours(compiled, solution, top_cells)
    plan = _extract(compiled, repair.solution, travel, pre_dropped, with_paths)
    if repair.notes:
        plan = replace(plan, notes=(*plan.notes, *repair.notes))
    return _checked(plan, problem, travel)


def _checked(plan: PatrolPlan, problem: PatrolProblem, travel: TravelProvider) -> PatrolPlan:
    """``plan`` once its duties and presence pass :func:`~planner.routing.verify_presence`."""
    tasks = {t.task_id: t for t in problem.tasks}
    mode_of = {u.unit_id: u.mode for u in problem.units}

    def walk_s(task: Task, route: UnitRoute) -> int:
        if task.line is None:
            return 0
        return traverse_s(task.line, travel.speed_kmh(mode_of[route.unit_id]))

    violations = verify_presence(plan.routes, tasks, plan.presence, walk_s)
    if violations:
        raise VerificationError(violations)
    return plan


def plan_variants(
    problem: PatrolProblem,
    travel: TravelProvider,
    n: int,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    tolerance: float = 0.03,
    on_infeasible: Literal["raise", "drop"] = "raise",
    with_paths: bool = True,
    max_iterations: int | None = None,
    top_cells: Sequence[str] = (),
) -> list[PatrolPlan]:
    """Up to ``n`` plans for successive days: different stop orders, each with an objective
    within ``tolerance`` (3 %) of the best found. The first is the best.

    ``on_infeasible``, ``max_iterations`` and ``top_cells`` work as in :func:`plan_patrols`;
    every plan reports the same tasks dropped as impossible.
    """
    compiled, pre_dropped = _compile(problem, travel, on_infeasible)
    solutions = solve_varied(
        compiled.routing,
        n,
        time_limit_s=time_limit_s,
        seed=seed,
        tolerance=tolerance,
        max_iterations=max_iterations,
    )
    return [
        _finish(compiled, s, travel, pre_dropped, with_paths, problem, top_cells) for s in solutions
    ]


def order_overlap(a: PatrolPlan, b: PatrolPlan) -> float:
    """Share of consecutive stop pairs (per unit) that two plans have in common, 0..1.

    1.0 means the same unit visits the same places in the same order; patrols that repeat
    their order are easy to predict and avoid.
    """
    pairs_a = {
        (r.unit_id, s1.task_id, s2.task_id)
        for r in a.routes
        for s1, s2 in zip(r.stops, r.stops[1:], strict=False)
    }
    pairs_b = {
        (r.unit_id, s1.task_id, s2.task_id)
        for r in b.routes
        for s1, s2 in zip(r.stops, r.stops[1:], strict=False)
    }
    if not pairs_a and not pairs_b:
        return 1.0
    return len(pairs_a & pairs_b) / max(len(pairs_a | pairs_b), 1)
