"""The main job, stage by stage: district → grid → risk → hotspots → tasks → plan.

Used by the command line (``demo``, ``plan``, ``map``, ``sheets``) and later the service, so
every way in runs the same stages with the same defaults. Stages are the pure functions of
``geo`` and ``planner``; this module only chooses defaults, wires them and reports progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.assign import assign_incidents
from geo.district import District
from geo.grid import Grid, build_grid, grid_from_polygons, spread_population
from geo.hotspots import DEFAULT_BANDS, RiskTable, TimeBand, compute_risk, hotspot_table
from geo.hotspots.bands import DAY_BAND_NAME
from geo.hotspots.columns import SCORE
from geo.network import StreetNetwork, load_networks, snap
from geo.network.modes import Mode
from geo.schema import AREA_ID, CELL_ID, OCCURRED_AT, STATION_ID
from maps.bundle import PlanBundle
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

#: Reports a step: ``(description, fraction_done)``.
Progress = Callable[[str, float], None]


def _quiet(_: str, __: float) -> None:
    return None


@dataclass(frozen=True)
class AnalysisOptions:
    """How the district is gridded and scored."""

    cell_size_m: float = 250.0
    grid_kind: str = "square"  # "square", "hex", or "areas" (the official polygons as cells)
    bands: tuple[TimeBand, ...] = DEFAULT_BANDS
    at: str | None = None  # reference date of the risk; default: the latest incident's day
    half_life_days: float | None = None  # None: the hotspot module's default
    bandwidth_m: float | None = None


@dataclass(frozen=True)
class Analysis:
    """The district with its grid, incidents per cell, street networks, risk and hotspots."""

    district: District
    grid: Grid
    cell_of_incident: pd.Series
    networks: Mapping[Mode, StreetNetwork]
    risk: RiskTable
    seconds: Mapping[str, float]

    @property
    def incidents_per_cell(self) -> pd.Series:
        return self.cell_of_incident.value_counts()


def analyse(
    district: District, options: AnalysisOptions | None = None, progress: Progress = _quiet
) -> Analysis:
    """Grid the district, assign incidents, load street networks and score risk per band."""
    opts = options or AnalysisOptions()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    progress("Building the grid", 0.0)
    if opts.grid_kind == "areas":
        if not len(district.areas):
            raise ValueError("grid: 'areas' needs official area polygons (--areas), none given")
        grid = grid_from_polygons(district.areas, boundary=district.boundary)
    elif opts.grid_kind in ("square", "hex"):
        grid = build_grid(
            district.boundary,
            kind="hex" if opts.grid_kind == "hex" else "square",
            cell_size_m=opts.cell_size_m,
            crs=district.crs,
        )
    else:
        raise ValueError(f"grid: expected 'square', 'hex' or 'areas', got {opts.grid_kind!r}")
    if opts.grid_kind != "areas" and len(district.areas):
        # Gives each cell its area (largest share) and, where known, residents by area share.
        grid = spread_population(grid, district.areas)
    seconds["grid"] = time.perf_counter() - started

    progress("Assigning incidents to cells", 0.2)
    t = time.perf_counter()
    cell_of = assign_incidents(grid, district.incidents)
    seconds["assign"] = time.perf_counter() - t

    progress("Loading street networks", 0.3)
    t = time.perf_counter()
    networks: dict[Mode, StreetNetwork] = {}
    if district.network_path is not None:
        networks = load_networks(district.network_path, crs=district.crs)
    seconds["networks"] = time.perf_counter() - t

    progress("Scoring risk per cell and band", 0.7)
    t = time.perf_counter()
    incidents = district.incidents.assign(**{CELL_ID: cell_of})
    incidents = incidents[incidents[CELL_ID].notna()]
    kwargs: dict[str, object] = {}
    if opts.half_life_days is not None:
        kwargs["half_life_days"] = opts.half_life_days
    risk = compute_risk(
        incidents,
        grid.cells,
        bands=opts.bands,
        at=opts.at,
        bandwidth_m=opts.bandwidth_m,
        **kwargs,  # type: ignore[arg-type]
    )
    seconds["risk"] = time.perf_counter() - t
    progress("Analysis done", 1.0)
    return Analysis(district, grid, cell_of, networks, risk, seconds)


def foot_snapper(
    analysis: Analysis,
) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None:
    """Snap points to the nearest node of the foot network (where a patrol can stand)."""
    network = analysis.networks.get(Mode.FOOT)
    if network is None:
        return None

    def _snap(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = snap(network, x, y)
        return network.node_x_m[found.node_index], network.node_y_m[found.node_index]

    return _snap


def risk_band_for(analysis: Analysis, shift: TimeBand) -> tuple[str, tuple[str, ...]]:
    """The risk band to plan a shift with, and why.

    The shift's own band when its incidents carry times of day; the day-level band when the
    data hold dates only (hourly bands are then empty).
    """
    names = analysis.risk.band_names
    if shift.name in names and float(analysis.risk.band(shift.name)[SCORE].sum()) > 0:
        return shift.name, ()
    if DAY_BAND_NAME in names:
        return DAY_BAND_NAME, (
            f"No incident in the data has a time of day in {shift.name}: the plan uses the "
            "day-level risk.",
        )
    return shift.name, (f"No incident falls in {shift.name}: every hotspot score is zero.",)


def hotspots_for(analysis: Analysis, band_name: str, top: int | None = 150) -> gpd.GeoDataFrame:
    """The hotspot table of one band, stop points snapped to the foot network."""
    incidents = analysis.district.incidents.assign(**{CELL_ID: analysis.cell_of_incident})
    incidents = incidents[incidents[CELL_ID].notna()]
    return hotspot_table(
        analysis.risk,
        incidents,
        analysis.grid.cells,
        band=band_name,
        top=top,
        snap=foot_snapper(analysis),
    )


def default_units(
    stations: Sequence[str],
    shift: TimeBand,
    counts: Mapping[Mode, int] | None = None,
    *,
    break_min: int = 30,
) -> tuple[Unit, ...]:
    """Units for a shift when none are given: per mode counts spread over the stations.

    Each unit takes a ``break_min`` meal break starting between 3 and 5 hours into the shift.
    Crews: 2 in a car, 1 on foot or bicycle.
    """
    wanted = counts or {Mode.CAR: 3, Mode.FOOT: 3, Mode.BICYCLE: 2}
    start_s, end_s = shift_seconds(shift)
    length_s = end_s - start_s
    breaks: tuple[Break, ...] = ()
    if break_min > 0 and length_s >= 6 * 3600:
        breaks = (Break(start_s + 3 * 3600, start_s + 5 * 3600, break_min * 60),)
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
                    crew=2 if mode is Mode.CAR else 1,
                )
            )
    return tuple(units)


def shift_seconds(shift: TimeBand) -> tuple[int, int]:
    """Start and end of a shift band in seconds from local midnight of the plan date."""
    start_s = shift.start_min * 60
    return start_s, start_s + int(round(shift.duration_h * 3600))


@dataclass(frozen=True)
class PlanOptions:
    """How a shift is planned."""

    shift: TimeBand = DEFAULT_BANDS[1]
    plan_date: date | None = None  # default: the day after the risk's reference date
    hotspots: HotspotTaskOptions = field(default_factory=HotspotTaskOptions)
    coverage: CoverageOptions = field(default_factory=CoverageOptions)
    coverage_level: str = "areas"  # "areas" (official polygons) or "cells"
    time_limit_s: float = 10.0
    seed: int = 0
    vary: int = 1
    on_infeasible: str = "raise"


@dataclass(frozen=True)
class ShiftPlan:
    """A planned shift and what it was made from."""

    problem: PatrolProblem
    plans: tuple[PatrolPlan, ...]
    hotspots: gpd.GeoDataFrame
    risk_band: str
    notes: tuple[str, ...]
    seconds: float

    @property
    def plan(self) -> PatrolPlan:
        return self.plans[0]


def build_problem(
    analysis: Analysis,
    units: Sequence[Unit],
    options: PlanOptions,
    duties: gpd.GeoDataFrame | None = None,
) -> tuple[PatrolProblem, gpd.GeoDataFrame, str]:
    """Tasks from hotspots, the coverage floor and duties, with units and stations."""
    district = analysis.district
    band_name, band_notes = risk_band_for(analysis, options.shift)
    hotspots = hotspots_for(analysis, band_name, top=max(options.hotspots.top, 1))
    cells = analysis.grid.cells
    area_of_cell = dict(zip(cells[CELL_ID], cells[AREA_ID], strict=True))
    tasks: list[Task] = list(
        tasks_from_hotspots(hotspots, options.hotspots, area_of_cell=area_of_cell)
    )
    best = float(hotspots[SCORE].max()) if len(hotspots) else 1.0
    best = best if best > 0 else 1.0
    if options.coverage_level == "areas" and len(district.areas):
        floor, floor_notes = coverage_tasks(
            district.areas,
            id_column=AREA_ID,
            label_prefix="Area",
            options=options.coverage,
            best_score=best,
            snap=foot_snapper(analysis),
        )
    else:
        floor, floor_notes = coverage_tasks(
            cells,
            id_column=CELL_ID,
            label_prefix="Cell",
            options=options.coverage,
            best_score=best,
            snap=foot_snapper(analysis),
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
    notes = (
        *district.notes,
        *analysis.risk.notes,
        *band_notes,
        *floor_notes,
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
    analysis: Analysis,
    units: Sequence[Unit] | None = None,
    options: PlanOptions | None = None,
    duties: gpd.GeoDataFrame | None = None,
    progress: Progress = _quiet,
) -> ShiftPlan:
    """Plan one shift of the analysed district (default units when none are given)."""
    opts = options or PlanOptions()
    started = time.perf_counter()
    if units is None:
        units = default_units(sorted(analysis.district.stations[STATION_ID]), opts.shift)
    progress("Building tasks", 0.0)
    problem, hotspots, band_name = build_problem(analysis, units, opts, duties)
    travel = StreetTravel(analysis.networks)
    progress(f"Routing {len(problem.units)} units over {len(problem.tasks)} tasks", 0.2)
    if opts.vary > 1:
        plans = plan_variants(
            problem, travel, opts.vary, time_limit_s=opts.time_limit_s * opts.vary, seed=opts.seed
        )
    else:
        plans = [
            plan_patrols(
                problem,
                travel,
                time_limit_s=opts.time_limit_s,
                seed=opts.seed,
                on_infeasible="drop" if opts.on_infeasible == "drop" else "raise",
            )
        ]
    progress("Plan done", 1.0)
    return ShiftPlan(
        problem=problem,
        plans=tuple(plans),
        hotspots=hotspots,
        risk_band=band_name,
        notes=problem.notes,
        seconds=time.perf_counter() - started,
    )


def incident_time_span(district: District) -> tuple[str, str]:
    """First and last incident time as ISO strings."""
    occurred = district.incidents[OCCURRED_AT]
    return occurred.min().isoformat(), occurred.max().isoformat()


def plan_bundle(analysis: Analysis, result: ShiftPlan, plan_index: int = 0) -> PlanBundle:
    """Everything maps and sheets draw for a planned shift, in the working CRS."""
    district = analysis.district
    incidents = district.incidents.assign(**{CELL_ID: analysis.cell_of_incident})
    return PlanBundle(
        crs=district.crs,
        district=district.name,
        plan_date=result.problem.plan_date,
        timezone=district.timezone,
        cells=analysis.grid.cells,
        risk=analysis.risk.frame,
        hotspots=result.hotspots,
        incidents=incidents,
        stations=district.stations,
        plan=result.plans[plan_index],
        tasks=result.problem.tasks,
        units=result.problem.units,
        band=result.risk_band,
        notes=tuple(dict.fromkeys((*result.notes, *result.plans[plan_index].notes))),
    )
