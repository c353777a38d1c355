"""Uploads: good CSV and GeoJSON, a bad CSV (422 with row and column, nothing written), the
size limit (413), incidents as GeoJSON, deletion."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from api.service.db import make_engine, make_session_factory
from api.service.models import Incident, IncidentDataset
from tests.api.service.conftest import Service

GOOD_CSV = (
    b"date,category,lat,lon\n"
    b"2024-03-01 22:10,theft,43.662,-79.393\n"
    b"2024-03-02 08:15,robbery,43.660,-79.390\n"
    b"2024-03-02 23:40,theft,43.664,-79.395\n"
)

BAD_CSV = (
    b"date,category,lat,lon\n"
    b"2024-03-01 22:10,theft,43.662,-79.393\n"
    b"2024-03-02 08:15,robbery,not-a-number,-79.390\n"
    b"yesterday,theft,43.664,-79.395\n"
)

GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-79.393, 43.662]},
                "properties": {"occurred_at": "2024-03-01T22:10:00", "category": "theft"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-79.390, 43.660]},
                "properties": {"occurred_at": "2024-03-02T08:15:00", "category": "burglary"},
            },
        ],
    }
).encode()


def _post(
    service: Service, headers: dict[str, str], area_id: int, name: str, content: bytes
) -> httpx.Response:
    return service.client.post(
        "/datasets",
        data={"area_id": str(area_id)},
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url, pooled=False)
    with make_session_factory(engine)() as session:
        counts = (
            int(session.scalar(select(func.count()).select_from(IncidentDataset)) or 0),
            int(session.scalar(select(func.count()).select_from(Incident)) or 0),
        )
    engine.dispose()
    return counts


def test_upload_good_csv_and_geojson(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    csv = _post(service, admin, area["id"], "march.csv", GOOD_CSV)
    assert csv.status_code == 201, csv.text
    body = csv.json()
    assert body["row_count"] == 3 and body["filename"] == "march.csv"
    assert body["categories"] == {"robbery": 1, "theft": 2}
    geo = _post(service, admin, area["id"], "points.geojson", GEOJSON)
    assert geo.status_code == 201, geo.text
    assert geo.json()["row_count"] == 2
    assert _counts(service.url) == (2, 5)

    page = service.client.get(
        f"/datasets/{body['id']}/incidents?limit=2&offset=1", headers=admin
    ).json()
    assert page["properties"] == {"total": 3, "offset": 1, "limit": 2}
    assert len(page["features"]) == 2
    assert page["features"][0]["geometry"]["coordinates"] == [-79.39, 43.66]
    # 08:15 in Toronto (EST) is 13:15 UTC.
    assert page["features"][0]["properties"]["occurred_at"] == "2024-03-02T13:15:00Z"

    listed = service.client.get(f"/datasets?area_id={area['id']}&limit=1", headers=admin).json()
    assert listed["total"] == 2 and len(listed["items"]) == 1


def test_bad_csv_is_422_with_rows_and_columns_and_writes_nothing(
    service: Service, admin: dict[str, str]
) -> None:
    area = service.area(admin, "A")
    response = _post(service, admin, area["id"], "bad incidents.csv", BAD_CSV)
    assert response.status_code == 422
    body = response.json()
    problems = body["problems"]
    assert {p["source"] for p in problems} == {"bad_incidents.csv"}
    located = {(p["row"], p["column"]) for p in problems}
    assert (2, "lat") in located
    assert any(p["row"] == 3 and p["column"] == "date" for p in problems)
    assert any(p["value"] == "not-a-number" for p in problems)
    assert _counts(service.url) == (0, 0)


def test_points_outside_the_area_are_problems(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    far = b"date,category,lat,lon\n2024-03-01,theft,40.0,-75.0\n"
    response = _post(service, admin, area["id"], "far.csv", far)
    assert response.status_code == 422
    assert response.json()["problems"][0]["row"] == 1
    assert _counts(service.url) == (0, 0)


def test_empty_and_unknown_files_are_422(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    assert _post(service, admin, area["id"], "empty.csv", b"").status_code == 422
    assert _post(service, admin, area["id"], "x.bin", b"\x00\x01garbage").status_code == 422
    assert _counts(service.url) == (0, 0)


def test_upload_over_the_limit_is_413(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    service = make_service(sqlite_url, max_upload_mb=0.01)  # 10 KiB
    admin = service.user("admin", "admin")
    area = service.area(admin, "A")
    line = b"2024-03-01 22:10,theft,43.662,-79.393\n"
    big = b"date,category,lat,lon\n" + line * 400  # about 15 KiB, under the multipart slack
    response = _post(service, admin, area["id"], "big.csv", big)
    assert response.status_code == 413
    huge = b"date,category,lat,lon\n" + line * 4000  # over the Content-Length check too
    assert _post(service, admin, area["id"], "huge.csv", huge).status_code == 413
    assert _counts(service.url) == (0, 0)


def test_delete_dataset_removes_its_incidents(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    dataset = _post(service, admin, area["id"], "march.csv", GOOD_CSV).json()
    assert service.client.delete(f"/datasets/{dataset['id']}", headers=admin).status_code == 204
    assert service.client.get(f"/datasets/{dataset['id']}", headers=admin).status_code == 404
    assert _counts(service.url) == (0, 0)


CHINESE_CSV = (
    "发生于;案由;北纬;东经\n"
    "2024年3月1日 22时;盗窃;43.662;-79.393\n"
    "2024年3月2日 晚上8点;抢劫;43.660;-79.390\n"
).encode("gbk")


def test_upload_with_columns_and_keep_valid(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    response = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"]), "columns": "datetime=发生于,lat=北纬,lon=东经"},
        files={"file": ("cn.csv", CHINESE_CSV, "text/csv")},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["categories"] == {"盗窃": 1, "抢劫": 1}
    assert response.json()["rows_left_out"] == 0

    refused = _post(service, admin, area["id"], "bad.csv", BAD_CSV)
    assert refused.status_code == 422
    body = refused.json()
    assert "the keep_valid field (true)" in body["detail"]
    assert "--keep-valid" not in refused.text  # the service names its own fields

    kept = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"]), "keep_valid": "true"},
        files={"file": ("bad.csv", BAD_CSV, "text/csv")},
        headers=admin,
    )
    assert kept.status_code == 201, kept.text
    body = kept.json()
    assert body["row_count"] == 1 and body["rows_left_out"] == 2
    assert [row["row"] for row in body["left_out"]] == [2, 3]
    assert "lat" in body["left_out"][0]["reasons"]


def test_upload_with_a_bad_columns_field(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    response = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"]), "columns": "when=x"},
        files={"file": ("good.csv", GOOD_CSV, "text/csv")},
        headers=admin,
    )
    assert response.status_code == 422
    assert "unknown role 'when'" in response.json()["problems"][0]["message"]


def test_repeated_problems_are_condensed_in_the_answer(
    service: Service, admin: dict[str, str]
) -> None:
    area = service.area(admin, "A")
    rows = b"".join(b"2024-03-%02dx,theft,43.662,-79.393\n" % d for d in range(1, 29))
    response = _post(service, admin, area["id"], "dates.csv", b"date,category,lat,lon\n" + rows)
    assert response.status_code == 422
    body = response.json()
    assert len(body["problems"]) == 28
    (condensed,) = body["condensed"]
    assert "[on 28 rows: 1, 2, 3, 4, 5, ...]" in condensed["message"]
