"""What the review reports share: PDF styles and tables, workbook sheets, JSON-safe values."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from maps.fonts import PdfFonts, pdf_canvas_options

HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")


def plain_number(value: Any, digits: int = 1) -> float | int | None:
    """A number as JSON data: NaN and missing as ``None``, rounded floats."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    if float(number).is_integer() and digits == 0:
        return int(number)
    return round(number, digits)


def each_row(frame: Any) -> Iterator[Any]:
    """The rows of a table as named tuples (typed loosely: columns hold mixed values)."""
    return iter(frame.itertuples(index=False))


def esc(text: object) -> str:
    """Text for a reportlab paragraph (markup characters escaped)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def styles(fonts: PdfFonts, cjk: bool) -> dict[str, ParagraphStyle]:
    """Paragraph styles of the review PDFs (those of the route sheets)."""
    base = {"fontName": fonts.regular, "wordWrap": "CJK" if cjk else None, "alignment": TA_LEFT}
    bold = {**base, "fontName": fonts.bold}
    return {
        "title": ParagraphStyle("title", fontSize=15, leading=19, **bold),
        "h2": ParagraphStyle("h2", fontSize=11, leading=14, spaceBefore=6, spaceAfter=3, **bold),
        "body": ParagraphStyle("body", fontSize=9, leading=12, **base),
        "cell": ParagraphStyle("cell", fontSize=7.5, leading=9.5, **base),
        "head": ParagraphStyle("head", fontSize=7.5, leading=9.5, **bold),
        "small": ParagraphStyle("small", fontSize=7, leading=9, textColor=colors.grey, **base),
    }


#: Page margins of the review PDFs (mm): left and right, top, bottom (room for the footer).
MARGIN_MM, TOP_MM, BOTTOM_MM = 12.0, 12.0, 14.0


def build_pdf(story: Sequence[Any], fonts: PdfFonts, *, title: str, footer: str) -> bytes:
    """An A4 review PDF of ``story``: the review margins, and on every page ``footer`` (the
    district, the period and when it was made) at the bottom left and the page number at the
    bottom right, in the PDF's own font (Chinese footers need the CJK font).
    """
    buf = io.BytesIO()
    width = A4[0]

    def page_end(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN_MM * mm, 9 * mm, footer)
        canvas.drawRightString(width - MARGIN_MM * mm, 9 * mm, str(document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_MM * mm,
        rightMargin=MARGIN_MM * mm,
        topMargin=TOP_MM * mm,
        bottomMargin=BOTTOM_MM * mm,
        title=title,
        author="gridpatrol",
        **pdf_canvas_options(fonts),
    )
    document.build(list(story), onFirstPage=page_end, onLaterPages=page_end)
    return buf.getvalue()


def pdf_table(
    heads: Sequence[str],
    rows: Sequence[Sequence[object]],
    st: dict[str, ParagraphStyle],
    widths_mm: Sequence[float],
    *,
    highlight: Sequence[int] = (),
) -> Table:
    """A bordered table with a shaded head row; rows listed in ``highlight`` are tinted red."""
    data: list[list[Any]] = [[Paragraph(esc(h), st["head"]) for h in heads]]
    data += [[Paragraph(esc(v), st["cell"]) for v in row] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths_mm], repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for i in highlight:
        style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#fde0dd")))
    table.setStyle(TableStyle(style))
    return table


def png_image(png: bytes, width_mm: float) -> Image:
    """A PNG as a reportlab image ``width_mm`` wide, keeping its aspect ratio."""
    from reportlab.lib.utils import ImageReader

    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    return Image(io.BytesIO(png), width=width_mm * mm, height=width_mm * mm * h / w)


def write_sheet(ws: Worksheet, heads: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Fill ``ws`` with a bold shaded head row and ``rows``; widths fit the longest values."""
    ws.append(list(heads))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_cell_value(v) for v in row])
    for i, head in enumerate(heads, start=1):
        longest = max([len(str(head))] + [len(str(r[i - 1])) for r in rows[:200]] or [8])
        ws.column_dimensions[get_column_letter(i)].width = min(max(8, longest + 2), 40)
    ws.freeze_panes = "A2"


def _cell_value(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value
