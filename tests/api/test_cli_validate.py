"""End-to-end tests of ``gridpatrol validate``: exit codes, text output and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli.validate  # noqa: F401  (registers the command)
from api.cli.app import app
from geo.sample import data_dir

TORONTO = data_dir("toronto-uoft")
PORTLAND = data_dir("portland-central")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run_json(runner: CliRunner, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["validate", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_sample_incidents_are_usable(runner: CliRunner) -> None:
    path = TORONTO / "toronto_mci_incidents_2014_2021_uoft.csv"
    result = runner.invoke(app, ["validate", str(path), "--timezone", "America/Toronto"])
    assert result.exit_code == 0, result.output
    assert "usable" in result.stdout and "822" in result.stdout
    assert "Assault: 432" in result.stdout


def test_json_shape_for_incidents_areas_and_stations(runner: CliRunner) -> None:
    code, payload = run_json(
        runner,
        str(PORTLAND / "portland_incidents.csv"),
        str(PORTLAND / "portland_police_districts.zip"),
        str(PORTLAND / "stations.csv"),
        "--timezone",
        "America/Los_Angeles",
    )
    assert code == 0
    incidents, areas, stations = payload["files"]
    assert set(incidents) >= {
        "path", "kind", "usable", "count", "time_span", "time_known_share",
        "categories", "extent", "crs", "problems",
    }  # fmt: skip
    assert (incidents["kind"], incidents["count"], incidents["usable"]) == (
        "incidents",
        13_300,
        True,
    )
    assert incidents["time_known_share"] == 0.0
    assert incidents["time_span"][0].startswith("2012-03-01T00:00:00-08:00")
    assert sum(incidents["categories"].values()) == 13_300
    west, south, east, north = incidents["extent"]
    assert -122.72 < west < east < -122.55 and 45.47 < south < north < 45.57
    assert (areas["kind"], areas["count"], areas["crs"]) == ("areas", 60, "EPSG:2913")
    assert any("repaired 2 invalid" in w for w in areas["warnings"])
    assert (stations["kind"], stations["count"]) == ("stations", 3)


def test_bad_file_exits_2_and_reports_problems(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("lat,lon,date,type\n45.5,-122.6,2024-13-45,theft\n", encoding="utf-8")
    good = TORONTO / "stations.csv"
    code, payload = run_json(runner, str(good), str(bad))
    assert code == 2
    first, second = payload["files"]
    assert first["usable"] is True and second["usable"] is False
    (problem,) = second["problems"]
    assert problem == {
        "source": "bad.csv",
        "row": 1,
        "column": "date",
        "value": "2024-13-45",
        "message": problem["message"],
    }
    assert problem["message"].startswith("unparseable date")
    text = runner.invoke(app, ["validate", str(bad)])
    assert text.exit_code == 2
    assert "bad.csv, row 1, column 'date': unparseable date" in text.stdout
    assert "Traceback" not in text.output


def test_missing_file_and_boundary(runner: CliRunner, tmp_path: Path) -> None:
    code, payload = run_json(runner, str(tmp_path / "nope.csv"))
    assert code == 2
    assert payload["files"][0]["problems"][0]["message"].startswith("file not found")
    far = tmp_path / "far.csv"
    far.write_text("lat,lon,date,type\n45.5,-122.6,2024-03-05,theft\n", encoding="utf-8")
    areas = TORONTO / "areas_neighbourhoods_4326.geojson"
    code, payload = run_json(runner, str(far), "--boundary", str(areas), "--kind", "incidents")
    assert code == 2
    boundary, incidents = payload["files"]
    assert boundary["kind"] == "boundary" and boundary["usable"] is True
    assert "outside the boundary" in incidents["problems"][0]["message"]
