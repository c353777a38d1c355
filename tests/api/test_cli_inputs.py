"""The command line with real-world files (issue 14): ``--columns``, ``--datetime-format``,
``--sheet`` and ``--keep-valid`` on ``plan`` and ``validate``; ``validate`` for every input kind;
malformed files exit 2 with a located message and no traceback; messages name CLI flags."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from api.cli import main
from geo.sample import data_dir
from tests.geo._network_osm import write_grid


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = 0
    try:
        main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _open_data_csv(path: Path, rows: int = 40, withheld: int = 2) -> Path:
    """A Vancouver-style export: date parts, UTM x/y, some locations withheld as (0, 0)."""
    rng = random.Random(7)
    lines = ["TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,X,Y"]
    for _ in range(rows):
        x = 491500 + rng.random() * 1500
        y = 5457500 + rng.random() * 1500
        day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
        lines.append(f"Theft,2024,3,{day},{hour},{minute},1XX MAIN ST,{x:.1f},{y:.1f}")
    lines += ["Mischief,2024,3,6,,,OFFSET TO PROTECT PRIVACY,0,0"] * withheld
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


PLAN_ARGS = ("--crs", "EPSG:26910", "--timezone", "America/Vancouver", "--time-limit", "1")


def test_plan_without_keep_valid_names_the_flag(capsys, tmp_path: Path) -> None:
    path = _open_data_csv(tmp_path / "van.csv")
    code, _, err = run(
        capsys, "plan", "--incidents", str(path), *PLAN_ARGS, "--out", str(tmp_path / "o")
    )
    assert code == 2
    assert "2 of 42 rows have problems; --keep-valid uses the 40 valid rows" in err
    assert "withheld or missing; expected a real position [on 2 rows: 41, 42]" in err
    assert "Traceback" not in err


def test_plan_with_keep_valid_writes_rejected_rows_and_says_so(capsys, tmp_path: Path) -> None:
    path = _open_data_csv(tmp_path / "van.csv")
    out = tmp_path / "out"
    code, stdout, err = run(
        capsys, "plan", "--incidents", str(path), *PLAN_ARGS, "--keep-valid", "--out", str(out)
    )
    assert code == 0, err
    summary = json.loads(stdout) if stdout.lstrip().startswith("{") else None
    rejected = pd.read_csv(out / "rejected.csv")
    assert rejected["source_row"].tolist() == [41, 42]
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert any("2 of 42 rows rejected" in note for note in plan["notes"])
    assert plan["district"]["source"]["keep_valid"] is True
    assert summary is None  # human output; the JSON form is covered by the plan file
    assert "2 of 42 rows rejected" in stdout


def test_plan_with_columns_and_datetime_format(capsys, tmp_path: Path) -> None:
    path = tmp_path / "cn.csv"
    rows = [f"{d:02d}/03/2024 2{d % 4}:00;盗窃;31.{2000 + d};121.{4000 + d}" for d in range(13, 25)]
    path.write_text("发生于;种类;北纬;东经\n" + "\n".join(rows) + "\n", encoding="gbk")
    out = tmp_path / "out"
    code, _, err = run(
        capsys,
        "plan",
        "--incidents",
        str(path),
        "--columns",
        "datetime=发生于,category=种类,lat=北纬,lon=东经",
        "--datetime-format",
        "%d/%m/%Y %H:%M",
        "--timezone",
        "Asia/Shanghai",
        "--time-limit",
        "1",
        "--out",
        str(out),
    )
    assert code == 0, err
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["district"]["source"]["datetime_format"] == "%d/%m/%Y %H:%M"
    assert plan["district"]["source"]["columns"].startswith("lon=东经,lat=北纬")


def test_bad_columns_option_is_a_user_error(capsys, tmp_path: Path) -> None:
    path = _open_data_csv(tmp_path / "van.csv")
    code, _, err = run(capsys, "plan", "--incidents", str(path), "--columns", "when=x")
    assert code == 2
    assert "--columns: unknown role 'when'" in err


# --------------------------------------------------------------------------------------------
# validate: every kind


def test_validate_detects_every_kind(capsys, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text("unit_id,mode,station,shift_start,shift_end\nu1,foot,base,08:00,16:00\n")
    duties = tmp_path / "duties.csv"
    duties.write_text(
        "duty_id,kind,name,start,end,lat,lon\nd1,post,Gate,08:00,09:00,45.52,-122.68\n"
    )
    stations = tmp_path / "stations.csv"
    stations.write_text("station_id,name,lat,lon\nbase,Base,45.52,-122.68\n")
    network = write_grid(tmp_path)
    incidents = tmp_path / "incidents.csv"
    incidents.write_text("lat|lon|date\n45.52|-122.68|2024-03-05\n")
    code, stdout, err = run(
        capsys,
        "validate",
        str(units),
        str(duties),
        str(stations),
        str(network),
        str(incidents),
        "--json",
    )
    assert code == 0, err
    files = json.loads(stdout)["files"]
    assert [f["kind"] for f in files] == ["units", "duties", "stations", "network", "incidents"]
    assert all(f["usable"] for f in files)
    sizes = files[3]["networks"]
    assert set(sizes) == {"foot", "bicycle", "car"}
    assert sizes["foot"]["nodes"] > 0 and sizes["car"]["edges"] > 0
    west, south, east, north = files[3]["extent"]
    assert -122.69 < west < east < -122.67 and 45.51 < south < north < 45.53
    assert files[4]["categories"] == {"all": 1}
    assert any("no category column" in w for w in files[4]["warnings"])


def test_validate_kind_forces_a_reader(capsys, tmp_path: Path) -> None:
    path = tmp_path / "outline.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[0.1, 0.1], [0.2, 0.1], [0.2, 0.2], [0.1, 0.1]]],
                        },
                    }
                ],
            }
        )
    )
    code, stdout, _ = run(capsys, "validate", str(path), "--kind", "boundary", "--json")
    assert code == 0
    assert json.loads(stdout)["files"][0]["kind"] == "boundary"
    code, stdout, _ = run(capsys, "validate", str(path), "--kind", "stations", "--json")
    assert code == 2
    (report,) = json.loads(stdout)["files"]
    assert any("expected a Point" in p["message"] for p in report["problems"])


MALFORMED = {
    "ring.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
    '"geometry":{"type":"Polygon","coordinates":[[[-122.68,45.51],[-122.67,45.51],'
    "[-122.67,45.52]]]}}]}",
    "metres.geojson": '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
    '{"id":"a"},"geometry":{"type":"Polygon","coordinates":[[[492000,5458000],[493000,5458000]'
    ",[493000,5459000],[492000,5458000]]]}}]}",
    "broken.osm": "<osm><node id='1' lat='x' lon='y'/>",
    "noise.gpkg": "this is not a geopackage",
    "empty.graphml": "",
    "noise.xlsx": "not a zip",
    "half.csv": 'lat,lon,date,category\n"45.5,-122.6,2024-03-05,theft\n',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_are_located_messages(capsys, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(MALFORMED[name], encoding="utf-8")
    code, stdout, err = run(capsys, "validate", str(path), "--json")
    assert code == 2, stdout
    assert "Traceback" not in err
    (report,) = json.loads(stdout)["files"]
    assert report["problems"] and all(p["source"] == name for p in report["problems"])


def test_validate_keep_valid_and_sheet(capsys, tmp_path: Path) -> None:
    path = tmp_path / "van.xlsx"
    table = pd.read_csv(_open_data_csv(tmp_path / "van.csv", rows=5, withheld=1))
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["cover"]}).to_excel(writer, sheet_name="说明", index=False)
        table.to_excel(writer, sheet_name="警情", index=False)
    out = tmp_path / "out"
    args = ("--crs", "EPSG:26910", "--sheet", "警情", "--out", str(out), "--json")
    code, stdout, _ = run(capsys, "validate", str(path), *args)
    assert code == 2
    (report,) = json.loads(stdout)["files"]
    assert "--keep-valid" in report["problems"][0]["message"] or any(
        "withheld" in p["message"] for p in report["problems"]
    )
    code, stdout, _ = run(capsys, "validate", str(path), *args, "--keep-valid")
    assert code == 0
    (report,) = json.loads(stdout)["files"]
    assert (report["count"], report["left_out"]) == (5, 1)
    assert Path(report["rejected"]).exists()


def test_validate_messages_name_cli_flags(capsys, tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("date,type,lat,lon\n03/05/2024,theft,45.5,-122.6\n")
    code, stdout, _ = run(capsys, "validate", str(path))
    assert code == 2
    assert "--datetime-format '%d/%m/%Y'" in stdout
    assert "datetime_format=" not in stdout
    code, stdout, _ = run(capsys, "validate", str(path), "--datetime-format", "%d/%m/%Y")
    assert code == 0, stdout


# --------------------------------------------------------------------------------------------
# layers that do not belong together

TORONTO = data_dir("toronto-uoft")
PORTLAND = data_dir("portland-central")


def test_plan_refuses_incidents_of_another_city(capsys, tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        "plan",
        "--incidents",
        str(PORTLAND / "portland_incidents.csv"),
        "--network",
        str(TORONTO / "toronto_uoft_queens_park.osm"),
        "--timezone",
        "America/Los_Angeles",
        "--out",
        str(tmp_path),
    )
    assert code == 2
    assert "incidents: the layer lies 3," in err
    assert "km from the street network toronto_uoft_queens_park.osm" in err
    assert "Traceback" not in err


def test_plan_refuses_stations_outside_the_boundary(capsys, tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        "plan",
        "--incidents",
        str(PORTLAND / "portland_incidents.csv"),
        "--boundary",
        str(PORTLAND / "boundary.geojson"),
        "--stations",
        str(TORONTO / "stations.csv"),
        "--timezone",
        "America/Los_Angeles",
        "--out",
        str(tmp_path),
    )
    assert code == 2
    assert "stations.csv: the layer lies" in err and "from the boundary boundary.geojson" in err


def test_swapped_incident_file_is_not_usable(capsys, tmp_path: Path) -> None:
    table = pd.read_csv(TORONTO / "toronto_mci_incidents_2014_2021_uoft.csv")
    lat = next(c for c in table.columns if c.lower() in ("lat", "latitude"))
    lon = next(c for c in table.columns if c.lower() in ("lon", "long", "longitude", "lng"))
    table = table.rename(columns={lat: lon, lon: lat})
    path = tmp_path / "swapped.csv"
    table.to_csv(path, index=False)
    code, stdout, _ = run(capsys, "validate", str(path), "--timezone", "America/Toronto")
    assert code == 2
    assert "look swapped in every row" in stdout and f"--columns lon={lat},lat={lon}" in stdout


def test_validate_checks_layers_against_a_network_given_with_them(capsys) -> None:
    code, stdout, _ = run(
        capsys,
        "validate",
        str(TORONTO / "toronto_uoft_queens_park.osm"),
        str(PORTLAND / "stations.csv"),
        str(TORONTO / "stations.csv"),
        "--json",
    )
    assert code == 2
    network, portland, toronto = json.loads(stdout)["files"]
    assert network["usable"] and toronto["usable"]
    assert not portland["usable"]
    (problem,) = portland["problems"]
    assert "km from the street network toronto_uoft_queens_park.osm" in problem["message"]
