"""Small routing problems built in code, and a brute-force optimum for tiny ones."""

from __future__ import annotations

import itertools

import numpy as np

from planner.routing import Break, MinGap, RoutingProblem, Vehicle


def line_problem(
    xs: list[float],
    prize: list[int],
    *,
    n_vehicles: int = 1,
    shift_s: int = 1000,
    service_s: int = 0,
    windows: list[tuple[int, int]] | None = None,
    required: tuple[int, ...] | list[int] = (),
    allowed: list[frozenset[int] | None] | None = None,
    breaks: tuple[Break, ...] = (),
    min_gaps: tuple[MinGap, ...] = (),
    seconds_per_unit: int = 60,
) -> RoutingProblem:
    """Node 0 is the depot at x = 0; nodes 1.. sit at ``xs`` on a line."""
    pos = np.array([0.0, *xs])
    travel = (np.abs(pos[:, None] - pos[None, :]) * seconds_per_unit).round().astype(np.int64)
    n = len(pos)
    win = [(0, shift_s)] + (windows or [(0, shift_s)] * (n - 1))
    req = np.zeros(n, dtype=bool)
    req[list(required)] = True
    return RoutingProblem(
        travel_s=(travel,),
        service_s=np.array([0] + [service_s] * (n - 1)),
        prize=np.array([0, *prize]),
        window_open_s=np.array([w[0] for w in win]),
        window_close_s=np.array([w[1] for w in win]),
        required=req,
        vehicles=tuple(
            Vehicle(start_node=0, end_node=0, shift_start_s=0, shift_end_s=shift_s, breaks=breaks)
            for _ in range(n_vehicles)
        ),
        allowed_vehicles=None if allowed is None else (None, *allowed),
        min_gaps=min_gaps,
    )


def _route_ok(p: RoutingProblem, v: int, nodes: tuple[int, ...]) -> bool:
    veh = p.vehicles[v]
    t = p.travel(v)
    now, prev = veh.shift_start_s, veh.start_node
    for j in nodes:
        if not p.vehicle_may_visit(v, j):
            return False
        now = max(int(p.window_open_s[j]), now + int(t[prev, j]))
        if now > p.window_close_s[j]:
            return False
        now += int(p.service_s[j])
        prev = j
    return now + int(t[prev, veh.end_node]) <= veh.shift_end_s


def brute_force_prize(p: RoutingProblem) -> int:
    """Optimal prize of a tiny problem without breaks or gaps, by enumeration."""
    customers = [j for j in range(p.n_nodes) if j not in p.depots]
    nv = len(p.vehicles)
    best = -1
    for assign in itertools.product(range(nv + 1), repeat=len(customers)):
        groups = [[c for c, a in zip(customers, assign, strict=True) if a == v] for v in range(nv)]
        dropped = [c for c, a in zip(customers, assign, strict=True) if a == nv]
        if any(p.required[c] for c in dropped):
            continue
        if all(
            any(_route_ok(p, v, perm) for perm in itertools.permutations(g))
            for v, g in enumerate(groups)
        ):
            best = max(best, sum(int(p.prize[c]) for g in groups for c in g))
    return best


class StepClock:
    """A fake clock that moves ``step_s`` forward on every read, recording the readings.

    Lets tests drive deadline handling without timing anything: the solver's work is
    measured in clock reads.
    """

    def __init__(self, step_s: float = 0.001) -> None:
        self.now = 0.0
        self.step_s = step_s
        self.readings: list[float] = []

    def __call__(self) -> float:
        self.now += self.step_s
        self.readings.append(self.now)
        return self.now


def patrol_like_problem(n_tasks: int = 60, n_vehicles: int = 3, seed: int = 0) -> RoutingProblem:
    """Random tasks on a 5 km square, 8-hour shifts with a 30-min meal break, repeat visits
    (pairs of copies 1 h apart) and a few required tasks: the Portland model in small."""
    rng = np.random.default_rng(seed)
    n = n_tasks + 1
    xy = rng.uniform(0, 5000, size=(n, 2))
    xy[0] = (2500, 2500)
    n_pairs = n_tasks // 10
    for k in range(n_pairs):  # copies share their place
        xy[1 + n_pairs + k] = xy[1 + k]
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    travel = np.ceil(dist / 8.0).astype(np.int64)
    shift = 8 * 3600
    required = np.zeros(n, dtype=bool)
    required[rng.choice(np.arange(1 + 2 * n_pairs, n), size=3, replace=False)] = True
    brk = Break(duration_s=1800, earliest_start_s=3 * 3600, latest_start_s=5 * 3600)
    return RoutingProblem(
        travel_s=(travel,),
        service_s=np.r_[0, np.full(n_tasks, 600)],
        prize=np.r_[0, rng.integers(1, 100, size=n_tasks)],
        window_open_s=np.zeros(n, dtype=np.int64),
        window_close_s=np.full(n, shift),
        required=required,
        vehicles=tuple(
            Vehicle(start_node=0, end_node=0, shift_end_s=shift, breaks=(brk,))
            for _ in range(n_vehicles)
        ),
        min_gaps=tuple(MinGap(1 + k, 1 + n_pairs + k, 3600) for k in range(n_pairs)),
    )
