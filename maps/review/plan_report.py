"""The plan review as files: JSON (``review.json``), an XLSX workbook, a PDF and a map picture,
in English and Chinese.

:func:`plan_review_document` turns a :class:`planner.review.PlanReview` into the JSON document
(``units[]`` with ``unit_id``, ``stops_planned``, ``stops_visited``; ``stops[]`` with
``visited``); :func:`write_plan_review` writes every file. Times are given as wall-clock
seconds and as ISO 8601 with the UTC offset (:func:`planner.clock.wall_clock_iso`).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from maps.bundle import PlanBundle
from maps.fonts import pdf_fonts
from maps.i18n import Translator
from maps.review.common import (
    build_pdf,
    each_row,
    esc,
    pdf_table,
    plain_number,
    png_image,
    styles,
    write_sheet,
)
from maps.review.drawing import plan_vs_actual_png
from planner.clock import wall_clock_iso
from planner.review import PlanReview

#: The ``format`` of a plan review document.
REVIEW_FORMAT = "gridpatrol-plan-review"
REVIEW_VERSION = 1


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _iso(bundle: PlanBundle, seconds: Any) -> str | None:
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return None
    return wall_clock_iso(bundle.plan_date, int(round(float(seconds))), bundle.timezone)


def plan_review_document(
    review: PlanReview,
    bundle: PlanBundle,
    *,
    plan_path: str | None = None,
    tracks: Sequence[str] = (),
    fixes_read: int | None = None,
    rejected: pd.DataFrame | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The plan review as a JSON-ready document.

    Parameters
    ----------
    review
        The review (:func:`planner.review.review_plan`).
    bundle
        The plan it reviews (district, date, time zone).
    plan_path, tracks
        The plan file and the track files read, for the record.
    fixes_read
        Fixes read before screening.
    rejected
        The fixes kept out (:attr:`geo.io.tracks.ScreenedFixes.rejected`): ``unit_id``,
        ``source``, ``source_row``, ``reason``, ``detail``; the first 500 are listed.
    options
        The matching options used.
    """
    stops = []
    for row in each_row(review.stops):
        stops.append(
            {
                "unit_id": row.unit_id,
                "order": int(row.order),
                "task_id": row.task_id,
                "kind": row.kind,
                "label": row.label,
                "cell_id": _text(row.cell_id),
                "area_id": _text(row.area_id),
                "required": bool(row.required),
                "visited": bool(row.visited),
                "evidence": row.evidence or None,
                "planned_arrive_s": int(row.planned_arrive_s),
                "planned_arrive": _iso(bundle, row.planned_arrive_s),
                "planned_dwell_s": int(row.planned_dwell_s),
                "window_start_s": plain_number(row.window_start_s, 0),
                "window_end_s": plain_number(row.window_end_s, 0),
                "arrive_s": plain_number(row.arrive_s, 0),
                "arrive": _iso(bundle, row.arrive_s),
                "leave_s": plain_number(row.leave_s, 0),
                "delay_s": plain_number(row.delay_s, 0),
                "dwell_s": plain_number(row.dwell_s, 0),
                "dwell_band": row.dwell_band or None,
                "planned_walk_s": int(row.planned_walk_s),
                "walk_share": plain_number(row.walk_share, 3),
            }
        )
    units = [
        {
            "unit_id": r.unit_id,
            "mode": r.mode,
            "stops_planned": int(r.stops_planned),
            "stops_visited": int(r.stops_visited),
            "share_visited": round(float(r.share_visited), 4),
            "planned_presence_min": plain_number(r.planned_presence_min),
            "actual_presence_min": plain_number(r.actual_presence_min),
            "delivered_presence_min": plain_number(r.delivered_presence_min),
            "share_presence_delivered": round(float(r.share_presence_delivered), 4),
            "fixes": int(r.fixes),
            "distance_km": plain_number(r.distance_km, 2),
            "tracked": bool(r.tracked),
        }
        for r in each_row(review.units)
    ]
    presence = [
        {
            "cell_id": r.cell_id,
            "hour_start_s": int(r.hour_start_s),
            "hour_start": _iso(bundle, r.hour_start_s),
            "planned_min": plain_number(r.planned_min, 2),
            "actual_min": plain_number(r.actual_min, 2),
            "planned_visits": int(r.planned_visits),
            "actual_visits": int(r.actual_visits),
            "risk": plain_number(r.risk, 4),
        }
        for r in each_row(review.presence)
    ]
    posts = [
        {
            "unit_id": r.unit_id,
            "task_id": r.task_id,
            "label": r.label,
            "planned_min": plain_number(r.planned_min),
            "held_min": plain_number(r.held_min),
            "share_held": plain_number(r.share_held, 3),
        }
        for r in each_row(review.posts)
    ]
    bad = rejected if rejected is not None else pd.DataFrame()
    reasons = {str(k): int(v) for k, v in bad["reason"].value_counts().items()} if len(bad) else {}
    doc: dict[str, Any] = {
        "format": REVIEW_FORMAT,
        "version": REVIEW_VERSION,
        "plan": {
            "file": plan_path,
            "district": bundle.district,
            "plan_date": bundle.plan_date.isoformat(),
            "shift": bundle.shift,
            "timezone": bundle.timezone,
        },
        "tracks": list(tracks),
        "options": dict(options or {}),
        "totals": {k: plain_number(v, 4) for k, v in review.totals.items()},
        "fixes": {
            "read": fixes_read,
            "used": int(review.units["fixes"].sum()) if len(review.units) else 0,
            "rejected": reasons,
        },
        "units": units,
        "stops": stops,
        "posts": posts,
        "presence": presence,
        "rejected_fixes": [
            {
                "unit_id": str(r["unit_id"]),
                "source": str(r.get("source", "")),
                "row": int(r["source_row"])
                if "source_row" in r and pd.notna(r["source_row"])
                else None,
                "reason": str(r["reason"]),
                "detail": str(r["detail"]),
            }
            for _, r in bad.head(500).iterrows()
        ],
        "notes": list(review.notes),
    }
    plain: dict[str, Any] = json.loads(json.dumps(doc, allow_nan=False, default=str))
    return plain


def _minutes(tr: Translator, seconds: Any) -> str:
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return "–"
    return tr.duration(float(seconds))


def _clock(tr: Translator, seconds: Any) -> str:
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return "–"
    return tr.clock(float(seconds))


def _delay(tr: Translator, seconds: Any) -> str:
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)):
        return "–"
    sign = "-" if seconds < 0 else "+"
    return sign + tr.duration(abs(float(seconds)))


def _unit_rows(review: PlanReview, tr: Translator) -> list[list[object]]:
    return [
        [
            r.unit_id,
            tr.get(f"mode.{r.mode}", str(r.mode)),
            int(r.stops_planned),
            int(r.stops_visited),
            tr.percent(float(r.share_visited)),
            tr.duration(float(r.planned_presence_min) * 60),
            tr.duration(float(r.actual_presence_min) * 60),
            tr.percent(float(r.share_presence_delivered)),
            tr.distance(float(r.distance_km) * 1000),
        ]
        for r in each_row(review.units)
    ]


def _unit_heads(tr: Translator) -> list[str]:
    keys = (
        "unit",
        "mode",
        "stops_planned",
        "stops_visited",
        "share_visited",
        "planned_min",
        "actual_min",
        "delivered",
        "distance",
    )
    return [tr(f"review.col.{k}") for k in keys]


def _stop_heads(tr: Translator) -> list[str]:
    keys = (
        "order",
        "place",
        "kind",
        "planned_arrive",
        "arrive",
        "delay",
        "planned_dwell",
        "dwell",
        "koper",
        "visited",
        "evidence",
    )
    return [tr(f"review.col.{k}") for k in keys]


def named_stops(review: PlanReview, bundle: PlanBundle, tr: Translator) -> PlanReview:
    """``review`` with each stop named as the route sheets name it, in ``tr``'s language
    (:func:`maps.sheets.places.place_text`: the user's name of a post or line, else the
    street, crossing and nearby place from the plan file); the planner's own label
    (``Hotspot S-r016-c017``) only where the plan file names nothing."""
    from dataclasses import replace

    from maps.sheets.places import place_text

    if not bundle.places or not len(review.stops):
        return review
    stops = review.stops.copy()
    stops["label"] = [
        place_text(bundle.places.get(str(task)), tr, str(label))
        for task, label in zip(stops["task_id"], stops["label"], strict=True)
    ]
    return replace(review, stops=stops)


def _stop_row(row: Any, tr: Translator) -> list[object]:
    walk = float(row.planned_walk_s) > 0 and not pd.isna(row.walk_share)
    if walk:  # a walk: its planned walking time, the time seen along it, the share walked
        band = tr("review.walk.share", share=f"{100 * float(row.walk_share):.0f}%")
    else:
        band = tr(f"review.dwell.{row.dwell_band}") if row.dwell_band else ""
    return [
        int(row.order),
        row.label,
        tr(f"review.kind.{row.kind}"),
        _clock(tr, float(row.planned_arrive_s)),
        _clock(tr, row.arrive_s),
        _delay(tr, row.delay_s),
        _minutes(tr, float(row.planned_dwell_s) + float(row.planned_walk_s)),
        _minutes(tr, row.dwell_s),
        band,
        tr("word.yes") if row.visited else tr("word.no"),
        tr(f"review.evidence.{row.evidence}") if row.evidence else "",
    ]


def _fix_text(doc: Mapping[str, Any], tr: Translator) -> str:
    reasons = doc["fixes"]["rejected"]
    text = ", ".join(f"{tr(f'review.reason.{k}')} {v}" for k, v in reasons.items()) or tr(
        "word.none"
    )
    return tr(
        "review.plan.fixes",
        kept=doc["fixes"]["used"],
        rejected=sum(reasons.values()),
        reasons=text,
    )


def plan_review_pdf(
    review: PlanReview,
    bundle: PlanBundle,
    doc: Mapping[str, Any],
    map_png: bytes,
    *,
    lang: str = "en",
    generated_at: datetime | None = None,
) -> bytes:
    """The plan review as an A4 PDF: summary, map, units, missed stops, posts, presence and
    one table of stops per unit."""
    tr = Translator(lang)
    review = named_stops(review, bundle, tr)
    fonts = pdf_fonts(tr.lang)
    st = styles(fonts, tr.is_chinese)
    totals = review.totals
    stamp = (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
    story: list[Any] = [
        Paragraph(esc(tr("review.plan.title", district=bundle.district)), st["title"]),
        Paragraph(
            esc(
                tr("review.plan.subtitle", band=bundle.shift or "", date=tr.date(bundle.plan_date))
            ),
            st["body"],
        ),
        Spacer(1, 2 * mm),
        Paragraph(
            esc(
                tr(
                    "review.plan.summary",
                    visited=totals["stops_visited"],
                    planned=totals["stops_planned"],
                    share=tr.percent(float(totals["share_visited"])),
                    delivered=tr.percent(float(totals["share_presence_delivered"])),
                )
            ),
            st["body"],
        ),
        Paragraph(esc(_fix_text(doc, tr)), st["small"]),
        Spacer(1, 2 * mm),
        png_image(map_png, 150),
        Paragraph(esc(tr("review.plan.map_caption")), st["small"]),
        Paragraph(esc(tr("review.plan.units")), st["h2"]),
        pdf_table(
            _unit_heads(tr), _unit_rows(review, tr), st, (14, 16, 17, 15, 15, 22, 22, 20, 20)
        ),
    ]
    missed = review.stops[~review.stops["visited"]]
    story.append(Paragraph(esc(tr("review.plan.missed")), st["h2"]))
    if len(missed):
        rows = [[r.unit_id, *_stop_row(r, tr)[:4]] for r in each_row(missed)]
        heads = [tr("review.col.unit"), *_stop_heads(tr)[:4]]
        story.append(pdf_table(heads, rows, st, (16, 12, 80, 28, 26)))
    else:
        story.append(Paragraph(esc(tr("review.plan.no_missed")), st["body"]))
    if len(review.posts):
        story.append(Paragraph(esc(tr("review.plan.posts")), st["h2"]))
        rows = [
            [
                r.unit_id,
                r.label,
                tr.duration(float(r.planned_min) * 60),
                tr.duration(float(r.held_min) * 60),
                tr.percent(float(r.share_held)),
            ]
            for r in each_row(review.posts)
        ]
        heads = [
            tr("review.col.unit"),
            tr("review.col.place"),
            tr("review.col.planned_dwell"),
            tr("review.col.held"),
            tr("review.col.share_held"),
        ]
        story.append(pdf_table(heads, rows, st, (16, 80, 26, 26, 24)))
    presence = review.presence.copy()
    if len(presence):
        cells = (
            presence.groupby("cell_id")[["planned_min", "actual_min", "risk"]]
            .agg({"planned_min": "sum", "actual_min": "sum", "risk": "max"})
            .sort_values(["risk", "planned_min"], ascending=False, na_position="last")
            .head(15)
        )
        story.append(Paragraph(esc(tr("review.plan.presence")), st["h2"]))
        rows = [
            [
                cell,
                "–" if pd.isna(r.risk) else f"{float(r.risk):.2f}",
                tr.duration(float(r.planned_min) * 60),
                tr.duration(float(r.actual_min) * 60),
            ]
            for cell, r in cells.iterrows()
        ]
        heads = [
            tr("review.col.cell"),
            tr("review.col.risk"),
            tr("review.col.planned_min"),
            tr("review.col.actual_min"),
        ]
        story.append(pdf_table(heads, rows, st, (36, 24, 32, 32)))
    if review.notes:
        story.append(Paragraph(esc(tr("review.plan.notes")), st["h2"]))
        for note in review.notes:
            story.append(Paragraph(esc(note), st["small"]))
    for unit in review.units["unit_id"]:
        mine = review.stops[review.stops["unit_id"] == unit]
        if not len(mine):
            continue
        story.append(PageBreak())
        story.append(Paragraph(esc(tr("review.plan.stops", unit=unit)), st["h2"]))
        rows = [_stop_row(r, tr) for r in each_row(mine)]
        highlight = [i for i, v in enumerate(mine["visited"]) if not v]
        story.append(
            pdf_table(
                _stop_heads(tr),
                rows,
                st,
                (9, 40, 16, 15, 15, 15, 14, 14, 16, 11, 17),
                highlight=highlight,
            )
        )
    return build_pdf(
        story,
        fonts,
        title=tr("review.plan.title", district=bundle.district),
        footer=f"{bundle.district} · {tr.date(bundle.plan_date)} · {stamp}",
    )


def plan_review_xlsx(review: PlanReview, bundle: PlanBundle, *, lang: str = "en") -> bytes:
    """The plan review as a workbook: units, stops, posts, presence by cell and hour."""
    tr = Translator(lang)
    review = named_stops(review, bundle, tr)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = tr("review.plan.units")[:31]
    write_sheet(ws, _unit_heads(tr), _unit_rows(review, tr))
    ws2 = wb.create_sheet("stops")
    rows = [[r.unit_id, *_stop_row(r, tr)] for r in each_row(review.stops)]
    write_sheet(ws2, [tr("review.col.unit"), *_stop_heads(tr)], rows)
    ws3 = wb.create_sheet("posts")
    write_sheet(
        ws3,
        [
            tr("review.col.unit"),
            tr("review.col.place"),
            tr("review.col.planned_dwell"),
            tr("review.col.held"),
            tr("review.col.share_held"),
        ],
        [
            [
                r.unit_id,
                r.label,
                round(float(r.planned_min), 1),
                round(float(r.held_min), 1),
                round(float(r.share_held), 3),
            ]
            for r in each_row(review.posts)
        ],
    )
    ws4 = wb.create_sheet("presence")
    write_sheet(
        ws4,
        [
            tr("review.col.cell"),
            tr("review.col.hour"),
            tr("review.col.planned_min"),
            tr("review.col.actual_min"),
            tr("review.col.risk"),
        ],
        [
            [
                r.cell_id,
                tr.clock(float(r.hour_start_s)),
                round(float(r.planned_min), 2),
                round(float(r.actual_min), 2),
                None if pd.isna(r.risk) else round(float(r.risk), 4),
            ]
            for r in each_row(review.presence)
        ],
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_plan_review(
    review: PlanReview,
    bundle: PlanBundle,
    fixes: pd.DataFrame,
    out: Path,
    *,
    langs: Sequence[str] = ("en", "zh-CN"),
    generated_at: datetime | None = None,
    **document: Any,
) -> dict[str, Path]:
    """Write ``review.json``, ``review_map.png`` and, per language, ``review_{lang}.pdf`` and
    ``review_{lang}.xlsx`` to ``out``; return the paths by name.

    ``document`` is passed on to :func:`plan_review_document` (plan path, tracks, rejected).
    """
    out.mkdir(parents=True, exist_ok=True)
    doc = plan_review_document(review, bundle, **document)
    paths: dict[str, Path] = {}
    paths["json"] = out / "review.json"
    paths["json"].write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    for lang in langs:
        png = plan_vs_actual_png(bundle, review.stops, fixes, lang=lang)
        if lang == langs[0]:
            paths["map"] = out / "review_map.png"
            paths["map"].write_bytes(png)
        pdf = out / f"review_{lang}.pdf"
        pdf.write_bytes(
            plan_review_pdf(review, bundle, doc, png, lang=lang, generated_at=generated_at)
        )
        paths[f"pdf_{lang}"] = pdf
        xlsx = out / f"review_{lang}.xlsx"
        xlsx.write_bytes(plan_review_xlsx(review, bundle, lang=lang))
        paths[f"xlsx_{lang}"] = xlsx
    return paths
