"""Between stored rows and the ``geo`` layer: areas, incidents and districts.

Areas keep their layers as GeoJSON in EPSG:4326; incidents as rows with ``lon``/``lat`` and a
UTC time. This module turns uploads and samples into those rows (checked by ``geo.io``, so
problems name the file, row and column) and turns rows back into a
:class:`geo.district.District` for the pipeline.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import tempfile
import warnings
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.models import Area, Incident, IncidentDataset, NetworkFile
from geo import sample
from geo.crs import local_crs
from geo.district import District, district_from_layers
from geo.errors import GeoInputError, GeoInputWarning, Problem
from geo.io import read_areas, read_boundary, read_duties, read_incidents, read_stations
from geo.io.common import check_timezone
from geo.schema import (
    AREA_ID,
    AREA_NAME,
    CATEGORY,
    ILLUSTRATIVE,
    INCIDENT_ID,
    OCCURRED_AT,
    POPULATION,
    SOURCE_ROW,
    STATION_ID,
    STATION_NAME,
    TIME_KNOWN,
    WEIGHT,
)

WGS84 = "EPSG:4326"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+")


def safe_filename(name: str | None, default: str = "upload.csv") -> str:
    """The base name of an uploaded file with unusual characters replaced (kept for messages)."""
    base = Path(name or "").name.strip()
    base = _SAFE_NAME.sub("_", base)[:200].strip("._") or default
    return base


def feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A GeoDataFrame as a GeoJSON FeatureCollection in EPSG:4326 (NaN as null)."""
    if len(frame) == 0:
        return {"type": "FeatureCollection", "features": []}
    out = frame.to_crs(WGS84)
    text = out.to_json(na="null", drop_id=True, to_wgs84=False)
    data: dict[str, Any] = json.loads(text)
    data.pop("crs", None)
    return data


def frame_from_features(collection: dict[str, Any] | None) -> gpd.GeoDataFrame:
    """A stored FeatureCollection back as a GeoDataFrame in EPSG:4326."""
    features = (collection or {}).get("features") or []
    if not features:
        return gpd.GeoDataFrame(geometry=[], crs=WGS84)
    return gpd.GeoDataFrame.from_features(features, crs=WGS84)


def _write_json(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def check_timezone_name(timezone: str, argument: str = "timezone") -> None:
    from geo.io.common import RowIssues

    issues = RowIssues(argument, 0)
    check_timezone(timezone, issues)
    issues.raise_if_any(f"{argument} cannot be used")


def area_layers_from_sample(name: str) -> tuple[dict[str, Any], gpd.GeoDataFrame]:
    """The stored fields of an area made from embedded sample ``name``, and its incidents.

    Raises
    ------
    geo.errors.SampleNotFoundError
        For an unknown sample.
    """
    fields, incidents = _sample_layers(name)
    return copy.deepcopy(fields), incidents.copy()


@functools.lru_cache(maxsize=4)
def _sample_layers(name: str) -> tuple[dict[str, Any], gpd.GeoDataFrame]:
    """Samples are embedded, read-only data: read each once per process."""
    district = sample.load(name)
    fields: dict[str, Any] = {
        "timezone": district.timezone,
        "boundary": mapping(gpd.GeoSeries([district.boundary], crs=district.crs).to_crs(WGS84)[0]),
        "stations": feature_collection(district.stations),
        "official_areas": feature_collection(district.areas) if len(district.areas) else None,
        "network_path": str(district.network_path) if district.network_path else None,
        "sample": name,
    }
    return fields, district.incidents.to_crs(WGS84)


def sample_dataset_filename(name: str) -> str:
    """The ``filename`` of the dataset made from sample ``name``'s own incidents."""
    return f"{name} (embedded sample)"


@functools.lru_cache(maxsize=4)
def _sample_notes(name: str) -> tuple[str, ...]:
    return sample.load(name).notes


def dataset_notes(area: Area, dataset: IncidentDataset) -> tuple[str, ...]:
    """The notes a plan of ``dataset`` must carry about its data: a sample's own notes
    (``gridpatrol plan --sample`` prints the same) when the dataset is the sample's own
    incidents in the sample's area; none for uploads, which the notes do not describe."""
    if area.sample and dataset.filename == sample_dataset_filename(area.sample):
        return _sample_notes(area.sample)
    return ()


def area_layers_from_geojson(
    *,
    timezone: str,
    boundary: dict[str, Any],
    stations: dict[str, Any] | None,
    official_areas: dict[str, Any] | None,
) -> dict[str, Any]:
    """The stored fields of an area from posted GeoJSON, checked by the ``geo`` readers.

    Raises
    ------
    GeoInputError
        With every problem of the boundary, stations or official areas (source ``boundary``,
        ``stations``, ``official_areas``).
    """
    check_timezone_name(timezone)
    if boundary.get("type") not in ("FeatureCollection", "Feature"):
        boundary = {"type": "Feature", "geometry": boundary, "properties": {}}
    with tempfile.TemporaryDirectory(prefix="gridpatrol-area-") as tmp:
        folder = Path(tmp)
        return area_layers_from_files(
            timezone=timezone,
            boundary=_write_json(folder, "boundary.geojson", boundary),
            stations=(
                _write_json(folder, "stations.geojson", stations) if stations is not None else None
            ),
            official_areas=(
                _write_json(folder, "official_areas.geojson", official_areas)
                if official_areas is not None
                else None
            ),
        )


def centre_station(outline: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One illustrative station at the centre of an outline (until real stations come)."""
    working = local_crs(outline)
    centre = outline.to_crs(working).union_all().representative_point()
    return gpd.GeoDataFrame(
        {STATION_ID: ["base"], STATION_NAME: ["Base (centre)"], ILLUSTRATIVE: [True]},
        geometry=[centre],
        crs=working,
    )


def stations_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """Stations (``geo.io.read_stations``) as the stored FeatureCollection."""
    return feature_collection(frame[[STATION_ID, STATION_NAME, ILLUSTRATIVE, "geometry"]])


def areas_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """Official areas (``geo.io.read_areas``) as the stored FeatureCollection."""
    return feature_collection(frame[[AREA_ID, AREA_NAME, POPULATION, "geometry"]])


def area_layers_from_files(
    *,
    timezone: str,
    boundary: Path,
    stations: Path | None = None,
    official_areas: Path | None = None,
) -> dict[str, Any]:
    """The stored fields of an area from files (GeoJSON, GeoPackage, zipped Shapefile, KML
    for the boundary; the stations and official areas as their readers take them).

    Raises
    ------
    GeoInputError
        With every problem of each file (named by the file).
    """
    check_timezone_name(timezone)
    outline = read_boundary(boundary)
    merged = outline.to_crs(WGS84).union_all()
    station_frame = read_stations(stations) if stations is not None else centre_station(outline)
    areas_frame = read_areas(official_areas) if official_areas is not None else None
    files = {"boundary": boundary.name}
    if stations is not None:
        files["stations"] = stations.name
    if official_areas is not None:
        files["official_areas"] = official_areas.name
    return {
        "timezone": timezone,
        "boundary": mapping(merged),
        "stations": stations_collection(station_frame),
        "official_areas": areas_collection(areas_frame) if areas_frame is not None else None,
        "network_path": None,
        "sample": None,
        "layer_files": files,
    }


def _outline_of(area: Area) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shape(area.boundary)], crs=WGS84)


def official_areas_from_file(
    path: Path,
    *,
    id_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
) -> tuple[dict[str, Any], int]:
    """An official grid file (cells with ids, names and population) as the stored
    FeatureCollection, and how many cells have a population.

    Raises
    ------
    GeoInputError
        With every problem of the file (``geo.io.read_areas``).
    """
    frame = read_areas(
        path, id_field=id_field, name_field=name_field, population_field=population_field
    )
    with_population = int(pd.to_numeric(frame[POPULATION], errors="coerce").notna().sum())
    return areas_collection(frame.to_crs(WGS84)), with_population


def stations_from_file(path: Path) -> dict[str, Any]:
    """A stations file as the stored FeatureCollection (``geo.io.read_stations``)."""
    return stations_collection(read_stations(path))


def duties_from_file(path: Path, area: Area) -> dict[str, Any]:
    """An area's duties file checked against its outline and time zone, stored as it was
    sent (``{"filename", "count", "kinds", "csv" | "geojson"}``), so a plan reads it exactly as
    ``duties_csv`` / ``duties_geojson`` of a request.

    Raises
    ------
    GeoInputError
        With every problem (row, column; places outside the area).
    """
    from geo.io.common import decode_text

    duties = read_duties(path, timezone=area.timezone, boundary=_outline_of(area))
    stored: dict[str, Any] = {
        "filename": path.name,
        "count": len(duties),
        "kinds": dict(sorted(Counter(str(k) for k in duties["kind"]).items())),
    }
    text = decode_text(path.read_bytes(), path.name)
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        stored["csv"] = text
    else:
        stored["geojson"] = json.loads(text)
    return stored


def duty_request_fields(area: Area) -> dict[str, Any]:
    """The area's duties as the request fields a plan reads them from (none: empty)."""
    duties = area.duties or {}
    if "csv" in duties:
        return {"duties_csv": duties["csv"]}
    if "geojson" in duties:
        return {"duties_geojson": duties["geojson"]}
    return {}


def station_ids_of(area: Area) -> list[str]:
    """The ids of an area's stations, sorted, read from the stored GeoJSON (no GeoDataFrame)."""
    features = (area.stations or {}).get("features") or []
    ids = {(f.get("properties") or {}).get(STATION_ID) for f in features}
    return sorted(str(i) for i in ids if i is not None)


def units_from_file(path: Path, area: Area) -> tuple[str, int]:
    """An area's units file checked against its stations; its text and unit count.

    Raises
    ------
    GeoInputError
        With every problem, located in the file by row and column.
    """
    from api.inputs import read_units
    from geo.io.common import decode_text

    units = read_units(path, stations=station_ids_of(area))
    return decode_text(path.read_bytes(), path.name), len(units)


#: Largest population of one official area that is believed (people).
MAX_AREA_POPULATION = 100_000_000


def set_population(area: Area, population: dict[str, float | None]) -> dict[str, Any]:
    """The area's official areas with ``population`` (by area id; ``None`` = unknown) set.

    Raises
    ------
    GeoInputError
        Unknown area ids, or values that are negative, not finite or above
        :data:`MAX_AREA_POPULATION`; every problem is named (source ``population``).
    """
    collection = copy.deepcopy(area.official_areas or {"type": "FeatureCollection", "features": []})
    features = collection.get("features") or []
    by_id = {str((f.get("properties") or {}).get(AREA_ID)): f for f in features}
    problems: list[Problem] = []
    if not features:
        problems.append(
            Problem(
                "population",
                f"area {area.name!r} has no official areas to give a population; upload its "
                "official grid first (PUT /areas/{id}/official-areas)",
            )
        )
    for key, value in population.items():
        if key not in by_id and features:
            known = ", ".join(sorted(by_id)[:10])
            problems.append(
                Problem(
                    "population",
                    f"no official area has id {key!r}; expected one of {known}",
                    column=key,
                )
            )
        elif value is not None and not (0 <= value <= MAX_AREA_POPULATION):
            problems.append(
                Problem(
                    "population",
                    f"expected a number of people from 0 to {MAX_AREA_POPULATION}",
                    column=key,
                    value=str(value),
                )
            )
    if problems:
        raise GeoInputError(problems, "the population cannot be used")
    for key, value in population.items():
        by_id[key].setdefault("properties", {})[POPULATION] = value
    return collection


def read_upload(
    path: Path,
    area: Area,
    *,
    timezone: str | None,
    crs: str | None,
    columns: str | None = None,
    datetime_format: str | None = None,
    sheet: str | None = None,
    keep_valid: bool = False,
) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Read an uploaded incident file with ``geo.io.read_incidents`` against the area's outline.

    ``path`` carries the upload's original (sanitised, :func:`safe_filename`) name, so the
    problems name the file the user sent. ``columns`` is ``role=column,...`` text; messages
    name the request fields that fix them.

    Returns
    -------
    incidents, rejected
        The incidents, and with ``keep_valid`` the rows left out, each as
        ``{"row": ..., "reasons": ...}`` (empty otherwise).

    Raises
    ------
    GeoInputError
        With every problem (file, row, column, value).
    """
    from api.district_loader import parse_columns
    from geo.io.advice import SERVICE_ADVICE

    try:
        roles = parse_columns(columns, argument="columns")
    except ValueError as exc:
        raise GeoInputError([Problem("columns", str(exc), value=columns)]) from None
    outline = gpd.GeoDataFrame(geometry=[shape(area.boundary)], crs=WGS84)
    rejected_path = path.with_name(path.name + ".rejected.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeoInputWarning)  # the rejected rows are returned
        frame = read_incidents(
            path,
            columns=roles,
            crs=crs,
            timezone=timezone or area.timezone,
            boundary=outline,
            datetime_format=datetime_format,
            sheet=sheet,
            keep_valid=keep_valid,
            rejected_path=rejected_path if keep_valid else None,
            advice=SERVICE_ADVICE,
        )
    rejected: list[dict[str, Any]] = []
    if keep_valid and rejected_path.exists():
        table = pd.read_csv(rejected_path, usecols=["source_row", "reasons"], dtype=str)
        rejected = [
            {"row": int(row), "reasons": str(reasons)}
            for row, reasons in zip(table["source_row"], table["reasons"], strict=True)
        ]
    return frame.to_crs(WGS84), rejected


def incident_rows(incidents: gpd.GeoDataFrame, dataset_id: int) -> list[dict[str, Any]]:
    """Rows for the ``incidents`` table (only place, time, category, weight, source row)."""
    frame = incidents.to_crs(WGS84)
    utc = pd.to_datetime(frame[OCCURRED_AT], utc=True).dt.tz_localize(None)
    lon = frame.geometry.x.to_numpy()
    lat = frame.geometry.y.to_numpy()
    ids = frame[INCIDENT_ID].astype(str).to_numpy()
    categories = frame[CATEGORY].astype(str).to_numpy()
    weights = frame[WEIGHT].astype(float).to_numpy()
    known = frame[TIME_KNOWN].astype(bool).to_numpy()
    rows_in_file = (
        frame[SOURCE_ROW].astype(int).to_numpy()
        if SOURCE_ROW in frame
        else np.arange(1, len(frame) + 1)
    )
    when = utc.dt.to_pydatetime()
    return [
        {
            "dataset_id": dataset_id,
            "incident_id": str(ids[i])[:200],
            "occurred_at": when[i],
            "time_known": bool(known[i]),
            "category": str(categories[i])[:200],
            "weight": float(weights[i]),
            "source_row": int(rows_in_file[i]),
            "lon": float(lon[i]),
            "lat": float(lat[i]),
            "geom": f"POINT ({float(lon[i])!r} {float(lat[i])!r})",
        }
        for i in range(len(frame))
    ]


def dataset_summary(incidents: gpd.GeoDataFrame) -> dict[str, Any]:
    """Row count, time span (UTC) and counts per category of an incident table."""
    utc = pd.to_datetime(incidents[OCCURRED_AT], utc=True)
    first: datetime | None = None
    last: datetime | None = None
    if len(utc):
        first = utc.min().tz_localize(None).to_pydatetime()
        last = utc.max().tz_localize(None).to_pydatetime()
    counts = Counter(str(c) for c in incidents[CATEGORY])
    return {
        "row_count": len(incidents),
        "first_at": first,
        "last_at": last,
        "categories": dict(sorted(counts.items())),
    }


def load_incidents(session: Session, dataset_id: int, timezone: str) -> gpd.GeoDataFrame:
    """The incidents of a dataset as ``Incidents`` (EPSG:4326, local times in ``timezone``)."""
    rows = session.execute(
        select(
            Incident.incident_id,
            Incident.occurred_at,
            Incident.time_known,
            Incident.category,
            Incident.weight,
            Incident.source_row,
            Incident.lon,
            Incident.lat,
        )
        .where(Incident.dataset_id == dataset_id)
        .order_by(Incident.id)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            INCIDENT_ID,
            OCCURRED_AT,
            TIME_KNOWN,
            CATEGORY,
            WEIGHT,
            SOURCE_ROW,
            "lon",
            "lat",
        ],
    )
    frame[OCCURRED_AT] = pd.to_datetime(frame[OCCURRED_AT], utc=True).dt.tz_convert(timezone)
    frame[TIME_KNOWN] = frame[TIME_KNOWN].astype(bool)
    frame[WEIGHT] = frame[WEIGHT].astype(float)
    geometry = gpd.points_from_xy(frame.pop("lon"), frame.pop("lat"))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)


def osm_folder() -> Path:
    """Where uploaded OSM files are written on this machine: ``osm`` beside the street
    network cache (``$GRIDPATROL_CACHE_DIR`` or the user cache directory), one folder per
    file's SHA-256."""
    from geo.network.cache import cache_dir

    return cache_dir().parent / "osm"


def network_file_path(session: Session, sha256: str) -> Path:
    """The local path of stored OSM file ``sha256``, written from the database if this machine
    does not have it yet (temporary file, then rename: safe with concurrent jobs).

    Raises
    ------
    ValueError
        When the database has no such file (deleted meanwhile).
    """
    head = session.execute(
        select(NetworkFile.filename, NetworkFile.size_bytes).where(NetworkFile.sha256 == sha256)
    ).first()
    if head is None:
        raise ValueError(
            f"the area's street network file {sha256[:12]} is no longer stored; upload the "
            "OSM file again (PUT /areas/{id}/network)"
        )
    folder = osm_folder() / sha256
    path = folder / head.filename
    if path.is_file() and path.stat().st_size == head.size_bytes:
        return path  # this machine has it: the bytes are not read from the database
    data = session.scalar(select(NetworkFile.data).where(NetworkFile.sha256 == sha256))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data or b"")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def network_path_of(area: Area, session: Session | None = None) -> Path | None:
    """The street network file of an area: its uploaded OSM file (written locally from the
    database when ``session`` is given), else a sample's file (found again if the install
    moved)."""
    if area.network_sha256 and session is not None:
        return network_file_path(session, area.network_sha256)
    if area.network_path:
        path = Path(area.network_path)
        if path.exists():
            return path
        if area.sample:
            moved = sample.data_dir(area.sample) / path.name
            if moved.exists():
                return moved
        return path
    return None


def has_network(area: Area) -> bool:
    """Whether plans of the area route on streets (an uploaded OSM file or a sample's)."""
    return bool(area.network_sha256 or area.network_path)


#: Suffixes of the OSM extracts an area accepts.
OSM_UPLOAD_SUFFIXES = (".osm", ".pbf")


def check_network_file(path: Path, area: Area) -> dict[str, Any]:
    """Build every mode's street network from an uploaded OSM file (into the shared network
    cache) and check that it covers the area; a summary of what it holds.

    Returns
    -------
    dict
        ``{"modes": {mode: {"nodes", "edges"}}, "unusable": {mode: reason},
        "nodes_inside": share of the foot (else first) network's nodes inside the area}``.

    Raises
    ------
    GeoInputError
        (source: the file's name) Unreadable, no usable streets for any mode, or no street
        inside the area's boundary.
    """
    from shapely import contains_xy

    from geo.errors import NetworkError
    from geo.network import load_networks
    from geo.network.modes import Mode

    networks: dict[str, Any] = {}
    unusable: dict[str, str] = {}
    try:
        built = load_networks(path)
        networks = {str(m.value): n for m, n in built.items()}
    except NetworkError as whole:
        for mode in Mode:
            try:
                networks[str(mode.value)] = load_networks(path, modes=(mode,))[mode]
            except NetworkError as exc:
                unusable[str(mode.value)] = str(exc)
        if not networks:
            raise GeoInputError(
                [
                    Problem(
                        path.name,
                        f"{whole}; expected an OSM extract (.osm or .osm.pbf) with streets",
                    )
                ],
                f"{path.name} cannot be used as the street network",
            ) from None
    first = networks.get("foot") or next(iter(networks.values()))
    outline = gpd.GeoSeries([shape(area.boundary)], crs=WGS84).to_crs(first.crs)[0]
    inside = contains_xy(outline, first.node_x_m, first.node_y_m)
    share = float(inside.mean()) if len(inside) else 0.0
    if not inside.any():
        raise GeoInputError(
            [
                Problem(
                    path.name,
                    f"none of the {len(inside)} street nodes is inside area {area.name!r}; "
                    "expected an OSM extract that covers the area's boundary (cut it with "
                    "osmium extract --polygon boundary.geojson)",
                )
            ],
            f"{path.name} does not cover the area",
        )
    return {
        "modes": {
            mode: {"nodes": int(len(n.node_ids)), "edges": int(n.graph.number_of_edges())}
            for mode, n in networks.items()
        },
        "unusable": unusable,
        "nodes_inside": round(share, 4),
    }


def store_network_file(session: Session, path: Path, summary: dict[str, Any]) -> NetworkFile:
    """Add the checked OSM file at ``path`` to ``session`` by its SHA-256 (kept once)."""
    from geo.network.cache import file_sha256

    sha = file_sha256(path)
    record = session.get(NetworkFile, sha)  # the same file uploaded again: kept once
    if record is None:
        record = NetworkFile(
            sha256=sha,
            filename=path.name,
            size_bytes=path.stat().st_size,
            summary=summary,
            data=path.read_bytes(),
        )
        session.add(record)
    return record


def district_of(
    area: Area,
    incidents: gpd.GeoDataFrame,
    *,
    with_network: bool = True,
    notes: tuple[str, ...] = (),
    session: Session | None = None,
) -> District:
    """The district of an area with the given incidents (and ``notes`` about its data, e.g.
    :func:`dataset_notes`), in its working CRS. With ``session`` an uploaded street network
    is written to this machine if needed (:func:`network_file_path`)."""
    boundary = gpd.GeoDataFrame(geometry=[shape(area.boundary)], crs=WGS84)
    stations = frame_from_features(area.stations)
    if STATION_ID in stations:
        stations[STATION_ID] = stations[STATION_ID].astype(str)
    areas = frame_from_features(area.official_areas) if area.official_areas else None
    if areas is not None and len(areas):
        areas[AREA_ID] = areas[AREA_ID].astype(str)
        if POPULATION in areas:
            areas[POPULATION] = pd.to_numeric(areas[POPULATION], errors="coerce")
    else:
        areas = None
    return district_from_layers(
        area.name,
        boundary=boundary,
        incidents=incidents,
        stations=stations,
        areas=areas,
        network_path=network_path_of(area, session) if with_network else None,
        timezone=area.timezone,
        notes=notes,
    )


def empty_dataset_problem(source: str) -> GeoInputError:
    """The error of an upload without any file content."""
    return GeoInputError([Problem(source, "the file is empty; expected incident rows")])


def create_dataset(
    session: Session,
    *,
    area: Area,
    name: str,
    filename: str,
    incidents: gpd.GeoDataFrame,
    created_by_id: int | None,
) -> IncidentDataset:
    """Add a dataset and all its incident rows to ``session`` (the caller's transaction)."""
    summary = dataset_summary(incidents)
    dataset = IncidentDataset(
        area_id=area.id,
        name=name,
        filename=filename,
        created_by_id=created_by_id,
        **summary,
    )
    session.add(dataset)
    session.flush()
    rows = incident_rows(incidents, dataset.id)
    if rows:
        from sqlalchemy import insert

        for start in range(0, len(rows), 5000):
            session.execute(insert(Incident), rows[start : start + 5000])
    return dataset
