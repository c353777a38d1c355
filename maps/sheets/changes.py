"""What changed since the previous day's plan (依据每日治安动态适时调整), put into words.

The plan file's ``changes`` entry (:func:`planner.review.daily.plan_changes`, written by
``gridpatrol plan --previous``) as a short section: on the route sheets' summary page (the
coordinator's copy, PDF), on the workbook's summary sheet, and in the ``plan`` command's
output. Cells are named by the street of the hotspot stop planned in them when the plan names
its stops, else by the grid's cell name or id. Nothing is shown without a previous plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from geo.naming import Place
from geo.schema import CELL_ID, CELL_NAME
from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.sheets.places import street_text

#: Places listed per line before "...".
MAX_LISTED = 8
#: Cells listed with their change of presence, per direction.
MAX_CELLS = 5


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label(street: str, cell_name: str | None, cell_id: str) -> str:
    grid = cell_name or cell_id
    return f"{street} ({grid})" if street else grid


def cell_labels(
    cell_names: Mapping[str, str],
    hotspot_places: Iterable[tuple[str, Place | None]],
    tr: Translator,
) -> dict[str, str]:
    """``{cell_id: label}``: the street of the cell's hotspot stop with the cell's grid name
    (``SW Broadway & SW Morrison St (R3 C4)``), else the grid name alone.

    ``hotspot_places`` are ``(cell_id, place)`` of the hotspot stops; the first named place of
    a cell names it.
    """
    out = {cell: _label("", name, cell) for cell, name in cell_names.items()}
    named: set[str] = set()
    for cell, place in hotspot_places:
        if cell in named or place is None:
            continue
        street = street_text(place, tr)
        if street:
            out[cell] = _label(street, cell_names.get(cell), cell)
            named.add(cell)
    return out


def bundle_cell_labels(bundle: PlanBundle, tr: Translator) -> dict[str, str]:
    """:func:`cell_labels` of a plan bundle (its cells, hotspot tasks and named stops)."""
    names: dict[str, str] = {}
    cells = bundle.cells
    if cells is not None and CELL_ID in cells.columns:
        given = cells[CELL_NAME] if CELL_NAME in cells.columns else cells[CELL_ID]
        names = {
            str(c): str(n) for c, n in zip(cells[CELL_ID], given, strict=True) if n is not None
        }
    places = [
        (str(t.cell_id), bundle.places.get(t.task_id))
        for t in bundle.tasks
        if t.kind.value == "hotspot" and t.cell_id is not None
    ]
    return cell_labels(names, places, tr)


def document_cell_labels(docs: Sequence[Mapping[str, Any]], tr: Translator) -> dict[str, str]:
    """:func:`cell_labels` from plan documents (``plan.json`` as data), the first naming a
    cell winning: give today's plan first, then the previous day's (for cells that left)."""
    names: dict[str, str] = {}
    places: list[tuple[str, Place | None]] = []
    for doc in docs:
        cells = ((doc.get("layers") or {}).get("cells") or {}).get("features") or []
        for feature in cells:
            props = feature.get("properties") or {}
            if props.get(CELL_ID) is not None:
                name = props.get(CELL_NAME)
                names.setdefault(str(props[CELL_ID]), str(name if name else props[CELL_ID]))
        for route in doc.get("routes", []):
            for stop in route.get("stops", []):
                if stop.get("kind") == "hotspot" and stop.get("cell_id") is not None:
                    place = stop.get("place")
                    places.append(
                        (str(stop["cell_id"]), None if place is None else Place.from_dict(place))
                    )
    return cell_labels(names, places, tr)


def _listed(items: Sequence[str], tr: Translator, most: int = MAX_LISTED) -> str:
    """``items`` joined, the first ``most`` of them and "and N more"."""
    text = tr("review.changes.sep").join(items[:most])
    more = len(items) - most
    return text + (tr("review.changes.more", n=more) if more > 0 else "")


def _minutes(value: float) -> str:
    return f"{value:+.0f}"


def changes_title(changes: Mapping[str, Any], tr: Translator) -> str:
    """``Changes since the plan of Mon 4 Mar 2024`` (the previous plan's date)."""
    when = (changes.get("previous") or {}).get("plan_date")
    try:
        day = tr.date(date.fromisoformat(str(when)))
    except ValueError:
        day = str(when or "?")
    return tr("review.changes.title", date=day)


def changes_lines(
    changes: Mapping[str, Any], tr: Translator, labels: Mapping[str, str] | None = None
) -> list[str]:
    """The section's sentences: the counts, then what entered and left, the cells gaining and
    losing most presence and the duties added and dropped (only those that happened)."""
    names = dict(labels or {})
    s = changes.get("summary") or {}

    def count(key: str) -> int:
        return int(s.get(key, len(changes.get(key) or [])))

    lines = [
        tr(
            "review.changes.summary",
            entered=count("hotspots_entered"),
            left=count("hotspots_left"),
            kept=int(s.get("hotspots_kept", 0)),
            gaining=count("cells_gaining"),
            losing=count("cells_losing"),
            added=count("duties_added"),
            dropped=count("duties_dropped"),
        )
    ]
    for key in ("hotspots_entered", "hotspots_left"):
        cells = [str(c) for c in changes.get(key) or []]
        if cells:
            lines.append(
                tr(f"review.changes.{key}", places=_listed([names.get(c, c) for c in cells], tr))
            )
    for key in ("cells_gaining", "cells_losing"):
        rows = list(changes.get(key) or [])
        if rows:
            parts = [
                tr(
                    "review.changes.cell",
                    place=names.get(str(r["cell_id"]), str(r["cell_id"])),
                    change=_minutes(float(r["change_min"])),
                    now=f"{float(r['current_min']):.0f}",
                )
                for r in rows
            ]
            lines.append(tr(f"review.changes.{key}", cells=_listed(parts, tr, MAX_CELLS)))
    for key in ("duties_added", "duties_dropped"):
        duties = [str(d.get("label") or d.get("duty")) for d in changes.get(key) or []]
        if duties:
            lines.append(tr(f"review.changes.{key}", duties=_listed(duties, tr)))
    return lines


def changes_story(
    bundle: PlanBundle, tr: Translator, st: Mapping[str, ParagraphStyle]
) -> list[Any]:
    """The flowables of the section for the summary page; empty without a previous plan."""
    changes = bundle.changes
    if not changes:
        return []
    story: list[Any] = [
        Spacer(1, 4 * mm),
        Paragraph(_esc(changes_title(changes, tr)), st["head"]),
        Spacer(1, 1 * mm),
    ]
    for line in changes_lines(changes, tr, bundle_cell_labels(bundle, tr)):
        story.append(Paragraph(_esc(line), st["body"]))
    return story


def append_changes(ws: Worksheet, bundle: PlanBundle, tr: Translator) -> None:
    """Add the section to the workbook's summary sheet ``ws`` (a blank row, the title in bold,
    one sentence a row); nothing without a previous plan."""
    changes = bundle.changes
    if not changes:
        return
    ws.append([])
    ws.append([changes_title(changes, tr)])
    ws.cell(ws.max_row, 1).font = Font(bold=True)
    for line in changes_lines(changes, tr, bundle_cell_labels(bundle, tr)):
        ws.append([line])
