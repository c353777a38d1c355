"""Real-world file shapes for the readers (issue 14): open-data exports with date parts and
withheld locations, Chinese spellings, other delimiters, workbooks, KML areas, files without
a category, and messages spelled for the caller (library, CLI or service)."""

from __future__ import annotations

import codecs
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.errors import GeoInputError, GeoInputWarning, Problem, condense_problems
from geo.io import IncidentColumns, read_areas, read_incidents, read_stations
from geo.io.advice import CLI_ADVICE, SERVICE_ADVICE
from geo.io.common import normalize_cjk_datetimes, sniff_delimiter


def write(tmp_path: Path, text: str, name: str = "incidents.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------------------------
# open-data exports: date parts, UTM x/y, withheld locations

VANCOUVER = (
    "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,X,Y\n"
    "Theft from Vehicle,2024,3,5,21,30,1XX MAIN ST,492000.1,5458000.2\n"
    "Mischief,2024,3,6,,,OFFSET TO PROTECT PRIVACY,0,0\n"
    "Mischief,2024,12,31,23,59,2XX MAIN ST,492100,5458100\n"
)


def test_date_parts_are_combined(tmp_path: Path) -> None:
    path = write(tmp_path, VANCOUVER.replace(",0,0\n", ",492050,5458050\n"))
    frame = read_incidents(path, crs="EPSG:26910", timezone="America/Vancouver")
    when = frame["occurred_at"]
    assert str(when[0]) == "2024-03-05 21:30:00-08:00"
    assert str(when[2]) == "2024-12-31 23:59:00-08:00"
    assert frame["time_known"].tolist() == [True, False, True]  # row 2 has no hour
    assert frame["category"][0] == "Theft from Vehicle"


def test_chinese_date_part_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "年,月,日,时,分,类别,纬度,经度\n2024,3,5,21,30,盗窃,31.2,121.4\n")
    frame = read_incidents(path, timezone="Asia/Shanghai")
    assert str(frame["occurred_at"][0]) == "2024-03-05 21:30:00+08:00"


def test_a_date_part_that_is_no_day_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "type,year,month,day,lat,lon\ntheft,2024,2,30,45.5,-122.6\n")
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(path)
    (problem,) = excinfo.value.problems
    assert (problem.row, problem.column) == (1, "day")
    assert "year/month/day is not a calendar date" in problem.message


def test_withheld_locations_are_rows_and_keep_valid_is_suggested(tmp_path: Path) -> None:
    path = write(tmp_path, VANCOUVER)
    with pytest.raises(GeoInputError, match=r"1 of 3 rows have problems; --keep-valid uses"):
        read_incidents(path, crs="EPSG:26910", advice=CLI_ADVICE)
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(path, crs="EPSG:26910")
    (problem,) = excinfo.value.problems
    assert (problem.row, problem.column) == (2, "X")
    assert "location is withheld or missing" in problem.message
    assert "keep_valid=True" in str(excinfo.value)


def test_keep_valid_writes_the_withheld_rows(tmp_path: Path) -> None:
    rejected = tmp_path / "out" / "rejected.csv"
    with pytest.warns(GeoInputWarning, match="1 of 3 rows rejected"):
        frame = read_incidents(
            write(tmp_path, VANCOUVER), crs="EPSG:26910", keep_valid=True, rejected_path=rejected
        )
    assert frame["source_row"].tolist() == [1, 3]
    table = pd.read_csv(rejected)
    assert table["source_row"].tolist() == [2]
    assert "withheld" in table["reasons"][0]


# --------------------------------------------------------------------------------------------
# categories


def test_no_category_column_is_one_category(tmp_path: Path) -> None:
    path = write(tmp_path, "lat,lon,date\n45.5,-122.6,2024-03-05\n45.5,-122.6,2024-03-06\n")
    with pytest.warns(GeoInputWarning, match="no category column.*'all'.*--columns category="):
        frame = read_incidents(path, advice=CLI_ADVICE)
    assert frame["category"].tolist() == ["all", "all"]


def test_anyou_is_a_category_column(tmp_path: Path) -> None:
    path = write(tmp_path, "案发时间,案由,纬度,经度\n2024-03-05 21:30,盗窃,31.2,121.4\n")
    assert read_incidents(path)["category"].tolist() == ["盗窃"]


# --------------------------------------------------------------------------------------------
# Chinese dates and times

CJK_CASES = [
    ("2024年3月5日 21时", "2024-03-05 21:00"),
    ("2024年03月05日21时30分", "2024-03-05 21:30"),
    ("２０２４年３月５日　２１：３０", "2024-03-05 21:30"),
    ("2024年3月5日 晚上9点", "2024-03-05 21:00"),
    ("2024年3月5日 下午3点15分", "2024-03-05 15:15"),
    ("2024年3月5日 上午9点半", "2024-03-05 09:30"),
    ("2024年3月5日", "2024-03-05"),
]


@pytest.mark.parametrize(("raw", "normal"), CJK_CASES)
def test_cjk_spellings_are_normalised(raw: str, normal: str) -> None:
    assert normalize_cjk_datetimes(pd.Series([raw], dtype="str")).tolist() == [normal]


def test_uncertain_period_hours_are_not_guessed(tmp_path: Path) -> None:
    # 晚上12点 could be noon or midnight: reported, not guessed.
    path = write(tmp_path, "日期,类别,纬度,经度\n2024年3月5日 晚上12点,盗窃,31.2,121.4\n")
    with pytest.raises(GeoInputError, match="unparseable date"):
        read_incidents(path)


def test_cjk_datetimes_read(tmp_path: Path) -> None:
    rows = "\n".join(f"{raw},盗窃,31.2,121.4" for raw, _ in CJK_CASES)
    frame = read_incidents(write(tmp_path, "案发时间,案由,纬度,经度\n" + rows + "\n"))
    got = [t.strftime("%Y-%m-%d %H:%M") for t in frame["occurred_at"]]
    assert got == [n if len(n) > 10 else n + " 00:00" for _, n in CJK_CASES]
    assert frame["time_known"].tolist() == [True] * 6 + [False]


def test_repeated_date_errors_are_condensed(tmp_path: Path) -> None:
    rows = "".join(f"2024-03-{d:02d}x,theft,45.5,-122.6\n" for d in range(1, 29))
    with pytest.raises(GeoInputError) as excinfo:
        read_incidents(write(tmp_path, "date,category,lat,lon\n" + rows))
    assert len(excinfo.value.problems) == 28
    text = str(excinfo.value)
    assert text.count("unparseable date") == 1
    assert "[on 28 rows: 1, 2, 3, 4, 5, ...]" in text


def test_condense_keeps_single_problems() -> None:
    problems = [Problem("f", "a", row=1), Problem("f", "b", row=2), Problem("f", "a", row=3)]
    condensed = condense_problems(problems)
    assert [p.message for p in condensed] == ["a [on 2 rows: 1, 3]", "b"]


# --------------------------------------------------------------------------------------------
# delimiters, workbooks


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, sep: str) -> None:
    text = sep.join(["lat", "lon", "occurred_at", "category"]) + "\n"
    text += sep.join(["45.5", "-122.6", "2024-03-05 21:30", "theft"]) + "\n"
    frame = read_incidents(write(tmp_path, text))
    assert frame["category"].tolist() == ["theft"]
    assert sniff_delimiter(text) == sep


def test_xlsx_first_sheet_and_named_sheet(tmp_path: Path) -> None:
    path = tmp_path / "incidents.xlsx"
    first = pd.DataFrame({"纬度": [31.2], "经度": [121.4], "案发时间": ["2024年3月5日 21时"]})
    first["案由"] = ["盗窃"]
    second = first.assign(案由=["诈骗"])
    with pd.ExcelWriter(path) as writer:
        first.to_excel(writer, sheet_name="三月", index=False)
        second.to_excel(writer, sheet_name="四月", index=False)
    assert read_incidents(path)["category"].tolist() == ["盗窃"]
    assert read_incidents(path, sheet="四月")["category"].tolist() == ["诈骗"]
    with pytest.raises(GeoInputError, match=r"no sheet 'May'.*三月, 四月.*--sheet"):
        read_incidents(path, sheet="May", advice=CLI_ADVICE)


def test_xlsx_with_datetime_cells(tmp_path: Path) -> None:
    path = tmp_path / "incidents.xlsx"
    pd.DataFrame(
        {
            "lat": [45.5],
            "lon": [-122.6],
            "occurred_at": [pd.Timestamp("2024-03-05 21:30")],
            "type": ["theft"],
        }
    ).to_excel(path, index=False)
    frame = read_incidents(path)
    assert frame["occurred_at"][0].strftime("%Y-%m-%d %H:%M") == "2024-03-05 21:30"


# --------------------------------------------------------------------------------------------
# KML areas, Chinese station headers, GeoJSON in metres

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>District A</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
-122.68,45.51 -122.67,45.51 -122.67,45.52 -122.68,45.52 -122.68,45.51
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>District B</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
-122.67,45.51 -122.66,45.51 -122.66,45.52 -122.67,45.52 -122.67,45.51
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
</Document></kml>
"""


def test_kml_areas_take_ids_from_names(tmp_path: Path) -> None:
    path = write(tmp_path, KML, "districts.kml")
    with pytest.warns(GeoInputWarning, match="ids are taken from 'Name'"):
        areas = read_areas(path)
    assert areas["area_id"].tolist() == ["District A", "District B"]
    assert areas["name"].tolist() == ["District A", "District B"]


def test_kmz_areas(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "districts.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", KML)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeoInputWarning)
        assert read_areas(path)["area_id"].tolist() == ["District A", "District B"]


def test_stations_with_chinese_headers(tmp_path: Path) -> None:
    path = write(tmp_path, "派出所编号,派出所名称,纬度,经度\nS1,城关派出所,31.2,121.4\n", "st.csv")
    stations = read_stations(path)
    assert (stations["station_id"][0], stations["name"][0]) == ("S1", "城关派出所")


def test_stations_without_an_id_list_the_accepted_names(tmp_path: Path) -> None:
    path = write(tmp_path, "名字,纬度,经度\n城关,31.2,121.4\n", "st.csv")
    with pytest.raises(GeoInputError, match=r"no station_id column: expected one named.*编号"):
        read_stations(path)


def _metres_geojson(tmp_path: Path, geometry: BaseGeometry) -> Path:
    import json

    from shapely.geometry import mapping

    feature = {"type": "Feature", "properties": {"category": "theft", "date": "2024-03-05"}}
    feature["geometry"] = mapping(geometry)
    path = tmp_path / "metres.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_geojson_in_metres_without_a_crs_is_one_clear_problem(tmp_path: Path) -> None:
    path = _metres_geojson(tmp_path, Point(492000, 5458000))
    with pytest.raises(GeoInputError, match=r"not longitude/latitude degrees.*--crs EPSG:xxxx"):
        read_incidents(path, advice=CLI_ADVICE)
    frame = read_incidents(path, crs="EPSG:26910")
    assert round(frame.geometry.x[0], 3) == -123.11
    polygon = Polygon([(492000, 5458000), (493000, 5458000), (493000, 5459000)])
    with pytest.raises(GeoInputError, match="not longitude/latitude degrees"):
        read_areas(_metres_geojson(tmp_path, polygon))


# --------------------------------------------------------------------------------------------
# messages spelled for the caller


def test_swapped_columns_advice_per_caller(tmp_path: Path) -> None:
    path = write(tmp_path, "lat,lon,date,type\n-122.6,45.5,2024-03-05,theft\n")
    for advice, fix in (
        (None, "columns=IncidentColumns(lon='lat', lat='lon')"),
        (CLI_ADVICE, "--columns lon=lat,lat=lon"),
        (SERVICE_ADVICE, "the columns field (lon=lat,lat=lon)"),
    ):
        kwargs = {} if advice is None else {"advice": advice}
        with pytest.raises(GeoInputError) as excinfo:
            read_incidents(path, **kwargs)  # type: ignore[arg-type]
        assert fix in str(excinfo.value)


def test_ambiguous_day_month_asks_for_the_cli_flag(tmp_path: Path) -> None:
    path = write(tmp_path, "date,type,lat,lon\n03/05/2024,theft,45.5,-122.6\n")
    with pytest.raises(GeoInputError, match=r"--datetime-format '%d/%m/%Y'"):
        read_incidents(path, advice=CLI_ADVICE)
    frame = read_incidents(path, datetime_format="%d/%m/%Y")
    assert frame["occurred_at"][0].month == 5


def test_columns_override_names_chinese_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "发生于,种类,北纬,东经\n2024-03-05 21:30,盗窃,31.2,121.4\n")
    frame = read_incidents(
        path, columns=IncidentColumns(datetime="发生于", category="种类", lat="北纬", lon="东经")
    )
    assert frame["category"].tolist() == ["盗窃"]


# --------------------------------------------------------------------------------------------
# property: delimiters, encodings, column orders and header spellings read the same

HEADERS = {
    "lat": ["lat", "Latitude", "LAT", "纬度"],
    "lon": ["lon", "longitude", "LNG", "经度"],
    "when": ["occurred_at", "Datetime", "案发时间", "时间"],
    "category": ["category", "TYPE", "案由", "类别"],
}
ROWS = [
    ("31.2001", "121.4001", "2024-03-05 21:30", "盗窃"),
    ("31.2002", "121.4002", "2024-03-06 08:15", "诈骗"),
    ("31.2003", "121.4003", "2024-03-07 00:00", "盗窃"),
]


@settings(max_examples=40, deadline=None)
@given(
    sep=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-bom", "gbk"]),
    order=st.permutations(["lat", "lon", "when", "category"]),
    spelling=st.tuples(*(st.integers(0, 3) for _ in range(4))),
)
def test_any_csv_spelling_reads_the_same_incidents(
    tmp_path_factory: pytest.TempPathFactory,
    sep: str,
    encoding: str,
    order: list[str],
    spelling: tuple[int, int, int, int],
) -> None:
    names = {role: HEADERS[role][k] for role, k in zip(HEADERS, spelling, strict=True)}
    values = [dict(zip(HEADERS, row, strict=True)) for row in ROWS]
    text = sep.join(names[r] for r in order) + "\n"
    text += "".join(sep.join(v[r] for r in order) + "\n" for v in values)
    data = text.encode("gbk" if encoding == "gbk" else "utf-8")
    if encoding == "utf-8-bom":
        data = codecs.BOM_UTF8 + data
    path = tmp_path_factory.mktemp("prop") / "incidents.csv"
    path.write_bytes(data)
    frame = read_incidents(path, timezone="Asia/Shanghai")
    assert frame["category"].tolist() == ["盗窃", "诈骗", "盗窃"]
    assert [t.strftime("%Y-%m-%d %H:%M") for t in frame["occurred_at"]] == [r[2] for r in ROWS]
    assert [round(p.y, 4) for p in frame.geometry] == [float(r[0]) for r in ROWS]
    assert [round(p.x, 4) for p in frame.geometry] == [float(r[1]) for r in ROWS]
    assert isinstance(frame, gpd.GeoDataFrame)
