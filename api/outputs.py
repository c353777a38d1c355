"""Writing tables and layers to files at the edge of the system (EPSG:4326 for exchange)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo.crs import WGS84


def write_grid_geojson(cells: gpd.GeoDataFrame, path: Path) -> Path:
    """Write grid cells as GeoJSON in EPSG:4326 (the GeoJSON standard's CRS) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells.to_crs(WGS84).to_file(path, driver="GeoJSON", COORDINATE_PRECISION=7)
    return path
