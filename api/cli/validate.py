"""The ``gridpatrol validate`` command: check input files and say what is in them.

Each file is read with the reader for its kind (detected from its geometry and columns) and
summarised: counts, time span, categories, extent, CRS, and every problem found.
"""

from __future__ import annotations

import enum
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import geopandas as gpd
import pyogrio
import typer
from rich.markup import escape
from rich.table import Table

from api.cli.app import EXIT_USER_ERROR, JsonOption, app, console, emit_json
from geo.errors import GeoInputError, Problem
from geo.io import check_coverage, read_areas, read_boundary, read_incidents, read_stations
from geo.io.common import WGS84, crs_label, is_text_table

MAX_PRINTED_PROBLEMS = 20


class Kind(enum.StrEnum):
    """What a file holds."""

    auto = "auto"
    incidents = "incidents"
    areas = "areas"
    stations = "stations"


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
        }


def detect_kind(path: Path) -> Kind:
    """Guess what ``path`` holds: polygons are areas; points with ``station_id`` are stations.

    Anything that cannot be inspected is treated as incidents, whose reader then reports why.
    """
    if is_text_table(path):
        head = path.read_bytes()[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
        header = head.splitlines()[0] if head.strip() else ""
        names = {
            name.strip().strip('"').casefold() for name in header.replace("\t", ",").split(",")
        }
        return Kind.stations if "station_id" in names else Kind.incidents
    try:
        info = pyogrio.read_info(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
        return Kind.incidents
    geometry_type = str(info.get("geometry_type") or "")
    if "Polygon" in geometry_type:
        return Kind.areas
    fields = {str(name).casefold() for name in info.get("fields", [])}
    return Kind.stations if "station_id" in fields else Kind.incidents


def _extent(frame: gpd.GeoDataFrame) -> list[float] | None:
    if len(frame) == 0 or frame.crs is None:
        return None
    bounds = frame.to_crs(WGS84).total_bounds
    return [round(float(v), 6) for v in bounds]


def check_file(
    path: Path,
    kind: Kind,
    *,
    timezone: str,
    crs: str | None,
    boundary: gpd.GeoDataFrame | None,
) -> FileReport:
    """Read ``path`` as ``kind`` (detected when ``auto``) and summarise it."""
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
            if chosen is Kind.incidents:
                frame = read_incidents(path, timezone=timezone, crs=crs, boundary=boundary)
                occurred = frame["occurred_at"]
                report.time_span = [occurred.min().isoformat(), occurred.max().isoformat()]
                report.time_known_share = round(float(frame["time_known"].mean()), 4)
                counts = frame["category"].value_counts()
                report.categories = {str(k): int(v) for k, v in counts.items()}
                report.crs = crs_label(WGS84)
            elif chosen is Kind.stations:
                frame = read_stations(path)
                report.crs = crs_label(WGS84)
            else:
                frame = read_areas(path)
                report.crs = crs_label(None if frame.crs is None else frame.crs)
                report.coverage = check_coverage(frame, boundary)
        except GeoInputError as exc:
            report.problems = list(exc.problems)
        else:
            report.usable = True
            report.count = len(frame)
            report.extent = _extent(frame)
    report.warnings = [str(w.message) for w in caught]
    return report


def _print_report(report: FileReport, json_mode: bool) -> None:
    out = console(json_mode)
    status = "[green]usable[/]" if report.usable else "[bold red]not usable[/]"
    out.print(f"[bold]{escape(report.path)}[/] ({report.kind}): {status}", soft_wrap=True)
    table = Table(show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    if report.usable:
        table.add_row("features" if report.kind == "areas" else "rows", f"{report.count:,}")
    if report.time_span:
        table.add_row("time span", " to ".join(report.time_span))
    if report.time_known_share is not None:
        table.add_row("with time of day", f"{report.time_known_share:.1%}")
    if report.categories:
        table.add_row(
            "categories", "\n".join(f"{escape(k)}: {v:,}" for k, v in report.categories.items())
        )
    if report.extent:
        w, s, e, n = report.extent
        table.add_row("extent (lon/lat)", f"{w:.5f}, {s:.5f} .. {e:.5f}, {n:.5f}")
    if report.crs:
        table.add_row("CRS", report.crs)
    if table.row_count:
        out.print(table)
    for text in report.warnings:
        out.print(f"[yellow]warning:[/] {escape(text)}", soft_wrap=True)
    if report.coverage:
        out.print(f"[yellow]coverage:[/] {len(report.coverage)} overlap(s) or gap(s)")
        for problem in report.coverage[:MAX_PRINTED_PROBLEMS]:
            out.print(f"  - {escape(str(problem))}", soft_wrap=True)
    if report.problems:
        out.print(f"[bold red]{len(report.problems)} problem(s):[/]")
        for problem in report.problems[:MAX_PRINTED_PROBLEMS]:
            out.print(f"  - {escape(str(problem))}", soft_wrap=True)
        if len(report.problems) > MAX_PRINTED_PROBLEMS:
            out.print(f"  ... and {len(report.problems) - MAX_PRINTED_PROBLEMS} more")


@app.command()
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Input files: incidents, official areas or stations."),
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
    json_output: JsonOption = False,
) -> None:
    """Check input files and print what they hold: counts, time span, categories, problems.

    Exits with 0 when every file is usable and 2 when any is not.
    """
    reports: list[FileReport] = []
    outline = None
    if boundary is not None:
        boundary_report = FileReport(str(boundary), "boundary")
        try:
            if not boundary.exists():
                raise GeoInputError([Problem(boundary.name, "file not found; expected a file")])
            outline = read_boundary(boundary)
        except GeoInputError as exc:
            boundary_report.problems = list(exc.problems)
        else:
            boundary_report.usable = True
            boundary_report.count = len(outline)
            boundary_report.extent = _extent(outline)
            boundary_report.crs = crs_label(outline.crs)
        reports.append(boundary_report)
    for path in paths:
        reports.append(check_file(path, kind, timezone=timezone, crs=crs, boundary=outline))
    if json_output:
        emit_json({"files": [report.as_dict() for report in reports]})
    for report in reports:
        _print_report(report, json_output)
    if not all(report.usable for report in reports):
        raise typer.Exit(code=EXIT_USER_ERROR)
