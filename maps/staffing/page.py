"""The staffing proposal as a one-page A4 PDF: team sizes, people on duty per shift, the chart.

Input is a small, explicit type (:class:`StaffingInput`, filled by
:func:`maps.staffing.tables.staffing_page_input`) with two tables that count different things
and are shown apart: **teams** (people on the team over the week, one row per area) and
**shifts** (people on duty at the same time, one row per area and shift). Nothing on the page
adds one to the other; the only totals are per-day sums of one area's shifts.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from maps.errors import MapInputError
from maps.fonts import PdfFonts, apply_figure_font, fallback_markup, pdf_canvas_options, pdf_fonts
from maps.i18n import Translator
from maps.staffing.chart import whole_units_axis

#: Columns of :attr:`StaffingInput.teams` (``is_district`` is optional).
TEAM_COLUMNS: Final = (
    "area",
    "population",
    "norm_headcount",
    "workload_headcount",
    "required",
    "current",
    "shortage",
    "surplus",
)
#: Columns of :attr:`StaffingInput.shifts` (``is_district`` is optional).
SHIFT_COLUMNS: Final = (
    "area",
    "shift",
    "workload_headcount",
    "current",
    "shortage",
    "surplus",
)
COVERAGE_COLUMNS: Final = ("units", "risk_share")
#: Columns that count people and can never be negative.
_COUNTS: Final = ("norm_headcount", "workload_headcount", "required", "current")

#: Colours of a shortage (red) and a surplus (green) above zero.
SHORT_COLOUR = "#b2182b"
SURPLUS_COLOUR = "#1a7837"


@dataclass(frozen=True)
class StaffingInput:
    """What the staffing page shows.

    Attributes
    ----------
    teams
        People on the team over the week, one row per area: ``area``, ``population``
        (residents; NaN where there is no population data, shown as such, never as 0),
        ``norm_headcount`` (1.5 per 1,000 residents), ``workload_headcount`` (team size the
        workload asks for), ``required`` (the larger), ``current``, ``shortage`` (people
        missing, >= 0), ``surplus`` (people more than required, >= 0); ``is_district`` marks
        the district row (all areas).
    shifts
        People on duty at the same time, one row per area and shift: ``area``, ``shift``,
        ``workload_headcount``, ``current``, ``shortage``, ``surplus`` (and ``is_district``;
        ``target_reached`` False where the workload is missing because no fleet tried reached
        the target).
    coverage
        The coverage curve: ``units`` on duty → ``risk_share`` (0..1) covered.
    district, plan_date
        For the title.
    coverage_fleet, coverage_shift
        Which curve ``coverage`` is (``"foot"``, ``"16-24"``), for the chart's title.
    shifts_per_person_week
        Shifts one person works per week (the team size note); ``None``: no note.
    left_out
        Areas with no row (no population data, workload or current staff), named in a note.
    """

    teams: pd.DataFrame
    shifts: pd.DataFrame
    coverage: pd.DataFrame
    district: str = ""
    plan_date: date | None = None
    coverage_fleet: str = ""
    coverage_shift: str = ""
    shifts_per_person_week: int | None = None
    left_out: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        for name, frame, cols in (
            ("teams", self.teams, TEAM_COLUMNS),
            ("shifts", self.shifts, SHIFT_COLUMNS),
            ("coverage", self.coverage, COVERAGE_COLUMNS),
        ):
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                problems.append(f"{name}: missing columns {missing} (got {list(frame.columns)})")
                continue
            for col in (*_COUNTS, "shortage", "surplus", "population"):
                if col not in frame.columns:
                    continue
                values = pd.to_numeric(frame[col], errors="coerce")
                bad = frame.index[values < 0].tolist()
                if bad:
                    problems.append(
                        f"{name}: column {col!r} must be >= 0 (a shortage is counted up from "
                        f"zero), got {values[bad[0]]} in row {bad[0]}"
                    )
        if not problems and len(self.coverage):
            share = self.coverage["risk_share"].astype(float)
            if ((share < 0) | (share > 1)).any():
                problems.append("coverage: risk_share must lie in 0..1")
        if problems:
            raise MapInputError("invalid staffing input: " + "; ".join(problems))


def coverage_png(staffing: StaffingInput, tr: Translator, *, dpi: int = 150) -> bytes:
    """The coverage curve as PNG bytes (labels in ``tr``'s language)."""
    fig = Figure(figsize=(6.5, 3.2), dpi=dpi)
    ax = fig.subplots()
    try:
        cov = staffing.coverage.sort_values("units")
        ax.plot(cov["units"], cov["risk_share"] * 100, marker="o", color="#1f4e9e")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # units come whole
        whole_units_axis(ax)
        ax.set_xlabel(tr("staff.chart.x"))
        ax.set_ylabel(tr("staff.chart.y") + " (%)")
        title = tr("staff.chart")
        if staffing.coverage_fleet:
            fleet = tr.get(f"fleet.{staffing.coverage_fleet}", staffing.coverage_fleet)
            curve = tr("staff.chart.curve", fleet=fleet, shift=staffing.coverage_shift)
            title = f"{title}\n{curve}"
        ax.set_title(title)
        ax.set_ylim(0, 102)
        ax.grid(alpha=0.3)
        apply_figure_font(fig, tr.lang)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        fig.clear()


def _known(value: object) -> bool:
    return (
        value is not None
        and value is not pd.NA
        and not (isinstance(value, float) and math.isnan(value))
    )


def _area_label(row: pd.Series, tr: Translator) -> str:
    return tr("staff.district") if bool(row.get("is_district", False)) else str(row["area"])


def team_rows(staffing: StaffingInput, tr: Translator) -> list[list[str]]:
    """The cells of the team table, one list per area (no total row: the district row already
    covers every area, and adding it to the areas would count them twice)."""
    out = []
    for _, row in staffing.teams.iterrows():
        known_pop = _known(row["population"])
        out.append(
            [
                _area_label(row, tr),
                _num(row["population"]) if known_pop else tr("staff.no_population"),
                _num(row["norm_headcount"]),
                _num(row["workload_headcount"]),
                _num(row["required"]),
                _num(row["current"]),
                _num(row["shortage"]),
                _num(row["surplus"]),
            ]
        )
    return out


def shift_rows(staffing: StaffingInput, tr: Translator) -> list[tuple[list[str], bool]]:
    """The cells of the shift table and whether each is a total row.

    After each area's shifts (two or more) comes its per-day total: a column is added up only
    when every shift has a value, and shortages and surpluses are summed apart (a surplus on
    one shift does not fill a shortage on another).
    """
    out: list[tuple[list[str], bool]] = []
    frame = staffing.shifts
    order = list(dict.fromkeys(frame["area"]))
    for area in order:
        part = frame[frame["area"] == area]
        for _, row in part.iterrows():
            workload = _num(row["workload_headcount"])
            reached = row.get("target_reached")
            if not _known(row["workload_headcount"]) and _known(reached) and not bool(reached):
                workload = tr("staff.not_reached")
            cells = [_area_label(row, tr), tr.band(str(row["shift"])), workload]
            cells += [_num(row[c]) for c in ("current", "shortage", "surplus")]
            out.append((cells, False))
        if len(part) >= 2:
            first = part.iloc[0]
            total = [_area_label(first, tr), tr("staff.per_day")]
            total += [
                _num(_sum_if_complete(part[c]))
                for c in ("workload_headcount", "current", "shortage", "surplus")
            ]
            out.append((total, True))
    return out


def _sum_if_complete(values: pd.Series) -> float | None:
    """The sum of ``values`` when every one is known, else ``None`` (a partial sum would read
    as a total)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any() or not len(numbers):
        return None
    return float(numbers.sum())


def _para(fonts: PdfFonts, markup: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph whose characters missing from the style's font are set in the fallback."""
    return Paragraph(fallback_markup(markup, fonts), style)


def _table(
    fonts: PdfFonts,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    *,
    body: ParagraphStyle,
    head: ParagraphStyle,
    totals: Sequence[bool] = (),
    shortage_col: int,
) -> Table:
    colour_of = {shortage_col: SHORT_COLOUR, shortage_col + 1: SURPLUS_COLOUR}
    data: list[list[Any]] = [[_para(fonts, h, head) for h in header]]
    for i, cells in enumerate(rows):
        bold = i < len(totals) and totals[i]
        line = []
        for col, text in enumerate(cells):
            markup = escape(text)
            if col in colour_of and _positive(text):
                # Paragraphs ignore a table's TEXTCOLOR: the colour goes into the markup.
                markup = f'<font color="{colour_of[col]}">{markup}</font>'
            if bold and text:
                markup = f"<b>{markup}</b>"
            line.append(_para(fonts, markup, body))
        data.append(line)
    table = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    style: list[Any] = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for i in range(1, len(rows) + 1):
        if i - 1 < len(totals) and totals[i - 1]:
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f0f0f0")))
    table.setStyle(TableStyle(style))
    return table


def _positive(text: str) -> bool:
    try:
        return float(text.replace(",", "")) > 0
    except ValueError:
        return False


def staffing_pdf_bytes(staffing: StaffingInput, *, lang: str = "en") -> bytes:
    """The staffing page as a one-page A4 PDF."""
    tr = Translator(lang)
    fonts = pdf_fonts(tr.lang)
    wrap = "CJK" if tr.is_chinese else None
    title = ParagraphStyle("t", fontName=fonts.bold, fontSize=15, leading=19, wordWrap=wrap)
    section = ParagraphStyle("s", fontName=fonts.bold, fontSize=10.5, leading=14, wordWrap=wrap)
    body = ParagraphStyle("b", fontName=fonts.regular, fontSize=8.5, leading=11, wordWrap=wrap)
    head = ParagraphStyle("h", fontName=fonts.bold, fontSize=8.5, leading=11, wordWrap=wrap)
    story: list[Any] = [_para(fonts, escape(tr("staff.title")), title)]
    sub = " · ".join(
        x
        for x in (staffing.district, tr.date(staffing.plan_date) if staffing.plan_date else "")
        if x
    )
    if sub:
        story.append(_para(fonts, escape(sub), body))
    story.append(Spacer(1, 4 * mm))

    if len(staffing.teams):
        keys = ("area", "residents", "norm", "workload", "required", "current")
        header = [tr(f"staff.col.{k}") for k in (*keys, "shortage", "surplus")]
        story += [
            _para(fonts, escape(tr("staff.teams")), section),
            Spacer(1, 1.5 * mm),
            _table(
                fonts,
                header,
                team_rows(staffing, tr),
                (40, 24, 20, 22, 18, 17, 20, 19),
                body=body,
                head=head,
                shortage_col=6,
            ),
            Spacer(1, 4 * mm),
        ]
    if len(staffing.shifts):
        header = [
            tr(f"staff.col.{k}")
            for k in ("area", "shift", "workload", "current", "shortage", "surplus")
        ]
        rows = shift_rows(staffing, tr)
        story += [
            _para(fonts, escape(tr("staff.shifts")), section),
            Spacer(1, 1.5 * mm),
            _table(
                fonts,
                header,
                [cells for cells, _ in rows],
                (40, 34, 30, 24, 26, 26),
                body=body,
                head=head,
                totals=[total for _, total in rows],
                shortage_col=4,
            ),
            Spacer(1, 2 * mm),
        ]
    notes = [tr("staff.note")]
    if staffing.shifts_per_person_week and len(staffing.teams):
        notes.append(tr("staff.note.team", n=staffing.shifts_per_person_week))
    if len(staffing.shifts):
        notes.append(tr("staff.note.totals"))
    if staffing.left_out:
        notes.append(tr("staff.note.left_out", areas=_names(staffing.left_out, tr)))
    story += [_para(fonts, n, body) for n in notes]
    story.append(Spacer(1, 4 * mm))
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
        **pdf_canvas_options(fonts),
    )
    doc.build(story)
    return buf.getvalue()


def _names(names: Sequence[str], tr: Translator, shown: int = 12) -> str:
    """The first ``shown`` names, then how many more (a page has room for a line or two)."""
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" {tr('staff.and_more', n=len(names) - shown)}"
    return text


def write_staffing_pdf(staffing: StaffingInput, path: str | Path, *, lang: str = "en") -> Path:
    """Write the staffing page to ``path`` and return it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(staffing_pdf_bytes(staffing, lang=lang))
    return out


def _num(value: object) -> str:
    """Integers without decimals, other numbers with one, unknown as a dash, text as is."""
    if value is None or value is pd.NA:
        return "–"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return str(value)
