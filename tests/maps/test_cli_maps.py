"""``gridpatrol map`` and ``gridpatrol sheets`` on the embedded Toronto sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli.maps_cmds  # noqa: F401  (registers the commands)
from api.cli.app import app

pytestmark = pytest.mark.slow


def test_map_and_sheets(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "map",
            "--sample",
            "toronto-uoft",
            "--lang",
            "zh-CN",
            "--tiles",
            "none",
            "--offline",
            "--time-limit",
            "1",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout[result.stdout.index("{") :])
    assert Path(payload["map"]).is_file() and payload["lang"] == "zh-CN"

    result = runner.invoke(
        app,
        [
            "sheets",
            "--sample",
            "toronto-uoft",
            "--formats",
            "gpx,csv,xlsx",
            "--only-units",
            "C1",
            "--time-limit",
            "1",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    outputs = json.loads(result.stdout[result.stdout.index("{") :])["outputs"]
    assert set(outputs) == {"gpx", "csv", "xlsx"}
    assert all(Path(p).is_file() for paths in outputs.values() for p in paths)


def test_bad_options_are_user_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["map", "--lang", "fr"])
    assert result.exit_code != 0
    assert "unsupported language 'fr'" in str(result.exception) + result.output
    result = runner.invoke(app, ["sheets", "--formats", "pdf,doc"])
    assert "unknown formats ['doc']" in str(result.exception) + result.output
