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

from maps.i18n import Translator
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


def localized(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` for a reader of ``lang``: in Chinese, headings from the catalogue
    (``col.<name>``), shift bands as coordinators name them, fleets and what a row counts in
    words; in English, unchanged (scripts read the machine names)."""
    tr = Translator(lang)
    if not tr.is_chinese:
        return frame
    out = frame.copy()
    if "shift" in out.columns:
        out["shift"] = [tr.band(str(v)) if isinstance(v, str) else v for v in out["shift"]]
    if "headcount_per" in out.columns:
        out["headcount_per"] = [tr.get(f"per.{v}", str(v)) for v in out["headcount_per"]]
    if "fleet" in out.columns:
        out["fleet"] = [tr.get(f"fleet.{v}", str(v)) for v in out["fleet"]]
    if "band" in out.columns:
        out["band"] = [tr.band(str(v)) for v in out["band"]]
    if "significance" in out.columns:
        out["significance"] = [tr.get(f"sig.{v}", str(v)) for v in out["significance"]]
    for column in [c for c in out.columns if str(c).startswith("n_")]:
        out = out.rename(columns={column: f"{tr.category(str(column)[2:])}（起）"})
    return out.rename(columns={c: tr.get(f"col.{c}", str(c)) for c in out.columns})


def _chart(result: StaffingResult, title: str, lang: str = "en") -> bytes:
    curves = result.proposal.curves
    shown = [c for c in curves if c.scope == DISTRICT] or list(curves)
    heading = Translator(lang)("staff.chart.title", district=title) if title else ""
    return curves_png(shown, title=heading, lang=lang)


def _workbook(
    result: StaffingResult, table: pd.DataFrame, curves: pd.DataFrame, lang: str = "en"
) -> bytes:
    tr = Translator(lang)
    sheets = {tr("sheet.staffing"): table, tr("sheet.coverage_curves"): curves}
    if result.proposal.shifts is not None:
        sheets[tr("sheet.shifts_by_hour")] = shifts_frame(result.proposal.shifts)
    sheets[tr("sheet.notes")] = notes_frame([tr.note(n) for n in result.notes])
    return xlsx_bytes({name: localized(frame, lang) for name, frame in sheets.items()})


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
    result: StaffingResult, out_dir: Path, *, title: str = "", lang: str = "en"
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
    lang
        Language of the chart and of the CSV/XLSX headings (both PDFs are always written).
    """
    name = title or result.district
    out_dir.mkdir(parents=True, exist_ok=True)
    proposal = result.proposal
    table = staffing_table(result)
    curves = curves_frame(proposal.curves)
    files: dict[str, tuple[str, bytes]] = {
        "staffing_csv": ("staffing.csv", csv_bytes(localized(table, lang))),
        "curves_csv": ("coverage_curves.csv", csv_bytes(localized(curves, lang))),
        "curves_png": ("coverage_curves.png", _chart(result, name, lang)),
    }
    if proposal.shifts is not None:
        shifts = localized(shifts_frame(proposal.shifts), lang)
        files["shifts_csv"] = ("shifts.csv", csv_bytes(shifts))
    files["staffing_xlsx"] = ("staffing.xlsx", _workbook(result, table, curves, lang))
    page = staffing_page_input(result, name)
    for lang in ("en", "zh-CN"):
        files[f"staffing_pdf_{lang}"] = (
            f"staffing_{lang}.pdf",
            staffing_pdf_bytes(page, lang=lang),
        )
    if proposal.roster is not None:
        long = roster_frame(proposal.roster)
        files["roster_csv"] = ("roster.csv", csv_bytes(localized(long, lang)))
        files["roster_xlsx"] = (
            "roster.xlsx",
            xlsx_bytes(
                {
                    "roster": localized(roster_grid(proposal.roster), lang),
                    "assignments": localized(long, lang),
                    "rules": localized(
                        notes_frame([Translator(lang).note(n) for n in proposal.roster.notes]),
                        lang,
                    ),
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
