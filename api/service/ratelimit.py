"""Per-user request rate limit: a token bucket in memory (one service process).

Each key (a user id) has a bucket of ``burst`` tokens refilled at ``per_minute / 60`` tokens
a second; a request takes one. An empty bucket answers 429 with the seconds until the next
token in ``Retry-After``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


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
