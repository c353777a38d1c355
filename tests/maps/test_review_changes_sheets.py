"""What changed since yesterday's plan, on the route sheets' summary page (PDF in English and
Chinese, the workbook's summary sheet) and as the ``plan`` command prints it."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pyproj
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from geo.naming import Place
from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.sheets.changes import changes_lines, changes_title, document_cell_labels
from maps.sheets.pdf import pdf_bytes
from maps.sheets.xlsx import write_xlsx
from planner.review.daily import plan_changes
from tests.tracksim import CRS, PLAN_DATE, TIMEZONE, grid_cells, grid_plan

PRESENCE = {"risk_share": 0.5, "rule": {"dwell_min": 12}, "units": [], "by_hour": []}


def _doc(day: str, hotspots: list[str], posts: list[str], minutes: dict[str, float]) -> dict:
    tasks = [
        {"task_id": f"hotspot:{c}", "kind": "hotspot", "label": c, "cell_id": c} for c in hotspots
    ]
    tasks += [{"task_id": p, "kind": "post", "label": f"Post {p}", "place_id": p} for p in posts]
    stops = [
        {"task_id": t["task_id"], "kind": t["kind"], "cell_id": t.get("cell_id"), "dwell_s": 720}
        for t in tasks
    ]
    return {
        "plan_date": day,
        "shift": {"band": "16-24"},
        "tasks": tasks,
        "routes": [{"unit_id": "U1", "stops": stops}],
        "presence_min_by_cell": minutes,
    }


@pytest.fixture(scope="module")
def changes() -> dict[str, Any]:
    before = _doc("2024-03-04", ["r01c01", "r02c02"], ["gate"], {"r01c01": 24.0, "r02c02": 12.0})
    after = _doc("2024-03-05", ["r02c02", "r03c03"], ["hall"], {"r02c02": 36.0, "r03c03": 12.0})
    return plan_changes(before, after, previous_file="day1.json")


def test_the_section_in_english(changes: dict[str, Any]) -> None:
    tr = Translator("en")
    labels = {"r03c03": "SW Broadway & SW Morrison St (R3 C3)", "r01c01": "R1 C1"}
    assert changes_title(changes, tr).startswith("Changes since the plan of ")
    assert "2024" in changes_title(changes, tr)
    assert changes_lines(changes, tr, labels) == [
        "1 hotspot(s) entered the plan, 1 left it, 1 kept; 2 cell(s) gain presence, 1 lose "
        "presence; 1 duty(ies) added, 1 dropped.",
        "New hotspots: SW Broadway & SW Morrison St (R3 C3).",
        "Hotspots no longer planned: R1 C1.",
        "Most presence gained: r02c02 +24 min (now 36 min), SW Broadway & SW Morrison St (R3 C3) "
        "+12 min (now 12 min).",
        "Most presence lost: R1 C1 -24 min (now 0 min).",
        "Duties added: Post hall.",
        "Duties dropped: Post gate.",
    ]


def test_the_section_in_chinese(changes: dict[str, Any]) -> None:
    tr = Translator("zh-CN")
    lines = changes_lines(changes, tr, {"r03c03": "长安街与王府井大街交叉口 (R3 C3)"})
    assert lines[0] == (
        "新增热点1处、撤出1处、保留1处；见警时长增加的网格2个、减少的1个；新增勤务1项、取消1项。"
    )
    assert lines[1] == "新增热点：长安街与王府井大街交叉口 (R3 C3)。"
    assert lines[3].startswith("见警时长增加最多：r02c02 +24分钟（现36分钟）、")
    assert changes_title(changes, tr).startswith("较") and changes_title(changes, tr).endswith(
        "计划的调整"
    )


def test_no_change_lists_only_the_counts() -> None:
    same = _doc("2024-03-04", ["r01c01"], [], {"r01c01": 12.0})
    lines = changes_lines(plan_changes(same, same | {"plan_date": "2024-03-05"}), Translator("en"))
    assert lines == [
        "0 hotspot(s) entered the plan, 0 left it, 1 kept; 0 cell(s) gain presence, 0 lose "
        "presence; 0 duty(ies) added, 0 dropped."
    ]


def test_cells_are_named_by_the_street_of_their_hotspot_stop() -> None:
    place = Place(street="SW Broadway", crossing="SW Morrison St", crossing_m=3.0).as_dict()
    today = {
        "layers": {
            "cells": {
                "features": [
                    {"properties": {"cell_id": "r03c03", "name": "R3 C3"}},
                    {"properties": {"cell_id": "r04c04", "name": "R4 C4"}},
                ]
            }
        },
        "routes": [
            {"stops": [{"kind": "hotspot", "cell_id": "r03c03", "place": place}]},
        ],
    }
    yesterday = {"layers": {"cells": {"features": [{"properties": {"cell_id": "r09c09"}}]}}}
    labels = document_cell_labels([today, yesterday], Translator("en"))
    assert labels["r03c03"] == "SW Broadway & SW Morrison St (R3 C3)"
    assert labels["r04c04"] == "R4 C4" and labels["r09c09"] == "r09c09"


def _bundle(changes: dict[str, Any] | None) -> PlanBundle:
    plan, tasks, units, _ = grid_plan(units=2, stops=3, seed=1)
    return PlanBundle(
        crs=pyproj.CRS(CRS),
        district="Test grid",
        plan_date=PLAN_DATE,
        timezone=TIMEZONE,
        cells=grid_cells(),
        plan=plan,
        tasks=tasks,
        units=units,
        band="16-24",
        shift="16-24",
        presence=PRESENCE,
        changes=changes,
    )


def _summary_text(bundle: PlanBundle, lang: str) -> str:
    reader = PdfReader(io.BytesIO(pdf_bytes(bundle, lang=lang)))
    return reader.pages[0].extract_text()


@pytest.mark.parametrize(
    ("lang", "title", "line"),
    [
        ("en", "Changes since the plan of", "Duties dropped: Post gate."),
        ("zh-CN", "计划的调整", "取消勤务"),
    ],
)
def test_the_summary_page_shows_the_changes(
    changes: dict[str, Any], lang: str, title: str, line: str
) -> None:
    text = _summary_text(_bundle(changes), lang)
    assert title in text and line in text
    # the hand-made grid names no cells and the plan no streets: the cell id names the place
    assert "r03c03" in text


def test_no_section_without_a_previous_plan() -> None:
    text = _summary_text(_bundle(None), "en")
    assert "Changes since" not in text


def test_the_workbook_summary_lists_the_changes(changes: dict[str, Any], tmp_path) -> None:
    path = write_xlsx(_bundle(changes), tmp_path / "sheets.xlsx", lang="en")
    ws = load_workbook(path).worksheets[0]
    column = [str(c.value) for c in ws["A"] if c.value is not None]
    start = next(i for i, v in enumerate(column) if v.startswith("Changes since the plan of"))
    assert column[start + 1].startswith("1 hotspot(s) entered the plan")
    assert "Duties added: Post hall." in column[start:]
    empty = write_xlsx(_bundle(None), tmp_path / "plain.xlsx", lang="en")
    assert not any(
        str(c.value).startswith("Changes since") for c in load_workbook(empty).worksheets[0]["A"]
    )


def test_the_bundle_keeps_the_plan_files_changes(changes: dict[str, Any]) -> None:
    bundle = _bundle(None)
    assert replace(bundle, changes=changes).changes == changes


def test_long_lists_end_with_how_many_more() -> None:
    before = _doc("2024-03-04", [], [], {})
    after = _doc("2024-03-05", [], [], {f"c{k}": 10.0 + k for k in range(7)})
    changes = plan_changes(before, after)
    line = changes_lines(changes, Translator("en"))[1]
    assert line.startswith("Most presence gained: c6 +16 min (now 16 min), c5 +15 min")
    assert line.endswith("c2 +12 min (now 12 min) and 2 more.")
    zh = changes_lines(changes, Translator("zh-CN"))[1]
    assert zh.endswith("c2 +12分钟（现12分钟）等，另有2处。")
