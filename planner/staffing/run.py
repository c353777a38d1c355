"""The staffing job for an analysed district: norms, workload curves, shifts, roster, table.

:func:`propose_staffing` is the whole computation, with no file I/O: the command line, the
service and the demo call it and hand its :class:`StaffingResult` to :mod:`maps.staffing`,
which writes the tables, chart, PDF and roster. :func:`workload_curves` is its slow part,
the coverage curves per shift band planned with the routing planner.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from geo.analysis import Analysis, Progress, analyse, quiet
from geo.hotspots import DEFAULT_BANDS, TimeBand
from geo.hotspots.bands import DAY_BAND_NAME
from geo.network.modes import Mode
from geo.schema import AREA_ID, CELL_ID, POPULATION, STATION_ID
from planner.defaults import DEFAULT_BREAK_MIN
from planner.shift import PlanOptions, build_problem, shift_seconds
from planner.staffing.norms import NormPolicy, norms_from_areas
from planner.staffing.proposal import DISTRICT, StaffingProposal, build_proposal, choose_curves
from planner.staffing.roster import (
    Person,
    Roster,
    RosterInfeasibleError,
    RosterRules,
    build_roster,
    people_needed,
    shifts_for_roster,
)
from planner.staffing.shifts import ShiftOptions, propose_shifts, risk_hour_profile
from planner.staffing.workload import (
    CoverageCurve,
    FleetLadder,
    WorkloadOptions,
    area_of_tasks,
    coverage_curve,
    ladder_units,
    restrict_to_area,
)
from planner.travel import StreetTravel

#: The coverage curves a run can compute: a mixed fleet or one mode.
FLEETS = ("mixed", "car", "foot", "bicycle")
#: How workload plans take the meal break.
BREAK_MODES = ("shorten", "route")


@dataclass(frozen=True)
class StaffingRunOptions:
    """Everything :func:`propose_staffing` can be told.

    Attributes
    ----------
    fleets
        Coverage curves to compute: ``mixed`` (car, foot, bicycle in turn) and/or one mode.
    max_units
        Largest fleet on each curve.
    workload
        Target share, time limit per point, seed.
    bands
        Shift bands (default 08-16, 16-24, 00-08); any ``HH-HH`` band, crossing midnight or
        not. Bands the analysis did not score are scored by :func:`propose_staffing`.
    per_area
        Also compute curves per official area (one curve per area, shift and fleet: slow).
    population
        ``area_id``, ``population`` (and ``area_type``, ``jurisdiction``) overriding or adding
        to the areas' population.
    policy
        Norm rates.
    current
        ``{(area_id, shift): people}`` on duty now (``shift`` ``"team (week)"``: team).
    headcount
        People on duty per day for the staggered shifts (default: the workload's).
    shift_options
        Legal shift lengths, starts, CP-SAT limits.
    people
        People to roster (default: an illustrative list, said so).
    rules
        Roster rules.
    start_date
        First day of the roster week (default: the Monday after the risk's reference date).
    break_min
        Meal break per unit on shifts of 6 h or more.
    break_mode
        ``"shorten"``: the break is taken off the end of the shift (same patrol time, fast to
        plan); ``"route"``: the routing planner places it in the route (exact, several times
        slower to plan on large districts).
    """

    fleets: tuple[str, ...] = ("mixed",)
    max_units: int = 6
    workload: WorkloadOptions = field(default_factory=lambda: WorkloadOptions(time_limit_s=2.0))
    bands: tuple[TimeBand, ...] = DEFAULT_BANDS
    per_area: bool = False
    population: pd.DataFrame | None = None
    policy: NormPolicy = field(default_factory=NormPolicy)
    current: Mapping[tuple[str, str], int] | None = None
    headcount: int | None = None
    shift_options: ShiftOptions = field(default_factory=ShiftOptions)
    people: tuple[Person, ...] | None = None
    rules: RosterRules = field(default_factory=RosterRules)
    start_date: date | None = None
    break_min: int = DEFAULT_BREAK_MIN
    break_mode: str = "shorten"

    def __post_init__(self) -> None:
        if self.break_mode not in BREAK_MODES:
            raise ValueError(f"break_mode: expected 'shorten' or 'route', got {self.break_mode!r}")
        if self.break_min < 0:
            raise ValueError(f"break_min: expected minutes >= 0, got {self.break_min}")
        bad = [f for f in self.fleets if f not in FLEETS]
        if bad or not self.fleets:
            raise ValueError(f"fleets: expected some of {list(FLEETS)}, got {list(self.fleets)}")
        if self.max_units < 1:
            raise ValueError(f"max_units: expected at least 1, got {self.max_units}")
        if self.headcount is not None and self.headcount < 0:
            raise ValueError(f"headcount: expected people >= 0, got {self.headcount}")
        if not self.bands:
            raise ValueError("bands: expected at least one shift band, got none")


@dataclass(frozen=True)
class StaffingResult:
    """A staffing proposal for one district and how it was made.

    Attributes
    ----------
    proposal
        The table, norms, coverage curves, staggered shifts and roster.
    district
        The district's name.
    roster_error
        Why no roster could be made (the rules cannot all be kept), or ``None``.
    notes
        Everything a reader must be told (the proposal's notes: data, norms, curves, shifts,
        roster).
    seconds
        Wall time per stage (``norms``, ``workload``, ``shifts``, ``roster``, ``total``).
    """

    proposal: StaffingProposal
    district: str
    roster_error: str | None
    notes: tuple[str, ...]
    seconds: Mapping[str, float]

    @property
    def roster(self) -> Roster | None:
        return self.proposal.roster


def _ladder(name: str, max_units: int) -> FleetLadder:
    if name == "mixed":
        return FleetLadder.mixed(max_units)
    return FleetLadder.single(Mode(name), max_units)


def norm_areas(analysis: Analysis, population: pd.DataFrame | None = None) -> pd.DataFrame:
    """The areas the norms are computed for, with population merged in from ``population``.

    The district's official areas; without them, the grid cells when they carry population.
    A value of ``population`` (population, area type, jurisdiction) replaces the area's own;
    areas it does not name keep theirs.

    Raises
    ------
    ValueError
        When ``population`` names an area the district does not have.
    """
    areas = pd.DataFrame(analysis.district.areas.drop(columns="geometry", errors="ignore"))
    if not len(areas):
        cells = analysis.grid.cells
        if POPULATION in cells.columns and cells[POPULATION].notna().any():
            # The cells are the areas: their own (empty) area column would clash.
            plain = cells.drop(columns=["geometry", AREA_ID], errors="ignore")
            areas = pd.DataFrame(plain).rename(columns={CELL_ID: AREA_ID})
    if population is None:
        return areas.reset_index(drop=True)
    pop = population.copy()
    pop[AREA_ID] = pop[AREA_ID].astype(str)
    if not len(areas):
        return pop.reset_index(drop=True)
    areas = areas.copy()
    areas[AREA_ID] = areas[AREA_ID].astype(str)
    given = pop.drop(columns=["name"], errors="ignore")
    merged = areas.merge(given, on=AREA_ID, how="left", suffixes=("", "__given"))
    for col in given.columns:
        if f"{col}__given" in merged.columns:
            # The table's value where it has one, the area's own elsewhere: a population file
            # for some areas does not wipe out the others'.
            merged[col] = merged[f"{col}__given"].combine_first(merged[col])
            merged = merged.drop(columns=f"{col}__given")
    unknown = sorted(set(pop[AREA_ID]) - set(areas[AREA_ID]))
    if unknown:
        raise ValueError(
            f"population: area ids {unknown[:10]} are not among the district's areas "
            f"({', '.join(sorted(areas[AREA_ID])[:10])} ...)"
        )
    return merged.reset_index(drop=True)


def workload_curves(
    analysis: Analysis,
    options: StaffingRunOptions,
    progress: Progress = quiet,
) -> tuple[list[CoverageCurve], list[str]]:
    """Coverage curves per shift band (and area when asked), reusing identical problems.

    Each band's problem is built as a plan's would be (:func:`planner.shift.build_problem`),
    then planned with 1..``max_units`` units of each fleet. With dates-only data every band is
    planned on the same day-level risk; when no task has a time window the bands' problems
    then differ only by the clock and share one curve.

    Returns
    -------
    curves, notes
        The curves and what a reader must know about how they were made.

    Raises
    ------
    ValueError
        When the analysis has no risk for a band (nor a day-level band).
    """
    travel = StreetTravel(analysis.networks)
    stations = sorted(str(s) for s in analysis.district.stations[STATION_ID])
    curves: list[CoverageCurve] = []
    notes: list[str] = []
    done: dict[tuple[str, int, int], list[CoverageCurve]] = {}
    ladders = [_ladder(f, options.max_units) for f in options.fleets]
    n_steps = len(options.bands) * len(ladders)
    step = 0
    for band in options.bands:
        start_s, end_s = shift_seconds(band)
        if options.break_mode == "shorten" and end_s - start_s >= 6 * 3600:
            units = {
                ld.name: ladder_units(
                    ld, stations, start_s, end_s - options.break_min * 60, break_min=0
                )
                for ld in ladders
            }
        else:
            units = {
                ld.name: ladder_units(ld, stations, start_s, end_s, break_min=options.break_min)
                for ld in ladders
            }
        # Workload curves count the task list's value per headcount (the "tasks" objective).
        plan_opts = PlanOptions(
            shift=band, time_limit_s=options.workload.time_limit_s, objective="tasks"
        )
        problem, _, risk_band = build_problem(analysis, units[ladders[0].name], plan_opts)
        timed = any(t.window_open_s is not None for t in problem.tasks)
        key = (risk_band, end_s - start_s, int(timed))
        if not timed and key in done:
            for c in done[key]:
                curves.append(
                    replace(
                        c,
                        shift=band.name,
                        notes=(
                            *c.notes,
                            f"Shift {band.name} is planned on the same '{risk_band}' risk with "
                            f"no timed task as shift {c.shift}: its curve is the same.",
                        ),
                    )
                )
            step += len(ladders)
            continue
        scopes: list[tuple[str, Any]] = [(DISTRICT, problem)]
        if options.per_area and len(analysis.district.areas):
            owner = area_of_tasks(problem, analysis.district.areas)
            for area_id in sorted({a for a in owner.values() if a is not None}):
                scopes.append((area_id, restrict_to_area(problem, area_id, owner)))
            outside = sum(1 for a in owner.values() if a is None)
            if outside:
                notes.append(
                    f"Shift {band.name}: {outside} task(s) lie outside every area and count "
                    "only in the district curve."
                )
        made: list[CoverageCurve] = []
        for ld in ladders:
            progress(f"Coverage curve {ld.name}, shift {band.name}", step / max(n_steps, 1))
            for scope, prob in scopes:
                made.append(
                    coverage_curve(
                        prob,
                        travel,
                        ld,
                        options.workload,
                        shift=band.name,
                        scope=scope,
                        units=units[ld.name],
                    )
                )
            step += 1
        done[key] = made
        curves.extend(made)
    if options.break_min and options.break_mode == "shorten":
        notes.append(
            f"Workload plans take each unit's {options.break_min}-minute meal break off the end "
            "of its shift (same patrol time; the route sheets of a real plan place it in the "
            "route)."
        )
    progress("Coverage curves done", 1.0)
    return curves, notes


def _illustrative_people(n: int) -> tuple[Person, ...]:
    return tuple(Person(f"P{i:02d}", f"Officer {i:02d}") for i in range(1, n + 1))


def _default_start(analysis: Analysis) -> date:
    """The Monday after the risk's reference day."""
    day = (pd.Timestamp(analysis.risk.at) + pd.Timedelta(days=1)).date()
    return day + pd.Timedelta(days=(7 - day.weekday()) % 7).to_pytimedelta()


def _scaled(progress: Progress, start: float, end: float) -> Progress:
    def tell(step: str, fraction: float) -> None:
        progress(step, start + (end - start) * fraction)

    return tell


def propose_staffing(
    analysis: Analysis,
    options: StaffingRunOptions | None = None,
    progress: Progress = quiet,
) -> StaffingResult:
    """Make the staffing proposal for an analysed district (no file is read or written).

    Norms come from the areas' resident population; the workload from coverage curves per
    shift band (:func:`workload_curves`); the staggered shifts spread the workload's people on
    duty per day (or ``options.headcount``) over the hours of risk; the weekly roster puts
    people (``options.people``, or an illustrative list said so) on those shifts.

    Parameters
    ----------
    analysis
        The district with grid, networks and risk (:func:`geo.analysis.analyse`); bands of
        ``options`` it has no risk for are scored first (the street networks are reused).
    options
        What to compute (defaults: mixed fleet 1..6 units, 2 s per point, 80 % target).
    progress
        Reports ``(step, fraction)``.

    Returns
    -------
    StaffingResult

    Raises
    ------
    ValueError
        For a population table naming unknown areas.
    """
    opts = options or StaffingRunOptions()
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    missing = [b for b in opts.bands if not analysis.has_band(b.name)]
    if missing and not analysis.has_band(DAY_BAND_NAME):
        # Any shift can be staffed: score the bands the analysis was not made for.
        analysis = analyse(
            analysis.district,
            analysis.options.with_bands(*missing),
            networks=analysis.networks,
        )
    notes: list[str] = []

    progress("Staffing norms", 0.0)
    t = time.perf_counter()
    norms = norms_from_areas(norm_areas(analysis, opts.population), opts.policy)
    seconds["norms"] = time.perf_counter() - t

    t = time.perf_counter()
    curves, curve_notes = workload_curves(analysis, opts, _scaled(progress, 0.02, 0.85))
    notes.extend(curve_notes)
    seconds["workload"] = time.perf_counter() - t
    shift_names = [b.name for b in opts.bands]

    progress("Staggered shifts", 0.85)
    t = time.perf_counter()
    chosen = choose_curves([c for c in curves if c.scope == DISTRICT])
    headcount = opts.headcount
    if headcount is None:
        per_shift = [chosen[(DISTRICT, s)] for s in shift_names if (DISTRICT, s) in chosen]
        if per_shift and all(c.minimum_people is not None for c in per_shift):
            headcount = int(sum(c.minimum_people or 0 for c in per_shift))
            notes.append(
                f"Staggered shifts and roster use the workload's {headcount} people on duty "
                "per day."
            )
        else:
            headcount = int(sum(c.points[-1].people for c in per_shift if c.points))
            notes.append(
                "The workload target is not reached in every shift: staggered shifts and "
                f"roster use the largest fleet tried ({headcount} people on duty per day); "
                "give a headcount to choose."
            )
    profile = risk_hour_profile(analysis.district.incidents)
    staggered = propose_shifts(profile, headcount, opts.shift_options)
    seconds["shifts"] = time.perf_counter() - t

    progress("Weekly roster", 0.9)
    t = time.perf_counter()
    start_date = opts.start_date or _default_start(analysis)
    roster_shifts = shifts_for_roster(staggered.proposed.blocks)
    people = opts.people
    roster: Roster | None = None
    roster_error: str | None = None
    if people is None and roster_shifts:
        n = people_needed(roster_shifts, opts.rules.max_shifts_per_week)
        people = _illustrative_people(n)
        notes.append(
            f"No people list given: the roster uses an illustrative list of {n} people named "
            "'Officer 01'.. (the fewest who can work the week at "
            f"{opts.rules.max_shifts_per_week} shifts each)."
        )
    if people and roster_shifts:
        try:
            roster = build_roster(people, roster_shifts, opts.rules, start_date=start_date)
        except RosterInfeasibleError as exc:
            roster_error = str(exc)
            notes.append(f"Roster: {exc}")
    seconds["roster"] = time.perf_counter() - t

    proposal = build_proposal(
        norms,
        curves,
        shift_names,
        current=opts.current,
        shifts=staggered,
        roster=roster,
        shifts_per_person_week=opts.rules.max_shifts_per_week,
        notes=(*analysis.district.notes[:1], *notes),
    )
    seconds["total"] = time.perf_counter() - started
    progress("Staffing done", 1.0)
    return StaffingResult(
        proposal=proposal,
        district=analysis.district.name,
        roster_error=roster_error,
        notes=proposal.notes,
        seconds=seconds,
    )
