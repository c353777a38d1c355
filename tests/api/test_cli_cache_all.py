"""``gridpatrol cache info|clear`` cover every cache under the cache root: street networks,
validated risk choices and the web pages' CJK font."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


def test_info_and_clear_cover_the_risk_and_font_caches(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "cache"
    monkeypatch.setenv("GRIDPATROL_CACHE_DIR", str(root))
    monkeypatch.setenv("GRIDPATROL_LANG", "en")
    monkeypatch.setenv("COLUMNS", "300")
    (root / "risk").mkdir(parents=True)
    (root / "webfont").mkdir()
    (root / "risk" / "risk-abc.npz").write_bytes(b"x" * 1000)
    (root / "risk" / "risk-def.npz").write_bytes(b"y" * 500)
    (root / "webfont" / "gridpatrol-cjk-1.woff").write_bytes(b"wOFF" + b"z" * 2000)

    code, out = _run(capsys, "cache", "info", "--json")
    assert code == 0, out
    other = json.loads(out)["other"]
    assert other["risk"]["files"] == 2 and other["risk"]["size_bytes"] == 1500
    assert other["webfont"]["files"] == 1 and other["webfont"]["size_bytes"] == 2004
    code, out = _run(capsys, "cache", "info")
    assert "Validated risk choices: 2 file(s)" in out and "CJK font: 1 file(s)" in out

    code, out = _run(capsys, "cache", "clear", "--json")
    assert code == 0, out
    assert json.loads(out)["other"] == {"risk": 2, "webfont": 1}
    assert not list((root / "risk").iterdir()) and not list((root / "webfont").iterdir())
    code, out = _run(capsys, "--lang", "zh-CN", "cache", "clear")
    assert "已删除 0 个风险模型验证结果和 0 个网页字体文件。" in out
