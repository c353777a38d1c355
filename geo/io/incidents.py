"""Reading incident files (CSV, GeoJSON, GeoPackage, zipped Shapefile) into ``Incidents``.

Columns are auto-detected (or named with :class:`IncidentColumns`), dates are parsed in
vectorised passes, and every problem in the file is reported at once, with its row and column.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo.errors import GeoInputError, GeoInputWarning
from geo.io.advice import LIBRARY_ADVICE, Advice
from geo.io.common import (
    WGS84,
    RowIssues,
    boundary_lonlat,
    check_lonlat,
    check_timezone,
    crs_label,
    duplicated_ids,
    find_column,
    is_text_table,
    list_columns,
    numeric_column,
    parse_crs,
    parse_datetimes,
    parse_times_of_day,
    project_to_lonlat,
    read_text_table,
    read_vector,
    source_name,
    write_rejected,
)
from geo.schema import (
    CATEGORY,
    GEOMETRY,
    INCIDENT_COLUMNS,
    INCIDENT_ID,
    OCCURRED_AT,
    SOURCE_ROW,
    TIME_KNOWN,
    WEIGHT,
)


@dataclass(frozen=True)
class IncidentColumns:
    """Names of the source columns to use, overriding auto-detection (``None``: detect).

    Attributes
    ----------
    lon, lat
        Longitude and latitude in degrees (EPSG:4326 unless ``crs`` says otherwise).
    x, y
        Projected coordinates; need the ``crs`` argument.
    datetime
        Date and time in one column.
    date, time, hour
        Date, with an optional time-of-day column or an hour column (0-23).
    year, month, day, minute
        Date parts in separate columns (open-data exports), with ``hour`` and ``minute``
        optional; used when there is no date column.
    category, id, weight
        Incident category (one category for the whole file when absent), unique id, and
        weight (default 1.0).
    """

    lon: str | None = None
    lat: str | None = None
    x: str | None = None
    y: str | None = None
    datetime: str | None = None
    date: str | None = None
    time: str | None = None
    hour: str | None = None
    category: str | None = None
    id: str | None = None
    weight: str | None = None
    # last, so positional use of the fields above keeps working
    year: str | None = None
    month: str | None = None
    day: str | None = None
    minute: str | None = None


#: The category of every incident of a file without a category column.
DEFAULT_CATEGORY = "all"
DATE_PART_ROLES = ("year", "month", "day", "hour", "minute")


# Names tried in order (case-insensitive) when a column is not given.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "x": ("x", "easting", "x_coord", "xcoord", "point_x"),
    "y": ("y", "northing", "y_coord", "ycoord", "point_y"),
    "datetime": (
        "datetime",
        "date_time",
        "occurred_at",
        "occurred",
        "timestamp",
        "occ_datetime",
        "发生时间",
        "案发时间",
        "报警时间",
        "时间",
    ),
    "date": ("date", "occ_date", "occurred_date", "incident_date", "日期", "案发日期", "发案日期"),
    "time": ("time", "occ_time", "occurred_time", "incident_time", "时刻"),
    "hour": ("hour", "occ_hour", "hr", "小时", "时"),
    "year": ("year", "occ_year", "yr", "年", "年份"),
    "month": ("month", "occ_month", "mo", "月", "月份"),
    "day": ("day", "occ_day", "day_of_month", "日"),
    "minute": ("minute", "occ_minute", "min", "分", "分钟"),
    "category": (
        "category",
        "type",
        "offence",
        "offense",
        "crime_type",
        "offence_type",
        "offense_type",
        "incident_type",
        "crime",
        "类别",
        "案件类别",
        "警情类别",
        "类型",
        "案由",
        "案件类型",
        "警情类型",
        "案别",
        "案件性质",
        "警情性质",
    ),
    "id": ("incident_id", "id", "event_id", "case_id", "case_number", "编号", "警情编号"),
    "weight": ("weight", "权重"),
}


def _resolve(
    columns: list[str],
    given: IncidentColumns,
    issues: RowIssues,
    *,
    vector: bool,
    advice: Advice = LIBRARY_ADVICE,
) -> dict[str, str | None]:
    """Map each role (lon, lat, date, ...) to a source column, recording what is missing.

    Date parts (year, month, day, hour, minute) are kept only when there is no date column;
    a missing category column is not a problem (one category for the whole file).
    """
    found: dict[str, str | None] = {}
    for role in (f.name for f in fields(IncidentColumns)):
        name = getattr(given, role)
        if name is not None and name not in columns:
            issues.add_file(
                f"column {name!r} given for {role} ({advice.columns(**{role: name})}) is not "
                f"in the file; columns are: {list_columns(columns)}",
                column=name,
            )
            name = None
        elif name is None:
            name = find_column(columns, CANDIDATES[role], exclude=[c for c in found.values() if c])
        found[role] = name
    available = list_columns(columns)
    if vector:
        for role in ("lon", "lat", "x", "y"):
            if getattr(given, role) is not None:
                issues.add_file(
                    f"a {role} column is for text tables; a vector file's points come from its "
                    "geometry (expected no coordinate columns)"
                )
            found[role] = None
    elif found["lon"] and found["lat"]:
        found["x"] = found["y"] = None
    elif found["x"] and found["y"]:
        found["lon"] = found["lat"] = None
    else:
        have = [found[r] for r in ("lon", "lat", "x", "y") if found[r]]
        issues.add_file(
            "no coordinate columns: expected lon/lat (also longitude/latitude, lng, 经度/纬度) "
            f"or x/y with {advice.crs('EPSG:xxxx')}, or name them with "
            f"{advice.columns(lat='...', lon='...')}; found only "
            f"{list_columns(have) if have else 'none'} among the columns {available}"
        )
        found["lon"] = found["lat"] = found["x"] = found["y"] = None
    given_time = given.datetime or given.date or given.time or given.hour
    if found["datetime"] and (found["date"] or found["time"] or found["hour"]):
        if given_time and not given.datetime:
            found["datetime"] = None  # the caller chose date/time columns explicitly
        else:
            found["date"] = found["time"] = found["hour"] = None
    if found["time"] and found["hour"]:
        found["hour"] = None if given.hour is None else found["hour"]
        found["time"] = None if found["hour"] else found["time"]
    parts_given = any(getattr(given, r) for r in ("year", "month", "day", "minute"))
    has_parts = all(found[r] for r in ("year", "month", "day"))
    if (found["datetime"] or found["date"]) and not parts_given:
        found["year"] = found["month"] = found["day"] = found["minute"] = None
    elif has_parts:
        found["datetime"] = found["date"] = found["time"] = None
    else:
        found["year"] = found["month"] = found["day"] = found["minute"] = None
    if not found["datetime"] and not found["date"] and not found["year"]:
        issues.add_file(
            "no date column: expected one named date, datetime, occurred_at, timestamp, "
            "日期 or 时间, or date parts in columns year, month, day (hour, minute optional; "
            f"also 年/月/日/时/分); name it with {advice.columns(date='...')}; "
            f"columns are: {available}"
        )
    return found


def _occurred_at(
    frame: pd.DataFrame,
    found: dict[str, str | None],
    issues: RowIssues,
    *,
    timezone: str,
    datetime_format: str | None,
    advice: Advice,
) -> tuple[pd.Series, np.ndarray]:
    """Occurrence instants in ``timezone`` and the time-known mask."""
    n = len(frame)
    empty = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    if found["year"]:
        return _from_date_parts(frame, found, issues, timezone=timezone)
    if found["datetime"]:
        column = found["datetime"]
    elif found["date"]:
        column = found["date"]
    else:
        return empty.dt.tz_convert(timezone), np.zeros(n, dtype=bool)
    parsed = parse_datetimes(
        frame[column],
        issues,
        column=column,
        timezone=timezone,
        datetime_format=datetime_format,
        advice=advice,
    )
    utc, time_known = parsed.utc, parsed.time_known
    issues.add_rows(
        parsed.missing, column=column, message="date is missing; expected a date for every incident"
    )
    if not (found["hour"] or found["time"]):
        return utc.dt.tz_convert(timezone), time_known
    # A separate hour or time column: the local calendar date plus that time of day.
    local_midnight = utc.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
    if found["hour"]:
        hour_column = found["hour"]
        hours = numeric_column(
            frame, hour_column, issues, expected="an hour 0-23", allow_missing=True
        )
        bad_hour = np.isfinite(hours) & ((hours < 0) | (hours > 23) | (hours != np.floor(hours)))
        issues.add_rows(
            bad_hour,
            column=hour_column,
            message="hour outside 0-23; expected a whole hour from 0 to 23",
            values=frame[hour_column],
        )
        ok = np.isfinite(hours) & ~bad_hour
        offset = pd.to_timedelta(np.where(ok, hours, 0.0), unit="h")
    else:
        time_column = found["time"]
        assert time_column is not None
        offsets, ok = parse_times_of_day(frame[time_column], issues, column=time_column)
        offset = pd.to_timedelta(offsets.fillna(pd.Timedelta(0)).to_numpy())
    wall = local_midnight + offset
    localized = wall.dt.tz_localize(
        timezone, ambiguous=np.zeros(n, dtype=bool), nonexistent="shift_forward"
    )
    return localized, ok & utc.notna().to_numpy()


def _from_date_parts(
    frame: pd.DataFrame, found: dict[str, str | None], issues: RowIssues, *, timezone: str
) -> tuple[pd.Series, np.ndarray]:
    """Instants from year, month, day and optional hour and minute columns (local time)."""
    n = len(frame)
    parts: dict[str, np.ndarray] = {}
    limits = {"year": (1900, 2200), "month": (1, 12), "day": (1, 31), "hour": (0, 23)}
    limits["minute"] = (0, 59)
    for role in DATE_PART_ROLES:
        column = found[role]
        if column is None:
            continue
        low, high = limits[role]
        optional = role in ("hour", "minute")
        values = numeric_column(
            frame, column, issues, expected=f"a {role} {low}-{high}", allow_missing=optional
        )
        bad = np.isfinite(values) & (
            (values < low) | (values > high) | (values != np.floor(values))
        )
        issues.add_rows(
            bad,
            column=column,
            message=f"{role} outside {low}-{high}; expected a whole number from {low} to {high}",
            values=frame[column],
        )
        values[bad] = np.nan
        parts[role] = values
    date_ok = np.isfinite(parts["year"]) & np.isfinite(parts["month"]) & np.isfinite(parts["day"])
    hours = parts.get("hour", np.full(n, np.nan))
    minutes = parts.get("minute", np.zeros(n))
    time_known = date_ok & np.isfinite(hours)
    table = pd.DataFrame(
        {
            "year": np.where(date_ok, parts["year"], 2000).astype(int),
            "month": np.where(date_ok, parts["month"], 1).astype(int),
            "day": np.where(date_ok, parts["day"], 1).astype(int),
            "hour": np.where(time_known, hours, 0).astype(int),
            "minute": np.where(time_known & np.isfinite(minutes), minutes, 0).astype(int),
        }
    )
    wall = pd.to_datetime(table, errors="coerce")
    no_such_day = date_ok & wall.isna().to_numpy()
    labels = "/".join(str(found[r]) for r in ("year", "month", "day"))
    issues.add_rows(
        no_such_day,
        column=found["day"],
        message=f"{labels} is not a calendar date; expected an existing day",
        values=frame[found["day"]],
    )
    ok = date_ok & ~no_such_day
    wall = wall.where(pd.Series(ok, index=wall.index))
    wall.index = frame.index
    localized = wall.dt.tz_localize(
        timezone, ambiguous=np.zeros(n, dtype=bool), nonexistent="shift_forward"
    )
    return localized, time_known & ok


def _coordinates(
    frame: pd.DataFrame,
    found: dict[str, str | None],
    issues: RowIssues,
    *,
    crs: CRS | None,
    crs_given: bool,
    boundary: BaseGeometry | None,
    advice: Advice,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(frame)
    nan = np.full(n, np.nan)
    if isinstance(frame, gpd.GeoDataFrame):
        return _points_from_geometry(
            frame, issues, crs=crs, crs_given=crs_given, boundary=boundary, advice=advice
        )
    if found["lon"] and found["lat"]:
        lon_col, lat_col = found["lon"], found["lat"]
        lon = numeric_column(frame, lon_col, issues, expected="a longitude in degrees")
        lat = numeric_column(frame, lat_col, issues, expected="a latitude in degrees")
        if crs is not None and crs != WGS84:
            if not crs.is_geographic:
                issues.add_file(
                    f"columns {lon_col!r}/{lat_col!r} are longitude/latitude degrees but "
                    f"the CRS {crs_label(crs)} is projected; expected a geographic CRS, or x/y "
                    f"columns for projected coordinates ({advice.columns(x=lon_col, y=lat_col)})"
                )
                return nan, nan
            lon, lat = project_to_lonlat(
                lon, lat, crs, issues, x_column=lon_col, y_column=lat_col, advice=advice
            )
        check_lonlat(
            lon,
            lat,
            issues,
            lon_column=lon_col,
            lat_column=lat_col,
            boundary=boundary,
            advice=advice,
        )
        return lon, lat
    if found["x"] and found["y"]:
        x_col, y_col = found["x"], found["y"]
        x = numeric_column(frame, x_col, issues, expected="a number (x in the CRS's units)")
        y = numeric_column(frame, y_col, issues, expected="a number (y in the CRS's units)")
        if crs is None:
            if not crs_given:
                issues.add_file(
                    f"columns {x_col!r}/{y_col!r} hold projected coordinates but no CRS was "
                    f"given; expected the CRS they are in, e.g. {advice.crs('EPSG:2913')}"
                )
            return nan, nan
        # Open-data exports withhold some locations for privacy as (0, 0) in x/y: those rows
        # have no position (reported here, before projecting moves them somewhere real).
        withheld = (x == 0.0) & (y == 0.0)
        issues.add_rows(
            withheld,
            column=x_col,
            message=f"{x_col}/{y_col} are (0, 0): the location is withheld or missing; "
            "expected a real position",
        )
        x = np.where(withheld, np.nan, x)
        y = np.where(withheld, np.nan, y)
        lon, lat = project_to_lonlat(
            x, y, crs, issues, x_column=x_col, y_column=y_col, advice=advice
        )
        check_lonlat(
            lon, lat, issues, lon_column=x_col, lat_column=y_col, boundary=boundary, advice=advice
        )
        return lon, lat
    return nan, nan


def _points_from_geometry(
    frame: gpd.GeoDataFrame,
    issues: RowIssues,
    *,
    crs: CRS | None,
    crs_given: bool,
    boundary: BaseGeometry | None,
    advice: Advice,
) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude of point features, with missing and non-point geometry reported."""
    n = len(frame)
    geometry = np.asarray(frame.geometry.array, dtype=object)
    missing = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    issues.add_rows(missing, column=GEOMETRY, message="geometry is missing; expected a point")
    kinds = shapely.get_type_id(geometry)
    single_multi = (kinds == shapely.GeometryType.MULTIPOINT) & (
        shapely.get_num_geometries(geometry) == 1
    )
    geometry = np.where(single_multi, shapely.get_geometry(geometry, 0), geometry)
    not_point = ~missing & (shapely.get_type_id(geometry) != shapely.GeometryType.POINT)
    issues.add_rows(
        not_point,
        column=GEOMETRY,
        message=[
            f"geometry is a {shapely.GeometryType(int(k)).name.title()}; expected a Point"
            for k in shapely.get_type_id(geometry[not_point])
        ],
    )
    points = ~missing & ~not_point
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    x[points] = shapely.get_x(geometry[points])
    y[points] = shapely.get_y(geometry[points])
    file_crs = None if frame.crs is None else CRS(frame.crs)
    if file_crs is not None and crs is not None and file_crs != crs:
        issues.add_file(
            f"mixed CRSs: the file declares {crs_label(file_crs)} but "
            f"{advice.crs(crs_label(crs))} was given; expected one CRS (drop that option, or "
            "reproject the file)"
        )
        return np.full(n, np.nan), np.full(n, np.nan)
    source_crs = file_crs or crs
    if source_crs is None:
        if not crs_given:
            issues.add_file(
                "the file has no CRS; expected one in the file, or give " + advice.crs("EPSG:4326")
            )
        return np.full(n, np.nan), np.full(n, np.nan)
    lon, lat = project_to_lonlat(
        x, y, source_crs, issues, x_column=GEOMETRY, y_column=GEOMETRY, advice=advice
    )
    check_lonlat(lon, lat, issues, lon_column=GEOMETRY, lat_column=GEOMETRY, boundary=boundary)
    return lon, lat


def read_incidents(
    path: Path | str,
    *,
    columns: IncidentColumns | None = None,
    crs: str | int | None = None,
    timezone: str = "UTC",
    datetime_format: str | None = None,
    boundary: BaseGeometry | gpd.GeoDataFrame | None = None,
    keep_valid: bool = False,
    rejected_path: Path | None = None,
    sheet: str | None = None,
    advice: Advice = LIBRARY_ADVICE,
) -> gpd.GeoDataFrame:
    """Read and check an incident file; return ``Incidents`` in EPSG:4326.

    Parameters
    ----------
    path
        CSV/TSV separated by commas, semicolons, tabs or ``|`` (UTF-8 with or without BOM,
        or GBK/GB18030), an ``.xlsx`` workbook, GeoJSON, GeoPackage or zipped Shapefile of
        points.
    columns
        Source column names overriding auto-detection (see :data:`CANDIDATES`).
    crs
        CRS of ``x``/``y`` columns (required for them), of lon/lat columns in a geographic
        CRS other than WGS 84, or of a vector file that declares none.
    timezone
        IANA time zone of local times; ``occurred_at`` is returned in it, and datetimes with
        an explicit offset are converted to it.
    datetime_format
        ``strftime`` format of the date column, when detection cannot decide (``%d/%m/%Y``).
    boundary
        Jurisdiction outline; points outside it are problems. A bare shapely geometry is taken
        to be in longitude/latitude.
    keep_valid
        Return the valid rows and write the rejected ones (with reasons) to ``rejected_path``
        instead of raising on row problems. File-level problems always raise.
    rejected_path
        CSV to write rejected rows to (original columns, ``source_row``, ``reasons``).
    sheet
        Worksheet of an ``.xlsx`` workbook (default: the first).
    advice
        How the messages spell the options they suggest (library arguments by default;
        the command line and the service pass their own).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :data:`geo.schema.INCIDENT_COLUMNS` (``incident_id`` from an id
        column or ``"{file stem}:{row}"``; ``occurred_at`` tz-aware; ``time_known`` False for
        date-only rows, which are placed at local midnight) plus the unused source columns.

    Raises
    ------
    GeoInputError
        With every problem found (file, row, column, value, what was expected).
    ValueError
        ``keep_valid=True`` without ``rejected_path``, or a bad ``boundary`` argument.
    """
    if keep_valid and rejected_path is None:
        raise ValueError("keep_valid=True needs rejected_path= to write the rejected rows to")
    path = Path(path)
    source = source_name(path)
    boundary_geom = boundary_lonlat(boundary)
    given = columns or IncidentColumns()
    vector = not is_text_table(path)
    if vector:
        frame: pd.DataFrame = read_vector(path, crs_given=crs is not None, advice=advice)
        names = [str(c) for c in frame.columns if c != frame.geometry.name]
        issues = RowIssues(source, len(frame))
        found = _resolve(names, given, issues, vector=True, advice=advice)
    else:
        chosen: dict[str, dict[str, str | None]] = {}

        def text_columns(header: list[str]) -> list[str]:
            probe = RowIssues(source, 0)
            chosen["found"] = _resolve(header, given, probe, vector=False)
            # Read ids, categories and dates as text (ids keep leading zeros; "0930" stays a
            # time); coordinates, hours and weights are left to pandas' fast numeric parsing.
            roles = ("id", "category", "datetime", "date", "time")
            return [c for r in roles if (c := chosen["found"][r]) is not None]

        frame = read_text_table(path, text_columns=text_columns, sheet=sheet, advice=advice)
        issues = RowIssues(source, len(frame))
        found = _resolve(
            [str(c) for c in frame.columns], given, issues, vector=False, advice=advice
        )
    timezone_ok = check_timezone(timezone, issues)
    target_crs = parse_crs(crs, issues, advice=advice) if crs is not None else None
    lon, lat = _coordinates(
        frame,
        found,
        issues,
        crs=target_crs,
        crs_given=crs is not None,
        boundary=boundary_geom,
        advice=advice,
    )
    if timezone_ok:
        occurred_at, time_known = _occurred_at(
            frame,
            found,
            issues,
            timezone=timezone,
            datetime_format=datetime_format,
            advice=advice,
        )
    else:
        occurred_at = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
        time_known = np.zeros(len(frame), dtype=bool)
    categories = _category(frame, found["category"], issues)
    ids = _ids(frame, found["id"], issues, stem=path.stem)
    weights = _weights(frame, found["weight"], issues)
    if issues.file_problems:
        issues.raise_if_any(f"{source} cannot be used as incidents")
    if issues.has_problems and not keep_valid:
        n_bad = int(issues.bad.sum())
        hint = (
            f"; {advice.keep_valid()} uses the {len(frame) - n_bad} valid rows and writes the "
            "rejected ones with their reasons"
            if n_bad < len(frame)
            else ""
        )
        issues.raise_if_any(
            f"{source} cannot be used as incidents ({n_bad} of {len(frame)} rows have "
            f"problems{hint})"
        )
    if found["category"] is None:
        warnings.warn(
            f"{source}: no category column, so every incident has the category "
            f"{DEFAULT_CATEGORY!r}; name one with {advice.columns(category='...')} to tell "
            "offences apart",
            GeoInputWarning,
            stacklevel=2,
        )
    valid = ~issues.bad
    if not valid.all():
        assert rejected_path is not None
        positions, reasons = issues.reasons()
        write_rejected(frame, positions, reasons, rejected_path)
        warnings.warn(
            f"{source}: {len(positions)} of {len(frame)} rows rejected and written with their "
            f"reasons to {rejected_path}",
            GeoInputWarning,
            stacklevel=2,
        )
        if not valid.any():
            raise GeoInputError(
                issues.problems(), f"{source}: no valid rows (all written to {rejected_path})"
            )
    used = {c for c in found.values() if c is not None}
    extras = frame.loc[valid, [c for c in frame.columns if c not in used and c != GEOMETRY]]
    if isinstance(frame, gpd.GeoDataFrame):
        extras = pd.DataFrame(extras).drop(columns=[frame.geometry.name], errors="ignore")
    extras = extras.rename(
        columns={c: f"{c}_source" for c in extras.columns if c in INCIDENT_COLUMNS}
    )
    rows = np.flatnonzero(valid)
    data = {
        INCIDENT_ID: ids[valid],
        OCCURRED_AT: occurred_at[valid],
        TIME_KNOWN: time_known[valid],
        CATEGORY: categories[valid],
        WEIGHT: weights[valid],
        SOURCE_ROW: rows + 1,
    }
    table = pd.DataFrame(data, index=frame.index[valid])
    table = pd.concat([table, extras], axis=1).reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon[valid], lat[valid]), crs=WGS84)


def _category(frame: pd.DataFrame, column: str | None, issues: RowIssues) -> pd.Series:
    if column is None:
        return pd.Series(DEFAULT_CATEGORY, index=frame.index, dtype="str")
    # Few distinct categories: strip the distinct values, not a million cells.
    codes, uniques = pd.factorize(frame[column].astype("str"))
    stripped = np.asarray(pd.Index(uniques, dtype="str").str.strip(), dtype=object)
    lookup = np.append(stripped, np.nan)  # code -1 (missing) picks the trailing NaN
    text = pd.Series(lookup[codes], index=frame.index, dtype="str")
    missing = (text.isna() | (text == "")).to_numpy()
    issues.add_rows(
        missing, column=column, message="category is missing; expected a category for every row"
    )
    return text


def _ids(frame: pd.DataFrame, column: str | None, issues: RowIssues, *, stem: str) -> pd.Series:
    if column is None:
        numbers = np.arange(1, len(frame) + 1).astype("str")
        return pd.Series(np.char.add(f"{stem}:", numbers), index=frame.index, dtype="str")
    text = frame[column].astype("str")
    missing = (text.isna() | (text == "")).to_numpy()
    issues.add_rows(missing, column=column, message="id is missing; expected an id for every row")
    duplicated_ids(text.where(~missing), issues, column=column)
    return text


def _weights(frame: pd.DataFrame, column: str | None, issues: RowIssues) -> np.ndarray:
    if column is None:
        return np.ones(len(frame))
    weights = numeric_column(frame, column, issues, expected="a weight >= 0")
    negative = np.isfinite(weights) & (weights < 0)
    issues.add_rows(
        negative, column=column, message="negative weight; expected a weight >= 0", values=weights
    )
    return weights
