"""The staffing table: shortage and surplus counted up from zero, shift and team rows kept
apart, no row of blanks, and no norm made up where there is no population."""

from __future__ import annotations

import pytest

from planner.staffing import DISTRICT, TEAM, StaffingRow, build_proposal, team_size
from tests.planner.staffing.curves import curve, norms

SHIFTS = ["08-16", "16-24"]


def _row(proposal_rows: tuple[StaffingRow, ...], area: str, shift: str) -> StaffingRow:
    return next(r for r in proposal_rows if r.area_id == area and r.shift == shift)


def test_shortage_is_positive_and_surplus_apart() -> None:
    # 16-24 needs 3 on duty (curve reaches 80 % at 3 units); 08-16 needs 1.
    curves = [curve("08-16", [0.9]), curve("16-24", [0.3, 0.6, 0.85])]
    proposal = build_proposal(
        norms({"a": 12_000}),
        curves,
        SHIFTS,
        current={(DISTRICT, "08-16"): 4, (DISTRICT, "16-24"): 1, (DISTRICT, TEAM): 5},
    )
    evening = _row(proposal.rows, DISTRICT, "16-24")
    assert (evening.required, evening.current) == (3, 1)
    assert evening.shortage == 2 and evening.surplus == 0
    day = _row(proposal.rows, DISTRICT, "08-16")
    assert day.shortage == 0 and day.surplus == 3
    team = _row(proposal.rows, DISTRICT, TEAM)
    # The norm (18 per 12,000 residents) is above the workload team (4 x 7 / 5 = 6).
    assert (team.norm_fulltime, team.workload_people, team.required) == (18, 6, 18)
    assert team.shortage == 13 and team.surplus == 0
    for row in proposal.rows:
        assert row.shortage is None or row.shortage >= 0
        assert row.surplus is None or row.surplus >= 0
    assert not hasattr(row, "gap")


def test_shortage_and_surplus_need_both_numbers() -> None:
    proposal = build_proposal(norms({"a": 2000}), [curve("08-16", [0.9])], ["08-16"])
    day = _row(proposal.rows, DISTRICT, "08-16")
    assert day.current is None
    assert day.shortage is None and day.surplus is None


def test_rows_say_what_they_count() -> None:
    proposal = build_proposal(
        norms({"a": 2000}), [curve("08-16", [0.9]), curve("16-24", [0.5, 0.9])], SHIFTS
    )
    kinds = {(r.area_id, r.shift): r.headcount_per for r in proposal.rows}
    assert kinds[(DISTRICT, "08-16")] == kinds[(DISTRICT, "16-24")] == "shift"
    assert kinds[(DISTRICT, TEAM)] == kinds[("a", TEAM)] == "week"
    # People on duty per day add shift rows only; the team size is not among them.
    assert proposal.daily_headcount() == 1 + 2
    assert _row(proposal.rows, DISTRICT, TEAM).workload_people == team_size(3, 5) == 5


def test_no_population_means_no_norm_never_zero() -> None:
    proposal = build_proposal(norms({"x": None, "y": None}), [curve("08-16", [0.9])], ["08-16"])
    team = _row(proposal.rows, DISTRICT, TEAM)
    assert team.population is None and team.norm_fulltime is None
    assert team.norm_volunteers is None and team.norm_monthly_pay is None
    assert "no population data" in team.basis
    # The workload alone decides: 1 on duty x 7 / 5 = 2 people.
    assert team.required == 2


def test_rows_that_carry_nothing_are_left_out_and_named() -> None:
    proposal = build_proposal(
        norms({"p": 3000, "q": None, "r": None}),
        [curve("08-16", [0.9])],
        ["08-16"],
        current={("r", TEAM): 2},
    )
    areas = {r.area_id for r in proposal.rows}
    assert "q" not in areas  # no population, no workload, no current staff
    assert {"p", "r"} <= areas  # a population, or people on duty now, is worth a row
    assert not any(r.is_empty for r in proposal.rows)
    assert proposal.left_out == ("Area q",)
    assert any("left out of the table: q" in n for n in proposal.notes)
    r_team = _row(proposal.rows, "r", TEAM)
    assert r_team.norm_fulltime is None and r_team.current == 2


def test_district_row_of_blanks_is_left_out() -> None:
    # No population anywhere and the target never reached: the team row would be all blanks.
    proposal = build_proposal(norms({"x": None}), [curve("08-16", [0.2, 0.4])], ["08-16"])
    assert [(r.area_id, r.shift) for r in proposal.rows] == [(DISTRICT, "08-16")]
    day = proposal.rows[0]
    assert day.workload_people is None and "not reached" in day.basis


def test_district_norm_says_when_it_covers_some_areas_only() -> None:
    proposal = build_proposal(norms({"a": 4000, "b": None}), [], ["08-16"])
    team = _row(proposal.rows, DISTRICT, TEAM)
    assert team.norm_fulltime == 6 and team.population == pytest.approx(4000.0)
    assert "norm of the 1 of 2 areas with population data" in team.basis
