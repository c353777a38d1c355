"""Options shared by the commands that read a district (incidents, boundary, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.district_loader import DistrictFiles, load_district
from geo.district import District
from geo.errors import GeoInputError
from geo.io import IncidentColumns

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
    str, typer.Option("--timezone", help="IANA time zone of the incident times.")
]
CrsOption = Annotated[
    str | None, typer.Option("--crs", help="CRS of x/y coordinate columns (e.g. EPSG:4547).")
]


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
) -> District:
    """Load the district named by the command-line options (the sample when none are given)."""
    from api.cli.app import UserError

    def tell(text: str) -> None:
        if printer is not None:
            printer.print(text)

    try:
        return load_district(
            DistrictFiles(
                incidents=incidents,
                boundary=boundary,
                areas=areas,
                stations=stations,
                network=network,
                timezone=timezone,
                crs=crs,
                columns=IncidentColumns(),
            ),
            sample_name=sample_name,
            say=tell,
        )
    except FileNotFoundError as exc:
        raise UserError(f"file not found: {exc.filename}") from None
    except GeoInputError:
        raise
    except ValueError as exc:
        raise UserError(str(exc)) from None


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
