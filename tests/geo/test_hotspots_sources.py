"""The feedback-loop guard: patrol-found incidents left out or down-weighted, and shown."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.hotspots import NaiveForecaster, compute_risk, hotspot_table, run_backtest
from geo.hotspots.columns import PATROL_SHARE
from geo.hotspots.sources import apply_source_policy, canonical_sources
from geo.schema import CELL_ID, OCCURRED_AT, REPORTED_BY, TIME_KNOWN, WEIGHT

CRS = "EPSG:32650"


def _cells() -> gpd.GeoDataFrame:
    boxes = [box(0, 100, 100, 200), box(100, 100, 200, 200), box(0, 0, 100, 100)]
    boxes.append(box(100, 0, 200, 100))
    return gpd.GeoDataFrame({CELL_ID: list("ABCD")}, geometry=boxes, crs=CRS)


def _incidents() -> pd.DataFrame:
    """Patrols find 10 incidents in A in week 1 and 5 in week 2; calls come from B (3, then 2)."""
    rows = [("A", f"2024-01-0{d} 1{h}:00", "patrol") for d in range(1, 6) for h in (0, 2)]
    rows += [("B", f"2024-01-0{d} 20:00", "Call") for d in (2, 4, 6)]
    rows += [("A", f"2024-01-{d} 11:00", "found by patrol") for d in (8, 9, 10, 11, 12)]
    rows += [("B", f"2024-01-{d} 21:00", "110") for d in (9, 13)]
    cell, when, source = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            CELL_ID: list(cell),
            OCCURRED_AT: pd.to_datetime(list(when)).tz_localize("Asia/Shanghai"),
            TIME_KNOWN: True,
            REPORTED_BY: list(source),
        }
    )


def test_sources_are_read_in_several_spellings() -> None:
    values = pd.Series(["Call", "110", "patrol", "Found by patrol", "巡逻", "email", None])
    assert list(canonical_sources(values)) == [
        "call",
        "call",
        "patrol",
        "patrol",
        "patrol",
        "unknown",
        "unknown",
    ]


def test_policy_weights_and_notes() -> None:
    inc = _incidents()
    out, note = apply_source_policy(inc, {"patrol": 0.0})
    assert note == "15 patrol-found incident(s) left out"
    assert out[WEIGHT].tolist() == [0.0] * 10 + [1.0] * 3 + [0.0] * 5 + [1.0] * 2
    half, note = apply_source_policy(inc.assign(**{WEIGHT: 2.0}), {"patrol": 0.5})
    assert set(half[WEIGHT]) == {1.0, 2.0} and note == "15 patrol-found incident(s) weighted x0.5"
    same, note = apply_source_policy(inc.drop(columns=REPORTED_BY), {"patrol": 0.0})
    assert WEIGHT not in same.columns and note is not None and "no 'reported_by' column" in note
    with pytest.raises(ValueError, match="expected 'call' or 'patrol', got 'radio'"):
        apply_source_policy(inc, {"radio": 0.0})
    with pytest.raises(ValueError, match="expected 0 to 1, got 2"):
        apply_source_policy(inc, {"patrol": 2})


def test_leaving_patrol_finds_out_moves_the_forecast_to_the_calls() -> None:
    inc = _incidents()
    options = dict(weeks=1, until="2024-01-14", methods=[NaiveForecaster(1)], shares=(0.25,))
    plain = run_backtest(inc, _cells(), **options)  # type: ignore[arg-type]
    week = plain.per_week[plain.per_week["method"] == "naive-1w"].iloc[0]
    assert week["incidents"] == 7 and week["hits"] == pytest.approx(5.0)  # flags A
    guarded, _ = apply_source_policy(inc, {"patrol": 0.0})
    calls = run_backtest(guarded, _cells(), weighted=True, **options)  # type: ignore[arg-type]
    week = calls.per_week[calls.per_week["method"] == "naive-1w"].iloc[0]
    assert week["incidents"] == 2 and week["hits"] == pytest.approx(2.0)  # flags B


def test_hotspot_table_shows_the_share_found_by_patrol() -> None:
    inc = _incidents().assign(**{REPORTED_BY: _incidents()[REPORTED_BY]})
    inc.loc[0, REPORTED_BY] = "call"  # one of A's 15 incidents came from a call
    risk = compute_risk(inc, _cells(), half_life_days=None)
    table = hotspot_table(risk, inc, _cells(), top=4)
    share = table.drop_duplicates(CELL_ID).set_index(CELL_ID)[PATROL_SHARE]
    assert share["A"] == pytest.approx(14 / 15) and share["B"] == 0.0
    without = hotspot_table(risk, inc.drop(columns=REPORTED_BY), _cells(), top=4)
    assert PATROL_SHARE not in without.columns
    assert share[["C", "D"]].isna().all()  # no incidents: no share
