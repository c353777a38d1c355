"""Fixtures of the service tests: a temporary database (SQLite, or PostgreSQL/PostGIS when a
server answers), the app built on it, users and their tokens.

PostgreSQL: ``GRIDPATROL_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) names a server where the tests may
create databases; each test gets a fresh one, all dropped at the end of the session. Without a
reachable server the PostgreSQL variants skip, saying why.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.service.app import create_app
from api.service.db import make_engine, make_session_factory, transaction
from api.service.routes.users import create_user
from api.service.settings import Settings

POSTGRES_URL = os.environ.get(
    "GRIDPATROL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "correct horse battery"

#: A small square around Queen's Park, Toronto (lon/lat), for areas made from GeoJSON.
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-79.40, 43.655], [-79.385, 43.655], [-79.385, 43.67], [-79.40, 43.67], [-79.40, 43.655]]
    ],
}


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Callable[[], str]]:
    """A factory of fresh PostgreSQL databases (dropped at the end); skips without a server."""
    admin_url = make_url(POSTGRES_URL)
    try:
        engine = create_engine(
            admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: no server to test against
        reason = (
            f"no PostgreSQL server at {admin_url.render_as_string(hide_password=True)} "
            f"({type(exc).__name__}); set GRIDPATROL_TEST_POSTGRES_URL to test PostGIS storage"
        )
        if os.environ.get("GRIDPATROL_REQUIRE_POSTGRES"):
            # CI provisions PostGIS: a missing server there is a failure, not a skip.
            pytest.fail(reason)
        pytest.skip(reason)
    created: list[str] = []
    counter = itertools.count()

    def make() -> str:
        name = f"gridpatrol_test_{os.getpid()}_{next(counter)}"
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return admin_url.set(database=name).render_as_string(hide_password=False)

    yield make
    with engine.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of each kind (the PostgreSQL one skips without a server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gridpatrol.db'}"
    factory: Callable[[], str] = request.getfixturevalue("postgres_databases")
    return factory()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gridpatrol.db'}"


def make_settings(url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Test settings: no plan workers and generous limits unless overridden."""
    values: dict[str, Any] = {
        "database_url": url,
        "data_dir": data_dir,
        "secret_key": "test-secret-key-not-for-production-use-0123456789",
        "job_workers": 0,
        "rate_limit_per_minute": 100000,
        "rate_limit_burst": 100000,
        "plan_time_limit_s": 2.0,
    }
    values.update(overrides)
    return Settings(**values)


def add_user(url: str, name: str, role: str, area_ids: list[int] | None = None) -> int:
    """Add a user straight to the database; return its id."""
    engine = make_engine(url, pooled=False)
    try:
        with transaction(make_session_factory(engine)) as session:
            return create_user(session, name, PASSWORD, role, area_ids or []).id
    finally:
        engine.dispose()


@dataclass
class Service:
    """An app on a database, its test client and helpers."""

    url: str
    app: FastAPI
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, name: str, password: str = PASSWORD) -> str:
        response = self.client.post("/auth/token", data={"username": name, "password": password})
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        self.tokens[name] = token
        return token

    def user(self, name: str, role: str, area_ids: list[int] | None = None) -> dict[str, str]:
        """Add a user, sign it in and return its Authorization header."""
        add_user(self.url, name, role, area_ids)
        return {"Authorization": f"Bearer {self.login(name)}"}

    def area(self, headers: dict[str, str], name: str, **body: Any) -> dict[str, Any]:
        payload = {"name": name, **(body or {"boundary": SQUARE, "timezone": "America/Toronto"})}
        response = self.client.post("/areas", json=payload, headers=headers)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Build services on a database URL; clients are closed at the end."""
    clients: list[tuple[TestClient, bool]] = []

    def make(url: str, *, lifespan: bool = False, **overrides: Any) -> Service:
        app = create_app(make_settings(url, tmp_path, **overrides))
        client = TestClient(app)
        if lifespan:
            client.__enter__()
        clients.append((client, lifespan))
        return Service(url, app, client)

    yield make
    for client, entered in reversed(clients):
        if entered:
            client.__exit__(None, None, None)
        else:
            client.close()
            # Its lifespan, which would have, never ran: PostgreSQL allows 100 clients, and
            # each service keeps up to three engines' connections.
            client.app.state.service.close_databases()


class ManualClock:
    """Seconds that pass only when a test says so (``clock.now += 1``)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def service(make_service: Callable[..., Service], sqlite_url: str) -> Service:
    """A service on a fresh SQLite database with no plan workers."""
    return make_service(sqlite_url)


@pytest.fixture
def admin(service: Service) -> dict[str, str]:
    """The Authorization header of an admin of :func:`service`."""
    return service.user("admin", "admin")
