"""Storage on both databases: migrations, incidents round trip, a plan job's writes.

Parametrised over SQLite and PostgreSQL/PostGIS; the PostGIS variant skips with the reason
when no server is reachable (``GRIDPATROL_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, select, text

from api.service.db import make_engine, make_session_factory
from api.service.jobs import run_plan_job
from api.service.migrations import downgrade, upgrade
from api.service.models import Incident, PlanBundleBlob
from tests.api.service.conftest import Service

TABLES = {
    "alembic_version",
    "api_tokens",
    "area_access",
    "areas",
    "audit_log",
    "datasets",
    "grids",
    "incidents",
    "plan_bundles",
    "plans",
    "staffing_files",
    "staffing_runs",
    "users",
}


def test_migrations_run_up_and_down(database_url: str) -> None:
    engine = make_engine(database_url, pooled=False)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) >= TABLES
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == (
                "0002_staffing"
            )
            if engine.dialect.name == "postgresql":
                assert connection.scalar(
                    text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
                )
                kind = connection.scalar(
                    text(
                        "SELECT type FROM geometry_columns "
                        "WHERE f_table_name = 'incidents' AND f_geometry_column = 'geom'"
                    )
                )
                assert kind == "POINT"
        upgrade(engine)  # idempotent
        downgrade(engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version", "spatial_ref_sys"}
        upgrade(engine)
    finally:
        engine.dispose()


def test_incidents_and_plan_on_each_database(
    make_service: Callable[..., Service], database_url: str
) -> None:
    service = make_service(database_url)
    admin = service.user("admin", "admin")
    area = service.area(admin, "UofT", sample="toronto-uoft")
    dataset = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()
    dataset_id = dataset["items"][0]["id"]
    assert dataset["items"][0]["row_count"] == 822

    page = service.client.get(f"/datasets/{dataset_id}/incidents?limit=1", headers=admin).json()
    lon, lat = page["features"][0]["geometry"]["coordinates"]
    engine = make_engine(database_url, pooled=False)
    with make_session_factory(engine)() as session:
        first = session.scalars(select(Incident).order_by(Incident.id).limit(1)).one()
        assert (first.lon, first.lat) == (lon, lat)
        assert first.geom is not None
        assert first.geom.replace(" ", "") == f"POINT({lon}{lat})".replace(" ", "")
        if engine.dialect.name == "postgresql":  # a real geometry: spatial SQL works
            inside = session.scalar(
                text(
                    "SELECT count(*) FROM incidents WHERE ST_DWithin("
                    "geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 1)"
                ),
                {"lon": lon, "lat": lat},
            )
            assert inside and inside >= 1

    job = service.client.post(
        "/plans",
        json={
            "dataset_id": dataset_id,
            "unit_counts": "foot=1",
            "time_limit_s": 1,
            "top": 10,
        },
        headers=admin,
    ).json()
    assert run_plan_job(job["id"], database_url, job["parameters"]) == "succeeded"
    done = service.client.get(f"/plans/{job['id']}", headers=admin).json()
    assert done["state"] == "succeeded" and done["progress"] == 1.0
    with make_session_factory(engine)() as session:
        assert session.get(PlanBundleBlob, job["id"]) is not None
    engine.dispose()
    gpx = service.client.get(f"/plans/{job['id']}/sheets/gpx", headers=admin)
    assert gpx.status_code == 200 and b"<gpx" in gpx.content


def test_failed_plan_writes_no_result(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    service = make_service(sqlite_url)
    admin = service.user("admin", "admin")
    service.area(admin, "UofT", sample="toronto-uoft")
    dataset_id = service.client.get("/datasets", headers=admin).json()["items"][0]["id"]
    job = service.client.post(
        "/plans", json={"dataset_id": dataset_id, "time_limit_s": 1}, headers=admin
    ).json()
    broken = dict(job["parameters"], cell_size_m=-5)  # the grid refuses it inside the job
    assert run_plan_job(job["id"], sqlite_url, broken) == "failed"
    body = service.client.get(f"/plans/{job['id']}", headers=admin).json()
    assert body["state"] == "failed" and "cell" in body["error"]
    assert body["summary"] is None
    engine = make_engine(sqlite_url, pooled=False)
    with make_session_factory(engine)() as session:
        assert session.get(PlanBundleBlob, job["id"]) is None
    engine.dispose()
