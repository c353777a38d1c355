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

Ordinary requests are also *admitted* in arrival order (:func:`admission`, applied by
:class:`~api.service.routeclass.OneHopRoute`): at most ``active_requests`` of them (default
8) run at once in a web process, from their dependencies to their answer, and the others
wait, first come first served. Without that every request of a saturated process took turns
on the event loop and the interpreter lock with every other, so a request with many turns (an
upload: the multipart body, a worker thread, the write lock) was slowed by all of them, and
its time grew with the number of requests in the process. With at most a few running, each
runs nearly as fast as alone and the rest wait in one queue, so requests that need more work
are no longer last. Under the load benchmark (two web processes, plans running; four
interleaved rounds on two days) the p99 of all requests was 400-485 ms with 8 against
519-936 ms with no limit (256), uploads' 455-594 ms against 786-1435 ms, with 11-37 % more
requests a second; 4 was as good as 8 (422-468 ms). A body of up to :data:`PREREAD_BYTES` is
read before the request waits for admission, so a client that sends its body slowly does not
hold a place; a request that waits longer than ``admission_wait_s`` is answered 503 with
``Retry-After``. Long requests are not admitted here: their lane bounds them.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar

F = TypeVar("F", bound=Callable[..., Any])

#: Threads of the long lane when :func:`configure` was not called (a test's bare app).
DEFAULT_LONG_THREADS = 4
#: Ordinary requests running at once per web process, and the longest wait for admission
#: (seconds), when :func:`configure` was not called.
DEFAULT_ACTIVE_REQUESTS = 8
DEFAULT_ADMISSION_WAIT_S = 30.0
#: A request body up to this size (by its ``Content-Length``) is read before admission.
PREREAD_BYTES = 1024 * 1024

_LONG_ATTRIBUTE = "__gridpatrol_long_request__"
_long_lane: RunVar[CapacityLimiter] = RunVar("gridpatrol_long_lane")
_admission: RunVar[Admission] = RunVar("gridpatrol_admission")
_long_ended: RunVar[Callable[[], None] | None] = RunVar("gridpatrol_long_ended", None)


class ServiceBusyError(Exception):
    """A request waited longer than ``wait_s`` for admission (answered 503)."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"the service is busy: no request slot freed within {wait_s:g} s")
        self.wait_s = wait_s


@dataclass
class Admission:
    """At most ``limit`` requests at once; the others wait in arrival order, each at most
    ``wait_s`` seconds. ``waiting`` and ``active`` say how many do each now."""

    limit: int
    wait_s: float

    def __post_init__(self) -> None:
        # asyncio's semaphore wakes its waiters in order and lets no newcomer pass a waiter.
        self._slots = asyncio.Semaphore(self.limit)
        self.active = 0
        self.waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        self.waiting += 1
        try:
            async with asyncio.timeout(self.wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise ServiceBusyError(self.wait_s) from None
        finally:
            self.waiting -= 1
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1
            self._slots.release()


def long_request(endpoint: F) -> F:
    """Mark ``endpoint`` (a plain function) to run in the long requests' lane."""
    setattr(endpoint, _LONG_ATTRIBUTE, True)
    return endpoint


def is_long_request(endpoint: Callable[..., Any]) -> bool:
    return bool(getattr(endpoint, _LONG_ATTRIBUTE, False))


def configure(
    web_threads: int,
    long_request_threads: int,
    active_requests: int = DEFAULT_ACTIVE_REQUESTS,
    admission_wait_s: float = DEFAULT_ADMISSION_WAIT_S,
    on_long_request_end: Callable[[], None] | None = None,
) -> None:
    """Size the two lanes and the admission of the running event loop (call from the
    application's lifespan); ``on_long_request_end`` is called after each long request
    (:class:`api.service.collector.FullCollections` collects then)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = web_threads
    _long_lane.set(CapacityLimiter(long_request_threads))
    _admission.set(Admission(active_requests, admission_wait_s))
    _long_ended.set(on_long_request_end)


def admission() -> Admission:
    """The admission of ordinary requests of the running event loop."""
    try:
        return _admission.get()
    except LookupError:
        gate = Admission(DEFAULT_ACTIVE_REQUESTS, DEFAULT_ADMISSION_WAIT_S)
        _admission.set(gate)
        return gate


def long_lane() -> CapacityLimiter:
    """The long requests' limiter of the running event loop."""
    try:
        return _long_lane.get()
    except LookupError:
        lane = CapacityLimiter(DEFAULT_LONG_THREADS)
        _long_lane.set(lane)
        return lane


def idle() -> bool:
    """Whether no request of the running event loop is running or waiting: none admitted or
    waiting for admission, none in the long lane."""
    gate = admission()
    return gate.active == 0 and gate.waiting == 0 and long_lane().borrowed_tokens == 0


async def run_long(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` in a worker thread of the long lane (context variables carried)."""
    try:
        return await anyio.to_thread.run_sync(
            functools.partial(function, *args, **kwargs), limiter=long_lane()
        )
    finally:
        ended = _long_ended.get()
        if ended is not None:
            ended()
