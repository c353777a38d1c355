"""Route sheets as CSV: one row per line of every unit's sheet, UTF-8 with a BOM for Excel."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.sheets.rows import column_titles, route_rows, row_cells
from maps.sheets.times import PlanClock


def write_csv(
    bundle: PlanBundle,
    path: str | Path,
    *,
    lang: str = "en",
    units: Sequence[str] | None = None,
) -> Path:
    """Write the stop tables of ``units`` (default all) to one CSV file.

    Columns: unit, the sheet's columns (localised titles and times), the date-times of arrival
    and departure in ISO 8601 local time with the UTC offset (next-day times on the next
    date; a line's departure is when it is done), lat, lon, the stop's street and crossing,
    its ``geo:`` link.
    """
    tr = Translator(lang)
    clock = PlanClock.for_bundle(bundle, tr)
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
                tr("sheet.col.street"),
                "geo_uri",
            ]
        )
        for route in bundle.routes(units):
            for row in route_rows(bundle, route, tr):
                writer.writerow(
                    [
                        route.unit_id,
                        *row_cells(row, clock),
                        _iso(clock, row.arrive_s),
                        _iso(clock, row.leave_s),
                        "" if row.lat is None else f"{row.lat:.6f}",
                        "" if row.lon is None else f"{row.lon:.6f}",
                        row.street,
                        row.uri if row.order is not None and row.uri else "",
                    ]
                )
    return out


def _iso(clock: PlanClock, seconds: int | None) -> str:
    """``2024-03-05T16:00-05:00``: the local date-time as printed, with its UTC offset."""
    return "" if seconds is None else clock.at(seconds).isoformat(timespec="minutes")
