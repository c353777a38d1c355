"""Planning the Portland sample's evening shift: time to a plan and its quality.

8 mixed units (3 cars, 3 on foot, 2 bicycles), the sample's hotspots (150 candidate cells, the
top 10 with three visits), the coverage floor over the police districts and the sample duties,
an 8-hour shift on street travel times. The timed part is everything from the task list to the
verified plan: travel-time matrices, the solver and plan extraction (loading the OSM file and
scoring risk are done once beforehand and reported separately). The baseline is the same
problem solved for 120 s. Run: ``python -m benchmarks.plan [--time-limit S] [--long S]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd

from geo import sample
from geo.analysis import AnalysisOptions, analyse
from geo.hotspots import resolve_band
from geo.io import read_duties
from geo.schema import STATION_ID
from planner.plan import plan_patrols
from planner.shift import PlanOptions, build_problem, default_units
from planner.travel import StreetTravel


def run(time_limit_s: float = 12.0, long_s: float = 120.0, repeat: int = 3) -> list[str]:
    """Measure and return the printed lines."""
    lines: list[str] = []
    started = time.perf_counter()
    district = sample.load("portland-central")
    analysis = analyse(district, AnalysisOptions())
    setup_s = time.perf_counter() - started
    shift = resolve_band("16-24")
    assert shift is not None
    units = default_units(sorted(district.stations[STATION_ID]), shift)
    outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
    duties = read_duties(sample.data_dir("portland-central") / "duties.csv", boundary=outline)
    problem, _, _ = build_problem(analysis, units, PlanOptions(shift=shift), duties)
    travel = StreetTravel(analysis.networks)
    lines.append(
        f"problem: {len(problem.units)} units ({', '.join(sorted({str(u.mode) for u in units}))}),"
        f" {len(problem.tasks)} tasks, shift {shift.name}; loading the sample, networks and "
        f"risk took {setup_s:.1f} s (not timed below)"
    )
    walls: list[float] = []
    prizes: list[float] = []
    for seed in range(repeat):
        t = time.perf_counter()
        plan = plan_patrols(
            problem, travel, time_limit_s=time_limit_s, seed=seed, on_infeasible="drop"
        )
        walls.append(time.perf_counter() - t)
        prizes.append(plan.prize)
    t = time.perf_counter()
    best = plan_patrols(problem, travel, time_limit_s=long_s, seed=0, on_infeasible="drop")
    long_wall = time.perf_counter() - t
    ratio = statistics.median(prizes) / best.prize if best.prize > 0 else float("nan")
    lines.append(
        f"plan with {time_limit_s:g} s solver limit: {statistics.median(walls):.1f} s wall "
        f"(median of {repeat}, matrices included) [target: <= 20 s]"
    )
    lines.append(
        f"objective: {statistics.median(prizes):.1f} (median) vs {long_s:g}-second run "
        f"{best.prize:.1f} ({long_wall:.0f} s wall) -> {ratio:.3f} of it [target: >= 0.98]"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=12.0)
    parser.add_argument("--long", type=float, default=120.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for line in run(args.time_limit, args.long, args.repeat):
        print(line)


if __name__ == "__main__":
    main()
