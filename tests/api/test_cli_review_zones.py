"""The review commands' shared options: ``--timezone auto`` (the default) reads times in the
district's own zone (Asia/Shanghai for a Chinese district, the plan's zone for a plan review)
and says which; a day the clocks change counts its hours right."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import api.cli.review  # noqa: F401  (registers the commands)
from api.cli.app import UserError, app
from api.cli.review import review_zone
from geo.io.tracks import read_tracks
from maps.bundle import PlanBundle
from maps.review.run import review_bundle
from tests.tracksim import CRS, grid_cells, grid_plan


def run(*argv: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(argv))
    return result.exit_code, result.stdout + str(result.exception or "")


@pytest.fixture(scope="module")
def beijing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two areas in Beijing and incidents whose times carry a UTC offset: the one at
    2024-04-30 17:30Z is 1 May 01:30 in Beijing."""
    folder = tmp_path_factory.mktemp("beijing")
    areas = gpd.GeoDataFrame(
        {"area_id": ["A", "B"], "name": ["东华门", "景山"]},
        geometry=[box(116.390, 39.905, 116.400, 39.915), box(116.400, 39.905, 116.410, 39.915)],
        crs="EPSG:4326",
    )
    areas_path = folder / "areas.geojson"
    areas.to_file(areas_path, driver="GeoJSON")
    rows = []
    for k in range(6):  # May in A, well inside the month in any zone
        rows.append((f"m{k}", f"2024-05-{10 + k:02d}T04:00:00Z", "burglary", 39.910, 116.395))
    for k in range(5):  # April in A
        rows.append((f"a{k}", f"2024-04-{10 + k:02d}T04:00:00Z", "burglary", 39.910, 116.395))
    rows.append(("edge", "2024-04-30T17:30:00Z", "burglary", 39.910, 116.395))
    for k in range(5):  # May a year before in A
        rows.append((f"y{k}", f"2023-05-{10 + k:02d}T04:00:00Z", "burglary", 39.910, 116.395))
    incidents = pd.DataFrame(rows, columns=["incident_id", "occurred_at", "category", "lat", "lon"])
    incidents_path = folder / "incidents.csv"
    incidents.to_csv(incidents_path, index=False)
    return incidents_path, areas_path


def _month(beijing: tuple[Path, Path], out: Path, *extra: str) -> dict:
    incidents, areas = beijing
    code, text = run(
        "review",
        "month",
        "--month",
        "2024-05",
        "--incidents",
        str(incidents),
        "--areas",
        str(areas),
        "--min-count",
        "1",
        "--lang",
        "en",
        "--out",
        str(out),
        "--json",
        *extra,
    )
    assert code == 0, text
    return json.loads(text[text.index("{") :])


def test_a_chinese_district_is_reviewed_in_beijing_time(
    beijing: tuple[Path, Path], tmp_path: Path
) -> None:
    doc = _month(beijing, tmp_path / "auto")
    assert doc["source"]["timezone"] == "Asia/Shanghai"
    assert any("Asia/Shanghai" in note for note in doc["notes"])
    area = next(a for a in doc["areas"] if a["area_id"] == "A")
    # 6 in May plus the one at 01:30 on 1 May Beijing time; April keeps 5
    assert (area["count"], area["count_last_month"], area["count_last_year"]) == (7, 5, 5)
    utc = _month(beijing, tmp_path / "utc", "--timezone", "UTC")
    area = next(a for a in utc["areas"] if a["area_id"] == "A")
    assert utc["source"]["timezone"] == "UTC"
    assert (area["count"], area["count_last_month"]) == (6, 6)


def test_the_weekly_pack_states_its_zone_and_lists_hotspot_cells(
    beijing: tuple[Path, Path], tmp_path: Path
) -> None:
    incidents, areas = beijing
    code, text = run(
        "review",
        "week",
        "--week",
        "2024-W20",
        "--incidents",
        str(incidents),
        "--areas",
        str(areas),
        "--lang",
        "en",
        "--out",
        str(tmp_path),
        "--json",
    )
    assert code == 0, text
    doc = json.loads(text[text.index("{") :])
    assert doc["timezone"] == "Asia/Shanghai"
    # 2024-W20 is 13-19 May: m3, m4, m5 (13, 14, 15 May) in one cell of area A, none the week
    # before (6-12 May holds m0-m2: 10-12 May)
    cells = doc["hotspot_cells"]
    assert [(c["count"], c["count_last_week"], c["hotspot"]) for c in cells] == [
        (3, 3, "persisting")
    ]
    assert cells[0]["area_id"] == "A" and cells[0]["label"]
    assert doc["hotspots"]["cells"]["persisting"] == [cells[0]["cell_id"]]


def test_an_unknown_zone_is_a_user_error() -> None:
    with pytest.raises(UserError, match="--timezone: unknown IANA time zone 'Mars/Olympus'"):
        review_zone("Mars/Olympus")
    assert review_zone("auto", plan_zone="America/Toronto")[0] == "America/Toronto"
    assert review_zone("Asia/Shanghai", plan_zone="America/Toronto")[0] == "Asia/Shanghai"


def test_a_spring_forward_night_counts_its_hours(tmp_path: Path) -> None:
    """On 10 March 2024 Los Angeles clocks jump from 02:00 to 03:00. A unit holds one place
    from 01:30 to 03:30 by the clock (one real hour); its track is a CSV of local times
    without an offset. Read in the plan's zone (the default), hour 01 and hour 03 get 30
    minutes each and hour 02, which did not happen, none."""
    plan, tasks, units, _ = grid_plan(units=1, stops=1, seed=2, start_s=3600, dwell_s=1800)
    day = pd.Timestamp("2024-03-10").date()
    bundle = PlanBundle(
        crs=pyproj.CRS(CRS),
        district="Test grid",
        plan_date=day,
        timezone="America/Los_Angeles",
        cells=grid_cells(),
        plan=plan,
        tasks=tasks,
        units=units,
        shift="00-08",
    )
    stop = plan.routes[0].stops[0]
    lonlat = gpd.GeoSeries(gpd.points_from_xy([stop.x], [stop.y]), crs=CRS).to_crs(4326)
    clock = [*pd.date_range("2024-03-10 01:30", "2024-03-10 01:59:50", freq="10s")]
    clock += [*pd.date_range("2024-03-10 03:00", "2024-03-10 03:29:50", freq="10s")]
    track = pd.DataFrame(
        {
            "unit_id": "U1",
            "time": [t.strftime("%Y-%m-%d %H:%M:%S") for t in clock],
            "lat": float(lonlat.y.iloc[0]),
            "lon": float(lonlat.x.iloc[0]),
        }
    )
    path = tmp_path / "track.csv"
    track.to_csv(path, index=False)
    zone, _ = review_zone("auto", plan_zone=bundle.timezone)
    review = review_bundle(bundle, read_tracks(path, timezone=zone)).review
    hours = review.presence.groupby("hour")["actual_min"].sum()
    assert hours.get(1) == pytest.approx(29 + 50 / 60, abs=0.01)
    assert hours.get(3) == pytest.approx(29 + 50 / 60, abs=0.01)
    assert hours.get(2, 0.0) == 0.0
    # the real hour at the place, not two: the jump of the clock is no presence
    assert review.units.iloc[0]["actual_presence_min"] == pytest.approx(59 + 40 / 60, abs=0.01)
    # the same file read as UTC puts the unit there the evening before: nothing in the shift
    wrong = review_bundle(bundle, read_tracks(path, timezone="UTC")).review
    assert wrong.units.iloc[0]["actual_presence_min"] == 0.0
