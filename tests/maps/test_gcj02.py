"""WGS-84 → GCJ-02 against published reference values."""

from __future__ import annotations

import numpy as np
import pytest

from maps.gcj02 import out_of_china, wgs84_to_gcj02

# (wgs lat, wgs lon) -> (gcj lat, gcj lon): the reference vectors of eviltransform's tests.
REFERENCE = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_reference_points(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lat, lon = wgs84_to_gcj02(*wgs)
    assert float(lat) == pytest.approx(gcj[0], abs=1e-9)
    assert float(lon) == pytest.approx(gcj[1], abs=1e-9)


def test_vectorised_matches_scalar() -> None:
    lats = np.array([w[0] for w, _ in REFERENCE])
    lons = np.array([w[1] for w, _ in REFERENCE])
    lat, lon = wgs84_to_gcj02(lats, lons)
    np.testing.assert_allclose(lat, [g[0] for _, g in REFERENCE], atol=1e-9)
    np.testing.assert_allclose(lon, [g[1] for _, g in REFERENCE], atol=1e-9)


def test_outside_china_unchanged() -> None:
    lat = np.array([43.6629, 39.7392, -27.4698, 51.5])
    lon = np.array([-79.3957, -104.9903, 153.0251, -0.12])
    assert out_of_china(lat, lon).all()
    glat, glon = wgs84_to_gcj02(lat, lon)
    np.testing.assert_array_equal(glat, lat)
    np.testing.assert_array_equal(glon, lon)


def test_offset_is_a_few_hundred_metres_in_beijing() -> None:
    lat, lon = wgs84_to_gcj02(39.9042, 116.4074)
    dy = (float(lat) - 39.9042) * 111_320
    dx = (float(lon) - 116.4074) * 111_320 * np.cos(np.radians(39.9042))
    assert 300 < np.hypot(dx, dy) < 800


def test_shape_mismatch_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"same shape.*\(2,\).*\(3,\)"):
        wgs84_to_gcj02([1.0, 2.0], [1.0, 2.0, 3.0])
