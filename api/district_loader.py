"""Assemble a :class:`geo.district.District` from user files, or fall back to a sample.

Every way in (command line, service) takes the same optional files: incidents, boundary,
official areas, stations and the street network. With no incidents given, the embedded sample
is used and the caller is told so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import geopandas as gpd

from geo import sample
from geo.crs import local_crs
from geo.datum import layer_to_wgs84
from geo.district import District, district_from_layers
from geo.errors import GeoInputWarning
from geo.io import IncidentColumns, read_areas, read_boundary, read_incidents, read_stations
from geo.io.advice import LIBRARY_ADVICE, Advice
from geo.layers import check_layers_fit
from geo.schema import ILLUSTRATIVE, STATION_ID, STATION_NAME
from geo.timezone import AUTO, FALLBACK, district_timezone

COLUMN_ROLES = tuple(f.name for f in fields(IncidentColumns))


def parse_columns(text: str | None, *, argument: str = "columns") -> IncidentColumns | None:
    """``role=column,role=column`` (``date=案发时间,category=案由``) as :class:`IncidentColumns`.

    Raises
    ------
    ValueError
        Naming ``argument``, for a pair without ``=``, an unknown role or a role given twice.
    """
    if text is None or not text.strip():
        return None
    chosen: dict[str, str] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        role, sep, column = pair.partition("=")
        role, column = role.strip().lower(), column.strip()
        if not sep or not column:
            raise ValueError(
                f"{argument}: {pair.strip()!r} is not role=column; expected e.g. "
                "date=案发时间,category=案由"
            )
        if role not in COLUMN_ROLES:
            raise ValueError(
                f"{argument}: unknown role {role!r}; expected one of {', '.join(COLUMN_ROLES)}"
            )
        if role in chosen:
            raise ValueError(f"{argument}: role {role!r} is given twice")
        chosen[role] = column
    return IncidentColumns(**chosen)


@dataclass(frozen=True)
class DistrictFiles:
    """The optional input files of one district (``None``: not given)."""

    incidents: Path | None = None
    boundary: Path | None = None
    areas: Path | None = None
    stations: Path | None = None
    network: Path | None = None
    timezone: str = "UTC"  # geo.timezone.AUTO: the zone of the district's centroid
    crs: str | None = None  # CRS of x/y incident columns
    input_datum: str = "wgs84"  # gcj02 / bd09: lon/lat of every file moved to WGS-84
    columns: IncidentColumns | None = None
    name: str | None = None
    datetime_format: str | None = None
    sheet: str | None = None  # worksheet of an .xlsx incident file
    keep_valid: bool = False  # plan with the valid rows, the rejected ones to rejected_path
    rejected_path: Path | None = None
    advice: Advice = LIBRARY_ADVICE  # how messages spell the options they suggest


def load_district(
    files: DistrictFiles,
    *,
    sample_name: str = sample.DEFAULT,
    say: Callable[[str], None] = lambda _: None,
) -> District:
    """Read and check the given files into a district, or load ``sample_name`` if none.

    Without a boundary the district's outline is the incidents' convex hull buffered by
    250 m; without stations, one illustrative base at the centre of the outline is used.
    Both fallbacks are said through ``say`` and kept in the district's notes.
    """
    if files.incidents is None:
        if any(p is not None for p in (files.boundary, files.areas, files.stations, files.network)):
            raise ValueError(
                "incidents: give --incidents together with the other district files "
                "(boundary, areas, stations, network), or none of them to use the sample"
            )
        say(f"No input files given: using the embedded sample district {sample_name!r}.")
        return sample.load(sample_name)

    notes: list[str] = []
    boundary_frame: gpd.GeoDataFrame | None = None
    if files.boundary is not None:
        boundary_frame = layer_to_wgs84(read_boundary(files.boundary), files.input_datum)
    timezone = files.timezone
    if timezone == AUTO and boundary_frame is not None:
        timezone, zone_note = district_timezone(boundary_frame)
        notes.append(zone_note)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GeoInputWarning)
        incidents = read_incidents(
            files.incidents,
            columns=files.columns,
            crs=files.crs,
            timezone=FALLBACK if timezone == AUTO else timezone,
            boundary=boundary_frame,
            datetime_format=files.datetime_format,
            sheet=files.sheet,
            keep_valid=files.keep_valid,
            rejected_path=files.rejected_path,
            advice=files.advice,
        )
    if timezone == AUTO:  # no boundary: the incidents place the district
        timezone, zone_note = district_timezone(incidents)
        notes.append(zone_note)
        if timezone != FALLBACK:  # read again: naive times are wall-clock times of that zone
            incidents = read_incidents(
                files.incidents,
                columns=files.columns,
                crs=files.crs,
                timezone=timezone,
                boundary=boundary_frame,
                datetime_format=files.datetime_format,
                sheet=files.sheet,
                keep_valid=files.keep_valid,
                rejected_path=files.rejected_path,
                advice=files.advice,
            )
    incidents = layer_to_wgs84(incidents, files.input_datum)
    for warning in caught:
        if issubclass(warning.category, GeoInputWarning):
            notes.append(str(warning.message))  # rows left out, the one-category fallback
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if boundary_frame is None:
        working = local_crs(incidents)
        hull = incidents.to_crs(working).union_all().convex_hull.buffer(250.0)
        boundary_frame = gpd.GeoDataFrame(geometry=[hull], crs=working)
        notes.append(
            "No boundary given: the district outline is the incidents' convex hull buffered "
            "by 250 m."
        )
    areas = read_areas(files.areas) if files.areas is not None else None
    if areas is not None:
        areas = layer_to_wgs84(areas, files.input_datum)
    if files.stations is not None:
        stations = layer_to_wgs84(read_stations(files.stations), files.input_datum)
    else:
        working = local_crs(boundary_frame)
        centre = boundary_frame.to_crs(working).union_all().representative_point()
        stations = gpd.GeoDataFrame(
            {STATION_ID: ["base"], STATION_NAME: ["Base (centre)"], ILLUSTRATIVE: [True]},
            geometry=[centre],
            crs=working,
        )
        notes.append(
            "No stations given: one illustrative base at the centre of the district is used."
        )
    if files.boundary is not None:
        west, south, east, north = (float(v) for v in boundary_frame.to_crs(4326).total_bounds)
        check_layers_fit(
            f"the boundary {Path(files.boundary).name}",
            (west, south, east, north),
            {
                Path(files.stations).name if files.stations else "stations": stations,
                Path(files.areas).name if files.areas else "areas": areas,
            },
        )
    if files.network is None:
        notes.append(
            "No street network given: travel times are straight-line estimates "
            "(distance x 1.3 / speed)."
        )
    for note in notes:
        say(note)
    return district_from_layers(
        files.name or Path(files.incidents).stem,
        boundary=boundary_frame,
        incidents=incidents,
        stations=stations,
        areas=areas,
        network_path=files.network,
        timezone=timezone,
        notes=tuple(notes),
    )
