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

from api.service.models import Area, Incident, IncidentDataset
from geo import sample
from geo.crs import local_crs
from geo.district import District, district_from_layers
from geo.errors import GeoInputError, GeoInputWarning, Problem
from geo.io import read_areas, read_boundary, read_incidents, read_stations
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
        outline = read_boundary(_write_json(folder, "boundary.geojson", boundary))
        merged = outline.to_crs(WGS84).union_all()
        if stations is not None:
            station_frame = read_stations(_write_json(folder, "stations.geojson", stations))
        else:
            working = local_crs(outline)
            centre = outline.to_crs(working).union_all().representative_point()
            station_frame = gpd.GeoDataFrame(
                {STATION_ID: ["base"], STATION_NAME: ["Base (centre)"], ILLUSTRATIVE: [True]},
                geometry=[centre],
                crs=working,
            )
        areas_frame = None
        if official_areas is not None:
            areas_frame = read_areas(_write_json(folder, "official_areas.geojson", official_areas))
    return {
        "timezone": timezone,
        "boundary": mapping(merged),
        "stations": feature_collection(
            station_frame[[STATION_ID, STATION_NAME, ILLUSTRATIVE, "geometry"]]
        ),
        "official_areas": (
            feature_collection(areas_frame[[AREA_ID, AREA_NAME, POPULATION, "geometry"]])
            if areas_frame is not None
            else None
        ),
        "network_path": None,
        "sample": None,
    }


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


def network_path_of(area: Area) -> Path | None:
    """The street network file of an area; a sample's is found again if the install moved."""
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


def district_of(
    area: Area,
    incidents: gpd.GeoDataFrame,
    *,
    with_network: bool = True,
    notes: tuple[str, ...] = (),
) -> District:
    """The district of an area with the given incidents (and ``notes`` about its data, e.g.
    :func:`dataset_notes`), in its working CRS."""
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
        network_path=network_path_of(area) if with_network else None,
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
