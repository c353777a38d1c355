"""Background plans on the Toronto sample: lifecycle with progress, result, routes, sheets and
map; cancel; a worker killed mid-plan and a restart (failed, nothing else lost, re-run works).

Plans use the small Toronto sample and a 1-2 s solver limit; each job runs in a spawned
process, as in the service.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from multiprocessing.process import BaseProcess
from typing import Any

import pytest

from api.service.jobs import INTERRUPTED
from api.service.planjob import run_plan_job
from tests.api.service.conftest import Service

PLAN = {"band": "16-24", "unit_counts": "car=1,foot=1", "time_limit_s": 2, "top": 15}
TERMINAL = {"succeeded", "failed", "cancelled"}


def _sample_area(service: Service, headers: dict[str, str]) -> tuple[int, int]:
    area = service.area(headers, "UofT", sample="toronto-uoft")
    datasets = service.client.get(f"/datasets?area_id={area['id']}", headers=headers).json()
    assert datasets["total"] == 1 and datasets["items"][0]["row_count"] == 822
    return area["id"], datasets["items"][0]["id"]


def _start_plan(service: Service, headers: dict[str, str], dataset_id: int, **body: Any) -> int:
    """Submit a plan of ``dataset_id`` (``PLAN`` with ``body`` over it); its id (202 asserted)."""
    created = service.client.post(
        "/plans", json={"dataset_id": dataset_id, **PLAN, **body}, headers=headers
    )
    assert created.status_code == 202, created.text
    return int(created.json()["id"])


def _spawned(
    services: Sequence[Service], plan_id: int, timeout_s: float = 60.0
) -> tuple[Service, BaseProcess]:
    """The server whose runner runs plan ``plan_id`` in a local process, and the process.

    A job is claimed (``running`` in the database) before its process is spawned and known
    to the runner, so a test that saw ``running`` waits here for the process.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for service in services:
            process = service.app.state.service.runner.process_of(plan_id)
            if process is not None:
                return service, process
        time.sleep(0.02)
    raise AssertionError(f"no runner started a process for plan {plan_id} in {timeout_s} s")


def _wait(
    service: Service,
    headers: dict[str, str],
    plan_id: int,
    until: Callable[[dict[str, Any]], bool],
    timeout_s: float = 120.0,
) -> list[dict[str, Any]]:
    """Poll a plan until ``until`` holds; return every state seen."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = service.client.get(f"/plans/{plan_id}", headers=headers).json()
        seen.append(body)
        if until(body):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"plan {plan_id} did not get there in {timeout_s} s: {seen[-1]}")


def test_plan_lifecycle(make_service: Callable[..., Service], sqlite_url: str) -> None:
    service = make_service(sqlite_url, lifespan=True, job_workers=1)
    admin = service.user("admin", "admin")
    _, dataset_id = _sample_area(service, admin)
    created = service.client.post("/plans", json={"dataset_id": dataset_id, **PLAN}, headers=admin)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["state"] == "queued" and job["progress"] == 0.0
    assert job["parameters"]["time_limit_s"] == 2

    seen = _wait(service, admin, job["id"], lambda b: b["state"] in TERMINAL)
    states = [b["state"] for b in seen]
    final = seen[-1]
    assert final["state"] == "succeeded", final
    assert "running" in states
    running_progress = [b["progress"] for b in seen if b["state"] == "running"]
    assert max(running_progress) > 0.0 and running_progress == sorted(running_progress)
    assert final["progress"] == 1.0 and final["started_at"] and final["finished_at"]
    assert final["summary"]["units"] == 2 and final["summary"]["risk_band"]

    result = service.client.get(f"/plans/{job['id']}/result", headers=admin).json()
    assert result["units"] == 2 and len(result["plan"]["routes"]) == 2
    routes = service.client.get(f"/plans/{job['id']}/routes", headers=admin).json()
    kinds = {f["geometry"]["type"] for f in routes["features"]}
    assert routes["type"] == "FeatureCollection" and "Point" in kinds

    for fmt, marker in (("csv", b"unit"), ("gpx", b"<gpx"), ("geojson", b"FeatureCollection")):
        sheet = service.client.get(f"/plans/{job['id']}/sheets/{fmt}", headers=admin)
        assert sheet.status_code == 200, (fmt, sheet.text[:300])
        assert marker in sheet.content[:2000].lower() or marker in sheet.content[:2000]
    unknown = service.client.get(f"/plans/{job['id']}/sheets/csv?units=Z9", headers=admin)
    assert unknown.status_code == 422
    page = service.client.get(f"/plans/{job['id']}/map", headers=admin)
    assert page.status_code == 200 and "leaflet" in page.text.lower()

    listed = service.client.get("/plans?state=succeeded", headers=admin).json()
    assert listed["total"] == 1


def test_bad_plan_requests_are_422(service: Service, admin: dict[str, str]) -> None:
    _, dataset_id = _sample_area(service, admin)
    bad_band = service.client.post(
        "/plans", json={"dataset_id": dataset_id, "band": "25-99"}, headers=admin
    )
    assert bad_band.status_code == 422
    bad_units = service.client.post(
        "/plans", json={"dataset_id": dataset_id, "unit_counts": "boat=2"}, headers=admin
    )
    assert bad_units.status_code == 422
    assert "unit_counts" in bad_units.text  # the field is named, whichever check caught it
    assert service.client.get("/plans", headers=admin).json()["total"] == 0


def test_cancel_queued_and_rerun(service: Service, admin: dict[str, str]) -> None:
    _, dataset_id = _sample_area(service, admin)
    job = service.client.post("/plans", json={"dataset_id": dataset_id, **PLAN}, headers=admin)
    plan_id = job.json()["id"]
    cancelled = service.client.post(f"/plans/{plan_id}/cancel", headers=admin)
    assert cancelled.json()["state"] == "cancelled"
    assert service.client.post(f"/plans/{plan_id}/cancel", headers=admin).status_code == 409
    assert service.client.get(f"/plans/{plan_id}/result", headers=admin).status_code == 409
    assert service.client.get(f"/plans/{plan_id}/map", headers=admin).status_code == 409
    again = service.client.post(f"/plans/{plan_id}/rerun", headers=admin)
    assert again.status_code == 202
    assert again.json()["rerun_of_id"] == plan_id and again.json()["state"] == "queued"
    # The claim refuses a cancelled job: running it does nothing.
    assert run_plan_job(plan_id, service.url, PLAN | {"dataset_id": dataset_id}) == "cancelled"


def test_cancel_running_plan_stops_the_worker(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    service = make_service(sqlite_url, lifespan=True, job_workers=1)
    admin = service.user("admin", "admin")
    _, dataset_id = _sample_area(service, admin)
    # a solver limit far longer than the test: under load a 2 s plan could end before the
    # cancel reaches it
    plan_id = _start_plan(service, admin, dataset_id, time_limit_s=60)
    _wait(service, admin, plan_id, lambda b: b["state"] == "running")
    _, process = _spawned([service], plan_id)
    cancelled = service.client.post(f"/plans/{plan_id}/cancel", headers=admin).json()
    assert cancelled["state"] == "cancelled"
    assert not process.is_alive()
    time.sleep(0.5)
    final = service.client.get(f"/plans/{plan_id}", headers=admin).json()
    assert final["state"] == "cancelled" and final["finished_at"]
    assert service.client.get(f"/plans/{plan_id}/routes", headers=admin).status_code == 409


def test_worker_killed_mid_plan_then_restart(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    first = make_service(sqlite_url)  # no runner: this test plays the worker itself
    admin = first.user("admin", "admin")
    area_id, dataset_id = _sample_area(first, admin)
    job = first.client.post("/plans", json={"dataset_id": dataset_id, **PLAN}, headers=admin)
    plan_id = job.json()["id"]
    parameters = job.json()["parameters"]

    worker = multiprocessing.get_context("spawn").Process(
        target=run_plan_job, args=(plan_id, sqlite_url, parameters), kwargs={"lease_s": 1.0}
    )
    worker.start()
    try:
        _wait(first, admin, plan_id, lambda b: b["state"] == "running" and b["progress"] > 0.0)
    finally:
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(10)
    assert first.client.get(f"/plans/{plan_id}", headers=admin).json()["state"] == "running"

    # The service restarts on the same database (a new app), this time with a runner: once
    # the dead worker's lease (1 s) has expired, the plan is marked interrupted.
    second = make_service(sqlite_url, lifespan=True, job_workers=1, job_lease_s=1.0)
    admin2 = {"Authorization": f"Bearer {second.login('admin')}"}
    failed = _wait(second, admin2, plan_id, lambda b: b["state"] in TERMINAL)[-1]
    assert failed["state"] == "failed" and failed["error"] == INTERRUPTED
    # Nothing else is lost.
    assert second.client.get(f"/areas/{area_id}", headers=admin2).status_code == 200
    dataset = second.client.get(f"/datasets/{dataset_id}", headers=admin2).json()
    assert dataset["row_count"] == 822

    rerun = second.client.post(f"/plans/{plan_id}/rerun", headers=admin2)
    assert rerun.status_code == 202
    final = _wait(second, admin2, rerun.json()["id"], lambda b: b["state"] in TERMINAL)[-1]
    assert final["state"] == "succeeded", final


@pytest.mark.parametrize("state", ["queued", "running"])
def test_startup_marks_only_unleased_running_jobs_failed(
    make_service: Callable[..., Service], sqlite_url: str, state: str
) -> None:
    """A running job without a lease (its server is gone) is interrupted at start-up; a queued
    job stays queued for any runner on the database to claim."""
    from sqlalchemy import update

    from api.service.db import make_engine, make_session_factory, transaction
    from api.service.models import PlanJob

    first = make_service(sqlite_url)
    admin = first.user("admin", "admin")
    _, dataset_id = _sample_area(first, admin)
    plan_id = first.client.post(
        "/plans", json={"dataset_id": dataset_id, **PLAN}, headers=admin
    ).json()["id"]
    engine = make_engine(sqlite_url, pooled=False)
    with transaction(make_session_factory(engine)) as session:
        session.execute(update(PlanJob).where(PlanJob.id == plan_id).values(state=state))
    engine.dispose()
    second = make_service(sqlite_url)
    headers = {"Authorization": f"Bearer {second.login('admin')}"}
    body = second.client.get(f"/plans/{plan_id}", headers=headers).json()
    if state == "running":
        assert body["state"] == "failed" and body["error"] == INTERRUPTED
    else:
        assert body["state"] == "queued" and body["error"] is None
