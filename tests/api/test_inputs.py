"""Tests of :mod:`api.inputs`: the units file and per-mode unit counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.inputs import read_units, units_from_counts
from geo.errors import GeoInputError
from geo.hotspots import DEFAULT_BANDS
from geo.network.modes import Mode
from planner.units import Break

STATIONS = ("central", "lloyd")
HEADER = "unit_id,mode,station,shift_start,shift_end,break_earliest,break_latest,break_min\n"
EVENING = DEFAULT_BANDS[1]  # 16-24


def write(tmp_path: Path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- read_units


def test_units_file_happy_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "unit_id,mode,start_station,end_station,shift_start,shift_end,break_earliest,"
        "break_latest,break_min,skills,crew\n"
        "C1,车巡,central,lloyd,22:00,06:00,01:00,03:00,30,outer; k9,\n"
        "F1,walk,lloyd,,16:00,24:00,19:00,21:00,45,,\n"
        "B1,Bike,central,,0800,1600,,,,,3\n",
    )
    car, foot, bike = read_units(path, stations=STATIONS)
    assert (car.unit_id, car.mode, car.crew) == ("C1", Mode.CAR, 2)
    assert (car.start_station, car.end_station) == ("central", "lloyd")
    assert (car.shift_start_s, car.shift_end_s) == (79_200, 108_000)
    assert car.breaks == (Break(90_000, 97_200, 1_800),)
    assert car.skills == frozenset({"outer", "k9"})
    assert (foot.mode, foot.crew, foot.end_station) == (Mode.FOOT, 1, "lloyd")
    assert (foot.shift_start_s, foot.shift_end_s) == (57_600, 86_400)
    assert foot.breaks == (Break(68_400, 75_600, 2_700),)
    assert (bike.mode, bike.crew, bike.breaks, bike.skills) == (Mode.BICYCLE, 3, (), frozenset())
    assert (bike.shift_start_s, bike.shift_end_s) == (28_800, 57_600)


def test_break_after_midnight_in_a_night_shift(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "N1,foot,central,20:00,04:00,23:30,00:30,30\n")
    (unit,) = read_units(path, stations=STATIONS)
    assert unit.breaks == (Break(84_600, 88_200, 1_800),)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (
            "C1,boat,central,16:00,24:00,,,",
            r"row 1, column 'mode': unknown mode; expected foot, bicycle or car .* \(got 'boat'\)",
        ),
        ("C1,,central,16:00,24:00,,,", r"row 1, column 'mode': mode is missing"),
        (
            "C1,car,harbour,16:00,24:00,,,",
            r"row 1, column 'station': unknown station; expected one of: central, lloyd "
            r"\(got 'harbour'\)",
        ),
        ("C1,car,,16:00,24:00,,,", r"row 1, column 'station': no station"),
        (
            "C1,car,central,4pm,24:00,,,",
            r"row 1, column 'shift_start': unparseable time of day; expected a time of day "
            r"HH:MM.*\(got '4pm'\)",
        ),
        ("C1,car,central,16:00,,,,", r"row 1, column 'shift_end': the shift time is missing"),
        (
            "C1,car,central,02:00,30:00,,,",
            r"row 1, column 'shift_end': the shift 02:00-06:00 \(next day\) is longer than 24 "
            r"hours",
        ),
        (
            "C1,car,central,16:00,24:00,15:00,17:00,30",
            r"row 1, column 'break_earliest': the break time is outside the shift "
            r"16:00-00:00 \(next day\); expected a time inside it \(got '15:00'\)",
        ),
        (
            "C1,car,central,16:00,24:00,20:00,23:45,30",
            r"row 1, column 'break_latest': a 30 min break starting at 23:45 ends after the "
            r"shift 16:00-00:00 \(next day\)",
        ),
        (
            "C1,car,central,16:00,24:00,21:00,19:00,30",
            r"row 1, column 'break_latest': the break window ends \(19:00\) before it starts "
            r"\(21:00\)",
        ),
        (
            "C1,car,central,16:00,24:00,19:00,21:00,",
            r"row 1, column 'break_min': a break window is given without its length",
        ),
        (
            "C1,car,central,16:00,24:00,19:00,,30",
            r"row 1, column 'break_latest': the break has a length but this end of its window "
            r"is missing",
        ),
        (
            "C1,car,central,16:00,24:00,19:00,21:00,-10",
            r"row 1, column 'break_min': negative break length.*\(got '-10'\)",
        ),
        ("C1,car,central,16:00,24:00,19:00,21:00,half", r"row 1, column 'break_min': not a number"),
        (",car,central,16:00,24:00,,,", r"row 1, column 'unit_id': unit_id is missing"),
    ],
)
def test_bad_units_name_file_row_and_column(tmp_path: Path, row: str, match: str) -> None:
    path = write(tmp_path, HEADER + row + "\n")
    with pytest.raises(GeoInputError, match=r"units\.csv, " + match):
        read_units(path, stations=STATIONS)


@pytest.mark.parametrize("crew", ["0", "-1", "1.5", "two"])
def test_crew_must_be_a_whole_number_of_at_least_one(tmp_path: Path, crew: str) -> None:
    path = write(
        tmp_path,
        f"unit_id,mode,station,shift_start,shift_end,crew\nC1,car,central,16:00,24:00,{crew}\n",
    )
    with pytest.raises(GeoInputError, match=r"units\.csv, row 1, column 'crew': "):
        read_units(path, stations=STATIONS)


def test_duplicate_ids_and_every_problem_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "C1,car,central,16:00,24:00,,,\n"
        "C1,boat,harbour,16:00,24:00,,,\n"
        "F1,foot,central,25:99,24:00,,,\n",
    )
    with pytest.raises(GeoInputError, match=r"units\.csv cannot be used as units") as excinfo:
        read_units(path, stations=STATIONS)
    assert [(p.row, p.column) for p in excinfo.value.problems] == [
        (2, "unit_id"),
        (2, "mode"),
        (2, "station"),
        (3, "shift_start"),
    ]
    assert "(first used in row 1)" in str(excinfo.value.problems[0])


def test_unknown_end_station_is_reported_once_per_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "unit_id,mode,start_station,end_station,shift_start,shift_end\n"
        "C1,car,nowhere,,16:00,24:00\n"
        "C2,car,central,elsewhere,16:00,24:00\n",
    )
    with pytest.raises(GeoInputError) as excinfo:
        read_units(path, stations=STATIONS)
    assert [(p.row, p.column, p.value) for p in excinfo.value.problems] == [
        (1, "start_station", "nowhere"),
        (2, "end_station", "elsewhere"),
    ]


@pytest.mark.parametrize(
    ("text", "name", "match"),
    [
        ("", "units.csv", r"units\.csv: the file is empty"),
        (HEADER, "units.csv", r"units\.csv: the file has a header but no data rows"),
        (
            "unit_id,station\nC1,central\n",
            "units.csv",
            r"units\.csv: no mode column(.|\n)*no shift_start column(.|\n)*no shift_end column",
        ),
        (
            "unit_id,mode,shift_start,shift_end\nC1,car,16:00,24:00\n",
            "units.csv",
            r"units\.csv: no station column; expected 'station' \(or 'start_station'",
        ),
        ("{}", "units.json", r"units\.json: cannot read a \.json file as units; expected a CSV"),
    ],
)
def test_file_level_problems(tmp_path: Path, text: str, name: str, match: str) -> None:
    with pytest.raises(GeoInputError, match=match):
        read_units(write(tmp_path, text, name), stations=STATIONS)


# --------------------------------------------------------------------------- units_from_counts


def test_units_from_counts_with_synonyms() -> None:
    units = units_from_counts("vehicle=2, walk=1; bike=0", STATIONS, EVENING)
    assert [(u.unit_id, u.mode, u.crew) for u in units] == [
        ("C1", Mode.CAR, 2),
        ("C2", Mode.CAR, 2),
        ("F1", Mode.FOOT, 1),
    ]
    assert [u.start_station for u in units] == ["central", "lloyd", "central"]
    assert all((u.shift_start_s, u.shift_end_s) == (57_600, 86_400) for u in units)


def test_units_from_counts_default_spec() -> None:
    units = units_from_counts("car=3,foot=3,bicycle=2", STATIONS, EVENING)
    assert sum(u.mode is Mode.BICYCLE for u in units) == 2 and len(units) == 8


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("car=3,boat=2", r"unit counts: unknown mode 'boat' in 'boat=2'; expected foot"),
        ("car=3,foot", r"unit counts: 'foot' is not mode=count; expected e\.g\. car=3"),
        ("car=x", r"unit counts: count 'x' in 'car=x' is not a whole number >= 0"),
        ("car=-1", r"unit counts: count '-1' in 'car=-1' is not a whole number"),
        ("car=1,vehicle=2", r"car is given twice \('car=1' and 'vehicle=2'\)"),
        ("car=0,foot=0", r"no units: 'car=0,foot=0' asks for none"),
        ("", r"no units: '' asks for none"),
    ],
)
def test_units_from_counts_errors_name_the_bad_part(spec: str, match: str) -> None:
    with pytest.raises(GeoInputError, match=match):
        units_from_counts(spec, STATIONS, EVENING)


def test_units_from_counts_collects_every_bad_part() -> None:
    with pytest.raises(GeoInputError) as excinfo:
        units_from_counts("car=x,boat=1,foot", STATIONS, EVENING)
    assert len(excinfo.value.problems) == 3


def test_units_from_counts_needs_stations() -> None:
    with pytest.raises(GeoInputError, match=r"no stations for the units to start from"):
        units_from_counts("car=1", (), EVENING)
