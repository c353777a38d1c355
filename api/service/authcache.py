"""Short-lived in-memory caches of who a credential is and which area a finished job lies in.

Checking an API token costs a SHA-256 and a database query, a JWT a user query, and scoping a
plan another query; under load these dominate the cost of a cached read. So a verified
credential is kept for a few seconds as a :class:`Principal` (the user's id, name, role and
areas) and the head of a *finished* job (which never changes) likewise, and the reads of
plans and maps answer from memory.

Revocation does not rest on the time limit or on this process: a kept credential is
confirmed on every request by one indexed query of the database
(:func:`api.service.deps.credential_holds`: the user's credential version, its status, the
session not signed out, the API token not revoked), so a password, role or area change, a
sign-out, a revoked token or a deleted user end it at the next request in every web process
on the database. The full verification (signature, hashes, the ORM objects) runs again at
most every :data:`DEFAULT_TTL_S` seconds. A JWT's entry never outlives the JWT, an API
token's never its ``expires_at``.

Job heads are kept per process: a session of this process that deletes a plan, or the area
or dataset of plans, moves their cache to a new *generation* (:func:`invalidate_on_deletions`),
at its flush and after its commit, so a deleted plan is gone for the next request of this
process; an entry filled from the database is only kept if no such deletion ran while it was
being read. Uploads, new plans and sign-ins leave it as it is (before, every write emptied
it, so under a mix of reads and uploads the finished plans' reads went back to the database
nearly every time). A head only says where a *finished* job lies (it cannot change), so
another process's deletion is seen within :data:`DEFAULT_TTL_S` seconds; access to it is
decided by the principal, which is checked as above.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

#: Seconds a verified credential or a job's head is trusted without the database.
DEFAULT_TTL_S = 5.0

V = TypeVar("V")


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as much of it as scoping and rate limiting need."""

    id: int
    username: str
    role: str
    area_ids: tuple[int, ...]
    is_admin: bool


class TtlCache(Generic[V]):
    """At most ``size`` entries, each kept until its deadline or the next write generation.

    Parameters
    ----------
    size
        Entries kept (the least recently stored dropped first); 0 keeps none.
    ttl_s
        Longest life of an entry in seconds.
    clock
        Wall-clock seconds (injectable for tests); deadlines are on this clock.
    """

    def __init__(
        self, size: int, ttl_s: float = DEFAULT_TTL_S, clock: Callable[[], float] = time.time
    ) -> None:
        self.size = size
        self.ttl_s = ttl_s
        self._clock = clock
        self._items: OrderedDict[Hashable, tuple[V, float, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.generation = 0

    def invalidate(self) -> None:
        """Forget everything (a write happened); fills that began before are not kept."""
        with self._lock:
            self.generation += 1
            self._items.clear()

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` (found no longer valid)."""
        with self._lock:
            self._items.pop(key, None)

    def get(self, key: Hashable) -> V | None:
        """The value of ``key`` if it is still valid, else ``None``."""
        item = self._items.get(key)
        if item is None:
            return None
        value, deadline, generation = item
        if generation != self.generation or self._clock() >= deadline:
            with self._lock:
                if self._items.get(key) is item:
                    del self._items[key]
            return None
        return value

    def put(
        self, key: Hashable, value: V, generation: int, *, not_after: float | None = None
    ) -> None:
        """Keep ``value`` if no write happened since ``generation`` was read (before the value
        was looked up), until ``ttl_s`` from now or ``not_after`` (clock seconds)."""
        if self.size <= 0:
            return
        deadline = self._clock() + self.ttl_s
        if not_after is not None:
            deadline = min(deadline, not_after)
        with self._lock:
            if generation != self.generation:
                return
            self._items[key] = (value, deadline, generation)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def invalidate_on_deletions(
    sessions: sessionmaker[Session], cache: TtlCache[Any], models: tuple[type, ...]
) -> None:
    """Invalidate ``cache`` whenever a session of ``sessions`` deletes a row of ``models``
    (a plan, or the area or dataset whose deletion removes its plans or clears their
    dataset), through the ORM or by a bulk ``DELETE``: once at the flush, so no later read of
    this process keeps what it read before, and again after the commit, so no read that ran
    between the two does. A finished job's row never changes otherwise (a rerun is a new
    job; the runners' updates are of active jobs only), so other writes (uploads, new plans,
    progress, sign-ins) leave the cache as it is."""
    tables = {model.__table__.name for model in models}  # type: ignore[attr-defined]

    def deleted(session: Session) -> None:
        session.info[_HEADS_CHANGED] = True
        cache.invalidate()

    @event.listens_for(sessions, "after_flush")
    def _after_flush(session: Session, _context: Any) -> None:
        if any(isinstance(item, models) for item in session.deleted):
            deleted(session)

    @event.listens_for(sessions, "do_orm_execute")
    def _bulk(execute: ORMExecuteState) -> None:
        if execute.is_delete:
            name = getattr(getattr(execute.statement, "table", None), "name", None)
            if name in tables:
                deleted(execute.session)

    @event.listens_for(sessions, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(_HEADS_CHANGED, False):
            cache.invalidate()

    @event.listens_for(sessions, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(_HEADS_CHANGED, None)


_HEADS_CHANGED = "gridpatrol.heads_changed"
