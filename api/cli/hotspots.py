"""``gridpatrol hotspots`` and ``gridpatrol evaluate``: where and when, and how sure we are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import pandas as pd
import typer
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
from geo import sample
from geo.analysis import AnalysisOptions, analyse, hotspots_for
from geo.assign import assign_incidents
from geo.crs import WGS84
from geo.grid import Grid, make_grid
from geo.hotspots import resolve_band, run_backtest
from geo.hotspots.columns import PEAK_HOURS
from geo.io import read_areas
from geo.schema import CELL_ID

CellSizeOption = Annotated[
    float, typer.Option("--cell-size", help="Side of a square grid cell in metres.")
]


@app.command()
def hotspots(
    incidents: IncidentsOption = None,
    boundary: BoundaryOption = None,
    areas: AreasOption = None,
    stations: StationsOption = None,
    network: NetworkOption = None,
    timezone: TimezoneOption = "UTC",
    crs: CrsOption = None,
    sample_name: SampleOption = sample.DEFAULT,
    at: Annotated[
        str | None,
        typer.Option("--date", help="Risk as of this local date (default: the latest incident)."),
    ] = None,
    band: Annotated[
        str,
        typer.Option(
            "--band", help="A band (08-16, 16-24, 00-08, any HH-HH such as 18-02, day) or 'all'."
        ),
    ] = "all",
    cell_size_m: CellSizeOption = 250.0,
    top: Annotated[int, typer.Option("--top", help="Hotspots per band.")] = 20,
    out: OutOption = Path("out"),
    json_mode: JsonOption = False,
) -> None:
    """Write the hotspot table (CSV, GeoJSON) per band: score, rank, Gi*, counts, peak hours."""
    con = console(json_mode)
    if top < 1:
        raise UserError(f"--top: expected at least 1, got {top}")
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
    options = AnalysisOptions(cell_size_m=cell_size_m, at=at)
    if band != "all":
        try:
            chosen = resolve_band(band)
        except ValueError as exc:
            raise UserError(f"--band: {exc}") from None
        if chosen is not None:
            options = options.with_bands(chosen)
            band = chosen.name
    with progress(json_mode) as bar:
        step = bar.add_task("Analysing", total=100)
        analysis = analyse(
            district,
            options,
            progress=lambda d, f: bar.update(step, description=d, completed=int(f * 90)),
        )
        names = analysis.risk.band_names if band == "all" else (band,)
        unknown = [n for n in names if n not in analysis.risk.band_names]
        if unknown:
            raise UserError(
                f"--band: unknown band {unknown[0]!r}; expected one of "
                f"{', '.join(analysis.risk.band_names)} or 'all'"
            )
        tables = [hotspots_for(analysis, name, top=top) for name in names]
        bar.update(step, description="Done", completed=100)
    table = gpd.GeoDataFrame(pd.concat(tables, ignore_index=True), crs=district.crs)
    out.mkdir(parents=True, exist_ok=True)
    flat = table.drop(columns="geometry").copy()
    flat[PEAK_HOURS] = flat[PEAK_HOURS].map(
        lambda v: "" if v is None else ";".join(str(h) for h in v)
    )
    csv_path = out / "hotspots.csv"
    flat.to_csv(csv_path, index=False)
    geo_path = out / "hotspots.geojson"
    export = table.to_crs(WGS84)
    export[PEAK_HOURS] = flat[PEAK_HOURS]
    export.to_file(geo_path, driver="GeoJSON", COORDINATE_PRECISION=7)
    summary: dict[str, Any] = {
        "district": district.name,
        "risk_at": str(analysis.risk.at),
        "bands": list(names),
        "rows": len(table),
        "notes": list(analysis.risk.notes),
        "outputs": {"csv": str(csv_path), "geojson": str(geo_path)},
    }
    if json_mode:
        emit_json(summary)
        return
    for name in names:
        _print_band(con, table[table["band"] == name], name)
    for note in analysis.risk.notes:
        con.print(f"  note: {note}")
    con.print(f"Outputs:\n  csv      {csv_path}\n  geojson  {geo_path}")


def _print_band(con: Console, rows: pd.DataFrame, name: str) -> None:
    view = Table(title=f"Hotspots, band {name}")
    for column in ("rank", "cell", "score", "Gi* z", "significance", "incidents", "peak hours"):
        view.add_column(column)
    for row in rows.head(10).itertuples(index=False):
        peaks = getattr(row, PEAK_HOURS)
        view.add_row(
            str(row.rank),
            str(getattr(row, CELL_ID)),
            f"{row.score:.2f}",
            f"{row.gi_z:.2f}",
            str(row.significance),
            f"{row.count:g}",
            "" if peaks is None else ", ".join(f"{h:02d}h" for h in peaks),
        )
    con.print(view)


@app.command()
def evaluate(
    incidents: IncidentsOption = None,
    boundary: BoundaryOption = None,
    grid_file: Annotated[
        Path | None,
        typer.Option("--grid", help="Official grid polygons to use as cells (else squares)."),
    ] = None,
    cell_size_m: CellSizeOption = 150.0,
    weeks: Annotated[int, typer.Option("--weeks", help="Test weeks (rolling origin).")] = 8,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last day of the last test week (YYYY-MM-DD)."),
    ] = None,
    band: Annotated[
        str, typer.Option("--band", help="Band to evaluate (e.g. 16-24) or 'day' for all.")
    ] = "day",
    timezone: TimezoneOption = "UTC",
    crs: CrsOption = None,
    sample_name: SampleOption = sample.DEFAULT,
    json_file: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the table as JSON to this file ('-': stdout)."),
    ] = None,
) -> None:
    """Backtest the forecasting methods: hit rate, PAI and PEI* at 1, 2, 5 and 10 % of area."""
    to_stdout = json_file is not None and str(json_file) == "-"
    con = console(to_stdout)
    if weeks < 1:
        raise UserError(f"--weeks: expected at least 1, got {weeks}")
    try:
        chosen_band = resolve_band(band)
    except ValueError as exc:
        raise UserError(f"--band: {exc}") from None
    district = district_from_cli(
        incidents=incidents,
        boundary=boundary,
        areas=None,
        stations=None,
        network=None,
        timezone=timezone,
        crs=crs,
        sample_name=sample_name,
        printer=con,
    )
    grid = _grid(district.boundary, district.crs, grid_file, cell_size_m)
    cell_of = assign_incidents(grid, district.incidents)
    located = district.incidents.assign(**{CELL_ID: cell_of})
    located = located[located[CELL_ID].notna()]
    with progress(to_stdout) as bar:
        bar.add_task(f"Backtesting {weeks} week(s) on {len(grid):,} cells", total=None)
        try:
            result = run_backtest(located, grid.cells, weeks=weeks, until=until, band=chosen_band)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    data = result.to_json_dict()
    if json_file is not None:
        if to_stdout:
            emit_json(data)
        else:
            json_file.parent.mkdir(parents=True, exist_ok=True)
            json_file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if to_stdout:
        return
    con.print(
        f"Backtest: {result.weeks} week(s), band {result.band}, {len(grid):,} cells "
        f"({'official polygons' if grid_file else f'{cell_size_m:g} m squares'})"
    )
    headers = result.table_columns()
    rows = result.table_rows()
    for label in ("hit", "PAI", "PEI*"):
        picked = [i for i, h in enumerate(headers) if h.startswith(f"{label}@")]
        view = Table(title=label)
        view.add_column("method")
        for i in picked:
            view.add_column(headers[i].split("@", 1)[1] + " of area", justify="right")
        for row in rows:
            view.add_row(row[0], *(row[i] for i in picked))
        con.print(view)
    ratio = result.ratio(share=0.05)
    con.print(
        f"default method {result.default!r}: PAI at 5 % of area is {ratio:.2f}x the "
        f"baseline {result.baseline!r}"
    )
    for note in result.notes:
        con.print(f"  note: {note}")
    if json_file is not None:
        con.print(f"JSON written to {json_file}")


def _grid(boundary: Any, crs: Any, grid_file: Path | None, cell_size_m: float) -> Grid:
    if grid_file is None:
        if cell_size_m <= 0:
            raise UserError(f"--cell-size: expected a positive number of metres, got {cell_size_m}")
        return make_grid(boundary, crs=crs, kind="square", cell_size_m=cell_size_m)
    polygons = read_areas(grid_file).to_crs(crs)
    return make_grid(boundary, crs=crs, kind="areas", areas=polygons)
