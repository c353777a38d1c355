"""A batch of every Portland sample police district on a Dask LocalCluster: 2 workers vs 1.

Each police district is planned as its own district (16-24, ``foot=2,car=1``, the iteration
cap ``max_iterations`` so plans repeat exactly), first on a one-worker LocalCluster, then on a
two-worker one; the network cache is filled beforehand in a temporary folder the workers
share. Wall times include starting the cluster. The plans of both runs are compared with
each other and, for the first districts, with the same job planned alone in this process.
Target: 2 workers <= 0.6x the 1-worker wall time on this 2-core machine.
Run: ``python -m benchmarks.batch [--limit N] [--max-iterations N]``.
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
from planner.batch import area_ids, run_batch


def _decided(task: DistrictTask) -> dict[str, Any] | None:
    path = Path(task.out) / "plan.json"
    if not path.is_file():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {key: doc[key] for key in ("routes", "tasks", "dropped", "totals")}


def run(limit: int | None, max_iterations: int, alone: int) -> list[str]:
    """Measure and return the printed lines."""
    lines = []
    with tempfile.TemporaryDirectory(prefix="gridpatrol-batch-") as tmp:
        os.environ["GRIDPATROL_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ.pop("GRIDPATROL_NO_CACHE", None)
        district = sample.load("portland-central")
        assert district.network_path is not None
        load_networks(district.network_path, crs=district.crs)  # the shared cache, warm
        ids = area_ids(district)[:limit]
        params = PlanParameters(
            band="16-24",
            unit_counts="foot=2,car=1",
            time_limit_s=60,
            max_iterations=max_iterations,
        )
        source = {"kind": "sample", "sample": "portland-central"}
        walls: dict[int, float] = {}
        runs: dict[int, list[DistrictTask]] = {}
        failed: dict[int, int] = {}
        for workers in (1, 2):
            tasks = tasks_for_areas(source, ids, params, Path(tmp) / f"w{workers}")
            started = time.perf_counter()
            outcomes = run_batch(tasks, plan_task, job_id=lambda t: t.job_id, n_workers=workers)
            walls[workers] = time.perf_counter() - started
            runs[workers] = tasks
            failed[workers] = sum(o.status == "failed" for o in outcomes)
        same = sum(_decided(a) == _decided(b) for a, b in zip(runs[1], runs[2], strict=True))
        solo_same = 0
        for task in runs[1][:alone]:
            solo = DistrictTask(**{**task.as_dict(), "out": str(Path(tmp) / "alone" / task.job_id)})
            plan_task(solo)
            solo_same += _decided(solo) == _decided(task)
        ratio = walls[2] / walls[1]
        lines.append(
            f"{len(ids)} police districts ({failed[1]} failed): 2 workers {walls[2]:.1f} s vs "
            f"1 worker {walls[1]:.1f} s: {ratio:.2f}x; target <= 0.6x: "
            f"{'met' if ratio <= 0.6 else 'NOT met'}"
        )
        lines.append(
            f"identical plans: {same}/{len(ids)} between 1 and 2 workers; {solo_same}/"
            f"{min(alone, len(ids))} against planning the district alone in this process "
            f"(max_iterations={max_iterations})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="Only the first N districts.")
    parser.add_argument("--max-iterations", type=int, default=20)
    parser.add_argument("--alone", type=int, default=3, help="Districts re-planned alone.")
    args = parser.parse_args(argv)
    for line in run(args.limit, args.max_iterations, args.alone):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
