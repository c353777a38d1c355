"""Plan times (seconds from local midnight of the plan date) as aware date-times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_datetime(plan_date: date, seconds: int, tz: str) -> datetime:
    """The aware local date-time ``seconds`` after midnight of ``plan_date`` in zone ``tz``.

    Raises
    ------
    ValueError
        If ``tz`` is not a known IANA time zone.
    """
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone: unknown IANA time zone {tz!r}") from None
    naive = datetime.combine(plan_date, time()) + timedelta(seconds=int(seconds))
    return naive.replace(tzinfo=zone)


def utc_datetime(plan_date: date, seconds: int, tz: str) -> datetime:
    """As :func:`local_datetime`, converted to UTC (GPX times are UTC)."""
    return local_datetime(plan_date, seconds, tz).astimezone(UTC)
