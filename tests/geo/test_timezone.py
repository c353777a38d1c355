"""The district's time zone from its centroid, and what it does to local hours (DST too)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo.timezone import FALLBACK, district_timezone, zone_at


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [
        (39.9042, 116.4074, "Asia/Shanghai"),  # Beijing
        (43.6629, -79.3957, "America/Toronto"),
        (45.5152, -122.6784, "America/Los_Angeles"),  # Portland
        (43.8256, 87.6168, "Asia/Urumqi"),  # Ürümqi keeps its own zone in the IANA data
    ],
)
def test_zone_at_known_places(lat: float, lon: float, zone: str) -> None:
    assert zone_at(lat, lon) == zone


def test_district_zone_from_its_centroid_in_any_crs() -> None:
    beijing = gpd.GeoDataFrame(geometry=[box(116.38, 39.90, 116.42, 39.93)], crs=4326)
    zone, note = district_timezone(beijing.to_crs(32650))  # UTM 50N, as the working CRS
    assert zone == "Asia/Shanghai"
    assert "Asia/Shanghai" in note and "--timezone" in note
    # the hour that matters: 22:00 in Beijing is 14:00 UTC, not 22:00
    local = datetime(2024, 3, 5, 22, 0, tzinfo=ZoneInfo(zone))
    assert local.astimezone(UTC).hour == 14


def test_toronto_zone_follows_daylight_saving() -> None:
    toronto = gpd.GeoDataFrame(geometry=[Point(-79.3957, 43.6629)], crs=4326)
    zone, _ = district_timezone(toronto)
    before = datetime(2024, 3, 9, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    after = datetime(2024, 3, 11, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    assert before is not None and after is not None
    assert (after - before).total_seconds() == 3600  # clocks went forward on 10 March


def test_at_sea_the_fallback_is_said() -> None:
    sea = gpd.GeoDataFrame(geometry=[Point(-140.0, 0.0)], crs=4326)
    zone, note = district_timezone(sea)
    assert zone == FALLBACK or zone.startswith("Etc/")
    assert "--timezone" in note


def test_bad_coordinates_are_refused() -> None:
    with pytest.raises(ValueError, match="not a latitude/longitude"):
        zone_at(116.4, 39.9 + 200)
