"""Areas from GeoJSON (checked like files), grids and hotspots as GeoJSON."""

from __future__ import annotations

from tests.api.service.conftest import SQUARE, Service


def test_area_from_geojson_has_layers(service: Service, admin: dict[str, str]) -> None:
    stations = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-79.392, 43.662]},
                "properties": {"station_id": "s1", "name": "Station 1"},
            }
        ],
    }
    area = service.area(admin, "A", boundary=SQUARE, timezone="America/Toronto", stations=stations)
    assert area["station_count"] == 1 and area["has_network"] is False
    layers = service.client.get(f"/areas/{area['id']}/layers", headers=admin).json()
    assert [f["properties"]["layer"] for f in layers["features"]] == ["boundary", "station"]
    renamed = service.client.patch(
        f"/areas/{area['id']}", json={"name": "A2"}, headers=admin
    ).json()
    assert renamed["name"] == "A2"
    assert (
        service.client.patch(
            f"/areas/{area['id']}", json={"timezone": "Mars/Olympus"}, headers=admin
        ).status_code
        == 422
    )


def test_bad_area_layers_are_422(service: Service, admin: dict[str, str]) -> None:
    line = {"type": "LineString", "coordinates": [[-79.4, 43.65], [-79.38, 43.67]]}
    response = service.client.post(
        "/areas", json={"name": "A", "boundary": line, "timezone": "UTC"}, headers=admin
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["source"] == "boundary.geojson"
    missing = service.client.post("/areas", json={"name": "A"}, headers=admin)
    assert missing.status_code == 422
    unknown = service.client.post("/areas", json={"name": "A", "sample": "atlantis"}, headers=admin)
    assert unknown.status_code == 422
    assert service.client.get("/areas", headers=admin).json()["total"] == 0
    service.area(admin, "A")
    again = service.client.post(
        "/areas", json={"name": "A", "boundary": SQUARE, "timezone": "UTC"}, headers=admin
    )
    assert again.status_code == 409


def test_grid_cells_and_hotspots(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "UofT", sample="toronto-uoft")
    grid = service.client.post(
        "/grids", json={"area_id": area["id"], "kind": "hex", "cell_size_m": 250}, headers=admin
    )
    assert grid.status_code == 201
    cells = service.client.get(f"/grids/{grid.json()['id']}/cells", headers=admin).json()
    assert len(cells["features"]) == grid.json()["cell_count"] > 0
    assert cells["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert "area_id" in cells["features"][0]["properties"]

    dataset_id = service.client.get("/datasets", headers=admin).json()["items"][0]["id"]
    hot = service.client.get(f"/hotspots?dataset_id={dataset_id}&band=16-24&top=5", headers=admin)
    assert hot.status_code == 200, hot.text
    body = hot.json()
    assert 0 < len(body["features"]) <= 5
    ranks = [f["properties"]["rank"] for f in body["features"]]
    assert ranks == sorted(ranks)
    assert body["properties"]["band"]
    bad = service.client.get(f"/hotspots?dataset_id={dataset_id}&band=xx", headers=admin)
    assert bad.status_code == 422
    assert service.client.delete(f"/grids/{grid.json()['id']}", headers=admin).status_code == 204
