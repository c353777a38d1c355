"""A plan file whose stops carry OSM names in other languages (``place.names``, an optional
field of schema version 1): Chinese sheets use ``name:zh``, English ones ``name:en``, and a
plan file without the field reads as before."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from maps.i18n import Translator
from maps.planfile import read_plan_bundle
from maps.sheets.rows import route_rows
from tests.maps._named_plan import named_plan


def _with_names(doc: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The plan with the first street-named stop's street known in Chinese and English."""
    out = copy.deepcopy(doc)
    for route in out["routes"]:
        for stop in route["stops"]:
            place = stop.get("place") or {}
            if place.get("street") and place.get("kind") in ("street", "crossing"):
                place["names"] = {"zh-CN": {"street": "湾街"}, "en": {"street": "Bay St."}}
                return out, route["unit_id"], place["street"]
    raise AssertionError("the demo plan has no street-named stop")


def test_sheets_use_the_readers_names(tmp_path: Path) -> None:
    doc, unit, street = _with_names(named_plan()[0])
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bundle = read_plan_bundle(path)  # checked against the schema
    route = next(r for r in bundle.routes() if r.unit_id == unit)
    zh = [r.place for r in route_rows(bundle, route, Translator("zh-CN"))]
    en = [r.place for r in route_rows(bundle, route, Translator("en"))]
    assert any("湾街" in p for p in zh) and not any(street in p for p in zh if "湾街" in p)
    assert any("Bay St." in p for p in en) and not any("湾街" in p for p in en)


def test_the_demo_plan_names_streets_osm_names_in_chinese() -> None:
    """The Toronto sample's OSM file has ``name:zh`` on College, Huron and Spadina."""
    doc = named_plan()[0]
    local = {
        text
        for r in doc["routes"]
        for s in r["stops"]
        for text in ((s.get("place") or {}).get("names") or {}).get("zh-CN", {}).values()
    }
    assert local and local <= {"書院街", "曉倫街", "士巴丹拿道"}


def test_a_plan_file_without_names_reads_as_before(tmp_path: Path) -> None:
    doc = copy.deepcopy(named_plan()[0])
    for route in doc["routes"]:
        for stop in route["stops"]:
            (stop.get("place") or {}).pop("names", None)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bundle = read_plan_bundle(path)
    route = bundle.routes()[0]
    zh = [r.place for r in route_rows(bundle, route, Translator("zh-CN"))]
    assert zh and not any(c in "".join(zh) for c in "書曉巴")
