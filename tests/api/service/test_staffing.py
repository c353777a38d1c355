"""Staffing proposals as background jobs on the Toronto sample: the whole run (summary, table,
PDF in both languages, chart, workbook), the web page showing it, bad requests, roles, scoping,
cancel. Runs are small: one shift, up to two units, half a second per curve point."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.service.staffing import run_staffing_job
from tests.api.service.conftest import Service

RUN = {"bands": ["16-24"], "fleet": "foot", "max_units": 2, "time_limit_s": 0.5}
TERMINAL = {"succeeded", "failed", "cancelled"}


def _sample_area(service: Service, headers: dict[str, str], name: str = "UofT") -> tuple[int, int]:
    area = service.area(headers, name, sample="toronto-uoft")
    datasets = service.client.get(f"/datasets?area_id={area['id']}", headers=headers).json()
    return area["id"], datasets["items"][0]["id"]


def _wait(service: Service, headers: dict[str, str], run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        body: dict[str, Any] = service.client.get(f"/staffing/{run_id}", headers=headers).json()
        if body["state"] in TERMINAL:
            return body
        time.sleep(0.2)
    raise AssertionError(f"staffing run {run_id} did not finish: {body}")


def test_staffing_run_end_to_end(make_service: Callable[..., Service], sqlite_url: str) -> None:
    service = make_service(sqlite_url, lifespan=True, job_workers=1, staffing_max_units=3)
    admin = service.user("admin", "admin")
    area_id, dataset_id = _sample_area(service, admin)
    created = service.client.post(
        "/staffing", json={"dataset_id": dataset_id, **RUN, "max_units": 9}, headers=admin
    )
    assert created.status_code == 202, created.text
    assert created.json()["parameters"]["max_units"] == 3  # capped by the service
    run = _wait(service, admin, created.json()["id"])
    assert run["state"] == "succeeded", run
    assert run["progress"] == 1.0 and run["message"] == "Staffing done"
    assert set(run["files"]) == {"csv", "pdf_en", "pdf_zh-CN", "png", "xlsx"}
    rows = run["summary"]["district_rows"]
    assert any(r["shift"] == "16-24" and r["workload_people"] for r in rows)

    table = service.client.get(f"/staffing/{run['id']}/table", headers=admin).json()
    assert "workload_people" in table["columns"]
    assert {"shortage", "surplus", "headcount_per"} <= set(table["columns"])
    assert "gap" not in table["columns"]
    district = [r for r in table["rows"] if r["area_id"] == "all" and r["shift"] == "16-24"]
    assert len(district) == 1 and district[0]["workload_people"] >= 1
    for fmt, query, magic in (
        ("pdf", "", b"%PDF"),
        ("pdf", "?lang=zh-CN", b"%PDF"),
        ("png", "", b"\x89PNG"),
        ("xlsx", "", b"PK"),
        ("csv", "", b"area_id"),
    ):
        response = service.client.get(f"/staffing/{run['id']}/files/{fmt}{query}", headers=admin)
        assert response.status_code == 200, (fmt, response.text[:200])
        assert response.content.lstrip(b"\xef\xbb\xbf").startswith(magic), fmt
    listed = service.client.get(f"/staffing?area_id={area_id}", headers=admin).json()
    assert listed["total"] == 1

    # The web page shows the table, the chart and the downloads.
    with TestClient(service.app) as browser:
        from tests.api.web.conftest import web_login

        web_login(browser, "admin")
        page = browser.get(f"/web/staffing/{run['id']}?lang=zh-CN")
        assert page.status_code == 200
        assert 'id="staffing-table"' in page.text and "各片区、各班次巡防力量配置" in page.text
        assert f"/staffing/{run['id']}/files/pdf?lang=zh-CN" in page.text
        assert browser.get(f"/staffing/{run['id']}/files/png").status_code == 200


def test_staffing_job_inline_writes_no_temporary_files(
    service: Service, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job makes its files in memory (maps.staffing.staffing_files): no temporary folder
    to write them to and read them back from."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the staffing job made a temporary folder")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    monkeypatch.setattr(tempfile, "TemporaryDirectory", refuse)
    _, dataset_id = _sample_area(service, admin)
    created = service.client.post(
        "/staffing", json={"dataset_id": dataset_id, **RUN, "max_units": 1}, headers=admin
    ).json()
    assert run_staffing_job(created["id"], service.url, created["parameters"]) == "succeeded"
    run = service.client.get(f"/staffing/{created['id']}", headers=admin).json()
    assert set(run["files"]) == {"csv", "pdf_en", "pdf_zh-CN", "png", "xlsx"}
    summary = run["summary"]
    assert "outputs" not in summary
    # The sample's areas have no population: no norm, said so, never 0.
    assert summary["norms"]["fulltime"] is None
    team = next(r for r in summary["district_rows"] if r["shift"] == "team (week)")
    assert team["norm_fulltime"] is None and "no population data" in team["basis"]
    rows = service.client.get(f"/staffing/{created['id']}/table", headers=admin).json()["rows"]
    assert all(r["area_id"] == "all" for r in rows)  # areas without anything are left out
    assert all(r["shortage"] is None and r["surplus"] is None for r in rows)  # no staff given
    assert [r["headcount_per"] for r in rows] == ["shift", "week"]
    csv = service.client.get(f"/staffing/{created['id']}/files/csv", headers=admin)
    assert csv.content.decode("utf-8-sig").startswith("area_id,area,shift,headcount_per")


def test_bad_staffing_requests(service: Service, admin: dict[str, str]) -> None:
    _, dataset_id = _sample_area(service, admin)
    bad_band = service.client.post(
        "/staffing", json={"dataset_id": dataset_id, "bands": ["25-99"]}, headers=admin
    )
    assert bad_band.status_code == 422 and "bands" in bad_band.json()["detail"]
    bad_fleet = service.client.post(
        "/staffing", json={"dataset_id": dataset_id, "fleet": "boat"}, headers=admin
    )
    assert bad_fleet.status_code == 422
    missing = service.client.post("/staffing", json={"dataset_id": 999}, headers=admin)
    assert missing.status_code == 404
    assert service.client.get("/staffing", headers=admin).json()["total"] == 0


def test_staffing_roles_scope_and_cancel(service: Service, admin: dict[str, str]) -> None:
    mine, my_dataset = _sample_area(service, admin, "Mine")
    _, their_dataset = _sample_area(service, admin, "Theirs")
    theirs = service.client.post(
        "/staffing", json={"dataset_id": their_dataset, **RUN}, headers=admin
    ).json()
    viewer = service.user("vic", "viewer", [mine])
    coordinator = service.user("pat", "coordinator", [mine])
    assert (
        service.client.post(
            "/staffing", json={"dataset_id": my_dataset, **RUN}, headers=viewer
        ).status_code
        == 403
    )
    assert service.client.get(f"/staffing/{theirs['id']}", headers=coordinator).status_code == 404
    assert service.client.get("/staffing", headers=coordinator).json()["total"] == 0
    own = service.client.post(
        "/staffing", json={"dataset_id": my_dataset, **RUN}, headers=coordinator
    )
    assert own.status_code == 202
    run_id = own.json()["id"]
    assert service.client.get(f"/staffing/{run_id}/table", headers=viewer).status_code == 409
    assert service.client.get(f"/staffing/{run_id}/files/pdf", headers=viewer).status_code == 409
    cancelled = service.client.post(f"/staffing/{run_id}/cancel", headers=coordinator)
    assert cancelled.json()["state"] == "cancelled"
    assert service.client.post(f"/staffing/{run_id}/cancel", headers=coordinator).status_code == 409
    # The claim refuses a cancelled job.
    parameters = own.json()["parameters"]
    assert run_staffing_job(run_id, service.url, parameters) == "cancelled"
