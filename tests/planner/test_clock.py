"""Wall-clock plan times on the daylight-saving days of the sample districts' time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.clock import clock_text, wall_clock, wall_clock_iso

H = 3600

# (zone, spring-forward day, fall-back day) of the samples: Toronto and Portland (2024).
DST_DAYS = [
    ("America/Toronto", date(2024, 3, 10), date(2024, 11, 3)),
    ("America/Los_Angeles", date(2024, 3, 10), date(2024, 11, 3)),
]


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_DAYS)
def test_a_16_00_start_is_16_00_on_both_dst_days(tz: str, spring: date, fall: date) -> None:
    # Elapsed seconds added to midnight would give 17:00 in spring and 15:00 in autumn.
    for day in (spring, fall):
        when = wall_clock(day, 16 * H, tz)
        assert (when.hour, when.minute, when.date()) == (16, 0, day)
    assert wall_clock_iso(spring, 16 * H, tz).endswith("T16:00:00" + _offset(tz, summer=True))
    assert wall_clock_iso(fall, 16 * H, tz).endswith("T16:00:00" + _offset(tz, summer=False))


@pytest.mark.parametrize(("tz", "spring", "fall"), DST_DAYS)
def test_night_shift_times_cross_midnight_on_the_wall_clock(tz, spring, fall) -> None:
    # A 22-06 shift ends at 06:00 the next morning, whatever the clocks did at 02:00.
    for day in (spring - timedelta(days=1), fall - timedelta(days=1)):
        end = wall_clock(day, 30 * H, tz)
        assert (end.date(), end.hour, end.minute) == (day + timedelta(days=1), 6, 0)


@pytest.mark.parametrize(("tz", "spring", "_fall"), DST_DAYS)
def test_a_time_in_the_skipped_hour_is_the_instant_it_names(tz, spring, _fall) -> None:
    when = wall_clock(spring, 2 * H + 30 * 60, tz)  # 02:30 does not exist that night
    assert (when.hour, when.minute) == (3, 30)
    assert when.utcoffset() == timedelta(hours=_summer_offset_h(tz))


@pytest.mark.parametrize(("tz", "_spring", "fall"), DST_DAYS)
def test_a_repeated_time_is_its_first_occurrence(tz, _spring, fall) -> None:
    when = wall_clock(fall, 1 * H + 30 * 60, tz)  # 01:30 happens twice that night
    assert (when.hour, when.minute) == (1, 30)
    assert when.utcoffset() == timedelta(hours=_summer_offset_h(tz))


def test_unknown_zone_names_the_zone() -> None:
    with pytest.raises(ValueError, match="unknown IANA time zone 'Mars/Olympus'"):
        wall_clock(date(2024, 1, 1), 0, "Mars/Olympus")


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.integers(min_value=0, max_value=2 * 86400),
    st.sampled_from(["America/Toronto", "America/Los_Angeles", "Asia/Shanghai", "UTC"]),
)
def test_wall_clock_shows_the_wall_time_unless_it_was_skipped(day, seconds, tz) -> None:
    naive = datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)
    when = wall_clock(day, seconds, tz)
    shown = when.replace(tzinfo=None)
    round_trip = naive.replace(tzinfo=ZoneInfo(tz)).astimezone(ZoneInfo("UTC"))
    exists = round_trip.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == naive
    if exists:
        assert shown == naive
    else:  # inside a spring-forward gap: one hour later on the new clock
        assert shown - naive == timedelta(hours=1)


def test_clock_text_marks_the_next_day() -> None:
    assert clock_text(16 * H) == "16:00"
    assert clock_text(25 * H + 30 * 60) == "01:30+1"


def _summer_offset_h(tz: str) -> int:
    return {"America/Toronto": -4, "America/Los_Angeles": -7}[tz]


def _offset(tz: str, *, summer: bool) -> str:
    hours = _summer_offset_h(tz) - (0 if summer else 1)
    return f"-{abs(hours):02d}:00"
