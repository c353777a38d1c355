"""What changed since yesterday's plan (依据每日治安动态适时调整, made visible).

:func:`plan_changes` compares two plan documents of the same shift (the previous day's and
today's ``plan.json``): hotspots that entered or left the plan, cells gaining or losing planned
presence, and duties (posts, lines, timed visits) added or dropped. It reads the documents as
plain data, so it needs nothing but the two files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: A cell's planned presence must change by at least this many minutes to be listed.
MIN_CHANGE_MIN = 1.0
#: Task kinds that are duties given by the user (点 posts, 线 lines), not found by the planner.
DUTY_KINDS = frozenset({"post", "line"})


def _hotspot_cells(doc: Mapping[str, Any]) -> set[str]:
    return {
        str(t["cell_id"])
        for t in doc.get("tasks", [])
        if t.get("kind") == "hotspot" and t.get("cell_id") is not None
    }


def _duties(doc: Mapping[str, Any]) -> dict[str, str]:
    """``{duty key: label}`` of the duties planned (visited) in a document; repeats of one place
    are one duty."""
    from planner.sources import PRESENCE_SLOT_PREFIX

    done = {s["task_id"] for r in doc.get("routes", []) for s in r.get("stops", [])}
    out: dict[str, str] = {}
    for task in doc.get("tasks", []):
        # a timed visit the user gave is a duty; the planner's own hour-slot stays at
        # hotspots (presence objective) are not: they show as hotspots and presence
        slot = str(task["task_id"]).startswith(PRESENCE_SLOT_PREFIX)
        timed = task.get("window_open_s") is not None and task.get("kind") == "hotspot"
        timed = timed and not slot
        if task.get("kind") not in DUTY_KINDS and not timed:
            continue
        if task["task_id"] not in done:
            continue
        key = str(task.get("place_id") or task["task_id"])
        out.setdefault(key, str(task.get("label", key)))
    return out


def _presence(doc: Mapping[str, Any]) -> dict[str, float]:
    given = doc.get("presence_min_by_cell")
    if isinstance(given, Mapping) and given:
        return {str(k): float(v) for k, v in given.items()}
    out: dict[str, float] = {}
    for route in doc.get("routes", []):
        for stop in route.get("stops", []):
            if stop.get("cell_id") is not None:
                cell = str(stop["cell_id"])
                out[cell] = out.get(cell, 0.0) + float(stop.get("dwell_s", 0)) / 60.0
    return out


def plan_changes(
    previous: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    min_change_min: float = MIN_CHANGE_MIN,
    previous_file: str | None = None,
) -> dict[str, Any]:
    """The changes from ``previous`` to ``current`` (plan documents of the same shift band).

    Returns
    -------
    dict
        ``previous`` (its plan date and file), ``hotspots_entered`` and ``hotspots_left``
        (cell ids, sorted), ``cells_gaining`` and ``cells_losing`` (``cell_id``,
        ``previous_min``, ``current_min``, ``change_min``; largest change first),
        ``duties_added`` and ``duties_dropped`` (``duty``, ``label``), and ``summary`` counts.

    Raises
    ------
    ValueError
        When the two plans are of different shift bands (comparing an evening with a night
        says nothing about what changed), naming both.
    """
    band_prev = previous.get("shift", {}).get("band")
    band_now = current.get("shift", {}).get("band")
    if band_prev != band_now:
        raise ValueError(
            f"previous: the previous plan is for shift {band_prev!r}, this one for {band_now!r}; "
            "give the previous day's plan of the same shift"
        )
    before, after = _hotspot_cells(previous), _hotspot_cells(current)
    p_min, c_min = _presence(previous), _presence(current)
    gaining: list[dict[str, Any]] = []
    losing: list[dict[str, Any]] = []
    for cell in sorted(set(p_min) | set(c_min)):
        a, b = p_min.get(cell, 0.0), c_min.get(cell, 0.0)
        change = b - a
        if abs(change) < min_change_min:
            continue
        row = {
            "cell_id": cell,
            "previous_min": round(a, 1),
            "current_min": round(b, 1),
            "change_min": round(change, 1),
        }
        (gaining if change > 0 else losing).append(row)
    gaining.sort(key=lambda r: (-r["change_min"], r["cell_id"]))
    losing.sort(key=lambda r: (r["change_min"], r["cell_id"]))
    d_before, d_after = _duties(previous), _duties(current)
    added = [{"duty": k, "label": d_after[k]} for k in sorted(set(d_after) - set(d_before))]
    dropped = [{"duty": k, "label": d_before[k]} for k in sorted(set(d_before) - set(d_after))]
    return {
        "previous": {"plan_date": previous.get("plan_date"), "file": previous_file},
        "hotspots_entered": sorted(after - before),
        "hotspots_left": sorted(before - after),
        "cells_gaining": gaining,
        "cells_losing": losing,
        "duties_added": added,
        "duties_dropped": dropped,
        "summary": {
            "hotspots_entered": len(after - before),
            "hotspots_left": len(before - after),
            "hotspots_kept": len(after & before),
            "cells_gaining": len(gaining),
            "cells_losing": len(losing),
            "duties_added": len(added),
            "duties_dropped": len(dropped),
        },
    }
