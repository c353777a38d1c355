"""Plan times (wall-clock seconds from local midnight of the plan date) as aware date-times.

:func:`local_datetime` and :func:`utc_datetime` are :func:`planner.clock.wall_clock`, the one
conversion every output uses; :class:`PlanClock` prints plan times through it, so the sheets,
map popups and tooltips never add seconds to midnight themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from maps.bundle import PlanBundle
from maps.i18n import Translator
from planner.clock import wall_clock, zone


def local_datetime(plan_date: date, seconds: int, tz: str) -> datetime:
    """The aware local date-time the wall clock shows ``seconds`` after midnight of
    ``plan_date`` in zone ``tz`` (see :func:`planner.clock.wall_clock`).

    Raises
    ------
    ValueError
        If ``tz`` is not a known IANA time zone.
    """
    return wall_clock(plan_date, seconds, tz)


def utc_datetime(plan_date: date, seconds: int, tz: str) -> datetime:
    """As :func:`local_datetime`, converted to UTC (GPX times are UTC)."""
    return local_datetime(plan_date, seconds, tz).astimezone(UTC)


def to_minute(seconds: float) -> int:
    """``seconds`` rounded to the nearest whole minute, in seconds (as times are printed)."""
    return 60 * round(float(seconds) / 60.0)


@dataclass(frozen=True)
class PlanClock:
    """Prints the plan times of one plan date and time zone in one language.

    Times are rounded to the minute before they are converted, so a time prints, sorts and
    sums the same in every output (16:07:40 is 16:08 on the PDF and in the workbook).

    Parameters
    ----------
    plan_date
        The local date plan seconds count from.
    timezone
        IANA zone of the plan's wall clock.
    tr
        The language of the printed times.

    Raises
    ------
    ValueError
        If ``timezone`` is not a known IANA time zone.
    """

    plan_date: date
    timezone: str
    tr: Translator

    def __post_init__(self) -> None:
        zone(self.timezone)

    @classmethod
    def for_bundle(cls, bundle: PlanBundle, tr: Translator) -> PlanClock:
        """The clock of ``bundle``'s plan date and zone, printing in ``tr``'s language."""
        return cls(bundle.plan_date, bundle.timezone, tr)

    def at(self, seconds: float) -> datetime:
        """The aware local date-time of plan second ``seconds``, rounded to the minute."""
        return local_datetime(self.plan_date, to_minute(seconds), self.timezone)

    def day_offset(self, when: datetime) -> int:
        """Days from the plan date to the local date of ``when`` (1: the next day)."""
        return (when.date() - self.plan_date).days

    def clock(self, seconds: float) -> str:
        """``16:30``, or ``00:30 (+1)`` / ``次日00:30`` on the next day."""
        return self.tr.clock_at(self.at(seconds), self.plan_date)

    def date_time(self, seconds: float) -> str:
        """``2024-03-05 16:30`` / ``2024年3月5日 16:30``."""
        return self.tr.datetime_at(self.at(seconds))

    def span(self, start_s: float, end_s: float) -> str:
        """``17:00–19:00`` (an end on the next day is marked)."""
        return f"{self.clock(start_s)}–{self.clock(end_s)}"
