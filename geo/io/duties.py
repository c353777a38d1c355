"""Reading the duties file: fixed posts (点), patrol lines (线) and timed visits such as school
gates at the start and end of school, each with its hours, dwell, modes and priority.

Duties are few and typed by hand, so the checks are strict and every problem is reported at
once with its file, row and column. Times are wall-clock times of the plan date; the planner
turns the table into tasks (:func:`planner.sources.tasks_from_duties`).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.io.common import (
    WGS84,
    RowIssues,
    bool_column,
    boundary_lonlat,
    check_lonlat,
    check_timezone,
    crs_label,
    duplicated_ids,
    find_column,
    is_text_table,
    list_columns,
    numeric_column,
    read_text_table,
    read_vector,
    source_name,
)
from geo.network.modes import MODE_SYNONYMS, Mode
from geo.schema import GEOMETRY

# --------------------------------------------------------------------------------------------
# the table read_duties returns

DUTY_ID = "duty_id"
KIND = "kind"
NAME = "name"
START_S = "start_s"  # seconds from local midnight of the plan date; NaN: no window
END_S = "end_s"  # > START_S; past 86,400 when the window crosses midnight
DWELL_MIN = "dwell_min"  # NaN: the planner's default
REQUIRED = "required"
MODES = "modes"  # canonical mode names joined by ";" ("foot;car"); "" = any mode
PRIORITY = "priority"
DUTY_COLUMNS = (DUTY_ID, KIND, NAME, START_S, END_S, DWELL_MIN, REQUIRED, MODES, PRIORITY, GEOMETRY)

#: A fixed post or checkpoint held for its window (点).
POST = "post"
#: A road or alley patrolled end to end (线).
LINE = "line"
#: A timed visit with a dwell inside a window, e.g. a school gate (上放学时段).
WINDOW = "window"
DUTY_KINDS = (POST, LINE, WINDOW)

#: Spellings accepted in the ``kind`` column (case-insensitive; blanks and ``-`` read as ``_``).
KIND_SYNONYMS: dict[str, str] = {
    "post": POST,
    "checkpoint": POST,
    "fixed_post": POST,
    "卡口": POST,
    "治安检查点": POST,
    "检查点": POST,
    "岗": POST,
    "岗位": POST,
    "点": POST,
    "line": LINE,
    "road": LINE,
    "patrol_line": LINE,
    "线": LINE,
    "巡逻线": LINE,
    "window": WINDOW,
    "school": WINDOW,
    "school_gate": WINDOW,
    "学校": WINDOW,
    "校门": WINDOW,
}

#: Posts are orders to hold a place; lines and timed visits are worth doing but droppable
#: unless the file says ``required``.
DEFAULT_REQUIRED = {POST: True, LINE: False, WINDOW: False}
DEFAULT_PRIORITY = 1.0
DAY_S = 86_400

# --------------------------------------------------------------------------------------------
# source columns (first match wins, case-insensitive)

ID_CANDIDATES = (DUTY_ID, "id", "编号")
KIND_CANDIDATES = (KIND, "type", "类型", "类别")
NAME_CANDIDATES = (NAME, "duty_name", "名称")
START_CANDIDATES = ("start", "start_time", "window_start", "from", "开始", "开始时间")
END_CANDIDATES = ("end", "end_time", "window_end", "to", "结束", "结束时间")
DWELL_CANDIDATES = (DWELL_MIN, "dwell", "停留分钟")
REQUIRED_CANDIDATES = (REQUIRED, "必须")
MODES_CANDIDATES = (MODES, "mode", "方式")
PRIORITY_CANDIDATES = (PRIORITY, "weight", "优先级")
LON_CANDIDATES = ("lon", "lng", "long", "longitude", "经度")
LAT_CANDIDATES = ("lat", "latitude", "纬度")
WKT_CANDIDATES = ("wkt", "geometry", "geom")

EXPECTED_KIND = (
    "expected post, line or window (synonyms: "
    + ", ".join(k for k in KIND_SYNONYMS if k not in DUTY_KINDS)
    + ")"
)
EXPECTED_MODES = (
    "expected foot, bicycle or car (synonyms: "
    + ", ".join(k for k, mode in MODE_SYNONYMS.items() if k != mode.value)
    + "), separated by ';'"
)

# --------------------------------------------------------------------------------------------
# clock times

_CLOCK_RE = re.compile(
    r"^\s*(?P<h>\d{1,2})\s*(?:[:：时点.]\s*)?(?P<m>\d{2})(?:\s*[:：]\s*(?P<s>\d{2}))?\s*分?\s*$"
)
EXPECTED_CLOCK = (
    "expected a time of day HH:MM, H:MM or HHMM (hours 24-47 mean the next day, e.g. 25:30)"
)


def _as_text(values: pd.Series) -> pd.Series:
    """Values as text; whole numbers read from a number column (``1700.0``) lose the ``.0``."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("str").str.replace(r"\.0+$", "", regex=True)
    return values.astype("str")


def clock_seconds(values: pd.Series, issues: RowIssues, *, column: str) -> np.ndarray:
    """Parse wall-clock times (``17:00``, ``7:30``, ``1730``, ``17:30:15``, ``17时30分``) to
    seconds after midnight, vectorised.

    Hours 24-47 are accepted for times on the next day (``24:00`` ends a shift at midnight,
    ``25:30`` is 01:30 next day), so a night's times can be written on one axis.

    Parameters
    ----------
    values
        The raw column.
    issues
        Where unparseable values are recorded, one problem per row.
    column
        The column name used in problems.

    Returns
    -------
    numpy.ndarray
        Float seconds; NaN where blank or unparseable.
    """
    text = _as_text(values)
    present = (text.notna() & (text.str.strip() != "")).to_numpy()
    parts = text.str.extract(_CLOCK_RE)
    hours = pd.to_numeric(parts["h"], errors="coerce").to_numpy(dtype=float)
    minutes = pd.to_numeric(parts["m"], errors="coerce").to_numpy(dtype=float)
    seconds = pd.to_numeric(parts["s"], errors="coerce").fillna(0).to_numpy(dtype=float)
    ok = present & (hours <= 47) & (minutes <= 59) & (seconds <= 59)
    issues.add_rows(
        present & ~ok,
        column=column,
        message=f"unparseable time of day; {EXPECTED_CLOCK}",
        values=values,
    )
    out = hours * 3600.0 + minutes * 60.0 + seconds
    out[~ok] = np.nan
    return out


def next_day_end(start_s: np.ndarray, end_s: np.ndarray) -> np.ndarray:
    """Window ends on the plan date's axis: an end at or before the start is on the next day."""
    return np.where(end_s <= start_s, end_s + DAY_S, end_s)


# --------------------------------------------------------------------------------------------
# the reader


def read_duties(
    path: Path | str,
    *,
    timezone: str | None = None,
    boundary: BaseGeometry | gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Read and check a duties file; return the duties in EPSG:4326.

    Parameters
    ----------
    path
        A CSV (``.csv``/``.txt``/``.tsv``) with ``duty_id``, ``kind``, ``name``, ``start``,
        ``end``, ``dwell_min``, ``required``, ``modes``, ``priority`` and a place: ``lat`` and
        ``lon`` for a point, or a ``wkt`` column (``LINESTRING(lon lat, lon lat, ...)`` in
        EPSG:4326) for a line. Or a GeoJSON/GeoPackage whose features carry those properties
        (any CRS; reprojected). Only ``duty_id``, ``kind`` and a place are required.
    timezone
        IANA time zone the clock times are in (the district's). Times are wall-clock times of
        the plan date and are not shifted; the zone is checked and kept in
        ``frame.attrs["timezone"]``.
    boundary
        The district outline (a GeoDataFrame with its CRS, or a geometry in degrees): places
        outside it, or inside it only with latitude and longitude exchanged, are problems.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per duty: ``duty_id`` (str), ``kind`` (``post``, ``line`` or
        ``window``), ``name`` (str; the id when not given), ``start_s``/``end_s`` (float
        seconds from local midnight of the plan date, NaN without a window; an end at or
        before the start is on the next day, so 22:00-02:00 is 79200..93600), ``dwell_min``
        (float, NaN = the planner's default), ``required`` (bool; default True for a post,
        which is an order to hold a place, False for lines and windows), ``modes``
        (canonical names joined by ``;``, ``""`` = any mode), ``priority`` (float >= 0,
        default 1.0), then the other source columns (e.g. ``note``), then the geometry (Point
        for posts and windows, LineString for lines).

    Raises
    ------
    GeoInputError
        With every problem found: missing columns, missing or duplicate ids, unknown kinds or
        modes, unparseable times, windows with one end only, a window duty without a window,
        a post with neither window nor dwell, negative dwell or priority, values of
        ``required`` that are not yes/no, missing, unparseable, wrong-kind or degenerate
        geometry, coordinates out of range, swapped or outside ``boundary``.
    """
    path = Path(path)
    source = source_name(path)
    if is_text_table(path):

        def text_columns(header: list[str]) -> list[str]:
            groups = (
                ID_CANDIDATES,
                NAME_CANDIDATES,
                START_CANDIDATES,
                END_CANDIDATES,
                LON_CANDIDATES,
                LAT_CANDIDATES,
                WKT_CANDIDATES,
                MODES_CANDIDATES,
            )
            found = (find_column(header, group) for group in groups)
            return [c for c in found if c is not None]

        frame: pd.DataFrame = read_text_table(path, text_columns=text_columns)
        columns = [str(c) for c in frame.columns]
    else:
        frame = read_vector(path)
        columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    n = len(frame)
    issues = RowIssues(source, n)
    if timezone is not None:
        check_timezone(timezone, issues)
    boundary_geom = boundary_lonlat(boundary)

    found = {
        "id": find_column(columns, ID_CANDIDATES),
        "kind": find_column(columns, KIND_CANDIDATES),
        "name": find_column(columns, NAME_CANDIDATES),
        "start": find_column(columns, START_CANDIDATES),
        "end": find_column(columns, END_CANDIDATES),
        "dwell": find_column(columns, DWELL_CANDIDATES),
        "required": find_column(columns, REQUIRED_CANDIDATES),
        "modes": find_column(columns, MODES_CANDIDATES),
        "priority": find_column(columns, PRIORITY_CANDIDATES),
    }
    ids = _ids(frame, found["id"], issues, columns)
    kinds = _kinds(frame, found["kind"], issues, columns)
    names = _text(frame, found["name"]).fillna(ids)
    start_s, end_s = _window(frame, found["start"], found["end"], kinds, issues)
    dwell = _non_negative(frame, found["dwell"], issues, expected="minutes >= 0")
    priority = _non_negative(frame, found["priority"], issues, expected="a priority >= 0")
    priority[np.isnan(priority)] = DEFAULT_PRIORITY
    required = _required(frame, found["required"], kinds, issues)
    modes = _modes(frame, found["modes"], issues)
    no_hold = (
        (kinds == POST)
        & ~_given(frame, found["start"])
        & ~_given(frame, found["end"])
        & ~_given(frame, found["dwell"])
    )
    issues.add_rows(
        no_hold,
        column=found["start"] or "start",
        message="a post needs a window (start and end) or a dwell_min; expected one of them",
    )

    used = {c for c in found.values() if c is not None}
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = _vector_geometry(frame, kinds, issues, boundary_geom)
    else:
        geometry, geometry_columns = _csv_geometry(frame, columns, kinds, issues, boundary_geom)
        used |= geometry_columns
    issues.raise_if_any(f"{source} cannot be used as duties")

    table = pd.DataFrame(
        {
            DUTY_ID: ids.astype("str").to_numpy(),
            KIND: kinds.astype(object),
            NAME: names.astype("str").to_numpy(),
            START_S: start_s,
            END_S: end_s,
            DWELL_MIN: dwell,
            REQUIRED: required,
            MODES: modes,
            PRIORITY: priority,
        }
    )
    extras = pd.DataFrame(frame[[c for c in columns if c not in used and c not in DUTY_COLUMNS]])
    table = pd.concat([table, extras.reset_index(drop=True)], axis=1)
    out = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geometry, crs=WGS84).values, crs=WGS84)
    if timezone is not None:
        out.attrs["timezone"] = timezone
    return out


# --------------------------------------------------------------------------------------------
# columns


def _text(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """A text column stripped, with blanks as missing (all missing when there is no column)."""
    if column is None:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    text = frame[column].astype("str").str.strip()
    return text.where(text.notna() & (text != ""))


def _ids(
    frame: pd.DataFrame, column: str | None, issues: RowIssues, columns: list[str]
) -> pd.Series:
    if column is None:
        issues.add_file(f"no duty_id column; columns are: {list_columns(columns)}")
        return pd.Series(np.arange(1, len(frame) + 1), index=frame.index).astype("str")
    ids = _text(frame, column)
    issues.add_rows(
        ids.isna().to_numpy(), column=column, message="duty_id is missing; expected one"
    )
    duplicated_ids(ids, issues, column=column)
    return ids


def _kinds(
    frame: pd.DataFrame, column: str | None, issues: RowIssues, columns: list[str]
) -> np.ndarray:
    """Canonical kinds (``""`` where missing or unknown, after recording the problem)."""
    if column is None:
        issues.add_file(
            f"no kind column; {EXPECTED_KIND} in a column 'kind'; columns are: "
            f"{list_columns(columns)}"
        )
        return np.full(len(frame), "", dtype=object)
    raw = _text(frame, column)
    key = raw.str.casefold().str.replace(r"[\s\-]+", "_", regex=True)
    kinds = key.map(KIND_SYNONYMS)
    missing = raw.isna().to_numpy()
    issues.add_rows(missing, column=column, message=f"kind is missing; {EXPECTED_KIND}")
    issues.add_rows(
        ~missing & kinds.isna().to_numpy(),
        column=column,
        message=f"unknown kind; {EXPECTED_KIND}",
        values=frame[column],
    )
    return kinds.fillna("").to_numpy(dtype=object)


def _window(
    frame: pd.DataFrame,
    start_column: str | None,
    end_column: str | None,
    kinds: np.ndarray,
    issues: RowIssues,
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end seconds (NaN: no window); an end at or before the start is next day."""
    n = len(frame)
    nan = np.full(n, np.nan)
    start = clock_seconds(frame[start_column], issues, column=start_column) if start_column else nan
    end = clock_seconds(frame[end_column], issues, column=end_column) if end_column else nan
    start_given = _given(frame, start_column)
    end_given = _given(frame, end_column)
    only_start = start_given & ~end_given
    only_end = end_given & ~start_given
    issues.add_rows(
        only_start,
        column=end_column or "end",
        message="the window has a start but no end; expected both (HH:MM) or neither",
    )
    issues.add_rows(
        only_end,
        column=start_column or "start",
        message="the window has an end but no start; expected both (HH:MM) or neither",
    )
    no_window = (kinds == WINDOW) & ~start_given & ~end_given
    issues.add_rows(
        no_window,
        column=start_column or "start",
        message="a window duty (e.g. a school gate) needs start and end times; expected HH:MM "
        "in both",
    )
    both = np.isfinite(start) & np.isfinite(end)
    end = np.where(both, next_day_end(start, end), np.nan)
    too_long = both & ((end <= start) | (end - start > DAY_S))
    issues.add_rows(
        too_long,
        column=end_column,
        message=[
            f"the window {_clock(s)}-{_clock(e)} is not between 0 and 24 hours long, even "
            "with the end on the next day; expected an end after the start"
            for s, e in zip(start[too_long], end[too_long], strict=True)
        ],
    )
    keep = both & ~too_long
    return np.where(keep, start, np.nan), np.where(keep, end, np.nan)


def _given(frame: pd.DataFrame, column: str | None) -> np.ndarray:
    if column is None:
        return np.zeros(len(frame), dtype=bool)
    return _text(frame, column).notna().to_numpy()


def _clock(seconds: float) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _non_negative(
    frame: pd.DataFrame, column: str | None, issues: RowIssues, *, expected: str
) -> np.ndarray:
    if column is None:
        return np.full(len(frame), np.nan)
    values = numeric_column(frame, column, issues, expected=expected, allow_missing=True)
    negative = values < 0
    issues.add_rows(
        negative, column=column, message=f"negative; expected {expected}", values=frame[column]
    )
    values[negative] = np.nan
    return values


def _required(
    frame: pd.DataFrame, column: str | None, kinds: np.ndarray, issues: RowIssues
) -> np.ndarray:
    default = np.array([DEFAULT_REQUIRED.get(k, False) for k in kinds], dtype=bool)
    given = _given(frame, column)
    if column is None or not given.any():  # an all-blank column is read as floats
        return default
    flags = bool_column(frame[column], issues, column=column)
    return np.where(given, flags, default)


def _modes(frame: pd.DataFrame, column: str | None, issues: RowIssues) -> np.ndarray:
    """Canonical ``;``-joined modes per row (``""``: any); unknown names are problems."""
    out = np.full(len(frame), "", dtype=object)
    if column is None:
        return out
    text = _text(frame, column)
    bad_rows: list[int] = []
    bad_messages: list[str] = []
    # Duties files are short and hand-typed: a loop over the distinct spellings is clearest.
    canonical: dict[str, str] = {}
    unknown: dict[str, list[str]] = {}
    for value in text.dropna().unique():
        tokens = [t for t in re.split(r"[;,|/、\s]+", str(value)) if t]
        modes = {MODE_SYNONYMS.get(t.casefold()) for t in tokens}
        unknown[value] = [t for t in tokens if t.casefold() not in MODE_SYNONYMS]
        canonical[value] = ";".join(m.value for m in Mode if m in modes)
    for position, value in enumerate(text):
        if pd.isna(value):
            continue
        out[position] = canonical[value]
        if unknown[value]:
            bad_rows.append(position)
            names = ", ".join(repr(t) for t in unknown[value])
            bad_messages.append(f"unknown mode {names}; {EXPECTED_MODES}")
    mask = np.zeros(len(frame), dtype=bool)
    mask[bad_rows] = True
    issues.add_rows(mask, column=column, message=bad_messages, values=frame[column])
    return out


# --------------------------------------------------------------------------------------------
# geometry


def _csv_geometry(
    frame: pd.DataFrame,
    columns: list[str],
    kinds: np.ndarray,
    issues: RowIssues,
    boundary: BaseGeometry | None,
) -> tuple[np.ndarray, set[str]]:
    """Points from lat/lon and any geometry from a ``wkt`` column, checked against the kinds."""
    n = len(frame)
    lon_column = find_column(columns, LON_CANDIDATES)
    lat_column = find_column(columns, LAT_CANDIDATES)
    wkt_column = find_column(columns, WKT_CANDIDATES)
    used = {c for c in (lon_column, lat_column, wkt_column) if c is not None}
    if wkt_column is None and (lon_column is None or lat_column is None):
        issues.add_file(
            "no place columns; expected 'lat' and 'lon' for points or 'wkt' for lines "
            f"(LINESTRING(lon lat, ...) in EPSG:4326); columns are: {list_columns(columns)}"
        )
        return np.full(n, None, dtype=object), used
    geometry = np.full(n, None, dtype=object)
    wkt_given = _given(frame, wkt_column)
    if wkt_column is not None and wkt_given.any():
        text = _text(frame, wkt_column).to_numpy(dtype=object)
        text[~wkt_given] = None
        parsed = np.asarray(shapely.from_wkt(text, on_invalid="ignore"), dtype=object)
        unparsed = wkt_given & shapely.is_missing(parsed)
        issues.add_rows(
            unparsed,
            column=wkt_column,
            message="not valid WKT; expected e.g. LINESTRING(-122.68 45.52, -122.68 45.51) "
            "(longitude first, at least two points) or POINT(lon lat)",
            values=frame[wkt_column],
        )
        geometry[wkt_given & ~unparsed] = parsed[wkt_given & ~unparsed]
    lonlat_given = _given(frame, lon_column) | _given(frame, lat_column)
    if lon_column is not None and lat_column is not None:
        lon = numeric_column(frame, lon_column, issues, expected="a longitude", allow_missing=True)
        lat = numeric_column(frame, lat_column, issues, expected="a latitude", allow_missing=True)
        one_only = lonlat_given & (np.isnan(lon) != np.isnan(lat)) & ~wkt_given
        lon_missing = one_only & np.isnan(lon) & _given(frame, lat_column)
        lat_missing = one_only & np.isnan(lat) & _given(frame, lon_column)
        issues.add_rows(
            lon_missing, column=lon_column, message="lat given without lon; expected both"
        )
        issues.add_rows(
            lat_missing, column=lat_column, message="lon given without lat; expected both"
        )
        both = wkt_given & lonlat_given
        issues.add_rows(
            both,
            column=wkt_column,
            message=f"both a wkt geometry and {lat_column!r}/{lon_column!r} are given; expected "
            "one place: lat/lon for a point or wkt for a line",
        )
        points = np.isfinite(lon) & np.isfinite(lat) & ~wkt_given
        if points.any():
            lon_p = np.where(points, lon, np.nan)
            lat_p = np.where(points, lat, np.nan)
            check_lonlat(
                lon_p,
                lat_p,
                issues,
                lon_column=lon_column,
                lat_column=lat_column,
                boundary=boundary,
            )
            geometry[points] = shapely.points(lon[points], lat[points])
            _check_shapes(
                geometry,
                points,
                kinds,
                issues,
                column=lat_column,
                line_hint=" (give a line in a 'wkt' column as LINESTRING(lon lat, lon lat, ...))",
            )
    else:
        lonlat_given = np.zeros(n, dtype=bool)
    nowhere = ~wkt_given & ~lonlat_given
    issues.add_rows(
        nowhere,
        column=wkt_column or lat_column,
        message="no place; expected lat and lon for a point or a wkt LINESTRING(lon lat, ...) "
        "for a line",
    )
    from_wkt = wkt_given & ~shapely.is_missing(geometry)
    _check_shapes(geometry, from_wkt, kinds, issues, column=wkt_column or GEOMETRY)
    _check_degrees(geometry, from_wkt, issues, column=wkt_column or GEOMETRY, boundary=boundary)
    return geometry, used


def _vector_geometry(
    frame: gpd.GeoDataFrame, kinds: np.ndarray, issues: RowIssues, boundary: BaseGeometry | None
) -> np.ndarray:
    """Feature geometries in EPSG:4326, checked against the kinds."""
    n = len(frame)
    if frame.crs is None:
        issues.add_file("the file has no CRS; expected one (or use GeoJSON, always EPSG:4326)")
        return np.full(n, None, dtype=object)
    raw = np.asarray(frame.geometry.array, dtype=object)
    present = ~(shapely.is_missing(raw) | shapely.is_empty(raw))
    issues.add_rows(
        ~present,
        column=GEOMETRY,
        message="geometry is missing; expected a Point (post, window) or LineString (line)",
    )
    geometry = np.asarray(frame.geometry.to_crs(WGS84).array, dtype=object)
    geometry[~present] = None
    failed = present & ~np.array(
        [g is None or bool(np.isfinite(shapely.get_coordinates(g)).all()) for g in geometry]
    )
    issues.add_rows(
        failed,
        column=GEOMETRY,
        message=f"cannot transform the geometry from {crs_label(frame.crs)} to longitude/"
        f"latitude; expected coordinates valid in {crs_label(frame.crs)}",
    )
    checked = present & ~failed
    _check_shapes(geometry, checked, kinds, issues, column=GEOMETRY)
    _check_degrees(geometry, checked, issues, column=GEOMETRY, boundary=boundary)
    geometry[failed] = None
    return geometry


def _check_shapes(
    geometry: np.ndarray,
    rows: np.ndarray,
    kinds: np.ndarray,
    issues: RowIssues,
    *,
    column: str,
    line_hint: str = "",
) -> None:
    """Points for posts and windows, LineStrings of two or more distinct points for lines."""
    types = np.full(len(geometry), -1)
    types[rows] = shapely.get_type_id(geometry[rows])
    point_type = int(shapely.GeometryType.POINT)
    line_type = int(shapely.GeometryType.LINESTRING)
    point_kind = rows & np.isin(kinds, [POST, WINDOW])
    not_point = point_kind & (types != point_type)
    issues.add_rows(
        not_point,
        column=column,
        message=[
            f"a {k} needs a Point; got a {_type_name(t)} (a road to patrol is kind 'line')"
            for k, t in zip(kinds[not_point], types[not_point], strict=True)
        ],
    )
    line_kind = rows & (kinds == LINE)
    not_line = line_kind & (types != line_type)
    issues.add_rows(
        not_line,
        column=column,
        message=[
            f"a line needs a LineString of two or more points; got a {_type_name(t)}{line_hint}"
            for t in types[not_line]
        ],
    )
    lines = line_kind & ~not_line
    distinct = np.zeros(len(geometry), dtype=int)
    for position in np.flatnonzero(lines):
        distinct[position] = len(np.unique(shapely.get_coordinates(geometry[position]), axis=0))
    short = lines & (distinct < 2)
    issues.add_rows(
        short,
        column=column,
        message=[
            f"the line has {d} distinct point(s); expected at least 2" for d in distinct[short]
        ],
    )


def _type_name(type_id: int) -> str:
    return shapely.GeometryType(int(type_id)).name.title().replace("string", "String")


def _check_degrees(
    geometry: np.ndarray,
    rows: np.ndarray,
    issues: RowIssues,
    *,
    column: str,
    boundary: BaseGeometry | None,
) -> None:
    """Vertices within longitude/latitude ranges, not swapped, and touching ``boundary``."""
    n = len(geometry)
    if not rows.any():
        return
    coords, index = shapely.get_coordinates(geometry[rows], return_index=True)
    position = np.flatnonzero(rows)[index]
    x, y = coords[:, 0], coords[:, 1]
    lat_bad = np.zeros(n, dtype=bool)
    lon_bad = np.zeros(n, dtype=bool)
    np.logical_or.at(lat_bad, position, np.abs(y) > 90.0)
    np.logical_or.at(lon_bad, position, np.abs(x) > 180.0)
    fits_swapped = np.ones(n, dtype=bool)
    np.logical_and.at(fits_swapped, position, (np.abs(y) <= 180.0) & (np.abs(x) <= 90.0))
    swapped = lat_bad & ~lon_bad & fits_swapped
    issues.add_rows(
        swapped,
        column=column,
        message="latitude and longitude look swapped: the coordinates are (lat lon); expected "
        "longitude first, as in WKT POINT(lon lat) and LINESTRING(lon lat, ...)",
    )
    out_of_range = (lat_bad | lon_bad) & ~swapped
    issues.add_rows(
        out_of_range,
        column=column,
        message="coordinates out of range; expected longitude in -180..180 and latitude in "
        "-90..90 (EPSG:4326 degrees, longitude first)",
    )
    if boundary is None:
        return
    check = rows & ~lat_bad & ~lon_bad
    if not check.any():
        return
    inside = np.ones(n, dtype=bool)
    inside[check] = shapely.intersects(boundary, geometry[check])
    outside = check & ~inside
    if not outside.any():
        return
    swapped_geometry = shapely.transform(geometry[outside], lambda xy: xy[:, ::-1])
    swapped_inside = np.zeros(n, dtype=bool)
    swapped_inside[outside] = shapely.intersects(boundary, swapped_geometry)
    issues.add_rows(
        swapped_inside,
        column=column,
        message="latitude and longitude look swapped: the place is outside the boundary but "
        "inside it with latitude and longitude exchanged; expected longitude first",
    )
    issues.add_rows(
        outside & ~swapped_inside,
        column=column,
        message="the place is outside the boundary; expected a location inside it",
    )
