"""Top-five hotspot presence in every hour on the Portland sample, 16-24, default units."""

from __future__ import annotations

from geo import sample
from planner.shift import PlanOptions, plan_shift, shift_band


def test_every_hour_has_presence_at_a_top_five_hotspot_in_portland() -> None:
    # An iteration bound, not a time limit: the same plan on any machine and under any load.
    options = PlanOptions(shift=shift_band("16-24"), time_limit_s=120.0, max_iterations=15)
    planned = plan_shift(sample.load("portland-central"), options)
    report = planned.report
    assert report is not None
    ranked = [str(c) for c in planned.hotspots.sort_values("rank")["cell_id"]][:5]
    table = report.table
    for hour in range(16, 24):
        assert set(table.loc[table["hour"] == hour, "cell_id"]) & set(ranked), hour
    assert [h["hour"] for h in report.summary["by_hour"]] == list(range(16, 24))
    assert all(h["top_hotspots_present"] >= 1 for h in report.summary["by_hour"])
    assert not [n for n in planned.plan.notes if n.startswith("Hour ")]
