"""Working-CRS choice and conversions."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import CRS
from shapely.geometry import Point

from geo.crs import ensure_crs, is_metric, local_crs, to_latlon, utm_crs_for_lonlat


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (-122.68, 45.52, 32610),  # Portland
        (-79.39, 43.66, 32617),  # Toronto
        (116.40, 39.90, 32650),  # Beijing
        (151.21, -33.87, 32756),  # Sydney, southern hemisphere
        (180.0, 0.0, 32601),  # the antimeridian wraps to zone 1
    ],
)
def test_utm_zone_of_known_places(lon: float, lat: float, epsg: int) -> None:
    assert utm_crs_for_lonlat(lon, lat) == CRS.from_epsg(epsg)


def test_utm_rejects_swapped_or_out_of_range_coordinates() -> None:
    with pytest.raises(ValueError, match=r"lat=-122\.68"):
        utm_crs_for_lonlat(45.52, -122.68)


def test_local_crs_uses_the_centroid_of_the_extent() -> None:
    frame = gpd.GeoDataFrame(geometry=[Point(-79.40, 43.66), Point(-79.38, 43.67)], crs=4326)
    assert local_crs(frame) == CRS.from_epsg(32617)


def test_local_crs_requires_a_crs_and_data() -> None:
    with pytest.raises(ValueError, match="no CRS"):
        local_crs(gpd.GeoDataFrame(geometry=[Point(0, 0)]))
    with pytest.raises(ValueError, match="empty"):
        local_crs(gpd.GeoDataFrame(geometry=[], crs=4326))


def test_is_metric() -> None:
    assert is_metric(CRS.from_epsg(32610))
    assert not is_metric(CRS.from_epsg(4326))
    assert not is_metric(CRS.from_epsg(2913))  # Oregon North in international feet
    assert not is_metric(None)


def test_ensure_crs_warns_with_both_crs_names() -> None:
    frame = gpd.GeoDataFrame(geometry=[Point(-122.68, 45.52)], crs=4326)
    with pytest.warns(UserWarning, match=r"EPSG:4326.*EPSG:32610"):
        out = ensure_crs(frame, CRS.from_epsg(32610), name="incidents")
    assert out.crs == CRS.from_epsg(32610)
    assert out.geometry.x.iloc[0] == pytest.approx(525_000, abs=5_000)


def test_to_latlon_returns_latitude_first() -> None:
    crs = CRS.from_epsg(32610)
    frame = gpd.GeoDataFrame(geometry=[Point(-122.6778, 45.5146)], crs=4326).to_crs(crs)
    lat, lon = to_latlon(
        np.array([frame.geometry.x.iloc[0]]), np.array([frame.geometry.y.iloc[0]]), crs
    )
    assert lat[0] == pytest.approx(45.5146, abs=1e-9)
    assert lon[0] == pytest.approx(-122.6778, abs=1e-9)
