"""``gridpatrol hotspots`` and ``gridpatrol evaluate``: where and when, and how sure we are."""

from __future__ import annotations

import json
from dataclasses import replace
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
from geo.district import District
from geo.grid import Grid, make_grid
from geo.hotspots import (
    DEFAULT_BANDS,
    DEFAULT_SHARES,
    BacktestResult,
    BandBacktests,
    Comparison,
    backtest_bands,
    backtest_events,
    bands_from_spec,
    resolve_band,
)
from geo.hotspots.backtest import WEEKDAY_NAMES
from geo.hotspots.columns import PATROL_SHARE, PEAK_HOURS
from geo.hotspots.events import events_from_incidents, layout_from_cells
from geo.hotspots.sources import PATROL, apply_source_policy
from geo.io import read_areas
from geo.network import StreetNetwork, load_networks
from geo.network.modes import Mode
from geo.schema import CELL_ID

CellSizeOption = Annotated[
    float, typer.Option("--cell-size", help="Side of a square grid cell in metres.")
]
ExcludeSourceOption = Annotated[
    str | None,
    typer.Option(
        "--exclude-source",
        help="Leave incidents of this source out of scores and forecasts: 'patrol' (found by "
        "patrol, from an optional reported_by column), against the patrol feedback loop.",
    ),
]
PatrolWeightOption = Annotated[
    float | None,
    typer.Option(
        "--patrol-weight",
        help="Weight patrol-found incidents (reported_by = patrol) by this factor, 0 to 1.",
    ),
]


def _source_policy(
    incidents: gpd.GeoDataFrame, exclude: str | None, patrol_weight: float | None
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Apply --exclude-source / --patrol-weight to the incidents (a note for the user)."""
    weights: dict[str, float] = {}
    if patrol_weight is not None:
        weights[PATROL] = patrol_weight
    if exclude is not None:
        weights[exclude.strip().lower()] = 0.0
    try:
        out, note = apply_source_policy(incidents, weights)
    except ValueError as exc:
        raise UserError(f"--exclude-source/--patrol-weight: {exc}") from None
    return gpd.GeoDataFrame(out, crs=incidents.crs), note


def _foot_network(district: District) -> dict[Mode, StreetNetwork]:
    """The foot network only: hotspot stop points are snapped to it, and the other modes'
    networks are not needed for the table (a warm start reads one cache entry, not three)."""
    if district.network_path is None:
        return {}
    return load_networks(district.network_path, modes=(Mode.FOOT,), crs=district.crs)


@app.command()
def hotspots(
    incidents: IncidentsOption = None,
    boundary: BoundaryOption = None,
    areas: AreasOption = None,
    stations: StationsOption = None,
    network: NetworkOption = None,
    timezone: TimezoneOption = "auto",
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
    exclude_source: ExcludeSourceOption = None,
    patrol_weight: PatrolWeightOption = None,
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
    policed, source_note = _source_policy(district.incidents, exclude_source, patrol_weight)
    district = replace(district, incidents=policed)
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
            networks=_foot_network(district),
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
    from maps.i18n import default_lang

    lang = default_lang()
    # a BOM lets spreadsheet programs read Chinese headings as UTF-8
    encoding = "utf-8-sig" if lang == "zh-CN" else "utf-8"
    written = flat
    if lang == "zh-CN":  # English headings are the machine names: no need for the maps stack
        from maps.staffing.files import localized

        written = localized(flat, lang)
    written.to_csv(csv_path, index=False, encoding=encoding)
    geo_path = out / "hotspots.geojson"
    export = table.to_crs(WGS84)
    export[PEAK_HOURS] = flat[PEAK_HOURS]
    export.to_file(geo_path, driver="GeoJSON", COORDINATE_PRECISION=7)
    summary: dict[str, Any] = {
        "district": district.name,
        "risk_at": str(analysis.risk.at),
        "bands": list(names),
        "rows": len(table),
        "notes": [*analysis.risk.notes, *([source_note] if source_note else [])],
        "outputs": {"csv": str(csv_path), "geojson": str(geo_path)},
    }
    if json_mode:
        emit_json(summary)
        return
    for name in names:
        _print_band(con, table[table["band"] == name], name)
    for note in summary["notes"]:
        con.print(f"  note: {note}")
    con.print(f"Outputs:\n  csv      {csv_path}\n  geojson  {geo_path}")


def _print_band(con: Console, rows: pd.DataFrame, name: str) -> None:
    from maps.i18n import Translator

    tr = Translator(None)  # --lang / GRIDPATROL_LANG
    view = Table(title=f"{tr('layer.hotspots')}: {tr.band(name)}")
    shares = PATROL_SHARE in rows.columns
    columns = ["rank", "cell", "score", "z", "significance", "incidents", "peak"]
    for column in [*columns, *(["patrol"] if shares else [])]:
        view.add_column(tr(f"cli.hotspots.col.{column}"))
    for row in rows.head(10).itertuples(index=False):
        peaks = getattr(row, PEAK_HOURS)
        cells = [
            str(row.rank),
            str(getattr(row, CELL_ID)),
            f"{row.score:.2f}",
            f"{row.gi_z:.2f}",
            tr.get(f"sig.{row.significance}", str(row.significance)),
            f"{row.count:g}",
            "" if peaks is None else ", ".join(f"{h:02d}h" for h in peaks),
        ]
        if shares:
            value = getattr(row, PATROL_SHARE)
            cells.append("" if pd.isna(value) else f"{value:.0%}")
        view.add_row(*cells)
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
        str,
        typer.Option(
            "--band",
            help="'all' (the day and each shift band), 'day', or one band such as 18-02.",
        ),
    ] = "all",
    bands: Annotated[
        str,
        typer.Option("--bands", help="The shift bands for --band all, e.g. 07-15,15-23,23-07."),
    ] = ",".join(b.name for b in DEFAULT_BANDS),
    share: Annotated[
        float,
        typer.Option("--share", help="Share of the area you plan to flag, for the comparison."),
    ] = 0.05,
    weekdays: Annotated[
        bool,
        typer.Option(
            "--weekdays", help="Also backtest each band per day of week where data allow it."
        ),
    ] = False,
    exclude_source: ExcludeSourceOption = None,
    patrol_weight: PatrolWeightOption = None,
    timezone: TimezoneOption = "auto",
    crs: CrsOption = None,
    sample_name: SampleOption = sample.DEFAULT,
    json_file: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the table as JSON to this file ('-': stdout)."),
    ] = None,
) -> None:
    """Backtest the forecasting methods per shift band: hit rate, PAI and PEI*, with bootstrap
    intervals over the test weeks and the ratio to the naive 4-week count."""
    to_stdout = json_file is not None and str(json_file) == "-"
    con = console(to_stdout)
    if weeks < 1:
        raise UserError(f"--weeks: expected at least 1, got {weeks}")
    if share not in DEFAULT_SHARES:
        raise UserError(
            f"--share: expected one of {', '.join(f'{s:g}' for s in DEFAULT_SHARES)}, got {share:g}"
        )
    try:
        if band == "all":
            chosen_bands = bands_from_spec(bands)
        else:
            single = resolve_band(band)
            chosen_bands = () if single is None else (single,)
    except ValueError as exc:
        raise UserError(f"--band/--bands: {exc}") from None
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
    policed, source_note = _source_policy(district.incidents, exclude_source, patrol_weight)
    weighted = exclude_source is not None or patrol_weight is not None
    cell_of = assign_incidents(grid, policed)
    located = policed.assign(**{CELL_ID: cell_of})
    located = located[located[CELL_ID].notna()]
    with progress(to_stdout) as bar:
        bar.add_task(f"Backtesting {weeks} week(s) on {len(grid):,} cells", total=None)
        try:
            layout = layout_from_cells(grid.cells)
            events = events_from_incidents(located, layout, weights=None)
            if band == "all" or not chosen_bands:
                runs = backtest_bands(
                    events,
                    layout,
                    bands=chosen_bands,
                    weekdays=weekdays,
                    weeks=weeks,
                    until=until,
                    weighted=weighted,
                )
            else:
                one = backtest_events(
                    events,
                    layout,
                    band=chosen_bands[0],
                    weeks=weeks,
                    until=until,
                    weighted=weighted,
                )
                runs = BandBacktests({one.band: one})
        except ValueError as exc:
            raise UserError(str(exc)) from None
    comparisons = {
        name: {m: result.compare(metric=m, share=share) for m in ("pai", "pei")}
        for name, result in runs.results.items()
    }
    data = _evaluation_json(runs, comparisons, share)
    data["source_policy"] = source_note
    if json_file is not None:
        if to_stdout:
            emit_json(data)
        else:
            json_file.parent.mkdir(parents=True, exist_ok=True)
            json_file.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if to_stdout:
        return
    first = next(iter(runs.results.values()))
    cells_kind = "official polygons" if grid_file else f"{cell_size_m:g} m squares"
    con.print(
        f"Backtest: {first.weeks} test week(s) from {first.week_starts[0].date()}, "
        f"{len(grid):,} cells ({cells_kind}); every forecast uses only incidents before its "
        "test week"
    )
    by_weekday = [n for n in runs.results if n.split(" ")[-1] in WEEKDAY_NAMES]
    for name, result in runs.results.items():
        if name not in by_weekday:
            _print_band_backtest(con, result, comparisons[name], share)
    if by_weekday:
        _print_weekdays(con, runs, comparisons, by_weekday, share)
    for name, result in runs.results.items():
        if name in by_weekday:
            continue
        for method, picks in result.choices.items():
            used = ", ".join(f"{m} {picks[:-1].count(m)}" for m in dict.fromkeys(picks[:-1]))
            con.print(
                f"  {name}: {method} chose by validation PAI at {share * 100:g} % on the weeks "
                f"before each test week (test weeks used: {used}); for the next week it uses "
                f"{picks[-1]}. The blend is fitted on earlier weeks only, never on the week "
                "it forecasts."
            )
    if source_note:
        con.print(f"  sources: {source_note} (in forecasts and scored weeks alike)")
    for name, why in runs.skipped.items():
        con.print(f"  band {name} not evaluated: {why}")
    for name, result in runs.results.items():
        for note in result.notes:
            con.print(f"  note ({name}): {note}")
    if json_file is not None:
        con.print(f"JSON written to {json_file}")


def _evaluation_json(
    runs: BandBacktests, comparisons: dict[str, dict[str, dict[str, Comparison]]], share: float
) -> dict[str, Any]:
    """The day's table at top level (as before), every band under ``bands``."""
    bands_json = {}
    for name, result in runs.results.items():
        entry = result.to_json_dict()
        entry["comparison"] = {
            method: {
                metric: comps[method].to_json_dict() for metric, comps in comparisons[name].items()
            }
            for method in result.methods
        }
        bands_json[name] = entry
    first = next(iter(bands_json.values()))
    return {
        "methods": first["methods"],
        "baseline": first["baseline"],
        "default": first["default"],
        "weeks": first["weeks"],
        "share": share,
        "interval": "95 % percentile bootstrap over test weeks (paired for ratios)",
        "bands": bands_json,
        "skipped": dict(runs.skipped),
    }


def _print_weekdays(
    con: Console,
    runs: BandBacktests,
    comparisons: dict[str, dict[str, dict[str, Comparison]]],
    names: list[str],
    share: float,
) -> None:
    view = Table(title=f"By day of week: the default at {share * 100:g} % of area")
    for column in ("band, day", "default", "PAI", "naive PAI", "vs naive", "95 % interval"):
        view.add_column(column, justify="left" if column in ("band, day", "default") else "right")
    view.add_column("verdict")
    for name in names:
        result = runs.results[name]
        comp = comparisons[name]["pai"]
        default, base = comp[result.default], comp[result.baseline]
        view.add_row(
            name,
            result.default,
            f"{default.value:.2f}",
            f"{base.value:.2f}",
            f"{default.ratio:.2f}x",
            f"{default.ratio_low:.2f}–{default.ratio_high:.2f}",
            default.verdict,
        )
    con.print(view)


def _print_band_backtest(
    con: Console, result: BacktestResult, comps: dict[str, dict[str, Comparison]], share: float
) -> None:
    pct = f"{share * 100:g} %"
    view = Table(title=f"Band {result.band}: {pct} of area flagged, {result.weeks} test week(s)")
    for column in (
        "method",
        "hit",
        "PAI",
        "95 % interval",
        "PEI*",
        "95 % interval",
        "vs naive",
        "95 % interval",
        "verdict",
    ):
        view.add_column(column, justify="left" if column in ("method", "verdict") else "right")
    for name, scores in result.methods.items():
        pai, pei = comps["pai"][name], comps["pei"][name]
        tags = [
            t for t, n in (("baseline", result.baseline), ("default", result.default)) if n == name
        ]
        label = f"{name} ({', '.join(tags)})" if tags else name
        view.add_row(
            label,
            f"{scores.hit_rate[share]:.1%}",
            f"{pai.value:.2f}",
            f"{pai.low:.2f}–{pai.high:.2f}",
            f"{pei.value:.2f}",
            f"{pei.low:.2f}–{pei.high:.2f}",
            f"{pai.ratio:.2f}x",
            f"{pai.ratio_low:.2f}–{pai.ratio_high:.2f}",
            "" if name == result.baseline else pai.verdict,
        )
    con.print(view)


def _grid(boundary: Any, crs: Any, grid_file: Path | None, cell_size_m: float) -> Grid:
    if grid_file is None:
        if cell_size_m <= 0:
            raise UserError(f"--cell-size: expected a positive number of metres, got {cell_size_m}")
        return make_grid(boundary, crs=crs, kind="square", cell_size_m=cell_size_m)
    polygons = read_areas(grid_file).to_crs(crs)
    return make_grid(boundary, crs=crs, kind="areas", areas=polygons)
