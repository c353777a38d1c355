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

Job heads are kept per process: every request that may change something (any method but
GET/HEAD/OPTIONS) moves their cache to a new *generation* (:class:`WriteInvalidation`), when
it starts and when it answers, so a deleted plan is gone for the next request of this
process; an entry filled from the database is only kept if no write ran while it was being
read. A head only says where a *finished* job lies (it cannot change), so another process's
deletion is seen within :data:`DEFAULT_TTL_S` seconds; access to it is decided by the
principal, which is checked as above.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


#: Methods that change nothing.
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteInvalidation:
    """Pure ASGI middleware: a request that may change something invalidates ``caches`` when
    it starts and again when its answer starts and when it ends (after its commit)."""

    def __init__(self, app: ASGIApp, caches: tuple[TtlCache[Any], ...]) -> None:
        self.app = app
        self.caches = caches

    def _invalidate(self) -> None:
        for cache in self.caches:
            cache.invalidate()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _SAFE:
            await self.app(scope, receive, send)
            return
        self._invalidate()

        async def send_after_invalidating(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._invalidate()
            await send(message)

        try:
            await self.app(scope, receive, send_after_invalidating)
        finally:
            self._invalidate()
