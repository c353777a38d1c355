"""Reading GPS tracks and check-ins, located errors for broken files, screening bad fixes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import GeoInputError
from geo.io.advice import CLI_ADVICE
from geo.io.tracks import TrackColumns, read_checkins, read_tracks, screen_fixes

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>GPS-07</name><trkseg>
    <trkpt lat="45.5200" lon="-122.6800"><time>2024-03-05T16:00:00Z</time></trkpt>
    <trkpt lat="45.5201" lon="-122.6800"><time>2024-03-05T16:00:01Z</time></trkpt>
  </trkseg></trk>
  <trk><name>F2</name><trkseg>
    <trkpt lat="45.5300" lon="-122.6600"><time>2024-03-05T08:00:05-08:00</time></trkpt>
  </trkseg></trk>
</gpx>
"""


def test_gpx_tracks_one_unit_per_trk_with_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "tracks.gpx"
    path.write_text(GPX, encoding="utf-8")
    fixes = read_tracks(path, unit_ids={"GPS-07": "C1"})
    assert fixes["unit_id"].tolist() == ["C1", "C1", "F2"]
    assert fixes["time"].dt.tz is not None
    assert fixes["time"].iloc[2] == pd.Timestamp("2024-03-05T16:00:05Z")
    assert fixes["source_row"].tolist() == [1, 2, 3]
    assert fixes.crs.to_epsg() == 4326
    assert fixes.geometry.iloc[0].x == pytest.approx(-122.68)
    assert set(fixes.columns) == {"unit_id", "time", "source", "source_row", "geometry"}


def test_broken_gpx_xml_is_located(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpx"
    path.write_text(GPX.replace("</trkseg></trk>\n  <trk>", "</trkseg>\n  <trk>"), encoding="utf-8")
    with pytest.raises(GeoInputError, match=r"broken\.gpx.*not a readable GPX file.*line"):
        read_tracks(path)


def test_gpx_points_without_time_and_tracks_without_name(tmp_path: Path) -> None:
    path = tmp_path / "t.gpx"
    text = GPX.replace("<time>2024-03-05T16:00:01Z</time>", "").replace("<name>F2</name>", "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GeoInputError) as err:
        read_tracks(path)
    messages = [str(p) for p in err.value.problems]
    assert any("row 2" in m and "trkpt/time" in m and "no <time>" in m for m in messages)
    assert any("track 2 has no <name>" in m for m in messages)


def test_csv_of_fixes_with_chinese_columns_in_gbk(tmp_path: Path) -> None:
    path = tmp_path / "fixes.csv"
    table = (
        "巡组,定位时间,纬度,经度,姓名\n"
        "C1,2024-03-05 16:00:00,31.2300,121.4700,张三\n"
        "C1,2024-03-05 16:00:05,31.2301,121.4700,张三\n"
    )
    path.write_bytes(table.encode("gbk"))
    fixes = read_tracks(path, timezone="Asia/Shanghai")
    assert fixes["unit_id"].tolist() == ["C1", "C1"]
    assert fixes["time"].iloc[0] == pd.Timestamp("2024-03-05T08:00:00Z")
    # no person's name is kept with the fixes
    assert "姓名" not in fixes.columns and all("张" not in str(c) for c in fixes.columns)


def test_bad_csv_rows_name_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "fixes.csv"
    path.write_text(
        "unit_id,time,lat,lon\n"
        "C1,2024-03-05T16:00:00Z,45.52,-122.68\n"
        "C1,yesterday,45.52,-122.68\n"
        "C1,2024-03-05T16:00:02Z,north,-122.68\n"
        ",2024-03-05T16:00:03Z,45.52,-122.68\n",
        encoding="utf-8",
    )
    with pytest.raises(GeoInputError) as err:
        read_tracks(path)
    found = {(p.row, p.column) for p in err.value.problems}
    assert {(2, "time"), (3, "lat"), (4, "unit_id")} <= found
    assert "3 of 4 rows have problems" in str(err.value)


def test_missing_columns_say_how_to_name_them(tmp_path: Path) -> None:
    path = tmp_path / "fixes.csv"
    path.write_text("vehicle,when,lat,lon\nC1,2024-03-05T16:00:00Z,45.5,-122.6\n", encoding="utf-8")
    with pytest.raises(GeoInputError, match=r"no unit_id column.*--columns unit_id=\.\.\."):
        read_tracks(path, advice=CLI_ADVICE)
    fixes = read_tracks(path, columns=TrackColumns(unit_id="vehicle", datetime="when"))
    assert fixes["unit_id"].tolist() == ["C1"]
    with pytest.raises(GeoInputError, match=r"column 'car' given for unit_id"):
        read_tracks(path, columns=TrackColumns(unit_id="car"))


def test_checkins(tmp_path: Path) -> None:
    path = tmp_path / "checkins.csv"
    path.write_text(
        "巡组,巡更点,打卡时间\nF1,post-3,2024-03-05 18:02\nF1,post-4,2024-03-05 18:40\n",
        encoding="utf-8",
    )
    checks = read_checkins(path, timezone="Asia/Shanghai", unit_ids={"F1": "foot-1"})
    assert checks["checkpoint_id"].tolist() == ["post-3", "post-4"]
    assert checks["unit_id"].tolist() == ["foot-1", "foot-1"]
    assert checks["time"].iloc[0] == pd.Timestamp("2024-03-05T10:02:00Z")


def _fixes(
    xy: list[tuple[float, float]], seconds: list[float], unit: str = "F1"
) -> gpd.GeoDataFrame:
    times = pd.to_datetime(
        pd.Timestamp("2024-03-05T16:00:00Z") + pd.to_timedelta(seconds, unit="s")
    )
    return gpd.GeoDataFrame(
        {
            "unit_id": unit,
            "time": times,
            "source": "t.csv",
            "source_row": np.arange(1, len(xy) + 1),
        },
        geometry=gpd.points_from_xy([p[0] for p in xy], [p[1] for p in xy]),
        crs="EPSG:32610",
    )


def test_screening_reports_jumps_duplicates_and_fixes_outside() -> None:
    xy = [(500000 + i, 5000000.0) for i in range(6)]
    xy[3] = (502000.0, 5000000.0)  # 2 km away for one second: a jump
    seconds = [0, 1, 2, 3, 4, 4]  # the last two at the same instant: a duplicate
    fixes = pd.concat(
        [_fixes(xy, seconds), _fixes([(600000.0, 5000000.0)], [10], unit="C1")], ignore_index=True
    )
    district = box(499000, 4999000, 503000, 5001000)
    screened = screen_fixes(
        gpd.GeoDataFrame(fixes, crs="EPSG:32610"),
        crs="EPSG:32610",
        max_speed_mps={"F1": 20 / 3.6, "C1": 130 / 3.6},
        boundary=district,
    )
    reasons = dict(zip(screened.rejected["source_row"], screened.rejected["reason"], strict=True))
    assert reasons == {4: "jump", 6: "duplicate", 1: "outside"}
    assert screened.counts() == {"jump": 1, "duplicate": 1, "outside": 1}
    # one bad fix does not condemn its neighbours: rows 1, 2, 3 and 5 of F1 are kept
    kept = screened.kept[screened.kept["unit_id"] == "F1"]["source_row"].tolist()
    assert kept == [1, 2, 3, 5]
    assert "km/h" in screened.rejected.loc[screened.rejected["reason"] == "jump", "detail"].iloc[0]
    assert {"x", "y"} <= set(screened.kept.columns)


def test_screening_tolerates_gps_wobble() -> None:
    rng = np.random.default_rng(0)
    xy = [(500000 + rng.normal(0, 4), 5000000 + rng.normal(0, 4)) for _ in range(300)]
    screened = screen_fixes(_fixes(xy, list(range(300))), crs="EPSG:32610", max_speed_mps=20 / 3.6)
    assert len(screened.rejected) == 0
