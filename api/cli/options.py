"""Options shared by the commands that read a district (incidents, boundary, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.district_loader import DistrictFiles, load_district, parse_columns
from geo.district import District
from geo.errors import GeoInputError
from geo.io.advice import CLI_ADVICE

IncidentsOption = Annotated[
    Path | None,
    typer.Option("--incidents", help="Incident file (CSV, GeoJSON, GeoPackage, zipped Shapefile)."),
]
BoundaryOption = Annotated[
    Path | None, typer.Option("--boundary", help="Jurisdiction boundary polygons.")
]
AreasOption = Annotated[
    Path | None, typer.Option("--areas", help="Official areas / grid polygons (with population).")
]
StationsOption = Annotated[
    Path | None, typer.Option("--stations", help="Stations CSV (station_id,name,lat,lon).")
]
NetworkOption = Annotated[
    Path | None, typer.Option("--network", help="Street network: .osm, .osm.pbf or .graphml.")
]
TimezoneOption = Annotated[
    str,
    typer.Option(
        "--timezone",
        help="IANA time zone of the incident times, e.g. Asia/Shanghai; 'auto' (the default): "
        "the zone of the district's centroid, said in the notes.",
    ),
]
InputDatumOption = Annotated[
    str,
    typer.Option(
        "--input-datum",
        help="Datum of the input files' longitude/latitude: wgs84 (default), gcj02 "
        "(AutoNavi/Gaode, Tencent) or bd09 (Baidu); converted to WGS-84 on reading.",
    ),
]
CrsOption = Annotated[
    str | None, typer.Option("--crs", help="CRS of x/y coordinate columns (e.g. EPSG:4547).")
]
ColumnsOption = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="Incident columns by role, e.g. date=案发时间,category=案由,lat=纬度,lon=经度 "
        "(roles: lat, lon, x, y, datetime, date, time, hour, year, month, day, minute, "
        "category, id, weight).",
    ),
]
DatetimeFormatOption = Annotated[
    str | None,
    typer.Option(
        "--datetime-format", help="strftime format of the incident dates, e.g. '%d/%m/%Y %H:%M'."
    ),
]
SheetOption = Annotated[
    str | None,
    typer.Option("--sheet", help="Worksheet of an .xlsx incident file (default: the first)."),
]
KeepValidOption = Annotated[
    bool,
    typer.Option(
        "--keep-valid",
        help="Use the valid incident rows and write the rejected ones with their reasons "
        "to rejected.csv in the output folder.",
    ),
]

#: Where --keep-valid writes the rejected incident rows, in the output folder.
REJECTED_FILE = "rejected.csv"


def district_files(
    incidents: Path | None,
    boundary: Path | None,
    areas: Path | None,
    stations: Path | None,
    network: Path | None,
    *,
    timezone: str,
    crs: str | None,
    columns: str | None = None,
    datetime_format: str | None = None,
    sheet: str | None = None,
    keep_valid: bool = False,
    out: Path | None = None,
    input_datum: str = "wgs84",
) -> DistrictFiles:
    """The district files of the command-line options, with messages spelled as CLI flags.

    ``columns`` is the ``--columns`` text (``date=案发时间,category=案由``); with
    ``keep_valid`` the rejected incident rows go to ``rejected.csv`` in ``out`` (the current
    folder when ``None``).

    Raises
    ------
    UserError
        For a malformed ``--columns`` value.
    """
    from api.cli.app import UserError
    from geo.datum import check_datum

    try:
        roles = parse_columns(columns, argument="--columns")
        datum = check_datum(input_datum)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return DistrictFiles(
        incidents=incidents,
        boundary=boundary,
        areas=areas,
        stations=stations,
        network=network,
        timezone=timezone,
        crs=crs,
        columns=roles,
        datetime_format=datetime_format,
        sheet=sheet,
        keep_valid=keep_valid,
        input_datum=datum,
        rejected_path=(Path(out or ".") / REJECTED_FILE) if keep_valid else None,
        advice=CLI_ADVICE,
    )


def district_from_files(
    files: DistrictFiles, *, sample_name: str, printer: Console | None = None
) -> District:
    """Load the district of ``files`` (the sample when none are given), for a command."""
    from api.cli.app import UserError

    def tell(text: str) -> None:
        if printer is not None:
            printer.print(text)

    try:
        return load_district(files, sample_name=sample_name, say=tell)
    except FileNotFoundError as exc:
        raise UserError(f"file not found: {exc.filename}") from None
    except GeoInputError:
        raise
    except ValueError as exc:
        raise UserError(str(exc)) from None


def district_from_cli(
    *,
    incidents: Path | None,
    boundary: Path | None,
    areas: Path | None,
    stations: Path | None,
    network: Path | None,
    timezone: str,
    crs: str | None,
    sample_name: str,
    printer: Console | None = None,
    columns: str | None = None,
    datetime_format: str | None = None,
    sheet: str | None = None,
    keep_valid: bool = False,
    out: Path | None = None,
) -> District:
    """Load the district named by the command-line options (the sample when none are given).

    The incident options are those of :func:`district_files`.
    """
    files = district_files(
        incidents,
        boundary,
        areas,
        stations,
        network,
        timezone=timezone,
        crs=crs,
        columns=columns,
        datetime_format=datetime_format,
        sheet=sheet,
        keep_valid=keep_valid,
        out=out,
    )
    return district_from_files(files, sample_name=sample_name, printer=printer)


# File options of the planning commands (their other options come from api.requests).
UnitsOption = Annotated[
    Path | None,
    typer.Option(
        "--units", help="Units CSV (unit_id,mode,station,shift_start,...); overrides --unit-counts."
    ),
]
DutiesOption = Annotated[
    Path | None,
    typer.Option("--duties", help="Posts, lines and timed visits (CSV or GeoJSON)."),
]
