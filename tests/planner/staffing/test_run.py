"""The whole staffing computation on a small district built in code (straight-line travel, no
street network): norms, curves per shift, staggered shifts, roster; no file touched."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.analysis import Analysis, AnalysisOptions, analyse
from geo.hotspots import TimeBand, resolve_band
from planner.staffing import (
    DISTRICT,
    TEAM,
    Person,
    StaffingResult,
    StaffingRunOptions,
    WorkloadOptions,
    people_needed,
    propose_staffing,
    shifts_for_roster,
    workload_curves,
)
from tests.districts import CRS, ORIGIN, small_district

FAST = WorkloadOptions(time_limit_s=0.3, max_iterations=200, seed=0)


def _band(name: str) -> TimeBand:
    band = resolve_band(name)
    assert band is not None
    return band


BANDS = (_band("16-24"), _band("00-08"))


def _with_areas(times_known: bool = True) -> Analysis:
    """The small district split into West (4,000 residents) and East (no population data)."""
    district = small_district(n=120, times_known=times_known)
    x0, y0 = ORIGIN
    areas = gpd.GeoDataFrame(
        {"area_id": ["W", "E"], "name": ["West", "East"], "population": [4000.0, None]},
        geometry=[box(x0, y0, x0 + 1000, y0 + 2000), box(x0 + 1000, y0, x0 + 2000, y0 + 2000)],
        crs=CRS,
    )
    return analyse(dataclasses.replace(district, areas=areas), AnalysisOptions(cell_size_m=250))


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return _with_areas()


def _options(**kw: object) -> StaffingRunOptions:
    base: dict[str, object] = {
        "fleets": ("foot",),
        "max_units": 3,
        "bands": BANDS,
        "workload": FAST,
    }
    base.update(kw)
    return StaffingRunOptions(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def result(analysis: Analysis) -> StaffingResult:
    return propose_staffing(
        analysis,
        _options(current={(DISTRICT, "16-24"): 0, (DISTRICT, TEAM): 9}),
    )


def test_result_holds_the_proposal_and_how_it_was_made(result: StaffingResult) -> None:
    assert result.district == "Test district"
    assert set(result.seconds) == {"norms", "workload", "shifts", "roster", "total"}
    assert result.roster_error is None
    assert result.notes == result.proposal.notes
    assert any("illustrative list" in n for n in result.notes)
    shifts = [r.shift for r in result.proposal.rows if r.area_id == DISTRICT and not r.is_team]
    assert shifts == ["16-24", "00-08"]


def test_workload_sets_the_shifts_and_the_roster(result: StaffingResult) -> None:
    proposal = result.proposal
    per_day = proposal.daily_headcount()
    assert per_day is not None and per_day >= 2  # at least one on duty in each shift
    assert proposal.shifts is not None and proposal.shifts.headcount == per_day
    assert proposal.shifts.has_profile  # incidents carry times of day
    roster = result.roster
    assert roster is not None
    blocks = shifts_for_roster(proposal.shifts.proposed.blocks)
    assert len(roster.totals) == people_needed(blocks, 5)
    assert roster.start_date is not None and roster.start_date.weekday() == 0  # a Monday


def test_norm_shortage_and_left_out_area(result: StaffingResult) -> None:
    rows = {(r.area_id, r.shift): r for r in result.proposal.rows}
    team = rows[(DISTRICT, TEAM)]
    assert team.norm_fulltime == 6  # 1.5 per 1,000 of West's 4,000; East is unknown
    assert team.required is not None and team.required >= 6
    assert team.current == 9
    assert team.surplus == 9 - team.required and team.shortage == 0
    evening = rows[(DISTRICT, "16-24")]
    assert evening.current == 0
    assert evening.workload_people is not None
    assert evening.shortage == evening.workload_people and evening.surplus == 0
    assert ("E", TEAM) not in rows
    assert result.proposal.left_out == ("East",)


def test_nothing_is_written(
    analysis: Analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    propose_staffing(analysis, _options(bands=BANDS[:1], max_units=1))
    assert list(tmp_path.iterdir()) == []


def test_headcount_option_sets_the_staggered_shifts(analysis: Analysis) -> None:
    got = propose_staffing(analysis, _options(bands=BANDS[:1], max_units=1, headcount=4))
    assert got.proposal.shifts is not None and got.proposal.shifts.headcount == 4


def test_roster_that_breaks_the_rules_is_reported_not_raised(analysis: Analysis) -> None:
    one = (Person("A1", "Ann"),)
    got = propose_staffing(
        analysis, _options(bands=BANDS[:1], max_units=1, headcount=3, people=one)
    )
    assert got.roster is None
    assert got.roster_error
    assert any(n.startswith("Roster: ") for n in got.notes)


def test_bands_share_a_curve_on_dates_only_data() -> None:
    analysis = _with_areas(times_known=False)
    curves, notes = workload_curves(analysis, _options(max_units=2))
    assert [c.shift for c in curves] == ["16-24", "00-08"]
    assert [p.risk_share for p in curves[1].points] == [p.risk_share for p in curves[0].points]
    assert any("same 'day' risk" in n for n in curves[1].notes)
    assert any("meal break" in n for n in notes)


def test_population_of_an_unknown_area_is_named(analysis: Analysis) -> None:
    population = pd.DataFrame({"area_id": ["W", "Z"], "population": [100, 200]})
    with pytest.raises(ValueError, match=r"population: area ids \['Z'\]"):
        propose_staffing(analysis, _options(population=population))


def test_population_table_adds_to_the_areas_own(analysis: Analysis) -> None:
    population = pd.DataFrame({"area_id": ["E"], "population": [2000]})
    got = propose_staffing(analysis, _options(bands=BANDS[:1], max_units=1, population=population))
    norms = got.proposal.norms.by_id()
    assert norms["E"].fulltime == 3
    assert norms["W"].fulltime == 6  # areas the table does not name keep their own
    assert got.proposal.norms.missing == ()
    assert got.proposal.left_out == ()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fleets": ("boat",)}, "fleets"),
        ({"fleets": ()}, "fleets"),
        ({"max_units": 0}, "max_units"),
        ({"break_mode": "skip"}, "break_mode"),
        ({"break_min": -5}, "break_min"),
        ({"headcount": -1}, "headcount"),
        ({"bands": ()}, "bands"),
    ],
)
def test_bad_options_name_the_argument(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        StaffingRunOptions(**kwargs)  # type: ignore[arg-type]


def test_a_band_the_analysis_did_not_score_is_staffed(analysis: Analysis) -> None:
    assert "18-02" not in analysis.risk.band_names
    result = propose_staffing(analysis, _options(bands=(_band("18-02"),), max_units=2))
    shifts = {c.shift for c in result.proposal.curves}
    assert shifts == {"18-02"}
    curve = next(c for c in result.proposal.curves if c.scope == DISTRICT)
    assert curve.points and curve.points[-1].risk_share > 0
