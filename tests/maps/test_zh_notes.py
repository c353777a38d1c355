"""Plan and staffing notes (English sentences written by geo and planner) in the reader's
language, by the patterns of :mod:`maps.catalog.notes`."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import sample
from maps.catalog.notes import PATTERNS, TEXTS
from maps.i18n import Translator, job_message, note_text
from tests.maps._named_plan import named_plan


def _fields(text: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(text) if f]


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_pattern_reads_its_own_english_sentence(key: str) -> None:
    """The English text of each key, with plain values, comes out as the key's Chinese text
    with the same values (so no pattern is shadowed by an earlier one)."""
    en, zh = TEXTS[key]["en"], TEXTS[key]["zh-CN"]
    values = {f: "7" for f in _fields(en)}
    english = en.format(**values)
    assert note_text(english, "zh-CN") == zh.format(**values)
    assert note_text(english, "en") == english


def test_the_patterns_cover_every_key() -> None:
    assert [k for k, _ in PATTERNS] == list(TEXTS)


def test_values_are_translated_where_the_catalogue_names_them() -> None:
    assert (
        note_text(
            "Risk in 16-24 uses decay-112d (the best simple method): 1 incident(s) in the "
            "validation weeks: too few to choose.",
            "zh-CN",
        )
        == "晚班（16:00–24:00）的风险采用 decay-112d（最佳简单方法）："
        "验证周内只有 1 起警情，不足以比选方法。"
    )
    assert (
        note_text(
            "Shift 16-24 is planned on the same 'day' risk with no timed task as shift 08-16: "
            "its curve is the same.",
            "zh-CN",
        )
        == "晚班（16:00–24:00）与白班（08:00–16:00）使用同一风险（全天），"
        "且都没有限时任务：覆盖曲线相同。"
    )
    assert "混编（车巡、步巡、骑巡）" in note_text(
        "Curve 'mixed' for 08-16 (all): each point is a plan by the routing planner (2 s, "
        "seed 0, at most 3000 iterations).",
        "zh-CN",
    )
    assert note_text(
        "Norm rates: 1.5 full-time per 1,000 residents, volunteers 8% of residents, pay 800 "
        "yuan per full-time member per month.",
        "zh-CN",
    ).endswith("专职人员每人每月经费 800 元。")
    proposed = note_text(
        "Proposed: 07-15 x3, 15-23 x4; risk-weighted presence 3.20 vs 2.90 (risk-weighted "
        "people on duty, capped at the need) (80% vs 70% of the hourly need met).",
        "zh-CN",
    )
    assert proposed.startswith("建议班次：早班（07:00–15:00） 3 人、晚班（15:00–23:00） 4 人；")
    assert note_text(
        "car: car travel times along streets of town.osm (1,336 nodes), points snapped to the "
        "nearest intersection",
        "zh-CN",
    ).startswith("车巡：按 town.osm 的道路计算车巡通行时间（1,336 个节点）")


def test_the_demo_plans_notes_are_all_translated() -> None:
    doc, _ = named_plan()
    notes = [*doc["notes"], *sample.load("portland-central").notes]
    assert notes
    left = [n for n in notes if note_text(n, "zh-CN") == n]
    assert left == []
    for note in notes:
        assert "{" not in note_text(note, "zh-CN")


def test_job_errors_fall_back_to_the_note_patterns() -> None:
    assert (
        job_message("interrupted by a service restart", "zh-CN") == "服务重启，任务中断；请重新提交"
    )
    assert Translator("zh-CN").note("file not found: a.csv") == "找不到文件：a.csv"
    assert Translator("en").note("file not found: a.csv") == "file not found: a.csv"
    assert note_text(None, "zh-CN") == ""


@given(st.text(max_size=200))
def test_any_text_is_returned_or_translated_never_an_error(text: str) -> None:
    assert note_text(text, "en") == text
    out = note_text(text, "zh-CN")
    assert isinstance(out, str)
    if not any(p.match(text) for _, p in PATTERNS) and "validation error" not in text:
        assert out == text
