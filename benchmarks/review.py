"""Benchmark: review a shift's 1 Hz GPS tracks of 8 units (about 230,000 fixes) against its plan.

Run with ``python -m benchmarks.review``. The plan is made by hand on a 40 x 40 grid of 250 m
cells (8 car and foot units, 8-hour shift, stops at cell centres); the tracks are simulated
from it (:mod:`planner.review.simulate`: noise, delays, skipped stops, gaps, jumps and
duplicates). Timed: the whole review from the raw fixes as read (screening, wall clock,
stop matching, presence per cell and hour). Baseline in the same run: a geopandas ``sjoin`` of
the same fixes to the cells, the one step any review needs. Also checks the review against
the simulation's truth, so a fast wrong answer cannot pass.
"""

from __future__ import annotations

import argparse
from datetime import date

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, box

from benchmarks.common import median_seconds
from maps.bundle import PlanBundle
from maps.review.run import review_bundle
from planner.plan import PatrolPlan, PlannedStop, UnitRoute
from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks
from planner.tasks import Task, TaskKind
from planner.units import Mode, Unit

CRS = "EPSG:32610"
CELL_M = 250.0
N = 40
ORIGIN = (520000.0, 5030000.0)
PLAN_DATE = date(2024, 3, 5)
TIMEZONE = "America/Los_Angeles"
SHIFT_S = (16 * 3600, 24 * 3600)
SPEED = {Mode.CAR: 6.94, Mode.FOOT: 1.25}


def _centre(r: int, c: int) -> tuple[float, float]:
    return ORIGIN[0] + (c + 0.5) * CELL_M, ORIGIN[1] + (r + 0.5) * CELL_M


def shift_bundle(units: int = 8, seed: int = 0) -> PlanBundle:
    """An 8-hour plan of ``units`` units (half cars, half on foot) filling their shift."""
    rng = np.random.default_rng(seed)
    cells = gpd.GeoDataFrame(
        {"cell_id": [f"r{r:02d}c{c:02d}" for r in range(N) for c in range(N)]},
        geometry=[
            box(
                ORIGIN[0] + c * CELL_M,
                ORIGIN[1] + r * CELL_M,
                ORIGIN[0] + (c + 1) * CELL_M,
                ORIGIN[1] + (r + 1) * CELL_M,
            )
            for r in range(N)
            for c in range(N)
        ],
        crs=CRS,
    )
    station = _centre(N // 2, N // 2)
    routes, tasks, unit_list = [], [], []
    taken: set[tuple[int, int]] = set()
    for u in range(units):
        mode = Mode.CAR if u % 2 == 0 else Mode.FOOT
        reach = 18 if mode == Mode.CAR else 5
        unit_id = f"{'C' if mode == Mode.CAR else 'F'}{u // 2 + 1}"
        t, here = float(SHIFT_S[0]), station
        stops, legs = [], []
        while True:
            r = int(np.clip(N // 2 + rng.integers(-reach, reach + 1), 0, N - 1))
            c = int(np.clip(N // 2 + rng.integers(-reach, reach + 1), 0, N - 1))
            if (r, c) in taken:
                continue
            xy = _centre(r, c)
            leg = LineString([here, xy])
            arrive = t + leg.length / SPEED[mode]
            back = LineString([xy, station]).length / SPEED[mode]
            if arrive + 720 + back > SHIFT_S[1]:
                break
            taken.add((r, c))
            task_id = f"hotspot:r{r:02d}c{c:02d}"
            tasks.append(
                Task(task_id, TaskKind.HOTSPOT, task_id, *xy, dwell_s=720, cell_id=task_id[8:])
            )
            stops.append(
                PlannedStop(
                    len(stops) + 1,
                    task_id,
                    TaskKind.HOTSPOT,
                    task_id,
                    *xy,
                    task_id[8:],
                    None,
                    int(arrive),
                    int(arrive) + 720,
                    720,
                    False,
                    1.0,
                )
            )
            legs.append(leg)
            t, here = int(arrive) + 720.0, xy
        legs.append(LineString([here, station]))
        routes.append(
            UnitRoute(
                unit_id,
                mode,
                "base",
                "base",
                SHIFT_S[0],
                SHIFT_S[1],
                tuple(stops),
                (),
                tuple(legs),
                0,
                720 * len(stops),
                0.0,
                0.0,
            )
        )
        unit_list.append(Unit(unit_id, mode, "base", "base", *SHIFT_S))
    plan = PatrolPlan(tuple(routes), (), 1.0, {}, seed, ())
    return PlanBundle(
        crs=CRS,
        district="benchmark grid",
        plan_date=PLAN_DATE,
        timezone=TIMEZONE,
        cells=cells,
        plan=plan,
        tasks=tuple(tasks),
        units=tuple(unit_list),
        band="16-24",
        shift="16-24",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.review", description=__doc__)
    parser.add_argument("--units", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bundle = shift_bundle(args.units)
    assert bundle.plan is not None and bundle.cells is not None
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
    stops = sum(len(r.stops) for r in bundle.plan.routes)
    print(
        f"{len(fixes):,} fixes of {args.units} units at 1 Hz, {stops} planned stops, 8-hour shift"
    )

    result = {}

    def review() -> None:
        result["run"] = review_bundle(bundle, fixes)

    review_s = median_seconds(review, repeat=args.repeat, warmup=1)
    working = fixes.to_crs(CRS)

    def sjoin() -> None:
        gpd.sjoin(working, bundle.cells[["cell_id", "geometry"]], predicate="within")

    sjoin_s = median_seconds(sjoin, repeat=args.repeat, warmup=1)
    run = result["run"]
    merged = run.review.stops.merge(
        sim.truth, on=["unit_id", "order", "task_id"], suffixes=("", "_t")
    )
    agree = float((merged["visited"] == merged["visited_t"]).mean())
    print(
        f"review (screen + wall clock + match + presence): {review_s:.2f} s (median) vs "
        f"geopandas sjoin of the fixes to the cells alone {sjoin_s:.2f} s -> "
        f"{review_s / sjoin_s:.2f}x the baseline's time  [target: <= 10 s]"
    )
    print(
        f"  agreement with the simulation's truth: {agree:.1%} of {len(merged)} stops; "
        f"fixes kept out: {run.screened.counts()} "
        f"(simulated bad fixes: {int(sim.fixes['bad'].sum())})"
    )


if __name__ == "__main__":
    main()
