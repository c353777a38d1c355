"""Choosing the working CRS and converting to and from it.

All computation happens in one metric CRS: the UTM zone of the data's centroid. EPSG:4326 is
used only to read longitude/latitude input and for display and export.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer

WGS84 = CRS.from_epsg(4326)


def utm_crs_for_lonlat(lon: float, lat: float) -> CRS:
    """Return the WGS 84 / UTM CRS whose zone contains ``(lon, lat)``.

    Parameters
    ----------
    lon, lat
        A point in degrees.
    """
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"lon/lat out of range: lon={lon!r}, lat={lat!r}")
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def local_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """Return the UTM CRS of the centroid of ``frame``'s extent.

    Raises
    ------
    ValueError
        If ``frame`` has no CRS or is empty.
    """
    if frame.crs is None:
        raise ValueError("cannot choose a working CRS: the layer has no CRS set (use set_crs)")
    if len(frame) == 0 or frame.geometry.is_empty.all():
        raise ValueError("cannot choose a working CRS for an empty layer")
    minx, miny, maxx, maxy = frame.to_crs(WGS84).total_bounds
    return utm_crs_for_lonlat((minx + maxx) / 2.0, (miny + maxy) / 2.0)


def is_metric(crs: CRS | None) -> bool:
    """True when ``crs`` is projected with metre units."""
    if crs is None or not crs.is_projected:
        return False
    units = {axis.unit_name for axis in crs.axis_info}
    return units <= {"metre", "meter"}


def ensure_crs(
    frame: gpd.GeoDataFrame, crs: CRS, *, name: str = "layer", warn: bool = True
) -> gpd.GeoDataFrame:
    """Return ``frame`` in ``crs``, reprojecting (and warning with both CRSs) when it differs."""
    if frame.crs is None:
        raise ValueError(f"{name} has no CRS set; expected {crs.to_string()} (use set_crs)")
    if CRS(frame.crs) == crs:
        return frame
    if warn:
        warnings.warn(
            f"{name} is in {CRS(frame.crs).to_string()}, reprojecting to the working CRS "
            f"{crs.to_string()} (call .to_crs() first to silence this)",
            stacklevel=2,
        )
    return frame.to_crs(crs)


def to_latlon(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Convert working-CRS coordinates to ``(lat, lon)`` arrays, in that order (Leaflet's)."""
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    lon, lat = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lat), np.asarray(lon)
