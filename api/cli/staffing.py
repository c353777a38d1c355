"""``gridpatrol staffing``: how many people, on which shift, and what is lost with fewer.

Puts three answers side by side for the district (and its areas): the norm headcount from
resident population, the workload found by planning 1..N units with the routing planner
(coverage curves), and staggered shift starts matched to the hourly risk with a weekly roster.
:func:`run_staffing` does the work for an analysed district and is shared with ``demo``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from api.cli.app import JsonOption, OutOption, SampleOption, UserError, app, console, emit_json
from api.cli.app import progress as progress_bar
from api.cli.options import (
    AreasOption,
    BoundaryOption,
    CrsOption,
    IncidentsOption,
    NetworkOption,
    StationsOption,
    TimezoneOption,
    district_from_cli,
)
from api.pipeline import Analysis, AnalysisOptions, PlanOptions, Progress, analyse, build_problem
from api.pipeline import shift_seconds as band_seconds
from api.staffing_inputs import (
    StaffingInputError,
    read_current_csv,
    read_people_csv,
    read_population_csv,
)
from api.staffing_outputs import (
    curves_frame,
    plot_curves_png,
    roster_frame,
    roster_grid,
    shifts_frame,
    staffing_frame,
    write_csv,
    write_xlsx,
)
from geo import sample
from geo.hotspots import DEFAULT_BANDS, TimeBand
from geo.network.modes import Mode
from geo.schema import AREA_ID, POPULATION, STATION_ID
from maps.staffing_page import StaffingInput, write_staffing_pdf
from planner.staffing import (
    DISTRICT,
    CoverageCurve,
    FleetLadder,
    NormPolicy,
    Person,
    Roster,
    RosterInfeasibleError,
    RosterRules,
    ShiftOptions,
    StaffingProposal,
    WorkloadOptions,
    area_of_tasks,
    build_proposal,
    build_roster,
    choose_curves,
    coverage_curve,
    ladder_units,
    norms_from_areas,
    people_needed,
    propose_shifts,
    restrict_to_area,
    risk_hour_profile,
    shifts_for_roster,
)
from planner.travel import StreetTravel

FLEETS = ("mixed", "car", "foot", "bicycle")


def _quiet(_: str, __: float) -> None:
    return None


@dataclass(frozen=True)
class StaffingRunOptions:
    """Everything :func:`run_staffing` can be told.

    Attributes
    ----------
    fleets
        Coverage curves to compute: ``mixed`` (car, foot, bicycle in turn) and/or one mode.
    max_units
        Largest fleet on each curve.
    workload
        Target share, time limit per point, seed.
    bands
        Shift bands (default 08-16, 16-24, 00-08).
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
    break_min: int = 30
    break_mode: str = "shorten"

    def __post_init__(self) -> None:
        if self.break_mode not in ("shorten", "route"):
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


def _ladder(name: str, max_units: int) -> FleetLadder:
    if name == "mixed":
        return FleetLadder.mixed(max_units)
    return FleetLadder.single(Mode(name), max_units)


def _norm_areas(analysis: Analysis, population: pd.DataFrame | None) -> pd.DataFrame:
    """The areas the norms are computed for, with population merged in from ``population``."""
    areas = pd.DataFrame(analysis.district.areas.drop(columns="geometry", errors="ignore"))
    if not len(areas):
        cells = analysis.grid.cells
        if POPULATION in cells.columns and cells[POPULATION].notna().any():
            areas = pd.DataFrame(cells.drop(columns="geometry")).rename(
                columns={"cell_id": AREA_ID}
            )
    if population is None:
        return areas.reset_index(drop=True)
    pop = population.copy()
    pop[AREA_ID] = pop[AREA_ID].astype(str)
    if not len(areas):
        return pop.reset_index(drop=True)
    areas = areas.copy()
    areas[AREA_ID] = areas[AREA_ID].astype(str)
    extra = [c for c in pop.columns if c != AREA_ID]
    merged = areas.drop(columns=[c for c in extra if c in areas.columns and c != "name"]).merge(
        pop.drop(columns=["name"], errors="ignore"), on=AREA_ID, how="left"
    )
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
    progress: Progress = _quiet,
) -> tuple[list[CoverageCurve], list[str]]:
    """Coverage curves per shift band (and area when asked), reusing identical problems.

    With dates-only data every band is planned on the same day-level risk; when no task has a
    time window the bands' problems then differ only by the clock and share one curve.
    """
    travel = StreetTravel(analysis.networks)
    stations = sorted(str(s) for s in analysis.district.stations[STATION_ID])
    curves: list[CoverageCurve] = []
    notes: list[str] = []
    done: dict[tuple[str, str, int], list[CoverageCurve]] = {}
    ladders = [_ladder(f, options.max_units) for f in options.fleets]
    n_steps = len(options.bands) * len(ladders)
    step = 0
    for band in options.bands:
        start_s, end_s = band_seconds(band)
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
        plan_opts = PlanOptions(shift=band, time_limit_s=options.workload.time_limit_s)
        problem, _, risk_band = build_problem(analysis, units[ladders[0].name], plan_opts)
        timed = any(t.window_open_s is not None for t in problem.tasks)
        key = (risk_band, f"{end_s - start_s}", int(timed))
        if not timed and (risk_band, str(end_s - start_s), 0) in done:
            first = done[(risk_band, str(end_s - start_s), 0)]
            for c in first:
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
    return curves, notes


def _illustrative_people(n: int) -> tuple[Person, ...]:
    return tuple(Person(f"P{i:02d}", f"Officer {i:02d}") for i in range(1, n + 1))


def _default_start(analysis: Analysis) -> date:
    day = (pd.Timestamp(analysis.risk.at) + pd.Timedelta(days=1)).date()
    return day + pd.Timedelta(days=(7 - day.weekday()) % 7).to_pytimedelta()


def run_staffing(
    analysis: Analysis,
    out_dir: Path,
    options: StaffingRunOptions | None = None,
    *,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Make the staffing proposal for an analysed district and write its outputs.

    Parameters
    ----------
    analysis
        The district with grid, networks and risk (:func:`api.pipeline.analyse`).
    out_dir
        Folder for ``staffing.csv``, ``staffing.xlsx``, ``coverage_curves.csv``,
        ``coverage_curves.png``, ``shifts.csv`` and, with a roster, ``roster.csv`` and
        ``roster.xlsx``; ``staffing_summary.json`` sums it up.
    options
        What to compute (defaults: mixed fleet 1..6 units, 2 s per point, 80 % target).
    progress
        Reports ``(step, fraction)``.

    Returns
    -------
    dict
        The JSON summary (also written to ``staffing_summary.json``).
    """
    opts = options or StaffingRunOptions()
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    notes: list[str] = []
    out_dir.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    norms = norms_from_areas(_norm_areas(analysis, opts.population), opts.policy)
    seconds["norms"] = time.perf_counter() - t

    t = time.perf_counter()
    curves, curve_notes = workload_curves(analysis, opts, progress)
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
                "give --headcount to choose."
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
    progress("Writing outputs", 0.95)
    outputs = write_staffing_outputs(proposal, out_dir, title=analysis.district.name)
    seconds["total"] = time.perf_counter() - started
    summary = staffing_summary(proposal, analysis, outputs, seconds, roster_error)
    path = out_dir / "staffing_summary.json"
    summary["outputs"]["summary"] = str(path)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str), "utf-8")
    progress("Staffing done", 1.0)
    return summary


def write_staffing_outputs(
    proposal: StaffingProposal, out_dir: Path, *, title: str = ""
) -> dict[str, str]:
    """Write the table, curves, chart, hourly shifts and roster; return ``{name: path}``."""
    table = staffing_frame(proposal)
    curves = curves_frame(proposal.curves)
    out = {
        "staffing_csv": write_csv(table, out_dir / "staffing.csv"),
        "curves_csv": write_csv(curves, out_dir / "coverage_curves.csv"),
        "curves_png": plot_curves_png(
            [c for c in proposal.curves if c.scope == DISTRICT] or list(proposal.curves),
            out_dir / "coverage_curves.png",
            title=f"{title}: share of risk covered by fleet size".strip(": "),
        ),
    }
    sheets = {"staffing": table, "coverage curves": curves}
    if proposal.shifts is not None:
        hours = shifts_frame(proposal.shifts)
        out["shifts_csv"] = write_csv(hours, out_dir / "shifts.csv")
        sheets["shifts by hour"] = hours
    sheets["notes"] = pd.DataFrame({"note": list(proposal.notes)})
    out["staffing_xlsx"] = write_xlsx(sheets, out_dir / "staffing.xlsx")
    for lang in ("en", "zh-CN"):
        out[f"staffing_pdf_{lang}"] = write_staffing_pdf(
            staffing_page_input(table, curves, title), out_dir / f"staffing_{lang}.pdf", lang=lang
        )
    if proposal.roster is not None:
        long = roster_frame(proposal.roster)
        out["roster_csv"] = write_csv(long, out_dir / "roster.csv")
        out["roster_xlsx"] = write_xlsx(
            {
                "roster": roster_grid(proposal.roster),
                "assignments": long,
                "rules": pd.DataFrame({"note": list(proposal.roster.notes)}),
            },
            out_dir / "roster.xlsx",
        )
    return {k: str(v) for k, v in out.items()}


def staffing_page_input(table: pd.DataFrame, curves: pd.DataFrame, title: str) -> StaffingInput:
    """The one-page staffing PDF's input: the table and the district's first coverage curve."""
    page = table.rename(
        columns={"norm_fulltime": "norm_headcount", "workload_people": "workload_headcount"}
    )[["area", "shift", "norm_headcount", "workload_headcount", "current", "gap"]]
    district = curves[curves["scope"] == DISTRICT]
    if len(district):
        first = district[
            (district["shift"] == district["shift"].iloc[0])
            & (district["fleet"] == district["fleet"].iloc[0])
        ]
        coverage = first[["units", "risk_share"]].reset_index(drop=True)
    else:
        coverage = pd.DataFrame({"units": [], "risk_share": []})
    return StaffingInput(table=page.reset_index(drop=True), coverage=coverage, district=title)


def staffing_summary(
    proposal: StaffingProposal,
    analysis: Analysis,
    outputs: Mapping[str, str],
    seconds: Mapping[str, float],
    roster_error: str | None = None,
) -> dict[str, Any]:
    """The JSON summary of a proposal."""
    district_rows = [
        {
            "shift": r.shift,
            "workload_units": r.workload_units,
            "workload_people": r.workload_people,
            "norm_fulltime": r.norm_fulltime,
            "required": r.required,
            "current": r.current,
            "gap": r.gap,
        }
        for r in proposal.rows
        if r.area_id == DISTRICT
    ]
    curves = [
        {
            "scope": c.scope,
            "shift": c.shift,
            "fleet": c.fleet,
            "minimum_units": c.minimum_units,
            "minimum_people": c.minimum_people,
            "risk_share": [round(p.risk_share, 3) for p in c.points],
            "feasible": [p.feasible for p in c.points],
            "seconds": round(c.seconds, 2),
        }
        for c in proposal.curves
        if c.scope == DISTRICT
    ]
    sh = proposal.shifts
    shifts = None
    if sh is not None:
        shifts = {
            "headcount": sh.headcount,
            "has_hourly_profile": sh.has_profile,
            "fixed": [f"{b.name} x{b.people}" for b in sh.fixed.blocks],
            "proposed": [f"{b.name} x{b.people}" for b in sh.proposed.blocks],
            "fixed_score": round(sh.fixed.score, 4),
            "proposed_score": round(sh.proposed.score, 4),
            "improvement_share": round(sh.improvement_share, 4),
            "status": sh.status,
        }
    roster = None
    if proposal.roster is not None:
        r = proposal.roster
        roster = {
            "people": len(r.totals),
            "assignments": len(r.entries),
            "start_date": r.start_date,
            "night_spread": r.night_spread,
            "weekend_spread": r.weekend_spread,
            "status": r.status,
        }
    return {
        "district": analysis.district.name,
        "norms": {
            "areas": len(proposal.norms.areas),
            "areas_without_population": len(proposal.norms.missing),
            "fulltime": proposal.norms.fulltime,
            "volunteers": proposal.norms.volunteers,
            "monthly_pay": proposal.norms.monthly_pay,
        },
        "district_rows": district_rows,
        "curves": curves,
        "shifts": shifts,
        "roster": roster,
        "roster_error": roster_error,
        "notes": list(proposal.notes),
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "outputs": dict(outputs),
    }


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v.strip() for text in values for v in text.split(",") if v.strip())


@app.command()
def staffing(
    out: OutOption = Path("out/staffing"),
    sample_name: SampleOption = sample.DEFAULT,
    incidents: IncidentsOption = None,
    boundary: BoundaryOption = None,
    areas: AreasOption = None,
    stations: StationsOption = None,
    network: NetworkOption = None,
    timezone: TimezoneOption = "UTC",
    crs: CrsOption = None,
    cell_size_m: Annotated[
        float, typer.Option("--cell-size", help="Side of a square grid cell in metres.")
    ] = 250.0,
    fleet: Annotated[
        list[str] | None,
        typer.Option("--fleet", help="Curves to compute: mixed, car, foot, bicycle (repeat)."),
    ] = None,
    max_units: Annotated[int, typer.Option("--max-units", help="Largest fleet tried.")] = 6,
    target: Annotated[
        float, typer.Option("--target", help="Share of risk the workload must cover.")
    ] = 0.8,
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="Solver seconds per point of a curve.")
    ] = 2.0,
    per_area: Annotated[
        bool, typer.Option("--per-area", help="Also compute curves per official area (slow).")
    ] = False,
    population: Annotated[
        Path | None,
        typer.Option("--population", help="CSV area_id,population[,area_type,jurisdiction]."),
    ] = None,
    current: Annotated[
        Path | None, typer.Option("--current", help="CSV area_id,shift,people of staff now.")
    ] = None,
    people: Annotated[
        Path | None, typer.Option("--people", help="CSV person_id,name[,days_off] to roster.")
    ] = None,
    headcount: Annotated[
        int | None, typer.Option("--headcount", help="People on duty per day (staggered shifts).")
    ] = None,
    shift_length_h: Annotated[
        list[int] | None, typer.Option("--shift-length", help="Legal shift length in hours.")
    ] = None,
    min_rest_h: Annotated[float, typer.Option("--min-rest", help="Hours between shifts.")] = 11.0,
    max_nights: Annotated[
        int, typer.Option("--max-nights", help="Night shifts in a row at most.")
    ] = 3,
    max_shifts: Annotated[
        int, typer.Option("--max-shifts", help="Shifts per person per week at most.")
    ] = 5,
    start_date: Annotated[
        str | None, typer.Option("--start-date", help="First roster day (YYYY-MM-DD).")
    ] = None,
    fulltime_per_1000: Annotated[
        float, typer.Option("--fulltime-per-1000", help="Full-time norm per 1,000 residents.")
    ] = 1.5,
    volunteer_share: Annotated[
        float, typer.Option("--volunteer-share", help="Volunteer norm as share of residents.")
    ] = 0.08,
    monthly_pay: Annotated[
        float, typer.Option("--monthly-pay", help="Pay norm per full-time member per month.")
    ] = 800.0,
    break_mode: Annotated[
        str,
        typer.Option(
            "--breaks",
            help="Meal breaks in workload plans: 'shorten' (off the shift end, fast) or "
            "'route' (placed in the route, slower).",
        ),
    ] = "shorten",
    json_mode: JsonOption = False,
) -> None:
    """Propose staffing: norms, workload curves, staggered shifts and a weekly roster."""
    from planner.staffing import NormRates

    con = console(json_mode)
    try:
        first_day = date.fromisoformat(start_date) if start_date else None
    except ValueError:
        raise UserError(f"--start-date: expected YYYY-MM-DD, got {start_date!r}") from None
    try:
        options = StaffingRunOptions(
            fleets=_split(fleet or ["mixed"]),
            max_units=max_units,
            workload=WorkloadOptions(target_share=target, time_limit_s=time_limit_s),
            per_area=per_area,
            population=read_population_csv(population) if population else None,
            policy=NormPolicy(NormRates(fulltime_per_1000, volunteer_share, monthly_pay)),
            current=read_current_csv(current) if current else None,
            headcount=headcount,
            shift_options=ShiftOptions(lengths_h=tuple(shift_length_h or [8])),
            people=read_people_csv(people, start_date=first_day) if people else None,
            rules=RosterRules(
                min_rest_h=min_rest_h,
                max_consecutive_nights=max_nights,
                max_shifts_per_week=max_shifts,
            ),
            start_date=first_day,
            break_mode=break_mode,
        )
    except FileNotFoundError as exc:
        raise UserError(f"file not found: {exc.filename}") from None
    except (StaffingInputError, ValueError) as exc:
        raise UserError(str(exc)) from None
    district = district_from_cli(
        incidents=incidents,
        boundary=boundary,
        areas=areas,
        stations=stations,
        network=network,
        timezone=timezone,
        crs=crs,
        sample_name=sample_name,
        printer=None if json_mode else con,
    )
    with progress_bar(json_mode) as bar:
        task = bar.add_task("Analysing the district", total=1.0)

        def report(text: str, fraction: float) -> None:
            bar.update(task, description=text, completed=fraction)

        analysis = analyse(
            district,
            AnalysisOptions(cell_size_m=cell_size_m),
            lambda text, f: report(text, 0.2 * f),
        )
        try:
            summary = run_staffing(
                analysis, out, options, progress=lambda text, f: report(text, 0.2 + 0.8 * f)
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
    if json_mode:
        emit_json(summary)
        return
    _print_summary(con, summary)


def _print_summary(con: Any, summary: Mapping[str, Any]) -> None:
    from rich.table import Table

    con.print(f"[bold]{summary['district']}[/]: staffing proposal")
    norms = summary["norms"]
    if norms["areas_without_population"] == norms["areas"]:
        con.print(f"  norms: none of the {norms['areas']} areas has population data")
    else:
        con.print(
            f"  norms: {norms['fulltime']} full-time, {norms['volunteers']} volunteers, "
            f"{norms['monthly_pay']:,.0f} per month"
        )
    table = Table("shift", "workload units", "people", "norm", "required", "current", "gap")
    for r in summary["district_rows"]:
        table.add_row(
            *(
                "" if r[k] is None else str(r[k])
                for k in (
                    "shift",
                    "workload_units",
                    "workload_people",
                    "norm_fulltime",
                    "required",
                    "current",
                    "gap",
                )
            )
        )
    con.print(table)
    sh = summary["shifts"]
    if sh:
        con.print(
            f"  shifts: {', '.join(sh['proposed'])} (fixed: {', '.join(sh['fixed'])}); "
            f"improvement {sh['improvement_share']:.1%}"
        )
    for note in summary["notes"]:
        con.print(f"  note: {note}")
    con.print("Outputs:")
    for name, path in summary["outputs"].items():
        con.print(f"  {name:<14} {path}")
    con.print(f"  ({summary['seconds']['total']:.1f} s)")
