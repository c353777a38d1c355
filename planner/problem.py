"""A patrol problem (tasks, units, stations) and its translation into a routing problem.

:func:`compile_problem` lays out the routing nodes (one per station, one per task), computes a
travel-time matrix per mode present among the units, and builds the generic
:class:`planner.routing.RoutingProblem`. A line task (线) is entered at its start and left at
its far end: the time to walk or drive it is added to every arc leaving it, so the routing core
needs no notion of lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from geo.network.modes import Mode
from planner.errors import PlanningError
from planner.routing import Break as RoutingBreak
from planner.routing import MinGap, RoutingProblem, Vehicle
from planner.tasks import Task
from planner.travel import TravelProvider, traverse_s
from planner.units import Unit

#: Routing prizes are integers; the largest task prize is scaled to this value.
PRIZE_SCALE = 100_000

#: Travel time standing for "this mode cannot get there" (far longer than any shift).
UNREACHABLE_S = 10_000_000


@dataclass(frozen=True)
class PatrolProblem:
    """Everything one shift's plan needs, in the working CRS and seconds from local midnight.

    Attributes
    ----------
    tasks
        Candidate and required tasks.
    units
        Units on duty.
    stations
        ``{station_id: (x, y)}`` of the patrol bases units start and end at.
    plan_date
        The local date the seconds count from.
    timezone
        IANA zone of that local time.
    notes
        Facts to pass on to the plan (e.g. how risk was computed).
    """

    tasks: tuple[Task, ...]
    units: tuple[Unit, ...]
    stations: Mapping[str, tuple[float, float]]
    plan_date: date = field(default_factory=date.today)
    timezone: str = "UTC"
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.units:
            problems.append("units: at least one unit must be on duty (got none)")
        seen: set[str] = set()
        for task in self.tasks:
            if task.task_id in seen:
                problems.append(f"tasks: task id {task.task_id!r} is used twice")
            seen.add(task.task_id)
        unit_ids: set[str] = set()
        for unit in self.units:
            if unit.unit_id in unit_ids:
                problems.append(f"units: unit id {unit.unit_id!r} is used twice")
            unit_ids.add(unit.unit_id)
            for end in (unit.start_station, unit.end_station):
                if end not in self.stations:
                    known = ", ".join(sorted(self.stations)) or "none"
                    problems.append(
                        f"units: unit {unit.unit_id!r} names station {end!r}, which is not "
                        f"among the stations ({known})"
                    )
        if problems:
            raise PlanningError("invalid patrol problem: " + "; ".join(problems))


@dataclass(frozen=True)
class CompiledProblem:
    """A :class:`PatrolProblem` laid out as routing nodes.

    Attributes
    ----------
    patrol
        The source problem.
    routing
        The generic routing problem handed to the solver.
    station_ids
        Station of node ``i`` for ``i < len(station_ids)``; tasks follow in order.
    modes
        The mode of each travel profile (``routing.travel_s[p]``).
    travel_notes
        How each mode's times were computed (street network or straight-line estimate).
    """

    patrol: PatrolProblem
    routing: RoutingProblem
    station_ids: tuple[str, ...]
    modes: tuple[Mode, ...]
    travel_notes: Mapping[Mode, str]

    @property
    def first_task_node(self) -> int:
        return len(self.station_ids)

    def task_of(self, node: int) -> Task | None:
        """The task at routing node ``node`` (``None`` for a station)."""
        k = node - self.first_task_node
        return self.patrol.tasks[k] if k >= 0 else None

    def node_of_task(self, task_id: str) -> int:
        for k, task in enumerate(self.patrol.tasks):
            if task.task_id == task_id:
                return self.first_task_node + k
        raise KeyError(task_id)


def _scaled_prizes(tasks: Sequence[Task]) -> np.ndarray:
    values = np.array([t.prize for t in tasks], dtype=float)
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return np.zeros(len(values), dtype=np.int64)
    prizes = np.rint(values / top * PRIZE_SCALE).astype(np.int64)
    # A positive prize must stay positive after rounding, or the task would look worthless.
    prizes[(values > 0) & (prizes == 0)] = 1
    return prizes


def compile_problem(problem: PatrolProblem, travel: TravelProvider) -> CompiledProblem:
    """Lay ``problem`` out as routing nodes and compute its travel matrices.

    Parameters
    ----------
    problem
        The patrol problem.
    travel
        Travel model (street networks per mode, or straight-line estimates).

    Returns
    -------
    CompiledProblem
    """
    station_ids = tuple(sorted(problem.stations))
    tasks = problem.tasks
    n_st, n = len(station_ids), len(station_ids) + len(tasks)

    # Entry and exit points: a task is entered at (x, y) and left at its end (far end of a line).
    entry = np.array(
        [problem.stations[s] for s in station_ids] + [(t.x, t.y) for t in tasks], dtype=float
    ).reshape(n, 2)
    exit_ = np.array(
        [problem.stations[s] for s in station_ids] + [t.end_xy for t in tasks], dtype=float
    ).reshape(n, 2)
    points = np.vstack([entry, exit_])
    modes = tuple(m for m in Mode if any(u.mode is m for u in problem.units))

    matrices: list[np.ndarray] = []
    notes: dict[Mode, str] = {}
    out_of_reach: dict[Mode, np.ndarray] = {}
    # Many tasks share a place (the hour slots of one cell): route between distinct points only.
    unique_pts, inverse = np.unique(points, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    for mode in modes:
        reach = travel.reachable(mode, unique_pts[:, 0], unique_pts[:, 1])[inverse]
        node_ok = reach[:n] & reach[n:]
        lost = [s for i, s in enumerate(station_ids) if not node_ok[i]]
        users = sorted(
            {
                u.unit_id
                for u in problem.units
                if u.mode is mode and (u.start_station in lost or u.end_station in lost)
            }
        )
        if users:
            raise PlanningError(
                f"stations {lost} are out of reach of the {mode} network, but units "
                f"{users} start or end there; move the station or change their mode"
            )
        usable = np.concatenate([node_ok, node_ok])
        used_unique = np.unique(inverse[usable])
        times = travel.matrix(mode, unique_pts[used_unique, 0], unique_pts[used_unique, 1])
        position = np.full(len(unique_pts), -1, dtype=np.int64)
        position[used_unique] = np.arange(len(used_unique))
        rows = position[inverse[usable]]
        full = np.full((2 * n, 2 * n), UNREACHABLE_S, dtype=np.int64)
        full[np.ix_(usable, usable)] = np.asarray(times.travel_time_s)[np.ix_(rows, rows)]
        exit_to_entry = full[n:, :n]
        speed = travel.speed_kmh(mode)
        traverse = np.array(
            [traverse_s(t.line, speed) if t.line is not None else 0 for t in tasks],
            dtype=np.int64,
        )
        matrix = exit_to_entry.copy()
        matrix[n_st:, :] = np.minimum(matrix[n_st:, :] + traverse[:, None], UNREACHABLE_S)
        np.fill_diagonal(matrix, 0)
        matrices.append(matrix)
        notes[mode] = times.note
        out_of_reach[mode] = ~node_ok

    # Untimed tasks may be visited at any time of any shift: bound them by the shifts.
    window_open = np.full(n, min(u.shift_start_s for u in problem.units), dtype=np.int64)
    window_close = np.full(n, max(u.shift_end_s for u in problem.units), dtype=np.int64)
    service = np.zeros(n, dtype=np.int64)
    required = np.zeros(n, dtype=bool)
    prize = np.zeros(n, dtype=np.int64)
    prize[n_st:] = _scaled_prizes(tasks)
    for k, task in enumerate(tasks):
        node = n_st + k
        service[node] = task.dwell_s
        required[node] = task.required
        if task.window_open_s is not None and task.window_close_s is not None:
            window_open[node] = task.window_open_s
            window_close[node] = task.window_close_s

    profile_of = {mode: p for p, mode in enumerate(modes)}
    vehicles = tuple(
        Vehicle(
            start_node=station_ids.index(u.start_station),
            end_node=station_ids.index(u.end_station),
            profile=profile_of[u.mode],
            shift_start_s=u.shift_start_s,
            shift_end_s=u.shift_end_s,
            breaks=tuple(RoutingBreak(b.duration_s, b.earliest_s, b.latest_s) for b in u.breaks),
            name=u.unit_id,
        )
        for u in problem.units
    )
    allowed: list[frozenset[int] | None] = [None] * n
    for k, task in enumerate(tasks):
        node = n_st + k
        restricted = task.modes is not None or task.skills
        if restricted or any(out_of_reach[m][node] for m in modes):
            allowed[node] = frozenset(
                v
                for v, u in enumerate(problem.units)
                if task.served_by(u.mode, u.skills) and not out_of_reach[u.mode][node]
            )
    min_gaps = _repeat_gaps(tasks, n_st)
    routing = RoutingProblem(
        travel_s=tuple(matrices),
        service_s=service,
        prize=prize,
        window_open_s=window_open,
        window_close_s=window_close,
        required=required,
        vehicles=vehicles,
        allowed_vehicles=tuple(allowed),
        min_gaps=min_gaps,
        names=tuple(f"station {s}" for s in station_ids) + tuple(t.task_id for t in tasks),
    )
    return CompiledProblem(problem, routing, station_ids, modes, notes)


def _repeat_gaps(tasks: Sequence[Task], offset: int) -> tuple[MinGap, ...]:
    """Spacing between consecutive repeat visits of one place (by ``place_id``, ``repeat``)."""
    by_place: dict[str, list[tuple[int, int, int]]] = {}
    for k, task in enumerate(tasks):
        if task.place_id is not None:
            by_place.setdefault(task.place_id, []).append((task.repeat, offset + k, task.min_gap_s))
    gaps: list[MinGap] = []
    for visits in by_place.values():
        visits.sort()
        for (_, a, _), (_, b, gap_s) in itertools.pairwise(visits):
            if gap_s > 0:
                gaps.append(MinGap(a, b, gap_s))
    return tuple(gaps)
