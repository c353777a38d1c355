"""Routing quality benchmark: gridpatrol's solver core and VROOM against best-known results.

Usage::

    python -m benchmarks.routing --kind top --instances DIR --bks CSV --time-limit 10 \
        [--limit N [--spread]] [--decimals 1] [--json FILE] [--skip-vroom]

Each instance is solved by :func:`planner.routing.solve` (the product's code, through
:func:`benchmarks.instances.to_problem`) with ``--time-limit`` seconds in total, and by VROOM
(``pyvroom``) on the same integer durations. Every returned route of both is re-checked in
floating point (:func:`benchmarks.instances.check_routes`); infeasible plans score 0 and are
flagged. ``--limit N`` keeps the first N instances sorted by name, or with ``--spread`` N
instances evenly spaced over that order (a cross-section of all sets and budgets).
Instances whose best-known score is 0 or unknown are listed but left out of the means.
The last printed line is the mean ratio to best-known of both solvers.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.instances import Instance, check_routes, load_instance, read_bks, to_problem
from planner.errors import PlanningError
from planner.routing import solve


@dataclass
class Result:
    """One solver's outcome on one instance."""

    instance: str
    score: float
    bks: float | None
    ratio: float | None
    feasible: bool
    time_s: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "instance": self.instance,
            "score": self.score,
            "bks": self.bks,
            "ratio": self.ratio,
            "feasible": self.feasible,
            "time_s": round(self.time_s, 3),
        }


def _ratio(score: float, bks: float | None) -> float | None:
    return None if not bks else score / bks


def run_gridpatrol(inst: Instance, time_limit_s: float, seed: int) -> tuple[list[list[int]], float]:
    """Solve with the planner core; returns stop orders and wall time (adapter included)."""
    t0 = time.perf_counter()
    problem = to_problem(inst)
    # The adapter's own cost comes out of the same budget.
    left = max(0.1, time_limit_s - (time.perf_counter() - t0) - 0.05)
    solution = solve(problem, time_limit_s=left, seed=seed)
    return [list(r.nodes) for r in solution.routes], time.perf_counter() - t0


def run_vroom(inst: Instance) -> tuple[list[list[int]], float]:
    """Solve with VROOM: jobs with priorities scaled to 0..100, vehicles bounded by Tmax."""
    import vroom

    t0 = time.perf_counter()
    problem = to_problem(inst)
    matrix = problem.travel_s[0]
    top = max(1, int(problem.prize.max()))
    vi = vroom.Input()
    vi.set_durations_matrix(profile="car", matrix_input=matrix.astype("uint32"))
    budget = problem.vehicles[0].shift_end_s
    for k in range(inst.n_vehicles):
        vi.add_vehicle(
            vroom.Vehicle(
                id=k + 1,
                start=inst.start,
                end=inst.end,
                time_window=vroom.TimeWindow(0, budget),
            )
        )
    jobs = []
    for j in range(inst.n):
        if j in (inst.start, inst.end) or problem.prize[j] <= 0:
            continue
        jobs.append(
            vroom.Job(
                id=j,
                location=j,
                default_service=int(problem.service_s[j]),
                priority=max(1, round(100 * int(problem.prize[j]) / top)),
                time_windows=[
                    vroom.TimeWindow(int(problem.window_open_s[j]), int(problem.window_close_s[j]))
                ],
            )
        )
    vi.add_job(jobs)
    sol = vi.solve(exploration_level=5, nb_threads=1)
    routes: dict[int, list[int]] = {k + 1: [] for k in range(inst.n_vehicles)}
    df = sol.routes
    for _, row in df.iterrows():
        if str(row["type"]) == "job":
            routes[int(row["vehicle_id"])].append(int(row["id"]))
    return [routes[k] for k in sorted(routes)], time.perf_counter() - t0


def score(inst: Instance, bks: float | None, routes: list[list[int]], secs: float) -> Result:
    """Check ``routes`` in floating point and score them (0 when infeasible)."""
    value, problems = check_routes(inst, routes)
    return Result(inst.name, value, bks, _ratio(value, bks), not problems, secs)


def mean_ratio(results: list[Result]) -> float | None:
    """Mean ratio over instances with a positive best-known score."""
    vals = [r.ratio for r in results if r.ratio is not None]
    return sum(vals) / len(vals) if vals else None


def pick(paths: list[Path], limit: int | None, spread: bool) -> list[Path]:
    """The first ``limit`` paths, or ``limit`` evenly spaced ones with ``spread``."""
    if limit is None or limit >= len(paths):
        return paths
    if not spread:
        return paths[:limit]
    step = len(paths) / limit
    return [paths[int(k * step)] for k in range(limit)]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.routing", description=__doc__)
    ap.add_argument("--kind", choices=("top", "optw"), required=True)
    ap.add_argument("--instances", type=Path, required=True)
    ap.add_argument("--bks", type=Path, required=True)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--spread", action="store_true", help="even spread instead of first N")
    ap.add_argument("--decimals", type=int, default=1, help="OPTW distance truncation")
    ap.add_argument("--vehicles", type=int, default=None, help="OPTW vehicles (default: CSV/1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--skip-vroom", action="store_true")
    args = ap.parse_args(argv)

    bks, vehicles = read_bks(args.bks)
    paths = pick(sorted(args.instances.glob("*.txt")), args.limit, args.spread)
    console = Console(width=140)
    table = Table(title=f"{args.kind.upper()} — {len(paths)} instances, {args.time_limit} s")
    for col in ("instance", "bks", "gridpatrol", "ratio", "feasible", "time s"):
        table.add_column(col, justify="right")
    for col in ("vroom", "ratio", "feasible", "time s"):
        table.add_column(col, justify="right")
    ours: list[Result] = []
    theirs: list[Result] = []
    for path in paths:
        name = path.name.removesuffix(".txt")
        inst = load_instance(path, args.kind, args.vehicles or vehicles.get(name, 1), args.decimals)
        b = bks.get(name)
        try:
            routes, secs = run_gridpatrol(inst, args.time_limit, args.seed)
            g = score(inst, b, routes, secs)
        except PlanningError as exc:
            # No plan at all (e.g. the end depot is out of reach): nothing to score.
            console.print(f"{name}: gridpatrol found no plan: {exc}", style="yellow")
            g = Result(name, 0.0, b, _ratio(0.0, b), False, 0.0)
        ours.append(g)
        if args.skip_vroom:
            w = Result(name, 0.0, b, None, False, 0.0)
        else:
            vr, vsecs = run_vroom(inst)
            w = score(inst, b, vr, vsecs)
            theirs.append(w)

        def fmt(r: Result) -> list[str]:
            ratio = "-" if r.ratio is None else f"{r.ratio:.4f}"
            return [f"{r.score:g}", ratio, "yes" if r.feasible else "NO", f"{r.time_s:.2f}"]

        table.add_row(name, "-" if b is None else f"{b:g}", *fmt(g), *fmt(w))
        console.print(
            f"{name}: gridpatrol {g.score:g} vroom {w.score:g} bks {b}", style="dim", soft_wrap=True
        )
    console.print(table)
    mg, mv = mean_ratio(ours), mean_ratio(theirs)
    if args.json is not None:
        payload = {
            "gridpatrol": {"mean_ratio": mg, "instances": [r.as_dict() for r in ours]},
            "vroom": {"mean_ratio": mv, "instances": [r.as_dict() for r in theirs]},
        }
        args.json.write_text(json.dumps(payload, indent=2))
    n_used = sum(1 for r in ours if r.ratio is not None)
    fg = "n/a" if mg is None else f"{mg:.4f}"
    fv = "n/a" if mv is None else f"{mv:.4f}"
    print(f"mean ratio to best-known: gridpatrol {fg}  vroom {fv}  (n={n_used})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
