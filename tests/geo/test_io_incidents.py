"""Tests of :func:`geo.io.read_incidents`: formats, encodings, dates and every bad-input case."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import box

from geo.errors import GeoInputError, GeoInputWarning
from geo.io import IncidentColumns, read_incidents
from geo.sample import data_dir
from geo.schema import INCIDENT_COLUMNS

HEADER = "id,datetime,category,lon,lat\n"


def write(tmp_path: Path, text: str, name: str = "incidents.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(excinfo: pytest.ExceptionInfo[GeoInputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


# --------------------------------------------------------------------------- real samples


def test_portland_sample_reads_cleanly_with_dates_only() -> None:
    path = data_dir("portland-central") / "portland_incidents.csv"
    frame = read_incidents(
        path,
        columns=IncidentColumns(date="occ_date", category="category"),
        timezone="America/Los_Angeles",
    )
    assert len(frame) == 13_300
    assert tuple(frame.columns[:6]) == INCIDENT_COLUMNS[:6]
    assert not frame["time_known"].any()
    local = frame["occurred_at"]
    assert str(local.dt.tz) == "America/Los_Angeles"
    assert (local.dt.hour == 0).all() and (local.dt.minute == 0).all()
    assert frame.crs.to_epsg() == 4326
    assert frame["incident_id"].is_unique
    assert frame["source_row"].tolist() == list(range(1, 13_301))
    assert {"call_group", "case_desc"} <= set(frame.columns)
    assert set(frame["category"]) == {"STREET CRIMES", "OTHER", "MOTOR VEHICLE THEFT", "BURGLARY"}


def test_toronto_sample_keeps_local_hours() -> None:
    path = data_dir("toronto-uoft") / "toronto_mci_incidents_2014_2021_uoft.csv"
    frame = read_incidents(
        path,
        columns=IncidentColumns(date="date", hour="hour", category="category"),
        timezone="America/Toronto",
    )
    raw = pd.read_csv(path)
    assert len(frame) == 822
    assert frame["time_known"].all()
    assert (frame["occurred_at"].dt.hour.to_numpy() == raw["hour"].to_numpy()).all()
    assert (frame["occurred_at"].dt.strftime("%Y-%m-%d") == raw["date"]).all()
    np.testing.assert_allclose(frame.geometry.y, raw["lat"])


# --------------------------------------------------------------------------- columns, formats


def test_detects_latitude_longitude_lng_case_insensitively(tmp_path: Path) -> None:
    path = write(tmp_path, "Latitude,LNG,Date,Offence\n45.5,-122.6,2024-03-05,theft\n")
    frame = read_incidents(path)
    assert frame.geometry.x.iloc[0] == pytest.approx(-122.6)
    assert frame.geometry.y.iloc[0] == pytest.approx(45.5)
    assert frame["category"].iloc[0] == "theft"
    assert frame["incident_id"].iloc[0] == "incidents:1"
    assert frame["weight"].iloc[0] == 1.0


def test_missing_columns_are_listed_with_the_existing_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "when,what,where\n2024-03-05,theft,here\n")
    with pytest.raises(GeoInputError, match=r"no coordinate columns.*'when', 'what', 'where'"):
        read_incidents(path)
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(path)
    text = "\n".join(problems_of(excinfo))
    assert "no date column" in text and "no category column" not in text


def test_override_naming_an_absent_column(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "1,2024-03-05 10:00,theft,-122.6,45.5\n")
    with pytest.raises(
        GeoInputError,
        match=r"'occ' given for date \(columns=IncidentColumns\(date='occ'\)\) is not in the file",
    ):
        read_incidents(path, columns=IncidentColumns(date="occ"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "incidents.csv: the file is empty"),
        ("   \n", "incidents.csv: the file is empty"),
        (HEADER, r"header but no data rows.*'datetime'"),
    ],
)
def test_empty_file_or_no_rows(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(GeoInputError, match=message):
        read_incidents(write(tmp_path, text))


def test_every_problem_is_collected_with_row_and_column(tmp_path: Path) -> None:
    text = HEADER + (
        "1,2024-03-05 10:00,theft,-122.6,45.5\n"
        "2,not a date,theft,-122.6,45.5\n"
        "3,2024-03-05 10:00,theft,abc,45.5\n"
        "4,2024-03-05 10:00,theft,-122.6,95.5\n"
        "5,2024-03-05 10:00,,-122.6,45.5\n"
        "5,2024-03-05 10:00,theft,-222.6,45.5\n"
    )
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(write(tmp_path, text))
    found = problems_of(excinfo)
    assert len(found) == 6
    assert found[0].startswith("incidents.csv, row 2, column 'datetime': unparseable date")
    assert "'not a date'" in found[0]
    assert found[1] == (
        "incidents.csv, row 3, column 'lon': not a number; expected a longitude in degrees "
        "(got 'abc')"
    )
    assert found[2].startswith("incidents.csv, row 4, column 'lat': latitude out of range")
    assert found[3].startswith("incidents.csv, row 5, column 'category': category is missing")
    row_6 = sorted(found[4:])
    assert row_6[0].startswith("incidents.csv, row 6, column 'id': duplicate id")
    assert "first used in row 5" in row_6[0]
    assert row_6[1].startswith("incidents.csv, row 6, column 'lon': longitude out of range")


def test_swapped_lat_lon_detected_per_row(tmp_path: Path) -> None:
    text = HEADER + "1,2024-03-05,theft,-122.6,45.5\n2,2024-03-05,theft,45.5,-122.6\n"
    with pytest.raises(
        GeoInputError, match="row 2, column 'lat': latitude and longitude look swapped"
    ):
        read_incidents(write(tmp_path, text))


def test_swapped_lat_lon_detected_file_wide(tmp_path: Path) -> None:
    text = HEADER + "1,2024-03-05,theft,45.5,-122.6\n2,2024-03-05,theft,45.6,-122.7\n"
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(write(tmp_path, text))
    first = str(excinfo.value.problems[0])
    assert first.startswith("incidents.csv: latitude and longitude look swapped in every row")
    assert excinfo.value.problems[0].row is None


def test_swap_that_stays_in_range_is_caught_by_the_boundary(tmp_path: Path) -> None:
    # Paris: lon 2.35, lat 48.85 swapped is still a valid lon/lat, only the boundary tells.
    text = HEADER + "1,2024-03-05,theft,2.35,48.85\n2,2024-03-05,theft,48.86,2.34\n"
    paris = box(2.2, 48.8, 2.5, 48.9)
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(write(tmp_path, text), boundary=paris)
    (problem,) = excinfo.value.problems
    assert problem.row == 2 and "latitude and longitude look swapped" in problem.message


def test_points_outside_the_boundary(tmp_path: Path) -> None:
    text = HEADER + "1,2024-03-05,theft,-122.6,45.5\n2,2024-03-05,theft,-120.0,44.0\n"
    frame = gpd.GeoDataFrame(geometry=[box(-122.7, 45.4, -122.5, 45.6)], crs=4326).to_crs(32610)
    with pytest.raises(
        GeoInputError, match=r"row 2, column 'lon': point \(lon -120, lat 44\) is outside"
    ):
        read_incidents(write(tmp_path, text), boundary=frame)


def test_null_island_is_a_problem(tmp_path: Path) -> None:
    text = HEADER + "1,2024-03-05,theft,-122.6,45.5\n2,2024-03-05,theft,0,0\n"
    with pytest.raises(GeoInputError, match=r"row 2.*coordinates are \(0, 0\)"):
        read_incidents(write(tmp_path, text))


# --------------------------------------------------------------------------- dates and hours


def test_chinese_datetimes_in_a_gbk_file(tmp_path: Path) -> None:
    text = (
        "编号,经度,纬度,时间,类别\n"
        "A1,116.40,39.90,2024年3月5日 14:30,盗窃\n"
        "A2,116.41,39.91,2024年12月15日 4:05,两抢\n"
    )
    path = write(tmp_path, text, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    frame = read_incidents(path, timezone="Asia/Shanghai")
    assert frame["incident_id"].tolist() == ["A1", "A2"]
    assert frame["category"].tolist() == ["盗窃", "两抢"]
    assert frame["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-05 14:30",
        "2024-12-15 04:05",
    ]
    assert frame["time_known"].all()


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufefflat,lon,date,type\n45.5,-122.6,2024/03/05,theft\n")
    frame = read_incidents(path)
    assert frame["occurred_at"].iloc[0] == pd.Timestamp("2024-03-05", tz="UTC")


def test_undecodable_file_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(b"lat,lon,date,type\n45.5,-122.6,2024-03-05,th\x80\xffeft\n")
    with pytest.raises(
        GeoInputError, match=r"broken.csv, row 1: cannot decode the file at byte offset 43"
    ):
        read_incidents(path)


def test_iso_datetimes_with_offsets_are_converted(tmp_path: Path) -> None:
    text = HEADER + (
        "1,2024-03-05T14:30:00+08:00,theft,116.4,39.9\n"
        "2,2024-03-05T06:30:00Z,theft,116.4,39.9\n"
        "3,2024-03-05 14:30,theft,116.4,39.9\n"
        "4,2024-03-05T01:30:00-05:00,theft,116.4,39.9\n"
    )
    frame = read_incidents(write(tmp_path, text), timezone="Asia/Shanghai")
    local = frame["occurred_at"].dt.strftime("%Y-%m-%d %H:%M%z").tolist()
    assert local == ["2024-03-05 14:30+0800"] * 4
    assert frame["time_known"].all()


def test_one_fixed_offset_throughout_is_converted(tmp_path: Path) -> None:
    text = HEADER + "1,2024-03-05T14:30:00+08:00,theft,116.4,39.9\n"
    frame = read_incidents(write(tmp_path, text), timezone="UTC")
    assert frame["occurred_at"].iloc[0] == pd.Timestamp("2024-03-05 06:30", tz="UTC")


def test_date_only_rows_are_midnight_with_time_unknown(tmp_path: Path) -> None:
    text = HEADER + "1,2024-03-05,theft,-122.6,45.5\n2,2024-03-05 18:45,theft,-122.6,45.5\n"
    frame = read_incidents(write(tmp_path, text), timezone="America/Los_Angeles")
    assert frame["time_known"].tolist() == [False, True]
    assert frame["occurred_at"].iloc[0] == pd.Timestamp("2024-03-05", tz="America/Los_Angeles")


def test_date_and_time_in_two_columns_with_blank_times(tmp_path: Path) -> None:
    text = (
        "lat,lon,date,time,type\n"
        "45.5,-122.6,05.03.2024,14:30,theft\n"
        "45.5,-122.6,13.03.2024,,theft\n"
    )
    frame = read_incidents(write(tmp_path, text))
    assert frame["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-05 14:30",
        "2024-03-13 00:00",
    ]
    assert frame["time_known"].tolist() == [True, False]


def test_ambiguous_day_month_asks_for_datetime_format(tmp_path: Path) -> None:
    text = "lat,lon,date,type\n45.5,-122.6,03/05/2024,theft\n45.5,-122.6,04/06/2024,theft\n"
    path = write(tmp_path, text)
    with pytest.raises(GeoInputError, match=r"could be day/month or month/day.*'%d/%m/%Y'"):
        read_incidents(path)
    frame = read_incidents(path, datetime_format="%m/%d/%Y")
    assert frame["occurred_at"].dt.month.tolist() == [3, 4]


def test_day_month_order_settled_by_the_data(tmp_path: Path) -> None:
    text = "lat,lon,date,type\n45.5,-122.6,03/05/2024,theft\n45.5,-122.6,03/25/2024,theft\n"
    frame = read_incidents(write(tmp_path, text))
    assert frame["occurred_at"].dt.month.tolist() == [3, 3]


def test_bad_datetime_format_is_reported_per_row(tmp_path: Path) -> None:
    text = "lat,lon,date,type\n45.5,-122.6,2024-03-05,theft\n"
    with pytest.raises(
        GeoInputError, match=r"row 1, column 'date': does not match datetime_format"
    ):
        read_incidents(write(tmp_path, text), datetime_format="%d/%m/%Y")


def test_hours_outside_0_23(tmp_path: Path) -> None:
    text = (
        "lat,lon,date,hour,type\n45.5,-122.6,2024-03-05,7,theft\n45.5,-122.6,2024-03-05,24,theft\n"
    )
    with pytest.raises(
        GeoInputError, match=r"row 2, column 'hour': hour outside 0-23.*\(got '24'\)"
    ):
        read_incidents(write(tmp_path, text))


def test_unknown_timezone(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "1,2024-03-05,theft,-122.6,45.5\n")
    with pytest.raises(GeoInputError, match="unknown time zone 'Mars/Olympus'"):
        read_incidents(path, timezone="Mars/Olympus")


# --------------------------------------------------------------------------- CRSs


def test_xy_columns_with_a_crs(tmp_path: Path) -> None:
    to_utm = Transformer.from_crs(4326, 32610, always_xy=True)
    x, y = to_utm.transform([-122.6, -122.65], [45.5, 45.52])
    text = "x,y,date,type\n" + "".join(
        f"{a},{b},2024-03-05,theft\n" for a, b in zip(x, y, strict=True)
    )
    path = write(tmp_path, text)
    with pytest.raises(
        GeoInputError,
        match=r"'x'/'y' hold projected coordinates but no CRS was given.*crs='EPSG:2913'",
    ):
        read_incidents(path)
    frame = read_incidents(path, crs="EPSG:32610")
    np.testing.assert_allclose(frame.geometry.x, [-122.6, -122.65], atol=1e-9)
    np.testing.assert_allclose(frame.geometry.y, [45.5, 45.52], atol=1e-9)


def test_xy_in_degrees_with_a_projected_crs(tmp_path: Path) -> None:
    path = write(tmp_path, "x,y,date,type\n-122.6,45.5,2024-03-05,theft\n")
    with pytest.raises(
        GeoInputError, match="look like degrees, but the CRS EPSG:32610 is projected"
    ):
        read_incidents(path, crs=32610)


def test_lonlat_columns_with_a_projected_crs_are_mixed_crss(tmp_path: Path) -> None:
    path = write(tmp_path, "lon,lat,date,type\n-122.6,45.5,2024-03-05,theft\n")
    with pytest.raises(
        GeoInputError, match="longitude/latitude degrees but the CRS EPSG:2913 is projected"
    ):
        read_incidents(path, crs=2913)


def test_vector_file_crs_differs_from_crs_option(tmp_path: Path) -> None:
    path = tmp_path / "points.gpkg"
    _points_frame().to_crs(32610).to_file(path)
    with pytest.raises(
        GeoInputError,
        match="mixed CRSs: the file declares EPSG:32610 but crs='EPSG:4326' was given",
    ):
        read_incidents(path, crs=4326)


# --------------------------------------------------------------------------- vector formats


def _points_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "case_id": ["c1", "c2", "c3"],
            "date": ["2024-03-05", "2024-03-06", "2024-03-07"],
            "time": ["14:30", "", "23:05"],
            "crime_type": ["theft", "robbery", "theft"],
            "premises": ["street", "shop", "home"],
        },
        geometry=gpd.points_from_xy([-122.60, -122.61, -122.62], [45.50, 45.51, 45.52]),
        crs=4326,
    )


def _check_round_trip(frame: gpd.GeoDataFrame) -> None:
    assert frame["incident_id"].tolist() == ["c1", "c2", "c3"]
    assert frame["category"].tolist() == ["theft", "robbery", "theft"]
    assert frame["premises"].tolist() == ["street", "shop", "home"]
    assert frame["time_known"].tolist() == [True, False, True]
    assert frame["occurred_at"].dt.strftime("%d %H:%M").tolist() == [
        "05 14:30",
        "06 00:00",
        "07 23:05",
    ]
    np.testing.assert_allclose(frame.geometry.x, [-122.60, -122.61, -122.62], atol=1e-9)
    assert frame.crs.to_epsg() == 4326


def test_geojson_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "points.geojson"
    _points_frame().to_file(path, driver="GeoJSON")
    _check_round_trip(read_incidents(path, timezone="America/Los_Angeles"))


def test_geopackage_round_trip_from_a_projected_crs(tmp_path: Path) -> None:
    path = tmp_path / "points.gpkg"
    _points_frame().to_crs(2913).to_file(path)
    _check_round_trip(read_incidents(path, timezone="America/Los_Angeles"))


def test_geopackage_with_a_real_datetime_field(tmp_path: Path) -> None:
    frame = _points_frame().drop(columns=["date", "time"])
    frame["occurred"] = pd.to_datetime(["2024-03-05 14:30", "2024-03-06 08:00", "2024-03-07 23:05"])
    path = tmp_path / "points.gpkg"
    frame.to_file(path)
    read = read_incidents(path, timezone="Asia/Shanghai")
    assert read["occurred_at"].dt.strftime("%H:%M").tolist() == ["14:30", "08:00", "23:05"]


def test_zipped_shapefile_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "shp"
    folder.mkdir()
    _points_frame().to_file(folder / "points.shp")
    path = tmp_path / "points.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    _check_round_trip(read_incidents(path, timezone="America/Los_Angeles"))


def test_non_point_and_missing_geometry(tmp_path: Path) -> None:
    frame = _points_frame()
    frame.loc[1, "geometry"] = box(0, 0, 1, 1)
    frame.loc[2, "geometry"] = None
    path = tmp_path / "mixed.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(path)
    assert problems_of(excinfo) == [
        "mixed.geojson, row 2, column 'geometry': geometry is a Polygon; expected a Point",
        "mixed.geojson, row 3, column 'geometry': geometry is missing; expected a point",
    ]


# --------------------------------------------------------------------------- keep_valid


def test_keep_valid_writes_rejected_rows_with_reasons(tmp_path: Path) -> None:
    text = HEADER + (
        "1,2024-03-05 10:00,theft,-122.6,45.5\n"
        "2,yesterday,theft,-122.6,45.5\n"
        "3,2024-03-05 11:00,robbery,-122.6,45.5\n"
        "4,2024-03-05 12:00,theft,45.5,-122.6\n"
    )
    rejected = tmp_path / "rejected.csv"
    with pytest.warns(GeoInputWarning, match="2 of 4 rows rejected"):
        frame = read_incidents(write(tmp_path, text), keep_valid=True, rejected_path=rejected)
    assert frame["incident_id"].tolist() == ["1", "3"]
    assert frame["source_row"].tolist() == [1, 3]
    out = pd.read_csv(rejected, dtype=str)
    assert list(out.columns) == [
        "id",
        "datetime",
        "category",
        "lon",
        "lat",
        "source_row",
        "reasons",
    ]
    assert out["source_row"].tolist() == ["2", "4"]
    assert out["datetime"].tolist() == ["yesterday", "2024-03-05 12:00"]
    assert out["reasons"].iloc[0].startswith("datetime: unparseable date")
    assert "latitude and longitude look swapped" in out["reasons"].iloc[1]


def test_keep_valid_needs_a_rejected_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="keep_valid=True needs rejected_path"):
        read_incidents(write(tmp_path, HEADER), keep_valid=True)


def test_keep_valid_still_raises_on_file_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "lat,lon,type\n45.5,-122.6,theft\n")
    with pytest.raises(GeoInputError, match="no date column"):
        read_incidents(path, keep_valid=True, rejected_path=tmp_path / "r.csv")


_CORRUPTIONS = {
    "datetime": "31/31/2024",
    "lon": "east",
    "lat": "95.0",
    "category": "",
}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.floats(-179.9, 179.9).filter(lambda v: abs(v) > 1e-3),
            st.floats(-89.9, 89.9),
            st.datetimes(
                min_value=pd.Timestamp("2000-01-01"), max_value=pd.Timestamp("2030-12-31")
            ),
            st.sampled_from(["theft", "robbery", "盗窃"]),
            st.sampled_from([None, *_CORRUPTIONS]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_nothing_is_lost_under_random_corruption(tmp_path: Path, rows: list[tuple]) -> None:
    records = []
    corrupted = set()
    for number, (lon, lat, when, category, broken) in enumerate(rows, start=1):
        record = {
            "id": f"i{number}",
            "datetime": when.strftime("%Y-%m-%d %H:%M:%S"),
            "category": category,
            "lon": repr(lon),
            "lat": repr(lat),
        }
        if broken is not None:
            record[broken] = _CORRUPTIONS[broken]
            corrupted.add(number)
        records.append(record)
    path = tmp_path / "random.csv"
    pd.DataFrame(records).to_csv(path, index=False)
    rejected = tmp_path / "random_rejected.csv"
    rejected.unlink(missing_ok=True)
    if len(corrupted) == len(rows):
        # Nothing usable: an error (and, unless a file-wide problem such as "every row looks
        # swapped" stops it first, the rejected file with every row).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GeoInputWarning)
            with pytest.raises(GeoInputError):
                read_incidents(path, keep_valid=True, rejected_path=rejected)
        if not rejected.exists():
            return
        kept_rows: list[int] = []
    elif corrupted:
        with pytest.warns(GeoInputWarning):
            frame = read_incidents(path, keep_valid=True, rejected_path=rejected)
        kept_rows = frame["source_row"].tolist()
    else:
        frame = read_incidents(path, keep_valid=True, rejected_path=rejected)
        kept_rows = frame["source_row"].tolist()
        assert not rejected.exists()
        expected = pd.to_datetime([r["datetime"] for r in records]).tz_localize("UTC")
        assert (frame["occurred_at"].to_numpy() == expected.to_numpy()).all()
        np.testing.assert_allclose(frame.geometry.x, [float(r["lon"]) for r in records])
    rejected_rows = pd.read_csv(rejected)["source_row"].tolist() if corrupted else []
    assert sorted(kept_rows + rejected_rows) == list(range(1, len(rows) + 1))
    assert set(rejected_rows) == corrupted


def test_a_million_rows_is_vectorised(tmp_path: Path) -> None:
    """A smoke check of speed at 200,000 rows (the full 1M is in benchmarks' territory)."""
    import time

    rng = np.random.default_rng(7)
    n = 200_000
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 525_600, n), unit="min")
    frame = pd.DataFrame(
        {
            "datetime": when.strftime("%Y-%m-%d %H:%M"),
            "category": rng.choice(["theft", "robbery"], n),
            "lon": rng.uniform(116.3, 116.5, n).round(6),
            "lat": rng.uniform(39.8, 40.0, n).round(6),
        }
    )
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    start = time.perf_counter()
    read = read_incidents(path, timezone="Asia/Shanghai")
    elapsed = time.perf_counter() - start
    assert len(read) == n
    assert elapsed < 10.0, f"reading {n} rows took {elapsed:.1f} s"
