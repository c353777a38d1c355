"""XLSX, CSV, GPX 1.1 and GeoJSON exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import xmlschema
from openpyxl import load_workbook

from maps.bundle import PlanBundle
from maps.sheets.csv import write_csv
from maps.sheets.geojson import write_geojson
from maps.sheets.gpx import write_gpx
from maps.sheets.xlsx import sheet_title, write_xlsx
from tests.maps.conftest import DATA


@pytest.fixture(scope="module")
def gpx_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(DATA / "gpx11.xsd")


def test_xlsx_has_a_sheet_per_unit(bundle: PlanBundle, tmp_path: Path) -> None:
    path = write_xlsx(bundle, tmp_path / "r.xlsx", lang="zh-CN")
    wb = load_workbook(path)
    assert bundle.plan is not None
    assert wb.sheetnames == ["汇总", *[r.unit_id for r in bundle.plan.routes]]
    route = next(r for r in bundle.plan.routes if r.stops)
    values = [c for row in wb[route.unit_id].iter_rows(values_only=True) for c in row if c]
    assert route.stops[0].label in values and "到达" in values


def test_sheet_titles_are_valid_and_unique() -> None:
    used: set[str] = set()
    assert sheet_title("a/b", used) == "a_b"
    assert sheet_title("A/B", used) == "A_B~2"
    assert len(sheet_title("x" * 40, used)) == 31


def test_csv_rows(bundle: PlanBundle, tmp_path: Path) -> None:
    path = write_csv(bundle, tmp_path / "r.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert bundle.plan is not None
    n_stops = sum(len(r.stops) for r in bundle.plan.routes)
    assert sum(1 for r in rows if r["No."]) == n_stops
    assert rows[0]["leave_iso"].startswith("2024-03-05T16:00")


def test_gpx_validates_against_gpx_11(
    bundle: PlanBundle, tmp_path: Path, gpx_schema: xmlschema.XMLSchema
) -> None:
    path = write_gpx(bundle, tmp_path / "r.gpx", lang="zh-CN")
    gpx_schema.validate(str(path))
    text = path.read_text(encoding="utf-8")
    assert bundle.plan is not None
    assert text.count("<rte>") == len(bundle.plan.routes)
    assert text.count("<wpt ") == sum(len(r.stops) for r in bundle.plan.routes)
    assert "<rtept " in text and "<trkpt " in text


def test_broken_gpx_fails_validation(
    bundle: PlanBundle, tmp_path: Path, gpx_schema: xmlschema.XMLSchema
) -> None:
    text = write_gpx(bundle, tmp_path / "r.gpx").read_text(encoding="utf-8")
    broken = text.replace('lat="43.', 'lat="143.', 1)  # latitude out of range
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        gpx_schema.validate(broken)
    misplaced = text.replace("<metadata>", "<rte><name>x</name></rte><metadata>", 1)
    assert not gpx_schema.is_valid(misplaced)  # metadata must come first


def test_geojson_is_wgs84(bundle: PlanBundle, tmp_path: Path) -> None:
    doc = json.loads(write_geojson(bundle, tmp_path / "r.geojson").read_text(encoding="utf-8"))
    kinds = {f["properties"]["feature_type"] for f in doc["features"]}
    assert kinds == {"route", "stop", "station"}
    for f in doc["features"]:
        coords = f["geometry"]["coordinates"]
        lon, lat = coords[0] if f["geometry"]["type"] == "LineString" else coords
        assert -80 < lon < -79 and 43 < lat < 44  # Toronto, lon first
