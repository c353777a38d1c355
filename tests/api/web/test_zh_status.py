"""The web status of a job in the reader's language: progress messages, states and failures.

The job stores English texts (the API's contract); ``/web/plans/{id}/status`` and
``/web/staffing/{id}/status`` write them in the page's language, and the plan page shows a
failure's error in Chinese. An error the catalogue does not know stays as it is.
"""

from __future__ import annotations

from sqlalchemy import update

from api.service.db import make_engine, make_session_factory, transaction
from api.service.jobrun import INTERRUPTED
from api.service.models import PlanJob
from api.service.planjob import run_plan_job
from tests.api.web.conftest import Service, web_login


def _plan(service: Service, admin: dict[str, str]) -> dict[str, object]:
    area = service.area(admin, "UofT", sample="toronto-uoft")
    datasets = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()
    job = service.client.post(
        "/plans", json={"dataset_id": datasets["items"][0]["id"], "time_limit_s": 1}, headers=admin
    )
    assert job.status_code == 202, job.text
    body: dict[str, object] = job.json()
    return body


def _set(url: str, plan_id: int, **values: object) -> None:
    engine = make_engine(url, pooled=False)
    try:
        with transaction(make_session_factory(engine)) as session:
            session.execute(update(PlanJob).where(PlanJob.id == plan_id).values(**values))
    finally:
        engine.dispose()


def test_running_plan_status_is_in_the_readers_language(
    service: Service, admin: dict[str, str]
) -> None:
    job = _plan(service, admin)
    plan_id = int(str(job["id"]))
    _set(
        service.url, plan_id, state="running", progress=0.5, message="Routing 3 units over 40 tasks"
    )
    web_login(service.client, "admin")
    zh = service.client.get(f"/web/plans/{plan_id}/status?lang=zh-CN")
    assert zh.status_code == 200, zh.text
    assert zh.headers["content-type"].startswith("application/json")
    body = zh.json()
    assert body["message"] == "正在为 3 个巡组编排 40 项任务的路线"
    assert body["state"] == "running" and body["state_label"] == "运行中"
    assert body["progress"] == 0.5 and body["error"] is None
    en = service.client.get(f"/web/plans/{plan_id}/status?lang=en").json()
    assert en["message"] == "Routing 3 units over 40 tasks" and en["state_label"] == "running"
    # The page polls the web status in its own language.
    page = service.client.get(f"/web/plans/{plan_id}?lang=zh-CN").text
    assert f'data-status-url="/web/plans/{plan_id}/status?lang=zh-CN"' in page
    # The API's own status keeps the stored English message.
    api = service.client.get(f"/plans/{plan_id}", headers=admin).json()
    assert api["message"] == "Routing 3 units over 40 tasks"


def test_failed_plan_shows_a_chinese_error(service: Service, admin: dict[str, str]) -> None:
    job = _plan(service, admin)
    plan_id = int(str(job["id"]))
    broken = dict(job["parameters"], cell_size_m=-5)  # type: ignore[call-overload]
    assert run_plan_job(plan_id, service.url, broken) == "failed"
    web_login(service.client, "admin")
    body = service.client.get(f"/web/plans/{plan_id}/status?lang=zh-CN").json()
    assert body["state_label"] == "失败" and body["message"] == "失败"
    # the stored request no longer passes its check: pydantic's error, field by field
    zh_error = "1 项参数有误（PlanCreate）：cell_size_m：应大于或等于 50（输入值 -5）"
    assert body["error"] == zh_error
    page = service.client.get(f"/web/plans/{plan_id}?lang=zh-CN").text
    assert f"错误: {zh_error}" in page
    english = service.client.get(f"/web/plans/{plan_id}?lang=en").text
    assert "Input should be greater than or equal to 50" in english
    assert "应大于" not in english


def test_known_and_unknown_errors(service: Service, admin: dict[str, str]) -> None:
    job = _plan(service, admin)
    plan_id = int(str(job["id"]))
    web_login(service.client, "admin")
    url = f"/web/plans/{plan_id}/status?lang=zh-CN"
    _set(service.url, plan_id, state="failed", message="Failed", error=INTERRUPTED)
    assert service.client.get(url).json()["error"] == "服务重启，任务中断；请重新提交"
    _set(service.url, plan_id, error="internal error: KeyError: 'cell'")
    assert service.client.get(url).json()["error"] == "系统内部错误（KeyError）：'cell'"
    _set(service.url, plan_id, error="the solver said no (status 7)")
    assert service.client.get(url).json()["error"] == "the solver said no (status 7)"


def test_status_needs_a_session_and_the_users_own_job(
    service: Service, admin: dict[str, str]
) -> None:
    job = _plan(service, admin)
    plan_id = int(str(job["id"]))
    # every page with the status box has its web status: 401 before sign-in (not a redirect to
    # the login page, and not the 404 of a path that does not exist)
    for kind in ("plans", "staffing", "review-jobs"):
        assert service.client.get(f"/web/{kind}/{plan_id}/status").status_code == 401, kind
    assert service.client.get(f"/web/no-such-jobs/{plan_id}/status").status_code == 404
    web_login(service.client, "admin")
    assert service.client.get(f"/web/plans/{plan_id}/status").status_code == 200
    assert service.client.get("/web/plans/999999/status").status_code == 404
    assert service.client.get("/web/staffing/999999/status").status_code == 404
    assert service.client.get("/web/review-jobs/999999/status").status_code == 404
