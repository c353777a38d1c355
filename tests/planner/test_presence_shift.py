"""The presence objective on the Toronto sample, 16-24, default units (the issue's "done when").

Every unit patrols until the shift's last half hour, every hour has presence at the top
hotspots, the plan states its value against the bound, and the earlier task planner stays
reachable (``objective="tasks"``) as the baseline.
"""

from __future__ import annotations

import numpy as np
import pytest

from geo import sample
from geo.analysis import analyse
from planner.hourly import hourly_risk
from planner.presence import minutes_by_cell_hour
from planner.shift import PlanOptions, ShiftPlan, plan_shift, shift_band

SHIFT = shift_band("16-24")


@pytest.fixture(scope="module")
def planned() -> ShiftPlan:
    district = sample.load("toronto-uoft")
    # An iteration bound, not a time limit, so the plan is the same on any machine and under
    # any load (a 6 s limit gave a plan whose repair left hour 23 uncovered on a CI run).
    return plan_shift(district, PlanOptions(shift=SHIFT, time_limit_s=120.0, max_iterations=50))


def test_every_unit_patrols_until_the_last_half_hour(planned: ShiftPlan) -> None:
    end_s = SHIFT.start_min * 60 + int(SHIFT.duration_h * 3600)
    for route in planned.plan.routes:
        assert route.stops, f"unit {route.unit_id} has no stop"
        last = max(s.end_s for s in route.stops)
        way_back = route.return_s - last
        assert end_s - last <= 30 * 60 + way_back, route.unit_id
        assert route.return_s >= end_s - 30 * 60, route.unit_id


def test_every_hour_has_presence_at_the_top_hotspots(planned: ShiftPlan) -> None:
    report = planned.report
    assert report is not None
    hours = report.summary["by_hour"]
    assert [h["hour"] for h in hours] == list(range(16, 24))
    # value recovers 90 minutes after a stay: the top five take turns, and the repair after
    # the search (planner.presence_hours) gives every clock hour a stay at one of them
    ranked = [str(c) for c in planned.hotspots.sort_values("rank")["cell_id"]]
    table = report.table
    for hour in range(16, 24):
        present = set(table.loc[table["hour"] == hour, "cell_id"])
        assert present & set(ranked[:5]), hour
    assert all(h["top_hotspots_present"] >= 1 for h in hours), hours
    assert not [n for n in planned.plan.notes if n.startswith("Hour ")]
    # and each of the top five is revisited, at least twice in the shift and never left for
    # half of it
    for cell in ranked[:5]:
        spans = sorted((iv.start_s, iv.end_s) for iv in planned.plan.presence if iv.cell_id == cell)
        assert len(spans) >= 2, cell
        ends = [16 * 3600, *(b for _, b in spans)]
        starts = [a for a, _ in spans] + [24 * 3600]
        assert max(a - b for a, b in zip(starts, ends, strict=True)) <= 4 * 3600, cell


def test_the_report_matches_the_plans_presence_and_states_the_gap(planned: ShiftPlan) -> None:
    report = planned.report
    assert report is not None
    table = minutes_by_cell_hour(planned.plan.presence)
    assert report.table["minutes"].sum() == pytest.approx(table["minutes"].sum())
    assert 0 < report.value <= report.bound
    # the recovery-gap rule's own bound (sliding windows, travel into every stay): measured
    # 0.70 here; the clock-hour bound of the earlier rule would say more (benchmarks.presence)
    assert report.ratio > 0.6
    assert planned.plan.risk_share == pytest.approx(report.risk_share)
    assert 0 < report.risk_share <= 1
    for unit in report.summary["units"]:
        assert unit["patrol_share"] >= 0.9, unit


def test_the_task_planner_stays_reachable_and_is_valued_the_same_way() -> None:
    district = sample.load("toronto-uoft")
    old = plan_shift(district, PlanOptions(shift=SHIFT, time_limit_s=3.0, objective="tasks"))
    assert old.report is not None
    assert not any(t.task_id.startswith("presence:") for t in old.problem.tasks)
    # The earlier planner sends units home early: the findings say so instead of 100 %.
    assert old.report.risk_share < 0.9
    assert any(n.startswith("Unit ") for n in old.plan.notes)


def test_hourly_risk_shares_each_cells_band_score_over_the_shift() -> None:
    district = sample.load("toronto-uoft")
    analysis = analyse(district, PlanOptions(shift=SHIFT).analysis_options)
    hourly = hourly_risk(analysis, "16-24", SHIFT)
    scores = analysis.risk.band("16-24").set_index("cell_id")["score"]
    sums = hourly.groupby("cell_id")["risk"].sum()
    assert np.allclose(sums.reindex(scores.index).to_numpy(), scores.to_numpy())
    assert sorted(hourly["hour"].unique()) == list(range(16, 24))
    # Dates-only data (the day band) spread evenly over the shift's hours.
    if "day" in analysis.risk.band_names:
        even = hourly_risk(analysis, "day", SHIFT)
        per_cell = even.groupby("cell_id")["risk"].agg(["min", "max"])
        assert np.allclose(per_cell["min"], per_cell["max"])


def test_objective_is_checked() -> None:
    with pytest.raises(ValueError, match="objective"):
        PlanOptions(objective="visits")  # type: ignore[arg-type]


def test_sector_walks_are_closed_street_walks_within_their_budget(planned: ShiftPlan) -> None:
    walks = [t for t in planned.problem.tasks if t.kind.value == "area" and t.line is not None]
    assert walks, "the coverage floor is walked"
    budget_m = planned.options.sector_walk_min * 60 * 4.5 / 3.6
    for task in walks:
        coords = list(task.line.coords)  # type: ignore[union-attr]
        assert coords[0] == coords[-1]
        assert task.line.length <= budget_m + 1e-6  # type: ignore[union-attr]
        assert task.dwell_s == 0
        shares = [s for _, s in task.cell_path]
        assert shares and 0.99 <= sum(shares) <= 1.0 + 1e-9
    done = [s for r in planned.plan.routes for s in r.stops if s.task_id.startswith("area:")]
    assert done and all(s.walk_s > 0 and s.duration_s == s.walk_s for s in done)
