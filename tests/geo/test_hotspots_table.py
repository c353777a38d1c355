"""The hotspot table for planning: columns, counts, peak hours, representative point, snap."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.hotspots import compute_risk, hotspot_table
from geo.hotspots.table import weighted_medoid
from geo.schema import CATEGORY, CELL_ID, OCCURRED_AT, TIME_KNOWN

CRS = "EPSG:32650"


def _cells() -> gpd.GeoDataFrame:
    boxes = [box(j * 100, 0, (j + 1) * 100, 100) for j in range(4)]
    return gpd.GeoDataFrame({CELL_ID: ["c0", "c1", "c2", "c3"]}, geometry=boxes, crs=CRS)


def _incidents() -> gpd.GeoDataFrame:
    rows = [
        ("c0", "2024-05-30 09:10", "theft", True, (10, 10)),
        ("c0", "2024-05-30 09:40", "robbery", True, (12, 11)),
        ("c0", "2024-05-31 14:00", "theft", True, (14, 12)),
        ("c0", "2024-05-31 20:00", "theft", True, (90, 90)),
        ("c1", "2024-05-31 00:00", "burglary", False, (150, 50)),
        ("c1", "2024-05-30 00:00", "burglary", False, (160, 50)),
    ]
    frame = pd.DataFrame(
        [(c, t, k, tk) for c, t, k, tk, _ in rows],
        columns=[CELL_ID, OCCURRED_AT, CATEGORY, TIME_KNOWN],
    )
    frame[OCCURRED_AT] = pd.to_datetime(frame[OCCURRED_AT]).dt.tz_localize("Asia/Shanghai")
    return gpd.GeoDataFrame(frame, geometry=[Point(xy) for *_, xy in rows], crs=CRS)


def test_table_columns_counts_and_peak_hours() -> None:
    inc, cells = _incidents(), _cells()
    risk = compute_risk(inc, cells, half_life_days=None)
    table = hotspot_table(risk, inc, cells, top=2)
    expected = {
        CELL_ID, "band", "score", "rank", "gi_z", "gi_p", "significance", "count",
        "n_theft", "n_robbery", "n_burglary", "peak_hours", "rep_x", "rep_y", "snapped", "geometry",
    }  # fmt: skip
    assert expected <= set(table.columns)
    assert table["band"].unique().tolist() == ["08-16", "16-24", "00-08", "day"]
    day = table[table["band"] == "08-16"].set_index(CELL_ID)
    assert day.loc["c0", "n_theft"] == 2 and day.loc["c0", "n_robbery"] == 1
    assert day.loc["c0", "peak_hours"] == (9, 14)
    whole_day = table[table["band"] == "day"].set_index(CELL_ID)
    assert whole_day.loc["c1", "n_burglary"] == 2
    assert whole_day.loc["c1", "peak_hours"] is None  # date-only incidents have no hours
    assert whole_day.loc["c0", "peak_hours"] == (9, 14, 20)
    # the representative point is an incident of the cluster, not the outlier at (90, 90)
    assert (day.loc["c0", "rep_x"], day.loc["c0", "rep_y"]) == (12.0, 11.0)
    assert not table["snapped"].any()


def test_snap_callable_moves_points_and_centroid_fallback() -> None:
    inc, cells = _incidents(), _cells()
    risk = compute_risk(inc, cells, half_life_days=None)

    def snap(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.round(x, -2), np.zeros_like(y)

    table = hotspot_table(risk, inc, cells, band="16-24", top=4, snap=snap)
    assert table["snapped"].all() and (table["rep_y"] == 0).all()
    no_snap = hotspot_table(risk, inc, cells, band="16-24", top=4).set_index(CELL_ID)
    assert no_snap.loc["c3", "rep_x"] == pytest.approx(350.0)  # no incident: centroid
    with pytest.raises(ValueError, match="unknown band 'night'"):
        hotspot_table(risk, inc, cells, band="night")


def test_weighted_medoid() -> None:
    pts = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0]])
    assert weighted_medoid(pts, np.array([1.0, 1.0, 1.0])).tolist() == [1.0, 0.0]
    assert weighted_medoid(pts, np.array([0.1, 0.1, 5.0])).tolist() == [10.0, 0.0]
