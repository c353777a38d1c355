"""Reading patrol stations (bases units start and end their shifts at) from CSV or GeoJSON.

Stations are few and typed by hand, so the checks are strict: every station needs a unique id
and a position; ``illustrative`` marks bases placed for a sample rather than real ones.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.io.common import (
    WGS84,
    RowIssues,
    bool_column,
    check_lonlat,
    duplicated_ids,
    find_column,
    is_text_table,
    list_columns,
    numeric_column,
    project_to_lonlat,
    read_text_table,
    read_vector,
    source_name,
)
from geo.schema import GEOMETRY, ILLUSTRATIVE, STATION_COLUMNS, STATION_ID, STATION_NAME

LON_CANDIDATES = ("lon", "lng", "long", "longitude", "经度")
LAT_CANDIDATES = ("lat", "latitude", "纬度")
ID_CANDIDATES = (
    STATION_ID,
    "id",
    "station",
    "站点编号",
    "派出所编号",
    "警务站编号",
    "单位编号",
    "编号",
    "代码",
)
NAME_CANDIDATES = (
    STATION_NAME,
    "station_name",
    "名称",
    "站点名称",
    "派出所名称",
    "派出所",
    "警务站",
    "单位名称",
    "单位",
)


def read_stations(path: Path | str) -> gpd.GeoDataFrame:
    """Read and check a station file; return stations in EPSG:4326.

    Parameters
    ----------
    path
        CSV with ``station_id``, ``name``, ``lat``, ``lon`` and optionally ``illustrative``
        (true/false) and other columns; or a GeoJSON/GeoPackage of points with those
        properties.

    Returns
    -------
    geopandas.GeoDataFrame
        ``station_id`` (str), ``name`` (str; the id when not given), ``illustrative``
        (bool, False when not given), geometry, then the other source columns (e.g. ``note``).

    Raises
    ------
    GeoInputError
        With every problem: missing columns, missing or duplicate ids, bad or swapped
        coordinates, non-point geometry, values of ``illustrative`` that are not yes/no.
    """
    path = Path(path)
    source = source_name(path)
    vector = not is_text_table(path)
    if vector:
        frame: pd.DataFrame = read_vector(path)
        columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    else:

        def text_columns(header: list[str]) -> list[str]:
            wanted = [find_column(header, ID_CANDIDATES), find_column(header, NAME_CANDIDATES)]
            wanted += [find_column(header, LON_CANDIDATES), find_column(header, LAT_CANDIDATES)]
            return [c for c in wanted if c is not None]

        frame = read_text_table(path, text_columns=text_columns)
        columns = [str(c) for c in frame.columns]
    issues = RowIssues(source, len(frame))
    id_column = find_column(columns, ID_CANDIDATES)
    name_column = find_column(columns, NAME_CANDIDATES, exclude=[id_column] if id_column else [])
    flag_column = find_column(columns, (ILLUSTRATIVE,))
    if id_column is None:
        issues.add_file(
            "no station_id column: expected one named "
            + ", ".join(ID_CANDIDATES)
            + f"; columns are: {list_columns(columns)}"
        )
        ids = pd.Series(np.arange(1, len(frame) + 1), index=frame.index).astype("str")
    else:
        ids = frame[id_column].astype("str").str.strip()
        ids = ids.where(ids != "")
        issues.add_rows(
            ids.isna().to_numpy(), column=id_column, message="station_id is missing; expected one"
        )
        duplicated_ids(ids, issues, column=id_column)
    if name_column is not None:
        names = frame[name_column].astype("str").str.strip()
        names = names.where(names != "").fillna(ids)
    else:
        names = ids
    illustrative = (
        bool_column(frame[flag_column], issues, column=flag_column)
        if flag_column is not None
        else np.zeros(len(frame), dtype=bool)
    )
    if isinstance(frame, gpd.GeoDataFrame):
        lon, lat = _from_geometry(frame, issues)
    else:
        lon_column = find_column(columns, LON_CANDIDATES)
        lat_column = find_column(columns, LAT_CANDIDATES)
        if lon_column is None or lat_column is None:
            issues.add_file(
                "no lat/lon columns; expected 'lat' and 'lon' (or latitude/longitude, 纬度/经度); "
                f"columns are: {list_columns(columns)}"
            )
            lon = lat = np.full(len(frame), np.nan)
        else:
            lon = numeric_column(frame, lon_column, issues, expected="a longitude in degrees")
            lat = numeric_column(frame, lat_column, issues, expected="a latitude in degrees")
            check_lonlat(lon, lat, issues, lon_column=lon_column, lat_column=lat_column)
    issues.raise_if_any(f"{source} cannot be used as stations")
    used = {id_column, name_column, flag_column}
    if not isinstance(frame, gpd.GeoDataFrame):
        used |= {find_column(columns, LON_CANDIDATES), find_column(columns, LAT_CANDIDATES)}
    extras = pd.DataFrame(frame[[c for c in columns if c not in used and c not in STATION_COLUMNS]])
    table = pd.DataFrame(
        {
            STATION_ID: ids.astype("str"),
            STATION_NAME: names.astype("str"),
            ILLUSTRATIVE: illustrative,
        },
        index=frame.index,
    )
    table = pd.concat([table, extras], axis=1).reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


def _from_geometry(frame: gpd.GeoDataFrame, issues: RowIssues) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude of point features (missing or non-point geometry is a problem)."""
    import shapely

    n = len(frame)
    geometry = np.asarray(frame.geometry.array, dtype=object)
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    issues.add_rows(missing, column=GEOMETRY, message="geometry is missing; expected a point")
    kinds = shapely.get_type_id(geometry)
    not_point = ~missing & (kinds != int(shapely.GeometryType.POINT))
    issues.add_rows(
        not_point,
        column=GEOMETRY,
        message=[
            f"geometry is a {shapely.GeometryType(int(k)).name.title()}; expected a Point"
            for k in kinds[not_point]
        ],
    )
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    points = ~missing & ~not_point
    x[points] = shapely.get_x(geometry[points])
    y[points] = shapely.get_y(geometry[points])
    if frame.crs is None:
        issues.add_file("the file has no CRS; expected one (or use GeoJSON, always EPSG:4326)")
        return x, y
    lon, lat = project_to_lonlat(x, y, frame.crs, issues, x_column=GEOMETRY, y_column=GEOMETRY)
    check_lonlat(lon, lat, issues, lon_column=GEOMETRY, lat_column=GEOMETRY)
    return lon, lat
