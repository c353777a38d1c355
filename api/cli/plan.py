"""``gridpatrol plan``: plan one shift's patrol routes and write them as JSON and GeoJSON."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import typer
from pyproj import CRS
from rich.console import Console
from rich.table import Table

from api.cli.app import (
    JsonOption,
    OutOption,
    SampleOption,
    UserError,
    app,
    console,
    emit_json,
    progress,
)
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
from api.outputs import write_plan
from api.pipeline import AnalysisOptions, PlanOptions, ShiftPlan, analyse, plan_shift
from geo import sample
from geo.hotspots import resolve_band
from geo.schema import STATION_ID
from planner.errors import PlanningError
from planner.plan import order_overlap
from planner.sources import HotspotTaskOptions


def parse_date(value: str | None, what: str = "--date") -> date | None:
    """``YYYY-MM-DD`` or ``None``; a clear user error otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{what}: expected a date like 2024-03-05, got {value!r}") from None


@app.command()
def plan(
    incidents: IncidentsOption = None,
    boundary: BoundaryOption = None,
    areas: AreasOption = None,
    stations: StationsOption = None,
    network: NetworkOption = None,
    timezone: TimezoneOption = "UTC",
    crs: CrsOption = None,
    sample_name: SampleOption = sample.DEFAULT,
    plan_date: Annotated[
        str | None,
        typer.Option("--date", help="Local date of the shift (default: the day after the data)."),
    ] = None,
    band: Annotated[
        str, typer.Option("--band", help="Shift band, e.g. 08-16, 16-24, 00-08 or 22-06.")
    ] = "16-24",
    units: Annotated[
        Path | None,
        typer.Option("--units", help="Units CSV (unit_id,mode,station,shift_start,...)."),
    ] = None,
    unit_counts: Annotated[
        str,
        typer.Option("--unit-counts", help="Units per mode when no units file is given."),
    ] = "car=3,foot=3,bicycle=2",
    duties: Annotated[
        Path | None,
        typer.Option("--duties", help="Posts, lines and timed visits (CSV or GeoJSON)."),
    ] = None,
    cell_size_m: Annotated[float, typer.Option("--cell-size", help="Grid cell size (m).")] = 250.0,
    top: Annotated[int, typer.Option("--top", help="Candidate hotspot cells.")] = 150,
    dwell_min: Annotated[float, typer.Option("--dwell", help="Minutes per hotspot visit.")] = 12.0,
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the search.")] = 0,
    vary: Annotated[
        int, typer.Option("--vary", help="Number of different plans for successive days.")
    ] = 1,
    on_infeasible: Annotated[
        str,
        typer.Option(
            "--on-infeasible",
            help="raise: stop when a required task is impossible; drop: plan the rest.",
        ),
    ] = "raise",
    out: OutOption = Path("out"),
    json_mode: JsonOption = False,
) -> None:
    """Plan one shift: hotspot visits, posts, lines and the coverage floor, routed per unit."""
    from api.inputs import read_units, units_from_counts
    from geo.io import read_duties

    con = console(json_mode)
    if vary < 1:
        raise UserError(f"--vary: expected at least 1, got {vary}")
    if on_infeasible not in ("raise", "drop"):
        raise UserError(f"--on-infeasible: expected 'raise' or 'drop', got {on_infeasible!r}")
    try:
        shift = resolve_band(band)
    except ValueError as exc:
        raise UserError(f"--band: {exc}") from None
    if shift is None:
        raise UserError("--band: a shift needs hours, e.g. 16-24; 'day' is not a shift")
    when = parse_date(plan_date)
    district = district_from_cli(
        incidents=incidents,
        boundary=boundary,
        areas=areas,
        stations=stations,
        network=network,
        timezone=timezone,
        crs=crs,
        sample_name=sample_name,
        printer=con,
    )
    station_ids = sorted(district.stations[STATION_ID].astype(str))
    if units is not None:
        unit_list = read_units(units, stations=station_ids)
    else:
        try:
            unit_list = units_from_counts(unit_counts, station_ids, shift)
        except ValueError as exc:
            raise UserError(f"--unit-counts: {exc}") from None
    duty_table = None
    if duties is not None:
        outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
        duty_table = read_duties(duties, timezone=district.timezone, boundary=outline)
    options = PlanOptions(
        shift=shift,
        plan_date=when,
        hotspots=HotspotTaskOptions(top=top, dwell_min=dwell_min),
        time_limit_s=time_limit_s,
        seed=seed,
        vary=vary,
        on_infeasible=on_infeasible,
    )
    with progress(json_mode) as bar:
        step = bar.add_task("Analysing the district", total=100)

        def tell(description: str, fraction: float) -> None:
            bar.update(step, description=description, completed=int(fraction * 50))

        analysis = analyse(district, AnalysisOptions(cell_size_m=cell_size_m), progress=tell)

        def tell_plan(description: str, fraction: float) -> None:
            bar.update(step, description=description, completed=50 + int(fraction * 50))

        try:
            result = plan_shift(analysis, unit_list, options, duty_table, progress=tell_plan)
        except PlanningError as exc:
            raise UserError(f"cannot plan this shift: {exc}") from None
    summary = write_shift_plan(result, district.crs, out)
    if json_mode:
        emit_json(summary)
        return
    print_plan_summary(con, result, summary)


def write_shift_plan(result: ShiftPlan, crs: CRS, out: Path) -> dict[str, Any]:
    """Write every plan of ``result`` and return a JSON-ready summary with the paths."""
    outputs: dict[str, str] = {}
    plans = []
    for k, one in enumerate(result.plans):
        stem = "plan" if k == 0 else f"plan-day{k + 1}"
        paths = write_plan(one, result.problem, crs, out, stem=stem)
        outputs.update({f"{stem}.{p.suffix[1:]}": str(p) for p in paths.values()})
        plans.append(
            {
                "stem": stem,
                "risk_share": round(one.risk_share, 4),
                "stops": sum(len(r.stops) for r in one.routes),
                "distance_km": round(one.distance_m / 1000, 2),
                "dropped": len(one.dropped),
                "order_overlap_with_first": round(order_overlap(result.plans[0], one), 3),
            }
        )
    return {
        "plan_date": result.problem.plan_date.isoformat(),
        "risk_band": result.risk_band,
        "units": len(result.problem.units),
        "tasks": len(result.problem.tasks),
        "seconds": round(result.seconds, 2),
        "plans": plans,
        "notes": list(result.notes),
        "outputs": outputs,
    }


def print_plan_summary(con: Console, result: ShiftPlan, summary: dict[str, Any]) -> None:
    """Human summary of a planned shift."""
    best = result.plan
    table = Table(title=f"Plan for {summary['plan_date']} (risk band {result.risk_band})")
    for column in ("unit", "mode", "station", "stops", "km", "travel min", "dwell min"):
        table.add_column(
            column, justify="right" if column not in ("unit", "mode", "station") else "left"
        )
    for r in best.routes:
        table.add_row(
            r.unit_id,
            str(r.mode),
            r.start_station,
            str(len(r.stops)),
            f"{r.distance_m / 1000:.1f}",
            f"{r.travel_s / 60:.0f}",
            f"{r.dwell_s / 60:.0f}",
        )
    con.print(table)
    con.print(
        f"risk covered: {best.risk_share:.1%} of {len(result.problem.tasks)} tasks' value; "
        f"{len(best.dropped)} task(s) not done; planned in {result.seconds:.1f} s"
    )
    for plan_info in summary["plans"][1:]:
        con.print(
            f"  variant {plan_info['stem']}: risk {plan_info['risk_share']:.1%}, "
            f"stop-order overlap with the first plan {plan_info['order_overlap_with_first']:.0%}"
        )
    for note in result.notes:
        con.print(f"  note: {note}")
    con.print("Outputs:")
    for name, path in summary["outputs"].items():
        con.print(f"  {name:<22} {path}")
