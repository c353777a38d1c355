"""环比 (month on month) and 同比 (year on year) trends by hand, and the area ranking."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.hotspots import rank_areas_by_rise, trend_table
from geo.hotspots.columns import KEY, MOM_CHANGE, MOM_PCT, RANK, YOY_CHANGE, YOY_PCT
from geo.schema import AREA_ID, CATEGORY, CELL_ID, OCCURRED_AT

CRS = "EPSG:32650"


def _cells() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {CELL_ID: ["a1", "a2", "b1"], AREA_ID: ["A", "A", "B"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(200, 0, 300, 100)],
        crs=CRS,
    )


def _incidents() -> pd.DataFrame:
    rows = (
        [("a1", "2023-05-10", "盗窃")] * 2  # same month last year
        + [("a1", "2024-04-03", "盗窃")] * 4  # last month
        + [("a1", "2024-05-20", "盗窃")] * 5  # this month
        + [("a2", "2024-05-31 23:30", "抢劫")]  # this month, late evening (local)
        + [("b1", "2024-04-15", "入室盗窃")] * 2
        + [("b1", "2024-05-02", "入室盗窃")] * 6
        + [("b1", "2024-05-02", "诈骗")] * 9  # fraud: not a key category
    )
    frame = pd.DataFrame(rows, columns=[CELL_ID, OCCURRED_AT, CATEGORY])
    frame[OCCURRED_AT] = pd.to_datetime(frame[OCCURRED_AT], format="mixed").dt.tz_localize(
        "Asia/Shanghai"
    )
    return frame


def test_cell_trends_by_hand() -> None:
    table = trend_table(_incidents(), _cells(), month="2024-05").set_index(KEY)
    a1 = table.loc["a1"]
    assert (a1["this_month"], a1["last_month"], a1["same_month_last_year"]) == (5, 4, 2)
    assert a1[MOM_CHANGE] == 1 and a1[MOM_PCT] == pytest.approx(25.0)  # 环比 +25 %
    assert a1[YOY_CHANGE] == 3 and a1[YOY_PCT] == pytest.approx(150.0)  # 同比 +150 %
    a2 = table.loc["a2"]
    assert a2["this_month"] == 1 and np.isnan(a2[MOM_PCT])  # up from 0: no percentage
    assert table.loc["b1", "this_month"] == 15


def test_area_trends_and_ranking_by_rise_in_key_categories() -> None:
    table = trend_table(_incidents(), _cells(), month="2024-05", level="area").set_index(KEY)
    assert table.loc["A", "this_month"] == 6 and table.loc["A", "last_month"] == 4
    ranking = rank_areas_by_rise(_incidents(), _cells(), month="2024-05")
    # key categories only: A 6 vs 4 (+2); B burglary 6 vs 2 (+4), fraud left out
    assert ranking[KEY].tolist() == ["B", "A"] and ranking[RANK].tolist() == [1, 2]
    assert ranking.set_index(KEY).loc["B", MOM_CHANGE] == 4
    yoy = rank_areas_by_rise(_incidents(), _cells(), month="2024-05", by="yoy")
    assert yoy.set_index(KEY).loc["A", YOY_CHANGE] == 4  # 6 vs 2


def test_errors_name_the_argument() -> None:
    with pytest.raises(ValueError, match="month: expected 'YYYY-MM', got 'May'"):
        trend_table(_incidents(), _cells(), month="May")
    with pytest.raises(ValueError, match=r"categories: \['piracy'\] match no known category"):
        trend_table(_incidents(), _cells(), month="2024-05", categories=["piracy"])
    with pytest.raises(ValueError, match="level='area' needs an 'area_id' column"):
        trend_table(_incidents(), _cells().drop(columns=AREA_ID), month="2024-05", level="area")
