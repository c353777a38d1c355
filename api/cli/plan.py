"""``gridpatrol plan``: plan one shift's patrol routes and write them as JSON and GeoJSON."""

from __future__ import annotations

from dataclasses import dataclass
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
    DEFAULT_UNIT_COUNTS,
    AreasOption,
    BandOption,
    BoundaryOption,
    CellSizeOption,
    CrsOption,
    DutiesOption,
    DwellOption,
    GridOption,
    IncidentsOption,
    NetworkOption,
    OnInfeasibleOption,
    PlanDateOption,
    SeedOption,
    StationsOption,
    TimeLimitOption,
    TimezoneOption,
    TopOption,
    UnitCountsOption,
    UnitsOption,
    district_from_cli,
)
from api.district_loader import DistrictFiles
from api.inputs import read_units, units_from_counts
from api.outputs import write_plan
from api.pipeline import Analysis, AnalysisOptions, PlanOptions, ShiftPlan, analyse, plan_shift
from geo import sample
from geo.district import District
from geo.errors import GeoInputError
from geo.hotspots import resolve_band
from geo.io import read_duties
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


@dataclass(frozen=True)
class PlanRequest:
    """What the planning commands were asked for (parsed from their options)."""

    files: DistrictFiles
    sample_name: str = sample.DEFAULT
    plan_date: str | None = None
    band: str = "16-24"
    units: Path | None = None
    unit_counts: str = DEFAULT_UNIT_COUNTS
    duties: Path | None = None
    cell_size_m: float = 250.0
    grid: str = "square"
    top: int = 150
    dwell_min: float = 12.0
    time_limit_s: float = 10.0
    seed: int = 0
    vary: int = 1
    on_infeasible: str = "raise"


def run_planning(
    request: PlanRequest, con: Console, json_mode: bool
) -> tuple[District, Analysis, ShiftPlan]:
    """Check the request, load the district and plan the shift (with progress bars)."""
    if request.vary < 1:
        raise UserError(f"--vary: expected at least 1, got {request.vary}")
    if request.on_infeasible not in ("raise", "drop"):
        raise UserError(
            f"--on-infeasible: expected 'raise' or 'drop', got {request.on_infeasible!r}"
        )
    try:
        shift = resolve_band(request.band)
    except ValueError as exc:
        raise UserError(f"--band: {exc}") from None
    if shift is None:
        raise UserError("--band: a shift needs hours, e.g. 16-24; 'day' is not a shift")
    when = parse_date(request.plan_date)
    files = request.files
    district = district_from_cli(
        incidents=files.incidents,
        boundary=files.boundary,
        areas=files.areas,
        stations=files.stations,
        network=files.network,
        timezone=files.timezone,
        crs=files.crs,
        sample_name=request.sample_name,
        printer=con,
    )
    station_ids = sorted(district.stations[STATION_ID].astype(str))
    if request.units is not None:
        unit_list = read_units(request.units, stations=station_ids)
    else:
        try:
            unit_list = units_from_counts(request.unit_counts, station_ids, shift)
        except ValueError as exc:
            raise UserError(f"--unit-counts: {exc}") from None
    duty_table = None
    if request.duties is not None:
        outline = gpd.GeoDataFrame(geometry=[district.boundary], crs=district.crs)
        duty_table = read_duties(request.duties, timezone=district.timezone, boundary=outline)
    options = PlanOptions(
        shift=shift,
        plan_date=when,
        hotspots=HotspotTaskOptions(top=request.top, dwell_min=request.dwell_min),
        time_limit_s=request.time_limit_s,
        seed=request.seed,
        vary=request.vary,
        on_infeasible=request.on_infeasible,
    )
    with progress(json_mode) as bar:
        step = bar.add_task("Analysing the district", total=100)

        def tell(description: str, fraction: float) -> None:
            bar.update(step, description=description, completed=int(fraction * 50))

        try:
            analysis = analyse(
                district,
                AnalysisOptions(cell_size_m=request.cell_size_m, grid_kind=request.grid),
                progress=tell,
            )
        except ValueError as exc:
            if isinstance(exc, GeoInputError):
                raise
            raise UserError(f"--{exc}") from None

        def tell_plan(description: str, fraction: float) -> None:
            bar.update(step, description=description, completed=50 + int(fraction * 50))

        try:
            result = plan_shift(analysis, unit_list, options, duty_table, progress=tell_plan)
        except PlanningError as exc:
            raise UserError(f"cannot plan this shift: {exc}") from None
    return district, analysis, result


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
    plan_date: PlanDateOption = None,
    band: BandOption = "16-24",
    units: UnitsOption = None,
    unit_counts: UnitCountsOption = DEFAULT_UNIT_COUNTS,
    duties: DutiesOption = None,
    cell_size_m: CellSizeOption = 250.0,
    grid: GridOption = "square",
    top: TopOption = 150,
    dwell_min: DwellOption = 12.0,
    time_limit_s: TimeLimitOption = 10.0,
    seed: SeedOption = 0,
    vary: Annotated[
        int, typer.Option("--vary", help="Number of different plans for successive days.")
    ] = 1,
    on_infeasible: OnInfeasibleOption = "raise",
    out: OutOption = Path("out"),
    json_mode: JsonOption = False,
) -> None:
    """Plan one shift: hotspot visits, posts, lines and the coverage floor, routed per unit."""
    con = console(json_mode)
    request = PlanRequest(
        DistrictFiles(incidents, boundary, areas, stations, network, timezone, crs),
        sample_name,
        plan_date,
        band,
        units,
        unit_counts,
        duties,
        cell_size_m,
        grid,
        top,
        dwell_min,
        time_limit_s,
        seed,
        vary,
        on_infeasible,
    )
    district, _, result = run_planning(request, con, json_mode)
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
