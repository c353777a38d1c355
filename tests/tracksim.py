"""Plans and tracks with known truth for the review tests (not product data).

:func:`grid_plan` builds a small plan by hand on a square grid (straight legs, stops at cell
centres, known times), so review tests need no street network or solver;
:func:`planner.review.simulate.simulate_tracks` (re-exported) turns any plan into GPS fixes with
noise, delays, skipped stops and gaps, and returns the truth.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, box

from planner.plan import PatrolPlan, PlannedStop, UnitRoute
from planner.review.simulate import SimulatedTracks, TrackSimOptions, simulate_tracks
from planner.tasks import Task, TaskKind
from planner.units import Mode, Unit

CRS = "EPSG:32610"
CELL_M = 250.0
ORIGIN = (525000.0, 5035000.0)
PLAN_DATE = date(2024, 3, 5)
TIMEZONE = "America/Los_Angeles"

__all__ = [
    "CELL_M",
    "CRS",
    "PLAN_DATE",
    "TIMEZONE",
    "SimulatedTracks",
    "TrackSimOptions",
    "grid_cells",
    "grid_plan",
    "simulate_tracks",
]


def grid_cells(n: int = 12) -> gpd.GeoDataFrame:
    """``n`` x ``n`` square cells of 250 m named ``r{row}c{col}``."""
    x0, y0 = ORIGIN
    ids, geoms = [], []
    for r in range(n):
        for c in range(n):
            ids.append(f"r{r:02d}c{c:02d}")
            geoms.append(
                box(x0 + c * CELL_M, y0 + r * CELL_M, x0 + (c + 1) * CELL_M, y0 + (r + 1) * CELL_M)
            )
    return gpd.GeoDataFrame({"cell_id": ids}, geometry=geoms, crs=CRS)


def centre(row: int, col: int) -> tuple[float, float]:
    return ORIGIN[0] + (col + 0.5) * CELL_M, ORIGIN[1] + (row + 0.5) * CELL_M


def grid_plan(
    *,
    units: int = 3,
    stops: int = 10,
    seed: int = 0,
    n: int = 12,
    start_s: int = 16 * 3600,
    dwell_s: int = 720,
    mode: Mode = Mode.CAR,
    speed_mps: float = 6.94,
) -> tuple[PatrolPlan, tuple[Task, ...], tuple[Unit, ...], dict[str, tuple[float, float]]]:
    """A plan of ``units`` units visiting ``stops`` distinct cell centres each (no two stops of a
    unit in neighbouring cells), with straight legs timed at ``speed_mps``.

    Returns the plan, its tasks, its units and the station coordinates.
    """
    rng = np.random.default_rng(seed)
    station = centre(n // 2, n // 2)
    routes, tasks, unit_list = [], [], []
    used: set[tuple[int, int]] = set()
    for u in range(units):
        unit_id = f"U{u + 1}"
        places: list[tuple[int, int]] = []
        while len(places) < stops:
            cell = (int(rng.integers(0, n)), int(rng.integers(0, n)))
            if cell in used or any(abs(cell[0] - p[0]) + abs(cell[1] - p[1]) < 2 for p in used):
                continue
            used.add(cell)
            places.append(cell)
        t = float(start_s)
        here = station
        plan_stops, legs = [], []
        for order, (r, c) in enumerate(places, start=1):
            xy = centre(r, c)
            leg = LineString([here, xy])
            t += leg.length / speed_mps
            arrive = int(round(t))
            task_id = f"hotspot:r{r:02d}c{c:02d}"
            tasks.append(
                Task(
                    task_id,
                    TaskKind.HOTSPOT,
                    f"Hotspot r{r}c{c}",
                    xy[0],
                    xy[1],
                    dwell_s=dwell_s,
                    prize=1.0,
                    cell_id=f"r{r:02d}c{c:02d}",
                )
            )
            plan_stops.append(
                PlannedStop(
                    order,
                    task_id,
                    TaskKind.HOTSPOT,
                    f"Hotspot r{r}c{c}",
                    xy[0],
                    xy[1],
                    f"r{r:02d}c{c:02d}",
                    None,
                    arrive,
                    arrive + dwell_s,
                    dwell_s,
                    False,
                    1.0,
                )
            )
            legs.append(leg)
            t = arrive + dwell_s
            here = xy
        back = LineString([here, station])
        legs.append(back)
        return_s = int(round(t + back.length / speed_mps))
        routes.append(
            UnitRoute(
                unit_id,
                mode,
                "base",
                "base",
                start_s,
                return_s,
                tuple(plan_stops),
                (),
                tuple(legs),
                0,
                dwell_s * stops,
                float(sum(g.length for g in legs)),
                0.0,
            )
        )
        unit_list.append(Unit(unit_id, mode, "base", "base", start_s, start_s + 8 * 3600))
    plan = PatrolPlan(tuple(routes), (), 1.0, {}, seed, ())
    return plan, tuple(tasks), tuple(unit_list), {"base": station}
