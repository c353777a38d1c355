"""The route class of every router: a plain (``def``) endpoint costs one trip to a worker
thread, not two.

FastAPI runs a plain endpoint in a worker thread and then, because the endpoint is not a
coroutine, checks its answer against the response model in a *second* trip to a worker
thread. Under load each trip is a turn in the queue for the threads and the interpreter
lock, so a request that returns a model (an upload's summary, a new plan) waited twice.
:class:`OneHopRoute` turns such an endpoint into a coroutine that runs the function in a
worker thread and checks the answer on the event loop (a few microseconds for the service's
answers): one trip, with the same signature, dependencies, errors and context variables.

It also admits each ordinary request in arrival order (:func:`~api.service.lanes.admission`):
its body (up to :data:`~api.service.lanes.PREREAD_BYTES`) is read first, then it waits for
one of the process's few places, and runs its dependencies and endpoint there; sending the
answer is outside. Long requests skip it: their lane bounds them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.service.lanes import PREREAD_BYTES, admission, is_long_request, run_long


def in_worker_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` as a coroutine function that runs it in a worker thread, of the long
    requests' lane if it is marked :func:`~api.service.lanes.long_request` (its signature and
    annotations are read from the original, through ``__wrapped__``)."""
    if is_long_request(endpoint):

        @functools.wraps(endpoint)
        async def run_long_request(*args: Any, **kwargs: Any) -> Any:
            return await run_long(endpoint, *args, **kwargs)

        return run_long_request

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


async def _preread(request: Request) -> None:
    """Read a body of at most :data:`PREREAD_BYTES` (by ``Content-Length``) now; Starlette
    keeps it for the route, so it is not read again."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and 0 < int(length) <= PREREAD_BYTES:
        await request.body()


class OneHopRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` whose plain endpoint runs through
    :func:`in_worker_thread`, and whose ordinary requests are admitted in arrival order."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self.long_request = is_long_request(endpoint)  # read by get_route_handler below
        if not (inspect.iscoroutinefunction(endpoint) or inspect.isasyncgenfunction(endpoint)):
            endpoint = in_worker_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        if self.long_request:
            return handler

        async def admitted(request: Request) -> Response:
            await _preread(request)
            async with admission().slot():
                response: Response = await handler(request)
            return response

        return admitted
