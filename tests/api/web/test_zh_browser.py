"""A Chinese coordinator follows jobs in headless Chromium against a real running service: the
progress of a running plan is shown in Chinese, and a plan that fails shows its failure and its
error in Chinese. Any JavaScript error fails the test; only the service is reachable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from api.service.db import make_engine, make_session_factory, transaction
from api.service.models import PlanJob
from tests.api.web.live import LiveService, live_service
from tests.api.web.test_browser import ARGS, CHROMIUM, PASSWORD, pytestmark  # noqa: F401

#: A word of three Latin letters: the stored English message leaking through.
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    folder = tmp_path_factory.mktemp("live-zh")
    with live_service(
        folder, {"admin": ("admin", PASSWORD)}, plan_time_limit_s="4", job_workers="1"
    ) as live:
        yield live


def _api(server: LiveService) -> httpx.Client:
    client = httpx.Client(base_url=server.base_url, timeout=60)
    token = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
    assert token.status_code == 200, token.text
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def _break_plan(database_url: str, plan_id: int, parameters: dict[str, Any]) -> None:
    """Make a queued plan's stored request one its job refuses (the runner reads it from the
    database when it claims the job)."""
    engine = make_engine(database_url, pooled=False)
    try:
        with transaction(make_session_factory(engine)) as session:
            session.execute(
                update(PlanJob)
                .where(PlanJob.id == plan_id, PlanJob.state == "queued")
                .values(parameters={**parameters, "cell_size_m": -5})
            )
    finally:
        engine.dispose()


def test_chinese_progress_and_failure_in_a_browser(server: LiveService) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import expect

    api = _api(server)
    area = api.post("/areas", json={"name": "多伦多大学", "sample": "toronto-uoft"})
    assert area.status_code == 201, area.text
    datasets = api.get(f"/datasets?area_id={area.json()['id']}").json()["items"]
    body = {"dataset_id": datasets[0]["id"], "band": "16-24", "time_limit_s": 4}
    running = api.post("/plans", json=body).json()
    failing = api.post("/plans", json=body).json()  # queued behind the first (one worker)
    _break_plan(server.database_url, failing["id"], failing["parameters"])
    api.close()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}
        )
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(server.base_url)
                else route.abort()
            ),
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.set_default_timeout(30_000)
        page.goto(f"{server.base_url}/web/login?lang=zh-CN")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        expect(page.locator("h1")).to_have_text("我的片区")

        # The running plan: the polled message is Chinese while the solver works.
        page.goto(f"{server.base_url}/web/plans/{running['id']}")
        message = page.locator("[data-status-message]")
        expect(message).to_contain_text("正在", timeout=120_000)
        seen = {message.inner_text()}
        for _ in range(6):
            page.wait_for_timeout(700)
            if page.locator("[data-status-message]").count():
                seen.add(page.locator("[data-status-message]").inner_text())
        assert not [m for m in seen if LATIN_WORD.search(m)], seen
        expect(page.locator("[data-status-state]")).to_have_text(re.compile("运行中|排队中|已完成"))
        expect(page.locator("#plan-map")).to_be_visible(timeout=180_000)
        expect(page.locator("[data-status-state]")).to_have_text("已完成")

        # The plan whose job refuses its request: the failure and the error in Chinese.
        page.goto(f"{server.base_url}/web/plans/{failing['id']}")
        expect(page.locator("[data-status-state]")).to_have_text("失败", timeout=180_000)
        expect(page.locator("[data-status-message]")).to_have_text("失败")
        error = page.locator("[data-status-error]")
        expect(error).to_be_visible()
        expect(error).to_contain_text("1 项参数有误（PlanCreate）：cell_size_m：应大于或等于 50")
        assert "Input should be" not in error.inner_text()
        page.screenshot(path=str(server.log.with_name("failed-plan-zh.png")), full_page=True)
        context.close()
        browser.close()
    assert not errors, errors
