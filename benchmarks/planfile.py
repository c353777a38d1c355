"""Drawing a plan from its file against planning it again (what map and sheets did before).

Plans the Portland sample's evening shift once (8 mixed units, the sample duties), writes its
``plan.json``, then times, over ``--repeat`` runs each: reading the file and writing the route
sheets (``gridpatrol sheets --plan``), against loading the district, planning the shift again
with the same options and writing the same sheets (what ``map``/``sheets`` did before there
was a plan file). Also prints the file's size and its write and read times.
Run: ``python -m benchmarks.planfile [--time-limit S] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd

from geo import sample
from geo.io import read_duties
from maps.exports import plan_documents, write_plan_files, write_sheets
from maps.planfile import read_plan_bundle
from planner.shift import PlanOptions, ShiftPlan, plan_shift, shift_band

FORMATS = ("pdf", "xlsx", "csv", "gpx", "geojson")


def _plan(time_limit_s: float) -> ShiftPlan:
    district = sample.load("portland-central")
    outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
    duties = read_duties(
        sample.data_dir("portland-central") / "duties.csv",
        timezone=district.timezone,
        boundary=outline,
    )
    options = PlanOptions(
        shift=shift_band("16-24"), time_limit_s=time_limit_s, on_infeasible="drop"
    )
    return plan_shift(district, options, duties=duties)


def run(time_limit_s: float = 10.0, repeat: int = 3) -> list[str]:
    """Measure and return the printed lines."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gridpatrol-bench-") as tmp:
        out = Path(tmp)
        shift = _plan(time_limit_s)
        t = time.perf_counter()
        docs = plan_documents(shift, source={"kind": "sample", "sample": "portland-central"})
        files = write_plan_files(docs, out)
        write_s = time.perf_counter() - t
        size_mb = files["plan.json"].stat().st_size / 1e6
        t = time.perf_counter()
        read_plan_bundle(files["plan.json"])
        read_s = time.perf_counter() - t
        lines.append(
            f"plan.json: {size_mb:.2f} MB ({sum(len(r.stops) for r in shift.plan.routes)} stops, "
            f"{len(shift.analysis.grid.cells)} cells, {len(shift.analysis.district.incidents)} "
            f"incidents); written in {write_s:.2f} s, read and checked in {read_s:.2f} s"
        )
        from_file: list[float] = []
        again: list[float] = []
        for k in range(repeat):
            t = time.perf_counter()
            write_sheets(read_plan_bundle(files["plan.json"]), out / f"f{k}", formats=FORMATS)
            from_file.append(time.perf_counter() - t)
            t = time.perf_counter()
            replanned = _plan(time_limit_s)
            bundle = read_plan_bundle(
                write_plan_files(plan_documents(replanned), out / f"p{k}")["plan.json"]
            )
            write_sheets(bundle, out / f"a{k}", formats=FORMATS)
            again.append(time.perf_counter() - t)
        ratio = statistics.median(again) / statistics.median(from_file)
        lines.append(
            f"route sheets (all formats) from plan.json: {statistics.median(from_file):.1f} s "
            f"(median of {repeat}) vs planning again ({time_limit_s:g} s solver limit): "
            f"{statistics.median(again):.1f} s -> {ratio:.1f}x faster, and the same plan"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for line in run(args.time_limit, args.repeat):
        print(line)


if __name__ == "__main__":
    main()
