"""The plan file: a planned shift written as ``plan.json`` and read back exactly."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest

from maps.exports import plan_documents, write_plan_files
from maps.planfile import (
    PLAN_SCHEMA_VERSION,
    PlanFileError,
    bundle_from_document,
    check_document,
    plan_document,
    plan_schema,
    read_plan,
    read_plan_bundle,
)
from planner.clock import wall_clock_iso
from planner.shift import PlanOptions, ShiftPlan, plan_shift, shift_band
from tests.districts import small_district

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def planned() -> ShiftPlan:
    # Plans 2024-03-10, the day clocks go forward in Toronto.
    return plan_shift(
        small_district(last_day="2024-03-09"),
        PlanOptions(shift=shift_band("18-02"), time_limit_s=1.0, max_iterations=150, vary=2),
    )


@pytest.fixture(scope="module")
def doc(planned: ShiftPlan) -> dict:
    return plan_document(planned, source={"kind": "library"}, request={"band": "18-02"})


def test_the_schema_in_docs_is_the_one_the_package_checks_with() -> None:
    shipped = json.loads((ROOT / "docs" / "plan.schema.json").read_text(encoding="utf-8"))
    assert shipped == plan_schema()
    jsonschema.Draft202012Validator.check_schema(shipped)


def test_a_document_is_valid_and_versioned(doc: dict) -> None:
    jsonschema.validate(doc, plan_schema())
    assert doc["format"] == "gridpatrol-plan"
    assert doc["schema_version"] == PLAN_SCHEMA_VERSION
    assert doc["district"]["source"] == {"kind": "library"}
    assert doc["options"]["shift"] == "18-02" and doc["risk_band"] == "18-02"


def test_times_are_wall_clock_seconds_and_the_same_local_time(doc: dict) -> None:
    day = date.fromisoformat(doc["plan_date"])
    assert day == date(2024, 3, 10)
    assert doc["shift"]["start"] == "2024-03-10T18:00:00-04:00"  # not 19:00
    assert doc["shift"]["end"] == "2024-03-11T02:00:00-04:00"
    tz = doc["district"]["timezone"]
    stops = [s for r in doc["routes"] for s in r["stops"]]
    assert stops
    for stop in stops:
        assert stop["arrive"] == wall_clock_iso(day, stop["arrive_s"], tz)
        assert stop["leave"] == wall_clock_iso(day, stop["leave_s"], tz)
        assert stop["leave_s"] - stop["arrive_s"] == stop["dwell_s"]


def test_reading_back_gives_the_same_plan(planned: ShiftPlan, doc: dict) -> None:
    bundle = bundle_from_document(doc)
    assert bundle.plan is not None
    original = planned.plan
    assert bundle.plan.stop_order() == original.stop_order()
    for got, want in zip(bundle.plan.routes, original.routes, strict=True):
        assert (got.unit_id, got.mode, got.depart_s, got.return_s) == (
            want.unit_id,
            want.mode,
            want.depart_s,
            want.return_s,
        )
        assert [(s.arrival_s, s.departure_s, s.kind, s.cell_id) for s in got.stops] == [
            (s.arrival_s, s.departure_s, s.kind, s.cell_id) for s in want.stops
        ]
        for a, b in zip(got.stops, want.stops, strict=True):
            assert abs(a.x - b.x) < 0.05 and abs(a.y - b.y) < 0.05
        assert got.breaks == want.breaks
        assert len(got.legs) == len(want.legs)
        assert got.distance_m == pytest.approx(want.distance_m, abs=0.01)
    assert [t.task_id for t in bundle.tasks] == [t.task_id for t in planned.problem.tasks]
    assert [(t.window_open_s, t.window_close_s, t.dwell_s) for t in bundle.tasks] == [
        (t.window_open_s, t.window_close_s, t.dwell_s) for t in planned.problem.tasks
    ]
    assert bundle.units == planned.problem.units
    assert bundle.band == "18-02" and bundle.shift == "18-02"
    assert bundle.plan.dropped == original.dropped
    assert bundle.plan.presence_min_by_cell == pytest.approx(dict(original.presence_min_by_cell))


def test_layers_hold_what_the_map_draws(planned: ShiftPlan, doc: dict) -> None:
    bundle = bundle_from_document(doc)
    assert bundle.cells is not None and len(bundle.cells) == len(planned.analysis.grid.cells)
    assert bundle.risk is not None
    assert set(bundle.risk["band"]) == set(planned.analysis.risk.band_names)
    assert bundle.hotspots is not None and len(bundle.hotspots) == len(planned.hotspots)
    assert bundle.incidents is not None
    assert len(bundle.incidents) == len(planned.analysis.located_incidents())
    assert str(bundle.incidents["occurred_at"].dt.tz) == "America/Toronto"
    # places, times and categories only: no incident ids or source rows
    assert set(doc["layers"]["incidents"]) <= {
        "lat",
        "lon",
        "occurred_at",
        "time_known",
        "category",
        "weight",
        "cell_id",
    }


def test_variants_are_for_successive_days(planned: ShiftPlan) -> None:
    docs = plan_documents(planned)
    assert [d["day"] for d in docs] == list(range(1, len(planned.plans) + 1))
    first = date.fromisoformat(docs[0]["plan_date"])
    for k, d in enumerate(docs):
        assert date.fromisoformat(d["plan_date"]) == first + timedelta(days=k)
        assert d["shift"]["start"].startswith((first + timedelta(days=k)).isoformat())


def test_written_files_read_back(planned: ShiftPlan, tmp_path: Path) -> None:
    written = write_plan_files(plan_documents(planned), tmp_path)
    assert {"plan.json", "plan.geojson", "plan-day2.json", "plan-day2.geojson"} <= set(written)
    bundle = read_plan_bundle(written["plan.json"])
    assert bundle.plan is not None and bundle.plan.stop_order() == planned.plan.stop_order()
    geojson = json.loads(written["plan.geojson"].read_text(encoding="utf-8"))
    features = geojson["features"]
    stops = [f["properties"] for f in features if f["properties"]["feature_type"] == "stop"]
    assert len(stops) == sum(len(r.stops) for r in planned.plan.routes)


def test_another_schema_version_is_refused_with_what_to_do(doc: dict) -> None:
    old = dict(doc, schema_version=0)
    with pytest.raises(PlanFileError, match=r"schema version 0; this gridpatrol reads version 1"):
        check_document(old, "old.json")
    with pytest.raises(PlanFileError, match=r"gridpatrol plan"):
        bundle_from_document(old)


def test_a_json_that_is_not_a_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"other\.json: not a gridpatrol plan file"):
        read_plan(path)


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format": "gridpatrol-plan",\n  "schema_version": }', encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"not JSON \(line 2, column"):
        read_plan(path)


def test_an_invalid_field_is_named(doc: dict) -> None:
    broken = json.loads(json.dumps(doc))
    broken["routes"][0]["mode"] = "helicopter"
    del broken["units"][0]["crew"]
    with pytest.raises(PlanFileError) as info:
        check_document(broken, "plan.json")
    assert "routes/0/mode" in str(info.value) and "units/0" in str(info.value)


def test_dates_only_plans_carry_the_band_they_used() -> None:
    result = plan_shift(
        small_district(times_known=False),
        PlanOptions(shift=shift_band("22-06"), time_limit_s=1.0, max_iterations=100),
    )
    doc = plan_document(result)
    assert doc["risk_band"] == "day" and doc["shift"]["band"] == "22-06"
    bundle = bundle_from_document(doc)
    assert bundle.band == "day"  # the map colours the band the plan used


@pytest.mark.parametrize(
    ("tz", "last_day", "start", "end"),
    [
        # Portland's zone, the night clocks go back: 16:00 is -08:00 (not 15:00 or 17:00).
        (
            "America/Los_Angeles",
            "2024-11-02",
            "2024-11-03T16:00:00-08:00",
            "2024-11-04T00:00:00-08:00",
        ),
        # Toronto's zone, the day clocks go back.
        ("America/Toronto", "2024-11-02", "2024-11-03T16:00:00-05:00", "2024-11-04T00:00:00-05:00"),
        # Portland's zone, the day clocks go forward.
        (
            "America/Los_Angeles",
            "2024-03-09",
            "2024-03-10T16:00:00-07:00",
            "2024-03-11T00:00:00-07:00",
        ),
    ],
)
def test_the_shift_keeps_its_wall_clock_on_dst_days(tz, last_day, start, end) -> None:
    result = plan_shift(
        small_district(timezone=tz, last_day=last_day, hours=(16, 17, 18, 19, 20, 21, 22, 23)),
        PlanOptions(shift=shift_band("16-24"), time_limit_s=1.0, max_iterations=100),
    )
    doc = plan_document(result)
    assert (doc["shift"]["start"], doc["shift"]["end"]) == (start, end)
    for unit in doc["units"]:
        assert unit["shift_start"] == start and unit["shift_end"] == end
    for route in doc["routes"]:
        assert route["depart"] >= start[:19] and route["return"][:19] <= end[:19]
