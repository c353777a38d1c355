"""``gridpatrol staffing`` end to end on the Toronto sample, what it prints, and its CSV
readers."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from api.cli.app import app
from api.cli.staffing import _print_summary
from api.staffing_inputs import (
    StaffingInputError,
    read_current_csv,
    read_people_csv,
    read_population_csv,
)
from maps.staffing import staffing_summary
from tests.planner.staffing.curves import hand_result


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
    # 079 has no population, no curve of its own and no staff now: no row, but named.
    assert summary["norms"]["areas_left_out"] == ["University"]
    evening = next(r for r in summary["district_rows"] if r["shift"] == "16-24")
    assert evening["current"] == 2 and evening["headcount_per"] == "shift"
    needed = evening["workload_people"]
    if needed is not None:
        assert evening["shortage"] == max(needed - 2, 0)
        assert evening["surplus"] == max(2 - needed, 0)
    team = next(r for r in summary["district_rows"] if r["shift"] == "team (week)")
    # 21 required by the norm (18 + 3), 5 on the team now: 16 short, shown as 16.
    assert (team["required"], team["current"]) == (21, 5)
    assert (team["shortage"], team["surplus"]) == (16, 0)
    assert summary["shifts"]["has_hourly_profile"] is True
    assert any("Officer 01" in n for n in summary["notes"])
    table = (out / "staffing.csv").read_text(encoding="utf-8-sig")
    assert table.startswith("area_id,area,shift,headcount_per,population,norm_fulltime")
    assert ",gap," not in table.splitlines()[0]
    for key in ("staffing_pdf_en", "staffing_pdf_zh-CN", "summary"):
        assert Path(summary["outputs"][key]).exists(), key


def _printed(summary: dict[str, Any]) -> str:
    con = Console(record=True, width=200, file=io.StringIO())
    _print_summary(con, summary)
    return con.export_text()


def test_print_shows_a_shortage_as_a_positive_number() -> None:
    summary = {**staffing_summary(hand_result()), "outputs": {"staffing_csv": "x.csv"}}
    text = _printed(summary)
    assert "shortage" in text and "surplus" in text and "gap" not in text
    assert re.search(r"(?<![\w-])-\d", text) is None  # no negative number (08-16 is a shift)
    assert "current 5; shortage 16, surplus 0" in text  # the team: 21 required, 5 now
    evening = next(line for line in text.splitlines() if "16-24" in line)
    cells = [c.strip() for c in evening.strip("│ ").split("│")]
    assert cells == ["16-24", "foot 3", "3", "1", "2", "0"]  # 3 needed, 1 on duty: 2 short
    assert "people on duty per day (all shifts): 4" in text


def test_print_says_no_population_data_never_zero() -> None:
    summary = {
        **staffing_summary(hand_result({"a": None, "b": None})),
        "outputs": {},
    }
    text = _printed(summary)
    assert "none of the 2 areas has population data" in text
    assert "norm: no population data" in text
    assert "norm 0" not in text


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
