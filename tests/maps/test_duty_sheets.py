"""Route sheets print the hours of duties as the duties file gave them, lines with their end.

The plan is :func:`tests.maps._duties.duty_bundle`: a post held 17:00-19:00, a school gate
15:15-15:45, a 12-minute line entered at 19:10 and a night post 23:30-00:30.
"""

from __future__ import annotations

import csv
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from maps.bundle import PlanBundle
from maps.i18n import Translator
from maps.sheets.csv import write_csv
from maps.sheets.gpx import gpx_document
from maps.sheets.pdf import pdf_bytes, write_pdf_sheets
from maps.sheets.rows import route_rows, row_cells
from maps.sheets.times import PlanClock
from maps.sheets.xlsx import write_xlsx
from tests.maps._duties import duty_bundle


@pytest.fixture(scope="module")
def duties(tmp_path_factory: pytest.TempPathFactory) -> PlanBundle:
    return duty_bundle(tmp_path_factory.mktemp("duties"))


def _table(bundle: PlanBundle, unit: str, lang: str = "en") -> dict[str, list[str]]:
    """``{place: row cells}`` of ``unit``'s sheet."""
    tr = Translator(lang)
    clock = PlanClock.for_bundle(bundle, tr)
    route = bundle.routes([unit])[0]
    return {row.place: row_cells(row, clock) for row in route_rows(bundle, route, tr)}


def _pdf_text(data: bytes, path: Path) -> str:
    """The PDF's text with every run of white space as one blank (table cells wrap)."""
    path.write_bytes(data)
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def _csv_rows(bundle: PlanBundle, path: Path, lang: str = "en") -> dict[str, dict[str, str]]:
    write_csv(bundle, path, lang=lang)
    tr = Translator(lang)
    with path.open(encoding="utf-8-sig") as fh:
        return {row[tr("sheet.col.place")]: row for row in csv.DictReader(fh)}


# ---- 1. a post's window is the hours it is held -------------------------------------------


def test_post_note_gives_the_hours_it_is_held(duties: PlanBundle) -> None:
    rows = _table(duties, "F1")
    post = rows["Queen's Park subway exit"]
    assert post[3:6] == ["17:00", "19:00", "2 h 00 min"]
    assert post[7] == "required; window 17:00–19:00"
    assert "17:00–17:00" not in post[7]


def test_school_gate_note_gives_the_file_window_not_the_latest_arrival(
    duties: PlanBundle,
) -> None:
    gate = _table(duties, "F1")["School gate (dismissal)"]
    assert gate[3:6] == ["15:20", "15:32", "12 min"]
    assert gate[7] == "window 15:15–15:45"  # the task's arrival window closes at 15:33


def test_night_post_window_ends_the_next_day(duties: PlanBundle) -> None:
    post = _table(duties, "N1", "zh-CN")["Night post College St"]
    assert post[3:5] == ["23:30", "次日00:30"]
    assert post[7] == "必巡; 时间窗 23:30–次日00:30"


def test_pdf_and_csv_print_the_post_hours(duties: PlanBundle, tmp_path: Path) -> None:
    text = _pdf_text(pdf_bytes(duties, generated_at=datetime(2024, 3, 5, 12)), tmp_path / "a.pdf")
    assert "window 17:00–19:00" in text and "window 15:15–15:45" in text
    assert "17:00–17:00" not in text
    zh = _pdf_text(pdf_bytes(duties, lang="zh-CN"), tmp_path / "zh.pdf")
    assert "时间窗 17:00–19:00" in zh
    rows = _csv_rows(duties, tmp_path / "r.csv")
    assert rows["Queen's Park subway exit"]["Notes"] == "required; window 17:00–19:00"


# ---- 3. a line is printed from where it is entered to its far end ---------------------------


def test_line_row_has_an_end_and_a_duration(duties: PlanBundle, tmp_path: Path) -> None:
    line = _table(duties, "F1")["St George St (College to Bloor)"]
    assert line[3:7] == ["19:10", "19:22", "12 min", "line patrol"]  # 900 m at 4.5 km/h
    assert line[7] == "window 18:00–23:00"
    rows = _csv_rows(duties, tmp_path / "r.csv")
    line_csv = rows["St George St (College to Bloor)"]
    assert (line_csv["Arrive"], line_csv["Leave"], line_csv["Dwell"]) == (
        "19:10",
        "19:22",
        "12 min",
    )
    assert line_csv["arrive_iso"] == "2024-03-05T19:10-05:00"
    assert line_csv["leave_iso"] == "2024-03-05T19:22-05:00"


def test_line_in_the_pdf_has_its_end(duties: PlanBundle, tmp_path: Path) -> None:
    text = _pdf_text(pdf_bytes(duties, units=["F1"]), tmp_path / "f1.pdf")
    assert "St George St (College to Bloor) 19:10 19:22 12 min line patrol" in text


def test_break_taken_where_a_line_starts_comes_before_the_line(tmp_path: Path) -> None:
    bundle = duty_bundle(tmp_path, line_break_first=True)
    tr = Translator("en")
    clock = PlanClock.for_bundle(bundle, tr)
    rows = [row_cells(r, clock) for r in route_rows(bundle, bundle.routes(["F1"])[0], tr)]
    places = [r[1] for r in rows]
    brk = places.index("Meal break 30 min")
    line = places.index("St George St (College to Bloor)")
    assert brk == line - 1
    assert rows[brk][3:5] == ["19:10", "19:40"]
    assert rows[line][3:6] == ["19:40", "19:52", "12 min"]


def test_gpx_description_of_a_line_has_its_end(duties: PlanBundle) -> None:
    doc = gpx_document(duties, units=["F1"])
    desc = next(w.description for w in doc.waypoints if "St George" in (w.name or ""))
    assert desc == "Arrive 19:10, Leave 19:22, Dwell 12 min, line patrol"


# ---- 4. the workbook holds times, minutes and kilometres as numbers --------------------------


def _unit_rows(ws: Any) -> dict[str, Any]:
    """``{place: row of cells}`` of a unit's worksheet (the place is in column B)."""
    return {row[1].value: row for row in ws.iter_rows() if isinstance(row[1].value, str)}


def test_xlsx_times_are_datetimes_with_a_clock_format(duties: PlanBundle, tmp_path: Path) -> None:
    wb = load_workbook(write_xlsx(duties, tmp_path / "r.xlsx"))
    f1 = _unit_rows(wb["F1"])
    post = f1["Queen's Park subway exit"]
    assert post[3].value == datetime(2024, 3, 5, 17, 0)
    assert post[4].value == datetime(2024, 3, 5, 19, 0)
    assert post[3].number_format == post[4].number_format == "hh:mm"
    assert post[5].value == 120 and post[5].number_format == '0" min"'
    assert post[7].value == "required; window 17:00–19:00"
    assert isinstance(post[8].value, float) and isinstance(post[9].value, float)
    line = f1["St George St (College to Bloor)"]
    assert (line[3].value, line[4].value) == (
        datetime(2024, 3, 5, 19, 10),
        datetime(2024, 3, 5, 19, 22),
    )
    assert line[5].value == 12
    night = _unit_rows(wb["N1"])["Night post College St"]
    assert night[4].value == datetime(2024, 3, 6, 0, 30)
    assert night[4].number_format == 'hh:mm" (+1)"'
    leave = _unit_rows(wb["N1"])["Leave Queen's Park base"]
    assert leave[3].value is None and leave[4].value == datetime(2024, 3, 5, 23, 0)


def test_xlsx_summary_sums_as_numbers(duties: PlanBundle, tmp_path: Path) -> None:
    wb = load_workbook(write_xlsx(duties, tmp_path / "r.xlsx", lang="zh-CN"))
    summary = wb["汇总"]
    f1 = next(r for r in summary.iter_rows() if r[0].value == "F1")
    assert f1[3].value == datetime(2024, 3, 5, 15, 0)
    assert f1[3].number_format == 'yyyy"年"m"月"d"日" hh:mm'
    assert f1[6].value == pytest.approx(3.456) and isinstance(f1[6].value, float)
    assert f1[6].number_format == '0.0"公里"'
    assert f1[7].value == 40 and f1[7].number_format == '0"分钟"'
    assert f1[8].value == 12 + 120  # the plan's time at stops (a line's walk is travel)
    night = _unit_rows(wb["N1"])["Night post College St"]
    assert night[4].number_format == '"次日"hh:mm'


# ---- every printed time goes through the wall clock of the plan's zone ---------------------


def test_times_in_the_skipped_hour_print_as_the_new_clock() -> None:
    # 2024-03-10 in Toronto: clocks go from 02:00 to 03:00; 02:30 on the wall does not exist.
    clock = PlanClock(date(2024, 3, 10), "America/Toronto", Translator("en"))
    assert clock.clock(2 * 3600 + 1800) == "03:30"
    assert clock.at(2 * 3600 + 1800).isoformat() == "2024-03-10T03:30:00-04:00"
    assert clock.span(23 * 3600, 24 * 3600 + 1800) == "23:00–00:30 (+1)"
    with pytest.raises(ValueError, match="unknown IANA time zone 'Mars/Base'"):
        PlanClock(date(2024, 3, 10), "Mars/Base", Translator("en"))


def test_sheets_render(duties: PlanBundle, tmp_path: Path, pdftoppm: str) -> None:
    for lang in ("en", "zh-CN"):
        path = write_pdf_sheets(duties, tmp_path / lang, lang=lang, per_unit=False)[0]
        subprocess.run(
            [
                pdftoppm,
                "-r",
                "40",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                str(path),
                str(path.with_suffix("")),
            ],
            check=True,
        )
        pngs = list(path.parent.glob("route_sheets-*.png"))
        assert pngs and pngs[0].stat().st_size > 2000
