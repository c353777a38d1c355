"""Writing tables and layers to files at the edge of the system (EPSG:4326 for exchange)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry import Point

from geo.crs import WGS84, to_latlon
from planner.plan import PatrolPlan
from planner.problem import PatrolProblem


def write_grid_geojson(cells: gpd.GeoDataFrame, path: Path) -> Path:
    """Write grid cells as GeoJSON in EPSG:4326 (the GeoJSON standard's CRS) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells.to_crs(WGS84).to_file(path, driver="GeoJSON", COORDINATE_PRECISION=7)
    return path


def local_time(plan_date: date, timezone: str, seconds: int) -> pd.Timestamp:
    """The local wall-clock time ``seconds`` after local midnight of ``plan_date``."""
    midnight = pd.Timestamp(plan_date).tz_localize(timezone)
    return midnight + pd.Timedelta(seconds=int(seconds))


def plan_to_dict(plan: PatrolPlan, problem: PatrolProblem, crs: CRS) -> dict[str, Any]:
    """A plan as plain JSON-ready data (times as local ISO 8601, places as lat/lon)."""

    def when(seconds: int) -> str:
        return local_time(problem.plan_date, problem.timezone, seconds).isoformat()

    def latlon(x: float, y: float) -> list[float]:
        lat, lon = to_latlon(np.array([x]), np.array([y]), crs)
        return [round(float(lat[0]), 6), round(float(lon[0]), 6)]

    return {
        "plan_date": problem.plan_date.isoformat(),
        "timezone": problem.timezone,
        "seed": plan.seed,
        "totals": {
            "units": len(plan.routes),
            "stops": sum(len(r.stops) for r in plan.routes),
            "distance_km": round(plan.distance_m / 1000, 2),
            "travel_min": round(plan.travel_s / 60, 1),
            "dwell_min": round(plan.dwell_s / 60, 1),
            "risk_share": round(plan.risk_share, 4),
            "tasks_offered": len(problem.tasks),
            "tasks_dropped": len(plan.dropped),
        },
        "routes": [
            {
                "unit_id": r.unit_id,
                "mode": str(r.mode),
                "start_station": r.start_station,
                "end_station": r.end_station,
                "depart": when(r.depart_s),
                "return": when(r.return_s),
                "distance_km": round(r.distance_m / 1000, 2),
                "travel_min": round(r.travel_s / 60, 1),
                "dwell_min": round(r.dwell_s / 60, 1),
                "breaks": [
                    {
                        "start": when(b.start_s),
                        "minutes": b.duration_s // 60,
                        "after_stop": b.after_order,
                    }
                    for b in r.breaks
                ],
                "stops": [
                    {
                        "order": s.order,
                        "task_id": s.task_id,
                        "kind": str(s.kind),
                        "label": s.label,
                        "cell_id": s.cell_id,
                        "area_id": s.area_id,
                        "latlon": latlon(s.x, s.y),
                        "arrive": when(s.arrival_s),
                        "leave": when(s.departure_s),
                        "dwell_min": round(s.dwell_s / 60, 1),
                        "required": s.required,
                    }
                    for s in r.stops
                ],
            }
            for r in plan.routes
        ],
        "dropped": [
            {
                "task_id": d.task_id,
                "label": d.label,
                "kind": str(d.kind),
                "required": d.required,
                "reason": d.reason,
            }
            for d in plan.dropped
        ],
        "presence_min_by_cell": {k: round(v, 1) for k, v in plan.presence_min_by_cell.items()},
        "notes": list(plan.notes),
    }


def plan_features(plan: PatrolPlan, problem: PatrolProblem, crs: CRS) -> gpd.GeoDataFrame:
    """Routes (one line per leg) and stops (points) as one GeoDataFrame in EPSG:4326."""
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for r in plan.routes:
        for i, leg in enumerate(r.legs):
            rows.append(
                {"feature": "leg", "unit_id": r.unit_id, "mode": str(r.mode), "order": i + 1}
            )
            geoms.append(leg)
        for s in r.stops:
            rows.append(
                {
                    "feature": "stop",
                    "unit_id": r.unit_id,
                    "mode": str(r.mode),
                    "order": s.order,
                    "task_id": s.task_id,
                    "kind": str(s.kind),
                    "label": s.label,
                    "arrive": local_time(
                        problem.plan_date, problem.timezone, s.arrival_s
                    ).isoformat(),
                    "leave": local_time(
                        problem.plan_date, problem.timezone, s.departure_s
                    ).isoformat(),
                    "dwell_min": round(s.dwell_s / 60, 1),
                }
            )
            geoms.append(Point(s.x, s.y))
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)
    return frame.to_crs(WGS84)


def write_plan(
    plan: PatrolPlan, problem: PatrolProblem, crs: CRS, out: Path, stem: str = "plan"
) -> dict[str, Path]:
    """Write ``<stem>.json`` and ``<stem>.geojson`` into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / f"{stem}.json"
    json_path.write_text(
        json.dumps(plan_to_dict(plan, problem, crs), indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    geojson_path = out / f"{stem}.geojson"
    features = plan_features(plan, problem, crs)
    if len(features):
        features.to_file(geojson_path, driver="GeoJSON", COORDINATE_PRECISION=7)
    else:
        geojson_path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    return {"plan_json": json_path, "plan_geojson": geojson_path}
