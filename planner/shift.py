"""Plan one shift of a district: the middle of every job, below the command line and service.

:func:`plan_shift` takes a :class:`~geo.district.District` (or its
:class:`~geo.analysis.Analysis`) and :class:`PlanOptions` and returns a :class:`ShiftPlan`:
the tasks (hotspot visits, the coverage floor, duties), the units and the verified plan or
plans (``vary`` > 1: one per successive day). The command line, the service's jobs and the
batch call it the same way; they only parse options and write results.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import geopandas as gpd
import pandas as pd

from geo.analysis import (
    Analysis,
    AnalysisOptions,
    Progress,
    analyse,
    far_snap_note,
    foot_snapper,
    hotspots_for,
    quiet,
    risk_band_for,
)
from geo.district import District
from geo.hotspots import TimeBand, resolve_band
from geo.hotspots.columns import SCORE
from geo.network.modes import Mode
from geo.schema import AREA_ID, CELL_ID, STATION_ID
from planner.defaults import (
    BREAK_MIN_SHIFT_H,
    BREAK_WINDOW_H,
    DEFAULT_BREAK_MIN,
    DEFAULT_CREW,
    DEFAULT_SEED,
    DEFAULT_SHIFT,
    DEFAULT_TIME_LIMIT_S,
    DEFAULT_UNIT_COUNTS,
)
from planner.errors import PlanningError
from planner.plan import PatrolPlan, plan_patrols, plan_variants
from planner.problem import PatrolProblem
from planner.sources import (
    CoverageOptions,
    HotspotTaskOptions,
    coverage_tasks,
    tasks_from_duties,
    tasks_from_hotspots,
)
from planner.tasks import Task
from planner.travel import StreetTravel
from planner.units import Break, Unit


def shift_band(name: str | TimeBand) -> TimeBand:
    """The shift band of ``name`` (``"16-24"``, ``"22-06"``, ``"07:30-15:30"``).

    Raises
    ------
    ValueError
        For text that is not ``HH-HH`` or ``HH:MM-HH:MM``, or ``"day"`` (not a shift).
    """
    if isinstance(name, TimeBand):
        return name
    band = resolve_band(name)
    if band is None:
        raise ValueError(f"band: a shift needs hours, e.g. 16-24 or 22-06; got {name!r}")
    return band


def shift_seconds(shift: TimeBand) -> tuple[int, int]:
    """Start and end of a shift band in seconds from local midnight of the plan date (an end
    past midnight is above 86,400)."""
    start_s = shift.start_min * 60
    return start_s, start_s + int(round(shift.duration_h * 3600))


def default_break(
    shift_start_s: int, shift_end_s: int, break_min: int = DEFAULT_BREAK_MIN
) -> tuple[Break, ...]:
    """The meal break of a default unit: ``break_min`` minutes starting 3 to 5 hours into a
    shift of 6 hours or more; none on shorter shifts."""
    if break_min <= 0 or shift_end_s - shift_start_s < BREAK_MIN_SHIFT_H * 3600:
        return ()
    earliest, latest = (int(h * 3600) for h in BREAK_WINDOW_H)
    return (Break(shift_start_s + earliest, shift_start_s + latest, break_min * 60),)


def default_units(
    stations: Sequence[str],
    shift: TimeBand,
    counts: Mapping[Mode, int] | None = None,
    *,
    break_min: int = DEFAULT_BREAK_MIN,
) -> tuple[Unit, ...]:
    """Units for a shift when none are given: per mode counts spread over the stations in turn.

    Each works the whole shift with the default meal break (:func:`default_break`) and the
    default crew (:data:`planner.defaults.DEFAULT_CREW`). Ids are the mode's initial and a
    number (``C1``, ``F2``, ``B1``).

    Raises
    ------
    PlanningError
        When there is no station to start from.
    """
    if not stations:
        raise PlanningError("units: the district has no station for units to start from")
    wanted = DEFAULT_UNIT_COUNTS if counts is None else counts
    start_s, end_s = shift_seconds(shift)
    breaks = default_break(start_s, end_s, break_min)
    units: list[Unit] = []
    k = 0
    for mode, count in wanted.items():
        for i in range(count):
            station = stations[k % len(stations)]
            k += 1
            units.append(
                Unit(
                    unit_id=f"{mode.value[0].upper()}{i + 1}",
                    mode=mode,
                    start_station=station,
                    end_station=station,
                    shift_start_s=start_s,
                    shift_end_s=end_s,
                    breaks=breaks,
                    crew=DEFAULT_CREW[mode],
                )
            )
    return tuple(units)


@dataclass(frozen=True)
class PlanOptions:
    """How a shift is planned.

    Attributes
    ----------
    shift
        The shift band (any ``HH-HH``, crossing midnight or not).
    plan_date
        Local date of the shift's start (default: the day after the risk's reference date).
    analysis
        Grid and risk options; the shift's band is added to the scored bands.
    hotspots, coverage
        Hotspot visits (top cells, dwell, repeats) and the coverage floor.
    coverage_level
        ``"areas"`` (official polygons, where given) or ``"cells"``.
    time_limit_s, seed, max_iterations
        Solver budget, seed and (for plans reproducible on any machine) an iteration bound.
    vary
        Number of different plans for successive days (the first is the best).
    on_infeasible
        ``"raise"``: a required task no unit can do fails the plan, naming it; ``"drop"``:
        such tasks are reported as dropped and the rest is planned.
    """

    shift: TimeBand = field(default_factory=lambda: shift_band(DEFAULT_SHIFT))
    plan_date: date | None = None
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    hotspots: HotspotTaskOptions = field(default_factory=HotspotTaskOptions)
    coverage: CoverageOptions = field(default_factory=CoverageOptions)
    coverage_level: str = "areas"
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    seed: int = DEFAULT_SEED
    max_iterations: int | None = None
    vary: int = 1
    on_infeasible: Literal["raise", "drop"] = "raise"

    def __post_init__(self) -> None:
        if self.vary < 1:
            raise ValueError(f"vary: expected at least 1 plan, got {self.vary}")
        if self.on_infeasible not in ("raise", "drop"):
            raise ValueError(
                f"on_infeasible: expected 'raise' or 'drop', got {self.on_infeasible!r}"
            )
        if self.coverage_level not in ("areas", "cells"):
            raise ValueError(
                f"coverage_level: expected 'areas' or 'cells', got {self.coverage_level!r}"
            )
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s: expected seconds > 0, got {self.time_limit_s}")

    @property
    def analysis_options(self) -> AnalysisOptions:
        """The analysis options with the shift's band scored."""
        return self.analysis.with_bands(self.shift)


@dataclass(frozen=True)
class ShiftPlan:
    """A planned shift and what it was made from.

    Attributes
    ----------
    analysis
        The analysed district (grid, risk, networks).
    options
        The options it was planned with.
    problem
        Tasks, units and stations.
    plans
        The verified plans; ``plans[k]`` is for day ``k + 1`` (:meth:`plan_date_of`).
    hotspots
        The hotspot table of :attr:`risk_band`.
    risk_band
        The band whose risk was planned on (the shift's, or ``"day"`` on dates-only data).
    notes
        Facts about the data and the plan a coordinator must be told.
    seconds
        Wall time of planning.
    """

    analysis: Analysis
    options: PlanOptions
    problem: PatrolProblem
    plans: tuple[PatrolPlan, ...]
    hotspots: gpd.GeoDataFrame
    risk_band: str
    notes: tuple[str, ...]
    seconds: float

    @property
    def plan(self) -> PatrolPlan:
        return self.plans[0]

    @property
    def shift(self) -> TimeBand:
        return self.options.shift

    def plan_date_of(self, index: int) -> date:
        """The local date plan ``index`` is for: variants are for successive days."""
        return self.problem.plan_date + timedelta(days=index)


def build_problem(
    analysis: Analysis,
    units: Sequence[Unit],
    options: PlanOptions,
    duties: gpd.GeoDataFrame | None = None,
) -> tuple[PatrolProblem, gpd.GeoDataFrame, str]:
    """Tasks from hotspots, the coverage floor and duties, with units and stations.

    Returns the problem, the hotspot table and the risk band used.
    """
    district = analysis.district
    band_name, band_notes = risk_band_for(analysis, options.shift)
    far: list[float] = []
    hotspots = hotspots_for(analysis, band_name, top=max(options.hotspots.top, 1), far=far)
    cells = analysis.grid.cells
    area_of_cell = dict(zip(cells[CELL_ID], cells[AREA_ID], strict=True))
    tasks: list[Task] = list(
        tasks_from_hotspots(hotspots, options.hotspots, area_of_cell=area_of_cell)
    )
    best = float(hotspots[SCORE].max()) if len(hotspots) else 1.0
    best = best if best > 0 else 1.0
    snapper = foot_snapper(analysis, far)
    if options.coverage_level == "areas" and len(district.areas):
        floor, floor_notes = coverage_tasks(
            district.areas,
            id_column=AREA_ID,
            label_prefix="Area",
            options=options.coverage,
            best_score=best,
            snap=snapper,
        )
    else:
        floor, floor_notes = coverage_tasks(
            cells,
            id_column=CELL_ID,
            label_prefix="Cell",
            options=options.coverage,
            best_score=best,
            snap=snapper,
        )
    tasks.extend(floor)
    if duties is not None and len(duties):
        tasks.extend(tasks_from_duties(duties.to_crs(district.crs), best_score=best))
    stations = {
        str(row[STATION_ID]): (float(row.geometry.x), float(row.geometry.y))
        for _, row in district.stations.iterrows()
    }
    # The risk's reference time is the end of the last day with data: plan the day after it.
    last_day = (pd.Timestamp(analysis.risk.at) - pd.Timedelta(microseconds=1)).date()
    plan_date = options.plan_date or last_day + timedelta(days=1)
    snap_note = far_snap_note(far)
    notes = (
        *district.notes,
        *analysis.risk.notes,
        *band_notes,
        *floor_notes,
        *((snap_note,) if snap_note else ()),
    )
    problem = PatrolProblem(
        tasks=tuple(tasks),
        units=tuple(units),
        stations=stations,
        plan_date=plan_date,
        timezone=district.timezone,
        notes=tuple(dict.fromkeys(notes)),
    )
    return problem, hotspots, band_name


def plan_shift(
    district: District | Analysis,
    options: PlanOptions | None = None,
    *,
    units: Sequence[Unit] | None = None,
    duties: gpd.GeoDataFrame | None = None,
    progress: Progress = quiet,
) -> ShiftPlan:
    """Plan one shift of a district.

    Parameters
    ----------
    district
        The district, or its analysis when one is already made (its risk must include the
        shift's band or a day-level band; otherwise the district is analysed again with it).
    options
        Shift, grid, tasks, solver options.
    units
        The units on duty (default: :func:`default_units` over the district's stations).
    duties
        Posts, lines and timed visits (:func:`geo.io.read_duties`), in any CRS.
    progress
        Reports ``(step, fraction)``.

    Raises
    ------
    PlanningError
        When a required task is impossible (with ``on_infeasible="raise"``) or the problem is
        invalid (e.g. a unit's station is unknown).
    ValueError
        For options the district cannot take (``grid_kind="areas"`` without areas).
    """
    opts = options or PlanOptions()
    started = time.perf_counter()
    wanted = opts.analysis_options
    if isinstance(district, Analysis):
        analysis = district
        if not (analysis.has_band(opts.shift.name) or analysis.has_band("day")):
            analysis = analyse(
                analysis.district,
                analysis.options.with_bands(opts.shift),
                _scaled(progress, 0.0, 0.4),
                networks=analysis.networks,
            )
    else:
        analysis = analyse(district, wanted, _scaled(progress, 0.0, 0.4))
    if units is None:
        stations = sorted(str(s) for s in analysis.district.stations[STATION_ID])
        units = default_units(stations, opts.shift)
    progress("Building tasks", 0.4)
    problem, hotspots, band_name = build_problem(analysis, units, opts, duties)
    travel = StreetTravel(analysis.networks)
    progress(f"Routing {len(problem.units)} units over {len(problem.tasks)} tasks", 0.5)
    if opts.vary > 1:
        plans = plan_variants(
            problem,
            travel,
            opts.vary,
            time_limit_s=opts.time_limit_s * opts.vary,
            seed=opts.seed,
            max_iterations=opts.max_iterations,
            on_infeasible=opts.on_infeasible,
        )
    else:
        plans = [
            plan_patrols(
                problem,
                travel,
                time_limit_s=opts.time_limit_s,
                seed=opts.seed,
                on_infeasible=opts.on_infeasible,
                max_iterations=opts.max_iterations,
            )
        ]
    progress("Plan done", 1.0)
    return ShiftPlan(
        analysis=analysis,
        options=opts,
        problem=problem,
        plans=tuple(plans),
        hotspots=hotspots,
        risk_band=band_name,
        notes=problem.notes,
        seconds=time.perf_counter() - started,
    )


def _scaled(progress: Progress, start: float, end: float) -> Progress:
    def tell(step: str, fraction: float) -> None:
        progress(step, start + (end - start) * fraction)

    return tell
