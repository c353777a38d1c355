"""Routes as GeoJSON (RFC 7946, EPSG:4326): a line per unit, a point per stop and station."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from maps.bundle import PlanBundle
from maps.coords import Projector
from maps.routegeom import route_geometry
from maps.sheets.times import local_datetime


def routes_geojson(bundle: PlanBundle, *, units: Sequence[str] | None = None) -> dict[str, Any]:
    """A FeatureCollection of the routes of ``units`` (default all).

    Features have ``feature_type`` ``route``, ``stop`` or ``station``; times are ISO 8601
    local times with their UTC offset.
    """
    proj = Projector(bundle.crs, precision=7)
    features: list[dict[str, Any]] = []
    stations = bundle.station_xy()
    names = bundle.station_names()

    def iso(seconds: int) -> str:
        return local_datetime(bundle.plan_date, seconds, bundle.timezone).isoformat()

    for route in bundle.routes(units):
        geometry = route_geometry(route, stations)
        if geometry.legs:
            coords = [[lon, lat] for lat, lon in proj.line(geometry.line)]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": {
                        "feature_type": "route",
                        "unit_id": route.unit_id,
                        "mode": str(route.mode),
                        "depart": iso(route.depart_s),
                        "return": iso(route.return_s),
                        "stops": len(route.stops),
                        "distance_m": round(route.distance_m, 1),
                        "travel_s": route.travel_s,
                        "dwell_s": route.dwell_s,
                        "straight_legs": sum(geometry.straight),
                    },
                }
            )
        for stop in route.stops:
            lat, lon = proj.point(stop.x, stop.y)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "feature_type": "stop",
                        "unit_id": route.unit_id,
                        "order": stop.order,
                        "task_id": stop.task_id,
                        "kind": str(stop.kind),
                        "label": stop.label,
                        "place": _place(bundle, stop.task_id),
                        "cell_id": stop.cell_id,
                        "arrive": iso(stop.arrival_s),
                        "leave": iso(stop.departure_s),
                        "dwell_s": stop.dwell_s,
                        "required": stop.required,
                    },
                }
            )
    for station_id, (x, y) in stations.items():
        lat, lon = proj.point(x, y)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "feature_type": "station",
                    "station_id": station_id,
                    "name": names.get(station_id, station_id),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _place(bundle: PlanBundle, task_id: str) -> dict[str, Any] | None:
    place = bundle.places.get(task_id)
    return None if place is None else place.as_dict()


def write_geojson(
    bundle: PlanBundle, path: str | Path, *, units: Sequence[str] | None = None
) -> Path:
    """Write :func:`routes_geojson` to ``path`` and return it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(routes_geojson(bundle, units=units), ensure_ascii=False), encoding="utf-8"
    )
    return out
