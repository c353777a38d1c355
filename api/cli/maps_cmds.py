"""``gridpatrol map`` and ``gridpatrol sheets``: the coordinators' map and route sheets.

Both plan the shift with the same options and pipeline as ``gridpatrol plan``, then draw it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    GridOption,
    IncidentsOption,
    NetworkOption,
    PlanDateOption,
    SeedOption,
    StationsOption,
    TimeLimitOption,
    TimezoneOption,
    TopOption,
    UnitCountsOption,
    UnitsOption,
)
from api.cli.plan import PlanRequest, run_planning
from api.district_loader import DistrictFiles
from api.pipeline import plan_bundle
from geo import sample
from maps.bundle import PlanBundle
from maps.i18n import check_lang
from maps.tiles import TILES, check_tiles

FORMATS = ("pdf", "xlsx", "csv", "gpx", "geojson")

LangOption = Annotated[
    str, typer.Option("--lang", help="Language of labels and dates: en or zh-CN.")
]


def _bundle(request: PlanRequest, json_mode: bool) -> PlanBundle:
    """Plan the requested shift with the pipeline and bundle it for maps and sheets."""
    _, analysis, result = run_planning(request, console(json_mode), json_mode)
    return plan_bundle(analysis, result)


def _checked(value: str, check: object, option: str) -> str:
    try:
        return check(value)  # type: ignore[operator]
    except ValueError as exc:
        raise UserError(f"{option}: {exc}") from None


@app.command("map")
def map_command(
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
    units_file: UnitsOption = None,
    unit_counts: UnitCountsOption = DEFAULT_UNIT_COUNTS,
    duties: DutiesOption = None,
    cell_size_m: CellSizeOption = 250.0,
    grid: GridOption = "square",
    top: TopOption = 150,
    time_limit: TimeLimitOption = 10.0,
    seed: SeedOption = 0,
    out: OutOption = Path("out"),
    lang: LangOption = "en",
    tiles: Annotated[str, typer.Option("--tiles", help=f"Base map: {', '.join(TILES)}.")] = "osm",
    tianditu_key: Annotated[
        str | None,
        typer.Option("--tianditu-key", envvar="GRIDPATROL_TIANDITU_KEY", help="Tianditu key."),
    ] = None,
    scheme: Annotated[
        str, typer.Option("--scheme", help="Risk classes: quantiles, naturalbreaks, equalinterval.")
    ] = "quantiles",
    offline: Annotated[
        bool, typer.Option("--offline", help="Inline Leaflet and plugins: opens with no network.")
    ] = False,
    json_mode: JsonOption = False,
) -> None:
    """Write the patrol map (risk, hotspots, incidents, unit routes) as one HTML file."""
    from maps.webmap import MapOptions, build_map, save_map

    code = _checked(lang, check_lang, "--lang")
    _checked(tiles, lambda t: check_tiles(t, tianditu_key), "--tiles")
    try:
        options = MapOptions(
            lang=code, band=band, tiles=tiles.lower(), tianditu_key=tianditu_key, scheme=scheme
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with progress(json_mode) as bar:
        step = bar.add_task(f"Planning {band} on {sample_name}", total=2)
        bundle = _bundle(
            PlanRequest(
                DistrictFiles(incidents, boundary, areas, stations, network, timezone, crs),
                sample_name=sample_name,
                plan_date=plan_date,
                band=band,
                units=units_file,
                unit_counts=unit_counts,
                duties=duties,
                cell_size_m=cell_size_m,
                grid=grid,
                top=top,
                time_limit_s=time_limit,
                seed=seed,
                on_infeasible="drop",
            ),
            json_mode,
        )
        bar.update(step, advance=1, description="Drawing the map")
        path = save_map(
            build_map(bundle, options), Path(out) / f"map_{band}_{code}.html", embed_assets=offline
        )
        bar.update(step, advance=1, description="Done")
    result = {
        "map": str(path),
        "bytes": path.stat().st_size,
        "band": band,
        "lang": code,
        "tiles": options.tiles,
    }
    if json_mode:
        emit_json(result)
        return
    console().print(f"Map written: {path} ({path.stat().st_size / 1e6:.1f} MB)")


@app.command("sheets")
def sheets_command(
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
    units_file: UnitsOption = None,
    unit_counts: UnitCountsOption = DEFAULT_UNIT_COUNTS,
    duties: DutiesOption = None,
    cell_size_m: CellSizeOption = 250.0,
    grid: GridOption = "square",
    top: TopOption = 150,
    time_limit: TimeLimitOption = 10.0,
    seed: SeedOption = 0,
    out: OutOption = Path("out"),
    lang: LangOption = "en",
    formats: Annotated[
        str, typer.Option("--formats", help=f"Comma-separated: {','.join(FORMATS)}.")
    ] = ",".join(FORMATS),
    only_units: Annotated[
        str | None,
        typer.Option("--only-units", help="Comma-separated unit ids to print (default: all)."),
    ] = None,
    json_mode: JsonOption = False,
) -> None:
    """Write route sheets per unit and as one bundle (PDF, XLSX, CSV, GPX, GeoJSON)."""
    from maps.errors import MapInputError
    from maps.sheets.csv import write_csv
    from maps.sheets.geojson import write_geojson
    from maps.sheets.gpx import write_gpx
    from maps.sheets.pdf import write_pdf_sheets
    from maps.sheets.xlsx import write_xlsx

    code = _checked(lang, check_lang, "--lang")
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UserError(
            f"--formats: unknown formats {unknown or formats!r}; expected {','.join(FORMATS)}"
        )
    unit_ids = [u.strip() for u in only_units.split(",") if u.strip()] if only_units else None
    folder = Path(out)
    written: dict[str, list[str]] = {}
    with progress(json_mode) as bar:
        step = bar.add_task(f"Planning {band} on {sample_name}", total=1 + len(wanted))
        bundle = _bundle(
            PlanRequest(
                DistrictFiles(incidents, boundary, areas, stations, network, timezone, crs),
                sample_name=sample_name,
                plan_date=plan_date,
                band=band,
                units=units_file,
                unit_counts=unit_counts,
                duties=duties,
                cell_size_m=cell_size_m,
                grid=grid,
                top=top,
                time_limit_s=time_limit,
                seed=seed,
                on_infeasible="drop",
            ),
            json_mode,
        )
        try:
            bundle.routes(unit_ids)
        except MapInputError as exc:
            raise UserError(f"--units: {exc}") from None
        for fmt in wanted:
            bar.update(step, advance=1, description=f"Writing {fmt}")
            if fmt == "pdf":
                paths = write_pdf_sheets(bundle, folder, lang=code, units=unit_ids)
            elif fmt == "xlsx":
                paths = [
                    write_xlsx(bundle, folder / "route_sheets.xlsx", lang=code, units=unit_ids)
                ]
            elif fmt == "csv":
                paths = [write_csv(bundle, folder / "route_sheets.csv", lang=code, units=unit_ids)]
            elif fmt == "gpx":
                paths = [write_gpx(bundle, folder / "routes.gpx", lang=code, units=unit_ids)]
            else:
                paths = [write_geojson(bundle, folder / "routes.geojson", units=unit_ids)]
            written[fmt] = [str(p) for p in paths]
        bar.update(step, advance=1, description="Done")
    if json_mode:
        emit_json({"band": band, "lang": code, "outputs": written})
        return
    con = console()
    for fmt, names in written.items():
        for name in names:
            con.print(f"  {fmt:<8} {name}")
