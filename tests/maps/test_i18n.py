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


# ---- Chinese as a coordinator reads it (issue 13) ------------------------------------------


@pytest.mark.parametrize(
    ("band", "label"),
    [
        ("08-16", "白班（08:00–16:00）"),
        ("16-24", "晚班（16:00–24:00）"),
        ("00-08", "夜班（00:00–08:00）"),
        ("22-06", "夜班（22:00–次日06:00）"),
        ("06-14", "早班（06:00–14:00）"),
        ("04-12", "早班（04:00–12:00）"),
        ("03-11", "夜班（03:00–11:00）"),
        ("18-02", "晚班（18:00–次日02:00）"),
        ("day", "全天"),
    ],
)
def test_bands_are_named_as_coordinators_name_them(band: str, label: str) -> None:
    tr = Translator("zh-CN")
    assert tr.band(band) == label
    # every message with a band field gets the name, never the raw "day"
    assert label in tr("layer.risk", band=band)
    assert "day" not in tr("map.subtitle", band=band, date="2017年6月1日")
    assert Translator("en").band(band) == band  # English keeps the band as written


def test_categories_are_translated_from_any_source_name() -> None:
    zh = Translator("zh-CN")
    assert zh.category("bicycle_theft") == "盗窃电动自行车/自行车"
    assert zh.category("盗窃电动车") == "盗窃电动自行车/自行车"
    assert zh.category("Break and Enter") == "入室盗窃"
    assert zh.category("MOTOR VEHICLE THEFT") == "盗窃机动车"
    assert zh.category("STREET CRIMES") == "街面犯罪"
    assert zh.category("graffiti") == "graffiti"  # unknown: as the data names it
    assert Translator("en").category("bicycle_theft") == "bicycle and e-bike theft"


def test_every_canonical_category_has_a_label() -> None:
    from geo.hotspots.weights import DEFAULT_WEIGHTS

    missing = [c for c in DEFAULT_WEIGHTS if f"cat.{c}" not in MESSAGES]
    assert missing == []


def _own_keys() -> set[str]:
    """The keys of the main catalogue and of the parts written with it (issue 13)."""
    from maps.catalog import cli, columns, jobs
    from maps.messages import _RAW

    return set(_RAW) | set(cli.TEXTS) | set(columns.TEXTS) | set(jobs.TEXTS)


def test_chinese_catalogue_uses_the_terms_of_the_field() -> None:
    zh = {k: MESSAGES[k]["zh-CN"] for k in _own_keys()}
    text = "\n".join(zh.values())
    for term in (
        "见警率",
        "点线面",
        "巡逻线",
        "卡口",
        "错时",
        "巡防力量",
        "缺口",
        "驻地",
        "派出所",
    ):
        assert term in text, term
    # a station is 驻地/派出所, never 驻点; no English band or raw category in Chinese texts
    assert [k for k, v in zh.items() if "驻点" in v] == []
    assert [k for k, v in zh.items() if "bicycle_theft" in v or " day " in f" {v} "] == []
    assert "缺口" in zh["staff.col.shortage"] and "-" not in zh["staff.col.shortage"]


def test_chinese_texts_do_not_mix_in_english_words() -> None:
    """Latin letters in a Chinese text only for names and codes (Gi*, UTC, CSV, OpenStreetMap …)."""
    import re

    allowed = {
        "Gi",
        "UTC",
        "CSV",
        "XLSX",
        "GeoJSON",
        "GeoPackage",
        "Shapefile",
        "Excel",
        "OpenStreetMap",
        "CartoDB",
        "GCJ",
        "keep_valid",
        "json",
        "geojson",
        "csv",
        "date",
        "category",
        "Y",
        "m",
        "d",
        "H",
        "M",
        "z",
        "GPS",
        "OSM",
        "osm",
        "pbf",
        "KML",
        "geo",
        "P",
    }
    allowed |= {"p", "x", "y", "GPX"}
    words = {
        (k, w)
        for k, v in ((key, MESSAGES[key]) for key in _own_keys())
        for w in re.findall(r"[A-Za-z_]+", re.sub(r"\{[^}]*\}", "", v["zh-CN"]))
    }
    assert sorted((k, w) for k, w in words if w not in allowed and w.strip("_")) == []


def test_job_messages_and_language_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from maps.i18n import LANG_ENV, default_lang, job_message

    assert job_message("Plan done", "zh-CN") == "编排完成"
    assert job_message("Failed", "zh-CN") == "失败"
    assert (
        job_message("Routing 2 units over 14 tasks", "zh-CN")
        == "正在为 2 个巡组编排 14 项任务的路线"
    )
    assert job_message("Plan done", "en") == "Plan done"
    assert job_message("cell_size_m: must be > 0", "zh-CN") == "cell_size_m: must be > 0"
    monkeypatch.setenv(LANG_ENV, "zh_CN")
    assert default_lang() == "zh-CN"
    assert Translator(None).lang == "zh-CN"
    monkeypatch.setenv(LANG_ENV, "fr")
    with pytest.raises(ValueError, match="GRIDPATROL_LANG: lang: unsupported language 'fr'"):
        default_lang()


def test_cli_language_and_font_options_are_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from typer.testing import CliRunner

    from api.cli import app
    from maps.fonts import use_font

    # set, so that monkeypatch puts the variables back as they were (the option writes it)
    monkeypatch.setenv("GRIDPATROL_LANG", "en")
    monkeypatch.setenv("GRIDPATROL_FONT", "")
    runner = CliRunner()
    bad_lang = runner.invoke(app, ["--lang", "fr", "cache", "info"])
    assert bad_lang.exit_code == 2
    assert "unsupported language 'fr'" in bad_lang.output
    bad_font = runner.invoke(app, ["--font", f"{tmp_path}/none.ttf", "cache", "info"])
    assert bad_font.exit_code == 2
    # the error box wraps at the terminal width: compare the words, not the lines
    words = " ".join(bad_font.output.replace("│", " ").split())
    assert "no such file" in words
    good = runner.invoke(app, ["--lang", "zh-CN", "cache", "info"])
    assert good.exit_code == 0, good.output
    import os

    assert os.environ["GRIDPATROL_LANG"] == "zh-CN"
    use_font(None)
