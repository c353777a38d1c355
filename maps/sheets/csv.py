"""Route sheets as CSV: one row per line of every unit's sheet, UTF-8 with a BOM for Excel."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from pathlib import Path

from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.sheets.rows import column_titles, route_rows, row_cells


def write_csv(
    bundle: PlanBundle,
    path: str | Path,
    *,
    lang: str = "en",
    units: Sequence[str] | None = None,
) -> Path:
    """Write the stop tables of ``units`` (default all) to one CSV file.

    Columns: unit, the sheet's columns (localised titles and times), the date-times of arrival
    and departure in ISO 8601 local time (next-day times on the next date), lat, lon.
    """
    tr = Translator(lang)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                tr("word.unit"),
                *column_titles(tr),
                "arrive_iso",
                "leave_iso",
                tr("sheet.col.lat"),
                tr("sheet.col.lon"),
            ]
        )
        for route in bundle.routes(units):
            for row in route_rows(bundle, route, tr):
                writer.writerow(
                    [
                        route.unit_id,
                        *row_cells(row, tr),
                        _iso(bundle, row.arrive_s),
                        _iso(bundle, row.leave_s),
                        "" if row.lat is None else f"{row.lat:.6f}",
                        "" if row.lon is None else f"{row.lon:.6f}",
                    ]
                )
    return out


def _iso(bundle: PlanBundle, seconds: int | None) -> str:
    if seconds is None:
        return ""
    start = datetime.combine(bundle.plan_date, time())
    return (start + timedelta(seconds=int(seconds))).isoformat(timespec="minutes")
