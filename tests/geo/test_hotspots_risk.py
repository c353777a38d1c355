"""Risk per cell and band: scores by hand, date-only handling, smoothing, RiskTable columns."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import GeoInputError
from geo.hotspots import DEFAULT_BANDS, CategoryWeights, compute_risk
from geo.hotspots.columns import GI_P, GI_Z, RANK, SCORE, SIGNIFICANCE
from geo.hotspots.kernel import kernel_matrix
from geo.schema import CATEGORY, CELL_ID, OCCURRED_AT, TIME_KNOWN

CRS = "EPSG:32610"


def cells_grid(n: int = 3, size: float = 100.0) -> gpd.GeoDataFrame:
    boxes = [
        box(j * size, i * size, (j + 1) * size, (i + 1) * size) for i in range(n) for j in range(n)
    ]
    ids = [f"c{i}" for i in range(n * n)]
    return gpd.GeoDataFrame({CELL_ID: ids, "area_id": ["A"] * (n * n)}, geometry=boxes, crs=CRS)


def incidents(rows: list[tuple[str, str, str, bool]]) -> pd.DataFrame:
    """Rows of (cell_id, local time, category, time_known)."""
    frame = pd.DataFrame(rows, columns=[CELL_ID, OCCURRED_AT, CATEGORY, TIME_KNOWN])
    frame[OCCURRED_AT] = pd.to_datetime(frame[OCCURRED_AT]).dt.tz_localize("Asia/Shanghai")
    return frame


def test_scores_are_weighted_decayed_counts_by_band() -> None:
    inc = incidents(
        [
            ("c0", "2024-05-31 09:00", "抢劫", True),  # robbery 3.0, 1 day before 'at'
            ("c0", "2024-05-02 09:00", "theft", True),  # theft 1.0, 30 days before
            ("c0", "2024-05-31 20:00", "theft", True),  # evening band
            ("c1", "2024-05-31 02:00", "burglary", True),  # night band
        ]
    )
    risk = compute_risk(
        inc, cells_grid(), at="2024-06-01 09:00", half_life_days=30.0, bands=DEFAULT_BANDS
    )
    wide = risk.wide()
    # robbery (3.0) one day old + theft (1.0) exactly one half-life old
    assert wide.loc["c0", "08-16"] == pytest.approx(3.0 * 2 ** (-1 / 30) + 0.5)
    assert wide.loc["c0", "16-24"] == pytest.approx(2 ** (-(13 / 24) / 30))
    assert wide.loc["c1", "00-08"] == pytest.approx(2.0 * 2 ** (-(31 / 24) / 30))
    assert wide.loc["c2"].sum() == 0
    assert risk.band_names == ("08-16", "16-24", "00-08")  # no date-only: no 'day' band
    assert set(risk.frame.columns) >= {CELL_ID, "band", SCORE, RANK, GI_Z, GI_P, SIGNIFICANCE}
    assert risk.band("08-16")[CELL_ID].iloc[0] == "c0"
    assert risk.band("08-16")[RANK].iloc[0] == 1


def test_date_only_incidents_go_to_a_day_band_and_are_reported() -> None:
    inc = incidents(
        [
            ("c0", "2024-05-31 00:00", "theft", False),
            ("c0", "2024-05-31 00:00", "theft", False),
            ("c4", "2024-05-31 03:00", "theft", True),
        ]
    )
    risk = compute_risk(inc, cells_grid(), at="2024-06-01", half_life_days=None)
    assert risk.band_names == ("08-16", "16-24", "00-08", "day")
    wide = risk.wide()
    assert wide.loc["c0", "00-08"] == 0  # date-only never in 00-08
    assert wide.loc["c4", "00-08"] == 1
    assert wide.loc["c0", "day"] == 2 and wide.loc["c4", "day"] == 1
    assert any("date but no time of day" in n for n in risk.notes)

    spread = compute_risk(
        inc, cells_grid(), at="2024-06-01", half_life_days=None, date_only="spread"
    )
    assert spread.band_names == ("08-16", "16-24", "00-08")
    assert spread.wide().loc["c0", "00-08"] == pytest.approx(2 * 8 / 24)

    excluded = compute_risk(inc, cells_grid(), at="2024-06-01", date_only="exclude")
    assert excluded.wide().loc["c0"].sum() == 0


def test_unknown_categories_get_the_default_weight_and_are_noted() -> None:
    inc = incidents([("c0", "2024-05-31 09:00", "jaywalking", True)])
    table = CategoryWeights(default_weight=0.25)
    risk = compute_risk(inc, cells_grid(), weights=table, half_life_days=None)
    assert risk.wide().loc["c0", "08-16"] == pytest.approx(0.25)
    assert any("jaywalking" in n for n in risk.notes)


def test_smoothing_keeps_the_total_and_spreads_to_neighbours() -> None:
    inc = incidents([("c4", "2024-05-31 09:00", "theft", True)])  # centre of 3 x 3
    risk = compute_risk(inc, cells_grid(), half_life_days=None, bandwidth_m=100.0)
    day = risk.wide()["08-16"]
    assert day.sum() == pytest.approx(1.0)
    assert day["c4"] == day.max() and day["c1"] == pytest.approx(day["c3"]) and day["c0"] > 0
    k = kernel_matrix(np.array([0.0, 100.0]), np.array([0.0, 0.0]), 100.0)
    assert np.asarray(k.sum(axis=0)).ravel() == pytest.approx([1.0, 1.0])


def test_bad_input_lists_every_problem() -> None:
    frame = pd.DataFrame({"when": [1]})
    with pytest.raises(GeoInputError, match=r"missing column 'occurred_at'(.|\n)*'cell_id'"):
        compute_risk(frame, cells_grid())
    with pytest.raises(ValueError, match="date_only must be"):
        compute_risk(
            incidents([("c0", "2024-05-31 09:00", "theft", True)]),
            cells_grid(),
            date_only="x",  # type: ignore[arg-type]
        )


def test_a_one_cell_district_is_ranked_by_score_and_nothing_is_significant() -> None:
    """Gi* needs neighbours to compare with: a police district of one grid cell (one of the
    Portland sample's, planned on its own) still gets its risk, not an error, and says why
    no cell is significant."""
    inc = incidents([("c0", "2024-05-31 20:00", "theft", True)] * 3)
    risk = compute_risk(inc, cells_grid(n=1), at="2024-06-01 09:00", half_life_days=None)
    evening = risk.band("16-24")
    assert evening[CELL_ID].tolist() == ["c0"]
    assert evening[SCORE].iloc[0] == pytest.approx(3.0)
    assert evening[RANK].iloc[0] == 1
    assert evening[GI_Z].iloc[0] == 0.0
    assert evening[GI_P].iloc[0] == 1.0
    assert set(risk.frame[SIGNIFICANCE]) == {"not significant"}
    assert any("at least 2 grid cells and this district has 1" in note for note in risk.notes)
