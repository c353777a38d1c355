"""Time bands: which part of the day an incident belongs to, in local time.

The default is the three shifts 08–16, 16–24 and 00–08. Bands may start at any minute
(staggered shifts), cross midnight (22–06) and overlap (an incident then counts in each band
that contains it). Incidents whose source gave only a date (``time_known`` False, stored at
local midnight) are never put in a band: :func:`band_membership` leaves their rows empty, and
the risk stage reports them at day level instead (see :mod:`geo.hotspots.risk`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

MINUTES_PER_DAY = 24 * 60
DAY_BAND_NAME = "day"


@dataclass(frozen=True)
class TimeBand:
    """A daily time window ``[start, end)`` in local time, in minutes after midnight.

    Parameters
    ----------
    name
        Label shown in tables (``"08-16"``).
    start_min
        First minute of the band, 0–1439.
    end_min
        Minute after the last one, 1–1440. ``end_min <= start_min`` means the band crosses
        midnight (``22:00–06:00`` is ``start_min=1320, end_min=360``).
    """

    name: str
    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("TimeBand name must not be empty")
        if not 0 <= self.start_min < MINUTES_PER_DAY:
            raise ValueError(
                f"TimeBand {self.name!r}: start_min must be in 0..1439, got {self.start_min!r}"
            )
        if not 0 < self.end_min <= MINUTES_PER_DAY:
            raise ValueError(
                f"TimeBand {self.name!r}: end_min must be in 1..1440, got {self.end_min!r}"
            )

    @property
    def crosses_midnight(self) -> bool:
        return self.end_min <= self.start_min and not self.is_full_day

    @property
    def is_full_day(self) -> bool:
        return self.start_min == 0 and self.end_min == MINUTES_PER_DAY

    @property
    def duration_h(self) -> float:
        span = self.end_min - self.start_min
        if span <= 0:
            span += MINUTES_PER_DAY
        return span / 60.0

    def contains(self, minute_of_day: np.ndarray) -> np.ndarray:
        """Boolean mask of the minutes (0–1439) that fall in the band."""
        m = np.asarray(minute_of_day)
        if self.is_full_day:
            return np.ones(m.shape, dtype=bool)
        if self.crosses_midnight:
            return (m >= self.start_min) | (m < self.end_min)
        return (m >= self.start_min) & (m < self.end_min)

    def hours(self) -> tuple[int, ...]:
        """The clock hours (0–23) whose first minute lies in the band."""
        return tuple(int(h) for h in np.flatnonzero(self.contains(np.arange(24) * 60)))


def band(start: str | float, end: str | float, name: str | None = None) -> TimeBand:
    """Build a :class:`TimeBand` from clock times (``"07:30"``) or hours (``7.5``, ``24``).

    Examples
    --------
    >>> band("22:00", "06:00").crosses_midnight
    True
    """
    start_min = _to_minutes(start, "start")
    end_min = _to_minutes(end, "end")
    if end_min == 0:
        end_min = MINUTES_PER_DAY
    label = name or f"{start_min // 60:02d}-{end_min // 60:02d}"
    if name is None and (start_min % 60 or end_min % 60):
        label = f"{_clock(start_min)}-{_clock(end_min)}"
    return TimeBand(label, start_min, end_min)


def bands_from_spec(spec: str) -> tuple[TimeBand, ...]:
    """Parse ``"08-16,16-24,00-08"`` or ``"07:30-15:30,15:30-23:30,23:30-07:30"``.

    Raises
    ------
    ValueError
        Naming the part of ``spec`` that is not ``start-end``.
    """
    out = []
    for part in (p.strip() for p in spec.split(",")):
        match = re.fullmatch(r"(\d{1,2}(?::\d{2})?)\s*-\s*(\d{1,2}(?::\d{2})?)", part)
        if match is None:
            raise ValueError(
                f"bands: expected 'HH-HH' or 'HH:MM-HH:MM' separated by commas, got {part!r} "
                f"in {spec!r}"
            )
        out.append(band(match.group(1), match.group(2)))
    return check_bands(out)


def check_bands(bands: Iterable[TimeBand]) -> tuple[TimeBand, ...]:
    """Return ``bands`` as a tuple after checking it is non-empty with unique names."""
    result = tuple(bands)
    if not result:
        raise ValueError("bands: expected at least one TimeBand, got none")
    names = [b.name for b in result]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"bands: band names must be unique, got duplicates {dupes!r}")
    return result


def local_wall_time(occurred_at: pd.Series) -> pd.Series:
    """Local wall-clock time of tz-aware timestamps, tz dropped (naive values stay as given)."""
    if isinstance(occurred_at.dtype, pd.DatetimeTZDtype):
        return occurred_at.dt.tz_localize(None)
    return pd.to_datetime(occurred_at)


def minute_of_day(occurred_at: pd.Series) -> np.ndarray:
    """Minutes after local midnight (0–1439) of each timestamp."""
    wall = local_wall_time(occurred_at)
    return (wall.dt.hour * 60 + wall.dt.minute).to_numpy(dtype=np.int64)


def band_membership(
    occurred_at: pd.Series,
    time_known: pd.Series | np.ndarray | Sequence[bool],
    bands: Sequence[TimeBand],
) -> np.ndarray:
    """Which band(s) each incident falls in, as a boolean ``(n_incidents, n_bands)`` array.

    Date-only incidents (``time_known`` False) fall in no band, except a full-day band
    (00–24), which holds every incident.
    """
    known = np.asarray(time_known, dtype=bool)
    minutes = minute_of_day(occurred_at)
    out = np.zeros((len(minutes), len(bands)), dtype=bool)
    for k, b in enumerate(bands):
        out[:, k] = np.ones(len(minutes), dtype=bool) if b.is_full_day else b.contains(minutes)
        if not b.is_full_day:
            out[:, k] &= known
    return out


def assign_band(
    occurred_at: pd.Series,
    time_known: pd.Series | np.ndarray | Sequence[bool],
    bands: Sequence[TimeBand],
) -> pd.Series:
    """The name of the first band holding each incident; ``<NA>`` for date-only incidents.

    With overlapping bands use :func:`band_membership`, which keeps every match.
    """
    member = band_membership(occurred_at, time_known, bands)
    names = np.array([b.name for b in bands], dtype=object)
    first = member.argmax(axis=1)
    values = np.where(member.any(axis=1), names[first], None)
    return pd.Series(values, index=occurred_at.index, dtype="string", name="band")


def hour_profile(
    occurred_at: pd.Series,
    time_known: pd.Series | np.ndarray | Sequence[bool],
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted incident count per local clock hour (24 values), time-known incidents only."""
    known = np.asarray(time_known, dtype=bool)
    hours = local_wall_time(occurred_at).dt.hour.to_numpy()[known]
    w = None if weight is None else np.asarray(weight, dtype=float)[known]
    return np.bincount(hours, weights=w, minlength=24).astype(float)


def hour_of_week_profile(
    occurred_at: pd.Series,
    time_known: pd.Series | np.ndarray | Sequence[bool],
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted count per (weekday, hour) as a ``(7, 24)`` array; Monday is row 0.

    Only time-known incidents are counted; use it to design staggered bands.
    """
    known = np.asarray(time_known, dtype=bool)
    wall = local_wall_time(occurred_at)
    index = (wall.dt.day_of_week * 24 + wall.dt.hour).to_numpy()[known]
    w = None if weight is None else np.asarray(weight, dtype=float)[known]
    return np.bincount(index, weights=w, minlength=168).astype(float).reshape(7, 24)


def peak_hours(profile: np.ndarray, top: int = 3) -> tuple[int, ...]:
    """The ``top`` hours with the largest values of an hour profile, largest first.

    Ties go to the earlier hour; hours with a zero value are never peaks, so an all-zero
    profile gives ``()``.
    """
    values = np.asarray(profile, dtype=float)
    order = np.lexsort((np.arange(len(values)), -values))
    return tuple(int(h) for h in order[:top] if values[h] > 0)


def _to_minutes(value: str | float, what: str) -> int:
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", value.strip())
        if match is None:
            raise ValueError(f"band {what}: expected 'HH' or 'HH:MM', got {value!r}")
        minutes = int(match.group(1)) * 60 + int(match.group(2) or 0)
    else:
        minutes = round(float(value) * 60)
    if not 0 <= minutes <= MINUTES_PER_DAY:
        raise ValueError(f"band {what}: expected a time between 00:00 and 24:00, got {value!r}")
    return minutes


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


#: The three default shifts 08–16, 16–24 and 00–08.
DEFAULT_BANDS: tuple[TimeBand, ...] = (band(8, 16), band(16, 24), band(0, 8))
DAY_BAND = TimeBand(DAY_BAND_NAME, 0, MINUTES_PER_DAY)
