"""A small thread-safe LRU cache for rendered pages (the HTML maps of finished plans).

A finished plan never changes (a re-run is a new plan), so its map is drawn once per language
and options and served from memory afterwards; the key also holds the plan's finish time, so an
id reused after a deletion never finds the old plan's map. The same key gives the answer's
``ETag`` (:func:`entity_tag`), so a client that has it already gets 304 without a body.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    """At most ``size`` values, the least recently used dropped first; ``size`` 0 keeps none.

    Parameters
    ----------
    size
        Entries kept.
    """

    def __init__(self, size: int) -> None:
        if size < 0:
            raise ValueError(f"size: expected entries >= 0, got {size}")
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        """The value of ``key``, or ``None``."""
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V) -> None:
        """Keep ``value`` under ``key`` (dropping the oldest entries beyond ``size``)."""
        if self.size == 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def entity_tag(key: Hashable, *extra: object) -> str:
    """A strong HTTP entity tag for the answer cached under ``key``: a finished plan's view
    never changes, so the key (plan id, state, finish time, options) and ``extra`` (the
    service's version, the base-map setting) identify its bytes without hashing them."""
    digest = hashlib.sha256(repr((key, extra)).encode("utf-8")).hexdigest()[:32]
    return f'"{digest}"'


def not_modified(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (or is ``*``)."""
    if not if_none_match:
        return False
    given = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return tag in given or "*" in given


#: Cache-Control of answers that need a signed-in user: a browser may keep them but must
#: revalidate (If-None-Match) each time; no shared cache may keep them.
PRIVATE_REVALIDATE = "private, no-cache"
