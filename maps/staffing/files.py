"""A staffing run's files: the table (CSV, XLSX), curves, chart, hours, roster, PDF, summary.

:func:`staffing_files` makes the service's downloads as bytes (nothing touches the disk);
:func:`write_staffing_outputs` writes every file to a folder for the command line and demo.
Both build the same frames (:mod:`maps.staffing.tables`), so a download and a file on disk
are the same.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from maps.staffing.chart import curves_png
from maps.staffing.page import staffing_pdf_bytes
from maps.staffing.summary import staffing_summary
from maps.staffing.tables import (
    curves_frame,
    notes_frame,
    roster_frame,
    roster_grid,
    shifts_frame,
    staffing_page_input,
    staffing_table,
)
from planner.staffing import DISTRICT, StaffingResult

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The service's downloads: name -> (file name on disk, media type).
STAFFING_FILES: Mapping[str, tuple[str, str]] = {
    "pdf_en": ("staffing_en.pdf", "application/pdf"),
    "pdf_zh-CN": ("staffing_zh-CN.pdf", "application/pdf"),
    "png": ("coverage_curves.png", "image/png"),
    "xlsx": ("staffing.xlsx", XLSX_MEDIA),
    "csv": ("staffing.csv", "text/csv; charset=utf-8"),
}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV with a BOM, so spreadsheet programs read Chinese names."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per frame, column widths fitted to the content."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for i, col in enumerate(frame.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width + 2, 60)
    return buf.getvalue()


def _chart(result: StaffingResult, title: str) -> bytes:
    curves = result.proposal.curves
    shown = [c for c in curves if c.scope == DISTRICT] or list(curves)
    return curves_png(shown, title=f"{title}: share of risk covered by fleet size".strip(": "))


def _workbook(result: StaffingResult, table: pd.DataFrame, curves: pd.DataFrame) -> bytes:
    sheets = {"staffing": table, "coverage curves": curves}
    if result.proposal.shifts is not None:
        sheets["shifts by hour"] = shifts_frame(result.proposal.shifts)
    sheets["notes"] = notes_frame(result.notes)
    return xlsx_bytes(sheets)


def staffing_files(result: StaffingResult, title: str = "") -> dict[str, tuple[str, bytes]]:
    """The downloads of a staffing run: ``{name: (media type, bytes)}`` for ``pdf_en``,
    ``pdf_zh-CN``, ``png`` (coverage chart), ``xlsx`` (workbook) and ``csv`` (the table)."""
    name = title or result.district
    table = staffing_table(result)
    page = staffing_page_input(result, name)
    data = {
        "pdf_en": staffing_pdf_bytes(page, lang="en"),
        "pdf_zh-CN": staffing_pdf_bytes(page, lang="zh-CN"),
        "png": _chart(result, name),
        "xlsx": _workbook(result, table, curves_frame(result.proposal.curves)),
        "csv": csv_bytes(table),
    }
    return {key: (STAFFING_FILES[key][1], value) for key, value in data.items()}


def write_staffing_outputs(
    result: StaffingResult, out_dir: Path, *, title: str = ""
) -> dict[str, str]:
    """Write every file of a staffing run to ``out_dir`` and return ``{name: path}``.

    Writes ``staffing.csv`` (``staffing_csv``), ``coverage_curves.csv`` (``curves_csv``),
    ``coverage_curves.png`` (``curves_png``), ``shifts.csv`` (``shifts_csv``, with staggered
    shifts), ``staffing.xlsx`` (``staffing_xlsx``), ``staffing_en.pdf`` and
    ``staffing_zh-CN.pdf`` (``staffing_pdf_en``, ``staffing_pdf_zh-CN``), ``roster.csv`` and
    ``roster.xlsx`` (``roster_csv``, ``roster_xlsx``, with a roster) and
    ``staffing_summary.json`` (``summary``: :func:`maps.staffing.staffing_summary` with these
    paths under ``outputs``).

    Parameters
    ----------
    result
        The run (:func:`planner.staffing.propose_staffing`).
    out_dir
        The folder (made if missing).
    title
        Title of the chart and PDF (default: the district's name).
    """
    name = title or result.district
    out_dir.mkdir(parents=True, exist_ok=True)
    proposal = result.proposal
    table = staffing_table(result)
    curves = curves_frame(proposal.curves)
    files: dict[str, tuple[str, bytes]] = {
        "staffing_csv": ("staffing.csv", csv_bytes(table)),
        "curves_csv": ("coverage_curves.csv", csv_bytes(curves)),
        "curves_png": ("coverage_curves.png", _chart(result, name)),
    }
    if proposal.shifts is not None:
        files["shifts_csv"] = ("shifts.csv", csv_bytes(shifts_frame(proposal.shifts)))
    files["staffing_xlsx"] = ("staffing.xlsx", _workbook(result, table, curves))
    page = staffing_page_input(result, name)
    for lang in ("en", "zh-CN"):
        files[f"staffing_pdf_{lang}"] = (
            f"staffing_{lang}.pdf",
            staffing_pdf_bytes(page, lang=lang),
        )
    if proposal.roster is not None:
        long = roster_frame(proposal.roster)
        files["roster_csv"] = ("roster.csv", csv_bytes(long))
        files["roster_xlsx"] = (
            "roster.xlsx",
            xlsx_bytes(
                {
                    "roster": roster_grid(proposal.roster),
                    "assignments": long,
                    "rules": notes_frame(proposal.roster.notes),
                }
            ),
        )
    outputs: dict[str, str] = {}
    for key, (filename, data) in files.items():
        path = out_dir / filename
        path.write_bytes(data)
        outputs[key] = str(path)
    summary_path = out_dir / "staffing_summary.json"
    outputs["summary"] = str(summary_path)
    summary = {**staffing_summary(result), "outputs": outputs}
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return dict(outputs)
