"""Ordinary requests are admitted in arrival order, a few at a time per web process: the
others wait their turn (503 after the longest wait), a slow body does not hold a place, and
long requests are not held back by it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.service import lanes, routeclass
from api.service.app import create_app
from api.service.errors import BUSY_RETRY_AFTER_S, install_handlers
from api.service.lanes import Admission, ServiceBusyError, long_request
from api.service.routeclass import OneHopRoute
from api.service.routes import ROUTERS
from api.web import auth as web_auth
from api.web import district, pages
from api.web import review as web_review
from tests.api.service.conftest import make_settings


def test_admission_lets_in_at_most_its_limit_in_arrival_order() -> None:
    async def scenario() -> tuple[list[int], int]:
        gate = Admission(limit=2, wait_s=30)
        entered: list[int] = []
        most = 0
        releases = [asyncio.Event() for _ in range(6)]

        async def request(k: int) -> None:
            nonlocal most
            async with gate.slot():
                entered.append(k)
                most = max(most, gate.active)
                await releases[k].wait()

        tasks = []
        for k in range(6):
            tasks.append(asyncio.create_task(request(k)))
            await asyncio.sleep(0)  # each arrives before the next
        await asyncio.sleep(0)
        assert (entered, gate.active, gate.waiting) == ([0, 1], 2, 4)
        # Freed places go to the waiters in the order they came, whichever place is freed.
        for k in (1, 0, 3, 2, 5, 4):
            releases[k].set()
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
        assert (gate.active, gate.waiting) == (0, 0)
        return entered, most

    entered, most = asyncio.run(scenario())
    assert entered == [0, 1, 2, 3, 4, 5]
    assert most == 2


def test_a_newcomer_does_not_pass_a_waiting_request() -> None:
    async def scenario() -> list[str]:
        gate = Admission(limit=1, wait_s=30)
        order: list[str] = []
        first_in, release_first = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with gate.slot():
                order.append("first")
                first_in.set()
                await release_first.wait()

        async def other(name: str) -> None:
            async with gate.slot():
                order.append(name)

        holder = asyncio.create_task(first())
        await first_in.wait()
        waiter = asyncio.create_task(other("waiter"))
        await asyncio.sleep(0)
        release_first.set()  # the place is freed ...
        newcomer = asyncio.create_task(other("newcomer"))  # ... just as a newcomer arrives
        await asyncio.gather(holder, waiter, newcomer)
        return order

    assert asyncio.run(scenario()) == ["first", "waiter", "newcomer"]


def test_a_request_that_waits_too_long_is_refused_and_leaves_no_trace() -> None:
    async def scenario() -> tuple[str, int, int]:
        gate = Admission(limit=1, wait_s=0.05)
        release = asyncio.Event()

        async def holder() -> None:
            async with gate.slot():
                await release.wait()

        task = asyncio.create_task(holder())
        await asyncio.sleep(0)
        with pytest.raises(ServiceBusyError) as refused:
            async with gate.slot():
                pytest.fail("admitted while the only place was taken")
        release.set()
        await task
        async with gate.slot():  # the refused request did not keep a place
            active = gate.active
        return str(refused.value), active, gate.waiting

    message, active, waiting = asyncio.run(scenario())
    assert message == "the service is busy: no request slot freed within 0.05 s"
    assert (active, waiting) == (1, 0)


def _app(active: int, wait_s: float) -> tuple[FastAPI, threading.Event, threading.Event]:
    """``/hold`` takes a place until ``release``; ``/quick`` and ``/echo`` are ordinary,
    ``/long`` is a long request."""
    holding, release = threading.Event(), threading.Event()
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/hold")
    def hold() -> dict[str, bool]:
        holding.set()
        return {"released": release.wait(30)}

    @router.get("/quick")
    async def quick() -> dict[str, int]:  # on the event loop, where its admission is
        return {"active": lanes.admission().active}

    @router.post("/echo")
    async def echo(request: Request) -> dict[str, str]:
        return {"body": (await request.body()).decode()}

    @router.get("/long")
    @long_request
    def long() -> dict[str, bool]:
        return {"answered": True}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        lanes.configure(4, 2, active, wait_s)  # in the app's own event loop
        yield

    app = FastAPI(lifespan=lifespan)
    install_handlers(app)
    app.include_router(router)
    return app, holding, release


def test_a_full_process_answers_503_with_retry_after_and_long_requests_still_run() -> None:
    app, holding, release = _app(active=1, wait_s=0.2)
    with TestClient(app) as client:
        held = threading.Thread(target=client.get, args=("/hold",))
        held.start()
        try:
            assert holding.wait(30)
            busy = client.get("/quick")
            assert busy.status_code == 503
            assert busy.headers["Retry-After"] == str(BUSY_RETRY_AFTER_S)
            assert busy.json()["detail"] == (
                "the service is busy: no request slot freed within 0.2 s; "
                f"retry in {BUSY_RETRY_AFTER_S} s"
            )
            # A long request is bounded by its lane, not by the ordinary places.
            assert client.get("/long").json() == {"answered": True}
        finally:
            release.set()
            held.join(30)
        assert client.get("/quick").json() == {"active": 1}  # itself, the place freed


def _slow_body_scenario() -> tuple[int, dict[str, str]]:
    """A POST whose body arrives only after another request was answered: the status of the
    other request, and the POST's answer."""
    app, _, _ = _app(active=1, wait_s=0.5)
    body_asked, body_may_come = asyncio.Event(), asyncio.Event()

    async def slow_body() -> AsyncIterator[bytes]:
        body_asked.set()  # the route (or the read before admission) waits for the body
        await body_may_come.wait()
        yield b"late but whole"

    async def scenario() -> tuple[int, dict[str, str]]:
        lanes.configure(4, 2, 1, 0.5)  # ASGITransport runs no lifespan
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            posted = asyncio.create_task(
                client.post("/echo", content=slow_body(), headers={"Content-Length": "14"})
            )
            await body_asked.wait()
            other = await client.get("/quick")
            body_may_come.set()
            answer = await posted
            return other.status_code, answer.json()

    return asyncio.run(scenario())


def test_a_slow_body_does_not_hold_a_place() -> None:
    assert _slow_body_scenario() == (200, {"body": "late but whole"})


def test_without_reading_the_body_first_a_slow_body_would_hold_the_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control of the test above: the body read before admission is what lets the other
    request in."""
    monkeypatch.setattr(routeclass, "PREREAD_BYTES", 0)
    assert _slow_body_scenario() == (503, {"body": "late but whole"})


def test_a_json_body_is_read_once_through_admission(tmp_path: Path) -> None:
    """The body read before admission is the one the route and the strict JSON check see."""
    app, _, _ = _app(active=2, wait_s=30)
    with TestClient(app) as client:
        sent = json.dumps({"name": "站点 ünïcode"})
        answer = client.post("/echo", content=sent, headers={"Content-Type": "application/json"})
    assert answer.json() == {"body": sent}


def test_every_route_of_the_service_is_admitted_or_long(tmp_path: Path) -> None:
    """Every API and web route goes through OneHopRoute, so none bypasses the admission
    (long ones excepted, which their lane bounds); the app's own routes are the redirects to
    the API and web roots and the API docs page."""
    app = create_app(make_settings(f"sqlite:///{tmp_path}/routes.db", tmp_path))
    own = {route.path for route in app.routes if isinstance(route, APIRoute)}
    assert own == {"/", "/web", "/docs", "/docs/oauth2-redirect"}
    routers = [*ROUTERS, web_auth.router, district.router, pages.router, web_review.router]
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 80
    assert [r.path for r in routes if not isinstance(r, OneHopRoute)] == []
    long = {r.path for r in routes if isinstance(r, OneHopRoute) and r.long_request}
    assert {"/datasets", "/hotspots", "/areas/{area_id}/network"} <= long
    assert "/plans" not in long
