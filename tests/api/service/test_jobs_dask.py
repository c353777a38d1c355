"""The service hands its plans to a Dask scheduler (``GRIDPATROL_DASK_SCHEDULER``) instead of
local worker processes: a plan runs on the cluster's worker and is stored like any plan, and a
cancel still reaches it (the state is cancelled at once, the task stops at its next progress
report and stores nothing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api.service.jobs import DaskExecutor
from tests.api.service.conftest import Service
from tests.api.service.test_plans import PLAN, TERMINAL, _sample_area, _wait


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    # One worker thread in this process: the job function is the same one a remote worker
    # runs (it reads everything from the database by URL).
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield str(cluster.scheduler_address)


def test_plans_run_on_dask_and_cancel_reaches_them(
    make_service: Callable[..., Service], sqlite_url: str, scheduler: str
) -> None:
    service = make_service(
        sqlite_url, lifespan=True, job_workers=2, dask_scheduler=scheduler, job_lease_s=3.0
    )
    runner = service.app.state.service.runner
    assert isinstance(runner.executor, DaskExecutor)
    admin = service.user("admin", "admin")
    _, dataset_id = _sample_area(service, admin)
    body: dict[str, Any] = {"dataset_id": dataset_id, **PLAN, "time_limit_s": 1}
    plan_id = service.client.post("/plans", json=body, headers=admin).json()["id"]
    final = _wait(service, admin, plan_id, lambda b: b["state"] in TERMINAL)[-1]
    assert final["state"] == "succeeded", final
    assert runner.process_of(plan_id) is None  # no local process was used
    routes = service.client.get(f"/plans/{plan_id}/routes", headers=admin)
    assert routes.status_code == 200 and routes.json()["features"]

    slow = {**body, "time_limit_s": 2, "vary": 3}
    plan_id = service.client.post("/plans", json=slow, headers=admin).json()["id"]
    _wait(service, admin, plan_id, lambda b: b["state"] == "running")
    asked = time.monotonic()
    answer = service.client.post(f"/plans/{plan_id}/cancel", headers=admin)
    assert answer.status_code == 200
    final = _wait(service, admin, plan_id, lambda b: b["state"] in TERMINAL, timeout_s=5)[-1]
    assert final["state"] == "cancelled" and time.monotonic() - asked < 2.0
    # The task stops on its own and stores nothing.
    deadline = time.monotonic() + 60
    while runner.runs(plan_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not runner.runs(plan_id)
    assert service.client.get(f"/plans/{plan_id}", headers=admin).json()["state"] == "cancelled"
    assert service.client.get(f"/plans/{plan_id}/routes", headers=admin).status_code == 409
