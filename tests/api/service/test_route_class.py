"""Plain endpoints run in one trip to a worker thread: their answer is checked against the
response model on the event loop, not in a second trip (OneHopRoute)."""

from __future__ import annotations

import threading
from typing import Annotated, Any

import fastapi.routing
import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.service.routeclass import OneHopRoute
from tests.api.service.conftest import Service


class Answer(BaseModel):
    value: int
    thread: str


def _scale() -> int:
    return 10


def _app() -> FastAPI:
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/items/{item}", response_model=Answer)
    def read(
        item: int, scale: Annotated[int, Depends(_scale)], add: int = Query(0, le=5)
    ) -> Answer:
        if item == 0:
            raise HTTPException(404, "no item 0")
        return Answer(value=item * scale + add, thread=threading.current_thread().name)

    @router.get("/broken", response_model=Answer)
    def broken() -> dict[str, str]:
        return {"value": "not a number", "thread": ""}

    app = FastAPI()
    app.include_router(router)
    return app


def test_a_plain_endpoint_runs_once_in_a_worker_thread_and_is_checked_on_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trips: list[str] = []
    original = fastapi.routing.run_in_threadpool

    async def counted(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(getattr(func, "__name__", repr(func)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "run_in_threadpool", counted)
    with TestClient(_app(), raise_server_exceptions=False) as client:
        loop_thread = client.portal.call(threading.current_thread).name  # type: ignore[union-attr]
        answer = client.get("/items/4?add=2")
        assert answer.status_code == 200, answer.text
        assert answer.json()["value"] == 42
        assert answer.json()["thread"] != loop_thread  # the body ran in a worker thread
        assert trips == []  # FastAPI's second trip (checking the answer) is gone
        assert client.get("/items/0").status_code == 404  # errors pass through as before
        assert client.get("/items/4?add=9").status_code == 422  # parameters checked as before
        assert client.get("/broken").status_code == 500  # a wrong answer is still caught


def test_every_route_of_the_service_is_a_coroutine(service: Service) -> None:
    import inspect

    from fastapi.routing import APIRoute

    def walk(routes: list[Any]) -> list[APIRoute]:
        found: list[APIRoute] = []
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):  # an included router (FastAPI >= 0.160)
                found += walk(route.original_router.routes)
        return found

    routes = walk(service.app.routes)
    assert len(routes) > 80
    plain = [r.path for r in routes if not inspect.iscoroutinefunction(r.endpoint)]
    assert plain == []
