"""Weekly roster with CP-SAT: rest, consecutive nights, days off, fairness, explained conflicts."""

from __future__ import annotations

from collections import defaultdict

import pytest

from planner.staffing.roster import (
    Person,
    Roster,
    RosterInfeasibleError,
    RosterRules,
    RosterShift,
    build_roster,
    people_needed,
    shifts_for_roster,
)
from planner.staffing.shifts import ShiftBlock

RULES = RosterRules(time_limit_s=2.0)
DAY, EVENING, NIGHT = ShiftBlock(8, 8, 2), ShiftBlock(16, 8, 2), ShiftBlock(0, 8, 1)


def staff(n: int, days_off: dict[int, set[int]] | None = None) -> list[Person]:
    off = days_off or {}
    return [Person(f"P{i:02d}", f"Officer {i:02d}", frozenset(off.get(i, set()))) for i in range(n)]


def by_person(roster: Roster) -> dict[str, dict[int, tuple[int, int, bool]]]:
    out: dict[str, dict[int, tuple[int, int, bool]]] = defaultdict(dict)
    for e in roster.entries:
        out[e.person_id][e.day] = (e.start_h, e.length_h, e.night)
    return out


def test_roster_covers_demand_and_keeps_every_rule() -> None:
    shifts = shifts_for_roster([DAY, EVENING, NIGHT])
    people = staff(8, {0: {5, 6}, 3: {2}})
    roster = build_roster(people, shifts, RULES)
    per_day_shift: dict[tuple[int, str], int] = defaultdict(int)
    for e in roster.entries:
        per_day_shift[(e.day, e.shift)] += 1
    for d in range(7):
        assert per_day_shift[(d, "08-16")] == 2
        assert per_day_shift[(d, "16-24")] == 2
        assert per_day_shift[(d, "00-08")] == 1
    work = by_person(roster)
    for pid, days in work.items():
        assert len(days) <= RULES.max_shifts_per_week
        for d in range(6):
            if d in days and d + 1 in days:
                start, length, _ = days[d]
                rest = 24 + days[d + 1][0] - (start + length)
                assert rest >= RULES.min_rest_h, (pid, d)
        run = 0
        for d in range(7):
            run = run + 1 if d in days and days[d][2] else 0
            assert run <= RULES.max_consecutive_nights
    assert not set(work["P00"]) & {5, 6}
    assert 2 not in work["P03"]


def test_nights_and_weekends_are_spread_fairly() -> None:
    roster = build_roster(staff(8), shifts_for_roster([DAY, EVENING, NIGHT]), RULES)
    # 7 nights over 8 people and 10 weekend shifts over 8 people: spreads of at most 1.
    assert roster.night_spread <= 1
    assert roster.weekend_spread <= 1
    assert sum(t.nights for t in roster.totals) == 7


def test_rest_rule_forbids_evening_then_morning() -> None:
    # One person, an evening shift and an early shift the next day: 16-24 then 06-14 leaves
    # 6 h of rest, so the person cannot work both on consecutive days.
    shifts = (
        RosterShift(ShiftBlock(16, 8, 1), (1, 0, 0, 0, 0, 0, 0)),
        RosterShift(ShiftBlock(6, 8, 1), (0, 1, 0, 0, 0, 0, 0)),
    )
    with pytest.raises(RosterInfeasibleError) as info:
        build_roster(staff(1), shifts, RULES)
    assert "rest" in info.value.conflict
    assert build_roster(staff(2), shifts, RULES).entries


def test_consecutive_nights_limit() -> None:
    night = RosterShift.every_day(ShiftBlock(0, 8, 1))
    rules = RosterRules(max_consecutive_nights=2, max_shifts_per_week=7, time_limit_s=2.0)
    roster = build_roster(staff(2), [night], rules)
    for days in by_person(roster).values():
        for d in range(5):
            assert not {d, d + 1, d + 2} <= set(days)
    with pytest.raises(RosterInfeasibleError, match="nights"):
        build_roster(staff(1), [night], rules)


def test_conflicting_rules_are_named() -> None:
    # Two people, one off on Monday, a 1-person night shift daily, at most 3 shifts each:
    # 7 nights need more than 2 x 3 shifts.
    people = staff(2, {0: {0}})
    night = RosterShift.every_day(ShiftBlock(0, 8, 1))
    rules = RosterRules(max_shifts_per_week=3, time_limit_s=2.0)
    with pytest.raises(RosterInfeasibleError) as info:
        build_roster(people, [night], rules)
    conflict = set(info.value.conflict)
    assert {"cover[00-08]", "max_shifts"} <= conflict
    assert "days_off[P00]" not in conflict  # not needed for the conflict: minimal
    assert "max_shifts: at most 3 shifts" in str(info.value)


def test_days_off_conflict_is_named() -> None:
    people = staff(2, {0: {2}, 1: {2}})
    shifts = [RosterShift(ShiftBlock(8, 8, 1), (0, 0, 1, 0, 0, 0, 0))]
    with pytest.raises(RosterInfeasibleError) as info:
        build_roster(people, shifts, RULES)
    assert set(info.value.conflict) == {"cover[08-16]", "days_off[P00]", "days_off[P01]"}


def test_people_needed_and_bad_input() -> None:
    assert people_needed(shifts_for_roster([DAY, EVENING, NIGHT]), 5) == 7  # 35 shifts / 5
    with pytest.raises(ValueError, match="duplicates"):
        build_roster([Person("a", "A"), Person("a", "B")], [], RULES)
    with pytest.raises(ValueError, match="days_off"):
        Person("a", "A", frozenset({7}))


def test_a_roster_that_keeps_every_rule_comes_back_when_fairness_runs_out_of_time() -> None:
    # A limit no solver meets: the fair search stops without an answer, the rescue search (no
    # objective, its own budget) still finds a roster that keeps every rule, and says so.
    rules = RosterRules(time_limit_s=1e-9)
    shifts = shifts_for_roster([DAY, EVENING, NIGHT])
    roster = build_roster(staff(8), shifts, rules)
    assert len(roster.entries) == 7 * (2 + 2 + 1)
    assert any("Fairness was not optimised" in n for n in roster.notes)
    for days in by_person(roster).values():
        assert len(days) <= rules.max_shifts_per_week
