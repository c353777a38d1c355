"""WGS-84 → GCJ-02 ("Mars coordinates"), the datum of AutoNavi/Gaode tiles in China.

Chinese web maps show their tiles in GCJ-02, an obfuscated offset of WGS-84 by a few hundred
metres. Overlays drawn in WGS-84 on such tiles sit beside their streets, so every overlay is
converted before it is drawn. The transform is the public standard one (as in eviltransform);
points outside China's rough bounding box are returned unchanged.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

_A = 6378245.0  # semi-major axis of Krasovsky 1940
_EE = 0.00669342162296594323  # its first eccentricity squared

#: The rough bounding box (lon/lat) inside which the offset applies, as in eviltransform.
CHINA_BOUNDS = (72.004, 0.8293, 137.8347, 55.8271)


def out_of_china(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.bool_]:
    """True where ``(lat, lon)`` lies outside China's rough bounding box (no offset there)."""
    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
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


def wgs84_to_gcj02(
    lat: ArrayLike, lon: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert WGS-84 ``(lat, lon)`` arrays (degrees) to GCJ-02, vectorised.

    Parameters
    ----------
    lat, lon
        Scalars or arrays of the same shape, in degrees.

    Returns
    -------
    (lat, lon)
        GCJ-02 arrays of the input's shape; points outside China are unchanged.

    Raises
    ------
    ValueError
        If ``lat`` and ``lon`` have different shapes.
    """
    la = np.asarray(lat, dtype=float)
    lo = np.asarray(lon, dtype=float)
    if la.shape != lo.shape:
        raise ValueError(f"lat and lon must have the same shape, got {la.shape} and {lo.shape}")
    d_lat = _delta_lat(lo - 105.0, la - 35.0)
    d_lon = _delta_lon(lo - 105.0, la - 35.0)
    rad = la / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    outside = out_of_china(la, lo)
    return np.where(outside, la, la + d_lat), np.where(outside, lo, lo + d_lon)
