"""``gridpatrol staffing``: how many people, on which shift, and what is lost with fewer.

Parses the options and CSV inputs, analyses the district (:func:`geo.analysis.analyse`), makes
the proposal (:func:`planner.staffing.propose_staffing`: norms, coverage curves, staggered
shifts, a weekly roster), writes its files (:func:`maps.staffing.write_staffing_outputs`) and
prints the district's rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.app import JsonOption, OutOption, SampleOption, UserError, app, console, emit_json
from api.cli.app import progress as progress_bar
from api.cli.options import (
    AreasOption,
    BoundaryOption,
    ColumnsOption,
    CrsOption,
    DatetimeFormatOption,
    IncidentsOption,
    KeepValidOption,
    NetworkOption,
    SheetOption,
    StationsOption,
    TimezoneOption,
    district_from_cli,
)
from api.staffing_inputs import (
    StaffingInputError,
    read_current_csv,
    read_people_csv,
    read_population_csv,
)
from geo import sample
from geo.analysis import AnalysisOptions, analyse
from geo.hotspots import DEFAULT_BANDS
from geo.hotspots.bands import bands_from_spec
from maps.i18n import Translator, default_lang
from maps.staffing import staffing_summary, write_staffing_outputs
from planner.staffing import (
    TEAM,
    NormPolicy,
    NormRates,
    RosterRules,
    ShiftOptions,
    StaffingRunOptions,
    WorkloadOptions,
    propose_staffing,
)


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
    timezone: TimezoneOption = "auto",
    crs: CrsOption = None,
    columns: ColumnsOption = None,
    datetime_format: DatetimeFormatOption = None,
    sheet: SheetOption = None,
    keep_valid: KeepValidOption = False,
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
    bands: Annotated[
        str,
        typer.Option(
            "--bands",
            help="Shift bands to staff, comma-separated: any HH-HH (e.g. 08-16,16-24,00-08 or "
            "07-15,15-23,23-07, or 18-02).",
        ),
    ] = ",".join(b.name for b in DEFAULT_BANDS),
    json_mode: JsonOption = False,
) -> None:
    """Propose staffing: norms, workload curves, staggered shifts and a weekly roster."""
    con = console(json_mode)
    try:
        shift_bands = bands_from_spec(bands)
    except ValueError as exc:
        raise UserError(f"--{exc}") from None
    try:
        first_day = date.fromisoformat(start_date) if start_date else None
    except ValueError:
        raise UserError(
            Translator(None)("cli2.staff.error.start_date", value=repr(start_date))
        ) from None
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
            bands=shift_bands,
        )
    except FileNotFoundError as exc:
        raise UserError(Translator(None)("cli2.staff.error.not_found", path=exc.filename)) from None
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
        printer=None if json_mode else _loader_console(),
        columns=columns,
        datetime_format=datetime_format,
        sheet=sheet,
        keep_valid=keep_valid,
        out=Path(out),
    )
    with progress_bar(json_mode) as bar:
        task = bar.add_task(Translator(None)("cli.progress.analyse"), total=1.0)

        def report(text: str, fraction: float) -> None:
            bar.update(task, description=Translator(None).job(text), completed=fraction)

        try:
            analysis = analyse(
                district,
                AnalysisOptions(cell_size_m=cell_size_m).with_bands(*options.bands),
                lambda text, f: report(text, 0.2 * f),
            )
            result = propose_staffing(
                analysis, options, progress=lambda text, f: report(text, 0.2 + 0.75 * f)
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
        report(Translator(None)("cli.progress.write"), 0.95)
        outputs = write_staffing_outputs(result, out, lang=default_lang())
        report(Translator(None)("cli.progress.staffing_done"), 1.0)
    summary = {**staffing_summary(result), "outputs": outputs}
    if json_mode:
        emit_json(summary)
        return
    _print_summary(con, summary)


def _loader_console() -> Any:
    """A console that prints what the loaders say (the sample used, the time zone found) in
    the language of ``--lang``."""
    from api.cli.plan import TranslatingConsole

    return TranslatingConsole(Translator(None))


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _team_line(row: Mapping[str, Any], tr: Translator) -> str:
    """The district's team row as one line: norm (or why there is none), workload, required,
    current, shortage or surplus."""
    if row["population"] is None:
        norm = tr("cli.staff.norm_none")
    else:
        norm = tr("cli.staff.norm", n=row["norm_fulltime"], residents=row["population"])
    parts = [norm]
    for key, label in (
        ("workload_people", "cli.staff.workload"),
        ("required", "cli.staff.required"),
    ):
        parts.append(tr(label, n=_cell(row[key]) or "–"))
    if row["current"] is not None:
        parts.append(tr("cli.staff.current", n=row["current"]))
        parts.append(tr("cli.staff.gap", short=row["shortage"], surplus=row["surplus"]))
    return ("；" if tr.is_chinese else "; ").join(parts)


def _print_summary(con: Any, summary: Mapping[str, Any]) -> None:
    from rich.cells import cell_len
    from rich.table import Table

    tr = Translator(None)  # --lang / GRIDPATROL_LANG
    con.print(f"[bold]{tr('cli.staff.title', district=summary['district'])}[/]")
    norms = summary["norms"]
    if not norms["areas"]:
        con.print("  " + tr("cli.staff.norms_no_areas"))
    elif norms["fulltime"] is None:
        con.print("  " + tr("cli.staff.norms_no_population", n=norms["areas"]))
    else:
        missing = norms["areas_without_population"]
        of = tr("cli.staff.norms_missing", missing=missing, n=norms["areas"]) if missing else ""
        con.print(
            "  "
            + tr(
                "cli.staff.norms",
                fulltime=norms["fulltime"],
                volunteers=norms["volunteers"],
                pay=norms["monthly_pay"],
                of=of,
            )
        )
    # Shift rows count people on duty at the same time, the team row people on the team over
    # the week: they are printed apart and never added up.
    shift_rows = [r for r in summary["district_rows"] if r["shift"] != TEAM]
    if shift_rows:
        table = Table(title=tr("cli.staff.shift_table"), title_justify="left")
        table.add_column(tr("cli.staff.col.shift"), no_wrap=True)
        table.add_column(tr("cli.staff.col.workload_units"))
        for header in ("people", "current", "shortage", "surplus"):
            table.add_column(tr(f"cli.staff.col.{header}"), justify="right", no_wrap=True)
        for r in shift_rows:
            table.add_row(
                tr.band(r["shift"]),
                # Without a workload, why (e.g. the target not reached with the fleets tried).
                r["workload_units"] if r["workload_people"] is not None else r["basis"],
                *(_cell(r[k]) for k in ("workload_people", "current", "shortage", "surplus")),
            )
        con.print(table)
    for r in summary["district_rows"]:
        if r["shift"] == TEAM:
            con.print("  " + tr("cli.staff.team", line=_team_line(r, tr)))
    per_day = summary.get("people_on_duty_per_day")
    if per_day is not None:
        con.print("  " + tr("cli.staff.per_day", n=per_day))
    sh = summary["shifts"]
    if sh:
        con.print(
            "  "
            + tr(
                "cli.staff.shifts",
                proposed=", ".join(tr.band(b) for b in sh["proposed"]),
                fixed=", ".join(tr.band(b) for b in sh["fixed"]),
                gain=sh["improvement_share"],
            )
        )
    for note in summary["notes"]:
        con.print("  " + tr("cli.note", note=tr.note(note)))
    con.print(tr("cli.outputs"))
    labels = {name: tr.get(f"cli2.staff.out.{name}", str(name)) for name in summary["outputs"]}
    width = max([18, *(cell_len(label) for label in labels.values())])
    for name, path in summary["outputs"].items():
        con.print(f"  {labels[name]}{' ' * (width - cell_len(labels[name]))} {path}")
    con.print("  " + tr("cli.seconds", s=summary["seconds"]["total"]))
