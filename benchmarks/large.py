"""A county-scale shift: 2,000 places and 40 cars on the Portland car network.

Places are 2,000 car-network intersections drawn with a fixed seed, prizes 1-10 (a fifth of
them with a two-hour window), 12-minute stops; 40 cars start and end at the sample's three
stations, an 8-hour shift. gridpatrol (:func:`planner.routing.decompose.solve_large`, by
sub-areas) is compared with VROOM (the bench extra, ``pyvroom``) and OR-Tools' routing solver
(guided local search from its own first solution) given the same wall time on the same
instance. Every plan is timed and checked by :func:`planner.routing.verify.verify`; the score
is the prize collected. Target: gridpatrol >= the better of the two.
Run: ``python -m benchmarks.large [--time-limit S] [--tasks N] [--units N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta

import numpy as np

from geo import sample
from geo.network import load_network, travel_time_matrix
from planner.routing import RoutingProblem, Vehicle, verify
from planner.routing.decompose import solve_large
from planner.routing.ortools_search import improve_with_ortools
from planner.routing.solver import build_solution

H = 3600


def portland_instance(n_tasks: int = 2000, n_units: int = 40, seed: int = 0) -> RoutingProblem:
    """The benchmark instance (see the module docstring)."""
    district = sample.load("portland-central")
    assert district.network_path is not None
    car = load_network(district.network_path, mode="car", crs=district.crs)
    rng = np.random.default_rng(seed)
    picked = rng.choice(car.n_nodes, size=min(n_tasks, car.n_nodes), replace=False)
    sx = district.stations.geometry.x.to_numpy()
    sy = district.stations.geometry.y.to_numpy()
    x = np.r_[sx, car.node_x_m[picked]]
    y = np.r_[sy, car.node_y_m[picked]]
    travel = np.rint(travel_time_matrix(car, x, y)).astype(np.int64)
    n_depots = len(sx)
    n = len(x)
    service = np.r_[np.zeros(n_depots), np.full(n - n_depots, 12 * 60)].astype(np.int64)
    prize = np.r_[np.zeros(n_depots), rng.integers(1, 11, n - n_depots)].astype(np.int64)
    opens = np.zeros(n, dtype=np.int64)
    closes = np.full(n, 8 * H, dtype=np.int64)
    windowed = n_depots + np.flatnonzero(rng.random(n - n_depots) < 0.2)
    opens[windowed] = rng.integers(0, 6, windowed.size) * H
    closes[windowed] = opens[windowed] + 2 * H
    vehicles = tuple(
        Vehicle(v % n_depots, v % n_depots, 0, 0, 8 * H, name=f"car-{v + 1}")
        for v in range(n_units)
    )
    return RoutingProblem(
        travel_s=(travel,),
        service_s=service,
        prize=prize,
        window_open_s=opens,
        window_close_s=closes,
        required=np.zeros(n, dtype=bool),
        vehicles=vehicles,
    )


def _checked_prize(problem: RoutingProblem, routes: list[list[int]], name: str) -> int | None:
    """The prize of ``routes`` once timed and verified; ``None`` when they are infeasible."""
    solution = build_solution(problem, routes, name, 0)
    if solution is None or verify(problem, solution):
        return None
    return solution.total_prize


def run_vroom(problem: RoutingProblem, time_limit_s: float) -> list[list[int]]:
    import vroom

    vi = vroom.Input()
    vi.set_durations_matrix(profile="car", matrix_input=problem.travel_s[0].astype("uint32"))
    for k, vehicle in enumerate(problem.vehicles):
        vi.add_vehicle(
            vroom.Vehicle(
                id=k + 1,
                start=vehicle.start_node,
                end=vehicle.end_node,
                time_window=vroom.TimeWindow(vehicle.shift_start_s, vehicle.shift_end_s),
            )
        )
    top = max(1, int(problem.prize.max()))
    vi.add_job(
        [
            vroom.Job(
                id=j,
                location=j,
                default_service=int(problem.service_s[j]),
                priority=max(1, round(100 * int(problem.prize[j]) / top)),
                time_windows=[
                    vroom.TimeWindow(int(problem.window_open_s[j]), int(problem.window_close_s[j]))
                ],
            )
            for j in range(problem.n_nodes)
            if j not in problem.depots
        ]
    )
    sol = vi.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit_s))
    routes: dict[int, list[int]] = {k + 1: [] for k in range(len(problem.vehicles))}
    for _, row in sol.routes.iterrows():
        if str(row["type"]) == "job":
            routes[int(row["vehicle_id"])].append(int(row["id"]))
    return [routes[k] for k in sorted(routes)]


def run(time_limit_s: float, n_tasks: int, n_units: int) -> list[str]:
    """Measure and return the printed lines."""
    t = time.perf_counter()
    problem = portland_instance(n_tasks, n_units)
    total = int(problem.prize.sum())
    lines = [
        f"instance: {problem.n_nodes - len(problem.depots)} places (prize {total}), "
        f"{len(problem.vehicles)} cars, 3 stations, 8 h shift; built in "
        f"{time.perf_counter() - t:.1f} s; budget {time_limit_s:g} s each"
    ]
    scores: dict[str, tuple[int | None, float]] = {}
    t = time.perf_counter()
    ours = solve_large(problem, time_limit_s=time_limit_s, seed=0)
    scores["gridpatrol (sub-areas)"] = (ours.total_prize, time.perf_counter() - t)
    t = time.perf_counter()
    try:
        vroom_routes = run_vroom(problem, time_limit_s)
        scores["VROOM"] = (
            _checked_prize(problem, vroom_routes, "VROOM"),
            time.perf_counter() - t,
        )
    except ImportError:
        scores["VROOM"] = (None, 0.0)
    t = time.perf_counter()
    found = improve_with_ortools(problem, None, time_limit_s=time_limit_s)
    ortools_prize = None if found.routes is None else _checked_prize(problem, found.routes, "OR")
    scores[f"OR-Tools ({found.status})"] = (ortools_prize, time.perf_counter() - t)
    for name, (prize, wall) in scores.items():
        shown = "no feasible plan" if prize is None else f"prize {prize} ({prize / total:.1%})"
        lines.append(f"{name}: {shown} in {wall:.1f} s")
    others = [p for name, (p, _) in scores.items() if not name.startswith("gridpatrol")]
    best_other = max((p for p in others if p is not None), default=0)
    ratio = ours.total_prize / best_other if best_other else float("inf")
    lines.append(
        f"gridpatrol / better of VROOM and OR-Tools: {ratio:.3f}; target >= 1: "
        f"{'met' if ratio >= 1 else 'NOT met'}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.large", description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--units", type=int, default=40)
    args = parser.parse_args(argv)
    for line in run(args.time_limit, args.tasks, args.units):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
