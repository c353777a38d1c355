"""Jobs that survive servers: claims are exclusive, leases are renewed by their owner, only an
expired lease marks a job interrupted, a second server leaves the first one's plans running,
a cancel through another server reaches the job within 2 s, and a killed server's workers die
with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from api.service.db import make_engine, make_session_factory, transaction
from api.service.jobrun import claim, fail_expired, new_owner, renew
from api.service.jobs import INTERRUPTED, LocalExecution, LocalExecutor, lower_priority
from api.service.models import JobState, PlanJob, StaffingJob, utcnow
from tests.api.service.conftest import Service
from tests.api.service.test_plans import PLAN, TERMINAL, _sample_area, _spawned, _wait
from tests.api.web.live import alive, children, prepare_database, serve_process


def _queued_plan(service: Service, admin: dict[str, str], **extra: Any) -> int:
    _, dataset_id = _sample_area(service, admin)
    body = {"dataset_id": dataset_id, **PLAN, **extra}
    response = service.client.post("/plans", json=body, headers=admin)
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _sessions(url: str) -> Any:
    return make_session_factory(make_engine(url, pooled=False))


def test_claim_is_exclusive_and_leases_belong_to_their_owner(service: Service) -> None:
    admin = service.user("admin", "admin")
    plan_id = _queued_plan(service, admin)
    sessions = _sessions(service.url)
    first, second = new_owner(), new_owner()
    assert first != second
    assert claim(sessions, PlanJob, plan_id, first, 30) is not None
    assert claim(sessions, PlanJob, plan_id, second, 30) is None  # one winner
    with sessions() as session:
        job = session.get(PlanJob, plan_id)
        assert job is not None and job.owner == first and job.state == "running"
        lease = job.lease_expires_at
    assert lease is not None and lease > utcnow() + timedelta(seconds=25)
    # Another owner's renewal changes nothing; the owner's extends the lease.
    assert renew(sessions, PlanJob, [plan_id], second, 300) == set()
    with sessions() as session:
        assert session.get(PlanJob, plan_id).lease_expires_at == lease
    renew(sessions, PlanJob, [plan_id], first, 300)
    with sessions() as session:
        renewed = session.get(PlanJob, plan_id).lease_expires_at
    assert renewed is not None and renewed > lease + timedelta(seconds=200)
    # A live lease is not interrupted; an expired one is, and a cancel flag is reported.
    assert fail_expired(sessions, (PlanJob, StaffingJob)) == 0
    with transaction(sessions) as session:
        session.execute(update(PlanJob).values(cancel_requested=True))
    assert renew(sessions, PlanJob, [plan_id], first, 300) == {plan_id}
    with transaction(sessions) as session:
        session.execute(update(PlanJob).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    assert fail_expired(sessions, (PlanJob, StaffingJob)) == 1
    with sessions() as session:
        job = session.get(PlanJob, plan_id)
        assert job is not None and job.state == "failed" and job.error == INTERRUPTED


def test_second_server_leaves_running_plans_alone_and_cancels_through_the_db(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    first = make_service(sqlite_url, lifespan=True, job_workers=1, job_lease_s=2.0)
    admin = first.user("admin", "admin")
    _, dataset_id = _sample_area(first, admin)
    long_plan = {"dataset_id": dataset_id, **PLAN, "time_limit_s": 2}
    plan_id = first.client.post("/plans", json=long_plan, headers=admin).json()["id"]
    _wait(first, admin, plan_id, lambda b: b["state"] == "running")
    owner = first.app.state.service.runner.owner

    # A second server on the same database starts (it runs no jobs of its own here).
    second = make_service(sqlite_url, lifespan=True, job_workers=1, job_lease_s=2.0)
    headers = {"Authorization": f"Bearer {second.login('admin')}"}
    seen = _wait(second, headers, plan_id, lambda b: b["state"] in TERMINAL)
    assert seen[-1]["state"] == "succeeded", seen[-1]
    assert all(b["error"] is None for b in seen)
    with _sessions(sqlite_url)() as session:
        job = session.get(PlanJob, plan_id)
        assert job is not None and job.owner == owner

    # A plan claimed by the first server, cancelled through the second: stopped within 2 s.
    plan_id = first.client.post("/plans", json=long_plan, headers=admin).json()["id"]
    _wait(first, admin, plan_id, lambda b: b["state"] == "running")
    runs_it, process = _spawned([first, second], plan_id)
    # cancel through the server that does not run it
    via, via_headers = (second, headers) if runs_it is first else (first, admin)
    asked = time.monotonic()
    answer = via.client.post(f"/plans/{plan_id}/cancel", headers=via_headers)
    assert answer.status_code == 200, answer.text
    final = _wait(via, via_headers, plan_id, lambda b: b["state"] in TERMINAL, timeout_s=5)[-1]
    assert final["state"] == "cancelled"
    assert time.monotonic() - asked < 2.0
    process.join(2)
    assert not process.is_alive()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_server_and_the_plan_is_recovered(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gridpatrol.db'}"
    prepare_database(url, {"admin": ("admin", "correct horse battery")})
    env = {
        "GRIDPATROL_JOB_WORKERS": "1",
        "GRIDPATROL_JOB_LEASE_S": "1",
        "GRIDPATROL_PLAN_TIME_LIMIT_S": "20",
        "GRIDPATROL_JOB_NICE": "7",
    }
    with serve_process(tmp_path, url, env=env) as served:
        server, base = served.process, served.base_url
        client = httpx.Client(base_url=base, timeout=60)
        token = client.post(
            "/auth/token", data={"username": "admin", "password": "correct horse battery"}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        area = client.post(
            "/areas", json={"name": "UofT", "sample": "toronto-uoft"}, headers=auth
        ).json()
        dataset_id = client.get(f"/datasets?area_id={area['id']}", headers=auth).json()["items"][0][
            "id"
        ]
        body = {"dataset_id": dataset_id, **PLAN, "time_limit_s": 20}
        plan_id = client.post("/plans", json=body, headers=auth).json()["id"]
        # wait until the worker itself reports (past the server's "Starting" at the claim):
        # it is then tied to the server; a worker still starting up when its server dies
        # exits once it gets there (die_with_parent checks the parent first)
        deadline = time.monotonic() + 90
        while True:
            job = client.get(f"/plans/{plan_id}", headers=auth).json()
            if job["state"] == "running" and job["message"] not in (None, "", "Starting"):
                break
            assert job["state"] in ("queued", "running"), job
            assert time.monotonic() < deadline
            time.sleep(0.2)
        workers = set(children(server.pid))
        assert workers, "the plan runs in a child process of the server"
        # the job yields the CPU to the web process: its niceness is the server's + 7
        assert _nice(server.pid) + 7 in [_nice(pid) for pid in workers]
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "workers outlived their server"
    # The lease lapses; the next server's sweep marks the plan interrupted.
    time.sleep(1.2)
    sessions = _sessions(url)
    assert fail_expired(sessions, (PlanJob, StaffingJob)) == 1
    with sessions() as session:
        job = session.get(PlanJob, plan_id)
        assert job is not None and job.state == JobState.FAILED.value
        assert job.error == INTERRUPTED


def _nice(pid: int) -> int:
    """The niceness of process ``pid`` (``/proc/<pid>/stat``, field 19)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_local_worker_is_niced_before_it_runs_any_code(tmp_path: Path) -> None:
    # A spawned worker spends its first second importing the service; niced only then, that
    # second was taken at full priority from the web processes (every plan's start stalled
    # the requests). The executor lowers the child's priority as soon as it exists.
    own = os.getpriority(os.PRIO_PROCESS, 0)
    executor = LocalExecutor(nice=6)
    url = f"sqlite:///{tmp_path / 'absent.db'}"
    execution = executor.start("plan", 1, url, {}, owner="test", lease_s=5.0)
    assert isinstance(execution, LocalExecution)
    pid = execution.process.pid
    assert pid is not None
    try:
        niceness = _nice(pid)  # read at once: the child is still starting its interpreter
        assert niceness == min(19, own + 6)
        threads = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()]
        assert all(_nice(t) == niceness for t in threads if alive(t))
    finally:
        execution.stop()
    assert os.getpriority(os.PRIO_PROCESS, 0) == own, "the server's own priority is unchanged"


def test_lower_priority_adds_to_another_process_and_caps_at_19() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        before = os.getpriority(os.PRIO_PROCESS, child.pid)
        lower_priority(3, child.pid)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == min(19, before + 3)
        lower_priority(40, child.pid)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == 19
        lower_priority(0, child.pid)
        assert os.getpriority(os.PRIO_PROCESS, child.pid) == 19
    finally:
        child.kill()
        child.wait()
