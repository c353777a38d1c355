"""Print-ready A4 route sheets (reportlab): header, route map, stop table, totals, sign-off.

One section per unit, each starting on a new page; :func:`write_pdf_sheets` writes them as one
bundle or one file per unit. Every page carries its unit's id. The route map shows the unit's
own route at a scale that fits it, drawn from the street geometry of the plan file and named
from OSM (no web tiles). Each stop row names the place by street and crossing (or the user's
name for posts and lines), keeps the cell in its own column, prints lat/lon and a QR code of
the stop's ``geo:`` link that opens it in a phone's map app.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
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
from maps.fonts import (
    PdfFonts,
    draw_fallback_string,
    fallback_markup,
    pdf_canvas_options,
    pdf_fonts,
)
from maps.i18n import Translator
from maps.routegeom import route_geometry
from maps.sheets.changes import changes_story
from maps.sheets.places import geo_uri
from maps.sheets.presence import presence_story
from maps.sheets.routemap import RouteMap, map_height_in, route_map
from maps.sheets.rows import SheetRow, route_rows, row_cells, totals_text, unit_heading
from maps.sheets.times import PlanClock
from planner.plan import UnitRoute

# No., place, cell, arrive, leave, duration, task and notes, lat/lon, QR: 182 mm, the width
# inside 14 mm margins. Times are wide enough for a next-day time ("次日00:30").
_COL_WIDTHS_MM = (8, 42, 15, 17, 17, 16, 33, 19, 15)
#: Side of a stop's QR code (about 0.5 mm a module for a geo: link: phones read it).
QR_SIDE_MM = 13.0
_MAP_WIDTH_MM = 182.0


class UnitMark(Flowable):
    """An invisible mark at the start of a unit's section: pages from here on are that
    unit's (their running head names it)."""

    def __init__(self, heading: str) -> None:
        super().__init__()
        self.heading = heading
        self.width = self.height = 0

    def draw(self) -> None:  # nothing to draw: the document reads the heading
        return None


class _SheetDoc(SimpleDocTemplate):
    """A4 sheets whose every page is headed by the unit it belongs to."""

    def __init__(self, *args: Any, page_end: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit_heading = ""
        self._page_end = page_end

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 (reportlab hook)
        if isinstance(flowable, UnitMark):
            self.unit_heading = flowable.heading

    def afterPage(self) -> None:  # noqa: N802 (reportlab hook)
        self._page_end(self.canv, self)


def qr_drawing(value: str, side_mm: float = QR_SIDE_MM) -> Drawing:
    """A QR code of ``value`` (a ``geo:`` link) as a drawing ``side_mm`` wide; the widget is
    ``drawing.contents[0]`` and its ``value`` the encoded text."""
    widget = QrCodeWidget(value, barLevel="M", barBorder=1)
    x0, y0, x1, y1 = widget.getBounds()
    side = side_mm * mm
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def qr_values(story: Sequence[Any]) -> list[str]:
    """The texts of every QR code in a story (tables searched), in order."""
    found: list[str] = []

    def visit(item: Any) -> None:
        if isinstance(item, Drawing):
            found.extend(w.value for w in item.contents if isinstance(w, QrCodeWidget))
        elif isinstance(item, Table):
            for row in item._cellvalues:
                for cell in row:
                    for part in cell if isinstance(cell, list | tuple) else [cell]:
                        visit(part)
        elif isinstance(item, KeepTogether):
            for part in item._content:
                visit(part)

    for item in story:
        visit(item)
    return found


def with_fallback(story: Sequence[Any], fonts: PdfFonts) -> list[Any]:
    """``story`` with every paragraph (in tables too) set so that characters its font lacks
    print in the fallback font: Chinese station, street and duty names in an English sheet."""
    if fonts.fallback is None:
        return list(story)

    def fix(item: Any) -> Any:
        if isinstance(item, Paragraph):
            markup = fallback_markup(item.text, fonts)
            return item if markup == item.text else Paragraph(markup, item.style)
        if isinstance(item, Table):
            for row in item._cellvalues:
                for k, cell in enumerate(row):
                    row[k] = [fix(c) for c in cell] if isinstance(cell, list) else fix(cell)
        elif isinstance(item, KeepTogether):
            item._content = [fix(c) for c in item._content]
        return item

    return [fix(item) for item in story]


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


def unit_page_heading(bundle: PlanBundle, route: UnitRoute, tr: Translator) -> str:
    """The running head of a unit's pages: ``Unit F1 · foot · 2024-03-05``."""
    return tr(
        "sheet.unit_page",
        unit=route.unit_id,
        mode=tr(f"mode.{route.mode}"),
        date=tr.date(bundle.plan_date),
    )


def local_street_names(bundle: PlanBundle, lang: str) -> dict[str, str]:
    """OSM street name -> its name in ``lang`` (``name:zh``, ``name:en``), as the plan's stops
    know them (:meth:`geo.naming.Place.in_lang`): the sheet's map and its list of streets then
    name a street as its stop table does."""
    table: dict[str, str] = {}
    for place in bundle.places.values():
        local = place.in_lang(lang)
        for field_name in ("street", "crossing", "near"):
            name, other = getattr(place, field_name), getattr(local, field_name)
            if name and other and other != name:
                table.setdefault(name, other)
    return table


def unit_streets(bundle: PlanBundle, unit_id: str, lang: str) -> list[tuple[str, Any]]:
    """The named streets of a unit's route, each under its name in ``lang`` where known."""
    local = local_street_names(bundle, lang)
    return [(local.get(name, name), line) for name, line in bundle.streets.get(unit_id, ())]


def sheet_route_map(bundle: PlanBundle, route: UnitRoute, color: str, lang: str) -> RouteMap:
    """The route map printed on ``route``'s sheet (its own extent, streets named)."""
    geometry = route_geometry(route, bundle.station_xy())
    width_in = _MAP_WIDTH_MM / 25.4
    height_in = map_height_in(route, geometry, width_in, low=2.6, high=4.4)
    return route_map(
        route,
        geometry,
        color,
        streets=unit_streets(bundle, route.unit_id, lang),
        cells=bundle.cells,
        width_in=width_in,
        height_in=height_in,
        lang=lang,
    )


def _row_flowables(row: SheetRow, clock: PlanClock, st: dict[str, ParagraphStyle]) -> list[Any]:
    """The cells of one stop table row: the place with its street under it, the cell, the
    times, task and notes in one cell, lat/lon, the QR code of the place."""
    order, place, cell, arrive, leave, dwell, task, notes = row_cells(row, clock)
    where = f"<b>{_esc(place)}</b>" if row.order is not None else _esc(place)
    if row.street and row.street not in place:  # a post's own name, then its street
        where += f"<br/><font size=7>{_esc(row.street)}</font>"
    coords = (  # 6 decimals (0.1 m), the digits of the QR code's geo: link
        ""
        if row.lat is None or row.lon is None
        else f"<font size=7>{row.lat:.6f}<br/>{row.lon:.6f}</font>"
    )
    duty = _esc(task) + (f"<br/><font size=7>{_esc(notes)}</font>" if notes else "")
    qr: Any = ""
    if row.order is not None and row.lat is not None and row.lon is not None:
        qr = qr_drawing(geo_uri(row.lat, row.lon))
    return [
        Paragraph(_esc(order), st["cell"]),
        Paragraph(where, st["cell"]),
        Paragraph(_esc(cell), st["cell"]),
        Paragraph(_esc(arrive), st["cell"]),
        Paragraph(_esc(leave), st["cell"]),
        Paragraph(_esc(dwell), st["cell"]),
        Paragraph(duty, st["cell"]),
        Paragraph(coords, st["cell"]),
        qr,
    ]


def _column_heads(tr: Translator) -> list[str]:
    return [
        tr("sheet.col.order"),
        tr("sheet.col.place"),
        tr("sheet.col.cell"),
        tr("sheet.col.arrive"),
        tr("sheet.col.leave"),
        tr("sheet.col.dwell"),
        f"{tr('sheet.col.task')} / {tr('sheet.col.notes')}",
        tr("sheet.col.coords"),
        tr("sheet.col.qr"),
    ]


def unit_story(
    bundle: PlanBundle,
    route: UnitRoute,
    color: str,
    tr: Translator,
    st: dict[str, ParagraphStyle],
) -> list[Any]:
    """The flowables of one unit's sheet (header, map, stop table, totals, sign-off)."""
    story: list[Any] = [
        UnitMark(unit_page_heading(bundle, route, tr)),
        Paragraph(_esc(f"{tr('sheet.title')} · {route.unit_id}"), st["title"]),
    ]
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
    if geometry.legs or route.stops:
        drawn = sheet_route_map(bundle, route, color, tr.lang)
        story.append(
            Image(
                io.BytesIO(drawn.png),
                width=drawn.width_in * 25.4 * mm,
                height=drawn.height_in * 25.4 * mm,
            )
        )
        note = tr("sheet.street_map_note") if bundle.streets else tr("sheet.map_note")
        scale = tr("sheet.scale", scale=f"{drawn.scale:,}")
        story.append(Paragraph(_esc(f"{note} {scale}"), st["small"]))
        street_names = list(
            dict.fromkeys(n for n, _ in unit_streets(bundle, route.unit_id, tr.lang))
        )
        if street_names:
            shown = ", ".join(street_names[:12]) + (" …" if len(street_names) > 12 else "")
            story.append(Paragraph(_esc(tr("sheet.streets_used", streets=shown)), st["small"]))
        story.append(Spacer(1, 3 * mm))
    clock = PlanClock.for_bundle(bundle, tr)
    data: list[list[Any]] = [[Paragraph(_esc(t), st["head"]) for t in _column_heads(tr)]]
    for row in route_rows(bundle, route, tr):
        data.append(_row_flowables(row, clock, st))
    table = Table(data, colWidths=[w * mm for w in _COL_WIDTHS_MM], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f5")]),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story.append(table)
    if not route.stops:
        story.append(Paragraph(_esc(tr("sheet.no_stops")), st["body"]))
    else:
        story.append(Paragraph(_esc(tr("sheet.qr_note")), st["small"]))
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
        ``"en"`` or ``"zh-CN"``; the fonts are embedded (:mod:`maps.fonts`).
    units
        Unit ids to print, in the plan's order; ``None`` for all.
    cjk_font_path
        A TrueType font file to use instead of the packaged fonts (see :mod:`maps.fonts`).
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

    def page_end(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.black)
        heading = doc.unit_heading
        draw_fallback_string(
            canvas,
            196 * mm,
            288 * mm,
            heading,
            font_name=fonts.bold,
            size=9,
            fonts=fonts,
            align="right",
        )
        canvas.setFillColor(colors.grey)
        text = (
            f"{bundle.district} · {tr.date(bundle.plan_date)} · {tr('sheet.generated', when=stamp)}"
        )
        draw_fallback_string(
            canvas, 14 * mm, 10 * mm, text, font_name=fonts.regular, size=7, fonts=fonts
        )
        page = f"{heading} · {tr('sheet.page', page=doc.page)}"
        draw_fallback_string(
            canvas,
            196 * mm,
            10 * mm,
            page,
            font_name=fonts.regular,
            size=7,
            fonts=fonts,
            align="right",
        )
        canvas.restoreState()

    doc = _SheetDoc(
        buf,
        page_end=page_end,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"{tr('sheet.title')} {bundle.district} {bundle.plan_date.isoformat()}",
        author="gridpatrol",
        **pdf_canvas_options(fonts),
    )
    story: list[Any] = []
    if bundle.presence and (units is None or len(units) > 1):
        # The coordinator's copy opens with the presence (见警率) summary.
        summary = presence_story(bundle, tr, st) + changes_story(bundle, tr, st)
        story += [UnitMark(tr("presence.sheet.heading")), *summary, PageBreak()]
    for i, route in enumerate(routes):
        if i:
            story.append(PageBreak())
        story.extend(unit_story(bundle, route, colors_by_unit[route.unit_id], tr, st))
    doc.build(with_fallback(story, fonts))
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
