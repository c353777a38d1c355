"""The weekly review's hotspot cells: the week's top cells by count, new or persisting against
the week before, on a hand-made grid with hand-placed incidents."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.review.weekly import CELL_COLUMNS, MIN_CELL_COUNT, evaluate_week

CRS = "EPSG:32610"
X0, Y0 = 525000.0, 5035000.0


def _cells() -> gpd.GeoDataFrame:
    ids, names, geoms = [], [], []
    for c in range(4):
        ids.append(f"c{c}")
        names.append(f"R0 C{c}")
        geoms.append(box(X0 + 250 * c, Y0, X0 + 250 * (c + 1), Y0 + 250))
    return gpd.GeoDataFrame({"cell_id": ids, "name": names}, geometry=geoms, crs=CRS)


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_id": ["west", "east"], "name": ["West", "East"]},
        geometry=[box(X0, Y0, X0 + 500, Y0 + 250), box(X0 + 500, Y0, X0 + 1000, Y0 + 250)],
        crs=CRS,
    )


def _incidents(placed: list[tuple[int, str]]) -> gpd.GeoDataFrame:
    """``(cell number, local time)`` pairs, each an incident at the cell's centre."""
    return gpd.GeoDataFrame(
        {
            "occurred_at": pd.to_datetime([t for _, t in placed]).tz_localize("Asia/Shanghai"),
            "category": "burglary",
        },
        geometry=[Point(X0 + 250 * c + 125, Y0 + 125) for c, _ in placed],
        crs=CRS,
    )


def test_new_persisting_and_ended_hotspot_cells() -> None:
    # 2024-W10 is 4-10 March; the week before 26 Feb - 3 Mar
    placed = [(0, "2024-03-04 10:00"), (0, "2024-03-05 10:00"), (0, "2024-03-10 23:59")]
    placed += [(1, "2024-03-06 10:00"), (1, "2024-03-07 10:00")]
    placed += [(2, "2024-03-08 10:00")]  # one incident: chance, not a hotspot
    placed += [(0, "2024-02-27 10:00"), (0, "2024-02-28 10:00")]  # c0 was one last week
    placed += [(3, "2024-02-26 00:00"), (3, "2024-03-03 23:59")]  # c3 was one, not now
    placed += [(3, "2024-03-11 00:00")]  # the next week
    result = evaluate_week(_incidents(placed), _areas(), "2024-W10", cells=_cells())
    cells = result.cells
    assert list(cells.columns) == list(CELL_COLUMNS) and result.cells_counted
    assert cells[["cell_id", "count", "count_last_week", "hotspot"]].values.tolist() == [
        ["c0", 3, 2, "persisting"],
        ["c1", 2, 0, "new"],
        ["c3", 0, 2, "ended"],
    ]
    assert cells.set_index("cell_id")["area_id"].to_dict() == {
        "c0": "west",
        "c1": "west",
        "c3": "east",
    }
    assert cells.set_index("cell_id").loc["c1", "name"] == "R0 C1"
    assert MIN_CELL_COUNT == 2


def test_the_top_is_bounded_and_cells_are_optional() -> None:
    placed = [(c, f"2024-03-0{4 + k} 10:00") for c in range(4) for k in range(c + 2)]
    result = evaluate_week(_incidents(placed), _areas(), "2024-W10", cells=_cells(), cell_top=2)
    assert result.cells["cell_id"].tolist() == ["c3", "c2"]
    assert result.cells["count"].tolist() == [5, 4]
    plain = evaluate_week(_incidents(placed), _areas(), "2024-W10")
    assert plain.cells.empty and not plain.cells_counted
    with pytest.raises(ValueError, match="cell_top: expected >= 0, got -1"):
        evaluate_week(_incidents(placed), _areas(), "2024-W10", cells=_cells(), cell_top=-1)
    with pytest.raises(ValueError, match="cells: missing column 'cell_id'"):
        evaluate_week(
            _incidents(placed), _areas(), "2024-W10", cells=_cells().drop(columns="cell_id")
        )
