"""What changed since yesterday's plan, on two hand-made plan documents."""

from __future__ import annotations

from typing import Any

import pytest

from planner.review.daily import plan_changes


def _doc(
    day: str, hotspots: list[str], posts: list[str], minutes: dict[str, float]
) -> dict[str, Any]:
    tasks = [
        {"task_id": f"hotspot:{c}", "kind": "hotspot", "label": c, "cell_id": c} for c in hotspots
    ]
    tasks += [{"task_id": p, "kind": "post", "label": f"Post {p}", "place_id": p} for p in posts]
    stops = [{"task_id": t["task_id"], "cell_id": t.get("cell_id"), "dwell_s": 720} for t in tasks]
    return {
        "plan_date": day,
        "shift": {"band": "16-24"},
        "tasks": tasks,
        "routes": [{"unit_id": "C1", "stops": stops}],
        "presence_min_by_cell": minutes,
    }


def test_changes_between_two_days() -> None:
    before = _doc("2024-03-04", ["a", "b"], ["gate"], {"a": 24.0, "b": 12.0, "c": 5.0})
    after = _doc("2024-03-05", ["b", "d"], ["station"], {"b": 36.0, "c": 5.4, "d": 12.0})
    changes = plan_changes(before, after, previous_file="day1.json")
    assert changes["hotspots_entered"] == ["d"] and changes["hotspots_left"] == ["a"]
    assert [r["cell_id"] for r in changes["cells_gaining"]] == ["b", "d"]  # +24, +12
    assert changes["cells_gaining"][0]["change_min"] == 24.0
    assert [(r["cell_id"], r["change_min"]) for r in changes["cells_losing"]] == [("a", -24.0)]
    # c changed by 0.4 min: below the 1-minute threshold, not listed
    assert changes["duties_added"] == [{"duty": "station", "label": "Post station"}]
    assert changes["duties_dropped"] == [{"duty": "gate", "label": "Post gate"}]
    assert changes["summary"]["hotspots_kept"] == 1
    assert changes["previous"] == {"plan_date": "2024-03-04", "file": "day1.json"}


def test_presence_is_counted_from_stops_when_the_file_has_no_totals() -> None:
    before = _doc("2024-03-04", ["a"], [], {})
    after = _doc("2024-03-05", ["a", "b"], [], {})
    changes = plan_changes(before, after)
    assert changes["cells_gaining"] == [
        {"cell_id": "b", "previous_min": 0.0, "current_min": 12.0, "change_min": 12.0}
    ]


def test_plans_of_different_shifts_are_refused() -> None:
    night = _doc("2024-03-04", ["a"], [], {}) | {"shift": {"band": "00-08"}}
    with pytest.raises(
        ValueError, match="previous plan is for shift '00-08', this one for '16-24'"
    ):
        plan_changes(night, _doc("2024-03-05", ["a"], [], {}))


def test_the_planners_hour_slot_stays_are_not_duties() -> None:
    from planner.sources import PRESENCE_SLOT_PREFIX

    before = _doc("2024-03-04", ["a"], [], {"a": 12.0})
    after = _doc("2024-03-05", ["a"], [], {"a": 12.0})
    slot = {
        "task_id": f"{PRESENCE_SLOT_PREFIX}a@16",
        "kind": "hotspot",
        "label": "Hotspot a 16:00",
        "cell_id": "a",
        "window_open_s": 57600,
    }
    visit = {**slot, "task_id": "visit:school", "label": "School gate 16:00"}
    for doc, task in ((after, slot), (after, visit)):
        doc["tasks"].append(task)
        doc["routes"][0]["stops"].append({"task_id": task["task_id"], "cell_id": "a"})
    changes = plan_changes(before, after)
    assert changes["duties_added"] == [{"duty": "visit:school", "label": "School gate 16:00"}]
