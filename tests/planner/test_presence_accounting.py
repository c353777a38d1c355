"""Presence accounting: hand-computed cases, hour splits, DST days and conservation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.presence import (
    PresenceInterval,
    minutes_by_cell_hour,
    split_by_hour,
    wall_seconds,
    with_wall_times,
)


def test_one_stop_split_at_the_hour() -> None:
    table = minutes_by_cell_hour([PresenceInterval("A", 16 * 3600 + 50 * 60, 17 * 3600 + 10 * 60)])
    assert table[["cell_id", "hour", "minutes", "visits"]].values.tolist() == [
        ["A", 16, 10.0, 1],
        ["A", 17, 10.0, 1],
    ]


def test_units_add_up_and_visits_count_intervals() -> None:
    table = minutes_by_cell_hour(
        [
            PresenceInterval("A", 16 * 3600, 16 * 3600 + 12 * 60, unit_id="u1"),
            PresenceInterval("A", 16 * 3600 + 30 * 60, 16 * 3600 + 45 * 60, unit_id="u2"),
            PresenceInterval("B", 16 * 3600 + 5 * 60, 16 * 3600 + 5 * 60, unit_id="u1"),
        ]
    )
    assert table[["cell_id", "hour", "minutes", "visits"]].values.tolist() == [["A", 16, 27.0, 2]]


def test_past_midnight_is_the_next_day() -> None:
    table = minutes_by_cell_hour([PresenceInterval("C", 23 * 3600 + 1800, 24 * 3600 + 600)])
    assert table[["day", "hour", "minutes"]].values.tolist() == [[0, 23, 30.0], [1, 0, 10.0]]


def test_an_interval_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        PresenceInterval("A", 100, 50)


def test_wall_times_carry_the_offset_on_a_dst_day() -> None:
    # 2024-03-10: Toronto springs forward at 02:00; 01:00 is EST, 03:00 is EDT.
    table = minutes_by_cell_hour(
        [PresenceInterval("A", 3600 + 1800, 3 * 3600 + 600)]
    )  # 01:30 .. 03:10 on the wall
    stamped = with_wall_times(table, date(2024, 3, 10), "America/Toronto")
    assert stamped["hour_start"].tolist()[0] == "2024-03-10T01:00:00-05:00"
    assert stamped["hour_start"].tolist()[-1] == "2024-03-10T03:00:00-04:00"


def test_wall_seconds_inverts_the_wall_clock_across_a_clock_change() -> None:
    # 2024-11-03: Toronto falls back at 02:00. 07:30 UTC is 02:30 EST on the wall.
    moment = datetime(2024, 11, 3, 7, 30, tzinfo=UTC)
    assert wall_seconds(moment, date(2024, 11, 3), "America/Toronto") == 2 * 3600 + 1800
    with pytest.raises(ValueError, match="offset"):
        wall_seconds(datetime(2024, 11, 3, 7, 30), date(2024, 11, 3), "America/Toronto")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.integers(0, 30 * 3600),
            st.integers(0, 4 * 3600),
        ),
        max_size=30,
    )
)
def test_minutes_are_conserved(spans: list[tuple[str, int, int]]) -> None:
    intervals = [PresenceInterval(c, s, s + d) for c, s, d in spans]
    table = minutes_by_cell_hour(intervals)
    assert table["minutes"].sum() == pytest.approx(sum(d for *_, d in spans) / 60.0)
    assert (table["minutes"] <= 60.0 * len(spans) + 1e-9).all()
    for start, length in [(s, d) for _, s, d in spans]:
        assert sum(sec for _, sec in split_by_hour(start, start + length)) == pytest.approx(length)
