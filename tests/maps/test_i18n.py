"""The message catalogue and locale formats."""

from __future__ import annotations

import string
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from maps.i18n import (
    Translator,
    check_lang,
    format_clock,
    format_date,
    format_datetime,
    format_distance,
    format_duration,
    format_local_clock,
    format_local_datetime,
    mark_day,
)
from maps.messages import LANGUAGES, MESSAGES


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_key_has_every_language_with_the_same_fields() -> None:
    problems = []
    for key, texts in MESSAGES.items():
        missing = [lang for lang in LANGUAGES if not texts.get(lang)]
        if missing:
            problems.append(f"{key}: missing {missing}")
            continue
        if len({frozenset(_fields(texts[lang])) for lang in LANGUAGES}) != 1:
            problems.append(f"{key}: fields differ between languages")
        extra = set(texts) - set(LANGUAGES)
        if extra:
            problems.append(f"{key}: unknown languages {extra}")
    assert not problems, problems


def test_chinese_labels_are_chinese() -> None:
    tr = Translator("zh-CN")
    assert tr("word.unit") == "巡组"
    assert tr("sheet.title") == "巡逻路线单"
    assert tr("layer.route", unit="C1", mode=tr("mode.car")) == "C1 路线（车巡）"


def test_unknown_language_lists_the_supported_ones() -> None:
    with pytest.raises(ValueError, match=r"lang: unsupported language 'fr'; supported: en, zh-CN"):
        Translator("fr")
    assert check_lang("zh_cn") == "zh-CN"


def test_unknown_key_is_named() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        Translator("en")("no.such.key")


def test_dates_and_times() -> None:
    day = date(2024, 3, 5)
    assert format_date(day, "en") == "2024-03-05"
    assert format_date(day, "zh-CN") == "2024年3月5日"
    assert format_datetime(day, 16 * 3600 + 30 * 60, "en") == "2024-03-05 16:30"
    assert format_datetime(day, 16 * 3600 + 30 * 60, "zh-CN") == "2024年3月5日 16:30"
    # past midnight: the next date, or a marked next-day clock time
    assert format_datetime(day, 24 * 3600 + 30 * 60, "en") == "2024-03-06 00:30"
    assert format_datetime(day, 24 * 3600 + 30 * 60, "zh-CN") == "2024年3月6日 00:30"
    assert format_clock(24 * 3600 + 30 * 60, "en") == "00:30 (+1)"
    assert format_clock(24 * 3600 + 30 * 60, "zh-CN") == "次日00:30"
    assert format_clock(9 * 3600 + 5 * 60 + 29, "en") == "09:05"
    assert format_clock(24 * 3600, "en") == "00:00 (+1)"


def test_local_date_times_are_marked_against_the_plan_date() -> None:
    day = date(2024, 3, 9)
    zone = ZoneInfo("America/Toronto")
    night = datetime(2024, 3, 10, 3, 30, tzinfo=zone)
    assert format_local_clock(night, day, "en") == "03:30 (+1)"
    assert format_local_clock(night, day, "zh-CN") == "次日03:30"
    assert format_local_clock(night, night.date(), "en") == "03:30"
    assert format_local_datetime(night, "zh-CN") == "2024年3月10日 03:30"
    assert Translator("en").clock_at(night, date(2024, 3, 8)) == "03:30 (+2)"
    assert mark_day("{clock}", 1, "zh-CN") == "次日{clock}"


def test_durations_and_distances() -> None:
    assert format_duration(720, "en") == "12 min"
    assert format_duration(720, "zh-CN") == "12分钟"
    assert format_duration(3900, "en") == "1 h 05 min"
    assert format_duration(3900, "zh-CN") == "1小时5分钟"
    assert format_distance(850, "en") == "850 m"
    assert format_distance(6300, "zh-CN") == "6.3公里"
