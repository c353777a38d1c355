"""The rows of a route sheet, shared by every format: leave the station, stops, breaks, return.

Rows hold display-ready text for one language plus the raw numbers (seconds, coordinates), so
PDF, XLSX and CSV print the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from maps.bundle import PlanBundle
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers.routes import stop_notes
from planner.plan import UnitRoute


@dataclass(frozen=True)
class SheetRow:
    """One line of a route sheet; ``order`` is ``None`` for station and break lines."""

    order: int | None
    place: str
    cell: str
    arrive_s: int | None
    leave_s: int | None
    dwell_s: int
    task: str
    notes: str
    lat: float | None
    lon: float | None


def column_titles(tr: Translator) -> list[str]:
    """Titles of the stop table: order, place, cell, arrive, leave, dwell, task, notes."""
    keys = ("order", "place", "cell", "arrive", "leave", "dwell", "task", "notes")
    return [tr(f"sheet.col.{k}") for k in keys]


def route_rows(bundle: PlanBundle, route: UnitRoute, tr: Translator) -> list[SheetRow]:
    """The rows of ``route``: departure, each stop (and break after it), return."""
    proj = Projector(bundle.crs, precision=6)
    names = bundle.station_names()
    xy = bundle.station_xy()

    def station_row(station: str, leave: bool) -> SheetRow:
        lat = lon = None
        if station in xy:
            lat, lon = proj.point(*xy[station])
        name = names.get(station, station)
        key = "sheet.depart_station" if leave else "sheet.return_station"
        return SheetRow(
            None,
            tr(key, station=name),
            "",
            None if leave else route.return_s,
            route.depart_s if leave else None,
            0,
            "",
            "",
            lat,
            lon,
        )

    breaks = {b.after_order: b for b in route.breaks}

    def break_row(after: int) -> SheetRow | None:
        brk = breaks.get(after)
        if brk is None:
            return None
        minutes = round(brk.duration_s / 60)
        return SheetRow(
            None,
            tr("sheet.break", minutes=minutes),
            "",
            brk.start_s,
            brk.start_s + brk.duration_s,
            brk.duration_s,
            "",
            "",
            None,
            None,
        )

    rows = [station_row(route.start_station, True)]
    first_break = break_row(0)
    if first_break is not None:
        rows.append(first_break)
    for stop in route.stops:
        lat, lon = proj.point(stop.x, stop.y)
        rows.append(
            SheetRow(
                stop.order,
                stop.label,
                stop.cell_id or "",
                stop.arrival_s,
                stop.departure_s,
                stop.dwell_s,
                tr(f"kind.{stop.kind}"),
                stop_notes(stop, bundle.task(stop.task_id), tr),
                lat,
                lon,
            )
        )
        after = break_row(stop.order)
        if after is not None:
            rows.append(after)
    rows.append(station_row(route.end_station, False))
    return rows


def row_cells(row: SheetRow, tr: Translator) -> list[str]:
    """The display text of a row's table cells (same order as :func:`column_titles`)."""
    return [
        "" if row.order is None else str(row.order),
        row.place,
        row.cell,
        "" if row.arrive_s is None else tr.clock(row.arrive_s),
        "" if row.leave_s is None else tr.clock(row.leave_s),
        tr.duration(row.dwell_s) if row.dwell_s else "",
        row.task,
        row.notes,
    ]


def totals_text(route: UnitRoute, tr: Translator) -> str:
    """``Totals: 15 stops, 6.3 km, travel 1 h 05 min, at stops 3 h 00 min``."""
    return tr(
        "sheet.totals",
        stops=len(route.stops),
        distance=tr.distance(route.distance_m),
        travel=tr.duration(route.travel_s),
        dwell=tr.duration(route.dwell_s),
    )


def unit_heading(bundle: PlanBundle, route: UnitRoute, tr: Translator) -> list[tuple[str, str]]:
    """``(label, value)`` pairs of a sheet's header: unit, mode, shift, station, date, band."""
    unit = bundle.unit(route.unit_id)
    names = bundle.station_names()
    start, end = (
        (unit.shift_start_s, unit.shift_end_s) if unit else (route.depart_s, route.return_s)
    )
    station = names.get(route.start_station, route.start_station)
    if route.end_station != route.start_station:
        station += " → " + names.get(route.end_station, route.end_station)
    pairs = [
        (tr("word.unit"), route.unit_id),
        (tr("word.mode"), tr(f"mode.{route.mode}")),
        (tr("word.shift"), f"{tr.datetime(bundle.plan_date, start)} – {tr.clock(end)}"),
        (tr("word.station"), station),
        (tr("word.district"), bundle.district),
    ]
    if unit is not None:
        pairs.append((tr("word.crew"), str(unit.crew)))
    if bundle.band:
        pairs.append((tr("word.band"), bundle.band))
    return pairs
