"""Full garbage collections run when the web process chooses (idle, after a long request, at
the latest every ``gc_full_every_s``), never by CPython's own count: under load that count
paused every request of a process for 100-250 ms every 2.3 s."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.service import collector
from api.service.app import create_app
from api.service.collector import NEVER, FullCollections, give_schedule_back, take_schedule
from tests.api.service.conftest import PASSWORD, add_user, make_settings


@dataclass
class World:
    """The clock, the process's load and the collections of a :class:`FullCollections`."""

    now: float = 0.0
    busy: bool = False
    moved: bool = True
    collected: int = 0

    def schedule(self, **options: float) -> FullCollections:
        def collect() -> None:
            self.collected += 1

        return FullCollections(
            idle=lambda: not self.busy,
            clock=lambda: self.now,
            promoted=lambda: self.moved,
            collect=collect,
            **options,
        )


def test_an_idle_process_collects_once_the_gap_has_passed() -> None:
    world = World()
    full = world.schedule(every_s=120, min_gap_s=10)
    world.now = 9.9
    assert full.check() is None
    world.now = 10.0
    assert full.check() == "idle"
    world.now = 15.0
    assert full.check() is None  # the gap counts from the last collection
    world.now = 20.0
    assert full.check() == "idle"
    assert (world.collected, full.runs) == (2, {"idle": 2})


def test_nothing_is_collected_when_nothing_moved_to_the_oldest_generation() -> None:
    world = World(moved=False)
    full = world.schedule(every_s=120, min_gap_s=10)
    for second in range(11, 120):
        world.now = second
        assert full.check() is None
    world.now = 120
    assert full.check() == "interval"


def test_a_busy_process_collects_only_at_the_interval() -> None:
    world = World(busy=True)
    full = world.schedule(every_s=120, min_gap_s=10)
    for second in range(1, 120):
        world.now = second
        assert full.check() is None, second
    world.now = 120.0
    assert full.check() == "interval"
    world.now = 200.0
    assert full.check() is None
    world.now = 240.0
    assert full.check() == "interval"
    assert world.collected == 2


def test_a_long_request_is_followed_by_a_collection_busy_or_not() -> None:
    world = World(busy=True)
    full = world.schedule(every_s=120, min_gap_s=10)
    world.now = 1.0
    full.long_request_ended()
    assert full.check() is None  # not within the gap
    world.now = 10.0
    assert full.check() == "long request"  # busy: still collected
    world.now = 25.0
    assert full.check() is None  # once
    for _ in range(50):  # however many long requests end, at most one a gap
        full.long_request_ended()
    assert full.check() == "long request"
    world.now = 30.0
    full.long_request_ended()
    assert full.check() is None
    assert full.runs == {"long request": 2}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=40.0),  # seconds to the next look
            st.booleans(),  # busy
            st.booleans(),  # objects moved to the oldest generation
            st.booleans(),  # a long request ended before this look
        ),
        max_size=60,
    )
)
def test_collections_happen_when_due_and_only_then(
    looks: list[tuple[float, bool, bool, bool]],
) -> None:
    world = World()
    full = world.schedule(every_s=60, min_gap_s=10)
    last = 0.0
    long_pending = False
    for step, busy, moved, long_ended in looks:
        world.now += step
        world.busy, world.moved = busy, moved
        if long_ended:
            full.long_request_ended()
            long_pending = True
        before = world.collected
        reason = full.check()
        since = world.now - last
        if since >= 60 or (long_pending and since >= 10):
            # Due at the interval and after a long request, however busy the process is.
            assert reason is not None and world.collected == before + 1
        elif since < 10 or busy or not moved:
            # Never twice within the gap, except at the interval.
            assert reason is None and world.collected == before
        else:
            assert reason == "idle" and world.collected == before + 1
        if reason is not None:
            last, long_pending = world.now, False
    assert sum(full.runs.values()) == world.collected


class _Node:
    """A container object the collector tracks."""

    def __init__(self) -> None:
        self.other: object = None


def _full_collections_while(work: Callable[[], None]) -> int:
    before = gc.get_stats()[2]["collections"]
    work()
    return int(gc.get_stats()[2]["collections"] - before)


def _promote_many() -> None:
    """Keep many objects alive through young collections, as the requests waiting in a busy
    process do, then let them go."""
    kept = []
    for _ in range(40):
        kept.append([_Node() for _ in range(5000)])
        gc.collect(1)  # what CPython's young collections do: survivors move to the oldest
    kept.clear()


@pytest.fixture
def cpython_schedule() -> Iterator[None]:
    """CPython's default schedule for the test, whatever the process had."""
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@pytest.mark.usefixtures("cpython_schedule")
def test_with_the_schedule_taken_cpython_runs_no_full_collection_of_its_own() -> None:
    # The same work under CPython's own schedule runs full collections (so this can fail).
    assert _full_collections_while(_promote_many) > 0
    take_schedule()
    try:
        assert gc.get_threshold() == (700, 10, NEVER)
        assert _full_collections_while(_promote_many) == 0
    finally:
        give_schedule_back()
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("cpython_schedule")
def test_the_last_holder_gives_the_schedule_back() -> None:
    take_schedule()
    take_schedule()
    give_schedule_back()
    assert gc.get_threshold()[2] == NEVER  # one holder left
    give_schedule_back()
    assert gc.get_threshold() == (700, 10, 10)
    give_schedule_back()  # one too many changes nothing
    assert gc.get_threshold() == (700, 10, 10)


def _garbage_in_the_oldest_generation() -> weakref.ref[_Node]:
    """A reference cycle that only a full collection frees: alive through a young
    collection (so it moved to the oldest generation), then dropped."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    gc.collect(1)
    assert gc.is_tracked(a) and gc.get_count()[2] > 0
    del a, b
    return gone


@pytest.mark.usefixtures("cpython_schedule")
def test_the_running_schedule_frees_cycles_in_the_oldest_generation_when_idle() -> None:
    async def scenario() -> tuple[bool, dict[str, int]]:
        full = FullCollections(lambda: True, every_s=3600, min_gap_s=0, check_s=0.01)
        task = asyncio.create_task(full.run())
        await asyncio.sleep(0)  # the schedule is taken
        gone = _garbage_in_the_oldest_generation()
        deadline = time.monotonic() + 10
        while gone() is not None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return gone() is None, full.runs

    freed, runs = asyncio.run(scenario())
    assert freed
    assert runs.get("idle", 0) >= 1
    assert gc.get_threshold() == (700, 10, 10)  # given back when the task ended


@pytest.mark.usefixtures("cpython_schedule")
def test_the_service_holds_the_schedule_while_it_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gridpatrol.db'}"
    app = create_app(make_settings(url, tmp_path / "data", gc_full_every_s=45))
    add_user(url, "coord", "coordinator")
    with TestClient(app) as client:
        full = app.state.service.collections
        assert isinstance(full, FullCollections) and full.every_s == 45
        assert gc.get_threshold() == (700, 10, NEVER)
        full.min_gap_s = 0.0  # not ten seconds of waiting in a test
        # A sign-in checks its password in the long lane; a full collection follows it.
        signed_in = client.post("/auth/token", data={"username": "coord", "password": PASSWORD})
        assert signed_in.status_code == 200
        deadline = time.monotonic() + 15
        while not full.runs.get("long request") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert full.runs.get("long request", 0) >= 1
    assert app.state.service.collections is None
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("cpython_schedule")
def test_every_s_zero_leaves_cpythons_schedule(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gridpatrol.db'}"
    app = create_app(make_settings(url, tmp_path / "data", gc_full_every_s=0))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert app.state.service.collections is None
        assert gc.get_threshold() == (700, 10, 10)
    assert collector._holders == 0
