"""``gridpatrol hotspots`` and ``gridpatrol evaluate``: where and when, and how sure we are."""

from __future__ import annotations

import json
import re
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
    from api.cli.plan import TranslatingConsole
    from maps.i18n import Translator

    tr = Translator(None)
    con = console(json_mode)
    if top < 1:
        raise UserError(tr("cli2.hot.error.top", top=top))
    printer = TranslatingConsole(tr, stderr=con.stderr)
    district = district_from_cli(
        incidents=incidents,
        boundary=boundary,
        areas=areas,
        stations=stations,
        network=network,
        timezone=timezone,
        crs=crs,
        sample_name=sample_name,
        printer=printer,
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
        step = bar.add_task(tr("cli2.hot.analysing"), total=100)
        analysis = analyse(
            district,
            options,
            progress=lambda d, f: bar.update(step, description=tr.job(d), completed=int(f * 90)),
            networks=_foot_network(district),
        )
        names = analysis.risk.band_names if band == "all" else (band,)
        idle: tuple[str, ...] = ()
        if band == "all":  # dates-only data: the hourly bands hold no risk at all
            names, idle = _bands_with_risk(analysis, names)
        unknown = [n for n in names if n not in analysis.risk.band_names]
        if unknown:
            raise UserError(
                tr(
                    "cli2.hot.error.band",
                    band=unknown[0],
                    bands=", ".join(analysis.risk.band_names),
                )
            )
        tables = [hotspots_for(analysis, name, top=top) for name in names]
        bar.update(step, description=tr("cli2.done"), completed=100)
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
        "bands_without_risk": list(idle),
        "outputs": {"csv": str(csv_path), "geojson": str(geo_path)},
    }
    if json_mode:
        emit_json(summary)
        return
    for name in names:
        _print_band(con, table[table["band"] == name], name)
    for note in summary["notes"]:
        con.print("  " + tr("cli.note", note=tr.note(note)))
    if idle:
        bands = "、".join(tr.band(b) for b in idle) if tr.is_chinese else ", ".join(idle)
        con.print("  " + tr("cli2.hot.idle_bands", bands=bands))
    con.print(tr("cli2.hot.outputs", csv=csv_path, geojson=geo_path))


def _bands_with_risk(
    analysis: Any, names: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``names`` split into the bands with any risk and those without (every cell 0, as the
    hourly bands of dates-only data are); all of them when none has risk."""
    from geo.hotspots.columns import SCORE

    with_risk = tuple(n for n in names if float(analysis.risk.band(n)[SCORE].abs().sum()) > 0)
    if not with_risk:
        return names, ()
    return with_risk, tuple(n for n in names if n not in with_risk)


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
    from api.cli.plan import TranslatingConsole
    from maps.i18n import Translator

    tr = Translator(None)
    to_stdout = json_file is not None and str(json_file) == "-"
    con = console(to_stdout)
    if weeks < 1:
        raise UserError(tr("cli2.eval.error.weeks", weeks=weeks))
    if share not in DEFAULT_SHARES:
        shares = ", ".join(f"{s:g}" for s in DEFAULT_SHARES)
        raise UserError(tr("cli2.eval.error.share", shares=shares, share=share))
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
        printer=TranslatingConsole(tr, stderr=con.stderr),
    )
    grid = _grid(district.boundary, district.crs, grid_file, cell_size_m)
    policed, source_note = _source_policy(district.incidents, exclude_source, patrol_weight)
    weighted = exclude_source is not None or patrol_weight is not None
    cell_of = assign_incidents(grid, policed)
    located = policed.assign(**{CELL_ID: cell_of})
    located = located[located[CELL_ID].notna()]
    with progress(to_stdout) as bar:
        bar.add_task(tr("cli2.eval.progress", weeks=weeks, cells=len(grid)), total=None)
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
    cells_kind = (
        tr("cli2.eval.cells_areas")
        if grid_file
        else tr("cli2.eval.cells_squares", size=cell_size_m)
    )
    con.print(
        tr(
            "cli2.eval.head",
            weeks=first.weeks,
            start=tr.date(first.week_starts[0].date()),
            cells=len(grid),
            kind=cells_kind,
        )
    )
    by_weekday = [n for n in runs.results if n.split(" ")[-1] in WEEKDAY_NAMES]
    for name, result in runs.results.items():
        if name not in by_weekday:
            _print_band_backtest(con, result, comparisons[name], share, tr)
    if by_weekday:
        _print_weekdays(con, runs, comparisons, by_weekday, share, tr)
    for name, result in runs.results.items():
        if name in by_weekday:
            continue
        for method, picks in result.choices.items():
            comma = "、" if tr.is_chinese else ", "
            used = comma.join(f"{m} {picks[:-1].count(m)}" for m in dict.fromkeys(picks[:-1]))
            con.print(
                "  "
                + tr(
                    "cli2.eval.choice",
                    band=_band_text(name, tr),
                    method=method,
                    pct=share * 100,
                    used=used,
                    next=picks[-1],
                )
            )
    if source_note:
        con.print("  " + tr("cli2.eval.sources", note=tr.note(source_note)))
    for name, why in runs.skipped.items():
        con.print(
            "  " + tr("cli2.eval.skipped", band=_band_text(name, tr), why=_eval_note(why, tr))
        )
    for name, result in runs.results.items():
        for note in result.notes:
            con.print(
                "  " + tr("cli2.eval.note", band=_band_text(name, tr), note=_eval_note(note, tr))
            )
    if json_file is not None:
        con.print(tr("cli2.eval.json_written", path=json_file))


#: The backtest's own notes and reasons (:mod:`geo.hotspots.backtest`), by catalogue key.
_EVAL_NOTES = (
    ("cli2.eval.n.no_incident", re.compile(r"^no incident in the test period from (?P<day>\S+)$")),
    (
        "cli2.eval.n.date_only",
        re.compile(r"^(?P<n>\d+) date-only incident\(s\) are left out of band '(?P<band>[^']+)'$"),
    ),
    (
        "cli2.eval.n.after",
        re.compile(r"^(?P<n>\d+) incident\(s\) after the last test day are not used$"),
    ),
    (
        "cli2.eval.n.weekday",
        re.compile(
            r"^(?P<n>\d+) incident\(s\): fewer than (?P<min>\d+) for a per-weekday backtest$"
        ),
    ),
    ("cli2.eval.n.dates_only", re.compile(r"^incidents carry dates only$")),
)


def _eval_note(note: str, tr: Any) -> str:
    """A note or skip reason of the backtest in ``tr``'s language (others as they are)."""
    if not tr.is_chinese:
        return str(note)
    for key, pattern in _EVAL_NOTES:
        match = pattern.match(str(note))
        if match:
            fields = match.groupdict()
            if "band" in fields:
                fields["band"] = tr.band(fields["band"])
            return str(tr(key, **fields))
    return str(tr.note(note))


def _band_text(name: str, tr: Any) -> str:
    """A backtest's band name (``16-24``, ``16-24 Mon``) in ``tr``'s language."""
    band, _, day = str(name).partition(" ")
    if day in WEEKDAY_NAMES:
        return f"{tr.band(band)} {tr(f'cli2.eval.day.{day}')}"
    return str(tr.band(name))


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
    tr: Any,
) -> None:
    view = Table(title=tr("cli2.eval.weekdays_title", pct=share * 100))
    for column in ("band_day", "default", "pai", "naive_pai", "vs_naive", "interval"):
        view.add_column(
            tr(f"cli2.eval.col.{column}"),
            justify="left" if column in ("band_day", "default") else "right",
        )
    view.add_column(tr("cli2.eval.col.verdict"))
    for name in names:
        result = runs.results[name]
        comp = comparisons[name]["pai"]
        default, base = comp[result.default], comp[result.baseline]
        view.add_row(
            _band_text(name, tr),
            result.default,
            f"{default.value:.2f}",
            f"{base.value:.2f}",
            f"{default.ratio:.2f}x",
            f"{default.ratio_low:.2f}–{default.ratio_high:.2f}",
            _verdict(default.verdict, tr),
        )
    con.print(view)


def _print_band_backtest(
    con: Console,
    result: BacktestResult,
    comps: dict[str, dict[str, Comparison]],
    share: float,
    tr: Any,
) -> None:
    view = Table(
        title=tr(
            "cli2.eval.band_title",
            band=_band_text(result.band, tr),
            pct=share * 100,
            weeks=result.weeks,
        )
    )
    for column in (
        "method",
        "hit",
        "pai",
        "interval",
        "pei",
        "interval",
        "vs_naive",
        "interval",
        "verdict",
    ):
        view.add_column(
            tr(f"cli2.eval.col.{column}"),
            justify="left" if column in ("method", "verdict") else "right",
        )
    for name, scores in result.methods.items():
        pai, pei = comps["pai"][name], comps["pei"][name]
        tags = [
            tr(f"cli2.eval.tag.{t}")
            for t, n in (("baseline", result.baseline), ("default", result.default))
            if n == name
        ]
        opening, closing = ("（", "）") if tr.is_chinese else (" (", ")")
        comma = "、" if tr.is_chinese else ", "
        label = f"{name}{opening}{comma.join(tags)}{closing}" if tags else name
        view.add_row(
            label,
            f"{scores.hit_rate[share]:.1%}",
            f"{pai.value:.2f}",
            f"{pai.low:.2f}–{pai.high:.2f}",
            f"{pei.value:.2f}",
            f"{pei.low:.2f}–{pei.high:.2f}",
            f"{pai.ratio:.2f}x",
            f"{pai.ratio_low:.2f}–{pai.ratio_high:.2f}",
            "" if name == result.baseline else _verdict(pai.verdict, tr),
        )
    con.print(view)


def _verdict(verdict: str, tr: Any) -> str:
    """``better than naive`` / ``worse than naive`` / ``not better than naive`` in ``tr``'s
    language."""
    return str(tr.get(f"cli2.eval.verdict.{verdict}", str(verdict)))


def _grid(boundary: Any, crs: Any, grid_file: Path | None, cell_size_m: float) -> Grid:
    if grid_file is None:
        if cell_size_m <= 0:
            from maps.i18n import Translator

            raise UserError(Translator(None)("cli2.eval.error.cell_size", size=cell_size_m))
        return make_grid(boundary, crs=crs, kind="square", cell_size_m=cell_size_m)
    polygons = read_areas(grid_file).to_crs(crs)
    return make_grid(boundary, crs=crs, kind="areas", areas=polygons)
