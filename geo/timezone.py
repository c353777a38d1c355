"""The IANA time zone of a district, from where it lies, when the user names none.

A Chinese user who forgets ``--timezone`` should not get every hour shifted by eight and the
night's risk in the wrong band: the zone is looked up at the centroid of the district's layers
(``timezonefinder``, offline polygons of the IANA zones). :data:`AUTO` is the option value that
asks for it; the zone chosen is stated in the district's notes and every output.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import geopandas as gpd
    from timezonefinder import TimezoneFinder

#: The ``--timezone`` value meaning "the zone of the district's centroid".
AUTO: Final = "auto"
#: The zone used where no IANA zone covers the centroid (open sea).
FALLBACK: Final = "UTC"


@cache
def _finder() -> TimezoneFinder:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(lat: float, lon: float) -> str | None:
    """The IANA zone name at ``(lat, lon)`` (WGS-84 degrees), or ``None`` at sea.

    Raises
    ------
    ValueError
        If the coordinates are not finite latitude/longitude degrees.
    """
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"zone_at: ({lat!r}, {lon!r}) is not a latitude/longitude in degrees")
    return _finder().timezone_at(lng=float(lon), lat=float(lat))


def centroid_lonlat(layer: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[float, float]:
    """``(lon, lat)`` of the centre of ``layer``'s bounds, in WGS-84 degrees."""
    west, south, east, north = (float(v) for v in layer.to_crs(4326).total_bounds)
    return (west + east) / 2.0, (south + north) / 2.0


def district_timezone(layer: gpd.GeoDataFrame | gpd.GeoSeries) -> tuple[str, str]:
    """The zone of ``layer``'s centroid and a sentence saying how it was chosen.

    Returns
    -------
    (zone, note)
        ``("Asia/Shanghai", "Time zone Asia/Shanghai, from the district's centroid (39.9040 N,
        116.4075 E); give --timezone to choose another.")``; at sea, :data:`FALLBACK` and a
        note saying so.
    """
    lon, lat = centroid_lonlat(layer)
    found = zone_at(lat, lon)
    where = f"{abs(lat):.4f} {'N' if lat >= 0 else 'S'}, {abs(lon):.4f} {'E' if lon >= 0 else 'W'}"
    if found is None:
        return FALLBACK, (
            f"Time zone {FALLBACK}: no IANA zone covers the district's centroid ({where}); "
            "give --timezone to choose one."
        )
    return found, (
        f"Time zone {found}, from the district's centroid ({where}); give --timezone to "
        "choose another."
    )
