"""The plan file (``plan.json``): a planned shift as a durable, versioned document.

A plan document holds everything needed to draw and print a plan again without planning it:
the district reference, the options and seed, the band planned on, the units and tasks, every
route with its stops (place, cell, kind, window, arrive/leave as wall-clock seconds and as ISO
8601 with the UTC offset), street paths, breaks, dropped tasks with reasons, notes, and the
district layers the map draws (cells, risk per band, hotspots, stations, incidents).

:func:`plan_document` writes one from a :class:`planner.shift.ShiftPlan`; :func:`read_plan`
checks one (format, version, JSON Schema) and :func:`bundle_from_document` turns it into the
:class:`~maps.bundle.PlanBundle` that maps and sheets draw. The schema is
``docs/plan.schema.json`` (also shipped as ``maps/assets/plan.schema.json``).

Coordinates: points are ``lat``/``lon`` in EPSG:4326; lines and polygons are GeoJSON
geometries (longitude first). ``crs`` names the working (metric) CRS the layers are drawn in.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import LineString, mapping, shape

from geo.crs import WGS84
from geo.hotspots.columns import PEAK_HOURS
from geo.naming import Place, PlaceNamer, namer_for_networks
from geo.network.modes import Mode
from geo.schema import OCCURRED_AT
from maps.bundle import PlanBundle
from maps.errors import MapInputError
from planner.clock import wall_clock_iso
from planner.plan import DroppedTask, PatrolPlan, PlannedBreak, PlannedStop, UnitRoute
from planner.presence_report import PresenceReport
from planner.shift import ShiftPlan
from planner.tasks import Task, TaskKind
from planner.units import Break, Unit

#: The ``format`` field of every plan file.
PLAN_FORMAT = "gridpatrol-plan"
#: The schema version this gridpatrol writes and reads.
PLAN_SCHEMA_VERSION = 1
#: Decimals of longitude and latitude (7: about 1 cm).
COORD_DECIMALS = 7


class PlanFileError(MapInputError):
    """A plan file that cannot be read: not a plan, another schema version, or invalid."""


# ---------------------------------------------------------------------------- JSON helpers
def _plain(value: Any) -> Any:
    """``value`` as JSON data: NaN and NaT as null, numpy scalars as Python, tuples as lists,
    timestamps as ISO 8601."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [_plain(v) for v in items]
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | date):
        return value.isoformat()
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return str(value)


def _round_geometry(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))


def _latlon(proj: _Projector, x: float, y: float) -> dict[str, float]:
    lon, lat = proj.to_wgs84(x, y)
    return {"lat": lat, "lon": lon}


class _Projector:
    """Working CRS <-> EPSG:4326 for single points and geometries."""

    def __init__(self, crs: CRS) -> None:
        from pyproj import Transformer

        self.crs = crs
        self._fwd = Transformer.from_crs(crs, WGS84, always_xy=True)
        self._back = Transformer.from_crs(WGS84, crs, always_xy=True)

    def to_wgs84(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self._fwd.transform(x, y)
        return round(float(lon), COORD_DECIMALS), round(float(lat), COORD_DECIMALS)

    def from_wgs84(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self._back.transform(lon, lat)
        return float(x), float(y)

    def geometry_to_wgs84(self, geom: Any) -> dict[str, Any]:
        moved = shapely.transform(
            geom, lambda xy: np.column_stack(self._fwd.transform(xy[:, 0], xy[:, 1]))
        )
        return dict(mapping(_round_geometry(moved)))

    def geometry_from_wgs84(self, data: Mapping[str, Any]) -> Any:
        return shapely.transform(
            shape(dict(data)),
            lambda xy: np.column_stack(self._back.transform(xy[:, 0], xy[:, 1])),
        )


def _features(frame: gpd.GeoDataFrame | None) -> dict[str, Any] | None:
    """A GeoDataFrame as a GeoJSON FeatureCollection in EPSG:4326 (properties JSON-safe)."""
    if frame is None:
        return None
    out = frame.to_crs(WGS84)
    columns = [c for c in out.columns if c != out.geometry.name]
    features = []
    for geom, values in zip(
        out.geometry, out[columns].itertuples(index=False, name=None), strict=True
    ):
        features.append(
            {
                "type": "Feature",
                "geometry": None if geom is None else dict(mapping(_round_geometry(geom))),
                "properties": {c: _plain(v) for c, v in zip(columns, values, strict=True)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _frame_from_features(data: Mapping[str, Any] | None, crs: CRS) -> gpd.GeoDataFrame | None:
    if data is None:
        return None
    features = data.get("features") or []
    if not features:
        return gpd.GeoDataFrame(geometry=[], crs=WGS84).to_crs(crs)
    rows = [dict(f.get("properties") or {}) for f in features]
    geoms = [None if f.get("geometry") is None else shape(f["geometry"]) for f in features]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)
    return frame.to_crs(crs)


def _table(frame: pd.DataFrame | None) -> dict[str, list[Any]] | None:
    """A plain table as columns of values."""
    if frame is None:
        return None
    return {str(c): [_plain(v) for v in frame[c].tolist()] for c in frame.columns}


def _frame_from_table(data: Mapping[str, Sequence[Any]] | None) -> pd.DataFrame | None:
    if data is None:
        return None
    return pd.DataFrame({k: list(v) for k, v in data.items()})


# ---------------------------------------------------------------------------- writing
def _times(plan_date: date, timezone: str, **seconds: int | None) -> dict[str, Any]:
    """``{name_s: seconds, name: ISO}`` for each named wall-clock second count."""
    out: dict[str, Any] = {}
    for name, value in seconds.items():
        out[f"{name}_s"] = None if value is None else int(value)
        out[name] = None if value is None else wall_clock_iso(plan_date, value, timezone)
    return out


def _unit_entry(unit: Unit, plan_date: date, timezone: str) -> dict[str, Any]:
    return {
        "unit_id": unit.unit_id,
        "mode": unit.mode.value,
        "start_station": unit.start_station,
        "end_station": unit.end_station,
        **_times(plan_date, timezone, shift_start=unit.shift_start_s, shift_end=unit.shift_end_s),
        "breaks": [
            {
                **_times(plan_date, timezone, earliest=b.earliest_s, latest=b.latest_s),
                "duration_s": b.duration_s,
            }
            for b in unit.breaks
        ],
        "skills": sorted(unit.skills),
        "crew": unit.crew,
    }


def _task_entry(task: Task, proj: _Projector, plan_date: date, timezone: str) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "kind": task.kind.value,
        "label": task.label,
        **_latlon(proj, task.x, task.y),
        "dwell_s": task.dwell_s,
        "prize": _plain(task.prize),
        "required": task.required,
        **_times(
            plan_date,
            timezone,
            window_open=task.window_open_s,
            window_close=task.window_close_s,
        ),
        "modes": None if task.modes is None else sorted(m.value for m in task.modes),
        "skills": sorted(task.skills),
        "line": None if task.line is None else proj.geometry_to_wgs84(task.line),
        "cell_id": task.cell_id,
        "area_id": task.area_id,
        "place_id": task.place_id,
        "repeat": task.repeat,
        "min_gap_s": task.min_gap_s,
    }


def _route_entry(
    route: UnitRoute, proj: _Projector, plan_date: date, timezone: str
) -> dict[str, Any]:
    return {
        "unit_id": route.unit_id,
        "mode": route.mode.value,
        "start_station": route.start_station,
        "end_station": route.end_station,
        **_times(plan_date, timezone, depart=route.depart_s, **{"return": route.return_s}),
        "travel_s": route.travel_s,
        "dwell_s": route.dwell_s,
        "distance_m": round(route.distance_m, 2),
        "prize": _plain(route.prize),
        "breaks": [
            {
                **_times(plan_date, timezone, start=b.start_s, end=b.start_s + b.duration_s),
                "duration_s": b.duration_s,
                "after_stop": b.after_order,
            }
            for b in route.breaks
        ],
        "stops": [
            {
                "order": s.order,
                "task_id": s.task_id,
                "kind": s.kind.value,
                "label": s.label,
                **_latlon(proj, s.x, s.y),
                "cell_id": s.cell_id,
                "area_id": s.area_id,
                **_times(plan_date, timezone, arrive=s.arrival_s, leave=s.departure_s),
                "dwell_s": s.dwell_s,
                "walk_s": s.walk_s,
                "duration_s": s.duration_s,
                **_times(plan_date, timezone, end=s.end_s),
                "required": s.required,
                "prize": _plain(s.prize),
            }
            for s in route.stops
        ],
        "legs": [proj.geometry_to_wgs84(leg)["coordinates"] for leg in route.legs],
    }


def _incidents_table(incidents: gpd.GeoDataFrame, proj: _Projector) -> dict[str, list[Any]]:
    """Incidents as columns: place, local time, whether the time is known, category, weight
    and cell (no ids or other fields: the file holds places, times and categories only)."""
    pts = incidents.to_crs(WGS84)
    table: dict[str, list[Any]] = {
        "lat": [round(float(v), 6) for v in pts.geometry.y],
        "lon": [round(float(v), 6) for v in pts.geometry.x],
        OCCURRED_AT: [_plain(v) for v in pts[OCCURRED_AT]],
    }
    for column in ("time_known", "category", "weight", "cell_id"):
        if column in pts.columns:
            table[column] = [_plain(v) for v in pts[column]]
    return table


def plan_document(
    shift_plan: ShiftPlan,
    index: int = 0,
    *,
    source: Mapping[str, Any] | None = None,
    request: Mapping[str, Any] | None = None,
    layers: bool = True,
    namer: PlaceNamer | None = None,
) -> dict[str, Any]:
    """The plan file of plan ``index`` of ``shift_plan`` (0: the first day).

    Parameters
    ----------
    shift_plan
        The planned shift (:func:`planner.shift.plan_shift`).
    index
        Which plan of a ``vary`` run; plan ``k`` is for the ``k``-th day after the first.
    source
        Where the district came from, e.g. ``{"kind": "sample", "sample": "toronto-uoft"}``,
        ``{"kind": "files", "incidents": "...", ...}`` or ``{"kind": "service", "area_id": 1,
        "dataset_id": 3}``.
    request
        The options as the user gave them (command-line options or the API request).
    layers
        Include the district layers the map draws (cells, risk, hotspots, incidents).
    namer
        Names stops by street, crossing and nearby place (each stop's ``place``, each route's
        ``streets``); by default built from the district's networks and OSM file
        (:func:`geo.naming.namer_for_networks`). Without networks stops get no ``place``.
    """
    if not 0 <= index < len(shift_plan.plans):
        raise ValueError(f"index: expected 0..{len(shift_plan.plans) - 1}, got {index}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        generator_version = version("gridpatrol")
    except PackageNotFoundError:  # running from a source tree that is not installed
        generator_version = "unknown"
    analysis = shift_plan.analysis
    district = analysis.district
    plan = shift_plan.plans[index]
    problem = shift_plan.problem
    plan_date = shift_plan.plan_date_of(index)
    tz = problem.timezone
    proj = _Projector(CRS(district.crs))
    opts = shift_plan.options
    start_s = opts.shift.start_min * 60
    end_s = start_s + int(round(opts.shift.duration_h * 3600))
    doc: dict[str, Any] = {
        "format": PLAN_FORMAT,
        "schema_version": PLAN_SCHEMA_VERSION,
        "generator": {"name": "gridpatrol", "version": generator_version},
        "district": {
            "name": district.name,
            "timezone": tz,
            "crs": CRS(district.crs).to_string(),
            "source": _plain(dict(source or {"kind": "unknown"})),
        },
        "request": _plain(dict(request or {})),
        "options": {
            "shift": opts.shift.name,
            "cell_size_m": opts.analysis.cell_size_m,
            "grid": opts.analysis.grid_kind,
            "bands": [b.name for b in analysis.options.bands],
            "top": opts.hotspots.top,
            "dwell_min": opts.hotspots.dwell_min,
            "coverage_level": opts.coverage_level,
            "time_limit_s": opts.time_limit_s,
            "seed": opts.seed,
            "max_iterations": opts.max_iterations,
            "vary": opts.vary,
            "on_infeasible": opts.on_infeasible,
        },
        "plan_date": plan_date.isoformat(),
        "day": index + 1,
        "days": len(shift_plan.plans),
        "shift": {
            "band": opts.shift.name,
            **_times(plan_date, tz, start=start_s, end=end_s),
        },
        "risk_band": shift_plan.risk_band,
        "seed": plan.seed,
        "totals": {
            "units": len(plan.routes),
            "units_with_stops": sum(1 for r in plan.routes if r.stops),
            "stops": sum(len(r.stops) for r in plan.routes),
            "distance_km": round(plan.distance_m / 1000, 3),
            "travel_min": round(plan.travel_s / 60, 1),
            "dwell_min": round(plan.dwell_s / 60, 1),
            "risk_share": round(plan.risk_share, 6),
            "tasks_offered": len(problem.tasks),
            "tasks_dropped": len(plan.dropped),
        },
        "units": [_unit_entry(u, plan_date, tz) for u in problem.units],
        "stations": _features(district.stations),
        "tasks": [_task_entry(t, proj, plan_date, tz) for t in problem.tasks],
        "routes": [_route_entry(r, proj, plan_date, tz) for r in plan.routes],
        "dropped": [
            {
                "task_id": d.task_id,
                "label": d.label,
                "kind": d.kind.value,
                "required": d.required,
                "reason": d.reason,
            }
            for d in plan.dropped
        ],
        "presence_min_by_cell": {k: round(v, 3) for k, v in plan.presence_min_by_cell.items()},
        "notes": list(dict.fromkeys((*shift_plan.notes, *plan.notes))),
        "layers": None,
    }
    if index < len(shift_plan.reports):
        doc.update(presence_entries(shift_plan.reports[index]))
    if namer is None:
        namer = namer_for_networks(analysis.networks, district.network_path)
    if namer is not None:
        _add_places(doc["routes"], plan, namer, proj)
    if layers:
        doc["layers"] = {
            "cells": _features(analysis.grid.cells),
            "risk": _table(analysis.risk.frame),
            "hotspots": _features(_hotspots_plain(shift_plan.hotspots)),
            "incidents": _incidents_table(analysis.located_incidents(), proj),
        }
    # Exactly what a reader of the file gets back (tuples become lists, and so on).
    plain: dict[str, Any] = json.loads(json.dumps(doc, allow_nan=False))
    return plain


def presence_entries(report: PresenceReport) -> dict[str, Any]:
    """The plan file's ``presence`` summary (with the minutes per cell and hour) and ``bound``
    (the plan's value against an upper bound on any plan's)."""
    table = report.table
    return {
        "presence": {
            **_plain(dict(report.summary)),
            "table": {
                "cell_id": [str(c) for c in table["cell_id"]],
                "hour_start_s": [int(h) for h in table["hour_start_s"]],
                "minutes": [round(float(m), 2) for m in table["minutes"]],
                "visits": [int(v) for v in table["visits"]],
                "risk": [round(float(r), 6) for r in table["risk"]],
            },
        },
        "bound": {
            "value": round(report.value, 6),
            "bound": round(report.bound, 6),
            "ratio": round(report.ratio, 6),
            "method": "the least of provable upper bounds on any plan's presence value: by "
            "clock hour and by blocks of the recovery time, travel between places ignored "
            "(exact greedy over the concave pieces within the units' minutes out), and for "
            "districts of up to 160 cells with risk an LP that counts the least travel into "
            "every stay (docs/presence.md)",
        },
    }


def _add_places(
    routes: list[dict[str, Any]], plan: PatrolPlan, namer: PlaceNamer, proj: _Projector
) -> None:
    """Name every stop (``place``: street, crossing, nearby place; a post or line keeps the
    name its user gave) and list the named streets of each route (``streets``), in place."""
    stops = [s for r in plan.routes for s in r.stops]
    places = namer.name_points([s.x for s in stops], [s.y for s in stops])
    named = iter(places)
    for entry, route in zip(routes, plan.routes, strict=True):
        for stop_entry, stop in zip(entry["stops"], route.stops, strict=True):
            place = next(named)
            if stop.kind in (TaskKind.POST, TaskKind.LINE):
                place = place.with_name(stop.label)
            stop_entry["place"] = place.as_dict()
        streets: dict[str, list[Any]] = {}
        for leg in route.legs:
            for name, piece in namer.street_runs(leg):
                coords = proj.geometry_to_wgs84(piece.simplify(1.0))["coordinates"]
                streets.setdefault(name, []).append(coords)
        entry["streets"] = [{"name": k, "lines": v} for k, v in streets.items()]


def stop_places(doc: Mapping[str, Any]) -> dict[str, Place]:
    """``{task_id: Place}`` of the named stops of a plan document (see :func:`plan_document`)."""
    return {
        str(s["task_id"]): Place.from_dict(s["place"])
        for r in doc.get("routes", [])
        for s in r.get("stops", [])
        if s.get("place") is not None
    }


def route_streets(doc: Mapping[str, Any]) -> dict[str, tuple[tuple[str, LineString], ...]]:
    """``{unit_id: ((street name, line in the working CRS), ...)}`` of a plan document."""
    proj = _Projector(CRS(doc["district"]["crs"]))
    out: dict[str, tuple[tuple[str, LineString], ...]] = {}
    for r in doc.get("routes", []):
        pieces = []
        for street in r.get("streets") or []:
            for coords in street["lines"]:
                line = proj.geometry_from_wgs84({"type": "LineString", "coordinates": coords})
                pieces.append((str(street["name"]), LineString(line)))
        out[str(r["unit_id"])] = tuple(pieces)
    return out


def _hotspots_plain(hotspots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = hotspots.copy()
    if PEAK_HOURS in frame.columns:
        frame[PEAK_HOURS] = frame[PEAK_HOURS].map(
            lambda v: None if v is None else [int(h) for h in v]
        )
    return frame


def write_plan_json(doc: Mapping[str, Any], path: Path) -> Path:
    """Write a plan document as UTF-8 JSON and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- reading
@cache
def plan_schema() -> dict[str, Any]:
    """The JSON Schema of plan files (``docs/plan.schema.json``)."""
    text = resources.files("maps").joinpath("assets/plan.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _inline_refs(node: Any, defs: Mapping[str, Any], depth: int = 0) -> Any:
    """``node`` with every plain ``{"$ref": "#/$defs/x"}`` replaced by the definition itself.

    Resolving a reference costs jsonschema a registry lookup for every array item it checks
    (a plan has tens of thousands of coordinates); the plan schema is not recursive, so the
    references can be resolved once. A reference nested deeper than 20 definitions is kept.
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if len(node) == 1 and isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 20:
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs, depth + 1)
        return {k: _inline_refs(v, defs, depth) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs, depth) for v in node]
    return node


@cache
def _validator() -> Any:
    """The plan schema's validator, its references resolved once (see :func:`_inline_refs`)."""
    import jsonschema

    schema = plan_schema()
    return jsonschema.Draft202012Validator(_inline_refs(schema, schema.get("$defs", {})))


def check_document(doc: Any, source: str = "plan") -> dict[str, Any]:
    """Check a plan document: its format, its schema version, then the JSON Schema.

    Raises
    ------
    PlanFileError
        Naming ``source`` and what is wrong: not a plan file, written by another schema
        version (with what to do), or the first fields that break the schema.
    """
    if not isinstance(doc, dict) or doc.get("format") != PLAN_FORMAT:
        raise PlanFileError(
            f"{source}: not a gridpatrol plan file (expected a JSON object with "
            f'"format": "{PLAN_FORMAT}"); give the plan.json written by `gridpatrol plan`'
        )
    got = doc.get("schema_version")
    if got != PLAN_SCHEMA_VERSION:
        raise PlanFileError(
            f"{source}: plan file schema version {got!r}; this gridpatrol reads version "
            f"{PLAN_SCHEMA_VERSION}. Plan the shift again with this version "
            "(`gridpatrol plan ... --out DIR`) to get a file it can draw"
        )
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:200]}"
            for e in errors[:5]
        )
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        raise PlanFileError(f"{source}: not a valid plan file: {shown}{more}")
    return doc


def read_plan(path: str | Path) -> dict[str, Any]:
    """Read and check a plan file.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    PlanFileError
        When it is not JSON, not a plan file, of another schema version or invalid.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlanFileError(f"{file}: not a UTF-8 text file; expected a plan.json") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{file}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "expected the plan.json written by `gridpatrol plan`"
        ) from None
    return check_document(doc, str(file))


def _unit_from(entry: Mapping[str, Any]) -> Unit:
    return Unit(
        unit_id=str(entry["unit_id"]),
        mode=Mode(entry["mode"]),
        start_station=str(entry["start_station"]),
        end_station=str(entry["end_station"]),
        shift_start_s=int(entry["shift_start_s"]),
        shift_end_s=int(entry["shift_end_s"]),
        breaks=tuple(
            Break(int(b["earliest_s"]), int(b["latest_s"]), int(b["duration_s"]))
            for b in entry.get("breaks", [])
        ),
        skills=frozenset(entry.get("skills", [])),
        crew=int(entry.get("crew", 1)),
    )


def _task_from(entry: Mapping[str, Any], proj: _Projector) -> Task:
    x, y = proj.from_wgs84(float(entry["lon"]), float(entry["lat"]))
    line = entry.get("line")
    modes = entry.get("modes")
    return Task(
        task_id=str(entry["task_id"]),
        kind=TaskKind(entry["kind"]),
        label=str(entry["label"]),
        x=x,
        y=y,
        dwell_s=int(entry.get("dwell_s", 0)),
        prize=float(entry.get("prize") or 0.0),
        required=bool(entry.get("required", False)),
        window_open_s=entry.get("window_open_s"),
        window_close_s=entry.get("window_close_s"),
        modes=None if modes is None else frozenset(Mode(m) for m in modes),
        skills=frozenset(entry.get("skills", [])),
        line=None if line is None else LineString(proj.geometry_from_wgs84(line)),
        cell_id=entry.get("cell_id"),
        area_id=entry.get("area_id"),
        place_id=entry.get("place_id"),
        repeat=int(entry.get("repeat", 0)),
        min_gap_s=int(entry.get("min_gap_s", 0)),
    )


def _route_from(entry: Mapping[str, Any], proj: _Projector) -> UnitRoute:
    stops = []
    for s in entry.get("stops", []):
        x, y = proj.from_wgs84(float(s["lon"]), float(s["lat"]))
        stops.append(
            PlannedStop(
                order=int(s["order"]),
                task_id=str(s["task_id"]),
                kind=TaskKind(s["kind"]),
                label=str(s["label"]),
                x=x,
                y=y,
                cell_id=s.get("cell_id"),
                area_id=s.get("area_id"),
                arrival_s=int(s["arrive_s"]),
                departure_s=int(s["leave_s"]),
                dwell_s=int(s["dwell_s"]),
                required=bool(s.get("required", False)),
                prize=float(s.get("prize") or 0.0),
                walk_s=int(s.get("walk_s") or 0),
                end_s=int(s["end_s"]) if s.get("end_s") is not None else -1,
            )
        )
    legs = []
    for coords in entry.get("legs", []):
        line = proj.geometry_from_wgs84({"type": "LineString", "coordinates": coords})
        legs.append(LineString(line))
    return UnitRoute(
        unit_id=str(entry["unit_id"]),
        mode=Mode(entry["mode"]),
        start_station=str(entry["start_station"]),
        end_station=str(entry["end_station"]),
        depart_s=int(entry["depart_s"]),
        return_s=int(entry["return_s"]),
        stops=tuple(stops),
        breaks=tuple(
            PlannedBreak(int(b["start_s"]), int(b["duration_s"]), int(b["after_stop"]))
            for b in entry.get("breaks", [])
        ),
        legs=tuple(legs),
        travel_s=int(entry["travel_s"]),
        dwell_s=int(entry["dwell_s"]),
        distance_m=float(entry["distance_m"]),
        prize=float(entry.get("prize") or 0.0),
    )


def plan_from_document(
    doc: Mapping[str, Any],
) -> tuple[PatrolPlan, tuple[Task, ...], tuple[Unit, ...]]:
    """The plan, tasks and units of a checked plan document, in its working CRS."""
    proj = _Projector(CRS(doc["district"]["crs"]))
    plan = PatrolPlan(
        routes=tuple(_route_from(r, proj) for r in doc["routes"]),
        dropped=tuple(
            DroppedTask(
                str(d["task_id"]),
                str(d["label"]),
                TaskKind(d["kind"]),
                bool(d["required"]),
                str(d["reason"]),
            )
            for d in doc["dropped"]
        ),
        risk_share=float(doc["totals"]["risk_share"]),
        presence_min_by_cell=dict(doc.get("presence_min_by_cell") or {}),
        seed=int(doc["seed"]),
        notes=tuple(doc.get("notes", [])),
    )
    tasks = tuple(_task_from(t, proj) for t in doc["tasks"])
    units = tuple(_unit_from(u) for u in doc["units"])
    return plan, tasks, units


def _incidents_from(data: Mapping[str, Sequence[Any]] | None, crs: CRS, tz: str) -> Any:
    if data is None:
        return None
    frame = pd.DataFrame({k: list(v) for k, v in data.items() if k not in ("lat", "lon")})
    if OCCURRED_AT in frame.columns:
        frame[OCCURRED_AT] = pd.to_datetime(frame[OCCURRED_AT], utc=True).dt.tz_convert(tz)
    geometry = gpd.points_from_xy(data["lon"], data["lat"], crs=WGS84)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84).to_crs(crs)


def bundle_from_document(doc: Mapping[str, Any], *, source: str = "plan") -> PlanBundle:
    """What maps and sheets draw, from a plan document (checked first; nothing is planned).

    Raises
    ------
    PlanFileError
        As :func:`check_document`.
    """
    return _bundle(check_document(dict(doc), source))


def _bundle(checked: Mapping[str, Any]) -> PlanBundle:
    """:func:`bundle_from_document` of a document already checked."""
    crs = CRS(checked["district"]["crs"])
    tz = str(checked["district"]["timezone"])
    plan, tasks, units = plan_from_document(checked)
    layers = checked.get("layers") or {}
    hotspots = _frame_from_features(layers.get("hotspots"), crs)
    if hotspots is not None and PEAK_HOURS in hotspots.columns:
        hotspots[PEAK_HOURS] = hotspots[PEAK_HOURS].map(
            lambda v: None if v is None else tuple(int(h) for h in v)
        )
    return PlanBundle(
        crs=crs,
        district=str(checked["district"]["name"]),
        plan_date=date.fromisoformat(checked["plan_date"]),
        timezone=tz,
        cells=_frame_from_features(layers.get("cells"), crs),
        risk=_frame_from_table(layers.get("risk")),
        hotspots=hotspots,
        incidents=_incidents_from(layers.get("incidents"), crs, tz),
        stations=_frame_from_features(checked.get("stations"), crs),
        plan=plan,
        tasks=tasks,
        units=units,
        band=str(checked["risk_band"]),
        shift=str(checked["shift"]["band"]),
        notes=tuple(checked.get("notes", [])),
        places=stop_places(checked),
        streets=route_streets(checked),
        presence=checked.get("presence"),
        bound=checked.get("bound"),
        changes=checked.get("changes"),
    )


def read_plan_bundle(path: str | Path) -> PlanBundle:
    """:func:`read_plan` then :func:`bundle_from_document` (the file is checked once)."""
    return _bundle(read_plan(path))
