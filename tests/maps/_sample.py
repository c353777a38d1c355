"""A real plan on the Toronto sample for the maps tests (about 5 s), built like the pipeline.

Tasks: the top hotspots of the 16-24 band (snapped by the planner), one school-gate window,
one fixed post held for a window and one patrol line; a foot unit with a meal break and a car.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from shapely.geometry import LineString

from geo import sample
from geo.assign import assign_incidents
from geo.grid import build_grid
from geo.hotspots import compute_risk, hotspot_table
from geo.hotspots.columns import RANK
from geo.network import load_networks
from geo.schema import CELL_ID
from maps.bundle import PlanBundle
from planner.plan import plan_patrols
from planner.problem import PatrolProblem
from planner.tasks import Task, TaskKind
from planner.travel import StreetTravel
from planner.units import Break, Mode, Unit

BAND = "16-24"
PLAN_DATE = date(2024, 3, 5)


def sample_bundle(time_limit_s: float = 2.0) -> PlanBundle:
    district = sample.load("toronto-uoft")
    grid = build_grid(district.boundary, kind="square", cell_size_m=250, crs=district.crs)
    incidents = district.incidents.copy()
    incidents[CELL_ID] = assign_incidents(grid, incidents)
    risk = compute_risk(incidents, grid.cells, neighbours=400.0)
    hotspots = hotspot_table(risk, incidents, grid.cells, band=BAND, top=12)
    stations = {r.station_id: (r.geometry.x, r.geometry.y) for r in district.stations.itertuples()}
    tasks: list[Task] = []
    for row in hotspots.itertuples():
        tasks.append(
            Task(
                f"h{int(getattr(row, RANK))}-{row.cell_id}",
                TaskKind.HOTSPOT,
                f"Hotspot {int(getattr(row, RANK))} ({row.cell_id})",
                float(row.rep_x),
                float(row.rep_y),
                dwell_s=720,
                prize=float(row.score),
                cell_id=str(row.cell_id),
            )
        )
    cx, cy = np.asarray(district.boundary.centroid.coords[0])
    tasks.append(
        Task(
            "school-gate",
            TaskKind.HOTSPOT,
            "School gate (dismissal)",
            float(cx),
            float(cy),
            dwell_s=900,
            prize=5.0,
            window_open_s=15 * 3600 + 1800,
            window_close_s=17 * 3600,
        )
    )
    sx, sy = stations["bay-street"]
    tasks.append(
        Task(
            "post-1",
            TaskKind.POST,
            "Checkpoint Bay/College",
            float(sx) + 60.0,
            float(sy),
            dwell_s=1800,
            prize=4.0,
            window_open_s=18 * 3600,
            window_close_s=21 * 3600,
        )
    )
    tasks.append(
        Task(
            "line-1",
            TaskKind.LINE,
            "Line: central block",
            float(cx) - 150.0,
            float(cy),
            prize=3.0,
            line=LineString([(cx - 150.0, cy), (cx + 150.0, cy)]),
        )
    )
    units = (
        Unit(
            "F1",
            Mode.FOOT,
            "queens-park",
            "queens-park",
            16 * 3600,
            24 * 3600,
            breaks=(Break(19 * 3600, 20 * 3600, 1800),),
        ),
        Unit("C1", Mode.CAR, "bay-street", "bay-street", 16 * 3600, 24 * 3600, crew=2),
    )
    problem = PatrolProblem(
        tuple(tasks), units, stations, plan_date=PLAN_DATE, timezone=district.timezone
    )
    networks = load_networks(district.network_path, crs=district.crs)
    plan = plan_patrols(
        problem, StreetTravel(networks), time_limit_s=time_limit_s, seed=0, on_infeasible="drop"
    )
    return PlanBundle(
        crs=district.crs,
        district=district.name,
        plan_date=PLAN_DATE,
        timezone=district.timezone,
        cells=grid.cells,
        risk=risk.frame,
        hotspots=hotspots,
        incidents=district.incidents,
        stations=district.stations,
        plan=plan,
        tasks=tuple(tasks),
        units=units,
        band=BAND,
        notes=district.notes,
    )
