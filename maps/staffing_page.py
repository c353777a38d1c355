"""The staffing table and the coverage chart as a one-page A4 PDF.

Input is a small, explicit type (:class:`StaffingInput`) so the staffing stage, written
separately, only has to fill two DataFrames: the table per area and shift, and the coverage
curve (units on duty → share of risk covered).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from maps.errors import MapInputError
from maps.fonts import matplotlib_cjk_font, pdf_fonts
from maps.i18n import Translator

STAFFING_COLUMNS: Final = (
    "area",
    "shift",
    "norm_headcount",
    "workload_headcount",
    "current",
    "gap",
)
COVERAGE_COLUMNS: Final = ("units", "risk_share")


@dataclass(frozen=True)
class StaffingInput:
    """What the staffing page shows.

    Attributes
    ----------
    table
        One row per area and shift: ``area``, ``shift``, ``norm_headcount`` (1.5 per 1,000
        residents), ``workload_headcount`` (from the plan), ``current``, ``gap``
        (positive: people missing).
    coverage
        The coverage curve: ``units`` on duty → ``risk_share`` (0..1) covered.
    district, plan_date
        For the title.
    """

    table: pd.DataFrame
    coverage: pd.DataFrame
    district: str = ""
    plan_date: date | None = None

    def __post_init__(self) -> None:
        problems = []
        for name, frame, cols in (
            ("table", self.table, STAFFING_COLUMNS),
            ("coverage", self.coverage, COVERAGE_COLUMNS),
        ):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                problems.append(f"{name}: missing columns {missing} (got {list(frame.columns)})")
        if not problems and len(self.coverage):
            share = self.coverage["risk_share"].astype(float)
            if ((share < 0) | (share > 1)).any():
                problems.append("coverage: risk_share must lie in 0..1")
        if problems:
            raise MapInputError("invalid staffing input: " + "; ".join(problems))


def coverage_png(staffing: StaffingInput, tr: Translator, *, dpi: int = 150) -> bytes:
    """The coverage curve as PNG bytes (labels in ``tr``'s language)."""
    prop = None
    if tr.is_chinese:
        path = matplotlib_cjk_font()
        if path is not None:
            prop = font_manager.FontProperties(fname=path)
    fig = Figure(figsize=(6.5, 3.2), dpi=dpi)
    ax = fig.subplots()
    try:
        cov = staffing.coverage.sort_values("units")
        ax.plot(cov["units"], cov["risk_share"] * 100, marker="o", color="#1f4e9e")
        ax.set_xlabel(tr("staff.chart.x"), fontproperties=prop)
        ax.set_ylabel(tr("staff.chart.y") + " (%)", fontproperties=prop)
        ax.set_title(tr("staff.chart"), fontproperties=prop)
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        fig.clear()


def staffing_pdf_bytes(staffing: StaffingInput, *, lang: str = "en") -> bytes:
    """The staffing page as a one-page A4 PDF."""
    tr = Translator(lang)
    fonts = pdf_fonts(tr.lang)
    wrap = "CJK" if tr.is_chinese else None
    title = ParagraphStyle("t", fontName=fonts.bold, fontSize=15, leading=19, wordWrap=wrap)
    body = ParagraphStyle("b", fontName=fonts.regular, fontSize=8.5, leading=11, wordWrap=wrap)
    head = ParagraphStyle("h", fontName=fonts.bold, fontSize=8.5, leading=11, wordWrap=wrap)
    story: list[Any] = [Paragraph(tr("staff.title"), title)]
    sub = " · ".join(
        x
        for x in (staffing.district, tr.date(staffing.plan_date) if staffing.plan_date else "")
        if x
    )
    if sub:
        story.append(Paragraph(sub, body))
    story.append(Spacer(1, 4 * mm))
    keys = ("area", "shift", "norm", "workload", "current", "gap")
    data: list[list[Any]] = [[Paragraph(tr(f"staff.col.{k}"), head) for k in keys]]
    t = staffing.table
    for row in t.itertuples(index=False):
        values = [
            row.area,
            row.shift,
            row.norm_headcount,
            row.workload_headcount,
            row.current,
            row.gap,
        ]
        data.append([Paragraph(_num(v), body) for v in values])
    # A surplus in one area does not fill a gap in another: the total gap adds gaps only.
    totals = (
        [tr("staff.total"), ""]
        + [_num(t[c].sum()) for c in ("norm_headcount", "workload_headcount", "current")]
        + [_num(t["gap"].clip(lower=0).sum())]
    )
    data.append([Paragraph(f"<b>{v}</b>", body) for v in totals])
    table = Table(data, colWidths=[w * mm for w in (48, 22, 28, 30, 22, 22)], repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f0f0f0")),
    ]
    for i, gap in enumerate(t["gap"], start=1):
        if pd.notna(gap) and float(gap) > 0:
            style.append(("TEXTCOLOR", (5, i), (5, i), colors.HexColor("#b2182b")))
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 2 * mm), Paragraph(tr("staff.note"), body), Spacer(1, 5 * mm)]
    if len(staffing.coverage):
        story.append(Image(io.BytesIO(coverage_png(staffing, tr)), width=170 * mm, height=84 * mm))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=tr("staff.title"),
        author="gridpatrol",
    )
    doc.build(story)
    return buf.getvalue()


def write_staffing_pdf(staffing: StaffingInput, path: str | Path, *, lang: str = "en") -> Path:
    """Write the staffing page to ``path`` and return it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(staffing_pdf_bytes(staffing, lang=lang))
    return out


def _num(value: object) -> str:
    """Integers without decimals, other numbers with one, text as is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if pd.isna(value):
            return ""
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return str(value)
