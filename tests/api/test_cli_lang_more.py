"""The remaining commands in the chosen language: ``cache``, ``validate``, ``hotspots``,
``batch`` and the demo's output names print in Chinese with ``--lang zh-CN`` (ids, numbers,
paths and option names aside) and keep their English text otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.cli import main
from api.cli.demo import output_label
from geo import sample
from maps.i18n import LANG_ENV, Translator

#: English words the Chinese console may hold: ids and file names of the samples, formats
#: and units (anything else is English leaking through).
ALLOWED = {
    "toronto",
    "uoft",
    "queens",
    "park",
    "osm",
    "csv",
    "geojson",
    "json",
    "mb",
    "utc",
    "gi",
    "epsg",
    "decay",
    "all",
    "tmp",
    "pytest",
    "of",
    "root",
    "band",
    "top",
    "mci",
    "incidents",
    "duties",
    "stations",
    "pdf",
    "xlsx",
    "gpx",
    "png",
    "summary",
    "hotspots",
    "zh",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, " ".join((out + err).split())


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(LANG_ENV, "en")  # restored after each test (--lang writes it)
    monkeypatch.setenv("GRIDPATROL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "400")  # no wrapped paths, no cut table cells


def _latin_words(text: str, *paths: Path) -> set[str]:
    for path in paths:
        text = text.replace(str(path), " ")
    text = re.sub(r"(?<![\w-])/\S+", " ", text)  # paths
    text = re.sub(r"--[a-z][\w-]*", " ", text)  # option names: the user types them
    text = re.sub(r"[\w.-]*\d[\w.-]*", " ", text)  # ids such as S-r000-c005, EPSG codes
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)} - ALLOWED


def test_cache_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, text = run(capsys, "--lang", "zh-CN", "cache", "info")
    assert code == 0
    assert "路网缓存：" in text and "共 0 个路网，0.0 MB" in text
    assert _latin_words(text, tmp_path / "cache" / "networks") == set()
    code, text = run(capsys, "--lang", "zh-CN", "cache", "clear")
    assert code == 0 and "删除 0 个缓存路网。" in text
    assert _latin_words(text, tmp_path / "cache" / "networks") == set()
    code, text = run(capsys, "--lang", "en", "cache", "clear")
    assert code == 0 and "Removed 0 cached network(s) from" in text and "删除" not in text


def test_validate_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    folder = sample.data_dir("toronto-uoft")
    files = [folder / "stations.csv", folder / "toronto_mci_incidents_2014_2021_uoft.csv"]
    code, text = run(capsys, "--lang", "zh-CN", "validate", *map(str, files))
    assert code == 0, text
    for label in ("（驻地）：可用", "（警情）：可用", "行数", "时间跨度", "有具体时刻的占比"):
        assert label in text, label
    assert "入室盗窃: 242" in text and "坐标系" in text
    assert _latin_words(text, folder) == set()
    code, english = run(capsys, "--lang", "en", "validate", *map(str, files))
    assert code == 0
    assert "(stations): usable" in english and "with time of day" in english
    assert "rows" in english and "可用" not in english


def test_hotspots_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["hotspots", "--sample", "toronto-uoft", "--top", "2", "--band", "16-24"]
    code, text = run(capsys, "--lang", "zh-CN", *argv, "--out", str(tmp_path / "zh"))
    assert code == 0, text
    for label in (
        "易发部位",
        "晚班（16:00–24:00）",
        "排名",
        "网格",
        "风险分值",
        "说明：",
        "输出文件：",
    ):
        assert label in text, label
    assert "未指定输入文件：使用内置示例辖区 'toronto-uoft'。" in text
    assert _latin_words(text, tmp_path) == set()
    code, english = run(capsys, "--lang", "en", *argv, "--out", str(tmp_path / "en"))
    assert code == 0 and "Outputs:" in english and "note:" in english and "rank" in english
    code, text = run(capsys, "--lang", "zh-CN", "hotspots", "--top", "0")
    assert code == 2 and "--top：应不小于 1，实际为 0" in text


def test_batch_errors_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "jobs.csv"
    code, text = run(capsys, "--lang", "zh-CN", "batch", str(missing))
    assert code == 2 and f"任务清单：找不到文件：{missing}" in text
    code, text = run(capsys, "--lang", "en", "batch", str(missing))
    assert code == 2 and f"manifest: file not found: {missing}" in text


@pytest.mark.parametrize(
    ("name", "chinese"),
    [
        ("grid", "网格"),
        ("map (zh-CN)", "巡逻图（中文）"),
        ("route sheets pdf (en)", "巡逻路线单 pdf（英文）"),
        ("routes gpx", "巡逻路线 gpx"),
        ("staffing csv", "力量配置表 csv"),
        ("simulated tracks gpx", "模拟轨迹 gpx"),
        ("plan review map", "计划执行复盘 地图 png"),
        ("monthly 2017-05 xlsx_zh-CN", "2017-05 月度评估 xlsx（中文）"),
        ("plan.json", "plan.json"),
    ],
)
def test_demo_output_names(name: str, chinese: str) -> None:
    assert output_label(name, Translator("zh-CN")) == chinese
    assert output_label(name, Translator("en")) == name


def test_evaluate_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["evaluate", "--sample", "toronto-uoft", "--weeks", "2", "--band", "16-24"]
    code, text = run(capsys, "--lang", "zh-CN", *argv, "--json", str(tmp_path / "backtest1.json"))
    assert code == 0, text
    for label in ("回测：", "个测试周", "方法", "命中率", "结论", "不如简单计数", "JSON 已写入"):
        assert label in text, label
    assert "自 2021-12-06 起的测试期内没有警情" in text
    # method names (naive-4w, decay-112d, ...) are ids; PAI/PEI are the metrics' names
    leaked = _latin_words(text, tmp_path) - {"naive", "decay", "kde", "etas", "blend"}
    assert leaked - {"validated", "pai", "pei", "valid", "valida", "json"} == set()
    code, english = run(capsys, "--lang", "en", *argv)
    assert code == 0 and "Backtest: 2 test week(s) from 2021-12-06" in english
    assert "worse than naive" in english and "回测" not in english
    code, text = run(capsys, "--lang", "zh-CN", "evaluate", "--weeks", "0")
    assert code == 2 and "--weeks：应不小于 1，实际为 0" in text


def test_review_month_and_week_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    month = ["review", "month", "--month", "2021-11", "--sample", "toronto-uoft", "--lang", "en"]
    code, text = run(capsys, "--lang", "zh-CN", *month, "--out", str(tmp_path / "m"))
    assert code == 0, text
    for label in ("2021-11 月度考评", "按同比升幅排名", "去年同月", "案件过少", "输出文件："):
        assert label in text, label
    assert "说明：时区 America/Toronto（示例辖区的时区）。" in text
    assert "的通报情况按警情数据推算" in text
    names = {"university", "toronto", "beat", "sample", "bay", "cloverhill", "yonge", "corridor"}
    assert _latin_words(text, tmp_path) - names - {"america"} == set()
    code, english = run(capsys, "--lang", "en", *month, "--out", str(tmp_path / "me"))
    assert code == 0 and "Monthly evaluation 2021-11" in english
    assert "note: Time zone America/Toronto, the sample's." in english and "考评" not in english
    week = ["review", "week", "--week", "2021-W47", "--sample", "toronto-uoft", "--lang", "en"]
    code, text = run(capsys, "--lang", "zh-CN", *week, "--out", str(tmp_path / "w"))
    assert code == 0, text
    for label in ("2021-W47 周研判", "警情 1 起", "新增热点片区：", "持续热点网格：无"):
        assert label in text, label
    assert _latin_words(text, tmp_path) - names - {"america"} == set()
    code, english = run(capsys, "--lang", "en", *week, "--out", str(tmp_path / "we"))
    assert code == 0 and "new hotspot areas: Bay-Cloverhill; persisting: none" in english
    code, text = run(
        capsys,
        "--lang",
        "zh-CN",
        "review",
        "month",
        "--month",
        "2021-11",
        "--areas",
        str(tmp_path / "a.geojson"),
    )
    assert code == 2 and "请同时给出 --incidents FILE 和 --areas FILE" in text


def test_staffing_outputs_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["staffing", "--sample", "toronto-uoft", "--max-units", "2", "--time-limit", "1"]
    code, text = run(capsys, "--lang", "zh-CN", *argv, "--out", str(tmp_path))
    assert code == 0, text
    for label in ("力量配置表 csv", "覆盖曲线图 png", "力量配置报告 pdf（中文）", "汇总"):
        assert label in text, label
    assert "未指定输入文件：使用内置示例辖区 'toronto-uoft'。" in text
    assert "staffing_csv" not in text
    code, text = run(capsys, "--lang", "zh-CN", "staffing", "--start-date", "1.2.2024")
    assert code == 2 and "--start-date：应为 YYYY-MM-DD 格式的日期，实际为 '1.2.2024'" in text


def test_review_plan_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from maps.planfile import read_plan_bundle
    from maps.review.trackfiles import write_fixes_csv
    from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks

    code, text = run(
        capsys, "--lang", "en", "plan", "--sample", "toronto-uoft", "--time-limit", "1",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, text
    bundle = read_plan_bundle(tmp_path / "plan.json")
    assert bundle.plan is not None
    sim = simulate_tracks(
        bundle.plan, dict(bundle.station_xy()), TrackSimOptions(seed=0), tasks=bundle.tasks
    )
    timed = fixes_with_times(sim.fixes, bundle.plan_date, bundle.timezone)
    tracks = write_fixes_csv(timed, bundle.crs, tmp_path / "tracks.csv")
    argv = ["review", "plan", "--plan", str(tmp_path / "plan.json"), "--tracks", str(tracks)]
    code, text = run(capsys, "--lang", "zh-CN", *argv, "--lang", "en", "--out", str(tmp_path / "z"))
    assert code == 0, text
    for label in ("计划点位", "到位率", "见警完成率", "点位 见警", "分钟（计划", "输出文件："):
        assert label in text, label
    assert "（计划文件的时区）" in text and "pdf（英文）" in text
    names = {"university", "toronto", "beat", "sample", "america"}
    assert _latin_words(text, tmp_path) - names == set()
    code, english = run(capsys, "--lang", "en", *argv, "--lang", "en", "--out", str(tmp_path / "e"))
    assert code == 0 and "stops visited" in english and "of the planned presence" in english
    assert "note: Time zone America/Toronto, the plan's" in english and "计划" not in english
    code, text = run(capsys, "--lang", "zh-CN", "review", "plan", "--plan", str(tracks))
    assert code == 2 and "请用 --tracks FILE（GPX 或 CSV）给出巡组轨迹" in text
