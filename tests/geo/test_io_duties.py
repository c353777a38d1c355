"""Tests of :func:`geo.io.read_duties`: formats, times, synonyms, the sample files and every
bad-input case."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from geo import sample
from geo.district import District
from geo.errors import GeoInputError
from geo.io import read_duties
from geo.io.duties import DUTY_COLUMNS
from planner.sources import tasks_from_duties
from planner.tasks import TaskKind

HEADER = "duty_id,kind,name,start,end,dwell_min,required,modes,priority,lat,lon,wkt\n"
POINT_ROW = "p1,post,Post,17:00,19:00,,,,,45.52,-122.68,\n"


def write(tmp_path: Path, text: str, name: str = "duties.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[GeoInputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


# --------------------------------------------------------------------------- the samples


@pytest.fixture(scope="module", params=["portland-central", "toronto-uoft"])
def sample_district(request: pytest.FixtureRequest) -> District:
    return sample.load(request.param)


def test_sample_duties_read_cleanly_inside_the_boundary(sample_district: District) -> None:
    name = "portland-central" if "Portland" in sample_district.name else "toronto-uoft"
    boundary = gpd.GeoDataFrame(geometry=[sample_district.boundary], crs=sample_district.crs)
    duties = read_duties(
        sample.data_dir(name) / "duties.csv",
        timezone=sample_district.timezone,
        boundary=boundary,
    )
    assert tuple(duties.columns[:9]) == DUTY_COLUMNS[:9]
    assert duties.crs.to_epsg() == 4326
    assert duties["note"].str.startswith("Illustrative").all()
    assert set(duties["kind"]) == {"post", "line", "window"}
    inside = duties.geometry.within(boundary.to_crs(4326).union_all())
    assert inside.all()

    tasks = {t.task_id: t for t in tasks_from_duties(duties.to_crs(sample_district.crs))}
    assert len(tasks) == len(duties)
    lines = [t for t in tasks.values() if t.kind is TaskKind.LINE]
    assert len(lines) == 1 and lines[0].line is not None and lines[0].line.length > 300
    checkpoint = next(t for t in tasks.values() if t.label.endswith("exit"))
    assert checkpoint.kind is TaskKind.POST and checkpoint.required
    assert (checkpoint.window_open_s, checkpoint.dwell_s) == (17 * 3600, 2 * 3600)
    school = next(t for k, t in tasks.items() if k.startswith("window:"))
    assert not school.required and school.dwell_s == 12 * 60
    assert school.window_open_s is not None and 14 * 3600 <= school.window_open_s < 16 * 3600


def test_portland_sample_has_posts_in_the_evening_shift() -> None:
    duties = read_duties(sample.data_dir("portland-central") / "duties.csv")
    posts = duties[duties["kind"] == "post"].set_index("duty_id")
    assert posts.loc["pioneer-square", "start_s"] == 20 * 3600
    assert posts.loc["pioneer-square", "end_s"] == 22 * 3600
    in_shift = (posts["start_s"] >= 16 * 3600) & (posts["end_s"] <= 24 * 3600)
    assert in_shift.all()


# --------------------------------------------------------------------------- happy paths


def test_point_and_wkt_line_with_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + POINT_ROW + "l1,line,Main St,,,,,,,,,"
        '"LINESTRING(-122.68 45.52, -122.681 45.515, -122.682 45.51)"\n'
        "w1,window,School,14:45,15:30,10,,,,45.51,-122.69,\n",
    )
    duties = read_duties(path)
    assert list(duties.columns) == list(DUTY_COLUMNS)
    assert duties["kind"].tolist() == ["post", "line", "window"]
    assert duties["required"].tolist() == [True, False, False]
    assert duties["priority"].tolist() == [1.0, 1.0, 1.0]
    assert duties["modes"].tolist() == ["", "", ""]
    assert np.isnan(duties["dwell_min"].iloc[0]) and duties["dwell_min"].iloc[2] == 10.0
    assert np.isnan(duties["start_s"].iloc[1]) and np.isnan(duties["end_s"].iloc[1])
    assert duties.geometry.iloc[0].equals(Point(-122.68, 45.52))
    line = duties.geometry.iloc[1]
    assert isinstance(line, LineString) and len(line.coords) == 3
    assert line.coords[0] == (-122.68, 45.52)
    assert duties[["start_s", "end_s"]].iloc[2].tolist() == [53_100.0, 55_800.0]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("22:00", "02:00", (79_200, 93_600)),
        ("9:05", "10:00", (32_700, 36_000)),
        ("0930", "1015", (34_200, 36_900)),
        ("16:00", "24:00", (57_600, 86_400)),
        ("23:30", "00:00", (84_600, 86_400)),
        ("25:30", "26:00", (91_800, 93_600)),
        ("17:00:30", "17时45分", (61_230, 63_900)),
        ("18：00", "19:00", (64_800, 68_400)),
    ],
)
def test_times_and_next_day_windows(
    tmp_path: Path, start: str, end: str, expected: tuple[int, int]
) -> None:
    path = write(tmp_path, HEADER + f"p1,post,P,{start},{end},,,,,45.52,-122.68,\n")
    duties = read_duties(path)
    assert (duties["start_s"].iloc[0], duties["end_s"].iloc[0]) == expected


def test_next_day_window_becomes_a_task_after_midnight(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "n1,window,Night,22:00,02:00,15,true,,,45.52,-122.68,\n")
    duties = read_duties(path).to_crs(32610)
    (task,) = tasks_from_duties(duties)
    assert task.required
    assert (task.window_open_s, task.window_close_s) == (79_200, 93_600 - 15 * 60)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("checkpoint", "post"),
        ("卡口", "post"),
        ("治安检查点", "post"),
        ("岗", "post"),
        ("CheckPoint", "post"),
        ("road", "line"),
        ("patrol line", "line"),
        ("线", "line"),
        ("school", "window"),
        ("School_Gate", "window"),
        ("学校", "window"),
    ],
)
def test_kind_synonyms(tmp_path: Path, kind: str, expected: str) -> None:
    place = (
        ',,,"LINESTRING(-122.68 45.52, -122.68 45.51)"' if expected == "line" else ",45.52,-122.68,"
    )
    path = write(tmp_path, HEADER + f"d1,{kind},D,17:00,18:00,,,,{place}\n")
    assert read_duties(path)["kind"].iloc[0] == expected


def test_mode_synonyms_are_canonical_and_ordered(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + 'p1,post,P,17:00,18:00,,,"vehicle, 步巡;Bike",,45.52,-122.68,\n'
        "p2,post,Q,17:00,18:00,,,walk;foot,,45.52,-122.68,\n",
    )
    assert read_duties(path)["modes"].tolist() == ["foot;bicycle;car", "foot"]


def test_required_flag_and_priority_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "p1,post,P,17:00,18:00,,no,,2.5,45.52,-122.68,\n"
        "w1,window,W,17:00,18:00,,yes,,0,45.52,-122.68,\n",
    )
    duties = read_duties(path)
    assert duties["required"].tolist() == [False, True]
    assert duties["priority"].tolist() == [2.5, 0.0]


def test_name_defaults_to_id_and_extra_columns_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path, "duty_id,kind,start,end,lat,lon,note\np1,post,17:00,18:00,45.52,-122.68,hi\n"
    )
    duties = read_duties(path)
    assert duties["name"].iloc[0] == "p1"
    assert duties["note"].iloc[0] == "hi"
    assert "lat" not in duties.columns and "start" not in duties.columns


def test_timezone_is_checked_and_kept(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + POINT_ROW)
    assert read_duties(path, timezone="Asia/Shanghai").attrs["timezone"] == "Asia/Shanghai"
    with pytest.raises(GeoInputError, match=r"duties\.csv: unknown time zone 'Mars/Base'"):
        read_duties(path, timezone="Mars/Base")


def _vector_duties() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "duty_id": ["g1", "g2"],
            "kind": ["checkpoint", "road"],
            "name": ["Gate", "Road"],
            "start": ["22:00", "18:00"],
            "end": ["01:30", "20:00"],
            "modes": ["car", "foot;bicycle"],
            "note": ["a", "b"],
        },
        geometry=[Point(-79.39, 43.66), LineString([(-79.398, 43.661), (-79.3995, 43.666)])],
        crs=4326,
    )


def test_geojson_round_trip(tmp_path: Path) -> None:
    source = _vector_duties()
    path = tmp_path / "duties.geojson"
    source.to_file(path, driver="GeoJSON")
    duties = read_duties(path)
    assert duties["duty_id"].tolist() == ["g1", "g2"]
    assert duties["kind"].tolist() == ["post", "line"]
    assert duties[["start_s", "end_s"]].iloc[0].tolist() == [79_200.0, 91_800.0]
    assert duties["modes"].tolist() == ["car", "foot;bicycle"]
    assert duties["note"].tolist() == ["a", "b"]
    assert duties.geometry.iloc[1].equals_exact(source.geometry.iloc[1], 1e-9)


def test_geopackage_in_a_projected_crs_is_reprojected(tmp_path: Path) -> None:
    source = _vector_duties().to_crs(32617)
    path = tmp_path / "duties.gpkg"
    source.to_file(path, driver="GPKG")
    duties = read_duties(path)
    assert duties.crs.to_epsg() == 4326
    assert duties.geometry.iloc[0].x == pytest.approx(-79.39)
    assert duties.geometry.iloc[0].y == pytest.approx(43.66)


def test_vector_geometry_of_the_wrong_kind(tmp_path: Path) -> None:
    source = _vector_duties()
    source["kind"] = ["road", "post"]
    path = tmp_path / "duties.geojson"
    source.to_file(path, driver="GeoJSON")
    with pytest.raises(GeoInputError) as excinfo:
        read_duties(path)
    assert problems_of(excinfo) == [
        "duties.geojson, row 1, column 'geometry': a line needs a LineString of two or more "
        "points; got a Point",
        "duties.geojson, row 2, column 'geometry': a post needs a Point; got a LineString (a "
        "road to patrol is kind 'line')",
    ]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (
            "p1,tower,P,17:00,18:00,,,,,45.52,-122.68,",
            r"row 1, column 'kind': unknown kind; "
            r"expected post, line or window \(synonyms: checkpoint.*\(got 'tower'\)",
        ),
        (",post,P,17:00,18:00,,,,,45.52,-122.68,", r"row 1, column 'duty_id': duty_id is missing"),
        ("p1,,P,17:00,18:00,,,,,45.52,-122.68,", r"row 1, column 'kind': kind is missing"),
        (
            "p1,post,P,5pm,18:00,,,,,45.52,-122.68,",
            r"row 1, column 'start': unparseable time of "
            r"day; expected a time of day HH:MM.*\(got '5pm'\)",
        ),
        ("p1,post,P,17:00,18:61,,,,,45.52,-122.68,", r"row 1, column 'end': unparseable time"),
        ("p1,post,P,48:00,18:00,,,,,45.52,-122.68,", r"row 1, column 'start': unparseable time"),
        (
            "p1,post,P,17:00,,,,,,45.52,-122.68,",
            r"row 1, column 'end': the window has a start "
            r"but no end; expected both",
        ),
        (
            "p1,post,P,,18:00,,,,,45.52,-122.68,",
            r"row 1, column 'start': the window has an end "
            r"but no start",
        ),
        (
            "w1,school,W,,,,,,,45.52,-122.68,",
            r"row 1, column 'start': a window duty \(e\.g\. a "
            r"school gate\) needs start and end times",
        ),
        (
            "p1,post,P,,,,,,,45.52,-122.68,",
            r"row 1, column 'start': a post needs a window "
            r"\(start and end\) or a dwell_min",
        ),
        (
            "p1,post,P,02:00,26:30,,,,,45.52,-122.68,",
            r"row 1, column 'end': the window 02:00-"
            r"26:30 is not between 0 and 24 hours long",
        ),
        (
            "p1,post,P,17:00,18:00,-5,,,,45.52,-122.68,",
            r"row 1, column 'dwell_min': negative; "
            r"expected minutes >= 0 \(got '-5'\)",
        ),
        (
            "p1,post,P,17:00,18:00,abc,,,,45.52,-122.68,",
            r"row 1, column 'dwell_min': not a "
            r"number",
        ),
        (
            "p1,post,P,17:00,18:00,,,,-1,45.52,-122.68,",
            r"row 1, column 'priority': negative; "
            r"expected a priority >= 0",
        ),
        (
            "p1,post,P,17:00,18:00,,maybe,,,45.52,-122.68,",
            r"row 1, column 'required': not a "
            r"yes/no value",
        ),
        (
            "p1,post,P,17:00,18:00,,,foot;boat,,45.52,-122.68,",
            r"row 1, column 'modes': unknown "
            r"mode 'boat'; expected foot, bicycle or car \(synonyms: walk.*\(got 'foot;boat'\)",
        ),
        (
            "l1,line,L,,,,,,,45.52,-122.68,",
            r"row 1, column 'lat': a line needs a LineString of "
            r"two or more points; got a Point \(give a line in a 'wkt' column",
        ),
        (
            'l1,line,L,,,,,,,,,"LINESTRING(-122.68 45.52, -122.68 45.52)"',
            r"row 1, column 'wkt': "
            r"the line has 1 distinct point\(s\); expected at least 2",
        ),
        (
            'p1,post,P,17:00,18:00,,,,,,,"LINESTRING(-122.68 45.52, -122.6 45.5)"',
            r"row 1, "
            r"column 'wkt': a post needs a Point; got a LineString",
        ),
        ('l1,road,L,,,,,,,,,"LINESTRING(-122.68 45.52"', r"row 1, column 'wkt': not valid WKT"),
        (
            'l1,line,L,,,,,,,,,"LINESTRING(45.52 -122.68, 45.51 -122.67)"',
            r"row 1, column 'wkt': "
            r"latitude and longitude look swapped: the coordinates are \(lat lon\)",
        ),
        (
            'l1,line,L,,,,,,,,,"LINESTRING(-222.68 45.52, -122.67 45.51)"',
            r"row 1, column 'wkt': "
            r"coordinates out of range",
        ),
        (
            "p1,post,P,17:00,18:00,,,,,-122.68,45.52,",
            r"row 1, column 'lat': latitude and "
            r"longitude look swapped",
        ),
        ("p1,post,P,17:00,18:00,,,,,95,-122.68,", r"row 1, column 'lat': latitude out of range"),
        ("p1,post,P,17:00,18:00,,,,,45.52,,", r"row 1, column 'lon': lat given without lon"),
        ("p1,post,P,17:00,18:00,,,,,,,", r"row 1, column 'wkt': no place; expected lat and lon"),
        (
            'p1,post,P,17:00,18:00,,,,,45.52,-122.68,"POINT(-122.68 45.52)"',
            r"row 1, column "
            r"'wkt': both a wkt geometry and 'lat'/'lon' are given",
        ),
    ],
)
def test_bad_rows_name_file_row_and_column(tmp_path: Path, row: str, match: str) -> None:
    path = write(tmp_path, HEADER + row + "\n")
    with pytest.raises(GeoInputError, match=r"duties\.csv, " + match):
        read_duties(path)


def test_duplicate_ids_name_the_first_row(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + POINT_ROW + POINT_ROW + POINT_ROW)
    with pytest.raises(GeoInputError) as excinfo:
        read_duties(path)
    assert problems_of(excinfo) == [
        f"duties.csv, row {r}, column 'duty_id': duplicate id; expected unique ids (first used "
        "in row 1) (got 'p1')"
        for r in (2, 3)
    ]


def test_every_problem_is_collected_in_one_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "a,tower,A,17:00,,,,,,45.52,-122.68,\n"
        "a,post,B,25:99,18:00,-3,,car;boat,,45.52,-122.68,\n"
        "c,line,C,,,,,,,45.52,-122.68,\n",
    )
    with pytest.raises(GeoInputError, match=r"duties\.csv cannot be used as duties") as excinfo:
        read_duties(path)
    located = [(p.row, p.column) for p in excinfo.value.problems]
    assert located == [
        (1, "kind"),
        (1, "end"),
        (2, "duty_id"),
        (2, "start"),
        (2, "dwell_min"),
        (2, "modes"),
        (3, "lat"),
    ]


def test_boundary_catches_a_swap_that_stays_in_range(tmp_path: Path) -> None:
    toronto = gpd.GeoDataFrame(
        geometry=[Point(-79.3937, 43.6633).buffer(0.01)], crs=4326
    )  # lat 43 / lon -79 swapped is still a valid point in the Antarctic Ocean
    path = write(
        tmp_path,
        HEADER + "p1,post,P,17:00,18:00,,,,,-79.3905,43.6600,\n"
        "p2,post,Q,17:00,18:00,,,,,43.70,-79.30,\n",
    )
    with pytest.raises(GeoInputError) as excinfo:
        read_duties(path, boundary=toronto)
    texts = problems_of(excinfo)
    assert len(texts) == 2
    assert texts[0].startswith("duties.csv, row 1, column 'lat': latitude and longitude look")
    assert texts[1].startswith("duties.csv, row 2, column 'lon': point (lon -79.3, lat 43.7) is")


def test_line_outside_the_boundary(tmp_path: Path) -> None:
    boundary = gpd.GeoDataFrame(geometry=[Point(-79.3937, 43.6633).buffer(0.01)], crs=4326)
    path = write(tmp_path, HEADER + 'l1,line,L,,,,,,,,,"LINESTRING(-79.30 43.70, -79.31 43.71)"\n')
    with pytest.raises(GeoInputError, match=r"row 1, column 'wkt': the place is outside"):
        read_duties(path, boundary=boundary)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"duties\.csv: the file is empty"),
        (HEADER, r"duties\.csv: the file has a header but no data rows"),
        (
            "id,name,lat,lon\np1,P,45.5,-122.6\n",
            r"duties\.csv: no kind column; expected post, "
            r"line or window .* columns are: 'id', 'name', 'lat', 'lon'",
        ),
        ("kind,name,lat,lon\npost,P,45.5,-122.6\n", r"duties\.csv: no duty_id column"),
        (
            "duty_id,kind,start,end\np1,post,17:00,18:00\n",
            r"duties\.csv: no place columns; "
            r"expected 'lat' and 'lon' for points or 'wkt' for lines",
        ),
    ],
)
def test_file_level_problems(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(GeoInputError, match=match):
        read_duties(write(tmp_path, text))


def test_a_geometry_geos_cannot_build_is_named_by_feature(tmp_path: Path) -> None:
    # A line of one point: GEOS refuses to build it while the file is read.
    path = tmp_path / "duties.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"duty_id": "ok", "kind": "post"},'
        ' "geometry": {"type": "Point", "coordinates": [-79.39, 43.66]}},'
        '{"type": "Feature", "properties": {"duty_id": "l1", "kind": "line"},'
        ' "geometry": {"type": "LineString", "coordinates": [[-79.39, 43.66]]}}]}',
        encoding="utf-8",
    )
    with pytest.raises(GeoInputError) as info:
        read_duties(path)
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (2, "geometry")
    assert "at least two points" in problem.message
