"""The one-page staffing PDF: team sizes and people on duty per shift in two tables, shortage
and surplus as positive numbers, "no population data" instead of a norm of 0; rendered to PNG
and read back as text."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from maps.errors import MapInputError
from maps.i18n import Translator
from maps.staffing import StaffingInput, staffing_page_input, write_staffing_pdf
from maps.staffing.page import _names, shift_rows, team_rows
from planner.staffing import StaffingResult, build_proposal
from tests.planner.staffing.curves import curve, norms

EN, ZH = Translator("en"), Translator("zh-CN")


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _render(pdftoppm: str, path: Path) -> list[Path]:
    subprocess.run([pdftoppm, "-r", "40", "-png", str(path), str(path.with_suffix(""))], check=True)
    pngs = sorted(path.parent.glob(path.stem + "-*.png"))
    assert pngs and all(p.stat().st_size > 2000 for p in pngs)
    return pngs


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Staffing by area", "Team size", "On duty per shift", "Shortage", "Surplus")),
        ("zh-CN", ("巡防力量配置", "队伍规模", "各班次在岗人数", "缺口", "富余")),
    ],
)
def test_staffing_page(
    result: StaffingResult, tmp_path: Path, pdftoppm: str, lang: str, words: tuple[str, ...]
) -> None:
    path = write_staffing_pdf(staffing_page_input(result), tmp_path / f"s_{lang}.pdf", lang=lang)
    assert len(PdfReader(path).pages) == 1
    _render(pdftoppm, path)
    text = _text(path)
    for word in (*words, "Hand district", "Area a", "12,000"):
        assert word in text, word
    assert "Gap" not in text


def test_totals_never_add_people_per_shift_to_people_per_week(result: StaffingResult) -> None:
    page = staffing_page_input(result)
    # Team rows: the district (all areas) and each area; nothing adds them up again.
    teams = team_rows(page, EN)
    assert [r[0] for r in teams] == ["District (all areas)", "Area a", "Area c"]
    assert teams[0][2] == "21"  # 18 + 3, the district's norm, shown once
    # Shift rows, then the district's per-day total of its two shifts only.
    rows = shift_rows(page, EN)
    assert [total for _, total in rows] == [False, False, True]
    per_day = rows[-1][0]
    assert per_day == ["District (all areas)", "Per day (all shifts)", "4", "5", "2", "3"]
    # The old single total added norms of the district and its areas (42), shift and team
    # workloads (1 + 3 + 6 = 10) and shift and team staff (4 + 1 + 5 = 10).
    cells = [c for r in teams for c in r] + [c for r, _ in rows for c in r]
    assert "42" not in cells and "10" not in cells


def test_per_day_total_only_when_every_shift_is_known(result: StaffingResult) -> None:
    page = staffing_page_input(result)
    shifts = page.shifts.copy()
    shifts.loc[0, ["current", "shortage", "surplus"]] = pd.NA
    partial = StaffingInput(page.teams, shifts, page.coverage)
    per_day = shift_rows(partial, EN)[-1][0]
    assert per_day[2:] == ["4", "–", "–", "–"]


def test_shortage_is_positive_under_its_own_heading(result: StaffingResult) -> None:
    page = staffing_page_input(result)
    team = team_rows(page, EN)[0]
    assert team[6:] == ["16", "0"]  # 21 required, 5 now: 16 short
    rows = {r[0][1]: r[0] for r in shift_rows(page, EN)}
    assert rows["08-16"][4:] == ["0", "3"]  # 1 needed, 4 on duty: 3 more than needed
    assert rows["16-24"][4:] == ["2", "0"]  # 3 needed, 1 on duty: 2 short
    assert EN("staff.col.shortage") == "Shortage" and ZH("staff.col.shortage") == "缺口"
    assert EN("staff.col.surplus") == "Surplus" and ZH("staff.col.surplus") == "富余"


def test_negative_shortage_is_refused(result: StaffingResult) -> None:
    page = staffing_page_input(result)
    teams = page.teams.copy()
    teams.loc[0, "shortage"] = -16
    with pytest.raises(MapInputError, match=r"teams: column 'shortage' must be >= 0"):
        StaffingInput(teams, page.shifts, page.coverage)


@pytest.mark.parametrize(("tr", "said"), [(EN, "no population data"), (ZH, "无人口数据")])
def test_unknown_population_is_said_never_zero(
    unknown_population: StaffingResult, tr: Translator, said: str
) -> None:
    page = staffing_page_input(unknown_population)
    teams = team_rows(page, tr)
    assert len(teams) == 1  # areas a and b carry nothing: left out, and named in a note
    district = teams[0]
    assert district[1] == said
    assert district[2] == "–"  # no norm, and not 0
    assert district[3:6] == ["6", "6", "5"]  # workload team 4 x 7 / 5 decides
    assert page.left_out == ("Area a", "Area b")


def test_unknown_population_on_the_page(
    unknown_population: StaffingResult, tmp_path: Path, pdftoppm: str
) -> None:
    for lang, said in (("en", "no population data"), ("zh-CN", "无人口数据")):
        path = tmp_path / f"u_{lang}.pdf"
        write_staffing_pdf(staffing_page_input(unknown_population), path, lang=lang)
        _render(pdftoppm, path)
        text = _text(path)
        assert said in text
        assert "Area a" in text  # in the note of areas left out, not as a row of blanks


def test_staffing_input_is_checked(result: StaffingResult) -> None:
    page = staffing_page_input(result)
    with pytest.raises(MapInputError, match=r"shifts: missing columns \['surplus'\]"):
        StaffingInput(page.teams, page.shifts.drop(columns="surplus"), page.coverage)
    bad = pd.DataFrame({"units": [1], "risk_share": [1.5]})
    with pytest.raises(MapInputError, match=r"risk_share must lie in 0\.\.1"):
        StaffingInput(page.teams, page.shifts, bad)


def test_missing_workload_says_why_and_long_lists_are_cut() -> None:
    twenty = {str(i): None for i in range(20)}
    proposal = build_proposal(
        norms(twenty), [curve("08-16", [0.2, 0.4]), curve("16-24", [0.9])], ["08-16", "16-24"]
    )
    page = staffing_page_input(StaffingResult(proposal, "Many", None, proposal.notes, {}))
    assert len(page.teams) == 0  # no population, workload incomplete: nothing to show
    rows = [cells for cells, _ in shift_rows(page, ZH)]
    assert rows[0][2] == "未达到覆盖目标" and rows[1][2] == "1"
    assert rows[2][2] == "–"  # a per-day total of a shift without workload would mislead
    assert _names(page.left_out, EN) == ", ".join(f"Area {i}" for i in range(12)) + " and 8 more"
