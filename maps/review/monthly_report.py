"""The monthly evaluation (每月考评) as files: JSON (``areas[]`` with ``area_id``, ``count``,
``count_last_year``, ``change_pct``, ``rank``, ``flags``), an XLSX workbook and a bilingual PDF
with a small map; and the history file that remembers which areas each month's bulletin named.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from openpyxl import Workbook
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from geo.review import MonthlyEvaluation
from maps.errors import MapInputError
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
from maps.review.drawing import monthly_map_png

MONTHLY_FORMAT = "gridpatrol-monthly-evaluation"
HISTORY_FORMAT = "gridpatrol-monthly-history"
FORMAT_VERSION = 1


class HistoryFileError(MapInputError):
    """A history file that is not one, or is broken."""


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for record in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for name, value in record.items():
            key = str(name)
            if key == "flags":
                row[key] = list(value)
            elif key == "rank":
                row[key] = None if pd.isna(value) else int(value)
            elif isinstance(value, float):
                row[key] = plain_number(value, 2)
            elif hasattr(value, "item"):
                row[key] = value.item()
            else:
                row[key] = value
        out.append(row)
    return out


def monthly_document(
    evaluation: MonthlyEvaluation, *, district: str = "", source: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The evaluation as a JSON-ready document."""
    opts = evaluation.options
    doc = {
        "format": MONTHLY_FORMAT,
        "version": FORMAT_VERSION,
        "district": district,
        "source": dict(source or {}),
        "month": evaluation.month,
        "basis": opts.basis,
        "categories": list(opts.categories) if opts.categories is not None else None,
        "min_count": opts.min_count,
        "notice_top": opts.notice_top,
        "reward_tiers": [{"decrease_pct": p, "tier": n} for p, n in opts.reward_tiers],
        "bulletin": list(evaluation.notified),
        "notices": {k: list(v) for k, v in sorted(evaluation.notices.items())},
        "areas": _rows(evaluation.areas),
        "quarter": _rows(evaluation.quarter),
        "year": _rows(evaluation.year),
        "notes": list(evaluation.notes),
    }
    plain: dict[str, Any] = json.loads(json.dumps(doc, allow_nan=False, default=str))
    return plain


# ------------------------------------------------------------------------------ history
def read_history(path: Path) -> dict[str, tuple[str, ...]]:
    """Areas named in each earlier month's bulletin, from a history file (empty if absent).

    Raises
    ------
    HistoryFileError
        When the file is not JSON or not a gridpatrol monthly history.
    """
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HistoryFileError(
            f"{path}: not a JSON history file ({exc}); give the file an earlier "
            "`gridpatrol review month --history FILE` wrote, or a new path to start one"
        ) from None
    if not isinstance(data, dict) or data.get("format") != HISTORY_FORMAT:
        raise HistoryFileError(
            f'{path}: not a gridpatrol monthly history (expected "format": "{HISTORY_FORMAT}"); '
            "give a new path to start one"
        )
    months = data.get("months")
    if not isinstance(months, dict):
        raise HistoryFileError(f"{path}: field 'months' must be an object of months")
    out: dict[str, tuple[str, ...]] = {}
    for month, entry in months.items():
        named = entry.get("bulletin") if isinstance(entry, dict) else None
        if not isinstance(named, list):
            raise HistoryFileError(
                f"{path}: months/{month}/bulletin must be a list of area ids, got {named!r}"
            )
        out[str(month)] = tuple(str(a) for a in named)
    return out


def write_history(path: Path, evaluation: MonthlyEvaluation) -> Path:
    """Record this month's bulletin (and its flags) in the history file, keeping the rest."""
    data: dict[str, Any] = {"format": HISTORY_FORMAT, "version": FORMAT_VERSION, "months": {}}
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    flagged = evaluation.areas[evaluation.areas["flags"].map(bool)]
    data["months"][evaluation.month] = {
        "bulletin": list(evaluation.notified),
        "flags": {str(r.area_id): list(r.flags) for r in each_row(flagged)},
        "basis": evaluation.options.basis,
        "categories": (
            list(evaluation.options.categories)
            if evaluation.options.categories is not None
            else None
        ),
    }
    data["months"] = dict(sorted(data["months"].items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ tables
def _pct_text(tr: Translator, value: Any, status: str) -> str:
    if status == "too_few":
        return tr("review.month.too_few")
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{float(value):+.0f}%" if tr.is_chinese else f"{float(value):+.0f} %"


def _reward_text(tr: Translator, evaluation: MonthlyEvaluation, tier: str) -> str:
    for pct, name in evaluation.options.reward_tiers:
        if name == tier:
            return tr("review.month.reward", pct=pct)
    return ""


def _area_heads(tr: Translator, with_leader: bool) -> list[str]:
    keys = ["rank", "area"] + (["leader"] if with_leader else [])
    keys += [
        "count",
        "count_last_month",
        "count_last_year",
        "change",
        "change_pct",
        "flags",
        "reward",
    ]
    return [tr(f"review.col.{k}") for k in keys]


def _area_rows(
    evaluation: MonthlyEvaluation, tr: Translator, with_leader: bool
) -> list[list[object]]:
    rows = []
    for r in each_row(evaluation.areas):
        row: list[object] = ["" if pd.isna(r.rank) else int(r.rank), r.name]
        if with_leader:
            row.append(r.leader)
        row += [
            int(r.count),
            int(r.count_last_month),
            int(r.count_last_year),
            f"{int(r.change):+d}",
            _pct_text(tr, r.change_pct, r.status),
            "、".join(tr(f"review.flag.{f}") for f in r.flags)
            if tr.is_chinese
            else ", ".join(tr(f"review.flag.{f}") for f in r.flags),
            _reward_text(tr, evaluation, r.reward) if r.reward else "",
        ]
        rows.append(row)
    return rows


def _rollup_rows(
    frame: pd.DataFrame, names: Mapping[str, str], tr: Translator
) -> list[list[object]]:
    ordered = frame.sort_values(["change", "count"], ascending=False)
    return [
        [
            names.get(str(r.area_id), str(r.area_id)),
            int(r.count),
            int(r.count_last_year),
            f"{int(r.change):+d}",
            _pct_text(tr, r.change_pct, ""),
            int(r.notices),
        ]
        for r in each_row(ordered)
    ]


def _rollup_heads(tr: Translator) -> list[str]:
    keys = ("area", "period_count", "period_last_year", "change", "change_pct", "notices")
    return [tr(f"review.col.{k}") for k in keys]


def _categories_text(evaluation: MonthlyEvaluation, tr: Translator) -> str:
    cats = evaluation.options.categories
    return ", ".join(cats) if cats else tr("review.month.all_categories")


def monthly_pdf(
    evaluation: MonthlyEvaluation,
    areas: gpd.GeoDataFrame,
    *,
    district: str,
    lang: str = "en",
    generated_at: datetime | None = None,
) -> bytes:
    """The evaluation as an A4 PDF: the ranking with flags and rewards, a small map of the
    changes, and the quarter and year to date."""
    tr = Translator(lang)
    fonts = pdf_fonts(tr.lang)
    st = styles(fonts, tr.is_chinese)
    basis = tr(f"review.month.basis.{evaluation.options.basis}")
    with_leader = bool(evaluation.areas["leader"].astype(str).str.len().gt(0).any())
    names = dict(
        zip(evaluation.areas["area_id"].astype(str), evaluation.areas["name"], strict=True)
    )
    bulletin = [names.get(a, a) for a in evaluation.notified]
    story: list[Any] = [
        Paragraph(esc(tr("review.month.title", month=evaluation.month)), st["title"]),
        Paragraph(
            esc(
                tr(
                    "review.month.subtitle",
                    district=district,
                    categories=_categories_text(evaluation, tr),
                    basis=basis,
                )
            ),
            st["body"],
        ),
        Spacer(1, 2 * mm),
        Paragraph(
            esc(
                tr("review.month.bulletin", areas=("、" if tr.is_chinese else ", ").join(bulletin))
                if bulletin
                else tr("review.month.no_bulletin")
            ),
            st["body"],
        ),
        Spacer(1, 2 * mm),
        png_image(monthly_map_png(areas, evaluation.areas, lang=tr.lang), 110),
        Paragraph(esc(tr("review.month.map_caption", basis=basis)), st["small"]),
        Spacer(1, 2 * mm),
    ]
    widths = [10, 30] + ([28] if with_leader else []) + [15, 15, 16, 14, 22, 26, 28]
    scale = 186 / sum(widths)
    flagged = [i for i, f in enumerate(evaluation.areas["flags"]) if f]
    story.append(
        pdf_table(
            _area_heads(tr, with_leader),
            _area_rows(evaluation, tr, with_leader),
            st,
            [w * scale for w in widths],
            highlight=flagged,
        )
    )
    for key, frame in (("quarter", evaluation.quarter), ("year", evaluation.year)):
        months = str(frame["months"].iloc[0]) if len(frame) else ""
        story.append(Paragraph(esc(tr(f"review.month.{key}", months=months)), st["h2"]))
        story.append(
            pdf_table(
                _rollup_heads(tr), _rollup_rows(frame, names, tr), st, (40, 26, 26, 22, 34, 30)
            )
        )
    if evaluation.notes:
        story.append(Spacer(1, 2 * mm))
        for note in evaluation.notes:
            story.append(Paragraph(esc(note), st["small"]))
    stamp = (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
    return build_pdf(
        story,
        fonts,
        title=tr("review.month.title", month=evaluation.month),
        footer=f"{district} · {evaluation.month} · {stamp}",
    )


def monthly_xlsx(evaluation: MonthlyEvaluation, *, lang: str = "en") -> bytes:
    """The evaluation as a workbook: the ranking, the quarter and the year to date."""
    tr = Translator(lang)
    with_leader = bool(evaluation.areas["leader"].astype(str).str.len().gt(0).any())
    names = dict(
        zip(evaluation.areas["area_id"].astype(str), evaluation.areas["name"], strict=True)
    )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = evaluation.month
    write_sheet(ws, _area_heads(tr, with_leader), _area_rows(evaluation, tr, with_leader))
    for key, frame in (("quarter", evaluation.quarter), ("year", evaluation.year)):
        sheet = wb.create_sheet(key)
        write_sheet(sheet, _rollup_heads(tr), _rollup_rows(frame, names, tr))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_monthly(
    evaluation: MonthlyEvaluation,
    areas: gpd.GeoDataFrame,
    out: Path,
    *,
    district: str,
    langs: Sequence[str] = ("en", "zh-CN"),
    source: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
) -> dict[str, Path]:
    """Write ``monthly_{month}.json`` and, per language, ``.pdf`` and ``.xlsx`` to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"monthly_{evaluation.month}"
    paths = {"json": out / f"{stem}.json"}
    doc = monthly_document(evaluation, district=district, source=source)
    paths["json"].write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    for lang in langs:
        paths[f"pdf_{lang}"] = out / f"{stem}_{lang}.pdf"
        paths[f"pdf_{lang}"].write_bytes(
            monthly_pdf(evaluation, areas, district=district, lang=lang, generated_at=generated_at)
        )
        paths[f"xlsx_{lang}"] = out / f"{stem}_{lang}.xlsx"
        paths[f"xlsx_{lang}"].write_bytes(monthly_xlsx(evaluation, lang=lang))
    return paths
