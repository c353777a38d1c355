"""The weekly review pack (每周点评) as files: JSON, one XLSX and one PDF per language.

The pack holds the week's incidents by area and category against last week and the same week
last year, the new and persisting hotspot areas, and, for the plans of the week that were
reviewed against tracks, each day's stops done and presence delivered, presence by area, posts
held, tasks dropped and why, and each unit's compliance over the week.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from geo.review.weekly import WeeklyIncidents
from maps.bundle import PlanBundle
from maps.fonts import pdf_canvas_options, pdf_fonts
from maps.i18n import Translator
from maps.review.common import each_row, esc, pdf_table, styles, write_sheet
from planner.review import PlanReview

WEEKLY_FORMAT = "gridpatrol-weekly-review"


@dataclass(frozen=True)
class DayReview:
    """One reviewed plan of the week: its bundle (plan, cells) and its review."""

    bundle: PlanBundle
    review: PlanReview


def _area_of_cells(bundle: PlanBundle) -> dict[str, str]:
    cells = bundle.cells
    if cells is None or "area_id" not in cells.columns:
        return {}
    return {
        str(c): str(a)
        for c, a in zip(cells["cell_id"], cells["area_id"], strict=True)
        if pd.notna(a)
    }


def weekly_tables(days: Sequence[DayReview]) -> dict[str, pd.DataFrame]:
    """The plan side of the pack: ``days``, ``presence_by_area``, ``posts``, ``dropped``,
    ``units`` (compliance over the week)."""
    day_rows, presence, posts, dropped, units = [], [], [], [], []
    for day in days:
        plan = day.bundle.plan
        date_text = day.bundle.plan_date.isoformat()
        totals = day.review.totals
        day_rows.append(
            {
                "plan_date": date_text,
                "shift": day.bundle.shift,
                "stops_planned": totals["stops_planned"],
                "stops_visited": totals["stops_visited"],
                "share_visited": round(float(totals["share_visited"]), 4),
                "planned_presence_min": totals["planned_presence_min"],
                "actual_presence_min": totals["actual_presence_min"],
                "share_presence_delivered": round(float(totals["share_presence_delivered"]), 4),
            }
        )
        areas = _area_of_cells(day.bundle)
        table = day.review.presence.assign(
            area_id=[areas.get(str(c), "") for c in day.review.presence["cell_id"]]
        )
        presence.append(table.groupby("area_id")[["planned_min", "actual_min"]].sum())
        posts.append(day.review.posts.assign(plan_date=date_text))
        if plan is not None:
            for d in plan.dropped:
                dropped.append(
                    {
                        "plan_date": date_text,
                        "task_id": d.task_id,
                        "label": d.label,
                        "reason": d.reason,
                    }
                )
        units.append(day.review.units.assign(plan_date=date_text))
    by_area = (
        pd.concat(presence).groupby(level=0).sum().reset_index()
        if presence
        else pd.DataFrame(columns=["area_id", "planned_min", "actual_min"])
    )
    unit_table = pd.concat(units) if units else pd.DataFrame()
    if len(unit_table):
        unit_table = (
            unit_table.groupby("unit_id")[
                ["stops_planned", "stops_visited", "planned_presence_min", "delivered_presence_min"]
            ]
            .sum()
            .reset_index()
        )
        unit_table["share_visited"] = unit_table["stops_visited"] / unit_table[
            "stops_planned"
        ].clip(lower=1)
        unit_table["share_presence_delivered"] = unit_table["delivered_presence_min"] / unit_table[
            "planned_presence_min"
        ].where(unit_table["planned_presence_min"] > 0)
    return {
        "days": pd.DataFrame(day_rows),
        "presence_by_area": by_area,
        "posts": pd.concat(posts, ignore_index=True) if posts else pd.DataFrame(),
        "dropped": pd.DataFrame(dropped, columns=["plan_date", "task_id", "label", "reason"]),
        "units": unit_table,
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", force_ascii=False))
    return out


def weekly_document(
    week: WeeklyIncidents, days: Sequence[DayReview], *, district: str = ""
) -> dict[str, Any]:
    """The pack as a JSON-ready document."""
    tables = weekly_tables(days)
    return {
        "format": WEEKLY_FORMAT,
        "version": 1,
        "district": district,
        "week": week.week,
        "previous_week": week.previous_week,
        "week_last_year": week.week_last_year,
        "areas": _records(week.by_area),
        "categories": _records(week.by_category),
        "hotspots": {
            "new": week.by_area.loc[week.by_area["hotspot"] == "new", "area_id"].tolist(),
            "persisting": week.by_area.loc[
                week.by_area["hotspot"] == "persisting", "area_id"
            ].tolist(),
        },
        **{name: _records(frame) for name, frame in tables.items()},
    }


def _area_rows(week: WeeklyIncidents, tr: Translator) -> list[list[object]]:
    return [
        [
            r.name,
            int(r.count),
            int(r.count_last_week),
            f"{int(r.change_week):+d}",
            int(r.count_last_year),
            f"{int(r.change_year):+d}",
            tr(f"review.week.hotspot.{r.hotspot}") if r.hotspot else "",
        ]
        for r in each_row(week.by_area)
    ]


def _area_heads(tr: Translator) -> list[str]:
    keys = ("area", "week", "last_week", "change_week", "last_year", "change_year", "hotspot")
    return [tr(f"review.week.col.{k}") for k in keys]


def weekly_pdf(
    week: WeeklyIncidents,
    days: Sequence[DayReview],
    *,
    district: str,
    lang: str = "en",
    generated_at: datetime | None = None,
) -> bytes:
    """The pack as an A4 PDF."""
    tr = Translator(lang)
    fonts = pdf_fonts(tr.lang)
    st = styles(fonts, tr.is_chinese)
    tables = weekly_tables(days)
    story: list[Any] = [
        Paragraph(esc(tr("review.week.title", week=week.week, district=district)), st["title"]),
        Paragraph(
            esc(tr("review.week.subtitle", previous=week.previous_week, year=week.week_last_year)),
            st["body"],
        ),
        Spacer(1, 2 * mm),
        Paragraph(esc(tr("review.week.incidents")), st["h2"]),
        pdf_table(_area_heads(tr), _area_rows(week, tr), st, (40, 20, 20, 20, 22, 22, 30)),
    ]
    if len(tables["days"]):
        story.append(Paragraph(esc(tr("review.week.plans")), st["h2"]))
        rows = [
            [
                r.plan_date,
                r.shift or "",
                f"{int(r.stops_visited)}/{int(r.stops_planned)}",
                tr.percent(float(r.share_visited)),
                tr.percent(float(r.share_presence_delivered)),
            ]
            for r in each_row(tables["days"])
        ]
        heads = [
            tr(f"review.week.col.{k}") for k in ("date", "shift", "stops", "done", "delivered")
        ]
        story.append(pdf_table(heads, rows, st, (30, 22, 26, 24, 34)))
        story.append(Paragraph(esc(tr("review.plan.units")), st["h2"]))
        rows = [
            [
                r.unit_id,
                f"{int(r.stops_visited)}/{int(r.stops_planned)}",
                tr.percent(float(r.share_visited)),
                "–"
                if pd.isna(r.share_presence_delivered)
                else tr.percent(float(r.share_presence_delivered)),
            ]
            for r in each_row(tables["units"])
        ]
        heads = [
            tr("review.col.unit"),
            tr("review.week.col.stops"),
            tr("review.week.col.done"),
            tr("review.week.col.delivered"),
        ]
        story.append(pdf_table(heads, rows, st, (24, 26, 24, 34)))
        if len(tables["dropped"]):
            story.append(Paragraph(esc(tr("review.week.dropped")), st["h2"]))
            rows = [[r.plan_date, r.label, r.reason] for r in each_row(tables["dropped"])]
            heads = [
                tr("review.week.col.date"),
                tr("review.col.place"),
                tr("review.week.col.reason"),
            ]
            story.append(pdf_table(heads, rows, st, (24, 60, 102)))
    buf = io.BytesIO()
    stamp = (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M")

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.regular, 7)
        canvas.drawString(12 * mm, 9 * mm, f"{district} · {week.week} · {stamp}")
        canvas.drawRightString(198 * mm, 9 * mm, str(document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=tr("review.week.title", week=week.week, district=district),
        author="gridpatrol",
        **pdf_canvas_options(fonts),
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def weekly_xlsx(week: WeeklyIncidents, days: Sequence[DayReview], *, lang: str = "en") -> bytes:
    """The pack as a workbook: areas, categories, and the plan tables when plans were given."""
    tr = Translator(lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = week.week
    write_sheet(ws, _area_heads(tr), _area_rows(week, tr))
    cats = wb.create_sheet("categories")
    write_sheet(
        cats,
        list(week.by_category.columns),
        [list(r) for r in week.by_category.itertuples(index=False, name=None)],
    )
    for name, frame in weekly_tables(days).items():
        if len(frame):
            sheet = wb.create_sheet(name[:31])
            write_sheet(
                sheet,
                [str(c) for c in frame.columns],
                [list(r) for r in frame.itertuples(index=False, name=None)],
            )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_weekly(
    week: WeeklyIncidents,
    days: Sequence[DayReview],
    out: Path,
    *,
    district: str,
    langs: Sequence[str] = ("en", "zh-CN"),
    generated_at: datetime | None = None,
) -> dict[str, Path]:
    """Write ``weekly_{week}.json`` and, per language, ``.pdf`` and ``.xlsx`` to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"weekly_{week.week}"
    paths: dict[str, Path] = {"json": out / f"{stem}.json"}
    doc = weekly_document(week, days, district=district)
    paths["json"].write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    for lang in langs:
        paths[f"pdf_{lang}"] = out / f"{stem}_{lang}.pdf"
        paths[f"pdf_{lang}"].write_bytes(
            weekly_pdf(week, days, district=district, lang=lang, generated_at=generated_at)
        )
        paths[f"xlsx_{lang}"] = out / f"{stem}_{lang}.xlsx"
        paths[f"xlsx_{lang}"].write_bytes(weekly_xlsx(week, days, lang=lang))
    return paths
