"""Route sheets as an Excel workbook: a summary sheet and one sheet per unit (openpyxl).

Times are Excel date-times (local wall-clock time, shown ``hh:mm`` with the sheets' next-day
mark), durations whole minutes and distances kilometres, each with a number format, so a
coordinator can sort and sum them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from maps.bundle import PlanBundle
from maps.i18n import Translator, mark_day
from maps.messages import MESSAGES
from maps.sheets.changes import append_changes
from maps.sheets.rows import column_titles, route_rows, totals_text, unit_heading
from maps.sheets.times import PlanClock

_HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")
_INVALID = set("[]:*?/\\")


def sheet_title(unit_id: str, used: set[str]) -> str:
    """An Excel-valid, unique sheet name for ``unit_id`` (31 characters, no ``[]:*?/\\``)."""
    base = "".join("_" if c in _INVALID else c for c in unit_id)[:31] or "unit"
    name, n = base, 2
    while name.lower() in used:
        suffix = f"~{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _quoted(text: str) -> str:
    """``text`` as a literal of an Excel number format."""
    return f'"{text}"' if text else ""


def _number_format(template: str, field: str, code: str) -> str:
    """The Excel number format that shows a value the way ``template`` prints it:
    ``{n} min`` with ``0`` gives ``0" min"``, ``{km:.1f}公里`` with ``0.0`` gives ``0.0"公里"``."""
    before, _, rest = template.partition("{" + field)
    return _quoted(before) + code + _quoted(rest.partition("}")[2])


def minutes_format(tr: Translator) -> str:
    """Number format of a duration in whole minutes: ``0" min"`` / ``0"分钟"``."""
    return _number_format(str(MESSAGES["fmt.minutes"][tr.lang]), "n", "0")


def km_format(tr: Translator) -> str:
    """Number format of a distance in kilometres: ``0.0" km"`` / ``0.0"公里"``."""
    return _number_format(str(MESSAGES["fmt.km"][tr.lang]), "km", "0.0")


def clock_format(days: int, tr: Translator) -> str:
    """Number format of a time ``days`` after the plan date, marked as the PDF marks it:
    ``hh:mm`` on the plan date, ``hh:mm" (+1)"`` / ``"次日"hh:mm`` on the next day."""
    return _number_format(mark_day("{clock}", days, tr.lang), "clock", "hh:mm")


def datetime_format(tr: Translator) -> str:
    """Number format of a date and time: ``yyyy-mm-dd hh:mm`` / ``yyyy"年"m"月"d"日" hh:mm``."""
    return 'yyyy"年"m"月"d"日" hh:mm' if tr.is_chinese else "yyyy-mm-dd hh:mm"


def excel_time(clock: PlanClock, seconds: int) -> datetime:
    """The local wall-clock date-time of plan second ``seconds`` (rounded to the minute, as
    printed), without its zone: Excel date-times have none."""
    return clock.at(seconds).replace(tzinfo=None)


def _minutes(seconds: float) -> int:
    return round(float(seconds) / 60.0)


def _km(metres: float) -> float:
    return round(float(metres) / 1000.0, 3)


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def write_xlsx(
    bundle: PlanBundle,
    path: str | Path,
    *,
    lang: str = "en",
    units: Sequence[str] | None = None,
) -> Path:
    """Write the route sheets of ``units`` (default all) to an ``.xlsx`` file.

    The first sheet is the summary (one row per unit, then tasks not planned); each unit has
    its own sheet with the header, the stop table, coordinates and totals.
    """
    tr = Translator(lang)
    clock = PlanClock.for_bundle(bundle, tr)
    minutes, km = minutes_format(tr), km_format(tr)
    routes = bundle.routes(units)
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    used: set[str] = set()
    summary.title = sheet_title(tr("sheet.summary"), used)
    heads = [
        tr("word.unit"),
        tr("word.mode"),
        tr("word.station"),
        tr("sheet.col.depart"),
        tr("sheet.col.return"),
        tr("sheet.col.stops"),
        tr("sheet.col.distance"),
        tr("sheet.col.travel"),
        tr("sheet.col.dwell_total"),
    ]
    band = tr.band(bundle.band) if bundle.band else ""
    summary.append([f"{bundle.district} · {tr.date(bundle.plan_date)} · {band}"])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append(heads)
    names = bundle.station_names()
    for cell in summary[2]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
    for route in routes:
        summary.append(
            [
                route.unit_id,
                tr(f"mode.{route.mode}"),
                names.get(route.start_station, route.start_station),
                excel_time(clock, route.depart_s),
                excel_time(clock, route.return_s),
                len(route.stops),
                _km(route.distance_m),
                _minutes(route.travel_s),
                _minutes(route.dwell_s),
            ]
        )
        row = summary.max_row
        for column in (4, 5):
            summary.cell(row, column).number_format = datetime_format(tr)
        summary.cell(row, 7).number_format = km
        for column in (8, 9):
            summary.cell(row, column).number_format = minutes
    if bundle.plan is not None and bundle.plan.dropped:
        summary.append([])
        summary.append([tr("sheet.dropped")])
        summary.cell(summary.max_row, 1).font = Font(bold=True)
        for d in bundle.plan.dropped:
            summary.append([d.task_id, d.label, tr(f"kind.{d.kind}"), d.reason])
    append_changes(summary, bundle, tr)
    _widths(summary, [14, 12, 24, 20, 20, 8, 10, 14, 14])

    titles = [
        *column_titles(tr),
        tr("sheet.col.lat"),
        tr("sheet.col.lon"),
        tr("sheet.col.street"),
        "geo:",
    ]
    for route in routes:
        ws = wb.create_sheet(sheet_title(route.unit_id, used))
        ws.append([f"{tr('sheet.title')} · {route.unit_id}"])
        ws["A1"].font = Font(bold=True, size=13)
        for label, value in unit_heading(bundle, route, tr):
            ws.append([label, value])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append([])
        ws.append(titles)
        head_row = ws.max_row
        for cell in ws[head_row]:
            cell.font = Font(bold=True)
            cell.fill = _HEAD_FILL
        for row in route_rows(bundle, route, tr):
            ws.append(
                [
                    row.order,
                    row.place,
                    row.cell,
                    None if row.arrive_s is None else excel_time(clock, row.arrive_s),
                    None if row.leave_s is None else excel_time(clock, row.leave_s),
                    _minutes(row.dwell_s) if row.dwell_s else None,
                    row.task,
                    row.notes,
                    row.lat,
                    row.lon,
                    row.street or None,
                    row.uri if row.order is not None else None,
                ]
            )
            line = ws.max_row
            if row.order is not None and row.uri:
                ws.cell(line, 12).hyperlink = row.uri
            for column, seconds in ((4, row.arrive_s), (5, row.leave_s)):
                if seconds is not None:
                    days = clock.day_offset(clock.at(seconds))
                    ws.cell(line, column).number_format = clock_format(days, tr)
            ws.cell(line, 6).number_format = minutes
            for column in (9, 10):
                ws.cell(line, column).number_format = "0.000000"
        ws.append([])
        ws.append([totals_text(route, tr)])
        ws.append([])
        ws.append([tr("sheet.signoff")])
        ws.freeze_panes = ws.cell(head_row + 1, 1)
        for r in ws.iter_rows(min_row=head_row + 1):
            for cell in r:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        _widths(ws, [8, 36, 14, 12, 12, 10, 16, 22, 11, 11, 36, 26])
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
