"""Uploads bounded by the work they cause (issue 16, item 3): a chunked upload refused while it
streams, zip bombs, too many members or features, a zip holding a CSV, and a full disk (507,
nothing half-written)."""

from __future__ import annotations

import errno
import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import geopandas as gpd
import pytest
from shapely.geometry import Point
from sqlalchemy import func, select

from api.service import uploads
from api.service.models import AuditEntry, Incident, IncidentDataset
from api.service.uploads import UploadLimits, check_upload
from tests.api.service.conftest import Service

LINE = b"2024-03-01 22:10,theft,43.662,-79.393\n"
HEADER = b"date,category,lat,lon\n"


def _post(
    service: Service, headers: dict[str, str], area_id: int, name: str, content: bytes
) -> Any:
    return service.client.post(
        "/datasets",
        data={"area_id": str(area_id)},
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


def _stored(service: Service) -> tuple[int, int, int]:
    with service.app.state.service.sessions() as session:
        datasets = session.scalar(select(func.count()).select_from(IncidentDataset)) or 0
        incidents = session.scalar(select(func.count()).select_from(Incident)) or 0
        audited = (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.resource_type == "dataset")
            )
            or 0
        )
    return int(datasets), int(incidents), int(audited)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def small(
    make_service: Callable[..., Service], sqlite_url: str
) -> tuple[Service, dict[str, str], int]:
    """A service reading at most 50 features and 2 MB unpacked."""
    service = make_service(sqlite_url, max_upload_features=50, max_unpacked_mb=2)
    admin = service.user("admin", "admin")
    return service, admin, service.area(admin, "A")["id"]


def test_a_zip_bomb_is_413_before_it_is_unpacked(
    small: tuple[Service, dict[str, str], int],
) -> None:
    service, admin, area = small
    bomb = _zip({"incidents.shp": b"\0" * (20 * 1024 * 1024), "incidents.dbf": b"\0"})
    assert len(bomb) < 100_000  # 20 MB of zeros packs to a few tens of kB
    answer = _post(service, admin, area, "incidents.zip", bomb)
    assert answer.status_code == 413, answer.text
    assert "unpacks to" in answer.json()["detail"] or "compressed" in answer.json()["detail"]
    assert _stored(service) == (0, 0, 0)


def test_a_highly_compressed_zip_under_the_size_limits_is_413(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    service = make_service(sqlite_url)
    admin = service.user("admin", "admin")
    area = service.area(admin, "A")["id"]
    bomb = _zip({"incidents.shp": b"\0" * (50 * 1024 * 1024)})
    answer = _post(service, admin, area, "incidents.zip", bomb)
    assert answer.status_code == 413 and "compressed" in answer.json()["detail"], answer.text


def test_a_zip_of_many_members_is_413(small: tuple[Service, dict[str, str], int]) -> None:
    service, admin, area = small
    many = _zip({f"part{i}.shp": b"x" for i in range(500)})
    answer = _post(service, admin, area, "parts.zip", many)
    assert answer.status_code == 413 and "500 members" in answer.json()["detail"], answer.text


def test_a_zip_holding_a_csv_is_422_naming_what_to_do(
    small: tuple[Service, dict[str, str], int],
) -> None:
    service, admin, area = small
    answer = _post(service, admin, area, "incidents.zip", _zip({"incidents.csv": HEADER + LINE}))
    assert answer.status_code == 422, answer.text
    message = answer.json()["problems"][0]["message"]
    assert "incidents.csv" in message and "not zipped" in message


def _points(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"occurred_at": ["2024-03-01T22:10:00"] * n, "category": ["theft"] * n},
        geometry=[Point(-79.393 + i * 1e-5, 43.662) for i in range(n)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "shapefile", "csv"])
def test_more_features_than_the_limit_is_413(
    small: tuple[Service, dict[str, str], int], tmp_path: Path, kind: str
) -> None:
    service, admin, area = small
    frame = _points(51)
    if kind == "geojson":
        name, content = "many.geojson", frame.to_json().encode()
    elif kind == "gpkg":
        frame.to_file(tmp_path / "many.gpkg", driver="GPKG")
        name, content = "many.gpkg", (tmp_path / "many.gpkg").read_bytes()
    elif kind == "shapefile":
        frame.to_file(tmp_path / "many.shp")
        members = {p.name: p.read_bytes() for p in tmp_path.glob("many.*")}
        name, content = "many.zip", _zip(members)
    else:
        name, content = "many.csv", HEADER + LINE * 51
    answer = _post(service, admin, area, name, content)
    assert answer.status_code == 413, answer.text
    assert "at most 50" in answer.json()["detail"]
    assert _stored(service) == (0, 0, 0)
    # At the limit the same file is read and stored.
    if kind == "csv":
        assert _post(service, admin, area, name, HEADER + LINE * 50).status_code == 201


def test_check_upload_leaves_unknown_kinds_to_their_reader(tmp_path: Path) -> None:
    path = tmp_path / "extract.osm"
    path.write_bytes(b"<osm></osm>")
    check_upload(path, UploadLimits(max_bytes=1024, max_features=1))


def test_a_chunked_oversized_upload_is_refused_while_it_streams(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    # Without Content-Length the body is counted as it arrives: a 300 MB upload against a
    # 1 MB limit is refused after little more than the limit, not after all of it.
    service = make_service(sqlite_url, max_upload_mb=1)
    admin = service.user("admin", "admin")
    area = service.area(admin, "A")["id"]
    boundary = "gridpatrolboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="area_id"\r\n\r\n{area}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + HEADER
    chunk = LINE * (1024 * 1024 // len(LINE))
    offered = 300
    pulled = 0
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled == 1:
            return {"type": "http.request", "body": head, "more_body": True}
        if pulled <= offered:
            return {"type": "http.request", "body": chunk, "more_body": True}
        return {"type": "http.request", "body": f"\r\n--{boundary}--\r\n".encode()}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/datasets",
        "raw_path": b"/datasets",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", admin["Authorization"].encode()),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
            (b"transfer-encoding", b"chunked"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def run() -> None:
        await service.app(scope, receive, send)  # type: ignore[arg-type]

    anyio.run(run)
    start = next(m for m in messages if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert pulled <= 4, f"read {pulled} MB of a 300 MB upload before refusing it"
    assert _stored(service) == (0, 0, 0)


def test_disk_full_during_an_upload_is_507_with_nothing_half_written(
    service: Service, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    area = service.area(admin, "A")["id"]
    before = set(Path(tempfile.gettempdir()).glob("gridpatrol-upload-*"))

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads, "_write", full)
    answer = _post(service, admin, area, "march.csv", HEADER + LINE * 3)
    assert answer.status_code == 507, answer.text
    assert "disk is full" in answer.json()["detail"]
    assert _stored(service) == (0, 0, 0)
    assert set(Path(tempfile.gettempdir()).glob("gridpatrol-upload-*")) == before
    monkeypatch.undo()
    stored = _post(service, admin, area, "march.csv", HEADER + LINE * 3)
    assert stored.status_code == 201, stored.text
    assert json.loads(stored.text)["row_count"] == 3
