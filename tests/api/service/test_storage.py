"""Storage on both databases: migrations, incidents round trip, a plan job's writes (its plan
documents, JSONB on PostgreSQL).

Parametrised over SQLite and PostgreSQL/PostGIS; the PostGIS variant skips with the reason
when no server is reachable (``GRIDPATROL_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, select, text

from api.service.db import make_engine, make_session_factory
from api.service.migrations import downgrade, upgrade
from api.service.models import Incident, PlanDocument
from api.service.planjob import run_plan_job
from maps.planfile import PLAN_SCHEMA_VERSION
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
    "plan_documents",
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
                "0007_review_history"
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
        downgrade(engine, "0002_staffing")  # back to pickled bundles: an empty table
        tables = set(inspect(engine).get_table_names())
        assert "plan_bundles" in tables and "plan_documents" not in tables
        upgrade(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("plan_documents")}
        assert columns == {"plan_id", "day", "schema_version", "data"}
        keys = inspect(engine).get_pk_constraint("plan_documents")["constrained_columns"]
        assert sorted(keys) == ["day", "plan_id"]
        downgrade(engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version", "spatial_ref_sys"}
        upgrade(engine)
    finally:
        engine.dispose()


def test_the_migrations_build_the_tables_the_models_describe(database_url: str) -> None:
    """The models and the migrations agree, table by table and column by column (types,
    keys, indexes): a model change without its migration, or a refactor of the models (the
    job tables share their columns), shows here as a difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from api.service.models import Base

    engine = make_engine(database_url, pooled=False)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [
                d
                for d in compare_metadata(context, Base.metadata)
                # the shared rate limit's table is created by the limiter itself, apart
                if "rate_limit_buckets" not in repr(d)
                and "spatial_ref_sys" not in repr(d)
                # PostgreSQL only: the GiST index of the points (0001), not a model index
                # because SQLite keeps the points as text
                and not (d[0] == "remove_index" and d[1].name == "ix_incidents_geom")
            ]
    finally:
        engine.dispose()
    assert differences == []


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
        stored = session.get(PlanDocument, (job["id"], 1))
        assert stored is not None and stored.schema_version == PLAN_SCHEMA_VERSION
        assert stored.data["format"] == "gridpatrol-plan" and stored.data["day"] == 1
        assert stored.data["district"]["source"]["dataset_id"] == dataset_id
        if engine.dialect.name == "postgresql":  # a JSONB document: queryable in SQL
            kind = session.scalar(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'plan_documents' AND column_name = 'data'"
                )
            )
            assert kind == "jsonb"
            stops = session.scalar(
                text(
                    "SELECT (data -> 'totals' ->> 'stops')::int FROM plan_documents "
                    "WHERE plan_id = :id AND day = 1"
                ),
                {"id": job["id"]},
            )
            assert stops == stored.data["totals"]["stops"]
    document = service.client.get(f"/plans/{job['id']}/document", headers=admin)
    assert document.status_code == 200 and document.json() == stored.data
    gpx = service.client.get(f"/plans/{job['id']}/sheets/gpx", headers=admin)
    assert gpx.status_code == 200 and b"<gpx" in gpx.content
    # Deleting the plan deletes its documents (ON DELETE CASCADE, on both databases).
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM plans WHERE id = :id"), {"id": job["id"]})
    with make_session_factory(engine)() as session:
        assert session.get(PlanDocument, (job["id"], 1)) is None
    engine.dispose()


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
        rows = session.scalars(select(PlanDocument).where(PlanDocument.plan_id == job["id"]))
        assert rows.all() == []
    engine.dispose()


def test_json_columns_read_back_what_was_stored(database_url: str) -> None:
    """JSON columns are parsed by orjson, with the standard library behind it for what orjson
    refuses: a NaN or a 70-bit integer stored in an area's layers still reads back."""
    import math

    from api.service.db import load_json_column
    from api.service.models import Area

    assert load_json_column('{"a": [1, 2.5, "网格"]}') == {"a": [1, 2.5, "网格"]}
    assert math.isnan(load_json_column('{"x": NaN}')["x"])
    assert load_json_column('{"n": 1180591620717411303424}')["n"] == 2**70
    engine = make_engine(database_url, pooled=False)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        stations = {"type": "FeatureCollection", "features": [], "big": 2**70, "name": "派出所"}
        with sessions() as session:
            area = Area(
                name="json round trip",
                timezone="Asia/Shanghai",
                boundary={"type": "Point", "coordinates": [121.5, 31.2]},
                stations=stations,
            )
            session.add(area)
            session.commit()
            area_id = area.id
        with sessions() as session:
            stored = session.get(Area, area_id)
            assert stored is not None
            assert stored.stations == stations
            assert stored.boundary == {"type": "Point", "coordinates": [121.5, 31.2]}
    finally:
        engine.dispose()
