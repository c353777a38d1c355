"""Per-user request rate limit: token buckets, in memory (one web process) or in the database
(several web processes, ``gridpatrol serve --web-workers N`` or servers on one database).

Each key (a user id) has a bucket of ``burst`` tokens refilled at ``per_minute / 60`` tokens
a second; a request takes one. An empty bucket answers 429 with the seconds until the next
token in ``Retry-After``.

:class:`SharedTokenBucketLimiter` keeps the buckets in the table ``rate_limit_buckets`` of
the service's database (created by it if missing, on SQLite and PostgreSQL alike; no
migration, as the table holds nothing that must survive), so a limit reached through one
process holds in every other. Each change of a bucket is one atomic ``UPDATE`` (no read then
write, so concurrent processes never lose a take). To keep the database out of most
requests a process takes a few tokens at once (a *lease*, at most a twentieth of the burst)
and spends them from memory; leased tokens are taken from the shared bucket, so all
processes together never exceed the limit (a lease only decides which process spends a
token). The next lease is taken in a background thread when half of one is left: the limit
is checked on the event loop, and a loop that waited there for the database's write lock
(behind the uploads, under load) held up every request of its process (measured: up to
130 ms at a time, 2.2 s in all over a one-minute run of the load benchmark).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Column, Engine, Float, MetaData, String, Table, and_, case, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

log = logging.getLogger(__name__)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimitExceededError(Exception):
    """Too many requests; ``retry_after_s`` says when the next one is allowed."""

    def __init__(self, retry_after_s: int, message: str | None = None) -> None:
        super().__init__(message or f"too many requests; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class TokenBucketLimiter:
    """Token buckets per key.

    Parameters
    ----------
    per_minute
        Average requests a minute.
    burst
        Requests allowed at once (the bucket's size).
    clock
        Monotonic seconds (injectable for tests).
    """

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError(
                f"rate limit: expected per_minute > 0 and burst >= 1, got {per_minute}, {burst}"
            )
        self.rate_per_s = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, per_minute: float | None = None) -> None:
        """Take one token for ``key``.

        Parameters
        ----------
        key
            Whose bucket (``user:<id>``, ``login:<name>``).
        per_minute
            This key's own rate instead of the limiter's (a user given a higher limit in the
            settings); its burst grows in the same proportion.

        Raises
        ------
        RateLimitExceededError
            When the bucket is empty.
        """
        rate_per_s = self.rate_per_s if per_minute is None else per_minute / 60.0
        burst = float(self.burst) * max(1.0, rate_per_s / self.rate_per_s)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(burst, now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate_per_s)
            bucket.updated = now
            if bucket.tokens < 1.0:
                wait = (1.0 - bucket.tokens) / rate_per_s
                raise RateLimitExceededError(max(1, math.ceil(wait)))
            bucket.tokens -= 1.0

    def close(self) -> None:
        """Nothing to give back (the buckets are in memory)."""


class Limiter(Protocol):
    """What the routes need of a rate limiter."""

    def hit(self, key: str, *, per_minute: float | None = None) -> None: ...

    def close(self) -> None:
        """Give back what it holds (the shared limiter's database connections)."""


#: The shared buckets (one row a key). Not part of the ORM models or the migrations: it holds
#: only counters that may be lost, and :class:`SharedTokenBucketLimiter` creates it.
_metadata = MetaData()
BUCKETS = Table(
    "rate_limit_buckets",
    _metadata,
    Column("key", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated", Float, nullable=False),
)

#: Most tokens a process leases at once.
MAX_LEASE = 100

#: Longest a request whose process ran out of leased tokens waits for a refill under way
#: before taking its own token.
REFILL_WAIT_S = 5.0


class SharedTokenBucketLimiter:
    """Token buckets per key in the database, shared by every process on it.

    Parameters
    ----------
    engine
        The service's database.
    per_minute, burst
        As :class:`TokenBucketLimiter`.
    clock
        Wall-clock seconds (shared by processes; injectable for tests).
    """

    def __init__(
        self,
        engine: Engine,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError(
                f"rate limit: expected per_minute > 0 and burst >= 1, got {per_minute}, {burst}"
            )
        self.engine = engine
        self.rate_per_s = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._leased: dict[str, float] = {}
        #: Keys whose next lease a background thread is taking, and its end.
        self._refilling: dict[str, threading.Event] = {}
        self._in_memory = engine.url.get_backend_name() == "sqlite" and engine.url.database in (
            None,
            "",
            ":memory:",
        )
        self._lock = threading.Lock()
        self._closed = False
        _metadata.create_all(engine, checkfirst=True)

    def _take(self, key: str, take: float, rate_per_s: float, burst: float, now: float) -> bool:
        """Take ``take`` tokens from the shared bucket in one statement; whether it had them."""
        refilled = BUCKETS.c.tokens + (now - BUCKETS.c.updated) * rate_per_s
        level = case((refilled > burst, burst), else_=refilled)
        statement = (
            sql_update(BUCKETS)
            .where(and_(BUCKETS.c.key == key, level >= take))
            .values(tokens=level - take, updated=now)
        )
        with self.engine.begin() as connection:
            if connection.execute(statement).rowcount == 1:
                return True
            if connection.execute(select(BUCKETS.c.key).where(BUCKETS.c.key == key)).first():
                return False
        try:  # a key not seen yet: a full bucket, less this take
            with self.engine.begin() as connection:
                connection.execute(
                    insert(BUCKETS).values(key=key, tokens=burst - take, updated=now)
                )
            return True
        except IntegrityError:  # another process made it meanwhile
            return self._take(key, take, rate_per_s, burst, now)

    def close(self) -> None:
        """Wait for the leases being taken in the background (each at most
        :data:`REFILL_WAIT_S`), then close the database connections of its engine, so no
        background thread of it writes once it is closed; a request after that takes its
        tokens in its own thread."""
        with self._lock:
            self._closed = True
            pending = list(self._refilling.values())
        for done in pending:
            done.wait(REFILL_WAIT_S)
        self.engine.dispose()

    def _retry_after(self, key: str, rate_per_s: float, burst: float, now: float) -> int:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(BUCKETS.c.tokens, BUCKETS.c.updated).where(BUCKETS.c.key == key)
            ).first()
        tokens = 0.0 if row is None else min(burst, row.tokens + (now - row.updated) * rate_per_s)
        return max(1, math.ceil((1.0 - tokens) / rate_per_s))

    def hit(self, key: str, *, per_minute: float | None = None) -> None:
        """Take one token for ``key`` (see :meth:`TokenBucketLimiter.hit`).

        While the process holds leased tokens of ``key`` this touches no database; when
        fewer than half a lease are left, the next lease is taken in a background thread
        (:meth:`_refill`), so a steady stream of requests never waits for the database's
        write lock here. Only a process whose lease ran out (a first request, a burst faster
        than a refill, a user at the limit) takes tokens in the caller's thread.

        Raises
        ------
        RateLimitExceededError
            When the shared bucket is empty.
        """
        rate_per_s = self.rate_per_s if per_minute is None else per_minute / 60.0
        burst = float(self.burst) * max(1.0, rate_per_s / self.rate_per_s)
        lease = float(max(1, min(MAX_LEASE, int(burst // 20))))
        if self._spend(key, lease, rate_per_s, burst):
            return
        pending = self._refilling.get(key)
        if pending is not None:  # a refill is under way: its tokens are this request's
            pending.wait(REFILL_WAIT_S)
        # Again, also without one: a refill that ended since the first try has added its
        # tokens before it stopped being under way.
        if self._spend(key, lease, rate_per_s, burst):
            return
        now = self._clock()
        if lease > 1 and self._take(key, lease, rate_per_s, burst, now):
            with self._lock:
                self._leased[key] = self._leased.get(key, 0.0) + lease - 1.0
            return
        if self._take(key, 1.0, rate_per_s, burst, now):
            return
        raise RateLimitExceededError(self._retry_after(key, rate_per_s, burst, now))

    def _spend(self, key: str, lease: float, rate_per_s: float, burst: float) -> bool:
        """Spend one leased token of ``key`` if there is one (starting the next lease's
        refill when fewer than half a lease are left); whether there was."""
        with self._lock:
            left = self._leased.get(key, 0.0)
            if left < 1.0:
                return False
            left = self._leased[key] = left - 1.0
            if lease <= 1 or left >= lease / 2 or key in self._refilling or self._closed:
                return True
            done = self._refilling[key] = threading.Event()
        if self._in_memory:  # every thread would have a database of its own
            self._refill(key, lease, rate_per_s, burst, done)
            return True
        threading.Thread(
            target=self._refill,
            args=(key, lease, rate_per_s, burst, done),
            name="gridpatrol-rate-limit-refill",
            daemon=True,
        ).start()
        return True

    def _refill(
        self, key: str, lease: float, rate_per_s: float, burst: float, done: threading.Event
    ) -> None:
        """Take the next lease of ``key`` (a background thread). Nothing is added when the
        shared bucket has fewer tokens than a lease (the user is near the limit: the
        requests then take tokens one at a time) or when the database cannot be reached (the
        next request that needs a token meets the error itself)."""
        try:
            if self._take(key, lease, rate_per_s, burst, self._clock()):
                with self._lock:
                    self._leased[key] = self._leased.get(key, 0.0) + lease
        except SQLAlchemyError:
            log.warning("rate limit: could not take the next lease of %s", key, exc_info=True)
        finally:
            with self._lock:
                self._refilling.pop(key, None)
            done.set()
