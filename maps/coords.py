"""Working CRS → ``[lat, lon]`` for display, in one place (optionally shifted to GCJ-02).

Maps and exports compute nothing in degrees: they only convert at the edge. A
:class:`Projector` converts points, lines and whole layers, rounds to ``precision`` decimals
(6 decimals ≈ 0.1 m, which keeps large maps small) and applies the GCJ-02 offset when the base
map is AutoNavi/Gaode.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from geo.crs import WGS84
from maps.gcj02 import wgs84_to_gcj02


@dataclass(frozen=True)
class Projector:
    """Convert working-CRS coordinates to rounded latitude/longitude.

    Parameters
    ----------
    crs
        The working CRS of the input coordinates.
    gcj02
        Shift the output to GCJ-02 (for AutoNavi/Gaode tiles).
    precision
        Decimals kept (5–6 for maps; 7 for exports).
    """

    crs: CRS
    gcj02: bool = False
    precision: int = 6

    def __post_init__(self) -> None:
        if not 0 <= self.precision <= 10:
            raise ValueError(f"precision must be 0..10 decimals, got {self.precision!r}")

    def _transformer(self) -> Transformer:
        return Transformer.from_crs(CRS(self.crs), WGS84, always_xy=True)

    def latlon(self, x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(lat, lon)`` arrays of working-CRS ``x, y`` arrays."""
        lon, lat = self._transformer().transform(
            np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        )
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        if self.gcj02:
            lat, lon = wgs84_to_gcj02(lat, lon)
        return np.round(lat, self.precision), np.round(lon, self.precision)

    def point(self, x: float, y: float) -> list[float]:
        """``[lat, lon]`` of one point (Leaflet's order)."""
        lat, lon = self.latlon([x], [y])
        return [float(lat[0]), float(lon[0])]

    def line(self, geometry: BaseGeometry) -> list[list[float]]:
        """``[[lat, lon], ...]`` of a LineString's vertices (empty for an empty line)."""
        if geometry is None or geometry.is_empty:
            return []
        xy = np.asarray(shapely.get_coordinates(geometry))
        lat, lon = self.latlon(xy[:, 0], xy[:, 1])
        return [[float(a), float(b)] for a, b in zip(lat, lon, strict=True)]

    def lonlat_xy(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Rows of ``[x, y]`` → rows of ``[lon, lat]`` (GeoJSON order)."""
        if len(xy) == 0:
            return np.asarray(xy, dtype=float)
        lat, lon = self.latlon(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    def geometry(self, geometry: BaseGeometry) -> BaseGeometry:
        """A shapely geometry in lon/lat (GeoJSON order)."""
        return shapely.transform(geometry, self.lonlat_xy)

    def frame(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """``frame`` in EPSG:4326 (GCJ-02 shifted if asked), coordinates rounded."""
        out = frame.copy()
        geoms = np.asarray(frame.geometry.array, dtype=object)
        out = gpd.GeoDataFrame(
            out.drop(columns=frame.geometry.name),
            geometry=shapely.transform(geoms, self.lonlat_xy),
            crs=WGS84,
        )
        return out
