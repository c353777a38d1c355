"""The shared rate limit takes its next lease in the background, so the caller (the event
loop) does not wait for the database while the process still holds tokens."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select, text

from api.service.ratelimit import BUCKETS, MAX_LEASE, SharedTokenBucketLimiter
from tests.api.service.conftest import ManualClock


def _statements_by_thread(engine: Engine) -> list[tuple[int, str]]:
    seen: list[tuple[int, str]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append((threading.get_ident(), statement.split()[0].upper()))

    return seen


def _settle(limiter: SharedTokenBucketLimiter) -> None:
    """Wait for the refills under way (the test's own pacing; requests do not wait)."""
    for done in list(limiter._refilling.values()):
        assert done.wait(10)


def _bucket_tokens(engine: Engine, key: str) -> float:
    with engine.connect() as connection:
        return float(
            connection.execute(select(BUCKETS.c.tokens).where(BUCKETS.c.key == key)).one()[0]
        )


def test_after_the_first_lease_the_caller_never_touches_the_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/limits.db")
    burst = 20 * MAX_LEASE * 10  # a lease of MAX_LEASE tokens, many leases in the bucket
    limiter = SharedTokenBucketLimiter(engine, per_minute=60, burst=burst, clock=ManualClock())
    seen = _statements_by_thread(engine)
    me = threading.get_ident()

    limiter.hit("user:1")  # no lease yet: taken here
    first = [s for t, s in seen if t == me]
    assert "UPDATE" in first or "INSERT" in first
    del seen[:]
    for _ in range(5 * MAX_LEASE):
        limiter.hit("user:1")
        _settle(limiter)

    assert [s for t, s in seen if t == me] == []
    refills = [s for t, s in seen if t != me and s == "UPDATE"]
    assert len(refills) == 5  # one lease taken in the background per lease spent
    # Every token is accounted for: spent, leased to this process or still in the bucket.
    spent = 1 + 5 * MAX_LEASE
    leased = limiter._leased["user:1"]
    assert MAX_LEASE / 2 - 1 <= leased <= 1.5 * MAX_LEASE
    assert _bucket_tokens(engine, "user:1") + leased + spent == pytest.approx(burst)
    engine.dispose()


def test_a_request_that_finds_the_lease_spent_waits_for_the_refill_under_way(
    tmp_path: Path,
) -> None:
    """The refill's tokens serve the request that ran out, so a user below the limit is never
    refused because a refill had not landed yet."""
    engine = create_engine(f"sqlite:///{tmp_path}/limits.db")
    burst = 20 * MAX_LEASE  # exactly one lease... and the first request's
    limiter = SharedTokenBucketLimiter(engine, per_minute=1, burst=burst, clock=ManualClock())
    gate = threading.Event()
    original = limiter._take

    def slow_take(*args: Any) -> bool:
        if threading.current_thread().name == "gridpatrol-rate-limit-refill":
            assert gate.wait(10)
        return original(*args)

    limiter._take = slow_take  # type: ignore[method-assign,assignment]
    limiter.hit("user:1")
    for _ in range(MAX_LEASE - 1):  # the rest of the first lease; the refill is held
        limiter.hit("user:1")
    assert "user:1" in limiter._refilling and limiter._leased["user:1"] == 0
    threading.Timer(0.2, gate.set).start()
    limiter.hit("user:1")  # waits for the refill, then spends one of its tokens
    assert limiter._leased["user:1"] == MAX_LEASE - 1
    engine.dispose()


def test_a_refill_that_fails_is_logged_and_the_next_request_meets_the_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/limits.db")
    limiter = SharedTokenBucketLimiter(
        engine, per_minute=60, burst=20 * MAX_LEASE * 10, clock=ManualClock()
    )
    limiter.hit("user:1")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE rate_limit_buckets"))
    caplog.set_level(logging.WARNING, logger="api.service.ratelimit")
    for _ in range(MAX_LEASE - 1):  # the lease is spent from memory; its refill fails
        limiter.hit("user:1")
        _settle(limiter)
    assert "could not take the next lease of user:1" in caplog.text
    with pytest.raises(Exception, match="rate_limit_buckets"):
        limiter.hit("user:1")
    engine.dispose()
