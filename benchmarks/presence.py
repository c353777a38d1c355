"""Presence by hour (见警率): the presence objective against the earlier task planner.

For each instance the same district, units and duties are planned twice in one process: with
``objective="tasks"`` (the earlier planner: hotspot visits with three repeats for the top ten,
5-minute sector visits; the baseline) and with ``objective="presence"`` (hour-slot visits with
diminishing returns, sector walks). Both plans are valued the same way: risk-weighted presence
by cell and hour (:func:`planner.presence.presence_value`). Printed per instance: the ratio of
the two values, each plan's value as a share of the upper bound
(:func:`planner.presence.presence_bound_gap`; and over the clock-hour bound alone,
:func:`planner.presence.presence_bound`, for comparison), the lowest share of a unit's
shift on patrol (out of the station, breaks excepted) and the planning wall and CPU time.

Instances: the Toronto and Portland samples (16-24, default units) and a 2,000-task, 40-unit
instance on the Portland network (150 m cells). Run: ``python -m benchmarks.presence
[--time-limit S] [--large-time-limit S] [--no-large]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace

import geopandas as gpd

from geo import sample
from geo.analysis import AnalysisOptions, analyse
from geo.io import read_duties
from geo.network.modes import Mode
from geo.schema import STATION_ID
from planner.presence import presence_bound
from planner.presence_report import unit_capacity
from planner.shift import PlanOptions, ShiftPlan, default_units, plan_shift, shift_band
from planner.sources import HotspotTaskOptions, PresenceTaskOptions


@dataclass(frozen=True)
class Row:
    """One instance's figures."""

    name: str
    tasks_value: float
    presence_value: float
    tasks_gap: float
    presence_gap: float
    min_patrol_share: float
    min_patrol_share_tasks: float
    tasks_s: float
    presence_s: float
    n_tasks: int
    n_slots: int
    hour_gap: float = 0.0
    presence_cpu_s: float = 0.0

    def line(self) -> str:
        ratio = self.presence_value / self.tasks_value if self.tasks_value > 0 else float("inf")
        return (
            f"{self.name}: presence value {self.presence_value:.2f} vs task planner "
            f"{self.tasks_value:.2f} -> {ratio:.2f}x; value/bound {self.presence_gap:.3f} "
            f"(over the clock-hour bound alone {self.hour_gap:.3f}; task planner "
            f"{self.tasks_gap:.3f}); lowest unit patrol share "
            f"{self.min_patrol_share:.0%} (task planner {self.min_patrol_share_tasks:.0%}); "
            f"wall {self.presence_s:.1f} s (CPU {self.presence_cpu_s:.1f} s) vs "
            f"{self.tasks_s:.1f} s; "
            f"{self.n_slots} candidate visits vs {self.n_tasks} tasks"
        )


def _figures(plan: ShiftPlan) -> tuple[float, float, float]:
    report = plan.report
    assert report is not None
    shares = [float(u["patrol_share"]) for u in report.summary["units"]]
    return report.value, report.ratio, min(shares) if shares else 0.0


def _hour_bound_ratio(plan: ShiftPlan) -> float:
    """The plan's value over the clock-hour bound alone (travel ignored, no recovery gap):
    the bound before the gap rule's own relaxations, for comparison."""
    report = plan.report
    assert report is not None and plan.hourly is not None
    hours, total = unit_capacity(plan.problem.units, plan.plan.least_travel_s)
    plain = presence_bound(plan.hourly, replace(plan.options.rule, recover_min=None), hours, total)
    return report.value / plain if plain > 0 else 1.0


def run_instance(
    name: str,
    district_name: str,
    *,
    time_limit_s: float,
    cell_size_m: float = 250.0,
    counts: dict[Mode, int] | None = None,
    hotspots: HotspotTaskOptions | None = None,
    presence: PresenceTaskOptions | None = None,
) -> Row:
    """Plan one instance with both objectives and return its figures."""
    district = sample.load(district_name)
    shift = shift_band("16-24")
    analysis = analyse(district, AnalysisOptions(cell_size_m=cell_size_m).with_bands(shift))
    units = default_units(sorted(district.stations[STATION_ID]), shift, counts)
    duties_path = sample.data_dir(district_name) / "duties.csv"
    outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
    duties = read_duties(duties_path, boundary=outline) if duties_path.exists() else None
    base = PlanOptions(
        shift=shift,
        analysis=analysis.options,
        time_limit_s=time_limit_s,
        on_infeasible="drop",
        hotspots=hotspots or HotspotTaskOptions(),
        presence=presence or PresenceTaskOptions(),
    )
    t = time.perf_counter()
    old = plan_shift(analysis, replace(base, objective="tasks"), units=units, duties=duties)
    old_s = time.perf_counter() - t
    t = time.perf_counter()
    cpu = time.process_time()
    new = plan_shift(analysis, replace(base, objective="presence"), units=units, duties=duties)
    new_s = time.perf_counter() - t
    new_cpu = time.process_time() - cpu
    old_v, old_gap, old_share = _figures(old)
    new_v, new_gap, new_share = _figures(new)
    return Row(
        name,
        old_v,
        new_v,
        old_gap,
        new_gap,
        new_share,
        old_share,
        old_s,
        new_s,
        len(old.problem.tasks),
        len(new.problem.tasks),
        _hour_bound_ratio(new),
        new_cpu,
    )


def run(
    time_limit_s: float = 10.0, large_time_limit_s: float = 30.0, large: bool = True
) -> list[str]:
    """Measure every instance and return the printed lines."""
    lines = []
    rows = [
        run_instance("toronto-uoft 16-24", "toronto-uoft", time_limit_s=time_limit_s),
        run_instance("portland-central 16-24", "portland-central", time_limit_s=time_limit_s),
    ]
    if large:
        rows.append(
            run_instance(
                "portland 2,000 tasks, 40 units",
                "portland-central",
                time_limit_s=large_time_limit_s,
                cell_size_m=150.0,
                counts={Mode.CAR: 15, Mode.FOOT: 15, Mode.BICYCLE: 10},
                hotspots=HotspotTaskOptions(top=1800, repeat_top=100, visits=3),
                presence=PresenceTaskOptions(slots_per_visit=1.33),
            )
        )
    for row in rows:
        lines.append(row.line())
    targets = {
        "toronto-uoft 16-24": "presence >= 1.3x",
        "portland-central 16-24": "presence >= 1.0x (no loss)",
    }
    for row in rows:
        ratio = row.presence_value / row.tasks_value if row.tasks_value > 0 else float("inf")
        target = targets.get(row.name, "report")
        lines.append(
            f"  target {row.name}: {target}, got {ratio:.2f}x; value/bound {row.presence_gap:.3f}"
            f" [aim >= 0.85 on samples]; every unit on patrol >= 90 %: "
            f"{'yes' if row.min_patrol_share >= 0.9 else 'no'} ({row.min_patrol_share:.0%})"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--large-time-limit", type=float, default=30.0)
    parser.add_argument("--no-large", action="store_true")
    args = parser.parse_args()
    for line in run(args.time_limit, args.large_time_limit, not args.no_large):
        print(line, flush=True)


if __name__ == "__main__":
    main()
