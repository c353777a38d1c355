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
from dataclasses import dataclass, field, replace
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
from geo.hotspots.columns import RANK, REP_X, REP_Y, SCORE
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
from planner.hourly import hourly_risk
from planner.plan import PatrolPlan, plan_patrols, plan_variants
from planner.presence import PresenceRule
from planner.presence_report import TOP_HOTSPOTS, PresenceReport, presence_report
from planner.problem import PatrolProblem
from planner.sources import (
    CoverageOptions,
    HotspotTaskOptions,
    PresenceTaskOptions,
    coverage_tasks,
    presence_tasks,
    tasks_from_duties,
    tasks_from_hotspots,
)
from planner.tasks import Task, TaskKind
from planner.travel import StreetTravel
from planner.units import Break, Unit
from planner.walks import SectorWalker, cell_path


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
    objective
        ``"presence"`` (default): presence by cell and hour with diminishing returns
        (:mod:`planner.presence`), hour-slot visits at the ``hotspots.top`` cells, sector walks
        for the coverage floor; ``"tasks"``: the earlier task list (hotspot visits with
        repeats, 5-minute sector visits), kept as the benchmarks' baseline.
    presence
        Hour-slot visit rules of the presence objective (its cells, dwell and modes follow
        ``hotspots``).
    sector_walk_min
        Minutes of a sector walk at walking speed (its street length budget); 0 keeps sector
        visits as point visits.
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
    objective: Literal["presence", "tasks"] = "presence"
    presence: PresenceTaskOptions = field(default_factory=PresenceTaskOptions)
    sector_walk_min: float = 20.0

    def __post_init__(self) -> None:
        if self.objective not in ("presence", "tasks"):
            raise ValueError(f"objective: expected 'presence' or 'tasks', got {self.objective!r}")
        if self.sector_walk_min < 0:
            raise ValueError(f"sector_walk_min: expected minutes >= 0, got {self.sector_walk_min}")
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
        """The analysis options with the shift's band scored, its risk validated at the share
        of the grid the hotspot tasks flag (``hotspots.top`` cells)."""
        return self.analysis.with_bands(self.shift).for_plan(self.shift.name, self.hotspots.top)

    @property
    def presence_options(self) -> PresenceTaskOptions:
        """Hour-slot visit rules with the hotspot options' cells, dwell and modes."""
        return replace(
            self.presence,
            cells=self.hotspots.top,
            dwell_min=self.hotspots.dwell_min if self.hotspots.dwell_min > 0 else 12.0,
            modes=self.hotspots.modes,
        )

    @property
    def rule(self) -> PresenceRule:
        """The diminishing-returns rule presence is valued by."""
        return self.presence_options.rule


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
    hourly
        Risk per cell and hour of the shift (:func:`planner.hourly.hourly_risk`).
    reports
        The presence report of each plan (value, bound, spread), in plan order.
    """

    analysis: Analysis
    options: PlanOptions
    problem: PatrolProblem
    plans: tuple[PatrolPlan, ...]
    hotspots: gpd.GeoDataFrame
    risk_band: str
    notes: tuple[str, ...]
    seconds: float
    hourly: pd.DataFrame | None = None
    reports: tuple[PresenceReport, ...] = ()

    @property
    def report(self) -> PresenceReport | None:
        """The presence report of the first plan."""
        return self.reports[0] if self.reports else None

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
    presence = options.objective == "presence"
    if presence:
        start_s, end_s = shift_seconds(options.shift)
        hourly = hourly_risk(analysis, band_name, options.shift)
        ranked = hotspots[hotspots[SCORE] > 0].sort_values([RANK, CELL_ID])
        points = {
            str(c): (float(x), float(y))
            for c, x, y in zip(ranked[CELL_ID], ranked[REP_X], ranked[REP_Y], strict=True)
        }
        minutes = sum(
            (u.shift_length_s - sum(b.duration_s for b in u.breaks)) / 60.0 for u in units
        )
        tasks: list[Task] = list(
            presence_tasks(
                hourly,
                points,
                options.presence_options,
                shift_start_s=start_s,
                shift_end_s=end_s,
                unit_minutes=minutes,
                area_of_cell=area_of_cell,
            )
        )
    else:
        tasks = list(tasks_from_hotspots(hotspots, options.hotspots, area_of_cell=area_of_cell))
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
    walk_notes: list[str] = []
    if presence and options.sector_walk_min > 0:
        sectors = (
            district.areas.set_index(AREA_ID)
            if options.coverage_level == "areas" and len(district.areas)
            else cells.set_index(CELL_ID)
        )
        walked, walk_notes = sector_walks(floor, sectors, analysis, options.sector_walk_min)
        floor = tuple(walked)
    tasks.extend(floor)
    if duties is not None and len(duties):
        tasks.extend(tasks_from_duties(duties.to_crs(district.crs), best_score=best))
    if presence:
        tasks = [with_cell_path(t, cells) for t in tasks]
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
        *walk_notes,
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


def sector_walks(
    floor: Sequence[Task], sectors: gpd.GeoDataFrame, analysis: Analysis, walk_min: float
) -> tuple[list[Task], list[str]]:
    """Coverage-floor visits as walks along each sector's streets (分片巡逻).

    Each walk is closed and at most ``walk_min`` minutes long at walking speed; it is timed at
    each unit's own speed like a patrol line. A sector without streets in the foot network
    keeps its point visit, and the note says how many.
    """
    network = analysis.networks.get(Mode.FOOT)
    if network is None:
        return list(floor), ["Sector patrols are point visits: the district has no foot network."]
    budget_m = walk_min * 60.0 * StreetTravel(analysis.networks).speed_kmh(Mode.FOOT) / 3.6
    out: list[Task] = []
    kept = 0
    walker = SectorWalker(network)
    for task in floor:
        key = task.area_id if task.area_id is not None else task.cell_id
        if task.kind is not TaskKind.AREA or key is None or key not in sectors.index:
            out.append(task)
            continue
        walk = walker.walk(sectors.loc[key].geometry, (task.x, task.y), budget_m)
        if walk is None:
            kept += 1
            out.append(task)
            continue
        start = walk.coords[0]
        out.append(
            replace(
                task,
                x=float(start[0]),
                y=float(start[1]),
                line=walk,
                dwell_s=0,
                label=f"{task.label} walk",
            )
        )
    notes = (
        [f"{kept} sector(s) have no street inside them: they keep a point visit."] if kept else []
    )
    return out, notes


def with_cell_path(task: Task, cells: gpd.GeoDataFrame) -> Task:
    """``task`` with the cells its line or walk passes through (presence along it)."""
    if task.line is None or task.cell_path:
        return task
    path = cell_path(task.line, cells)
    first = path[0][0] if path else task.cell_id
    return replace(task, cell_path=path, cell_id=task.cell_id or first)


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
    # every clock hour gets a stay at one of the top hotspots where feasible (presence only)
    top_cells: tuple[str, ...] = ()
    if opts.objective == "presence":
        best = hotspots[hotspots[SCORE] > 0].sort_values([RANK, CELL_ID])
        top_cells = tuple(str(c) for c in best[CELL_ID][:TOP_HOTSPOTS])
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
            top_cells=top_cells,
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
                top_cells=top_cells,
            )
        ]
    progress("Plan done", 1.0)
    hourly = hourly_risk(analysis, band_name, opts.shift)
    ranked = [str(c) for c in hotspots.sort_values([RANK, CELL_ID])[CELL_ID]]
    reports = tuple(
        presence_report(plan, problem.units, hourly, opts.rule, analysis.grid.cells, ranked)
        for plan in plans
    )
    # The plan's risk share is presence-weighted, and its findings join its notes.
    plans = [
        replace(plan, risk_share=report.risk_share, notes=(*plan.notes, *report.notes))
        for plan, report in zip(plans, reports, strict=True)
    ]
    return ShiftPlan(
        analysis=analysis,
        options=opts,
        problem=problem,
        plans=tuple(plans),
        hotspots=hotspots,
        risk_band=band_name,
        notes=problem.notes,
        seconds=time.perf_counter() - started,
        hourly=hourly,
        reports=reports,
    )


def _scaled(progress: Progress, start: float, end: float) -> Progress:
    def tell(step: str, fraction: float) -> None:
        progress(step, start + (end - start) * fraction)

    return tell
