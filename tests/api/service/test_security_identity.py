"""Identity that cannot be confused (issue 16, item 2): ids never reused, tokens bound to the
user's immutable public id and credential version, sign-out, lockout, the last admin."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from api.service.db import make_engine, make_session_factory
from api.service.migrations import downgrade, upgrade
from api.service.models import AuditEntry, User, utcnow
from api.service.security import FREE_LOGIN_FAILURES, MAX_LOCK_S, lockout_seconds
from tests.api.service.conftest import PASSWORD, Service


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _add(service: Service, admin: dict[str, str], name: str, role: str = "coordinator") -> int:
    response = service.client.post(
        "/users", json={"username": name, "password": PASSWORD, "role": role}, headers=admin
    )
    assert response.status_code == 201, response.text
    user_id: int = response.json()["id"]
    return user_id


def test_a_deleted_users_token_never_answers_as_the_next_user(
    service: Service, admin: dict[str, str]
) -> None:
    # The finding: delete coordinator 2, create an admin (it got id 2), and the coordinator's
    # old token answered /auth/me as the new admin.
    old_id = _add(service, admin, "coord")
    old_token = service.login("coord")
    assert service.client.get("/auth/me", headers=_bearer(old_token)).json()["id"] == old_id
    assert service.client.delete(f"/users/{old_id}", headers=admin).status_code == 204
    new_id = _add(service, admin, "boss", role="admin")
    assert new_id > old_id  # the highest id, deleted, is not handed out again
    answer = service.client.get("/auth/me", headers=_bearer(old_token))
    assert answer.status_code == 401, answer.text
    boss = service.client.get("/auth/me", headers=_bearer(service.login("boss"))).json()
    assert boss["username"] == "boss" and boss["role"] == "admin"


def test_ids_are_not_reused_after_deleting_the_newest_row(
    service: Service, admin: dict[str, str]
) -> None:
    first = service.area(admin, "A")["id"]
    assert service.client.delete(f"/areas/{first}", headers=admin).status_code == 204
    assert service.area(admin, "B")["id"] == first + 1


@pytest.mark.parametrize(
    "change",
    [
        {"password": "another long passphrase"},
        {"role": "viewer"},
        {"area_ids": []},
        {"is_active": False},
    ],
    ids=["password", "role", "areas", "disabled"],
)
def test_a_change_to_the_user_ends_its_sessions_and_api_tokens(
    service: Service, admin: dict[str, str], change: dict[str, object]
) -> None:
    area = service.area(admin, "A")["id"]
    user_id = _add(service, admin, "coord")
    assert (
        service.client.patch(f"/users/{user_id}", json={"area_ids": [area]}, headers=admin)
    ).status_code == 200
    session = _bearer(service.login("coord"))
    minted = service.client.post(f"/users/{user_id}/tokens", json={"name": "sync"}, headers=admin)
    system = _bearer(minted.json()["token"])
    for headers in (session, system):
        assert service.client.get("/auth/me", headers=headers).status_code == 200
    changed = service.client.patch(f"/users/{user_id}", json=change, headers=admin)
    assert changed.status_code == 200, changed.text
    for headers in (session, system):
        answer = service.client.get("/areas", headers=headers)
        assert answer.status_code == 401, (change, answer.text)


def test_an_unchanged_patch_keeps_the_sessions(service: Service, admin: dict[str, str]) -> None:
    user_id = _add(service, admin, "coord")
    session = _bearer(service.login("coord"))
    same = service.client.patch(f"/users/{user_id}", json={"role": "coordinator"}, headers=admin)
    assert same.status_code == 200
    assert service.client.get("/auth/me", headers=session).status_code == 200


def test_logout_ends_this_session_only_and_logout_all_ends_every_one(
    service: Service, admin: dict[str, str]
) -> None:
    _add(service, admin, "coord")
    first, second = _bearer(service.login("coord")), _bearer(service.login("coord"))
    assert service.client.post("/auth/logout", headers=first).status_code == 204
    assert service.client.get("/auth/me", headers=first).status_code == 401
    assert service.client.get("/auth/me", headers=second).status_code == 200
    third = _bearer(service.login("coord"))
    assert service.client.post("/auth/logout-all", headers=second).status_code == 204
    for headers in (second, third):
        assert service.client.get("/auth/me", headers=headers).status_code == 401
    assert (
        service.client.get("/auth/me", headers=_bearer(service.login("coord"))).status_code == 200
    )


def test_an_admin_signs_a_user_out_everywhere(service: Service, admin: dict[str, str]) -> None:
    user_id = _add(service, admin, "coord")
    session = _bearer(service.login("coord"))
    assert service.client.post(f"/users/{user_id}/logout-all", headers=admin).status_code == 204
    assert service.client.get("/auth/me", headers=session).status_code == 401
    assert service.client.get("/auth/me", headers=admin).status_code == 200


def test_the_last_admin_cannot_be_demoted_disabled_or_deleted(
    service: Service, admin: dict[str, str]
) -> None:
    me = service.client.get("/auth/me", headers=admin).json()["id"]
    for change in ({"role": "viewer"}, {"role": "coordinator"}, {"is_active": False}):
        answer = service.client.patch(f"/users/{me}", json=change, headers=admin)
        assert answer.status_code == 409, answer.text
        assert "last active admin" in answer.json()["detail"]
    assert service.client.get("/auth/me", headers=admin).json()["role"] == "admin"
    other = _add(service, admin, "second", role="admin")
    other_headers = _bearer(service.login("second"))
    # With two admins one may go; then the other is the last one again.
    demoted = service.client.patch(f"/users/{me}", json={"role": "viewer"}, headers=other_headers)
    assert demoted.status_code == 200
    last = service.client.patch(f"/users/{other}", json={"role": "viewer"}, headers=other_headers)
    assert last.status_code == 409


def test_disabled_admins_do_not_count_as_the_last_one(
    service: Service, admin: dict[str, str]
) -> None:
    me = service.client.get("/auth/me", headers=admin).json()["id"]
    other = _add(service, admin, "second", role="admin")
    disabled = service.client.patch(f"/users/{other}", json={"is_active": False}, headers=admin)
    assert disabled.status_code == 200
    # Only "admin" is active now: it stays admin, and deleting the disabled one is fine.
    assert (
        service.client.patch(f"/users/{me}", json={"role": "viewer"}, headers=admin).status_code
        == 409
    )
    assert service.client.delete(f"/users/{other}", headers=admin).status_code == 204
    assert service.client.delete(f"/users/{me}", headers=admin).status_code == 409


def _audit(service: Service, action: str) -> list[AuditEntry]:
    with service.app.state.service.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_failed_sign_ins_lock_the_account_with_backoff_and_are_logged(
    service: Service, admin: dict[str, str]
) -> None:
    user_id = _add(service, admin, "coord")
    agent = {"User-Agent": "lockout-test/1.0"}
    for n in range(1, FREE_LOGIN_FAILURES + 2):
        answer = service.client.post(
            "/auth/token", data={"username": "coord", "password": "wrong"}, headers=agent
        )
        assert answer.status_code == 401, (n, answer.text)
    # Locked now: even the right password is refused, with when to retry.
    locked = service.client.post(
        "/auth/token", data={"username": "coord", "password": PASSWORD}, headers=agent
    )
    assert locked.status_code == 429, locked.text
    assert 1 <= int(locked.headers["retry-after"]) <= lockout_seconds(FREE_LOGIN_FAILURES + 1)
    assert "locked" in locked.json()["detail"]
    failed = [e for e in _audit(service, "login_failed") if e.resource_id == user_id]
    assert len(failed) == FREE_LOGIN_FAILURES + 1
    assert {e.user_agent for e in failed} == {"lockout-test/1.0"}
    assert all(e.client_address for e in failed)
    assert failed[-1].detail["locked_s"] == lockout_seconds(FREE_LOGIN_FAILURES + 1)
    assert len(_audit(service, "login_refused")) == 1
    # Once the lock has passed, the right password works and the count starts again.
    with service.app.state.service.sessions() as session:
        user = session.get(User, user_id)
        assert user is not None and user.locked_until is not None
        user.locked_until = utcnow() - timedelta(seconds=1)
        session.commit()
    service.login("coord")
    with service.app.state.service.sessions() as session:
        user = session.get(User, user_id)
        assert user is not None and user.failed_logins == 0 and user.locked_until is None


def test_unknown_user_sign_in_is_logged_without_an_account(service: Service) -> None:
    answer = service.client.post("/auth/token", data={"username": "ghost", "password": "x" * 9})
    assert answer.status_code == 401
    (entry,) = _audit(service, "login_failed")
    assert entry.user_id is None and entry.username == "ghost"


@given(st.integers(min_value=0, max_value=10_000))
def test_lockout_grows_and_is_bounded(failures: int) -> None:
    lock = lockout_seconds(failures)
    assert 0 <= lock <= MAX_LOCK_S
    assert (lock == 0) == (failures <= FREE_LOGIN_FAILURES)
    assert lockout_seconds(failures + 1) >= lock


def _autoincrement_tables(url: str) -> set[str]:
    engine = make_engine(url, pooled=False)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
                )
            ).all()
        return {r[0] for r in rows}
    finally:
        engine.dispose()


def test_migration_keeps_rows_and_references_and_downgrades(database_url: str) -> None:
    engine = make_engine(database_url, pooled=False)
    try:
        upgrade(engine, "0003_plan_documents")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (username, role, is_active, created_at) "
                    "VALUES ('a', 'admin', true, '2024-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO areas (name, timezone, boundary, stations, created_at, "
                    "created_by_id) VALUES ('x', 'UTC', '{}', '{}', '2024-01-01', 1)"
                )
            )
            connection.execute(text("INSERT INTO area_access (user_id, area_id) VALUES (1, 1)"))
        upgrade(engine, "0004_identity")
        sessions = make_session_factory(engine)
        with sessions() as session:
            user = session.get(User, 1)
            assert user is not None and len(user.public_id) == 32
            assert user.credential_version == 0 and user.area_ids == [1]
        columns = {c["name"] for c in inspect(engine).get_columns("audit_log")}
        assert {"client_address", "user_agent"} <= columns
        if engine.dialect.name == "sqlite":
            assert {"users", "areas", "plans", "audit_log"} <= _autoincrement_tables(database_url)
        downgrade(engine, "0003_plan_documents")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT user_id FROM area_access")).all() == [(1,)]
        upgrade(engine)
    finally:
        engine.dispose()


def test_sqlite_database_and_data_folder_are_private(tmp_path: Path) -> None:
    from api.service.settings import Settings

    folder = tmp_path / "data"
    settings = Settings(data_dir=folder, secret_key=None)
    url = settings.resolved_database_url()
    settings.resolved_secret_key()
    engine = make_engine(url, pooled=False)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("gridpatrol.db", "secret_key", "gridpatrol.db-wal", "gridpatrol.db-shm"):
        path = folder / name
        if path.exists() or name == "gridpatrol.db":
            assert path.stat().st_mode & 0o777 == 0o600, name
