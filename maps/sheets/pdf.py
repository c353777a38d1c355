"""Print-ready A4 route sheets (reportlab): header, route map, stop table, totals, sign-off.

One section per unit, each starting on a new page; :func:`write_pdf_sheets` writes them as one
bundle or one file per unit. The route map is drawn from the street geometry (no web tiles).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from maps.bundle import PlanBundle
from maps.colors import unit_color
from maps.fonts import PdfFonts, pdf_fonts
from maps.i18n import Translator
from maps.routegeom import route_geometry
from maps.sheets.routemap import route_png
from maps.sheets.rows import column_titles, route_rows, row_cells, totals_text, unit_heading
from maps.sheets.times import PlanClock
from planner.plan import UnitRoute

# Wide enough for a next-day time ("次日00:30") and "1小时0分钟" on one line.
_COL_WIDTHS_MM = (11, 38, 22, 20, 20, 20, 25, 24)


def _styles(fonts: PdfFonts, cjk: bool) -> dict[str, ParagraphStyle]:
    wrap = "CJK" if cjk else None
    base = {"fontName": fonts.regular, "wordWrap": wrap, "alignment": TA_LEFT}
    return {
        "title": ParagraphStyle(
            "title", fontSize=16, leading=20, **{**base, "fontName": fonts.bold}
        ),
        "body": ParagraphStyle("body", fontSize=9, leading=12, **base),
        "cell": ParagraphStyle("cell", fontSize=8, leading=10, **base),
        "head": ParagraphStyle("head", fontSize=8, leading=10, **{**base, "fontName": fonts.bold}),
        "small": ParagraphStyle("small", fontSize=7, leading=9, textColor=colors.grey, **base),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unit_story(
    bundle: PlanBundle,
    route: UnitRoute,
    color: str,
    tr: Translator,
    st: dict[str, ParagraphStyle],
) -> list[Any]:
    story: list[Any] = [Paragraph(_esc(f"{tr('sheet.title')} · {route.unit_id}"), st["title"])]
    pairs = unit_heading(bundle, route, tr)
    header = Table(
        [
            [Paragraph(f"<b>{_esc(k)}</b>", st["body"]), Paragraph(_esc(v), st["body"])]
            for k, v in pairs
        ],
        colWidths=[30 * mm, 150 * mm],
        hAlign="LEFT",
    )
    header.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])
    )
    story += [Spacer(1, 2 * mm), header, Spacer(1, 3 * mm)]
    geometry = route_geometry(route, bundle.station_xy())
    if geometry.legs:
        png = route_png(route, geometry, color, cells=bundle.cells)
        story.append(Image(io.BytesIO(png), width=180 * mm, height=80 * mm))
        story.append(Paragraph(_esc(tr("sheet.map_note")), st["small"]))
        story.append(Spacer(1, 3 * mm))
    clock = PlanClock.for_bundle(bundle, tr)
    data: list[list[Any]] = [[Paragraph(_esc(t), st["head"]) for t in column_titles(tr)]]
    for row in route_rows(bundle, route, tr):
        data.append([Paragraph(_esc(c), st["cell"]) for c in row_cells(row, clock)])
    table = Table(data, colWidths=[w * mm for w in _COL_WIDTHS_MM], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story.append(table)
    if not route.stops:
        story.append(Paragraph(_esc(tr("sheet.no_stops")), st["body"]))
    story.append(Spacer(1, 3 * mm))
    closing = [
        Paragraph(f"<b>{_esc(totals_text(route, tr))}</b>", st["body"]),
        Spacer(1, 7 * mm),
        Paragraph(_esc(tr("sheet.signoff")), st["body"]),
    ]
    story.append(KeepTogether(closing))
    return story


def pdf_bytes(
    bundle: PlanBundle,
    *,
    lang: str = "en",
    units: Sequence[str] | None = None,
    cjk_font_path: str | Path | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The route sheets of ``units`` (default: every unit) as one A4 PDF.

    Parameters
    ----------
    bundle
        The plan and its layers.
    lang
        ``"en"`` or ``"zh-CN"`` (Chinese text in an embedded Noto Sans CJK font).
    units
        Unit ids to print, in the plan's order; ``None`` for all.
    cjk_font_path
        A CJK font file to use instead of the system's Noto Sans CJK.
    generated_at
        Time printed in the footer (default: now); fix it for reproducible files.
    """
    tr = Translator(lang)
    fonts = pdf_fonts(tr.lang, cjk_font_path=cjk_font_path)
    st = _styles(fonts, tr.is_chinese)
    routes = bundle.routes(units)
    colors_by_unit = {r.unit_id: unit_color(i) for i, r in enumerate(bundle.routes())}
    stamp = (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
    buf = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 7)
        canvas.setFillColor(colors.grey)
        text = (
            f"{bundle.district} · {tr.date(bundle.plan_date)} · {tr('sheet.generated', when=stamp)}"
        )
        canvas.drawString(15 * mm, 10 * mm, text)
        canvas.drawRightString(195 * mm, 10 * mm, tr("sheet.page", page=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"{tr('sheet.title')} {bundle.district} {bundle.plan_date.isoformat()}",
        author="gridpatrol",
    )
    story: list[Any] = []
    for i, route in enumerate(routes):
        if i:
            story.append(PageBreak())
        story.extend(_unit_story(bundle, route, colors_by_unit[route.unit_id], tr, st))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def write_pdf_sheets(
    bundle: PlanBundle,
    out_dir: str | Path,
    *,
    lang: str = "en",
    units: Sequence[str] | None = None,
    per_unit: bool = True,
    cjk_font_path: str | Path | None = None,
) -> list[Path]:
    """Write ``route_sheets.pdf`` (all units) and, with ``per_unit``, ``route_<unit>.pdf``.

    Returns the paths written, the bundle first.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [r.unit_id for r in bundle.routes(units)]
    paths = [folder / "route_sheets.pdf"]
    paths[0].write_bytes(pdf_bytes(bundle, lang=lang, units=chosen, cjk_font_path=cjk_font_path))
    if per_unit:
        for unit_id in chosen:
            path = folder / f"route_{_safe(unit_id)}.pdf"
            path.write_bytes(
                pdf_bytes(bundle, lang=lang, units=[unit_id], cjk_font_path=cjk_font_path)
            )
            paths.append(path)
    return paths


def _safe(name: str) -> str:
    """A file-name-safe version of a unit id."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "unit"
