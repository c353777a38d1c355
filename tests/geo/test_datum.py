"""GCJ-02 and BD-09 to and from WGS-84, against published control points."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.datum import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    check_datum,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# WGS-84 -> GCJ-02: the reference vectors of eviltransform's tests.
WGS_GCJ = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]
# GCJ-02 <-> BD-09 at (39.915, 116.404): the example values of coordtransform's README.
GCJ = (39.915, 116.404)
BD_OF_GCJ = (39.92133699351022, 116.41036949371029)
GCJ_OF_BD = (39.90865673957631, 116.39762729119315)
# coordtransform's WGS-84 -> GCJ-02 of the same point
GCJ_OF_WGS = (39.91640428150164, 116.41024449916938)

METRE_DEG = 1.0 / 111_000  # a metre in degrees of latitude, roughly


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_gcj02_control_points_both_ways(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lat, lon = wgs84_to_gcj02(*wgs)
    assert (float(lat), float(lon)) == pytest.approx(gcj, abs=1e-9)
    back_lat, back_lon = gcj02_to_wgs84(*gcj)
    # the inverse is iterated: back on the published WGS-84 point to a millimetre
    assert (float(back_lat), float(back_lon)) == pytest.approx(wgs, abs=0.001 * METRE_DEG)


def test_bd09_control_points() -> None:
    assert tuple(map(float, gcj02_to_bd09(*GCJ))) == pytest.approx(BD_OF_GCJ, abs=1e-9)
    assert tuple(map(float, bd09_to_gcj02(*GCJ))) == pytest.approx(GCJ_OF_BD, abs=1e-9)
    assert tuple(map(float, wgs84_to_gcj02(*GCJ))) == pytest.approx(GCJ_OF_WGS, abs=1e-9)
    # BD-09 of a WGS-84 point back to it (through GCJ-02): the closed-form BD-09 inverse is
    # good to a few decimetres
    lat, lon = bd09_to_wgs84(*wgs84_to_bd09(*WGS_GCJ[2][0]))
    assert (float(lat), float(lon)) == pytest.approx(WGS_GCJ[2][0], abs=0.5 * METRE_DEG)


@given(
    lat=st.floats(min_value=18.0, max_value=53.0),
    lon=st.floats(min_value=74.0, max_value=134.0),
)
def test_gcj02_round_trip_inside_china(lat: float, lon: float) -> None:
    glat, glon = wgs84_to_gcj02(lat, lon)
    # the offset is a few hundred metres at most, never zero inside China
    shift = np.hypot(float(glat) - lat, float(glon) - lon)
    assert 0 < shift < 0.01
    back = gcj02_to_wgs84(glat, glon)
    assert float(back[0]) == pytest.approx(lat, abs=1e-8)
    assert float(back[1]) == pytest.approx(lon, abs=1e-8)


def test_outside_china_unchanged_and_vectorised() -> None:
    lat = np.array([43.6629, 45.52, 39.9])
    lon = np.array([-79.3957, -122.68, 116.4])
    wlat, wlon = to_wgs84(lat, lon, "GCJ-02")
    np.testing.assert_array_equal(wlat[:2], lat[:2])
    np.testing.assert_array_equal(wlon[:2], lon[:2])
    assert abs(wlat[2] - 39.9) > 1e-4  # Beijing moved
    assert to_wgs84(lat, lon, "wgs84")[0] is not None


def test_unknown_datum_is_named_with_the_fix() -> None:
    with pytest.raises(ValueError, match=r"unknown datum 'nad27'.*--input-datum gcj02"):
        check_datum("nad27")
    assert check_datum("BD-09") == "bd09"
    with pytest.raises(ValueError, match="same shape"):
        wgs84_to_gcj02([1.0, 2.0], [1.0])
