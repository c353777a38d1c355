"""The ``gridpatrol validate`` command: check input files and say what is in them.

Each file is read with the reader for its kind (detected from its suffix, geometry and
columns, or forced with ``--kind``) and summarised: counts, time span, categories, extent,
CRS, per-mode network sizes, and every problem found. A file no reader can take is a
located problem, never a traceback.
"""

from __future__ import annotations

import enum
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import typer
from pyproj import Transformer
from rich.markup import escape
from rich.table import Table

from api.cli.app import EXIT_USER_ERROR, JsonOption, UserError, app, console, emit_json
from api.cli.options import ColumnsOption, DatetimeFormatOption, SheetOption
from api.district_loader import parse_columns
from api.inputs import read_units
from geo.errors import GeoInputError, NetworkError, Problem, condense_problems
from geo.io import (
    check_coverage,
    read_areas,
    read_boundary,
    read_duties,
    read_incidents,
    read_stations,
)
from geo.io.advice import CLI_ADVICE
from geo.io.common import (
    WGS84,
    crs_label,
    decode_text,
    find_column,
    is_text_table,
    read_text_table,
    sniff_delimiter,
)
from geo.layers import check_layers_fit

MAX_PRINTED_PROBLEMS = 20
NETWORK_SUFFIXES = (".osm", ".pbf", ".graphml")


class Kind(enum.StrEnum):
    """What a file holds."""

    auto = "auto"
    incidents = "incidents"
    areas = "areas"
    boundary = "boundary"
    stations = "stations"
    duties = "duties"
    units = "units"
    network = "network"


@dataclass
class FileReport:
    """What :func:`validate` found in one file (plain data, printed or dumped as JSON)."""

    path: str
    kind: str
    usable: bool = False
    count: int = 0
    time_span: list[str] | None = None
    time_known_share: float | None = None
    categories: dict[str, int] = field(default_factory=dict)
    extent: list[float] | None = None
    crs: str | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    coverage: list[Problem] = field(default_factory=list)
    networks: dict[str, dict[str, int]] = field(default_factory=dict)
    left_out: int = 0
    rejected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "usable": self.usable,
            "count": self.count,
            "time_span": self.time_span,
            "time_known_share": self.time_known_share,
            "categories": self.categories,
            "extent": self.extent,
            "crs": self.crs,
            "problems": [p.as_dict() for p in self.problems],
            "warnings": self.warnings,
            "coverage": [p.as_dict() for p in self.coverage],
            "networks": self.networks,
            "left_out": self.left_out,
            "rejected": self.rejected,
        }


_UNIT_MARKS = {"unit_id", "shift_start", "shift_end"}
_DUTY_MARKS = {"duty_id"}


def _header_names(path: Path) -> set[str]:
    """The casefolded column names of a text table (empty when it cannot be read)."""
    try:
        text = decode_text(path.read_bytes()[:65536], path.name)
    except GeoInputError:
        return set()
    text = text.lstrip("\ufeff")
    header = next((line for line in text.splitlines() if line.strip()), "")
    sep = sniff_delimiter(text, default="\t" if path.suffix.lower() == ".tsv" else ",")
    return {name.strip().strip('"').casefold() for name in header.split(sep)}


def _kind_from_names(names: set[str]) -> Kind:
    if names & _UNIT_MARKS:
        return Kind.units
    if names & _DUTY_MARKS:
        return Kind.duties
    if "station_id" in names:
        return Kind.stations
    return Kind.incidents


def detect_kind(path: Path) -> Kind:
    """Guess what ``path`` holds from its suffix, geometry and column names.

    ``.osm``/``.osm.pbf``/``.graphml`` are street networks; polygons are areas; tables and
    points are units (``unit_id``, ``shift_start``), duties (``duty_id``), stations
    (``station_id``) or else incidents. Anything that cannot be inspected is treated as
    incidents, whose reader then reports why.
    """
    if path.suffix.lower() in NETWORK_SUFFIXES:
        return Kind.network
    if is_text_table(path):
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return Kind.incidents
        return _kind_from_names(_header_names(path))
    try:
        info = pyogrio.read_info(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
        return Kind.incidents
    geometry_type = str(info.get("geometry_type") or "")
    if "Polygon" in geometry_type:
        return Kind.areas
    fields = {str(name).casefold() for name in info.get("fields", [])}
    if "LineString" in geometry_type:
        return Kind.duties
    return _kind_from_names(fields)


def _extent(frame: gpd.GeoDataFrame) -> list[float] | None:
    if len(frame) == 0 or frame.crs is None:
        return None
    bounds = frame.to_crs(WGS84).total_bounds
    return [round(float(v), 6) for v in bounds]


@dataclass(frozen=True)
class IncidentOptions:
    """The incident reading options of ``validate`` (those of the planning commands)."""

    timezone: str = "UTC"
    crs: str | None = None
    columns: str | None = None
    datetime_format: str | None = None
    sheet: str | None = None
    keep_valid: bool = False
    out: Path = Path("out")


def _check_incidents(
    path: Path, report: FileReport, options: IncidentOptions, boundary: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    roles = parse_columns(options.columns, argument="--columns")
    rejected_path = options.out / f"{path.stem}.rejected.csv"
    rejected_path.unlink(missing_ok=True)  # a file of an earlier run is not this one's
    frame = read_incidents(
        path,
        timezone=options.timezone,
        crs=options.crs,
        boundary=boundary,
        columns=roles,
        datetime_format=options.datetime_format,
        sheet=options.sheet,
        keep_valid=options.keep_valid,
        rejected_path=rejected_path if options.keep_valid else None,
        advice=CLI_ADVICE,
    )
    if options.keep_valid and rejected_path.exists():
        report.left_out = len(pd.read_csv(rejected_path, usecols=["source_row"]))
        report.rejected = str(rejected_path)
    occurred = frame["occurred_at"]
    report.time_span = [occurred.min().isoformat(), occurred.max().isoformat()]
    report.time_known_share = round(float(frame["time_known"].mean()), 4)
    counts = frame["category"].value_counts()
    report.categories = {str(k): int(v) for k, v in counts.items()}
    report.crs = crs_label(WGS84)
    return frame


def _check_units(path: Path, report: FileReport) -> int:
    """Read a units file; stations are checked only for being named (no stations file)."""
    table = read_text_table(path, text_columns=lambda header: header)
    columns = [str(c) for c in table.columns]
    named: set[str] = set()
    for candidate in ("station", "start_station", "end_station"):
        column = find_column(columns, (candidate,))
        if column is not None:
            named |= {str(v).strip() for v in table[column].dropna() if str(v).strip()}
    units = read_units(path, stations=sorted(named))
    report.warnings.append(
        "stations named by the units (not checked against a stations file): "
        + (", ".join(sorted(named)) or "none")
    )
    return len(units)


def _check_network(path: Path, report: FileReport) -> None:
    from geo.network.load import load_networks
    from geo.network.modes import Mode

    networks = load_networks(path, modes=tuple(Mode))
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    crs = None
    for mode, network in networks.items():
        report.networks[str(mode)] = {
            "nodes": int(network.graph.number_of_nodes()),
            "edges": int(network.graph.number_of_edges()),
        }
        xs.append(np.asarray(network.node_x_m))
        ys.append(np.asarray(network.node_y_m))
        crs = network.crs
    report.count = sum(n["edges"] for n in report.networks.values())
    if crs is not None and xs:
        x, y = np.concatenate(xs), np.concatenate(ys)
        lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(x, y)
        report.extent = [
            round(float(v), 6) for v in (np.min(lon), np.min(lat), np.max(lon), np.max(lat))
        ]
        report.crs = crs_label(crs)


def check_file(
    path: Path,
    kind: Kind,
    *,
    timezone: str = "UTC",
    crs: str | None = None,
    boundary: gpd.GeoDataFrame | None = None,
    options: IncidentOptions | None = None,
    frames: dict[str, gpd.GeoDataFrame] | None = None,
) -> FileReport:
    """Read ``path`` as ``kind`` (detected when ``auto``) and summarise it.

    A reader failure of any kind ends up in :attr:`FileReport.problems`, naming the file.
    The layer read is put in ``frames`` (by path) when given, for :func:`check_fit`.
    """
    options = options or IncidentOptions(timezone=timezone, crs=crs)
    if not path.exists():
        return FileReport(
            str(path),
            kind.value,
            problems=[Problem(path.name, "file not found; expected an existing file")],
        )
    chosen = detect_kind(path) if kind is Kind.auto else kind
    report = FileReport(str(path), chosen.value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame: gpd.GeoDataFrame | None = None
            if chosen is Kind.network:
                _check_network(path, report)
            elif chosen is Kind.units:
                report.count = _check_units(path, report)
            elif chosen is Kind.incidents:
                frame = _check_incidents(path, report, options, boundary)
            elif chosen is Kind.stations:
                frame = read_stations(path)
                report.crs = crs_label(WGS84)
            elif chosen is Kind.duties:
                frame = read_duties(path, timezone=options.timezone, boundary=boundary)
                report.crs = crs_label(WGS84)
            elif chosen is Kind.boundary:
                frame = read_boundary(path)
                report.crs = crs_label(None if frame.crs is None else frame.crs)
            else:
                frame = read_areas(path)
                report.crs = crs_label(None if frame.crs is None else frame.crs)
                report.coverage = check_coverage(frame, boundary)
        except GeoInputError as exc:
            report.problems = list(exc.problems)
        except NetworkError as exc:
            report.problems = [Problem(path.name, str(exc).removeprefix(f"{path.name}: "))]
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            OSError,
            shapely.errors.GEOSException,
        ) as exc:
            # A reader failure no check anticipated: still a located message, no traceback.
            report.problems = [
                Problem(
                    path.name,
                    f"cannot be read as {chosen.value}: {type(exc).__name__}: {exc}; expected "
                    f"a valid {chosen.value} file (or choose another kind with --kind)",
                )
            ]
        else:
            report.usable = True
            if frame is not None:
                report.count = len(frame)
                report.extent = _extent(frame)
                if frames is not None:
                    frames[report.path] = frame
    report.warnings += [str(w.message) for w in caught]
    return report


def check_fit(reports: list[FileReport], frames: dict[str, gpd.GeoDataFrame]) -> None:
    """Refuse the layers given together with a street network (or a boundary) that lie
    entirely outside its extent: the problem goes to the layer's report."""
    references = [r for r in reports if r.usable and r.extent and r.kind in ("network",)]
    references += [r for r in reports if r.usable and r.extent and r.kind == "boundary"]
    for reference in references:
        assert reference.extent is not None
        west, south, east, north = reference.extent
        what = "street network" if reference.kind == "network" else "boundary"
        for report in reports:
            frame = frames.get(report.path)
            if report is reference or frame is None or not report.usable:
                continue
            if reference.kind == "boundary" and report.kind == "incidents":
                continue  # incidents are checked row by row against the boundary
            name = Path(report.path).name
            try:
                check_layers_fit(
                    f"the {what} {Path(reference.path).name}",
                    (west, south, east, north),
                    {name: frame},
                )
            except GeoInputError as exc:
                report.problems += list(exc.problems)
                report.usable = False


def _print_report(report: FileReport, json_mode: bool) -> None:
    from maps.i18n import Translator

    tr = Translator(None)
    out = console(json_mode)
    status = (
        f"[green]{tr('cli2.val.usable')}[/]"
        if report.usable
        else f"[bold red]{tr('cli2.val.not_usable')}[/]"
    )
    kind = tr.get(f"cli2.val.kind.{report.kind}", report.kind)
    opening, closing = ("（", "）：") if tr.is_chinese else (" (", "): ")
    out.print(f"[bold]{escape(report.path)}[/]{opening}{kind}{closing}{status}", soft_wrap=True)
    table = Table(show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    if report.usable:
        label = {"areas": "features", "boundary": "features", "network": "edges"}
        table.add_row(tr(f"cli2.val.{label.get(report.kind, 'rows')}"), f"{report.count:,}")
    if report.left_out:
        table.add_row(
            tr("cli2.val.left_out"),
            tr("cli2.val.left_out_value", n=report.left_out, path=report.rejected),
        )
    for mode, sizes in report.networks.items():
        table.add_row(
            tr("cli2.val.network", mode=tr.mode(mode)),
            tr("cli2.val.network_value", nodes=sizes["nodes"], edges=sizes["edges"]),
        )
    if report.time_span:
        table.add_row(tr("cli2.val.time_span"), tr("cli2.val.to").join(report.time_span))
    if report.time_known_share is not None:
        table.add_row(tr("cli2.val.time_known"), f"{report.time_known_share:.1%}")
    if report.categories:
        table.add_row(
            tr("cli2.val.categories"),
            "\n".join(
                f"{escape(tr.category(k) if tr.is_chinese else k)}: {v:,}"
                for k, v in report.categories.items()
            ),
        )
    if report.extent:
        w, s, e, n = report.extent
        table.add_row(tr("cli2.val.extent"), f"{w:.5f}, {s:.5f} .. {e:.5f}, {n:.5f}")
    if report.crs:
        table.add_row(tr("cli2.val.crs"), report.crs)
    if table.row_count:
        out.print(table)
    for text in report.warnings:
        out.print(f"[yellow]{tr('cli2.val.warning')}[/] {escape(tr.note(text))}", soft_wrap=True)
    if report.coverage:
        out.print(f"[yellow]{escape(tr('cli2.val.coverage', n=len(report.coverage)))}[/]")
        for problem in report.coverage[:MAX_PRINTED_PROBLEMS]:
            out.print(f"  - {escape(tr.note(str(problem)))}", soft_wrap=True)
    if report.problems:
        shown = condense_problems(report.problems)
        out.print(f"[bold red]{escape(tr('cli2.val.problems', n=len(report.problems)))}[/]")
        for problem in shown[:MAX_PRINTED_PROBLEMS]:
            out.print(f"  - {escape(tr.note(str(problem)))}", soft_wrap=True)
        if len(shown) > MAX_PRINTED_PROBLEMS:
            out.print("  " + tr("cli2.val.more", n=len(shown) - MAX_PRINTED_PROBLEMS))


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Input files: incidents, areas, boundaries, stations, duties, units or "
            "street networks (.osm, .osm.pbf, .graphml)."
        ),
    ],
    kind: Annotated[
        Kind, typer.Option("--kind", help="What the files hold; auto detects it per file.")
    ] = Kind.auto,
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA time zone of local times in incident files.")
    ] = "UTC",
    crs: Annotated[
        str | None,
        typer.Option("--crs", help="CRS of x/y columns (or of a vector file without one)."),
    ] = None,
    boundary: Annotated[
        Path | None,
        typer.Option("--boundary", help="Polygon file; incidents outside it are problems."),
    ] = None,
    columns: ColumnsOption = None,
    datetime_format: DatetimeFormatOption = None,
    sheet: SheetOption = None,
    keep_valid: Annotated[
        bool,
        typer.Option(
            "--keep-valid",
            help="Count an incident file with some bad rows as usable and write the rejected "
            "rows with their reasons to OUT/<file>.rejected.csv.",
        ),
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the rejected rows (--keep-valid).")
    ] = Path("out"),
    json_output: JsonOption = False,
) -> None:
    """Check input files and print what they hold: counts, time span, categories, problems.

    Exits with 0 when every file is usable and 2 when any is not.
    """
    try:
        parse_columns(columns, argument="--columns")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    options = IncidentOptions(timezone, crs, columns, datetime_format, sheet, keep_valid, out)
    reports: list[FileReport] = []
    frames: dict[str, gpd.GeoDataFrame] = {}
    outline = None
    if boundary is not None:
        boundary_report = check_file(boundary, Kind.boundary, options=options, frames=frames)
        if boundary_report.usable:
            outline = read_boundary(boundary)
        reports.append(boundary_report)
    for path in paths:
        reports.append(check_file(path, kind, boundary=outline, options=options, frames=frames))
    check_fit(reports, frames)
    if json_output:
        emit_json({"files": [report.as_dict() for report in reports]})
    for report in reports:
        _print_report(report, json_output)
    if not all(report.usable for report in reports):
        raise typer.Exit(code=EXIT_USER_ERROR)
