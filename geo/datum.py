"""Chinese web-map datums: GCJ-02 ("Mars coordinates") and Baidu's BD-09, to and from WGS-84.

Coordinates from Chinese dispatch systems and web maps are often in GCJ-02 (AutoNavi/Gaode,
Tencent) or BD-09 (Baidu): WGS-84 shifted by a few hundred metres by a published, non-invertible
formula. :func:`to_wgs84` brings such input to WGS-84 (``--input-datum gcj02|bd09``) before it is
used; :func:`wgs84_to_gcj02` goes the other way for tiles drawn in GCJ-02. The GCJ-02 offset
applies inside China's rough bounding box only; outside it, coordinates are unchanged. The
inverse of GCJ-02 is found by fixed-point iteration (to well under a millimetre); BD-09 to
GCJ-02 is the closed form in common use (good to a few decimetres).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import geopandas as gpd

_A = 6378245.0  # semi-major axis of Krasovsky 1940
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # Baidu's constant

#: The rough bounding box (lon/lat) inside which the offset applies, as in eviltransform.
CHINA_BOUNDS: Final = (72.004, 0.8293, 137.8347, 55.8271)

#: Input datums that can be converted to WGS-84.
DATUMS: Final = ("wgs84", "gcj02", "bd09")

Datum = Literal["wgs84", "gcj02", "bd09"]

Pair = tuple[NDArray[np.float64], NDArray[np.float64]]


def check_datum(datum: str) -> Datum:
    """The canonical name of ``datum`` (``wgs84``, ``gcj02``, ``bd09``; case, ``-`` tolerated).

    Raises
    ------
    ValueError
        For any other name, listing the known ones.
    """
    key = str(datum).strip().lower().replace("-", "").replace("_", "")
    aliases: dict[str, Datum] = {
        "wgs84": "wgs84",
        "epsg4326": "wgs84",
        "gcj02": "gcj02",
        "gcj": "gcj02",
        "mars": "gcj02",
        "bd09": "bd09",
        "bd09ll": "bd09",
        "baidu": "bd09",
    }
    if key not in aliases:
        raise ValueError(
            f"input datum: unknown datum {datum!r}; expected one of {', '.join(DATUMS)} "
            "(e.g. --input-datum gcj02 for AutoNavi/Gaode or Tencent coordinates)"
        )
    return aliases[key]


def _pair(lat: ArrayLike, lon: ArrayLike) -> Pair:
    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    if la.shape != lo.shape:
        raise ValueError(f"lat and lon must have the same shape, got {la.shape} and {lo.shape}")
    return la, lo


def out_of_china(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.bool_]:
    """True where ``(lat, lon)`` lies outside China's rough bounding box (no offset there)."""
    la, lo = _pair(lat, lon)
    min_lon, min_lat, max_lon, max_lat = CHINA_BOUNDS
    return (lo < min_lon) | (lo > max_lon) | (la < min_lat) | (la > max_lat)


def _delta_lat(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    out = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    out += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return out


def _delta_lon(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    out = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    out += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    out += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    out += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return out


def _offset(la: NDArray[np.float64], lo: NDArray[np.float64]) -> Pair:
    """The GCJ-02 offset (degrees of lat, lon) at the WGS-84 point ``(la, lo)``."""
    d_lat = _delta_lat(lo - 105.0, la - 35.0)
    d_lon = _delta_lon(lo - 105.0, la - 35.0)
    rad = la / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return d_lat, d_lon


def wgs84_to_gcj02(lat: ArrayLike, lon: ArrayLike) -> Pair:
    """Convert WGS-84 ``(lat, lon)`` (degrees, scalars or arrays of one shape) to GCJ-02;
    points outside China are unchanged.

    Raises
    ------
    ValueError
        If ``lat`` and ``lon`` have different shapes.
    """
    la, lo = _pair(lat, lon)
    d_lat, d_lon = _offset(la, lo)
    outside = out_of_china(la, lo)
    return np.where(outside, la, la + d_lat), np.where(outside, lo, lo + d_lon)


def gcj02_to_wgs84(lat: ArrayLike, lon: ArrayLike, *, tol_deg: float = 1e-10) -> Pair:
    """Convert GCJ-02 ``(lat, lon)`` to WGS-84 by fixed-point iteration on the forward offset
    (converges to ``tol_deg``, about 0.01 mm, in a handful of steps)."""
    la, lo = _pair(lat, lon)
    wlat, wlon = la.copy(), lo.copy()
    for _ in range(30):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        err_lat, err_lon = glat - la, glon - lo
        wlat, wlon = wlat - err_lat, wlon - err_lon
        if (
            max(
                float(np.max(np.abs(err_lat), initial=0.0)),
                float(np.max(np.abs(err_lon), initial=0.0)),
            )
            < tol_deg
        ):
            break
    outside = out_of_china(la, lo)
    return np.where(outside, la, wlat), np.where(outside, lo, wlon)


def gcj02_to_bd09(lat: ArrayLike, lon: ArrayLike) -> Pair:
    """Convert GCJ-02 ``(lat, lon)`` to Baidu's BD-09."""
    la, lo = _pair(lat, lon)
    z = np.sqrt(lo * lo + la * la) + 0.00002 * np.sin(la * _X_PI)
    theta = np.arctan2(la, lo) + 0.000003 * np.cos(lo * _X_PI)
    return z * np.sin(theta) + 0.006, z * np.cos(theta) + 0.0065


def bd09_to_gcj02(lat: ArrayLike, lon: ArrayLike) -> Pair:
    """Convert Baidu's BD-09 ``(lat, lon)`` to GCJ-02."""
    la, lo = _pair(lat, lon)
    x, y = lo - 0.0065, la - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.sin(theta), z * np.cos(theta)


def wgs84_to_bd09(lat: ArrayLike, lon: ArrayLike) -> Pair:
    """Convert WGS-84 ``(lat, lon)`` to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: ArrayLike, lon: ArrayLike) -> Pair:
    """Convert BD-09 ``(lat, lon)`` to WGS-84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


def to_wgs84(lat: ArrayLike, lon: ArrayLike, datum: str) -> Pair:
    """``(lat, lon)`` given in ``datum`` (``wgs84``, ``gcj02``, ``bd09``) as WGS-84."""
    code = check_datum(datum)
    if code == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    if code == "bd09":
        return bd09_to_wgs84(lat, lon)
    return _pair(lat, lon)


def layer_to_wgs84(layer: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """``layer`` read from a file whose longitude/latitude were in ``datum``, with every
    coordinate moved to WGS-84 (the layer's CRS is kept; ``wgs84`` returns it as it is)."""
    import shapely

    code = check_datum(datum)
    if code == "wgs84" or layer.crs is None or not len(layer):
        return layer
    crs = layer.crs
    degrees = layer.to_crs(4326)

    def move(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lat, lon = to_wgs84(xy[:, 1], xy[:, 0], code)
        return np.column_stack([lon, lat])

    moved = degrees.set_geometry(shapely.transform(degrees.geometry.values, move))
    return moved.to_crs(crs)
