"""Stops are named as people name them, once, in the plan file; every output reads the names.

The plan is a demo-like run of the pipeline on the Toronto sample (:mod:`tests.maps._named_plan`).
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.planfile import bundle_from_document, check_document
from maps.sheets.csv import write_csv
from maps.sheets.gpx import gpx_document
from maps.sheets.pdf import pdf_bytes
from maps.sheets.places import place_text, street_text
from maps.webmap import MapOptions, build_map
from tests.maps._named_plan import named_plan


@pytest.fixture(scope="module")
def plan() -> tuple[dict[str, Any], PlanBundle]:
    return named_plan()


def _stops(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for r in doc["routes"] for s in r["stops"]]


def _pdf_text(data: bytes, path: Path) -> str:
    path.write_bytes(data)
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(path).pages).split())


def _printed(value: float, text: str) -> bool:
    """``value`` printed to 6 decimals (the last digit may differ by one: the sheet rounds the
    position read back from the plan file's 7 decimals)."""
    return any(f"{value + k * 1e-6:.6f}" in text for k in (-1, 0, 1))


def test_every_stop_is_named_in_the_plan_file(plan: tuple[dict[str, Any], PlanBundle]) -> None:
    doc, _ = plan
    check_document(doc)  # the schema takes the new fields
    stops = _stops(doc)
    assert len(stops) >= 10
    assert all("place" in s and -90 <= s["lat"] <= 90 and -180 <= s["lon"] <= 180 for s in stops)
    by_street = [s for s in stops if s["place"]["street"]]
    assert len(by_street) / len(stops) >= 0.9
    for s in stops:  # "unnamed" only when OSM has no named street close by
        place = s["place"]
        assert (place["kind"] == "unnamed") == (place["street"] is None and place["name"] is None)


def test_posts_and_lines_keep_the_users_name(plan: tuple[dict[str, Any], PlanBundle]) -> None:
    doc, bundle = plan
    duties = [s for s in _stops(doc) if s["kind"] in ("post", "line")]
    assert duties, "the sample's duties should be planned"
    tr = Translator("en")
    for s in duties:
        assert s["place"]["kind"] == "given" and s["place"]["name"] == s["label"]
        assert place_text(bundle.places[s["task_id"]], tr, "?") == s["label"]
    assert any(s["label"] == "Queen's Park subway exit" for s in duties)


def test_sheets_name_stops_by_street_and_print_coordinates(
    plan: tuple[dict[str, Any], PlanBundle], tmp_path: Path
) -> None:
    doc, bundle = plan
    tr = Translator("en")
    text = _pdf_text(pdf_bytes(bundle, lang="en"), tmp_path / "en.pdf")
    stops = _stops(doc)
    named = 0
    for s in stops:
        place = bundle.places[s["task_id"]]
        assert _printed(s["lat"], text) and _printed(s["lon"], text)
        if place.street is not None and street_text(place, tr) in text:
            named += 1
    assert named / len(stops) >= 0.9
    assert "Hotspot S-r" not in text  # no stop is called by its id any more
    assert "Bay Street & College Street" in text


def test_chinese_sheets_use_chinese_crossings(
    plan: tuple[dict[str, Any], PlanBundle], tmp_path: Path
) -> None:
    _, bundle = plan
    text = _pdf_text(pdf_bytes(bundle, lang="zh-CN"), tmp_path / "zh.pdf")
    packed = "".join(text.split())  # Chinese cells wrap anywhere
    # College Street carries name:zh=書院街 in the sample's OSM file: Chinese sheets use it
    assert "BayStreet与書院街交叉口" in packed
    assert "纬度,经度" in packed


def test_cell_has_its_own_column_and_csv_has_street_and_link(
    plan: tuple[dict[str, Any], PlanBundle], tmp_path: Path
) -> None:
    doc, bundle = plan
    path = write_csv(bundle, tmp_path / "r.csv")
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8-sig")) if r["No."]]
    stops = _stops(doc)
    assert len(rows) == len(stops)
    for row, s in zip(rows, stops, strict=True):
        assert row["Cell"] == (s["cell_id"] or "")
        lat, lon = (float(v) for v in row["geo_uri"].removeprefix("geo:").split(","))
        assert (lat, lon) == pytest.approx((s["lat"], s["lon"]), abs=2e-6)
        assert s["cell_id"] is None or s["cell_id"] not in row["Place"]
    assert sum(1 for r in rows if r["Street / crossing"]) / len(rows) >= 0.9


def test_gpx_and_map_use_the_names(plan: tuple[dict[str, Any], PlanBundle]) -> None:
    doc, bundle = plan
    tr = Translator("en")
    gpx = gpx_document(bundle)
    first = _stops(doc)[0]
    expected = place_text(bundle.places[first["task_id"]], tr, first["label"])
    assert any(w.name and w.name.endswith(expected) for w in gpx.waypoints)
    html = build_map(bundle, MapOptions(lang="en")).get_root().render()
    assert "Bay Street &amp; College Street" in html


def test_names_come_from_the_plan_file_not_the_network(
    plan: tuple[dict[str, Any], PlanBundle], tmp_path: Path
) -> None:
    doc, _ = plan
    edited = copy.deepcopy(doc)
    stop = next(s for s in _stops(edited) if s["place"]["kind"] == "crossing")
    stop["place"]["street"] = "Test Street Written In The File"
    bundle = bundle_from_document(json.loads(json.dumps(edited)))
    text = _pdf_text(pdf_bytes(bundle), tmp_path / "edited.pdf")
    assert "Test Street Written In The File" in text


def test_plan_files_without_places_still_read(plan: tuple[dict[str, Any], PlanBundle]) -> None:
    doc, _ = plan
    old = copy.deepcopy(doc)
    for r in old["routes"]:
        r.pop("streets", None)
        for s in r["stops"]:
            s.pop("place", None)
    bundle = bundle_from_document(old)
    assert bundle.places == {} and all(v == () for v in bundle.streets.values())
    tr = Translator("en")
    stop = bundle.routes()[0].stops[0]
    assert place_text(bundle.places.get(stop.task_id), tr, stop.label) == stop.label
