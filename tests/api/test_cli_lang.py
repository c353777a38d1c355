"""The command line in the chosen language: ``gridpatrol --lang zh-CN plan`` (or
``GRIDPATROL_LANG=zh-CN``) prints its table, notes, outputs and errors in Chinese, with ids,
numbers and paths as they are; ``--json`` keeps its English keys and the plan's English notes
(the contract); ``map`` and ``sheets`` follow their own ``--lang``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from api.cli import main
from maps.i18n import LANG_ENV

pytestmark = pytest.mark.slow

#: English words the Chinese console may hold: ids and names of the sample, file and tool
#: names, units; anything else is English leaking through.
ALLOWED = {
    "toronto",
    "uoft",
    "bay",
    "street",
    "queens",
    "park",
    "decay",
    "plan",
    "json",
    "geojson",
    "presence",
    "csv",
    "tmp",
    "pytest",
    "of",
    "root",
    "osm",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LANG_ENV, "en")  # restored after each test (--lang writes it)


def _latin_words(text: str, tmp: Path) -> set[str]:
    text = text.replace(str(tmp), " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)} - ALLOWED


def test_plan_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys,
        "plan",
        "--sample",
        "toronto-uoft",
        "--band",
        "16-24",
        "--time-limit",
        "2",
        "--lang",
        "zh-CN",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    text = out + err
    assert "2021年12月31日 晚班（16:00–24:00）巡逻计划" in text
    for label in ("巡组", "驻地", "风险覆盖：", "说明：", "输出文件：", "车巡", "步巡", "骑巡"):
        assert label in text, label
    assert "未指定输入文件：使用内置示例辖区 'toronto-uoft'。" in text
    assert "两处驻地均为示意位置。" in text
    assert str(tmp_path / "plan.json") in text
    for english in ("note:", "Outputs:", "risk covered", "Plan for", "No input files"):
        assert english not in text
    assert _latin_words(text, tmp_path) == set()
    code, _, err = run(capsys, "plan", "--lang", "fr", "--out", str(tmp_path))
    assert code == 2 and "--lang: lang: unsupported language 'fr'; supported: en, zh-CN" in err


def test_json_keeps_english_keys_and_notes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LANG_ENV, "zh-CN")
    code, out, err = run(
        capsys,
        "plan",
        "--sample",
        "toronto-uoft",
        "--band",
        "16-24",
        "--time-limit",
        "1",
        "--out",
        str(tmp_path),
        "--json",
    )
    assert code == 0, err
    summary = json.loads(out)
    assert {"plan_date", "shift", "notes", "outputs", "plans"} <= set(summary)
    assert "Both stations are illustrative." in summary["notes"]
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert "Both stations are illustrative." in doc["notes"]  # the plan file stays English


def test_errors_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.json"
    code, _, err = run(capsys, "--lang", "zh-CN", "sheets", "--plan", str(missing))
    assert code == 2
    assert f"错误： --plan：找不到文件：{missing}" in err
    monkeypatch.setenv(LANG_ENV, "en")  # one process, one command: --lang wrote the variable
    code, _, err = run(capsys, "sheets", "--plan", str(missing))
    assert code == 2 and f"error: --plan: file not found: {missing}" in err
    code, _, err = run(capsys, "map", "--lang", "zh-CN", "--plan", str(missing), "--top", "3")
    assert code == 2
    assert "--plan 按计划文件原样绘制；--top 只会改变新的计划" in err


def test_sheets_follow_their_own_lang(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        "plan",
        "--sample",
        "toronto-uoft",
        "--time-limit",
        "1",
        "--out",
        str(tmp_path),
    )
    assert code == 0, err
    plan = tmp_path / "plan.json"
    code, out, err = run(
        capsys,
        "sheets",
        "--plan",
        str(plan),
        "--lang",
        "zh-CN",
        "--formats",
        "csv",
        "--only-units",
        "C1",
        "--out",
        str(tmp_path / "zh"),
    )
    assert code == 0, err
    text = " ".join((out + err).split())  # the console wraps long paths at its width
    assert f"按原样绘制 {plan} 中的计划（不重新编排）。" in text
    assert "巡逻路线单已写出：" in text and "Route sheets written" not in text
    code, out, err = run(
        capsys,
        "sheets",
        "--plan",
        str(plan),
        "--formats",
        "csv",
        "--only-units",
        "C1",
        "--out",
        str(tmp_path / "en"),
    )
    assert code == 0, err
    assert "Route sheets written:" in out + err and "巡逻" not in out + err
