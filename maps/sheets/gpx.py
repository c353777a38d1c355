"""Routes as GPX 1.1 for GPS devices and apps: ``wpt`` per stop, ``rte`` per unit, ``trk`` of
the street line.

A GPS app given only route points computes its own way between them; the track carries the
planned street path so the app shows the same line as the map. Times are UTC (GPX's rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import gpxpy.gpx

from maps.bundle import PlanBundle
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers.routes import stop_span
from maps.routegeom import route_geometry
from maps.sheets.places import place_text, street_text
from maps.sheets.times import PlanClock, utc_datetime


def gpx_document(
    bundle: PlanBundle, *, lang: str = "en", units: Sequence[str] | None = None
) -> gpxpy.gpx.GPX:
    """The GPX document of ``units`` (default all), before serialisation."""
    tr = Translator(lang)
    clock = PlanClock.for_bundle(bundle, tr)
    proj = Projector(bundle.crs, precision=7)
    names = bundle.station_names()
    doc = gpxpy.gpx.GPX()
    doc.creator = "gridpatrol"
    doc.name = f"{bundle.district} {bundle.plan_date.isoformat()} {bundle.band or ''}".strip()
    doc.description = tr("sheet.title")
    doc.time = utc_datetime(bundle.plan_date, 0, bundle.timezone)
    stations = bundle.station_xy()
    for route in bundle.routes(units):
        geometry = route_geometry(route, stations)
        rte = gpxpy.gpx.GPXRoute(name=route.unit_id, description=tr(f"mode.{route.mode}"))
        if geometry.places:
            lat, lon = proj.point(*geometry.places[0])
            rte.points.append(
                gpxpy.gpx.GPXRoutePoint(
                    lat, lon, name=names.get(route.start_station, route.start_station)
                )
            )
        for stop in route.stops:
            lat, lon = proj.point(stop.x, stop.y)
            when = utc_datetime(bundle.plan_date, stop.arrival_s, bundle.timezone)
            place = bundle.places.get(stop.task_id)
            name = f"{route.unit_id}-{stop.order:02d} {place_text(place, tr, stop.label)}"
            span = stop_span(route, stop, bundle.task(stop.task_id))
            desc = (
                f"{tr('popup.arrive')} {clock.clock(span.start_s)}, "
                f"{tr('popup.leave')} {clock.clock(span.end_s)}, "
                f"{tr('popup.dwell')} {tr.duration(span.duration_s)}, {tr(f'kind.{stop.kind}')}"
            )
            if place is not None:  # the user's name needs its street; the cell in any case
                where = [street_text(place, tr) if place.name else "", stop.cell_id or ""]
                desc += "".join(f"; {w}" for w in where if w)
            doc.waypoints.append(
                gpxpy.gpx.GPXWaypoint(lat, lon, time=when, name=name, description=desc)
            )
            rte.points.append(gpxpy.gpx.GPXRoutePoint(lat, lon, time=when, name=name))
        if len(geometry.places) > 1:
            lat, lon = proj.point(*geometry.places[-1])
            rte.points.append(
                gpxpy.gpx.GPXRoutePoint(
                    lat, lon, name=names.get(route.end_station, route.end_station)
                )
            )
        doc.routes.append(rte)
        if geometry.legs:
            trk = gpxpy.gpx.GPXTrack(name=route.unit_id, description=tr("sheet.map_note"))
            seg = gpxpy.gpx.GPXTrackSegment()
            for lat, lon in proj.line(geometry.line):
                seg.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon))
            trk.segments.append(seg)
            doc.tracks.append(trk)
    return doc


def write_gpx(
    bundle: PlanBundle,
    path: str | Path,
    *,
    lang: str = "en",
    units: Sequence[str] | None = None,
) -> Path:
    """Write the GPX 1.1 file of ``units`` (default all) and return its path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    xml = gpx_document(bundle, lang=lang, units=units).to_xml(version="1.1")
    out.write_text(xml, encoding="utf-8")
    return out
