"""Worker threads in two lanes: ordinary requests, and long ones.

A plain (``def``) endpoint runs in a worker thread. Every thread of a web process shares one
interpreter lock with the event loop, which parses, routes and answers every request. A long
request (an OSM extract whose networks are built, an incident file read, hotspots computed, a
grid, sheets, a review or monthly evaluation, a password checked) takes that lock in turns
with everything else for as long as it runs, and in one shared pool as many of them could run
at once as there are threads (40, anyio's default), each slowing every other request of the
process.

Such endpoints are marked :func:`long_request` and run in a lane of their own
(``long_request_threads``, default 4): however many are sent, at most that many run, and the
ordinary lane (``web_threads``, default 40) keeps answering. The ordinary lane can then also
be made smaller without a long request taking it: under the load benchmark 8 threads instead
of 40 lowered uploads' p99 in some interleaved runs (371–403 ms against 412–449 ms) but not in
others, so the default is unchanged. :func:`configure` sizes both lanes, per event loop, at the
application's start.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

F = TypeVar("F", bound=Callable[..., Any])

#: Threads of the long lane when :func:`configure` was not called (a test's bare app).
DEFAULT_LONG_THREADS = 4

_LONG_ATTRIBUTE = "__gridpatrol_long_request__"
_long_lane: RunVar[CapacityLimiter] = RunVar("gridpatrol_long_lane")


def long_request(endpoint: F) -> F:
    """Mark ``endpoint`` (a plain function) to run in the long requests' lane."""
    setattr(endpoint, _LONG_ATTRIBUTE, True)
    return endpoint


def is_long_request(endpoint: Callable[..., Any]) -> bool:
    return bool(getattr(endpoint, _LONG_ATTRIBUTE, False))


def configure(web_threads: int, long_request_threads: int) -> None:
    """Size the two lanes of the running event loop (call from the application's lifespan)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = web_threads
    _long_lane.set(CapacityLimiter(long_request_threads))


def long_lane() -> CapacityLimiter:
    """The long requests' limiter of the running event loop."""
    try:
        return _long_lane.get()
    except LookupError:
        lane = CapacityLimiter(DEFAULT_LONG_THREADS)
        _long_lane.set(lane)
        return lane


async def run_long(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` in a worker thread of the long lane (context variables carried)."""
    return await anyio.to_thread.run_sync(
        functools.partial(function, *args, **kwargs), limiter=long_lane()
    )
