"""The presence (见警率) summary page of the route sheets: the plan's value against its bound,
presence per hour and per area, each unit's share of the shift on patrol, the spread against
risk and population, populated cells without presence and night hours.

Drawn only from the plan file's ``presence`` and ``bound`` entries (:class:`~maps.bundle.
PlanBundle`), so it prints exactly what was planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from maps.bundle import PlanBundle
from maps.i18n import Translator

#: Populated cells without presence listed by name before "...".
MAX_LISTED = 12


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = int(seconds) % 86400
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * float(value):.0f}%"


def _table(rows: list[list[str]], st: Mapping[str, ParagraphStyle], widths: list[float]) -> Table:
    cells = [
        [Paragraph(_esc(v), st["head"] if i == 0 else st["cell"]) for v in row]
        for i, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def presence_lines(bundle: PlanBundle, tr: Translator) -> list[str]:
    """The summary sentences of the page (value and bound, risk share, spread, gaps, night)."""
    presence: Mapping[str, Any] = bundle.presence or {}
    bound: Mapping[str, Any] = bundle.bound or {}
    lines: list[str] = []
    if bound:
        lines.append(
            tr(
                "presence.sheet.value",
                value=f"{float(bound['value']):.2f}",
                bound=f"{float(bound['bound']):.2f}",
                ratio=_pct(bound.get("ratio")),
            )
        )
    rule = presence.get("rule") or {}
    lines.append(
        tr(
            "presence.sheet.risk_share",
            dwell=f"{float(rule.get('dwell_min', 12)):g}",
            share=_pct(presence.get("risk_share")),
        )
    )
    gini_p = presence.get("gini_population")
    lines.append(
        tr(
            "presence.sheet.gini",
            risk=f"{float(presence.get('gini_risk') or 0.0):.2f}",
            population="–" if gini_p is None else f"{float(gini_p):.2f}",
        )
    )
    empty = list(presence.get("populated_cells_without_presence") or [])
    listed = ", ".join(empty[:MAX_LISTED]) + (" ..." if len(empty) > MAX_LISTED else "")
    lines.append(tr("presence.sheet.unvisited", cells=listed or tr("presence.sheet.none")))
    night = presence.get("night") or {}
    if night.get("risk_share") is None and not night.get("minutes"):
        lines.append(tr("presence.sheet.no_night"))
    else:
        lines.append(
            tr(
                "presence.sheet.night",
                minutes=f"{float(night.get('minutes') or 0):.0f}",
                share=_pct(night.get("risk_share")),
            )
        )
    return lines


def presence_story(
    bundle: PlanBundle, tr: Translator, st: Mapping[str, ParagraphStyle]
) -> list[Any]:
    """The flowables of the summary page; empty when the plan file has no presence entry."""
    presence: Mapping[str, Any] = bundle.presence or {}
    if not presence:
        return []
    story: list[Any] = [Paragraph(_esc(tr("presence.sheet.title")), st["title"])]
    story.append(Spacer(1, 2 * mm))
    for line in presence_lines(bundle, tr):
        story.append(Paragraph(_esc(line), st["body"]))
    story.append(Spacer(1, 3 * mm))
    top_n = min(5, len(presence.get("hotspots") or []))
    hours = [
        [
            tr("presence.col.hour"),
            tr("presence.col.minutes"),
            tr("presence.col.cells"),
            tr("presence.col.top", n=top_n),
        ]
    ]
    for h in presence.get("by_hour") or []:
        hours.append(
            [
                _clock(h["hour_start_s"]),
                f"{float(h['minutes']):.0f}",
                str(h["cells"]),
                f"{h['top_hotspots_present']}/{top_n}",
            ]
        )
    story += [
        Paragraph(_esc(tr("presence.sheet.hours_title")), st["head"]),
        _table(hours, st, [25 * mm, 35 * mm, 25 * mm, 45 * mm]),
        Spacer(1, 3 * mm),
    ]
    units = [
        [
            tr("presence.col.unit"),
            tr("presence.col.patrol"),
            tr("presence.col.presence_share"),
            tr("presence.col.minutes"),
            tr("presence.col.last"),
        ]
    ]
    for u in presence.get("units") or []:
        units.append(
            [
                str(u["unit_id"]),
                _pct(u.get("patrol_share")),
                _pct(u.get("presence_share")),
                f"{float(u.get('presence_min') or 0):.0f}",
                _clock(u.get("last_duty_end_s")),
            ]
        )
    story += [
        Paragraph(_esc(tr("presence.sheet.units_title")), st["head"]),
        _table(units, st, [25 * mm, 25 * mm, 35 * mm, 35 * mm, 35 * mm]),
    ]
    areas = presence.get("by_area") or {}
    if areas:
        rows = [[tr("presence.col.area"), tr("presence.col.minutes")]]
        rows += [[str(k), f"{float(v):.0f}"] for k, v in areas.items()]
        story += [
            Spacer(1, 3 * mm),
            Paragraph(_esc(tr("presence.sheet.areas_title")), st["head"]),
            _table(rows, st, [45 * mm, 35 * mm]),
        ]
    return story
