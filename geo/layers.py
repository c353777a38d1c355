"""Checks that the layers of one district are of the same place.

Incidents of another city, stations typed with latitude and longitude exchanged or a street
network of the wrong extract would otherwise be planned on: every point snapped thousands of
kilometres to one crossing. :func:`check_layers_fit` measures how far each layer lies from a
reference extent (the street network's, or the boundary's) and refuses the ones entirely
outside it, saying how far, and whether exchanging their coordinates would bring them in.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer

from geo.errors import GeoInputError, Problem

WGS84 = CRS.from_epsg(4326)
#: A layer whose nearest point is farther than this from the reference extent is refused.
MAX_OUTSIDE_KM = 5.0
_GEOD = Geod(ellps="WGS84")


def lonlat_bounds(x: np.ndarray, y: np.ndarray, crs: CRS) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of points in ``crs``, in degrees."""
    lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(x, y)
    lon, lat = np.asarray(lon), np.asarray(lat)
    return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())


def distance_to_bounds_km(
    lon: np.ndarray, lat: np.ndarray, bounds: tuple[float, float, float, float]
) -> np.ndarray:
    """Geodesic distance (km) from each point to the nearest point of a lon/lat box."""
    west, south, east, north = bounds
    near_lon = np.clip(lon, west, east)
    near_lat = np.clip(lat, south, north)
    _, _, metres = _GEOD.inv(lon, lat, near_lon, near_lat)
    return np.asarray(metres, dtype=float) / 1000.0


def _points_lonlat(layer: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    geometry = np.asarray(layer.to_crs(WGS84).geometry.array, dtype=object)
    present = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    points = shapely.point_on_surface(geometry[present])
    return shapely.get_x(points), shapely.get_y(points)


def check_layers_fit(
    reference: str,
    bounds: tuple[float, float, float, float],
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    max_outside_km: float = MAX_OUTSIDE_KM,
) -> None:
    """Refuse the layers that lie entirely outside a reference extent.

    Parameters
    ----------
    reference
        What the extent is of, for messages (``"the street network grid.osm"``).
    bounds
        ``(west, south, east, north)`` of the reference in degrees.
    layers
        Layers by the name to use in messages (``"incidents"``, ``"stations"``...), each with
        a CRS (``None`` and empty layers are skipped).
    max_outside_km
        A layer whose nearest point is farther than this from the extent is refused.

    Raises
    ------
    GeoInputError
        One problem per refused layer: how far it is, where, and whether it fits with its
        longitudes and latitudes exchanged (else: a file of another place).
    """
    west, south, east, north = bounds
    where = f"lon {west:.4f}..{east:.4f}, lat {south:.4f}..{north:.4f}"
    problems: list[Problem] = []
    for name, layer in layers.items():
        if layer is None or len(layer) == 0 or layer.crs is None:
            continue
        lon, lat = _points_lonlat(layer)
        if len(lon) == 0:
            continue
        away = distance_to_bounds_km(lon, lat, bounds)
        if float(away.min()) <= max_outside_km:
            continue
        swapped = (np.abs(lon) <= 90.0) & (
            distance_to_bounds_km(lat, np.clip(lon, -90, 90), bounds) <= max_outside_km
        )
        if swapped.mean() >= 0.5:
            fix = (
                "with longitude and latitude exchanged it lies on it: latitude and longitude "
                "look swapped in the whole file; swap the two coordinate columns"
            )
        else:
            fix = "is it a file of another place, or are its coordinates in another CRS?"
        problems.append(
            Problem(
                name,
                f"the layer lies {float(away.min()):,.0f} to {float(away.max()):,.0f} km from "
                f"{reference} ({where}); expected layers of the same place ({fix})",
            )
        )
    if problems:
        raise GeoInputError(problems, f"layers do not belong with {reference}")
