"""Benchmark: what the service's review downloads cost, to set the bound of the direct (not
job) PDF/XLSX endpoints (:data:`api.service.reviews.DIRECT_MAX_FIXES`).

Run with ``python -m benchmarks.review_reports [--units 5]``. The plan and its simulated 1 Hz
tracks are those of :mod:`benchmarks.review` (an 8-hour shift). Timed, in CPU seconds of this
process (``time.process_time``, median of ``--repeat``): the review alone (the baseline, what
``GET /plans/{id}/review`` computes), the review with its report files in one language (what
the direct ``GET /plans/{id}/review.pdf`` computes) and in both (what a review job makes).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from benchmarks.review import CRS, PLAN_DATE, TIMEZONE, N, _centre, shift_bundle
from maps.review import write_plan_review
from maps.review.run import review_bundle
from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks


def cpu_median(func: Callable[[], Any], repeat: int) -> float:
    """Median CPU seconds of ``func`` over ``repeat`` runs after one warm-up."""
    func()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.review_reports", description=__doc__
    )
    parser.add_argument("--units", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bundle = shift_bundle(args.units)
    assert bundle.plan is not None
    sim = simulate_tracks(bundle.plan, {"base": _centre(N // 2, N // 2)}, TrackSimOptions(seed=1))
    timed = fixes_with_times(sim.fixes, PLAN_DATE, TIMEZONE)
    fixes = gpd.GeoDataFrame(
        {
            "unit_id": timed["unit_id"].to_numpy(),
            "time": timed["time"].to_numpy(),
            "source": "simulated",
            "source_row": np.arange(1, len(timed) + 1),
        },
        geometry=gpd.points_from_xy(timed["x"], timed["y"]),
        crs=CRS,
    ).to_crs("EPSG:4326")
    print(f"{len(fixes):,} fixes of {args.units} units at 1 Hz, 8-hour shift")

    def review() -> Any:
        return review_bundle(bundle, fixes)

    def files(langs: tuple[str, ...]) -> Callable[[], Any]:
        def make() -> Any:
            run = review_bundle(bundle, fixes)
            with tempfile.TemporaryDirectory() as tmp:
                return write_plan_review(run.review, bundle, run.fixes, Path(tmp), langs=langs)

        return make

    base = cpu_median(review, args.repeat)
    one = cpu_median(files(("zh-CN",)), args.repeat)
    both = cpu_median(files(("en", "zh-CN")), args.repeat)
    print(f"review alone (GET /plans/{{id}}/review): {base:.2f} s CPU (median, baseline)")
    print(
        f"review + PDF/XLSX/map in one language (direct download): {one:.2f} s ({one / base:.1f}x)"
    )
    print(f"review + files in both languages (a review job): {both:.2f} s ({both / base:.1f}x)")


if __name__ == "__main__":
    main()
