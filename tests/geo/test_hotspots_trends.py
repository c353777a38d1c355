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


# ---------------------------------------------------------------------------- monthly evaluation
from geo.hotspots.trends import month_counts  # noqa: E402
from geo.review import MonthlyOptions, evaluate_month  # noqa: E402
from geo.review.monthly import leaders_from_table  # noqa: E402

AREA_CRS = "EPSG:32610"


def _areas(ids: str = "ABCDE") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_id": list(ids), "name": [f"Area {i}" for i in ids]},
        geometry=[box(i * 1000, 0, i * 1000 + 900, 900) for i in range(len(ids))],
        crs=AREA_CRS,
    )


def _monthly_incidents(
    counts: dict[str, dict[str, int]], category: str = "burglary"
) -> gpd.GeoDataFrame:
    """``counts[area][month]`` incidents inside each area, on the 10th of the month at noon."""
    rows = []
    for a_index, area in enumerate("ABCDE"):
        for month, n in counts.get(area, {}).items():
            for k in range(n):
                rows.append((a_index * 1000 + 100 + k, 450.0, f"{month}-10 12:00", category))
    frame = pd.DataFrame(rows, columns=["x", "y", OCCURRED_AT, CATEGORY])
    frame[OCCURRED_AT] = pd.to_datetime(frame[OCCURRED_AT]).dt.tz_localize("America/Los_Angeles")
    return gpd.GeoDataFrame(
        frame.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(frame.x, frame.y), crs=AREA_CRS
    )


ESCALATION = {
    "A": {"2023-10": 5, "2023-11": 5, "2023-12": 10, "2024-01": 15, "2024-02": 20},
    "B": {"2023-10": 5, "2023-11": 5, "2023-12": 12, "2024-01": 5, "2024-02": 5},
    "C": {"2023-10": 5, "2023-11": 5, "2023-12": 5, "2024-01": 9, "2024-02": 5},
    "D": {"2023-10": 8, "2023-11": 8, "2023-12": 8, "2024-01": 8, "2024-02": 30},
}


def test_flags_escalate_over_three_months() -> None:
    incidents, areas = _monthly_incidents(ESCALATION), _areas()
    opts = MonthlyOptions(basis="mom", notice_top=2)
    flags = {}
    for month in ("2023-12", "2024-01", "2024-02"):
        ev = evaluate_month(incidents, areas, month, options=opts)
        flags[month] = {r.area_id: r.flags for r in ev.areas.itertuples() if r.flags}
    assert flags["2023-12"] == {"B": ["notice"], "A": ["notice"]}
    assert flags["2024-01"] == {"A": ["notice", "rectify"], "C": ["notice"]}
    assert flags["2024-02"] == {"D": ["notice"], "A": ["notice", "rectify", "yellow_card"]}
    ev = evaluate_month(incidents, areas, "2024-02", options=opts)
    assert ev.notified == ("D", "A")
    assert ev.areas.set_index("area_id").loc["A", "notice_streak"] == 3


def test_the_history_remembers_what_the_bulletins_said() -> None:
    incidents, areas = _monthly_incidents(ESCALATION), _areas()
    opts = MonthlyOptions(basis="mom", notice_top=2)
    # January's bulletin as published named C and B, not A: A's streak starts again in February
    ev = evaluate_month(incidents, areas, "2024-02", options=opts, history={"2024-01": ["C", "B"]})
    table = ev.areas.set_index("area_id")
    assert table.loc["A", "flags"] == ["notice"]
    assert ev.notices["2024-01"] == ("C", "B")
    assert any("2023-12" in n and "computed" in n for n in ev.notes)


def test_counts_changes_rewards_and_too_few_by_hand() -> None:
    counts = {
        "A": {"2023-03": 10, "2024-03": 7},  # -30 %: tier1
        "B": {"2023-03": 10, "2024-03": 5},  # -50 %: tier2
        "C": {"2023-03": 10},  # -100 %: tier3
        "D": {"2023-03": 2, "2024-03": 3},  # too few on both sides
        "E": {"2023-03": 2, "2024-02": 5, "2024-03": 12},  # +10 from a base of 2: ranked, no %
    }
    ev = evaluate_month(_monthly_incidents(counts), _areas(), "2024-03")
    t = ev.areas.set_index("area_id")
    assert t.loc["A", ["count", "count_last_year", "change"]].tolist() == [7, 10, -3]
    assert t.loc["A", "change_pct"] == pytest.approx(-30.0) and t.loc["A", "reward"] == "tier1"
    assert t.loc["B", "reward"] == "tier2" and t.loc["C", "reward"] == "tier3"
    assert t.loc["C", "change_pct"] == pytest.approx(-100.0)
    assert t.loc["D", "status"] == "too_few" and pd.isna(t.loc["D", "rank"])
    assert t.loc["D", "flags"] == [] and t.loc["D", "reward"] == ""
    assert t.loc["E", "rank"] == 1 and np.isnan(t.loc["E", "change_pct"])
    assert t.loc["E", "count_last_month"] == 5 and t.loc["E", "mom_pct"] == pytest.approx(140.0)
    assert ev.notified == ("E",)  # the only rise
    # quarter to date (Jan-Mar 2024 vs Jan-Mar 2023) and year to date
    q = ev.quarter.set_index("area_id")
    assert q.loc["E", ["count", "count_last_year"]].tolist() == [17, 2]
    assert ev.year.set_index("area_id").loc["E", "notices"] >= 1


def test_reward_tiers_are_configurable_and_checked() -> None:
    counts = {"A": {"2023-03": 10, "2024-03": 8}}
    opts = MonthlyOptions(reward_tiers=((20.0, "gold"),))
    ev = evaluate_month(_monthly_incidents(counts), _areas("A"), "2024-03", options=opts)
    assert ev.areas.iloc[0]["reward"] == "gold"
    with pytest.raises(ValueError, match="reward_tiers: expected the largest decrease first"):
        MonthlyOptions(reward_tiers=((30.0, "a"), (50.0, "b")))
    with pytest.raises(ValueError, match="basis: expected 'yoy'"):
        MonthlyOptions(basis="weekly")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="month: expected 'YYYY-MM'"):
        evaluate_month(_monthly_incidents(counts), _areas("A"), "March")


def test_month_counts_agree_with_the_trend_table() -> None:
    table = trend_table(_incidents(), _cells(), month="2024-05", level="area").set_index(KEY)
    counts = month_counts(_incidents(), _cells(), first="2023-05", last="2024-05", level="area")
    assert counts.loc["A", pd.Period("2024-05", "M")] == table.loc["A", "this_month"]
    assert counts.loc["B", pd.Period("2024-04", "M")] == table.loc["B", "last_month"]
    assert counts.loc["A", pd.Period("2023-05", "M")] == table.loc["A", "same_month_last_year"]


def test_leaders_come_from_the_areas_table() -> None:
    table = pd.DataFrame({"DISTRICT": [612.0, 613.0], "leader": ["包片副所长", None]})
    assert leaders_from_table(table, id_field="DISTRICT") == {"612": "包片副所长"}
    assert leaders_from_table(table.drop(columns="leader"), id_field="DISTRICT") == {}
    with pytest.raises(ValueError, match="leader_field: 'boss' is not a column"):
        leaders_from_table(table, id_field="DISTRICT", leader_field="boss")


def test_portland_monthly_counts_against_a_direct_count() -> None:
    """The sample's May 2017 burglary and vehicle theft per police district, counted directly
    from the CSV with a geopandas spatial join, against the evaluation."""
    from geo import sample

    district = sample.load("portland-central")
    ev = evaluate_month(
        district.incidents,
        district.areas,
        "2017-05",
        options=MonthlyOptions(categories=("burglary", "vehicle_theft")),
    )
    raw = pd.read_csv(sample.data_dir("portland-central") / "portland_incidents.csv")
    raw = raw[raw["category"].isin(["BURGLARY", "MOTOR VEHICLE THEFT"])]
    points = gpd.GeoDataFrame(
        raw, geometry=gpd.points_from_xy(raw["lon"], raw["lat"]), crs="EPSG:4326"
    ).to_crs(district.areas.crs)
    joined = gpd.sjoin(points, district.areas[["area_id", "geometry"]], predicate="within")
    joined = joined[~joined.index.duplicated()]
    month = joined["occ_date"].str[:7]

    def direct(m: str) -> pd.Series:
        return joined[month == m].groupby("area_id").size()

    t = ev.areas.set_index("area_id")
    for column, m in (
        ("count", "2017-05"),
        ("count_last_month", "2017-04"),
        ("count_last_year", "2016-05"),
    ):
        expected = direct(m).reindex(t.index, fill_value=0)
        assert (t[column] == expected).all(), column
    assert t["count"].sum() > 30
    ranked = t[t["status"] == "ranked"]
    with_pct = ranked[ranked["count_last_year"] >= 5]
    expected_pct = (
        100 * (with_pct["count"] - with_pct["count_last_year"]) / with_pct["count_last_year"]
    )
    assert np.allclose(with_pct["change_pct"], expected_pct)
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert (ranked["change"].diff().dropna() <= 0).all()


# ---------------------------------------------------------------------------- weekly review
from geo.review.weekly import evaluate_week, week_bounds  # noqa: E402


def _weekly_incidents(rows: list[tuple[str, str, str]]) -> gpd.GeoDataFrame:
    """(area, local date, category) incidents, each inside its area."""
    index = {a: i for i, a in enumerate("ABCDE")}
    frame = pd.DataFrame(rows, columns=["area", OCCURRED_AT, CATEGORY])
    frame[OCCURRED_AT] = pd.to_datetime(frame[OCCURRED_AT], format="mixed").dt.tz_localize(
        "Asia/Shanghai"
    )
    x = [index[a] * 1000 + 450.0 for a in frame["area"]]
    return gpd.GeoDataFrame(
        frame.drop(columns="area"), geometry=gpd.points_from_xy(x, [450.0] * len(x)), crs=AREA_CRS
    )


def test_iso_weeks() -> None:
    assert week_bounds("2024-W10") == (
        pd.Timestamp("2024-03-04").date(),
        pd.Timestamp("2024-03-10").date(),
    )
    with pytest.raises(ValueError, match="week: expected an ISO week such as 2024-W10"):
        week_bounds("2024-10")
    with pytest.raises(ValueError, match="2023 has no ISO week 53"):
        week_bounds("2023-W53")


def test_weekly_counts_by_area_and_category_and_hotspots() -> None:
    rows = (
        [("A", "2024-03-04 23:30", "盗窃")] * 3  # this week (Monday night, local time)
        + [("A", "2024-03-10 22:00", "抢劫")]  # this week (Sunday)
        + [("A", "2024-03-03 12:00", "盗窃")] * 2  # last week (Sunday before)
        + [("B", "2024-03-06", "入室盗窃")] * 2  # this week
        + [("B", "2023-03-08", "入室盗窃")] * 5  # 2023-W10, a year before
        + [("C", "2024-02-28", "盗窃")]  # last week only
    )
    week = evaluate_week(_weekly_incidents(rows), _areas(), "2024-W10", hotspot_top=2)
    assert (week.previous_week, week.week_last_year) == ("2024-W09", "2023-W10")
    t = week.by_area.set_index("area_id")
    assert t.loc["A", ["count", "count_last_week", "count_last_year"]].tolist() == [4, 2, 0]
    assert t.loc["B", ["count", "count_last_week", "count_last_year"]].tolist() == [2, 0, 5]
    assert t.loc["B", "change_year"] == -3 and t.loc["C", "change_week"] == -1
    # top two this week: A and B; last week's top two: A and C
    assert t.loc["A", "hotspot"] == "persisting" and t.loc["B", "hotspot"] == "new"
    assert t.loc["C", "hotspot"] == ""
    cats = week.by_category.set_index(["area_id", "category"])
    assert cats.loc[("A", "theft"), "count"] == 3 and cats.loc[("A", "robbery"), "count"] == 1
    only_theft = evaluate_week(_weekly_incidents(rows), _areas(), "2024-W10", categories=["theft"])
    assert only_theft.by_area.set_index("area_id").loc["A", "count"] == 3
