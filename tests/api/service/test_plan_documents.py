"""Plans stored as plan documents: shifts across midnight on hour-stamped (Toronto) and
dates-only (Portland) data, maps and sheets drawn from the stored document, successive days,
and stored documents the service cannot use (409, asking for a re-run).
"""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import delete, update

from api.service.db import make_engine, make_session_factory, transaction
from api.service.models import PlanDocument
from api.service.planjob import run_plan_job
from geo.naming import Place
from maps.i18n import Translator
from maps.planfile import PLAN_SCHEMA_VERSION
from maps.sheets.places import place_text
from tests.api.service.conftest import Service

SMALL = {"unit_counts": "car=1,foot=1", "top": 20, "max_iterations": 100, "seed": 1}


def _dataset(service: Service, headers: dict[str, str], sample: str) -> int:
    area = service.area(headers, sample, sample=sample)
    items = service.client.get(f"/datasets?area_id={area['id']}", headers=headers).json()
    dataset_id: int = items["items"][0]["id"]
    return dataset_id


def _planned(service: Service, headers: dict[str, str], body: dict[str, Any]) -> int:
    """Queue a plan and run its job here; its id."""
    created = service.client.post("/plans", json=body, headers=headers)
    assert created.status_code == 202, created.text
    job = created.json()
    state = run_plan_job(job["id"], service.url, job["parameters"])
    final = service.client.get(f"/plans/{job['id']}", headers=headers).json()
    assert state == "succeeded", final
    plan_id: int = job["id"]
    return plan_id


def _document(service: Service, headers: dict[str, str], plan_id: int, day: int = 1) -> Any:
    response = service.client.get(f"/plans/{plan_id}/document?day={day}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _doc_stops(doc: dict[str, Any]) -> list[tuple[str, int, str, str, str, str]]:
    return [
        (r["unit_id"], s["order"], s["task_id"], s["label"], s["arrive"], s["leave"])
        for r in doc["routes"]
        for s in r["stops"]
    ]


@pytest.mark.parametrize("band", ["18-02", "22-06"])
@pytest.mark.parametrize(
    ("sample", "hourly"), [("toronto-uoft", True), ("portland-central", False)]
)
def test_night_shifts_plan_and_draw_from_the_document(
    service: Service, admin: dict[str, str], sample: str, hourly: bool, band: str
) -> None:
    dataset_id = _dataset(service, admin, sample)
    plan_id = _planned(service, admin, {"dataset_id": dataset_id, "band": band, **SMALL})
    doc = _document(service, admin, plan_id)
    start, end = (int(h) for h in band.split("-"))
    assert doc["shift"]["band"] == band and doc["options"]["shift"] == band
    assert doc["shift"]["start_s"] == start * 3600
    assert doc["shift"]["end_s"] == (24 + end) * 3600  # past midnight: the next day
    # Hour-stamped data is scored on the shift's hours; dates-only data by the day.
    assert doc["risk_band"] == (band if hourly else "day")
    stops = _doc_stops(doc)
    assert stops and doc["totals"]["stops"] == len(stops)
    assert any(s[4][:10] > doc["plan_date"] for s in stops)  # some stops after midnight

    routes = service.client.get(f"/plans/{plan_id}/routes", headers=admin).json()
    sheet = service.client.get(f"/plans/{plan_id}/sheets/geojson", headers=admin)
    assert sheet.status_code == 200
    assert sheet.json()["features"] == routes["features"]
    drawn = [
        (p["unit_id"], p["order"], p["task_id"], p["label"], p["arrive"], p["leave"])
        for p in (f["properties"] for f in routes["features"])
        if p["feature_type"] == "stop"
    ]
    assert drawn == stops

    table = service.client.get(f"/plans/{plan_id}/sheets/csv", headers=admin)
    assert table.status_code == 200
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    listed = [(r["Unit"], int(r["No."]), r["Place"]) for r in rows if r["No."]]
    # The sheet names each stop as the plan file does (street, crossing, the user's own name),
    # the planner's label only where the file names nothing.
    places = {
        (p["unit_id"], p["order"]): p["place"]
        for p in (f["properties"] for f in routes["features"])
        if p["feature_type"] == "stop"
    }
    english = Translator("en")
    named = [
        (
            unit,
            order,
            place_text(
                None if places[unit, order] is None else Place.from_dict(places[unit, order]),
                english,
                label,
            ),
        )
        for unit, order, _, label, _, _ in stops
    ]
    assert listed == named
    assert sum(p is not None for p in places.values()) >= 0.9 * len(places)
    printed = [datetime.fromisoformat(r["arrive_iso"]) for r in rows if r["No."]]
    planned = [datetime.fromisoformat(arrive) for _, _, _, _, arrive, _ in stops]
    # Printed to the minute, on the right date after midnight.
    assert all(abs((p - q).total_seconds()) <= 30 for p, q in zip(printed, planned, strict=True))
    for fmt, marker in (("pdf", b"%PDF"), ("xlsx", b"PK"), ("gpx", b"<gpx")):
        drawn_sheet = service.client.get(f"/plans/{plan_id}/sheets/{fmt}", headers=admin)
        assert drawn_sheet.status_code == 200 and marker in drawn_sheet.content[:200], fmt

    page = service.client.get(f"/plans/{plan_id}/map", headers=admin)
    assert page.status_code == 200 and "leaflet" in page.text.lower()
    # The map names the stops as the sheets do (HTML-escaped in its tooltips and popups).
    missing = [name for _, _, name in named if html.escape(name) not in page.text]
    assert not missing, missing[:5]


def test_successive_days_are_stored_and_drawn_per_day(
    service: Service, admin: dict[str, str]
) -> None:
    dataset_id = _dataset(service, admin, "toronto-uoft")
    plan_id = _planned(
        service, admin, {"dataset_id": dataset_id, "band": "22-06", "vary": 2, **SMALL}
    )
    first, second = (_document(service, admin, plan_id, day) for day in (1, 2))
    assert (first["day"], second["day"]) == (1, 2) and first["days"] == second["days"] == 2
    assert second["plan_date"] > first["plan_date"]
    result = service.client.get(f"/plans/{plan_id}/result", headers=admin).json()
    assert [d["plan_date"] for d in result["days"]] == [first["plan_date"], second["plan_date"]]
    named = service.client.get(f"/plans/{plan_id}/document?day=2", headers=admin)
    assert f'filename="plan{plan_id}-day2.json"' in named.headers["content-disposition"]
    routes = service.client.get(f"/plans/{plan_id}/routes?day=2", headers=admin).json()
    drawn = [
        (p["unit_id"], p["order"], p["task_id"], p["label"], p["arrive"], p["leave"])
        for p in (f["properties"] for f in routes["features"])
        if p["feature_type"] == "stop"
    ]
    assert drawn == _doc_stops(second)
    assert service.client.get(f"/plans/{plan_id}/map?day=2", headers=admin).status_code == 200
    gpx = service.client.get(f"/plans/{plan_id}/sheets/gpx?day=2", headers=admin)
    assert gpx.status_code == 200 and "day2" in gpx.headers["content-disposition"]
    # A day the plan does not have: 409 naming its days; outside 1..14: 422.
    missing = service.client.get(f"/plans/{plan_id}/map?day=3", headers=admin)
    assert missing.status_code == 409 and "1..2" in missing.json()["detail"]
    for path in ("map", "sheets/csv", "routes", "document"):
        for day in (0, 15):
            got = service.client.get(f"/plans/{plan_id}/{path}?day={day}", headers=admin)
            assert got.status_code == 422, (path, day)


def _change_documents(url: str, plan_id: int, **values: Any) -> None:
    engine = make_engine(url, pooled=False)
    try:
        with transaction(make_session_factory(engine)) as session:
            if values:
                session.execute(
                    update(PlanDocument).where(PlanDocument.plan_id == plan_id).values(**values)
                )
            else:
                session.execute(delete(PlanDocument).where(PlanDocument.plan_id == plan_id))
    finally:
        engine.dispose()


@pytest.mark.parametrize("change", ["old schema", "no document"])
def test_unusable_stored_documents_ask_for_a_rerun(
    service: Service, admin: dict[str, str], change: str
) -> None:
    dataset_id = _dataset(service, admin, "toronto-uoft")
    plan_id = _planned(service, admin, {"dataset_id": dataset_id, "band": "16-24", **SMALL})
    doc = _document(service, admin, plan_id)
    assert doc["schema_version"] == PLAN_SCHEMA_VERSION
    if change == "old schema":
        _change_documents(service.url, plan_id, schema_version=0, data={**doc, "schema_version": 0})
    else:
        _change_documents(service.url, plan_id)  # as a plan made before documents were stored
    hint = f"re-run it: POST /plans/{plan_id}/rerun"
    for path in ("map", "sheets/pdf", "sheets/csv", "routes", "document"):
        response = service.client.get(f"/plans/{plan_id}/{path}", headers=admin)
        assert response.status_code == 409, (path, response.text)
        assert hint in response.json()["detail"], path
    # The summary stays; a re-run makes a usable plan again.
    assert service.client.get(f"/plans/{plan_id}/result", headers=admin).status_code == 200
    rerun = service.client.post(f"/plans/{plan_id}/rerun", headers=admin)
    assert rerun.status_code == 202
    new = rerun.json()
    assert run_plan_job(new["id"], service.url, new["parameters"]) == "succeeded"
    assert _document(service, admin, new["id"])["schema_version"] == PLAN_SCHEMA_VERSION
