"""The rows of a route sheet, shared by every format: leave the station, stops, breaks, return.

Rows hold the raw values (plan seconds, coordinates) and :func:`row_cells` their display text
in one language, so PDF, XLSX and CSV print the same table. A stop's times are
the span of its duty (:func:`maps.layers.routes.stop_span`): a line runs from where it is
entered to its far end. A stop's place is named as the plan file names it (street, crossing,
nearby place, or the user's own name: :mod:`maps.sheets.places`), its cell in its own column.
"""

from __future__ import annotations

from dataclasses import dataclass

from maps.bundle import PlanBundle
from maps.coords import Projector
from maps.i18n import Translator
from maps.layers.routes import stop_notes, stop_span
from maps.sheets.places import geo_uri, place_text, street_text
from maps.sheets.times import PlanClock
from planner.plan import PlannedBreak, UnitRoute


@dataclass(frozen=True)
class SheetRow:
    """One line of a route sheet; ``order`` is ``None`` for station and break lines.

    ``arrive_s`` / ``leave_s`` are plan seconds (print them with
    :class:`~maps.sheets.times.PlanClock`); ``dwell_s`` is the time the row's duty takes (a
    post's holding time, a line's walk or drive, a break). ``place`` is the stop's name as a
    person reads it, ``street`` its street and crossing (``""`` when the plan names none);
    ``named`` is true when a named street was found for it.
    """

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
    street: str = ""
    named: bool = False

    @property
    def uri(self) -> str | None:
        """The ``geo:`` link of the row's place (``None`` for a row without one)."""
        return None if self.lat is None or self.lon is None else geo_uri(self.lat, self.lon)


def column_titles(tr: Translator) -> list[str]:
    """Titles of the stop table: order, place, cell, arrive, leave, dwell, task, notes."""
    keys = ("order", "place", "cell", "arrive", "leave", "dwell", "task", "notes")
    return [tr(f"sheet.col.{k}") for k in keys]


def route_rows(bundle: PlanBundle, route: UnitRoute, tr: Translator) -> list[SheetRow]:
    """The rows of ``route``: departure, each stop (and break after it), return."""
    proj = Projector(bundle.crs, precision=6)
    clock = PlanClock.for_bundle(bundle, tr)
    names = bundle.station_names()
    xy = bundle.station_xy()

    def station_row(station: str, leave: bool) -> SheetRow:
        lat = lon = None
        if station in xy:
            lat, lon = proj.point(*xy[station])
        name = names.get(station, station)
        key = "sheet.depart_station" if leave else "sheet.return_station"
        arrive = None if leave else route.return_s
        depart = route.depart_s if leave else None
        return SheetRow(None, tr(key, station=name), "", arrive, depart, 0, "", "", lat, lon)

    def break_row(brk: PlannedBreak) -> SheetRow:
        end = brk.start_s + brk.duration_s
        return SheetRow(
            None,
            tr("sheet.break", minutes=round(brk.duration_s / 60)),
            "",
            brk.start_s,
            end,
            brk.duration_s,
            "",
            "",
            None,
            None,
        )

    breaks: dict[int, list[PlannedBreak]] = {}
    for b in sorted(route.breaks, key=lambda b: b.start_s):
        breaks.setdefault(b.after_order, []).append(b)
    rows = [station_row(route.start_station, True)]
    rows.extend(break_row(b) for b in breaks.get(0, ()))
    for stop in route.stops:
        task = bundle.task(stop.task_id)
        span = stop_span(route, stop, task)
        after = breaks.get(stop.order, [])
        if span.break_first:  # taken where the line starts, before it is walked
            rows.append(break_row(after.pop(0)))
        lat, lon = proj.point(stop.x, stop.y)
        place = bundle.places.get(stop.task_id)
        notes = stop_notes(stop, task, clock)
        rows.append(
            SheetRow(
                stop.order,
                place_text(place, tr, stop.label),
                stop.cell_id or "",
                span.start_s,
                span.end_s,
                span.duration_s,
                tr(f"kind.{stop.kind}"),
                notes,
                lat,
                lon,
                street_text(place, tr),
                place is not None and place.street is not None,
            )
        )
        rows.extend(break_row(b) for b in after)
    rows.append(station_row(route.end_station, False))
    return rows


def row_cells(row: SheetRow, clock: PlanClock) -> list[str]:
    """The display text of a row's table cells (same order as :func:`column_titles`)."""
    tr = clock.tr
    return [
        "" if row.order is None else str(row.order),
        row.place,
        row.cell,
        "" if row.arrive_s is None else clock.clock(row.arrive_s),
        "" if row.leave_s is None else clock.clock(row.leave_s),
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
    clock = PlanClock.for_bundle(bundle, tr)
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
        (tr("word.shift"), f"{clock.date_time(start)} – {clock.clock(end)}"),
        (tr("word.station"), station),
        (tr("word.district"), bundle.district),
    ]
    if unit is not None:
        pairs.append((tr("word.crew"), str(unit.crew)))
    if bundle.band:
        pairs.append((tr("word.band"), tr.band(bundle.band)))
    pairs.append((tr("word.timezone"), bundle.timezone))
    return pairs
