"""The presence (见警率) report in the outputs: presence.csv, plan.json, the sheets' summary
page and the map layer, drawn from a real Toronto plan."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo import sample
from maps.exports import plan_documents, write_plan_files
from maps.i18n import Translator
from maps.layers.presence import presence_color
from maps.planfile import bundle_from_document, read_plan
from maps.sheets.pdf import pdf_bytes, write_pdf_sheets
from maps.sheets.presence import presence_lines
from maps.webmap import MapOptions, build_map
from planner.shift import PlanOptions, ShiftPlan, plan_shift, shift_band


@pytest.fixture(scope="module")
def planned() -> ShiftPlan:
    options = PlanOptions(shift=shift_band("16-24"), time_limit_s=3.0)
    return plan_shift(sample.load("toronto-uoft"), options)


@pytest.fixture(scope="module")
def written(planned: ShiftPlan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    docs = plan_documents(planned, source={"kind": "sample", "sample": "toronto-uoft"})
    return write_plan_files(docs, tmp_path_factory.mktemp("plan"))


def test_presence_csv_has_minutes_per_cell_and_hour_with_the_offset(
    planned: ShiftPlan, written: dict[str, Path]
) -> None:
    with written["presence.csv"].open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and {"cell_id", "hour", "minutes", "hour_start"} <= set(rows[0])
    assert rows[0]["hour_start"].endswith("-05:00")  # Toronto in winter
    total = sum(float(r["minutes"]) for r in rows)
    expected = sum((i.end_s - i.start_s) / 60 for i in planned.plan.presence)
    assert total == pytest.approx(expected, abs=0.1)
    assert {int(r["hour"]) for r in rows} == set(range(16, 24))


def test_plan_json_summarises_presence_and_states_the_bound(
    planned: ShiftPlan, written: dict[str, Path]
) -> None:
    doc = read_plan(written["plan.json"])  # checked against the schema
    bound = doc["bound"]
    assert 0 < bound["value"] <= bound["bound"]
    assert bound["ratio"] == pytest.approx(bound["value"] / bound["bound"], abs=1e-5)
    presence = doc["presence"]
    assert len(presence["by_hour"]) == 8
    assert presence["gini_risk"] is not None
    assert len(presence["units"]) == len(planned.plan.routes)
    stops = [s for r in doc["routes"] for s in r["stops"]]
    walks = [s for s in stops if s["walk_s"] > 0]
    assert walks, "the coverage floor is walked along the sectors' streets"
    for s in stops:
        assert s["end_s"] == s["leave_s"] + s["walk_s"] or s["walk_s"] > 0
        assert s["duration_s"] == s["dwell_s"] + s["walk_s"]
    bundle = bundle_from_document(doc)
    assert bundle.bound == bound and bundle.presence is not None
    route = bundle.plan.routes[0] if bundle.plan else None
    assert route is not None and all(s.end_s >= s.departure_s for s in route.stops)


def test_the_sheets_open_with_the_presence_summary(
    written: dict[str, Path], tmp_path: Path
) -> None:
    bundle = bundle_from_document(read_plan(written["plan.json"]))
    two = [r.unit_id for r in bundle.plan.routes[:2]] if bundle.plan else []
    paths = write_pdf_sheets(bundle, tmp_path, lang="zh-CN", units=two, per_unit=False)
    first = PdfReader(paths[0]).pages[0].extract_text() or ""
    assert "分时段见警率" in first and "理论上界" in first
    lines = presence_lines(bundle, Translator("en"))
    assert lines[0].startswith("Presence value") and "upper bound" in lines[0]
    assert any("Gini" in line for line in lines)


def test_a_units_own_sheet_has_no_summary_page(written: dict[str, Path]) -> None:
    bundle = bundle_from_document(read_plan(written["plan.json"]))
    first_unit = bundle.plan.routes[0].unit_id if bundle.plan else ""
    data = pdf_bytes(bundle, lang="zh-CN", units=[first_unit])
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text() or ""
    assert "分时段见警率" not in text


def test_the_map_has_a_presence_layer_by_hour(written: dict[str, Path]) -> None:
    bundle = bundle_from_document(read_plan(written["plan.json"]))
    html = build_map(bundle, MapOptions(lang="zh-CN")).get_root().render()
    name = Translator("zh-CN")("presence.layer.name")
    assert name in html or json.dumps(name)[1:-1] in html
    assert "gridpatrolPresence" in html and "gp-player-slider" in html
    assert presence_color(0) == "#ffffff" and presence_color(13) != presence_color(40)
