"""Long requests run in a lane of their own: however many are running, ordinary requests are
answered, and the ordinary lane is as small as the settings say."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.service import lanes
from api.service.app import create_app
from api.service.lanes import is_long_request, long_request
from api.service.routeclass import OneHopRoute
from api.service.routes import ROUTERS
from api.web import auth as web_auth
from api.web import district, pages
from api.web import review as web_review
from tests.api.service.conftest import make_settings


def _app(web_threads: int, long_threads: int) -> tuple[FastAPI, dict[str, int], threading.Event]:
    release = threading.Event()
    seen = {"running": 0, "most": 0, "done": 0}
    guard = threading.Lock()
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/long")
    @long_request
    def slow() -> dict[str, int]:
        with guard:
            seen["running"] += 1
            seen["most"] = max(seen["most"], seen["running"])
        assert release.wait(30)
        with guard:
            seen["running"] -= 1
            seen["done"] += 1
        return {"ok": 1}

    @router.get("/quick")
    def quick() -> dict[str, int]:
        with guard:
            return {"long_running": seen["running"]}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        lanes.configure(web_threads, long_threads)
        yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)
    return app, seen, release


def _until(condition: Callable[[], bool], within_s: float = 30.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "the long requests did not start"
        time.sleep(0.01)


def test_ordinary_requests_are_answered_while_the_long_lane_is_full() -> None:
    app, seen, release = _app(web_threads=2, long_threads=1)
    with TestClient(app) as client, ThreadPoolExecutor(4) as pool:
        long_calls = [pool.submit(client.get, "/long") for _ in range(3)]
        _until(lambda: seen["running"] == 1)  # the first long request has its thread
        quick = [client.get("/quick") for _ in range(5)]
        # Answered while a long request runs and two wait for the lane's one thread.
        assert [r.json() for r in quick] == [{"long_running": 1}] * 5
        assert seen["done"] == 0
        release.set()
        assert [f.result(timeout=30).status_code for f in long_calls] == [200] * 3
    assert seen == {"running": 0, "most": 1, "done": 3}


def test_a_long_lane_of_two_runs_two_at_once() -> None:
    """The control of the test above: the lane's size is what limits the long requests."""
    app, seen, release = _app(web_threads=2, long_threads=2)
    with TestClient(app) as client, ThreadPoolExecutor(4) as pool:
        long_calls = [pool.submit(client.get, "/long") for _ in range(3)]
        _until(lambda: seen["running"] == 2)
        release.set()
        assert [f.result(timeout=30).status_code for f in long_calls] == [200] * 3
    assert seen["most"] == 2


def test_the_service_sizes_its_lanes_and_admission_from_the_settings(tmp_path: Path) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path}/lanes.db",
        tmp_path,
        web_threads=5,
        long_request_threads=3,
        active_requests=4,
        admission_wait_s=7,
    )
    with TestClient(create_app(settings)) as client:
        portal = client.portal
        assert portal is not None
        ordinary = portal.call(lambda: anyio.to_thread.current_default_thread_limiter())
        assert ordinary.total_tokens == 5
        assert portal.call(lanes.long_lane).total_tokens == 3
        gate = portal.call(lanes.admission)
        assert (gate.limit, gate.wait_s) == (4, 7)


def test_the_long_endpoints_are_marked() -> None:
    routers = [*ROUTERS, web_auth.router, district.router, pages.router, web_review.router]
    marked = {
        (method, route.path)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and is_long_request(route.endpoint)
        for method in route.methods or ()
    }
    for long in [
        ("PUT", "/areas/{area_id}/network"),
        ("POST", "/datasets"),
        ("GET", "/hotspots"),
        ("POST", "/auth/token"),
        ("POST", "/plans/{plan_id}/tracks"),
        ("POST", "/web/areas/{area_id}/datasets"),
    ]:
        assert long in marked, long
    for ordinary in [
        ("GET", "/plans/{plan_id}"),
        ("GET", "/plans"),
        ("PUT", "/areas/{area_id}/units"),
        ("GET", "/web/areas/{area_id}"),
    ]:
        assert ordinary not in marked, ordinary
