"""The weekly review pack (每周点评) as files: JSON, one XLSX and one PDF per language.

The pack holds the week's incidents by area and category against last week and the same week
last year, the new and persisting hotspot areas and cells (cells named by the street of the
plans' hotspot stop in them where the plans name their stops, else by the grid), and, for the
plans of the week that were reviewed against tracks, each day's stops done and presence
delivered, presence by area, posts held, tasks dropped and why, and each unit's compliance over
the week.
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
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from geo.review.weekly import MIN_CELL_COUNT, WeeklyIncidents
from maps.bundle import PlanBundle
from maps.fonts import pdf_fonts
from maps.i18n import Translator
from maps.review.common import build_pdf, each_row, esc, pdf_table, styles, write_sheet
from maps.sheets.changes import bundle_cell_labels
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


def cell_labels(week: WeeklyIncidents, days: Sequence[DayReview], tr: Translator) -> dict[str, str]:
    """``{cell_id: label}`` of the week's hotspot cells: the street of a plan's hotspot stop in
    the cell with the grid's name (the first plan naming it), else the grid's name or id."""
    plain = {str(r.cell_id): str(r.name or r.cell_id) for r in each_row(week.cells)}
    out = dict(plain)
    named: set[str] = set()
    for day in days:
        for cell, label in bundle_cell_labels(day.bundle, tr).items():
            # a label other than the grid's plain name carries the street of a hotspot stop
            if cell in plain and cell not in named and label not in (plain[cell], cell):
                out[cell] = label
                named.add(cell)
    return out


def _cell_rows(
    week: WeeklyIncidents, days: Sequence[DayReview], tr: Translator
) -> list[list[object]]:
    labels = cell_labels(week, days, tr)
    return [
        [
            labels.get(str(r.cell_id), str(r.cell_id)),
            str(r.cell_id),
            r.area_id or "",
            int(r.count),
            int(r.count_last_week),
            f"{int(r.change_week):+d}",
            tr(f"review.week.hotspot.{r.hotspot}"),
        ]
        for r in each_row(week.cells)
    ]


def _cell_heads(tr: Translator) -> list[str]:
    keys = ("place", "cell", "area", "week", "last_week", "change_week", "hotspot")
    return [tr(f"review.week.col.{k}") for k in keys]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", force_ascii=False))
    return out


def weekly_document(
    week: WeeklyIncidents,
    days: Sequence[DayReview],
    *,
    district: str = "",
    timezone: str | None = None,
) -> dict[str, Any]:
    """The pack as a JSON-ready document (``timezone``: the zone the incidents' weeks were
    counted in, stated in the document)."""
    tables = weekly_tables(days)
    labels = cell_labels(week, days, Translator("en"))
    hot_cells = week.cells.assign(label=[labels.get(str(c), str(c)) for c in week.cells["cell_id"]])
    return {
        "format": WEEKLY_FORMAT,
        "version": 1,
        "district": district,
        "timezone": timezone,
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
            "cells": {
                kind: week.cells.loc[week.cells["hotspot"] == kind, "cell_id"].tolist()
                for kind in ("new", "persisting", "ended")
            },
        },
        "hotspot_cells": _records(hot_cells),
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
    timezone: str | None = None,
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
        *(
            [Paragraph(esc(tr("review.week.timezone", zone=timezone)), st["small"])]
            if timezone
            else []
        ),
        Spacer(1, 2 * mm),
        Paragraph(esc(tr("review.week.incidents")), st["h2"]),
        pdf_table(_area_heads(tr), _area_rows(week, tr), st, (40, 20, 20, 20, 22, 22, 30)),
    ]
    if week.cells_counted:
        story.append(Paragraph(esc(tr("review.week.cells")), st["h2"]))
        if len(week.cells):
            widths = (66, 22, 22, 16, 16, 16, 28)
            story.append(pdf_table(_cell_heads(tr), _cell_rows(week, days, tr), st, widths))
        else:
            story.append(Paragraph(esc(tr("review.week.no_cells", n=MIN_CELL_COUNT)), st["body"]))
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
    stamp = (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
    return build_pdf(
        story,
        fonts,
        title=tr("review.week.title", week=week.week, district=district),
        footer=f"{district} · {week.week} · {stamp}",
    )


def weekly_xlsx(week: WeeklyIncidents, days: Sequence[DayReview], *, lang: str = "en") -> bytes:
    """The pack as a workbook: areas, categories, and the plan tables when plans were given."""
    tr = Translator(lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = week.week
    write_sheet(ws, _area_heads(tr), _area_rows(week, tr))
    if len(week.cells):
        write_sheet(wb.create_sheet("hotspot cells"), _cell_heads(tr), _cell_rows(week, days, tr))
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
    timezone: str | None = None,
) -> dict[str, Path]:
    """Write ``weekly_{week}.json`` and, per language, ``.pdf`` and ``.xlsx`` to ``out``
    (``timezone``: the zone the weeks were counted in, stated in each)."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"weekly_{week.week}"
    paths: dict[str, Path] = {"json": out / f"{stem}.json"}
    doc = weekly_document(week, days, district=district, timezone=timezone)
    paths["json"].write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    for lang in langs:
        paths[f"pdf_{lang}"] = out / f"{stem}_{lang}.pdf"
        paths[f"pdf_{lang}"].write_bytes(
            weekly_pdf(
                week,
                days,
                district=district,
                lang=lang,
                generated_at=generated_at,
                timezone=timezone,
            )
        )
        paths[f"xlsx_{lang}"] = out / f"{stem}_{lang}.xlsx"
        paths[f"xlsx_{lang}"].write_bytes(weekly_xlsx(week, days, lang=lang))
    return paths
