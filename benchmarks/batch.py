"""A batch of every Portland sample police district on a Dask LocalCluster: 2 workers vs 1.

Each police district is planned as its own district (16-24, ``foot=2,car=1``, the iteration cap
``max_iterations`` and a time limit far above it, so plans repeat exactly however loaded the
machine is: the search's annealing schedule follows the larger of the iterations done and the
time used, so a time limit a starved worker reaches changes the plan), first on a one-worker
LocalCluster, then on a two-worker one; the network cache is filled beforehand in a temporary
folder the workers share, and the risk cache is emptied before each run (both runs validate
their risk). Jobs are handed out largest area first. The cluster start is timed apart from the
run; each job's CPU seconds are summed per worker, so a loaded machine (where the wall ratio
says little) still shows whether both workers were busy: CPU utilisation, and the CPU makespan
(the busiest worker's CPU seconds against all of the 1-worker run's). The plans of both runs
are compared with each other and, for the first districts, with the same job planned alone in
this process.
Target: 2 workers <= 0.6x the 1-worker wall time on this 2-core machine.
Run: ``python -m benchmarks.batch [--limit N] [--max-iterations N] [--time-limit S]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from api.batch import DistrictTask, plan_task, tasks_for_areas
from api.requests import PlanParameters
from geo import sample
from geo.network import load_networks
from planner.batch import (
    WorkerUsage,
    area_ids,
    area_sizes,
    dask_client,
    run_batch,
    worker_usage,
)


def _decided(task: DistrictTask) -> dict[str, Any] | None:
    path = Path(task.out) / "plan.json"
    if not path.is_file():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {key: doc[key] for key in ("routes", "tasks", "dropped", "totals")}


def _clear_risk_cache() -> None:
    """Each run validates its districts' risk itself (the first run must not fill the second's
    cache: both do the same work)."""
    from geo.hotspots.riskcache import default_risk_cache

    store = default_risk_cache()
    if store is not None:
        store.clear()


def run(
    limit: int | None, max_iterations: int, alone: int, time_limit_s: float = 600.0
) -> list[str]:
    """Measure and return the printed lines."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="gridpatrol-batch-") as tmp:
        os.environ["GRIDPATROL_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ.pop("GRIDPATROL_NO_CACHE", None)
        district = sample.load("portland-central")
        assert district.network_path is not None
        load_networks(district.network_path, crs=district.crs)  # the shared cache, warm
        ids = area_ids(district)[:limit]
        sizes = area_sizes(district)
        params = PlanParameters(
            band="16-24",
            unit_counts="foot=2,car=1",
            # far above what max_iterations takes: the iteration budget, not the wall clock,
            # ends the search, so a starved worker on a loaded machine plans the same
            time_limit_s=time_limit_s,
            max_iterations=max_iterations,
        )
        source = {"kind": "sample", "sample": "portland-central"}
        walls: dict[int, float] = {}
        starts: dict[int, float] = {}
        usage: dict[int, list[WorkerUsage]] = {}
        runs: dict[int, list[DistrictTask]] = {}
        failed: dict[int, int] = {}
        reasons: dict[str, str] = {}
        for workers in (1, 2):
            _clear_risk_cache()
            tasks = tasks_for_areas(source, ids, params, Path(tmp) / f"w{workers}")
            started = time.perf_counter()
            with dask_client(n_workers=workers) as client:
                client.wait_for_workers(workers)
                starts[workers] = time.perf_counter() - started
                began = time.perf_counter()
                outcomes = run_batch(
                    tasks,
                    plan_task,
                    job_id=lambda t: t.job_id,
                    client=client,
                    cost=lambda t: sizes.get(str(t.area_id), 0.0),
                )
                walls[workers] = time.perf_counter() - began
            usage[workers] = worker_usage(outcomes)
            runs[workers] = tasks
            failed[workers] = sum(o.status == "failed" for o in outcomes)
            reasons.update(
                (o.job_id, f"{o.error.get('type')}: {o.error.get('message')}")
                for o in outcomes
                if o.status == "failed" and o.error
            )
        same = sum(_decided(a) == _decided(b) for a, b in zip(runs[1], runs[2], strict=True))
        solo_same = 0
        for task in runs[1][:alone]:
            solo = DistrictTask(**{**task.as_dict(), "out": str(Path(tmp) / "alone" / task.job_id)})
            plan_task(solo)
            solo_same += _decided(solo) == _decided(task)
        ratio = walls[2] / walls[1]
        with_start = (walls[2] + starts[2]) / (walls[1] + starts[1])
        lines.append(
            f"{len(ids)} police districts ({failed[1]} failed), largest first: 2 workers "
            f"{walls[2]:.1f} s vs 1 worker {walls[1]:.1f} s wall: {ratio:.2f}x (starting the "
            f"cluster took {starts[2]:.1f} s vs {starts[1]:.1f} s; with it {with_start:.2f}x); "
            f"target <= 0.6x: {'met' if ratio <= 0.6 else 'NOT met'}"
        )
        one_cpu = sum(u.cpu_s for u in usage[1])
        two_cpu = sum(u.cpu_s for u in usage[2])
        makespan = max(u.cpu_s for u in usage[2]) / one_cpu if one_cpu > 0 else float("nan")
        for workers in (1, 2):
            per = "; ".join(
                f"{u.jobs} jobs, CPU {u.cpu_s:.1f} s of {u.busy_s:.1f} s busy "
                f"({u.cpu_s / u.busy_s:.0%} of a core), {u.busy_s / walls[workers]:.0%} of the run"
                for u in usage[workers]
                if u.busy_s > 0
            )
            cpu = sum(u.cpu_s for u in usage[workers])
            lines.append(
                f"  {workers} worker(s): CPU utilisation {cpu / (walls[workers] * workers):.0%} "
                f"of {workers} core(s) ({cpu:.1f} CPU s in {walls[workers]:.1f} s); per worker: "
                f"{per}"
            )
        lines.append(
            f"  CPU makespan (the busiest worker's CPU seconds vs all CPU seconds of 1 worker, "
            f"what free cores would give): {makespan:.2f}x; total CPU 2 workers {two_cpu:.1f} s "
            f"vs 1 worker {one_cpu:.1f} s ({two_cpu / one_cpu:.2f}x: each worker loads the "
            f"district and networks once); load average {os.getloadavg()[0]:.1f}"
        )
        lines.append(
            f"identical plans: {same}/{len(ids)} between 1 and 2 workers; {solo_same}/"
            f"{min(alone, len(ids))} against planning the district alone in this process "
            f"(max_iterations={max_iterations})"
        )
    for job_id, reason in sorted(reasons.items()):
        lines.append(f"  failed (reported in the summary, the others went on): {job_id}: {reason}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N districts.")
    parser.add_argument("--max-iterations", type=int, default=20)
    parser.add_argument("--alone", type=int, default=3, help="Districts re-planned alone.")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=600.0,
        help="Solver limit per district (s); far above what --max-iterations takes.",
    )
    args = parser.parse_args(argv)
    for line in run(args.limit, args.max_iterations, args.alone, args.time_limit):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
