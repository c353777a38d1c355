"""Presence at the top hotspots in every clock hour of the shift: a repair after the search.

The presence objective values stays by risk and the recovery gap; it does not ask that every
hour sees a patrol at the district's worst places, and a plan can leave an hour (Toronto
16-24: 21:00) with none of the top five hotspots visited while their stays go to other hours
and cells. :func:`repair_top_hours` fixes that after the search, on the routing solution:

for each clock hour of the shift without a stop overlapping it at one of the ``top`` cells
(the top five hotspot cells by the shift's risk), it tries every unvisited candidate stay of
a top cell whose window overlaps that hour, inserted into any unit's route or replacing one
or two consecutive optional stops there, with or without dropping the same cell's stays
that would come within its recovery gap, cheapest loss of prize first; the first move that
the routing core's scheduler times (windows, breaks, every recovery gap across units) and
that keeps every hour already covered covered is taken. The repaired solution passes the
routing verifier (:func:`planner.routing.verify`) or the repair is not used. An hour no move
can cover is returned as a finding for the plan's notes, never silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planner.problem import CompiledProblem
from planner.routing import RoutingSolution
from planner.routing.schedule import Timer
from planner.routing.solver import build_solution
from planner.routing.verify import verify
from planner.sources import PRESENCE_SLOT_PREFIX

HOUR_S = 3600
#: Most moves tried (each timed over all routes) per hour lacking top presence.
MAX_TRIALS = 1500
#: Stops the whole repair may time (:attr:`planner.routing.schedule.Timer.stops_timed`) before
#: it gives up on the hours left, which are then stated. A count of work, not seconds, so the
#: same plan is repaired the same way on any machine and under any load (a CPU-time budget
#: left an hour uncovered on a busy CI machine that an idle one covered). Measured
#: (``benchmarks.presence``): Toronto 16-24 times about 19,000 stops (0.05 s), the 2,000-task,
#: 40-unit Portland instance about 50,000 (0.2 s); the whole budget is 5-9 s of one core here.
BUDGET_STOPS = 2_000_000


@dataclass(frozen=True)
class TopHoursRepair:
    """What :func:`repair_top_hours` did.

    Attributes
    ----------
    solution
        The routing solution, repaired (or the one given, when nothing was needed or possible).
    repaired
        Hour starts (seconds from the plan date's midnight) that a move gave top presence.
    uncovered
        Hour starts no feasible move could give top presence.
    prize_change
        Change of the routing objective (the prizes visited) the moves cost, <= 0 mostly.
    notes
        Findings for the plan's notes (one per hour left without top presence).
    """

    solution: RoutingSolution
    repaired: tuple[int, ...] = ()
    uncovered: tuple[int, ...] = ()
    prize_change: int = 0
    notes: tuple[str, ...] = ()


def shift_hours(compiled: CompiledProblem) -> list[int]:
    """Clock-hour starts overlapping any unit's shift (seconds from the plan date's midnight)."""
    units = compiled.patrol.units
    if not units:
        return []
    start = min(u.shift_start_s for u in units)
    end = max(u.shift_end_s for u in units)
    return list(range((start // HOUR_S) * HOUR_S, end, HOUR_S))


def _cells_of(compiled: CompiledProblem, node: int) -> set[str]:
    task = compiled.task_of(node)
    if task is None:
        return set()
    cells = {c for c, _ in task.cell_path}
    if task.cell_id is not None:
        cells.add(str(task.cell_id))
    return cells


def covered_hours(
    compiled: CompiledProblem,
    routes: Sequence[Sequence[tuple[int, int, int]]],
    top: set[str],
    hours: Sequence[int],
) -> dict[int, int]:
    """Per hour start, how many of the ``top`` cells have a stop overlapping that hour.

    ``routes`` are per vehicle ``(node, arrival_s, departure_s)``.
    """
    present: dict[int, set[str]] = {h: set() for h in hours}
    for stops in routes:
        for node, arrive, depart in stops:
            cells = _cells_of(compiled, node) & top
            if not cells:
                continue
            for h in hours:
                if arrive < h + HOUR_S and max(depart, arrive + 1) > h:
                    present[h] |= cells
    return {h: len(c) for h, c in present.items()}


def _timed(solution: RoutingSolution) -> list[list[tuple[int, int, int]]]:
    return [[(s.node, s.arrival_s, s.departure_s) for s in r.stops] for r in solution.routes]


def _clock(seconds: int) -> str:
    return f"{(seconds // HOUR_S) % 24:02d}:00"


def repair_top_hours(
    compiled: CompiledProblem,
    solution: RoutingSolution,
    top: Sequence[str],
    *,
    max_trials: int = MAX_TRIALS,
    budget_stops: int = BUDGET_STOPS,
) -> TopHoursRepair:
    """Give every clock hour of the shift presence at one of the ``top`` cells where feasible.

    See the module docstring for the moves. ``top`` empty, or a solution that already has
    top presence in every hour, is returned unchanged.
    """
    top_set = {str(c) for c in top}
    hours = shift_hours(compiled)
    if not top_set or not hours:
        return TopHoursRepair(solution)
    problem = compiled.routing
    first = compiled.first_task_node
    # candidate stays at the top cells, by node: the hours their window lets them overlap
    candidates: dict[int, list[int]] = {}
    for k, task in enumerate(compiled.patrol.tasks):
        if not task.task_id.startswith(PRESENCE_SLOT_PREFIX) or str(task.cell_id) not in top_set:
            continue
        node = first + k
        opens = int(problem.window_open_s[node])
        last_end = int(problem.window_close_s[node]) + int(problem.service_s[node])
        candidates[node] = [h for h in hours if opens < h + HOUR_S and last_end > h]
    required = {int(n) for n in np.nonzero(problem.required)[0]}
    current = solution
    repaired: list[int] = []
    uncovered: list[int] = []
    change = 0
    timer = Timer(problem)
    for hour in hours:
        counts = covered_hours(compiled, _timed(current), top_set, hours)
        if counts[hour] > 0:
            continue
        keep = {h for h, n in counts.items() if n > 0}
        moved = _best_move(
            compiled,
            current,
            hour,
            candidates,
            required,
            keep,
            top_set,
            hours,
            max_trials,
            timer,
            budget_stops,
        )
        if moved is None:
            uncovered.append(hour)
            continue
        change += moved.total_prize - current.total_prize
        current = moved
        repaired.append(hour)
    notes = tuple(
        f"Hour {_clock(h)} has no presence at the top {len(top_set)} hotspots: the repair "
        "found no unit that can be at one in this hour without leaving a required duty, a "
        "break or another hour's top-hotspot visit (their windows, the way there and the "
        "recovery gaps), within its search; more units or a longer --time-limit may cover it."
        for h in uncovered
    )
    return TopHoursRepair(current, tuple(repaired), tuple(uncovered), change, notes)


def _best_move(
    compiled: CompiledProblem,
    solution: RoutingSolution,
    hour: int,
    candidates: dict[int, list[int]],
    required: set[int],
    keep: set[int],
    top: set[str],
    hours: Sequence[int],
    max_trials: int,
    timer: Timer,
    budget_stops: int,
) -> RoutingSolution | None:
    """The cheapest feasible move giving ``hour`` top presence, keeping the hours in ``keep``."""
    problem = compiled.routing
    visited = {s.node for r in solution.routes for s in r.stops}
    wanted = [n for n, hs in candidates.items() if hour in hs and n not in visited]
    if not wanted:
        return None
    routes = [list(r.nodes) for r in solution.routes]
    # (cost, vehicle, position, width, node, same-cell stays removed to keep the recovery gap)
    moves: list[tuple[int, int, int, int, int, tuple[int, ...]]] = []
    allowed = problem.allowed_vehicles
    for node in wanted:
        gain = int(problem.prize[node])
        ok = allowed[node] if allowed is not None else None
        near = tuple(
            m
            for m in visited
            if m not in required
            and compiled.task_of(m) is not None
            and compiled.task_of(m).place_id == compiled.task_of(node).place_id  # type: ignore[union-attr]
            and abs(int(problem.window_open_s[m]) - int(problem.window_open_s[node]))
            < int(compiled.task_of(node).min_gap_s) + HOUR_S  # type: ignore[union-attr]
        )
        freed = sum(int(problem.prize[m]) for m in near)
        for v, nodes in enumerate(routes):
            if ok is not None and v not in ok:
                continue
            for i in range(len(nodes) + 1):
                for width in (0, 1, 2):
                    out = nodes[i : i + width]
                    if len(out) < width or any(n in required for n in out):
                        continue
                    lost = sum(int(problem.prize[n]) for n in out)
                    moves.append((lost - gain, v, i, width, node, ()))
                    if near and not set(out) & set(near):
                        moves.append((lost + freed - gain, v, i, width, node, near))
    moves.sort()
    for _, v, i, width, node, near in moves[:max_trials]:
        if timer.stops_timed > budget_stops:
            return None
        trial = [list(r) for r in routes]
        trial[v][i : i + width] = [node]
        if near:
            trial = [[n for n in r if n not in near] for r in trial]
        # the unit's own route first (cheap), then all routes with the gaps across units
        if timer.route(v, trial[v]) is None:
            continue
        states = timer.routes(trial)
        if states is None:
            continue
        times = [timer.times(s) for s in states]
        timed = [list(zip(t.nodes, t.arrival_s, t.departure_s, strict=True)) for t in times]
        counts = covered_hours(compiled, timed, top, hours)
        if counts[hour] == 0 or any(counts[h] == 0 for h in keep):
            continue
        repaired = build_solution(problem, trial, solution.status, solution.seed, times)
        if repaired is None or verify(problem, repaired):
            continue
        return repaired
    return None
