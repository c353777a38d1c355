"""A station's own district in headless Chromium against a real running service: create an
area from an uploaded boundary, upload its OSM extract, duties and incidents on the area page,
plan, open the map, download the sheets, and check the routes follow the streets (every leg
has more than two vertices: street paths, not straight lines). Any JavaScript error fails it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import mapping

from geo import sample
from tests.api.web.live import LiveService
from tests.api.web.test_browser import (  # noqa: F401 - the fixtures are used by name
    PASSWORD,
    browser,
    page,
    pytestmark,
    server,
)

DATA = sample.data_dir("toronto-uoft")
OSM = DATA / "toronto_uoft_queens_park.osm"
INCIDENTS = DATA / "toronto_mci_incidents_2014_2021_uoft.csv"


def _boundary_file(folder: Path) -> Path:
    district = sample.load("toronto-uoft")
    outline = gpd.GeoSeries([district.boundary], crs=district.crs).to_crs("EPSG:4326")[0]
    path = folder / "our-district.geojson"
    feature = {"type": "Feature", "geometry": mapping(outline), "properties": {}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_own_district_in_a_browser_plans_on_streets(
    page: tuple[Any, list[str]],  # noqa: F811
    server: LiveService,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    p, errors = page
    base = server.base_url
    p.goto(f"{base}/web/")
    p.fill("input[name=username]", "admin")
    p.fill("input[name=password]", PASSWORD)
    p.click("#login-form button[type=submit]")
    expect(p.locator("h1")).to_have_text("Your areas")

    # A new area from the district's boundary file and its stations.
    form = "#area-files-form"
    p.fill(f"{form} input[name=name]", "Our district")
    p.fill(f"{form} input[name=timezone]", "America/Toronto")
    p.set_input_files(f"{form} input[name=boundary]", str(_boundary_file(tmp_path)))
    p.set_input_files(f"{form} input[name=stations]", str(DATA / "stations.csv"))
    p.click(f"{form} button[type=submit]")
    expect(p.locator("h1")).to_have_text("Our district")
    expect(p.locator("#district-state")).to_contain_text("Not ready")
    expect(p.locator("#readiness tr[data-layer=network] .state")).to_have_text("missing")
    expect(p.locator("#readiness tr[data-layer=stations] .state")).to_have_text("present")

    # Its street network, duties and incidents.
    p.set_input_files("#layer-network input[type=file]", str(OSM))
    p.click("#layer-network button[type=submit]")
    expect(p.locator("#readiness tr[data-layer=network] .state")).to_have_text(
        "present", timeout=120_000
    )
    expect(p.locator("#readiness tr[data-layer=network]")).to_contain_text(OSM.name)
    p.set_input_files("#layer-duties input[type=file]", str(DATA / "duties.csv"))
    p.click("#layer-duties button[type=submit]")
    expect(p.locator("#readiness tr[data-layer=duties] .state")).to_have_text("present")
    p.set_input_files("#upload-form input[type=file]", str(INCIDENTS))
    p.click("#upload-form button[type=submit]")
    expect(p.locator("#datasets")).to_contain_text("822")
    expect(p.locator("#district-state")).to_contain_text("Ready")

    # The area page in Chinese says what it has.
    area_url = p.url.split("#")[0].split("?")[0]
    p.goto(f"{area_url}?lang=zh-CN")
    expect(p.locator("#district h2")).to_have_text("辖区基础数据")
    expect(p.locator("#readiness tr[data-layer=network] .state")).to_have_text("已有")
    p.goto(f"{area_url}?lang=en")

    # Plan the evening shift on it.
    p.fill("#plan-form input[name=band]", "16-24")
    p.fill("#plan-form input[name=car]", "1")
    p.fill("#plan-form input[name=foot]", "1")
    p.fill("#plan-form input[name=bicycle]", "0")
    p.fill("#plan-form input[name=time_limit_s]", "2")
    p.fill("#plan-form input[name=top]", "10")
    p.click("#run-plan")
    expect(p.locator("h1")).to_contain_text("Plan")
    plan_id = int(p.url.rstrip("/").split("/")[-1].split("?")[0])
    expect(p.locator("#plan-map")).to_be_visible(timeout=180_000)
    expect(p.locator("#routes tbody tr")).to_have_count(2)
    frame = p.frame_locator("#plan-map")
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached(timeout=30_000)

    # Street routes: every leg of the plan follows the streets.
    routes = p.request.get(f"{base}/plans/{plan_id}/routes").json()
    legs = [
        f["geometry"]["coordinates"]
        for f in routes["features"]
        if f["geometry"] and f["geometry"]["type"] == "LineString"
    ]
    assert legs
    assert all(len(leg) > 2 for leg in legs), [len(leg) for leg in legs]
    document = p.request.get(f"{base}/plans/{plan_id}/document").json()
    kinds = {t["kind"] for t in document["tasks"]}
    assert {"post", "line"} & kinds, ("the area's duties are in the plan", kinds)

    # The sheets download (the links of the plan page).
    with p.expect_download(timeout=180_000) as download_info:
        p.click("#download-csv")
    target = tmp_path / "sheets.csv"
    download_info.value.save_as(target)
    assert "F" in target.read_text(encoding="utf-8-sig")
    with p.expect_download(timeout=180_000) as download_info:
        p.click("#download-pdf")
    target = tmp_path / "sheets.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert not errors, errors
