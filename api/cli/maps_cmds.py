"""``gridpatrol map`` and ``gridpatrol sheets``: the coordinators' map and route sheets.

Both need a plan. Until the planning pipeline has its own entry point, :func:`_sample_bundle`
builds one from an embedded sample district (grid, risk, hotspot table, a foot and a car unit
planned with OR-Tools); swap it for the pipeline when it exists.
"""

from __future__ import annotations

from datetime import date
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
from geo import sample
from maps.bundle import PlanBundle
from maps.i18n import check_lang
from maps.tiles import TILES, check_tiles

FORMATS = ("pdf", "xlsx", "csv", "gpx", "geojson")

LangOption = Annotated[
    str, typer.Option("--lang", help="Language of labels and dates: en or zh-CN.")
]
BandOption = Annotated[
    str, typer.Option("--band", help="Time band (shift) to plan and colour by, e.g. 16-24.")
]
TimeLimitOption = Annotated[
    float, typer.Option("--time-limit", help="Seconds the route solver may search.")
]


def _sample_bundle(
    sample_name: str, band: str, *, time_limit_s: float = 5.0, top: int = 15
) -> PlanBundle:
    """Plan one shift on an embedded sample district and bundle it for maps and sheets.

    The thinnest honest pipeline: a 250 m square grid, risk per band with Gi* (400 m
    neighbours), the top hotspots of ``band`` as 12-minute visits, and a foot and a car unit
    (one per station, cycling) on that shift. Replace with ``api.pipeline`` when it exists.
    """
    from geo.assign import assign_incidents
    from geo.grid import build_grid
    from geo.hotspots import compute_risk, hotspot_table
    from geo.hotspots.columns import RANK
    from geo.network import load_networks
    from geo.schema import CELL_ID, STATION_ID
    from planner.plan import plan_patrols
    from planner.problem import PatrolProblem
    from planner.tasks import Task, TaskKind
    from planner.travel import StreetTravel
    from planner.units import Break, Mode, Unit

    district = sample.load(sample_name)
    if district.network_path is None:
        raise UserError(f"sample {sample_name!r} has no street network to plan routes on")
    grid = build_grid(district.boundary, kind="square", cell_size_m=250.0, crs=district.crs)
    incidents = district.incidents.copy()
    incidents[CELL_ID] = assign_incidents(grid, incidents)
    risk = compute_risk(incidents, grid.cells, neighbours=400.0)
    if band not in risk.band_names:
        raise UserError(f"--band: unknown band {band!r}; expected one of {risk.band_names}")
    hotspots = hotspot_table(risk, incidents, grid.cells, band=band, top=top)
    tasks = tuple(
        Task(
            f"h{int(getattr(r, RANK))}-{r.cell_id}",
            TaskKind.HOTSPOT,
            f"Hotspot {int(getattr(r, RANK))} ({r.cell_id})",
            float(r.rep_x),
            float(r.rep_y),
            dwell_s=720,
            prize=float(r.score),
            cell_id=str(r.cell_id),
        )
        for r in hotspots.itertuples()
    )
    band_def = next(b for b in risk.bands if b.name == band)
    start_s = band_def.start_min * 60
    end_s = start_s + int(band_def.duration_h * 3600)
    station_ids = [str(s) for s in district.stations[STATION_ID]]
    stations = {
        str(r.station_id): (float(r.geometry.x), float(r.geometry.y))
        for r in district.stations.itertuples()
    }
    mid = start_s + (end_s - start_s) // 2
    units = (
        Unit(
            "F1",
            Mode.FOOT,
            station_ids[0],
            station_ids[0],
            start_s,
            end_s,
            breaks=(Break(mid - 1800, mid + 1800, 1800),),
        ),
        Unit(
            "C1",
            Mode.CAR,
            station_ids[1 % len(station_ids)],
            station_ids[1 % len(station_ids)],
            start_s,
            end_s,
            crew=2,
        ),
    )
    plan_date = date.today()
    problem = PatrolProblem(tasks, units, stations, plan_date=plan_date, timezone=district.timezone)
    networks = load_networks(district.network_path, crs=district.crs)
    plan = plan_patrols(
        problem, StreetTravel(networks), time_limit_s=time_limit_s, seed=0, on_infeasible="drop"
    )
    return PlanBundle(
        crs=district.crs,
        district=district.name,
        plan_date=plan_date,
        timezone=district.timezone,
        cells=grid.cells,
        risk=risk.frame,
        hotspots=hotspots,
        incidents=district.incidents,
        stations=district.stations,
        plan=plan,
        tasks=tasks,
        units=units,
        band=band,
        notes=district.notes + plan.notes,
    )


def _checked(value: str, check: object, option: str) -> str:
    try:
        return check(value)  # type: ignore[operator]
    except ValueError as exc:
        raise UserError(f"{option}: {exc}") from None


@app.command("map")
def map_command(
    out: OutOption = Path("out"),
    sample_name: SampleOption = sample.DEFAULT,
    band: BandOption = "16-24",
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
    time_limit: TimeLimitOption = 5.0,
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
        bundle = _sample_bundle(sample_name, band, time_limit_s=time_limit)
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
    out: OutOption = Path("out"),
    sample_name: SampleOption = sample.DEFAULT,
    band: BandOption = "16-24",
    lang: LangOption = "en",
    formats: Annotated[
        str, typer.Option("--formats", help=f"Comma-separated: {','.join(FORMATS)}.")
    ] = ",".join(FORMATS),
    units: Annotated[
        str | None, typer.Option("--units", help="Comma-separated unit ids (default: all).")
    ] = None,
    time_limit: TimeLimitOption = 5.0,
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
    unit_ids = [u.strip() for u in units.split(",") if u.strip()] if units else None
    folder = Path(out)
    written: dict[str, list[str]] = {}
    with progress(json_mode) as bar:
        step = bar.add_task(f"Planning {band} on {sample_name}", total=1 + len(wanted))
        bundle = _sample_bundle(sample_name, band, time_limit_s=time_limit)
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
