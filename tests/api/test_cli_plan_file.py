"""``gridpatrol plan`` writes a plan file; ``map --plan`` and ``sheets --plan`` draw exactly it.

Runs the real commands on the embedded samples: hour-stamped Toronto with bands that are not
among the defaults (18-02, 22-06), and dates-only Portland.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli.maps_cmds
import api.cli.plan  # noqa: F401  (registers the commands)
from api.cli.app import app

pytestmark = pytest.mark.slow

CASES = [("toronto-uoft", "18-02"), ("toronto-uoft", "22-06"), ("portland-central", "18-02")]


def invoke(*argv: str) -> dict:
    result = CliRunner().invoke(app, list(argv))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout[result.stdout.index("{") :])


def clock(seconds: int) -> str:
    """A plan time as printed: rounded to the minute, ``(+1)`` past midnight."""
    minutes = round(seconds / 60)
    text = f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
    return text + (" (+1)" if minutes >= 24 * 60 else "")


def stops_of(doc: dict) -> list[tuple[str, int, str, int, int]]:
    return [
        (r["unit_id"], s["order"], s["task_id"], s["arrive_s"], s["leave_s"])
        for r in doc["routes"]
        for s in r["stops"]
    ]


@pytest.fixture(scope="module", params=CASES, ids=[f"{s}-{b}" for s, b in CASES])
def planned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    sample, band = request.param
    out = tmp_path_factory.mktemp(f"{sample}-{band}")
    summary = invoke(
        "plan",
        "--sample",
        sample,
        "--band",
        band,
        "--time-limit",
        "2",
        "--max-iterations",
        "150",
        "--on-infeasible",
        "drop",
        "--out",
        str(out),
        "--json",
    )
    doc = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    return sample, band, out, summary, doc


def test_plan_exits_0_with_the_band_asked_for(planned) -> None:
    sample, band, _, summary, doc = planned
    assert summary["shift"] == band == doc["shift"]["band"]
    expected_risk_band = "day" if sample == "portland-central" else band
    assert doc["risk_band"] == summary["risk_band"] == expected_risk_band
    assert stops_of(doc), "the plan has stops"


def test_sheets_from_the_plan_file_print_its_stops_exactly(planned) -> None:
    _, _, out, _, doc = planned
    sheets = out / "sheets"
    result = invoke("sheets", "--plan", str(out / "plan.json"), "--out", str(sheets), "--json")
    assert result["plan"] == str(out / "plan.json")
    features = json.loads((sheets / "routes.geojson").read_text(encoding="utf-8"))["features"]
    printed = [
        (
            f["properties"]["unit_id"],
            f["properties"]["order"],
            f["properties"]["task_id"],
            f["properties"]["arrive"],
            f["properties"]["leave"],
        )
        for f in features
        if f["properties"]["feature_type"] == "stop"
    ]
    planned_stops = [
        (r["unit_id"], s["order"], s["task_id"], s["arrive"], s["leave"])
        for r in doc["routes"]
        for s in r["stops"]
    ]
    assert printed == planned_stops
    with (sheets / "route_sheets.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    printed_rows = [(r["Unit"], int(r["No."]), r["Arrive"]) for r in rows if r["No."]]
    assert printed_rows == [(unit, order, clock(s)) for unit, order, _, s, _ in stops_of(doc)]


def test_the_map_from_the_plan_file_shows_its_stops(planned) -> None:
    _, band, out, _, doc = planned
    result = invoke(
        "map",
        "--plan",
        str(out / "plan.json"),
        "--tiles",
        "none",
        "--out",
        str(out / "m"),
        "--json",
    )
    html = Path(result["map"]).read_text(encoding="utf-8")
    assert result["shift"] == band and result["risk_band"] == doc["risk_band"]
    for unit, order, _, arrive_s, _ in stops_of(doc):
        shown = clock(arrive_s)
        assert re.search(rf"{re.escape(unit)} #{order} {re.escape(shown)}", html), (unit, shown)


def test_drawing_twice_gives_the_same_sheets(planned, tmp_path: Path) -> None:
    _, _, out, _, _ = planned
    for k in (1, 2):
        invoke(
            "sheets",
            "--plan",
            str(out / "plan.json"),
            "--formats",
            "geojson,gpx",
            "--out",
            str(tmp_path / str(k)),
            "--json",
        )
    for name in ("routes.geojson", "routes.gpx"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_planning_options_with_a_plan_file_are_refused(planned) -> None:
    _, _, out, _, _ = planned
    result = CliRunner().invoke(
        app, ["map", "--plan", str(out / "plan.json"), "--band", "08-16", "--out", str(out)]
    )
    assert result.exit_code != 0
    assert "--band" in str(result.exception) and "plan again" in str(result.exception)


def test_an_older_plan_file_is_a_clear_error(planned, tmp_path: Path) -> None:
    doc = planned[4]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(dict(doc, schema_version=0)), encoding="utf-8")
    result = CliRunner().invoke(app, ["sheets", "--plan", str(old), "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "schema version 0" in str(result.exception)
