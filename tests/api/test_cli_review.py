"""``gridpatrol review plan`` and ``review month`` end to end: real plan file, simulated tracks
written as GPX and CSV, located errors for broken track files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import api.cli.plan
import api.cli.review  # noqa: F401  (registers the commands)
from api.cli import main
from api.cli.app import app
from maps.planfile import read_plan_bundle
from maps.review.trackfiles import write_fixes_csv, write_fixes_gpx
from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks

pytestmark = pytest.mark.slow


def run(*argv: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(argv))
    return result.exit_code, result.stdout, str(result.exception or "")


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the real entry point, expect a user error (exit code 2), return what it printed."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("plan")
    # the iteration bound, not the clock, ends the search: the same plan on a loaded machine
    code, stdout, _ = run(
        "plan",
        "--sample",
        "toronto-uoft",
        "--time-limit",
        "30",
        "--max-iterations",
        "30",
        "--unit-counts",
        "foot=2,car=1",
        "--out",
        str(out),
    )
    assert code == 0, stdout
    bundle = read_plan_bundle(out / "plan.json")
    assert bundle.plan is not None
    sim = simulate_tracks(
        bundle.plan, dict(bundle.station_xy()), TrackSimOptions(seed=3, hz=0.5), tasks=bundle.tasks
    )
    timed = fixes_with_times(sim.fixes, bundle.plan_date, bundle.timezone)
    foot = timed["unit_id"].str.startswith("F")
    write_fixes_gpx(timed[foot], bundle.crs, out / "foot.gpx")
    # the car's device calls itself "GPS-9": mapped to the plan's unit id on the command line
    car = timed[~foot].assign(unit_id=lambda f: f["unit_id"].map(lambda u: "GPS-9"))
    write_fixes_csv(car, bundle.crs, out / "car.csv")
    car_id = next(r.unit_id for r in bundle.plan.routes if not r.unit_id.startswith("F"))
    return out, (sim, car_id)


def test_review_plan_json_against_the_truth(planned: tuple) -> None:
    out, (sim, car_id) = planned
    code, stdout, stderr = run(
        "review",
        "plan",
        "--plan",
        str(out / "plan.json"),
        "--tracks",
        str(out / "foot.gpx"),
        "--tracks",
        str(out / "car.csv"),
        "--unit-map",
        f"GPS-9={car_id}",
        "--out",
        str(out / "review"),
        "--lang",
        "zh-CN",
        "--json",
    )
    assert code == 0, stdout + stderr
    doc = json.loads(stdout[stdout.index("{") :])
    truth = sim.truth.groupby("unit_id")["visited"].agg(["size", "sum"])
    units = {u["unit_id"]: u for u in doc["units"]}
    for unit, row in truth.iterrows():
        assert units[unit]["stops_planned"] == row["size"]
        assert abs(units[unit]["stops_visited"] - row["sum"]) <= max(1, row["size"] // 10)
    assert all(isinstance(s["visited"], bool) for s in doc["stops"])
    assert sum(doc["fixes"]["rejected"].values()) >= 1  # the simulated jumps and duplicates
    assert Path(doc["outputs"]["pdf_zh-CN"]).stat().st_size > 10_000
    assert Path(doc["outputs"]["xlsx_zh-CN"]).exists() and "pdf_en" not in doc["outputs"]


def test_broken_track_files_are_located(
    planned: tuple, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = planned
    plan = str(out / "plan.json")
    bad_gpx = tmp_path / "bad.gpx"
    bad_gpx.write_text("<gpx version='1.1'><trk><name>F1</trk></gpx>", encoding="utf-8")
    err = fails(capsys, "review", "plan", "--plan", plan, "--tracks", str(bad_gpx))
    assert "bad.gpx" in err and "not a readable GPX file" in err
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("unit_id,time,lat,lon\nF1,2024-03-05T16:00:00Z,43.66,x\n", encoding="utf-8")
    err = fails(capsys, "review", "plan", "--plan", plan, "--tracks", str(bad_csv))
    assert "bad.csv, row 1, column 'lon'" in err and "not a number" in err
    assert "--tracks FILE" in fails(capsys, "review", "plan", "--plan", plan)
    err = fails(
        capsys, "review", "plan", "--plan", plan, "--tracks", str(bad_csv), "--unit-map", "nonsense"
    )
    assert "--unit-map: 'nonsense' is not track=unit" in err


def test_review_month_on_the_portland_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "history.json"
    code, stdout, stderr = run(
        "review",
        "month",
        "--month",
        "2017-05",
        "--categories",
        "burglary,vehicle_theft",
        "--history",
        str(history),
        "--out",
        str(tmp_path),
        "--lang",
        "en",
        "--json",
    )
    assert code == 0, stdout + stderr
    doc = json.loads(stdout[stdout.index("{") :])
    assert doc["month"] == "2017-05" and doc["basis"] == "yoy"
    ranked = [a for a in doc["areas"] if a["rank"] is not None]
    assert [a["rank"] for a in ranked] == list(range(1, len(ranked) + 1))
    assert len(doc["bulletin"]) == 3
    assert all("notice" in a["flags"] for a in doc["areas"] if a["area_id"] in doc["bulletin"])
    assert json.loads(history.read_text())["months"]["2017-05"]["bulletin"] == doc["bulletin"]
    err = fails(capsys, "review", "month", "--month", "May", "--out", str(tmp_path))
    assert "--month: expected 'YYYY-MM', got 'May'" in err
    assert "--basis" in fails(capsys, "review", "month", "--month", "2017-05", "--basis", "weekly")


def test_review_week_with_the_plan_and_its_tracks(planned: tuple, tmp_path: Path) -> None:
    out, (sim, car_id) = planned
    plan_date = json.loads((out / "plan.json").read_text())["plan_date"]
    year, number, _ = __import__("datetime").date.fromisoformat(plan_date).isocalendar()
    code, stdout, err = run(
        "review",
        "week",
        "--week",
        f"{year}-W{number:02d}",
        "--sample",
        "toronto-uoft",
        "--plans",
        str(out / "plan.json"),
        "--tracks",
        str(out / "foot.gpx"),
        "--tracks",
        str(out / "car.csv"),
        "--unit-map",
        f"GPS-9={car_id}",
        "--out",
        str(tmp_path),
        "--lang",
        "en",
        "--json",
    )
    assert code == 0, stdout + err
    doc = json.loads(stdout[stdout.index("{") :])
    assert doc["week"] == f"{year}-W{number:02d}" and len(doc["days"]) == 1
    day = doc["days"][0]
    assert day["stops_planned"] == len(sim.truth)
    assert abs(day["stops_visited"] - int(sim.truth["visited"].sum())) <= max(
        1, len(sim.truth) // 10
    )
    assert {u["unit_id"] for u in doc["units"]} == set(sim.truth["unit_id"])
    assert Path(doc["outputs"]["pdf_en"]).stat().st_size > 5_000


def test_plan_previous_writes_what_changed(planned: tuple, tmp_path: Path) -> None:
    out, _ = planned
    code, stdout, err = run(
        "plan",
        "--sample",
        "toronto-uoft",
        "--time-limit",
        "1",
        "--max-iterations",
        "30",
        "--unit-counts",
        "foot=1,car=1",
        "--previous",
        str(out / "plan.json"),
        "--out",
        str(tmp_path),
        "--json",
    )
    assert code == 0, stdout + err
    summary = json.loads(stdout[stdout.index("{") :])
    doc = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    changes = doc["changes"]
    assert summary["changes"] == changes
    assert changes["previous"]["file"] == str(out / "plan.json")
    # one foot unit fewer than the day before: some cells lose their planned presence
    assert changes["cells_losing"] and all(c["change_min"] < 0 for c in changes["cells_losing"])
    assert changes["summary"]["cells_losing"] == len(changes["cells_losing"])


def test_the_weekly_pack_lists_hotspot_cells_by_a_direct_count(
    planned: tuple, tmp_path: Path
) -> None:
    """The sample's busiest week for one cell, counted on the plan's grid: the pack's hotspot
    cells are the top cells of a direct spatial join, new or persisting against the week
    before, named by the plan's streets where a hotspot stop lies in them."""
    import datetime as dt

    import geopandas as gpd

    from geo import sample

    out, _ = planned
    bundle = read_plan_bundle(out / "plan.json")
    assert bundle.cells is not None
    district = sample.load("toronto-uoft")
    joined = gpd.sjoin(
        district.incidents.to_crs(bundle.crs)[["geometry"]],
        bundle.cells[["cell_id", "geometry"]],
        predicate="intersects",
    )
    joined = joined[~joined.index.duplicated()]
    local = district.incidents["occurred_at"].dt.tz_convert(district.timezone)
    iso = local.loc[joined.index].dt.isocalendar()
    weeks = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    joined = joined.assign(week=weeks)
    per_cell = joined.groupby(["week", "cell_id"]).size()
    week = str(per_cell.idxmax()[0])
    year, number = (int(v) for v in week.split("-W"))
    monday = dt.date.fromisocalendar(year, number, 1) - dt.timedelta(days=7)
    before_week = "{}-W{:02d}".format(*monday.isocalendar()[:2])
    code, stdout, err = run(
        "review",
        "week",
        "--week",
        week,
        "--sample",
        "toronto-uoft",
        "--plans",
        str(out / "plan.json"),
        "--out",
        str(tmp_path),
        "--lang",
        "en,zh-CN",
        "--json",
    )
    assert code == 0, stdout + err
    doc = json.loads(stdout[stdout.index("{") :])
    this = joined.loc[joined["week"] == week, "cell_id"].value_counts()
    before = joined.loc[joined["week"] == before_week, "cell_id"].value_counts()

    def top(counts: pd.Series) -> list[str]:  # at least two incidents; ties by cell id
        kept = counts[counts >= 2].sort_index().sort_values(ascending=False, kind="stable")
        return [str(c) for c in kept.head(10).index]

    now = [c for c in doc["hotspot_cells"] if c["hotspot"] in ("new", "persisting")]
    assert now, "the busiest week has hotspot cells"
    assert [c["cell_id"] for c in now] == top(this)
    for cell in now:
        assert cell["count"] == int(this[cell["cell_id"]])
        assert cell["hotspot"] == ("persisting" if cell["cell_id"] in top(before) else "new")
        assert cell["label"]
    # a cell with a named hotspot stop of the plan is named by its street
    named = {
        str(t.cell_id)
        for t in bundle.tasks
        if t.kind.value == "hotspot" and bundle.places.get(t.task_id) is not None
    }
    for cell in now:
        if cell["cell_id"] in named:
            assert cell["label"] != cell["cell_id"]
    assert Path(doc["outputs"]["pdf_zh-CN"]).stat().st_size > 5_000


def test_plan_previous_prints_what_changed(planned: tuple, tmp_path: Path) -> None:
    out, _ = planned
    code, stdout, err = run(
        "plan",
        "--sample",
        "toronto-uoft",
        "--time-limit",
        "1",
        "--max-iterations",
        "30",
        "--unit-counts",
        "foot=1,car=1",
        "--previous",
        str(out / "plan.json"),
        "--out",
        str(tmp_path),
    )
    assert code == 0, stdout + err
    assert "Changes since the plan of" in stdout
    assert "cell(s) gain presence" in stdout and "Most presence lost:" in stdout
    code, stdout, err = run(
        "sheets",
        "--plan",
        str(tmp_path / "plan.json"),
        "--out",
        str(tmp_path / "sheets"),
        "--formats",
        "pdf,xlsx",
    )
    assert code == 0, stdout + err
    from pypdf import PdfReader

    first = PdfReader(tmp_path / "sheets" / "route_sheets.pdf").pages[0].extract_text()
    assert "Changes since the plan of" in first and "Most presence lost:" in first
