"""A staffing run's table, summary and files: the same numbers in the CSV, XLSX, JSON and PDF;
every file written to a folder or made as bytes for the service."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from maps.staffing import (
    STAFFING_COLUMNS,
    STAFFING_FILES,
    staffing_files,
    staffing_summary,
    staffing_table,
    write_staffing_outputs,
)
from planner.staffing import DISTRICT, TEAM, StaffingResult

OUTPUT_KEYS = {
    "staffing_csv",
    "curves_csv",
    "curves_png",
    "shifts_csv",
    "staffing_xlsx",
    "staffing_pdf_en",
    "staffing_pdf_zh-CN",
    "roster_csv",
    "roster_xlsx",
    "summary",
}


def test_table_has_shortage_and_surplus_never_a_negative_gap(result: StaffingResult) -> None:
    table = staffing_table(result)
    assert list(table.columns) == list(STAFFING_COLUMNS)
    assert "gap" not in table.columns
    rows = table.set_index(["area_id", "shift"])
    assert rows.loc[(DISTRICT, TEAM), "shortage"] == 16
    assert rows.loc[(DISTRICT, TEAM), "surplus"] == 0
    assert rows.loc[(DISTRICT, "08-16"), "surplus"] == 3
    assert rows.loc[(DISTRICT, "16-24"), "shortage"] == 2
    assert (table["shortage"].dropna() >= 0).all() and (table["surplus"].dropna() >= 0).all()


def test_table_says_what_each_row_counts(result: StaffingResult) -> None:
    table = staffing_table(result)
    per = dict(zip(table["shift"], table["headcount_per"], strict=False))
    assert per == {"08-16": "shift", "16-24": "shift", TEAM: "week"}
    on_duty = table[table["headcount_per"] == "shift"]
    assert int(on_duty["required"].sum()) == 4  # people on duty per day
    assert result.proposal.daily_headcount() == 4


def test_unknown_population_is_empty_never_zero(unknown_population: StaffingResult) -> None:
    table = staffing_table(unknown_population)
    team = table[table["shift"] == TEAM]
    assert list(team["area_id"]) == [DISTRICT]  # the areas carried nothing: left out
    assert team["population"].isna().all() and team["norm_fulltime"].isna().all()
    assert "no population data" in team["basis"].iloc[0]
    summary = staffing_summary(unknown_population)
    assert summary["norms"]["fulltime"] is None
    assert summary["norms"]["population"] is None
    assert summary["norms"]["areas_left_out"] == ["Area a", "Area b"]


def test_summary_is_json_without_paths(result: StaffingResult) -> None:
    summary = staffing_summary(result)
    json.dumps(summary, allow_nan=False)  # plain JSON: no NaN, dates or numpy values
    assert "outputs" not in summary
    team = next(r for r in summary["district_rows"] if r["shift"] == TEAM)
    assert (team["headcount_per"], team["shortage"], team["surplus"]) == ("week", 16, 0)
    assert summary["people_on_duty_per_day"] == 4
    assert summary["norms"]["fulltime"] == 21


def test_write_staffing_outputs(proposed: StaffingResult, tmp_path: Path) -> None:
    out = write_staffing_outputs(proposed, tmp_path / "out", title="Small")
    assert set(out) == OUTPUT_KEYS
    for key, path in out.items():
        assert Path(path).is_file() and Path(path).stat().st_size > 0, key
    table = pd.read_csv(out["staffing_csv"], encoding="utf-8-sig", dtype={"area_id": str})
    assert list(table.columns) == list(STAFFING_COLUMNS)
    assert set(pd.ExcelFile(out["staffing_xlsx"]).sheet_names) == {
        "staffing",
        "coverage curves",
        "shifts by hour",
        "notes",
    }
    written = json.loads(Path(out["summary"]).read_text(encoding="utf-8"))
    assert written["outputs"] == out
    assert {k: v for k, v in written.items() if k != "outputs"} == json.loads(
        json.dumps(staffing_summary(proposed))
    )
    assert "Small" in (PdfReader(out["staffing_pdf_en"]).pages[0].extract_text() or "")


def test_service_files_are_the_written_files(proposed: StaffingResult, tmp_path: Path) -> None:
    files = staffing_files(proposed, title="Small")
    assert set(files) == {"pdf_en", "pdf_zh-CN", "png", "xlsx", "csv"}
    for name, (media, data) in files.items():
        assert media == STAFFING_FILES[name][1]
        assert data, name
    assert files["pdf_en"][1].startswith(b"%PDF")
    assert files["png"][1].startswith(b"\x89PNG")
    assert files["xlsx"][1].startswith(b"PK")
    out = write_staffing_outputs(proposed, tmp_path, title="Small")
    assert files["csv"][1] == Path(out["staffing_csv"]).read_bytes()
    sheet = pd.read_excel(io.BytesIO(files["xlsx"][1]), sheet_name="staffing")
    assert list(sheet.columns) == list(STAFFING_COLUMNS)


def test_without_shifts_or_roster_those_files_are_not_written(
    result: StaffingResult, tmp_path: Path
) -> None:
    out = write_staffing_outputs(result, tmp_path)
    assert set(out) == OUTPUT_KEYS - {"shifts_csv", "roster_csv", "roster_xlsx"}
    assert not (tmp_path / "roster.csv").exists()


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_pdf_shows_the_shortage_of_the_table(
    proposed: StaffingResult, tmp_path: Path, lang: str
) -> None:
    out = write_staffing_outputs(proposed, tmp_path)
    text = PdfReader(out[f"staffing_pdf_{lang}"]).pages[0].extract_text() or ""
    evening = next(r for r in proposed.proposal.rows if r.area_id == DISTRICT and not r.is_team)
    assert evening.current == 0 and evening.shortage == evening.workload_people
    assert f"-{evening.shortage}" not in text
