"""``gridpatrol staffing`` end to end on the Toronto sample, and its CSV readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli.staffing  # noqa: F401  (registers the command)
from api.cli.app import app
from api.staffing_inputs import (
    StaffingInputError,
    read_current_csv,
    read_people_csv,
    read_population_csv,
)


@pytest.mark.slow
def test_staffing_command_writes_every_output(tmp_path: Path) -> None:
    pop = tmp_path / "population.csv"
    pop.write_text("area_id,population\n170,12000\n079,\n169,2000\n", encoding="utf-8")
    current = tmp_path / "current.csv"
    current.write_text("area_id,shift,people\nall,16-24,2\nall,team,5\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "staffing",
            "--sample",
            "toronto-uoft",
            "--out",
            str(out),
            "--fleet",
            "foot",
            "--max-units",
            "2",
            "--time-limit",
            "0.5",
            "--population",
            str(pop),
            "--current",
            str(current),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["norms"]["fulltime"] == 18 + 3
    assert summary["norms"]["areas_without_population"] == 1
    for key in ("staffing_csv", "staffing_xlsx", "curves_csv", "curves_png", "roster_csv"):
        assert Path(summary["outputs"][key]).exists(), key
    evening = next(r for r in summary["district_rows"] if r["shift"] == "16-24")
    assert evening["current"] == 2
    if evening["workload_people"] is not None:
        assert evening["gap"] == 2 - evening["workload_people"]
    assert summary["shifts"]["has_hourly_profile"] is True
    assert any("Officer 01" in n for n in summary["notes"])
    table = (out / "staffing.csv").read_text(encoding="utf-8-sig")
    assert table.startswith("area_id,area,shift,population,norm_fulltime")


def test_people_reader_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "person_id,name,days_off\nA1,Li Wei,Sat;Sun\nA2,Wang Fang,Funday\nA1,Dup,\n",
        encoding="utf-8",
    )
    with pytest.raises(StaffingInputError) as info:
        read_people_csv(path)
    text = str(info.value)
    assert "row 2, column 'days_off': 'Funday'" in text
    assert "row 3, column 'person_id': 'A1' already used in row 1" in text
    assert str(path) in text


def test_people_reader_days_off(tmp_path: Path) -> None:
    from datetime import date

    path = tmp_path / "people.csv"
    path.write_text("person_id,name,days_off\nA1,Li Wei,Sat;Sun\nA2,Wang,0 3\n", encoding="utf-8")
    people = read_people_csv(path, start_date=date(2024, 6, 5))  # a Wednesday
    assert people[0].days_off == frozenset({3, 4})
    assert people[1].days_off == frozenset({0, 3})


def test_current_and_population_readers(tmp_path: Path) -> None:
    cur = tmp_path / "current.csv"
    cur.write_text("area_id,shift,people\nall,08-16,x\n", encoding="utf-8")
    with pytest.raises(StaffingInputError, match="row 1, column 'people'"):
        read_current_csv(cur)
    pop = tmp_path / "pop.csv"
    pop.write_text("area,population\n", encoding="utf-8")
    with pytest.raises(StaffingInputError, match="missing column"):
        read_population_csv(pop)
