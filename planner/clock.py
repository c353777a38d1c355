"""Plan times on the wall clock: seconds from local midnight of the plan date, time-zone aware.

Every time in a plan (shift start, arrival, break) is a count of seconds on the local wall
clock of the plan date: 16:00 is 57,600 s and 02:00 the next morning 93,600 s, whatever the
clocks did in between. :func:`wall_clock` is the one function that turns such a count into an
aware date-time; the plan file, the maps and every route sheet use it, so they cannot disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(timezone: str) -> ZoneInfo:
    """The IANA zone ``timezone``.

    Raises
    ------
    ValueError
        For a name that is not a known IANA time zone.
    """
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"timezone: unknown IANA time zone {timezone!r}; expected a name such as "
            "Asia/Shanghai or America/Toronto"
        ) from None


def wall_clock(plan_date: date, seconds: int, timezone: str) -> datetime:
    """The aware local date-time shown by the wall clock ``seconds`` after midnight.

    On the day clocks go forward, a wall time inside the skipped hour (02:30 in Toronto on
    the second Sunday of March) does not exist; it is given as the instant it names, one hour
    later on the new clock (03:30). On the day clocks go back, a repeated wall time (01:30) is
    its first occurrence.

    Raises
    ------
    ValueError
        For an unknown time zone.
    """
    tz = zone(timezone)
    naive = datetime.combine(plan_date, time()) + timedelta(seconds=int(seconds))
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


def wall_clock_iso(plan_date: date, seconds: int, timezone: str) -> str:
    """:func:`wall_clock` as ISO 8601 with the UTC offset (``2024-03-10T16:00:00-04:00``)."""
    return wall_clock(plan_date, seconds, timezone).isoformat()


def clock_text(seconds: int) -> str:
    """``HH:MM`` of a wall-clock second count, ``+1`` appended past midnight (``01:30+1``)."""
    minutes = int(seconds) // 60
    day, minutes = divmod(minutes, 24 * 60)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return text + (f"+{day}" if day else "")
