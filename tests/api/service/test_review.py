"""The review cycle on the service: simulated GPS tracks uploaded for a stored plan, the plan
review against the simulated truth, its reports, scoping, broken files, the monthly evaluation
and the web pages in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.service.models import Role
from api.service.planjob import run_plan_job
from maps.planfile import bundle_from_document
from maps.review.trackfiles import write_fixes_gpx
from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks
from tests.api.service.conftest import Service
from tests.api.web.conftest import form_token, web_login

SMALL = {"unit_counts": "car=1,foot=1", "top": 20, "max_iterations": 100, "seed": 1}


def _plan(service: Service, headers: dict[str, str], sample: str) -> tuple[int, int]:
    """A sample area and a finished plan on its incidents: (area id, plan id)."""
    area = service.area(headers, sample, sample=sample)
    items = service.client.get(f"/datasets?area_id={area['id']}", headers=headers).json()
    body = {"dataset_id": items["items"][0]["id"], **SMALL}
    created = service.client.post("/plans", json=body, headers=headers)
    assert created.status_code == 202, created.text
    job = created.json()
    assert run_plan_job(job["id"], service.url, job["parameters"]) == "succeeded"
    return area["id"], job["id"]


def _simulated_gpx(service: Service, headers: dict[str, str], plan_id: int, folder: Path) -> Any:
    """Tracks of the plan's units simulated with skipped stops, as a GPX file; the truth."""
    doc = service.client.get(f"/plans/{plan_id}/document", headers=headers).json()
    bundle = bundle_from_document(doc, source="test")
    assert bundle.plan is not None
    # walks are walked (the review judges them along their streets); 0.5 Hz keeps the upload
    # under the direct review's fix limit
    options = TrackSimOptions(seed=3, hz=0.5)
    sim = simulate_tracks(bundle.plan, dict(bundle.station_xy()), options, tasks=bundle.tasks)
    timed = fixes_with_times(sim.fixes, bundle.plan_date, bundle.timezone)
    return write_fixes_gpx(timed, bundle.crs, folder / "tracks.gpx"), sim.truth


def _upload(service: Service, headers: dict[str, str], plan_id: int, name: str, data: bytes) -> Any:
    return service.client.post(
        f"/plans/{plan_id}/tracks",
        files={"file": (name, data, "application/gpx+xml")},
        headers=headers,
    )


def test_uploaded_tracks_are_reviewed_against_the_truth(
    service: Service, admin: dict[str, str], tmp_path: Path
) -> None:
    area_id, plan_id = _plan(service, admin, "portland-central")
    none_yet = service.client.get(f"/plans/{plan_id}/review", headers=admin)
    assert none_yet.status_code == 409 and "POST /plans" in none_yet.json()["detail"]

    gpx, truth = _simulated_gpx(service, admin, plan_id, tmp_path)
    uploaded = _upload(service, admin, plan_id, "tracks.gpx", gpx.read_bytes())
    assert uploaded.status_code == 201, uploaded.text
    answer = uploaded.json()
    assert answer["track"]["fixes_read"] > 0
    assert set(answer["track"]["units"]) == set(truth["unit_id"])
    for problem in answer["problems"]:  # located like the command line lists them
        assert problem["file"] == "tracks.gpx" and problem["row"] >= 1 and problem["reason"]

    review = service.client.get(f"/plans/{plan_id}/review", headers=admin)
    assert review.status_code == 200, review.text
    doc = review.json()
    visited_true = truth.groupby("unit_id")["visited"].sum()
    planned_true = truth.groupby("unit_id").size()
    assert 0 < visited_true.sum() < planned_true.sum()  # some stops were skipped
    assert {u["unit_id"] for u in doc["units"]} == set(visited_true.index)
    for unit in doc["units"]:
        assert unit["stops_planned"] == int(planned_true[unit["unit_id"]])
        assert unit["stops_visited"] == int(visited_true[unit["unit_id"]])
    assert sum(s["visited"] for s in doc["stops"]) == int(visited_true.sum())
    assert answer["stops_visited"] == int(visited_true.sum())

    for fmt, marker in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        for lang in ("en", "zh-CN"):
            got = service.client.get(f"/plans/{plan_id}/review.{fmt}?lang={lang}", headers=admin)
            assert got.status_code == 200, got.text
            assert got.content.startswith(marker)

    # another area's user sees nothing of it; a viewer of the area reads but cannot upload
    service.area(admin, "elsewhere")
    areas = service.client.get("/areas", headers=admin).json()["items"]
    other_id = next(a["id"] for a in areas if a["name"] == "elsewhere")
    stranger = service.user("stranger", Role.COORDINATOR.value, [other_id])
    assert service.client.get(f"/plans/{plan_id}/review", headers=stranger).status_code == 404
    assert service.client.get(f"/plans/{plan_id}/review.pdf", headers=stranger).status_code == 404
    assert _upload(service, stranger, plan_id, "t.gpx", gpx.read_bytes()).status_code == 404
    assert (
        service.client.get(f"/areas/{area_id}/monthly?month=2024-01", headers=stranger).status_code
        == 404
    )
    viewer = service.user("viewer", Role.VIEWER.value, [area_id])
    assert service.client.get(f"/plans/{plan_id}/review", headers=viewer).status_code == 200
    assert _upload(service, viewer, plan_id, "t.gpx", gpx.read_bytes()).status_code == 403

    # a broken GPX answers 422 naming the file and the problem; nothing is stored
    broken = gpx.read_bytes()[: len(gpx.read_bytes()) // 2]
    bad = _upload(service, admin, plan_id, "broken.gpx", broken)
    assert bad.status_code == 422, bad.text
    assert "broken.gpx" in bad.text
    # a CSV whose columns are not found names the field that fixes it, and that field works
    csv_text = "车辆,定位时间,lat,lon\nU9,2024-03-05 10:00:00,45.52,-122.68\n"
    unnamed = _upload(service, admin, plan_id, "fixes.csv", csv_text.encode())
    assert unnamed.status_code == 422 and "the columns field" in unnamed.text
    named = service.client.post(
        f"/plans/{plan_id}/tracks",
        data={"columns": "unit_id=车辆,datetime=定位时间"},
        files={"file": ("fixes.csv", csv_text.encode(), "text/csv")},
        headers=admin,
    )
    assert named.status_code == 201, named.text
    assert named.json()["track"]["units"] == ["U9"]
    role = service.client.post(
        f"/plans/{plan_id}/tracks",
        data={"columns": "vehicle=车辆"},
        files={"file": ("fixes.csv", csv_text.encode(), "text/csv")},
        headers=admin,
    )
    assert role.status_code == 422 and "unknown role 'vehicle'" in role.text
    wrong = _upload(service, admin, plan_id, "tracks.kml", b"<kml/>")
    assert wrong.status_code == 422 and ".gpx" in wrong.text
    again = service.client.get(f"/plans/{plan_id}/review", headers=admin).json()
    assert doc["tracks"] == ["tracks.gpx"] and again["tracks"] == ["tracks.gpx", "fixes.csv"]

    # the web pages, in both languages
    web_login(service.client, "admin")
    pages: dict[str, str] = {}
    for lang in ("en", "zh-CN"):
        page = service.client.get(f"/web/plans/{plan_id}/review?lang={lang}")
        assert page.status_code == 200, page.text
        pages[lang] = page.text
        for unit in doc["units"]:
            assert unit["unit_id"] in page.text
    assert "Plan review" in pages["en"] and "点评" in pages["zh-CN"]
    # an upload from the page is read like the API's; a broken one shows the problem
    token = form_token(pages["en"].split('id="track-upload"', 1)[1])
    sent = service.client.post(
        f"/web/plans/{plan_id}/review",
        data={"csrf_token": token, "day": "1"},
        files={"file": ("broken2.gpx", broken, "application/gpx+xml")},
    )
    assert sent.status_code == 422 and "broken2.gpx" in sent.text
    sent = service.client.post(
        f"/web/plans/{plan_id}/review",
        data={"csrf_token": token, "day": "1"},
        files={"file": ("again.gpx", gpx.read_bytes(), "application/gpx+xml")},
    )
    assert sent.status_code == 200 and 'id="uploaded"' in sent.text and "again.gpx" in sent.text
    # a CSV of fixes with its own column names: the page's columns field reads it
    sent = service.client.post(
        f"/web/plans/{plan_id}/review",
        data={"csrf_token": token, "day": "1"},
        files={"file": ("page.csv", csv_text.encode(), "text/csv")},
    )
    assert sent.status_code == 422 and "columns" in sent.text
    sent = service.client.post(
        f"/web/plans/{plan_id}/review",
        data={"csrf_token": token, "day": "1", "columns": "unit_id=车辆,datetime=定位时间"},
        files={"file": ("page.csv", csv_text.encode(), "text/csv")},
    )
    assert sent.status_code == 200 and 'id="uploaded"' in sent.text and "page.csv" in sent.text
    # check-ins (巡更) from the page: a broken file shows its problem, a good one its count
    token = form_token(sent.text.split('id="checkin-upload"', 1)[1])
    sent = service.client.post(
        f"/web/plans/{plan_id}/checkins",
        data={"csrf_token": token, "day": "1"},
        files={"file": ("bad.csv", b"unit_id,checkpoint_id,time\nC1,P1,yesterday\n", "text/csv")},
    )
    assert sent.status_code == 422 and "bad.csv" in sent.text
    unit = doc["units"][0]["unit_id"]
    good = f"unit_id,checkpoint_id,time\n{unit},NOWHERE,{doc['stops'][0]['planned_arrive']}\n"
    sent = service.client.post(
        f"/web/plans/{plan_id}/checkins",
        data={"csrf_token": token, "day": "1"},
        files={"file": ("good.csv", good.encode(), "text/csv")},
    )
    assert sent.status_code == 200, sent.text
    assert 'id="checked-in"' in sent.text and "good.csv" in sent.text

    # uploads and report downloads are in the audit log
    items = service.client.get("/audit?limit=200", headers=admin).json()["items"]
    kinds = {(e["action"], e["resource_type"], e["resource_id"]) for e in items}
    assert ("upload_tracks", "plan", plan_id) in kinds
    assert ("export_review", "plan", plan_id) in kinds


@pytest.mark.parametrize("basis", ["yoy", "mom"])
def test_monthly_evaluation_of_an_area(service: Service, admin: dict[str, str], basis: str) -> None:
    area = service.area(admin, "portland-central", sample="portland-central")
    items = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()
    last = items["items"][0]["last_at"][:7]
    got = service.client.get(
        f"/areas/{area['id']}/monthly?month={last}&basis={basis}", headers=admin
    )
    assert got.status_code == 200, got.text
    doc = got.json()
    assert doc["month"] == last and doc["basis"] == basis and doc["areas"]
    assert sum(a["count"] for a in doc["areas"]) > 0
    bad = service.client.get(f"/areas/{area['id']}/monthly?month=2024-13", headers=admin)
    assert bad.status_code == 422 and "month" in bad.text
    items = service.client.get("/audit?limit=50", headers=admin).json()["items"]
    assert any(e["action"] == "export_monthly" and e["resource_id"] == area["id"] for e in items)
    web_login(service.client, "admin")
    area_page = service.client.get(f"/web/areas/{area['id']}")
    assert f"/web/areas/{area['id']}/monthly" in area_page.text
    for lang, word in (("en", "Monthly ranking"), ("zh-CN", "每月考评")):
        page = service.client.get(
            f"/web/areas/{area['id']}/monthly?month={last}&basis={basis}&lang={lang}"
        )
        assert page.status_code == 200, page.text
        assert word in page.text and 'id="ranking"' in page.text
        assert all(a["name"] in page.text for a in doc["areas"])


def test_the_review_migration_runs_up_and_down(database_url: str) -> None:
    from sqlalchemy import inspect

    from api.service.db import make_engine
    from api.service.migrations import downgrade, upgrade

    engine = make_engine(database_url, pooled=False)
    try:
        upgrade(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("plan_tracks")}
        assert columns == {
            "id",
            "plan_id",
            "day",
            "filename",
            "fix_count",
            "fixes",
            "uploaded_at",
            "uploaded_by_id",
        }
        keys = inspect(engine).get_foreign_keys("plan_tracks")
        plan_key = next(k for k in keys if k["referred_table"] == "plans")
        assert plan_key["options"].get("ondelete", "").upper() == "CASCADE"
        downgrade(engine, "0005_jobs_areas")
        assert "plan_tracks" not in inspect(engine).get_table_names()
        assert "plans" in inspect(engine).get_table_names()
        upgrade(engine)
        assert "plan_tracks" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
