"""Route sheets as an Excel workbook: a summary sheet and one sheet per unit (openpyxl)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.sheets.rows import column_titles, route_rows, row_cells, totals_text, unit_heading

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
    summary.append([f"{bundle.district} · {tr.date(bundle.plan_date)} · {bundle.band or ''}"])
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
                tr.datetime(bundle.plan_date, route.depart_s),
                tr.datetime(bundle.plan_date, route.return_s),
                len(route.stops),
                tr.distance(route.distance_m),
                tr.duration(route.travel_s),
                tr.duration(route.dwell_s),
            ]
        )
    if bundle.plan is not None and bundle.plan.dropped:
        summary.append([])
        summary.append([tr("sheet.dropped")])
        summary.cell(summary.max_row, 1).font = Font(bold=True)
        for d in bundle.plan.dropped:
            summary.append([d.task_id, d.label, tr(f"kind.{d.kind}"), d.reason])
    _widths(summary, [14, 12, 24, 20, 20, 8, 10, 14, 14])

    titles = [*column_titles(tr), tr("sheet.col.lat"), tr("sheet.col.lon")]
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
            values: list[object] = list(row_cells(row, tr))
            values[0] = row.order if row.order is not None else ""
            ws.append([*values, row.lat, row.lon])
        ws.append([])
        ws.append([totals_text(route, tr)])
        ws.append([])
        ws.append([tr("sheet.signoff")])
        ws.freeze_panes = ws.cell(head_row + 1, 1)
        for r in ws.iter_rows(min_row=head_row + 1):
            for cell in r:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
        _widths(ws, [8, 32, 14, 12, 12, 10, 16, 22, 11, 11])
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
