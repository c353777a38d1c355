"""The route class of every router: a plain (``def``) endpoint costs one trip to a worker
thread, not two.

FastAPI runs a plain endpoint in a worker thread and then, because the endpoint is not a
coroutine, checks its answer against the response model in a *second* trip to a worker
thread. Under load each trip is a turn in the queue for the threads and the interpreter
lock, so a request that returns a model (an upload's summary, a new plan) waited twice.
:class:`OneHopRoute` turns such an endpoint into a coroutine that runs the function in a
worker thread and checks the answer on the event loop (a few microseconds for the service's
answers): one trip, with the same signature, dependencies, errors and context variables.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.service.lanes import is_long_request, run_long


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


class OneHopRoute(APIRoute):
    """An :class:`~fastapi.routing.APIRoute` whose plain endpoint runs through
    :func:`in_worker_thread`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not (inspect.iscoroutinefunction(endpoint) or inspect.isasyncgenfunction(endpoint)):
            endpoint = in_worker_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)
