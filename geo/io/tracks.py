"""Reading what patrol units actually did: GPS tracks (GPX 1.1, CSV of fixes) and check-ins.

Tracks are about units on duty: a fix is a unit id, an instant and a position, nothing about a
person (a name column in a CSV is never read, and GPX author or description fields are ignored).
:func:`read_tracks` reads GPX (any number of ``trk``, the unit id from the track name or a
mapping) and delimited text of fixes with the same column detection, encodings and located
errors as incidents; :func:`read_checkins` reads checkpoint check-ins (巡更: unit, checkpoint,
time). :func:`screen_fixes` then reports the fixes that cannot be true (jumps faster than the
unit's mode allows, duplicates, fixes outside the district) and keeps them out, so a review
never counts them silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import GeoInputError, Problem
from geo.io.advice import LIBRARY_ADVICE, Advice
from geo.io.common import (
    WGS84,
    RowIssues,
    check_lonlat,
    check_timezone,
    find_column,
    list_columns,
    numeric_column,
    parse_datetimes,
    read_text_table,
    source_name,
)

#: Columns of a fixes table (:func:`read_tracks`), besides the point geometry.
UNIT_ID = "unit_id"
TIME = "time"
SOURCE = "source"
SOURCE_ROW = "source_row"
CHECKPOINT_ID = "checkpoint_id"
FIX_COLUMNS = (UNIT_ID, TIME, SOURCE, SOURCE_ROW)
CHECKIN_COLUMNS = (UNIT_ID, CHECKPOINT_ID, TIME, SOURCE, SOURCE_ROW)

GPX_SUFFIXES = frozenset({".gpx"})


@dataclass(frozen=True)
class TrackColumns:
    """Source column names of a CSV of fixes or check-ins, overriding detection (``None``)."""

    unit_id: str | None = None
    datetime: str | None = None
    lon: str | None = None
    lat: str | None = None
    checkpoint: str | None = None


CANDIDATES: dict[str, tuple[str, ...]] = {
    "unit_id": (
        "unit_id",
        "unit",
        "vehicle_id",
        "device_id",
        "team",
        "patrol_unit",
        "巡组",
        "巡组编号",
        "车辆编号",
        "设备编号",
    ),
    "datetime": (
        "time",
        "datetime",
        "timestamp",
        "fix_time",
        "gps_time",
        "recorded_at",
        "定位时间",
        "时间",
        "打卡时间",
        "巡更时间",
    ),
    "lon": ("lon", "lng", "long", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "checkpoint": (
        "checkpoint_id",
        "checkpoint",
        "post_id",
        "post",
        "place_id",
        "巡更点",
        "巡更点编号",
        "点位",
    ),
}


def _resolve(
    header: Sequence[str],
    given: TrackColumns,
    roles: Sequence[str],
    issues: RowIssues,
    advice: Advice,
) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for role in roles:
        name = getattr(given, role)
        if name is not None and name not in header:
            issues.add_file(
                f"column {name!r} given for {role} ({advice.columns(**{role: name})}) is not in "
                f"the file; columns are: {list_columns(header)}",
                column=name,
            )
            name = None
        elif name is None:
            name = find_column(header, CANDIDATES[role], exclude=[c for c in found.values() if c])
            if name is None:
                issues.add_file(
                    f"no {role} column: expected one named {', '.join(CANDIDATES[role][:4])} "
                    f"(or {CANDIDATES[role][-1]}); name it with "
                    f"{advice.columns(**{role: '...'})}; columns are: {list_columns(header)}"
                )
        found[role] = name
    return found


def read_tracks(
    path: Path | str,
    *,
    columns: TrackColumns | None = None,
    unit_ids: Mapping[str, str] | None = None,
    timezone: str = "UTC",
    datetime_format: str | None = None,
    advice: Advice = LIBRARY_ADVICE,
) -> gpd.GeoDataFrame:
    """Read the GPS fixes of patrol units from a GPX 1.1 file or a CSV of fixes.

    Parameters
    ----------
    path
        A ``.gpx`` file (each ``trk`` one unit's track; its ``name`` the unit id) or a
        delimited text / ``.xlsx`` table with a unit id, a time and lon/lat per row.
    columns
        Source columns of a table, overriding detection (see :data:`CANDIDATES`).
    unit_ids
        Renames track names or table unit ids to the plan's unit ids (``{"GPS-07": "car-1"}``).
    timezone
        IANA zone of times written without an offset.
    datetime_format
        ``strftime`` format of the time column when detection cannot decide.
    advice
        How messages spell the options they suggest.

    Returns
    -------
    geopandas.GeoDataFrame
        ``unit_id``, ``time`` (UTC), ``source`` (file name), ``source_row`` (1-based row, or
        point number within the GPX file) and point geometry in EPSG:4326, sorted by unit and
        time.

    Raises
    ------
    GeoInputError
        With every problem found: XML that does not parse (with its line), points without a
        time, tracks without a name, rows with a bad time or coordinate (row and column named).
    """
    path = Path(path)
    if path.suffix.lower() in GPX_SUFFIXES:
        frame = _read_gpx(path, timezone=timezone, advice=advice)
    else:
        frame = _read_fix_table(
            path,
            columns or TrackColumns(),
            timezone=timezone,
            datetime_format=datetime_format,
            advice=advice,
        )
    if unit_ids:
        frame[UNIT_ID] = frame[UNIT_ID].map(lambda u: unit_ids.get(u, u))
    return frame.sort_values([UNIT_ID, TIME], kind="stable", ignore_index=True)


def _read_gpx(path: Path, *, timezone: str, advice: Advice) -> gpd.GeoDataFrame:
    import gpxpy
    import gpxpy.gpx

    source = source_name(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GeoInputError(
            [Problem(source, f"not UTF-8 text at byte {exc.start}; expected a GPX 1.1 file")]
        ) from None
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as exc:
        cause = exc.__cause__ or exc.__context__
        detail = str(cause) if cause is not None else str(exc)
        raise GeoInputError(
            [
                Problem(
                    source,
                    f"not a readable GPX file: {detail}; expected GPX 1.1 XML with <trk> "
                    "elements (export the tracks again, or give them as a CSV of fixes)",
                )
            ],
            f"{source} cannot be used as tracks",
        ) from None
    problems: list[Problem] = []
    units: list[str] = []
    times: list[pd.Timestamp] = []
    lons: list[float] = []
    lats: list[float] = []
    rows: list[int] = []
    number = 0
    if not gpx.tracks:
        problems.append(Problem(source, "the file has no <trk> track; expected one track per unit"))
    for t_index, track in enumerate(gpx.tracks, start=1):
        name = (track.name or "").strip()
        if not name:
            problems.append(
                Problem(
                    source,
                    f"track {t_index} has no <name>; expected the unit id as the track name",
                    column="trk/name",
                )
            )
        for segment in track.segments:
            for point in segment.points:
                number += 1
                if point.time is None:
                    problems.append(
                        Problem(
                            source,
                            f"point {number} of track {name or t_index} has no <time>; "
                            "expected a time on every track point",
                            row=number,
                            column="trkpt/time",
                        )
                    )
                    continue
                moment = pd.Timestamp(point.time)
                if moment.tzinfo is None:
                    moment = moment.tz_localize(timezone)
                units.append(name)
                times.append(moment.tz_convert("UTC"))
                lons.append(float(point.longitude))
                lats.append(float(point.latitude))
                rows.append(number)
    if problems:
        raise GeoInputError(problems, f"{source} cannot be used as tracks")
    issues = RowIssues(source, len(units))
    lon = np.asarray(lons, dtype=float)
    lat = np.asarray(lats, dtype=float)
    check_lonlat(lon, lat, issues, lon_column="trkpt/lon", lat_column="trkpt/lat")
    issues.raise_if_any(f"{source} cannot be used as tracks")
    return gpd.GeoDataFrame(
        {
            UNIT_ID: pd.Series(units, dtype=object),
            TIME: pd.to_datetime(pd.Series(times, dtype=object), utc=True),
            SOURCE: source,
            SOURCE_ROW: np.asarray(rows, dtype=np.int64),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _read_table(
    path: Path,
    given: TrackColumns,
    roles: Sequence[str],
    *,
    advice: Advice,
) -> tuple[pd.DataFrame, RowIssues, dict[str, str | None]]:
    source = source_name(path)
    chosen: dict[str, dict[str, str | None]] = {}

    def text_columns(header: list[str]) -> list[str]:
        chosen["found"] = _resolve(header, given, roles, RowIssues(source, 0), advice)
        return [
            c
            for r in ("unit_id", "datetime", "checkpoint")
            if r in roles and (c := chosen["found"][r]) is not None
        ]

    frame = read_text_table(path, text_columns=text_columns, advice=advice)
    issues = RowIssues(source, len(frame))
    found = _resolve([str(c) for c in frame.columns], given, roles, issues, advice)
    return frame, issues, found


def _ids(frame: pd.DataFrame, column: str, issues: RowIssues, what: str) -> pd.Series:
    text = frame[column].astype("string").str.strip()
    issues.add_rows(
        (text.isna() | (text == "")).to_numpy(),
        column=column,
        message=f"value is missing; expected the {what}",
    )
    return text.fillna("").astype(object)


def _times(
    frame: pd.DataFrame,
    column: str,
    issues: RowIssues,
    *,
    timezone: str,
    datetime_format: str | None,
    advice: Advice,
) -> pd.Series:
    parsed = parse_datetimes(
        frame[column],
        issues,
        column=column,
        timezone=timezone,
        datetime_format=datetime_format,
        expected="a date and time such as 2024-03-05 18:04:31 or 2024-03-05T18:04:31+08:00",
        advice=advice,
    )
    issues.add_rows(parsed.missing, column=column, message="value is missing; expected a time")
    date_only = ~parsed.time_known & ~parsed.missing & ~parsed.failed
    issues.add_rows(
        date_only,
        column=column,
        message="a date without a time of day; expected the time of the fix",
        values=frame[column],
    )
    return parsed.utc


def _read_fix_table(
    path: Path,
    given: TrackColumns,
    *,
    timezone: str,
    datetime_format: str | None,
    advice: Advice,
) -> gpd.GeoDataFrame:
    source = source_name(path)
    frame, issues, found = _read_table(
        path, given, ("unit_id", "datetime", "lon", "lat"), advice=advice
    )
    timezone_ok = check_timezone(timezone, issues)
    if issues.file_problems:
        issues.raise_if_any(f"{source} cannot be used as tracks")
    unit_col, time_col = found["unit_id"], found["datetime"]
    lon_col, lat_col = found["lon"], found["lat"]
    assert unit_col and time_col and lon_col and lat_col
    units = _ids(frame, unit_col, issues, "unit id")
    lon = numeric_column(frame, lon_col, issues, expected="a longitude in degrees")
    lat = numeric_column(frame, lat_col, issues, expected="a latitude in degrees")
    check_lonlat(lon, lat, issues, lon_column=lon_col, lat_column=lat_col, advice=advice)
    if timezone_ok:
        times = _times(
            frame,
            time_col,
            issues,
            timezone=timezone,
            datetime_format=datetime_format,
            advice=advice,
        )
    issues.raise_if_any(
        f"{source} cannot be used as tracks ({int(issues.bad.sum())} of {len(frame)} rows have "
        "problems)"
    )
    return gpd.GeoDataFrame(
        {
            UNIT_ID: units.to_numpy(),
            TIME: times.to_numpy(),
            SOURCE: source,
            SOURCE_ROW: np.arange(1, len(frame) + 1, dtype=np.int64),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    ).assign(**{TIME: lambda f: pd.to_datetime(f[TIME], utc=True)})


def read_checkins(
    path: Path | str,
    *,
    columns: TrackColumns | None = None,
    unit_ids: Mapping[str, str] | None = None,
    timezone: str = "UTC",
    datetime_format: str | None = None,
    advice: Advice = LIBRARY_ADVICE,
) -> pd.DataFrame:
    """Read checkpoint check-ins (巡更): which unit checked in at which checkpoint, when.

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``checkpoint_id`` (matched against the plan's task, place or post ids),
        ``time`` (UTC), ``source``, ``source_row``.

    Raises
    ------
    GeoInputError
        Naming every bad row and column.
    """
    path = Path(path)
    source = source_name(path)
    frame, issues, found = _read_table(
        path, columns or TrackColumns(), ("unit_id", "checkpoint", "datetime"), advice=advice
    )
    timezone_ok = check_timezone(timezone, issues)
    if issues.file_problems:
        issues.raise_if_any(f"{source} cannot be used as check-ins")
    unit_col, point_col, time_col = found["unit_id"], found["checkpoint"], found["datetime"]
    assert unit_col and point_col and time_col
    units = _ids(frame, unit_col, issues, "unit id")
    points = _ids(frame, point_col, issues, "checkpoint id")
    if timezone_ok:
        times = _times(
            frame,
            time_col,
            issues,
            timezone=timezone,
            datetime_format=datetime_format,
            advice=advice,
        )
    issues.raise_if_any(f"{source} cannot be used as check-ins")
    out = pd.DataFrame(
        {
            UNIT_ID: units.to_numpy(),
            CHECKPOINT_ID: points.to_numpy(),
            TIME: pd.to_datetime(times.to_numpy(), utc=True),
            SOURCE: source,
            SOURCE_ROW: np.arange(1, len(frame) + 1, dtype=np.int64),
        }
    )
    if unit_ids:
        out[UNIT_ID] = out[UNIT_ID].map(lambda u: unit_ids.get(u, u))
    return out.sort_values([UNIT_ID, TIME], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------------------------
# screening


#: Why a fix was kept out (the ``reason`` of :attr:`ScreenedFixes.rejected`).
REASON_DUPLICATE = "duplicate"
REASON_JUMP = "jump"
REASON_OUTSIDE = "outside"


@dataclass(frozen=True)
class ScreenedFixes:
    """Fixes split into those a review may use and those it may not, with the reasons.

    Attributes
    ----------
    kept
        The good fixes: the columns of :func:`read_tracks` without the geometry, plus ``lon``,
        ``lat`` and ``x``, ``y`` in the working CRS, sorted by unit and time.
    rejected
        The fixes kept out, with ``reason`` (``duplicate``, ``jump``, ``outside``) and
        ``detail`` (the speed or the distance that gave it away).
    """

    kept: pd.DataFrame
    rejected: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Number of rejected fixes per reason."""
        values = self.rejected["reason"].value_counts()
        return {str(k): int(v) for k, v in values.items()}


def screen_fixes(
    fixes: gpd.GeoDataFrame,
    *,
    crs: object,
    max_speed_mps: Mapping[str, float] | float,
    boundary: BaseGeometry | None = None,
    boundary_margin_m: float = 200.0,
    position_error_m: float = 20.0,
) -> ScreenedFixes:
    """Keep out the fixes that cannot be true, and say which and why.

    A fix is a *duplicate* when the same unit has another fix at the same instant (the first is
    kept); *outside* when it lies farther than ``boundary_margin_m`` outside ``boundary``; a
    *jump* when reaching it from the unit's previous good fix would need a speed above the
    unit's limit (the fix is dropped and the next one compared with the last good fix, so one
    bad fix does not also condemn its neighbours).

    Parameters
    ----------
    fixes
        From :func:`read_tracks` (EPSG:4326 or any CRS).
    crs
        The working metric CRS (distances are computed in it).
    max_speed_mps
        Speed limit per unit id, or one for all; a unit missing from the mapping has no limit.
    boundary
        The district outline in ``crs``.
    boundary_margin_m
        Tolerance outside the outline (GPS error, streets along the edge).
    position_error_m
        GPS error allowed between two fixes before their distance counts as movement (one
        second apart, a 15 m wobble is not a 54 km/h sprint).
    """
    if boundary_margin_m < 0:
        raise ValueError(f"boundary_margin_m: expected >= 0, got {boundary_margin_m}")
    from pyproj import CRS, Transformer

    if fixes.crs is None:
        raise ValueError("fixes: no CRS; read them with read_tracks (EPSG:4326)")
    order = np.lexsort(
        (
            fixes[TIME].to_numpy(dtype="datetime64[ns]").astype(np.int64),
            fixes[UNIT_ID].astype(str).to_numpy(),
        )
    )
    frame = pd.DataFrame(fixes.drop(columns=fixes.geometry.name)).iloc[order]
    frame = frame.reset_index(drop=True)
    coords = shapely.get_coordinates(np.asarray(fixes.geometry.values)[order])
    lon, lat = coords[:, 0], coords[:, 1]
    to_working = Transformer.from_crs(CRS(fixes.crs), CRS(crs), always_xy=True)
    x, y = (np.asarray(v, dtype=float) for v in to_working.transform(lon, lat))
    if CRS(fixes.crs).is_geographic:
        frame["lon"], frame["lat"] = lon, lat
    frame["x"] = x
    frame["y"] = y
    reason = np.full(len(frame), "", dtype=object)
    detail = np.full(len(frame), "", dtype=object)
    t_ns = frame[TIME].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    units = frame[UNIT_ID].to_numpy(dtype=object)
    same_unit = np.zeros(len(frame), dtype=bool)
    same_unit[1:] = units[1:] == units[:-1]
    dup = same_unit & np.r_[False, t_ns[1:] == t_ns[:-1]]
    reason[dup] = REASON_DUPLICATE
    detail[dup] = "another fix of the unit at the same time"
    if boundary is not None:
        zone = shapely.buffer(boundary, boundary_margin_m)
        shapely.prepare(zone)
        inside = shapely.contains_xy(zone, x, y)
        outside = ~inside & (reason == "")
        if outside.any():
            dist = shapely.distance(boundary, shapely.points(x[outside], y[outside]))
            reason[outside] = REASON_OUTSIDE
            detail[outside] = [f"{d:.0f} m outside the district" for d in dist]
    limits = (
        {u: float(max_speed_mps) for u in pd.unique(units)}
        if isinstance(max_speed_mps, int | float)
        else {str(k): float(v) for k, v in max_speed_mps.items()}
    )
    starts = np.flatnonzero(~same_unit)
    ends = np.r_[starts[1:], len(frame)] if len(starts) else starts  # no fixes: no units
    for lo, hi in zip(starts, ends, strict=True):
        limit = limits.get(str(units[lo]))
        if limit is None or hi - lo < 2:
            continue
        _mark_jumps(
            x[lo:hi],
            y[lo:hi],
            t_ns[lo:hi],
            limit,
            position_error_m,
            reason[lo:hi],
            detail[lo:hi],
        )
    bad = reason != ""
    kept = frame.loc[~bad].reset_index(drop=True)
    rejected = frame.loc[bad].copy()
    rejected["reason"] = reason[bad]
    rejected["detail"] = detail[bad]
    return ScreenedFixes(kept=kept, rejected=rejected.reset_index(drop=True))


def _mark_jumps(
    x: np.ndarray,
    y: np.ndarray,
    t_ns: np.ndarray,
    limit_mps: float,
    error_m: float,
    reason: np.ndarray,
    detail: np.ndarray,
) -> None:
    """Mark fixes that need more than ``limit_mps`` from the last good fix (in place).

    Vectorised first pass on consecutive good fixes; only the few fixes around a flagged step
    are walked one by one, so a clean track costs one numpy pass.
    """
    good = np.flatnonzero(reason == "")
    if len(good) < 2:
        return
    gx, gy, gt = x[good], y[good], t_ns[good]
    dt = np.diff(gt) / 1e9
    dist = np.maximum(np.hypot(np.diff(gx), np.diff(gy)) - error_m, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt > 0, dist / dt, np.where(dist > 0, np.inf, 0.0))
    if not (speed > limit_mps).any():
        return
    flags = np.flatnonzero(speed > limit_mps)  # step i runs from good fix i to good fix i + 1
    n = len(good)
    at = 0
    while at < len(flags):
        last = int(flags[at])
        k = last + 1
        while k < n:  # walk only until a fix is reachable from the last good one again
            seconds = (gt[k] - gt[last]) / 1e9
            metres = max(float(np.hypot(gx[k] - gx[last], gy[k] - gy[last])) - error_m, 0.0)
            needed = metres / seconds if seconds > 0 else (np.inf if metres > 0 else 0.0)
            if needed <= limit_mps:
                last = k
                break
            reason[good[k]] = REASON_JUMP
            detail[good[k]] = (
                f"{needed * 3.6:.0f} km/h from the previous fix; the unit's limit is "
                f"{limit_mps * 3.6:.0f} km/h"
            )
            k += 1
        if k >= n:
            return
        at = int(np.searchsorted(flags, last, side="left"))


__all__ = [
    "CHECKIN_COLUMNS",
    "FIX_COLUMNS",
    "ScreenedFixes",
    "TrackColumns",
    "read_checkins",
    "read_tracks",
    "screen_fixes",
]
