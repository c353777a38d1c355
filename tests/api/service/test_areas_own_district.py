"""A station brings its own district through the API: an area from an uploaded boundary, its
OSM extract (checked, built, stored once by hash), official grid with population, stations,
duties and units; a plan on them routes on streets (legs follow the streets, not straight
lines); the readiness answer says what the area has and lacks; bad files are 422s naming them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely.geometry import mapping

from api.service.planjob import run_plan_job
from geo import sample
from tests.api.service.conftest import Service

DATA = sample.data_dir("toronto-uoft")
OSM = DATA / "toronto_uoft_queens_park.osm"
INCIDENTS = DATA / "toronto_mci_incidents_2014_2021_uoft.csv"
UNITS = (
    "unit_id,mode,station,shift_start,shift_end\n"
    "F1,foot,queens-park,16:00,24:00\n"
    "C1,car,bay-street,16:00,24:00\n"
)


def _boundary_bytes() -> bytes:
    district = sample.load("toronto-uoft")
    outline = gpd.GeoSeries([district.boundary], crs=district.crs).to_crs("EPSG:4326")[0]
    feature = {"type": "Feature", "geometry": mapping(outline), "properties": {"name": "UofT"}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def _official_grid() -> bytes:
    """Three of the sample's neighbourhoods as an official grid with its own field names
    (社区编号, 社区名称) and a population in one of them."""
    source = json.loads((DATA / "areas_neighbourhoods_4326.geojson").read_text(encoding="utf-8"))
    features = []
    for number, feature in enumerate(source["features"][:3]):
        properties = feature["properties"]
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "grid_code": properties["AREA_SHORT_CODE"],
                    "grid_name": properties["AREA_NAME"],
                    "residents": 5000 if number == 0 else None,
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _file(name: str, data: bytes) -> dict[str, tuple[str, io.BytesIO]]:
    return {"file": (name, io.BytesIO(data))}


def _new_area(service: Service, admin: dict[str, str], name: str = "Own UofT") -> dict[str, Any]:
    response = service.client.post(
        "/areas/upload",
        data={"name": name, "timezone": "America/Toronto"},
        files={"boundary": ("uoft-boundary.geojson", io.BytesIO(_boundary_bytes()))},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    area: dict[str, Any] = response.json()
    return area


def _readiness(service: Service, admin: dict[str, str], area_id: int) -> dict[str, Any]:
    body: dict[str, Any] = service.client.get(f"/areas/{area_id}/readiness", headers=admin).json()
    return {layer["layer"]: layer for layer in body["layers"]} | {"ready": body["ready"]}


def test_own_district_end_to_end_plans_on_streets(service: Service, admin: dict[str, str]) -> None:
    area = _new_area(service, admin)
    area_id = area["id"]
    assert area["has_network"] is False and area["sample"] is None
    before = _readiness(service, admin, area_id)
    assert before["ready"] is False
    assert (
        before["boundary"]["present"] and before["boundary"]["filename"] == "uoft-boundary.geojson"
    )
    for missing in ("network", "official_areas", "stations", "duties", "units", "datasets"):
        assert before[missing]["present"] is False, missing
    assert before["stations"]["detail"]["illustrative"] == 1  # a centre until real ones come

    network = service.client.put(
        f"/areas/{area_id}/network", files=_file(OSM.name, OSM.read_bytes()), headers=admin
    )
    assert network.status_code == 200, network.text
    detail = network.json()["detail"]
    assert set(detail["modes"]) == {"foot", "bicycle", "car"}
    assert detail["nodes_inside"] > 0.5 and len(detail["sha256"]) == 64
    assert network.json()["area"]["has_network"] is True

    official = service.client.put(
        f"/areas/{area_id}/official-areas",
        files=_file("grid.geojson", _official_grid()),
        data={"id_field": "grid_code", "name_field": "grid_name", "population_field": "residents"},
        headers=admin,
    )
    assert official.status_code == 200, official.text
    assert official.json()["count"] == 3
    assert official.json()["detail"]["with_population"] == 1
    codes = [f["properties"]["grid_code"] for f in json.loads(_official_grid())["features"]]
    population = service.client.patch(
        f"/areas/{area_id}/population",
        json={"population": {codes[1]: 12000}},
        headers=admin,
    )
    assert population.status_code == 200, population.text
    bad_population = service.client.patch(
        f"/areas/{area_id}/population",
        json={"population": {"nope": 5, codes[2]: -1}},
        headers=admin,
    )
    assert bad_population.status_code == 422
    problems = bad_population.json()["problems"]
    assert {p["column"] for p in problems} == {"nope", codes[2]}

    for layer, path in (("stations", DATA / "stations.csv"), ("duties", DATA / "duties.csv")):
        answer = service.client.put(
            f"/areas/{area_id}/{layer}", files=_file(path.name, path.read_bytes()), headers=admin
        )
        assert answer.status_code == 200, answer.text
    units = service.client.put(
        f"/areas/{area_id}/units", files=_file("units.csv", UNITS.encode()), headers=admin
    )
    assert units.status_code == 200 and units.json()["count"] == 2, units.text
    timezone = service.client.patch(
        f"/areas/{area_id}", json={"timezone": "America/Toronto"}, headers=admin
    )
    assert timezone.status_code == 200

    dataset = service.client.post(
        "/datasets",
        data={"area_id": str(area_id)},
        files={"file": (INCIDENTS.name, io.BytesIO(INCIDENTS.read_bytes()))},
        headers=admin,
    )
    assert dataset.status_code == 201, dataset.text
    after = _readiness(service, admin, area_id)
    assert after["ready"] is True
    assert after["network"]["filename"] == OSM.name
    assert after["official_areas"]["detail"]["with_population"] == 2
    assert after["stations"]["present"] and after["stations"]["count"] == 2
    assert after["duties"]["count"] >= 2
    assert after["units"]["count"] == 2 and after["datasets"]["count"] == 1

    # A plan without units or duties of its own uses the area's.
    job = service.client.post(
        "/plans",
        json={"dataset_id": dataset.json()["id"], "band": "16-24", "time_limit_s": 2, "top": 10},
        headers=admin,
    )
    assert job.status_code == 202, job.text
    parameters = job.json()["parameters"]
    assert parameters["units_csv"] == UNITS and parameters["duties_csv"]
    assert run_plan_job(job.json()["id"], service.url, parameters) == "succeeded"
    routes = service.client.get(f"/plans/{job.json()['id']}/routes", headers=admin).json()
    legs = [
        f for f in routes["features"] if f["geometry"] and f["geometry"]["type"] == "LineString"
    ]
    assert legs, "the plan has route legs"
    vertices = [len(f["geometry"]["coordinates"]) for f in legs]
    # Street paths, not straight lines: most legs bend with the streets.
    assert sum(v > 2 for v in vertices) >= 0.8 * len(vertices), vertices
    units_planned = {f["properties"].get("unit_id") for f in legs}
    assert units_planned <= {"F1", "C1"} and units_planned


def test_the_same_osm_file_is_stored_once(service: Service, admin: dict[str, str]) -> None:
    from api.service.db import make_engine, make_session_factory
    from api.service.models import NetworkFile

    shas = set()
    for name in ("A", "B"):
        area_id = _new_area(service, admin, name)["id"]
        answer = service.client.put(
            f"/areas/{area_id}/network", files=_file(OSM.name, OSM.read_bytes()), headers=admin
        )
        assert answer.status_code == 200, answer.text
        shas.add(answer.json()["detail"]["sha256"])
    assert len(shas) == 1
    with make_session_factory(make_engine(service.url, pooled=False))() as session:
        assert session.query(NetworkFile).count() == 1
    dropped = service.client.delete(f"/areas/{area_id}/layers/network", headers=admin)
    assert dropped.status_code == 200 and dropped.json()["has_network"] is False


@pytest.mark.parametrize(
    ("name", "data", "status", "says"),
    [
        ("streets.osm", b"<osm><node id='1' lat='x'/></osm>", 422, "streets.osm"),
        ("streets.osm", b"", 422, "empty"),
        ("streets.txt", b"hello", 422, ".osm"),
    ],
)
def test_bad_osm_uploads_are_422_naming_the_file(
    service: Service, admin: dict[str, str], name: str, data: bytes, status: int, says: str
) -> None:
    area_id = _new_area(service, admin)["id"]
    answer = service.client.put(f"/areas/{area_id}/network", files=_file(name, data), headers=admin)
    assert answer.status_code == status, answer.text
    assert says in answer.text
    assert service.client.get(f"/areas/{area_id}", headers=admin).json()["has_network"] is False


def test_an_osm_file_of_another_place_is_refused(
    service: Service, admin: dict[str, str], tmp_path: Path
) -> None:
    far = {
        "type": "Polygon",
        "coordinates": [
            [[116.30, 39.90], [116.31, 39.90], [116.31, 39.91], [116.30, 39.91], [116.30, 39.90]]
        ],
    }
    area = service.area(admin, "Beijing", boundary=far, timezone="Asia/Shanghai")
    answer = service.client.put(
        f"/areas/{area['id']}/network", files=_file(OSM.name, OSM.read_bytes()), headers=admin
    )
    assert answer.status_code == 422
    assert "inside area 'Beijing'" in answer.text and "osmium extract" in answer.text


def test_bad_layer_files_are_422_and_change_nothing(
    service: Service, admin: dict[str, str]
) -> None:
    area_id = _new_area(service, admin)["id"]
    bad_units = "unit_id,mode,station,shift_start,shift_end\nF1,boat,nowhere,16:00,24:00\n"
    answer = service.client.put(
        f"/areas/{area_id}/units", files=_file("units.csv", bad_units.encode()), headers=admin
    )
    assert answer.status_code == 422
    sources = {p["source"] for p in answer.json()["problems"]}
    assert sources == {"units.csv"}
    duties = "duty_id,kind,lat,lon\nfar,post,10.0,10.0\n"
    answer = service.client.put(
        f"/areas/{area_id}/duties", files=_file("duties.csv", duties.encode()), headers=admin
    )
    assert answer.status_code == 422 and "duties.csv" in answer.text
    readiness = _readiness(service, admin, area_id)
    assert not readiness["units"]["present"] and not readiness["duties"]["present"]
    viewer = service.user("viewer", "viewer", [area_id])
    answer = service.client.put(
        f"/areas/{area_id}/units", files=_file("units.csv", UNITS.encode()), headers=viewer
    )
    assert answer.status_code == 403
