"""Writing GPS fixes as the files units' devices export: a CSV of fixes or GPX 1.1 tracks.

Used for simulated tracks (tests, benchmarks, the demo) and to hand a review's cleaned fixes
back to other tools. The files are what :func:`geo.io.tracks.read_tracks` reads.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from geo.crs import WGS84


def _lonlat(fixes: pd.DataFrame, crs: CRS | str) -> tuple[np.ndarray, np.ndarray]:
    to_wgs84 = Transformer.from_crs(CRS(crs), WGS84, always_xy=True)
    lon, lat = to_wgs84.transform(fixes["x"].to_numpy(float), fixes["y"].to_numpy(float))
    return np.round(np.asarray(lon), 7), np.round(np.asarray(lat), 7)


def write_fixes_csv(fixes: pd.DataFrame, crs: CRS | str, path: Path) -> Path:
    """Write ``fixes`` (``unit_id``, ``time`` aware, ``x``, ``y`` in ``crs``) as a CSV of
    ``unit_id,time,lat,lon`` with ISO 8601 times in UTC."""
    lon, lat = _lonlat(fixes, crs)
    times = pd.to_datetime(fixes["time"], utc=True)
    table = pd.DataFrame(
        {
            "unit_id": fixes["unit_id"].astype(str).to_numpy(),
            "time": times.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").str.replace(
                r"\.(\d{3})\d{3}Z$", r".\1Z", regex=True
            ),
            "lat": lat,
            "lon": lon,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path


def write_fixes_gpx(fixes: pd.DataFrame, crs: CRS | str, path: Path) -> Path:
    """Write ``fixes`` as GPX 1.1: one ``<trk>`` per unit, named by its unit id."""
    import gpxpy.gpx

    lon, lat = _lonlat(fixes, crs)
    times = pd.to_datetime(fixes["time"], utc=True)
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "gridpatrol"
    frame = pd.DataFrame(
        {"unit_id": fixes["unit_id"].astype(str).to_numpy(), "lon": lon, "lat": lat, "t": times}
    )
    for unit, part in frame.groupby("unit_id", sort=False):
        track = gpxpy.gpx.GPXTrack(name=str(unit))
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points = [
            gpxpy.gpx.GPXTrackPoint(float(y), float(x), time=t.floor("us").to_pydatetime())
            for x, y, t in zip(part["lon"], part["lat"], part["t"], strict=True)
        ]
        track.segments.append(segment)
        gpx.tracks.append(track)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(gpx.to_xml(version="1.1"), encoding="utf-8")
    return path
