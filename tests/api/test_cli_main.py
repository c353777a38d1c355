"""End-to-end tests of the ``gridpatrol`` commands through the console entry point.

They run the real pipeline (OSM network, OR-Tools, maps) on the small Toronto beat with short
solver limits, and check user mistakes exit with code 2 and a message, never a traceback.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from api.cli import main
from geo.sample import data_dir


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``gridpatrol argv`` in-process; return (exit code, stdout, stderr)."""
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def toronto_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("plan")
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        try:
            main(
                [
                    "plan",
                    "--sample",
                    "toronto-uoft",
                    "--time-limit",
                    "2",
                    "--seed",
                    "1",
                    "--duties",
                    str(data_dir("toronto-uoft") / "duties.csv"),
                    "--on-infeasible",
                    "drop",
                    "--out",
                    str(out),
                    "--json",
                ]
            )
        except SystemExit as exc:
            assert not exc.code, f"plan exited {exc.code}"
    return out, json.loads(buffer.getvalue())


def test_plan_writes_a_verified_plan_as_json_and_geojson(toronto_plan) -> None:
    out, summary = toronto_plan
    assert summary["units"] == 8  # car=3, foot=3, bicycle=2 by default
    assert summary["risk_band"] == "16-24"  # Toronto has hours: the shift's own band
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["district"]["timezone"] == "America/Toronto"
    assert plan["format"] == "gridpatrol-plan" and plan["schema_version"] == 1
    assert plan["plan_date"] == "2021-12-31"  # the day after the last incident (12-30)
    stops = [s for r in plan["routes"] for s in r["stops"]]
    assert stops, "the plan visits something"
    for route in plan["routes"]:
        assert route["depart"] >= "2021-12-31T16:00"
        assert route["return"] <= "2022-01-01T00:00:00-05:00"
        times = [(s["arrive"], s["leave"]) for s in route["stops"]]
        assert times == sorted(times)
    # The required post of the duties file is held for its whole window.
    posts = [s for s in stops if s["task_id"].startswith("post:")]
    assert posts, "the sample duties hold a post in this shift"
    for post in posts:
        assert post["arrive"].endswith("17:00:00-05:00") and post["leave"].endswith(
            "19:00:00-05:00"
        )
    features = json.loads((out / "plan.geojson").read_text(encoding="utf-8"))["features"]
    kinds = {f["properties"]["feature_type"] for f in features}
    assert kinds == {"route", "stop", "station"}
    lon, lat = features[0]["geometry"]["coordinates"][0][:2]
    assert -79.41 < lon < -79.38 and 43.65 < lat < 43.67  # lon/lat order, in the beat


def test_plan_unknown_band_is_a_user_error(capsys) -> None:
    code, _, err = run(capsys, "plan", "--sample", "toronto-uoft", "--band", "25-26")
    assert code == 2
    assert "--band" in err and "Traceback" not in err


def test_plan_bad_units_file_names_row_and_column(capsys, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        "unit_id,mode,station,shift_start,shift_end\n"
        "A1,horse,queens-park,16:00,24:00\n"
        "A2,car,nowhere,16:00,24:00\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "plan", "--sample", "toronto-uoft", "--units", str(units))
    assert code == 2
    assert "units.csv, row 1, column 'mode'" in err
    assert "units.csv, row 2" in err and "nowhere" in err


def test_missing_incident_file_is_a_user_error(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "hotspots", "--incidents", str(tmp_path / "none.csv"))
    assert code == 2
    assert "none.csv" in err and "Traceback" not in err


def test_hotspots_on_any_csv(capsys, tmp_path: Path) -> None:
    rows = ["id,lat,lon,occurred_at,category"]
    for i in range(60):  # a planted cluster near one corner, a scatter elsewhere
        lat, lon = (
            (31.2300 + (i % 3) * 1e-4, 121.4700 + (i % 2) * 1e-4)
            if i < 40
            else (31.2200 + i * 2e-4, 121.4600 + i * 2e-4)
        )
        rows.append(f"{i},{lat},{lon},2024-03-{1 + i % 28:02d} {18 + i % 5}:15,盗窃")
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    code, out, err = run(
        capsys,
        "hotspots",
        "--incidents",
        str(path),
        "--timezone",
        "Asia/Shanghai",
        "--cell-size",
        "200",
        "--band",
        "16-24",
        "--out",
        str(tmp_path / "out"),
        "--json",
    )
    assert code == 0, err
    summary = json.loads(out)
    table = pd.read_csv(summary["outputs"]["csv"])
    top = table.sort_values("rank").iloc[0]
    assert top["count"] >= 40  # the planted cluster ranks first
    assert str(top["peak_hours"]).split(";")[0] in {"18", "19", "20", "21", "22"}


def test_dates_only_data_lists_only_the_day_band(capsys, tmp_path: Path) -> None:
    # a time of day on none of the incidents: the hourly bands hold no risk, and three
    # pages of zeros would hide the one band that has it
    rows = ["id,lat,lon,occurred_at,category"]
    for i in range(60):
        lat, lon = (31.2300 + (i % 3) * 1e-4, 121.4700) if i < 40 else (31.22 + i * 2e-4, 121.46)
        rows.append(f"{i},{lat},{lon},2024-03-{1 + i % 28:02d},盗窃")
    path = tmp_path / "incidents.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    argv = ["hotspots", "--incidents", str(path), "--timezone", "Asia/Shanghai"]
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "a"), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["bands"] == ["day"]
    assert summary["bands_without_risk"] == ["08-16", "16-24", "00-08"]
    assert set(pd.read_csv(summary["outputs"]["csv"])["band"]) == {"day"}
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "b"))
    words = " ".join(out.split())  # the console wraps at its width
    assert code == 0 and "Bands without any risk, not listed: 08-16, 16-24, 00-08" in words
    # asked for by name, an hourly band is still given
    code, out, err = run(capsys, *argv, "--band", "16-24", "--out", str(tmp_path / "c"), "--json")
    assert code == 0 and json.loads(out)["bands"] == ["16-24"]


def test_evaluate_writes_the_documented_json(capsys, tmp_path: Path) -> None:
    target = tmp_path / "eval.json"
    code, _, err = run(
        capsys,
        "evaluate",
        "--sample",
        "toronto-uoft",
        "--cell-size",
        "100",
        "--weeks",
        "4",
        "--json",
        str(target),
    )
    assert code == 0, err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert set(data) == {
        "methods",
        "baseline",
        "default",
        "weeks",
        "share",
        "interval",
        "bands",
        "skipped",
        "source_policy",
    }
    assert data["source_policy"] is None  # no --exclude-source / --patrol-weight
    assert data["weeks"] == 4 and data["baseline"] in data["methods"]
    for scores in data["methods"].values():
        assert set(scores) == {"hit_rate", "pai", "pei"}
        assert set(scores["pai"]) == {"0.01", "0.02", "0.05", "0.1"}
    # hour-stamped sample: the day and each of the planner's shift bands
    assert list(data["bands"]) == ["day", "08-16", "16-24", "00-08"]
    night = data["bands"]["00-08"]
    assert night["band"] == "00-08" and night["weeks"] == 4
    verdict = night["comparison"][night["default"]]["pai"]["verdict"]
    assert verdict in {"better than naive", "not better than naive", "worse than naive"}
    low, high = night["comparison"][night["default"]]["pai"]["ratio_interval"]
    assert low <= high


def test_evaluate_per_weekday_where_data_allow(capsys, tmp_path: Path) -> None:
    target = tmp_path / "eval.json"
    code, out, err = run(
        capsys,
        "evaluate",
        "--sample",
        "toronto-uoft",
        "--bands",
        "18-02",
        "--weeks",
        "4",
        "--weekdays",
        "--exclude-source",
        "patrol",
        "--json",
        str(target),
    )
    assert code == 0, err
    data = json.loads(target.read_text(encoding="utf-8"))
    weekly = {n for n in [*data["bands"], *data["skipped"]] if n.startswith("18-02 ")}
    assert weekly == {f"18-02 {d}" for d in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
    assert "fewer than 100" in next(iter(data["skipped"].values()))
    assert "no 'reported_by' column" in data["source_policy"]
    assert "By day of week" in out or not any(n.startswith("18-02 ") for n in data["bands"])


def test_demo_writes_every_output(capsys, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    code, stdout, err = run(
        capsys, "demo", "--sample", "toronto-uoft", "--time-limit", "2", "--out", str(out), "--json"
    )
    assert code == 0, err
    summary = json.loads(stdout)
    for name in ("grid", "hotspots", "plan.json", "plan.geojson", "map (en)", "map (zh-CN)"):
        assert Path(summary["outputs"][name]).stat().st_size > 0, name
    assert (out / "sheets" / "zh-CN" / "route_sheets.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "sheets" / "routes.gpx").read_text(encoding="utf-8").count("<rte>") >= 1
    assert (out / "staffing" / "staffing.csv").exists()
    assert summary["plan"]["stops"] > 0
    assert summary["attribution"].startswith("Contains OpenStreetMap data")
