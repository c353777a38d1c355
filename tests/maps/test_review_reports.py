"""The review reports: the plan review's JSON, PDF (English and Chinese) and workbook; the
monthly evaluation's files and its history."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from geo.review import MonthlyOptions, evaluate_month
from maps.bundle import PlanBundle
from maps.review import plan_review_document, read_history, write_history, write_monthly
from maps.review.drawing import plan_vs_actual_png
from maps.review.monthly_report import HistoryFileError, monthly_document
from maps.review.plan_report import plan_review_pdf, plan_review_xlsx
from planner.review import review_plan
from tests.geo.test_hotspots_trends import ESCALATION, _areas, _monthly_incidents
from tests.tracksim import (
    CRS,
    PLAN_DATE,
    TIMEZONE,
    TrackSimOptions,
    grid_cells,
    grid_plan,
    simulate_tracks,
)


@pytest.fixture(scope="module")
def reviewed() -> tuple:
    plan, tasks, units, stations = grid_plan(units=2, stops=5, seed=4)
    tracks = simulate_tracks(plan, stations, TrackSimOptions(seed=4, skip_share=0.3, bad_fixes=0))
    bundle = PlanBundle(
        crs=CRS,
        district="Test grid",
        plan_date=PLAN_DATE,
        timezone=TIMEZONE,
        cells=grid_cells(),
        plan=plan,
        tasks=tasks,
        units=units,
        shift="16-24",
    )
    review = review_plan(plan, tasks, units, grid_cells(), tracks.fixes)
    return bundle, review, tracks


def test_the_json_document_has_units_and_stops(reviewed: tuple) -> None:
    bundle, review, tracks = reviewed
    doc = plan_review_document(review, bundle, plan_path="plan.json", tracks=["t.gpx"])
    assert doc["format"] == "gridpatrol-plan-review"
    units = {u["unit_id"]: u for u in doc["units"]}
    assert set(units) == {"U1", "U2"}
    truth = tracks.truth.groupby("unit_id")["visited"].sum()
    for unit, entry in units.items():
        assert entry["stops_planned"] == 5 and entry["stops_visited"] == int(truth[unit])
    assert all(isinstance(s["visited"], bool) for s in doc["stops"])
    first = next(s for s in doc["stops"] if s["visited"])
    # times as wall seconds and as ISO 8601 with the offset of the plan's zone (PST in March 5)
    assert first["arrive"].endswith("-08:00") and first["planned_arrive"].startswith(
        "2024-03-05T16"
    )
    json.dumps(doc, allow_nan=False)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_pdf_and_workbook_in_both_languages(reviewed: tuple, lang: str) -> None:
    bundle, review, tracks = reviewed
    doc = plan_review_document(review, bundle)
    png = plan_vs_actual_png(bundle, review.stops, tracks.fixes, lang=lang)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = PdfReader(io.BytesIO(plan_review_pdf(review, bundle, doc, png, lang=lang)))
    text = "".join(page.extract_text() for page in pdf.pages)
    if lang == "zh-CN":
        assert "巡逻计划执行点评" in text and "漏巡点位" in text and "实到点位" in text
    else:
        assert "Plan review: Test grid" in text and "Missed stops" in text
    book = load_workbook(io.BytesIO(plan_review_xlsx(review, bundle, lang=lang)))
    assert book.sheetnames[1:] == ["stops", "posts", "presence"]
    assert book["stops"].max_row == 1 + len(review.stops)


def test_the_monthly_files_and_the_history(tmp_path: Path) -> None:
    incidents, areas = _monthly_incidents(ESCALATION), _areas()
    opts = MonthlyOptions(basis="mom", notice_top=2)
    history = tmp_path / "history.json"
    for month in ("2023-12", "2024-01"):
        ev = evaluate_month(incidents, areas, month, options=opts, history=read_history(history))
        write_history(history, ev)
    assert read_history(history) == {"2023-12": ("B", "A"), "2024-01": ("A", "C")}
    ev = evaluate_month(incidents, areas, "2024-02", options=opts, history=read_history(history))
    assert ev.notes == ()  # both earlier months came from the history
    doc = monthly_document(ev, district="Test")
    row = next(a for a in doc["areas"] if a["area_id"] == "A")
    assert row["flags"] == ["notice", "rectify", "yellow_card"] and row["rank"] == 2
    assert {"area_id", "count", "count_last_year", "change_pct", "rank", "flags"} <= set(row)
    paths = write_monthly(ev, areas, tmp_path / "out", district="Test")
    zh = "".join(p.extract_text() for p in PdfReader(paths["pdf_zh-CN"]).pages).replace("\n", "")
    assert "每月考评" in zh and "黄牌警告" in zh and "限期整改" in zh
    en = " ".join(p.extract_text() for p in PdfReader(paths["pdf_en"]).pages).replace("\n", " ")
    assert "yellow card" in en and "Named in the monthly bulletin" in en
    assert load_workbook(paths["xlsx_en"]).sheetnames == ["2024-02", "quarter", "year"]


def test_a_broken_history_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(HistoryFileError, match="not a JSON history file"):
        read_history(path)
    path.write_text('{"format": "gridpatrol-plan"}', encoding="utf-8")
    with pytest.raises(HistoryFileError, match="not a gridpatrol monthly history"):
        read_history(path)
    assert read_history(tmp_path / "new.json") == {}


def test_the_weekly_pack(reviewed: tuple, tmp_path: Path) -> None:
    from geo.review.weekly import evaluate_week
    from maps.review.weekly_report import DayReview, weekly_document, write_weekly

    bundle, review, _ = reviewed
    incidents = _monthly_incidents({"A": {"2024-03": 3}, "B": {"2024-02": 2}})
    week = evaluate_week(incidents, _areas(), "2024-W10")  # the 10th of March is in W10
    days = [DayReview(bundle=bundle, review=review)]
    doc = weekly_document(week, days, district="Test")
    assert doc["hotspots"]["new"] == ["A"]
    assert doc["days"][0]["stops_planned"] == len(review.stops)
    assert {u["unit_id"] for u in doc["units"]} == {"U1", "U2"}
    paths = write_weekly(week, days, tmp_path, district="Test")
    zh = "".join(p.extract_text() for p in PdfReader(paths["pdf_zh-CN"]).pages).replace("\n", "")
    assert "每周点评" in zh and "新增热点" in zh and "本周巡逻计划执行情况" in zh
    assert "units" in load_workbook(paths["xlsx_en"]).sheetnames


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_stops_are_named_as_the_route_sheets_name_them(reviewed: tuple, lang: str) -> None:
    from dataclasses import replace

    from geo.naming import Place
    from maps.i18n import Translator
    from maps.sheets.places import place_text

    bundle, review, _ = reviewed
    first, *rest = [str(t) for t in review.stops["task_id"]]
    names = (("zh-CN", "street", "长安街"), ("zh-CN", "crossing", "王府井大街"))
    place = Place(street="Chang'an Avenue", crossing="Wangfujing Street", names=names)
    named = replace(bundle, places={first: place})
    book = load_workbook(io.BytesIO(plan_review_xlsx(review, named, lang=lang)))
    sheet = book["stops"]
    heads = [c.value for c in sheet[1]]
    column = heads.index(Translator(lang)("review.col.place"))
    labels = {str(r[column]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    expected = place_text(place, Translator(lang), "unused")
    assert expected in labels and ("长安街" in expected) == (lang == "zh-CN")
    # stops the plan file names nothing for keep the planner's label
    kept = set(review.stops.loc[review.stops["task_id"].astype(str).isin(rest), "label"])
    assert kept <= labels
