"""State shared by several web processes on one database (``serve --web-workers N``).

Two applications built on the same database stand for two web workers: each has its own
memory (credential cache, rate-limit leases), as two uvicorn processes do. A limit reached
through one holds on the other; a token revoked through one is refused by both at once,
although both had it cached. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from api.service.ratelimit import (
    RateLimitExceededError,
    SharedTokenBucketLimiter,
    TokenBucketLimiter,
)
from tests.api.service.conftest import PASSWORD, ManualClock, Service, add_user


def _refills() -> list[threading.Thread]:
    """The rate limiters' background lease threads alive now."""
    return [t for t in threading.enumerate() if t.name == "gridpatrol-rate-limit-refill"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _two_workers(
    make_service: Callable[..., Service], url: str, **overrides: object
) -> tuple[Service, Service]:
    return make_service(url, **overrides), make_service(url, **overrides)


def test_a_limit_reached_through_one_worker_holds_on_the_other(
    make_service: Callable[..., Service], database_url: str
) -> None:
    one, two = _two_workers(
        make_service,
        database_url,
        shared_rate_limit=True,
        rate_limit_per_minute=1,
        rate_limit_burst=3,
    )
    add_user(database_url, "viewer1", "viewer")
    headers = _bearer(one.login("viewer1"))
    assert [one.client.get("/plans", headers=headers).status_code for _ in range(3)] == [200] * 3
    refused = two.client.get("/plans", headers=headers)
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert one.client.get("/plans", headers=headers).status_code == 429


def test_without_the_shared_limit_each_worker_counts_alone(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    """The control of the test above: per-process buckets let the other worker answer."""
    one, two = _two_workers(make_service, sqlite_url, rate_limit_per_minute=1, rate_limit_burst=3)
    add_user(sqlite_url, "viewer1", "viewer")
    headers = _bearer(one.login("viewer1"))
    assert [one.client.get("/plans", headers=headers).status_code for _ in range(3)] == [200] * 3
    assert one.client.get("/plans", headers=headers).status_code == 429
    assert two.client.get("/plans", headers=headers).status_code == 200


def test_a_signed_out_session_is_refused_by_both_workers(
    make_service: Callable[..., Service], database_url: str
) -> None:
    one, two = _two_workers(make_service, database_url)
    add_user(database_url, "coord", "coordinator")
    headers = _bearer(one.login("coord"))
    for worker in (one, two):  # both verify and keep the credential
        assert worker.client.get("/plans", headers=headers).status_code == 200
        assert worker.client.get("/plans", headers=headers).status_code == 200
    assert one.client.post("/auth/logout", headers=headers).status_code == 204
    for worker in (two, one):
        answer = worker.client.get("/plans", headers=headers)
        assert answer.status_code == 401, answer.text
        assert "signed out" in answer.json()["detail"]


@pytest.mark.parametrize("change", ["password", "role", "disable", "delete", "revoke"])
def test_an_api_token_ended_through_one_worker_is_refused_by_the_other(
    make_service: Callable[..., Service], database_url: str, change: str
) -> None:
    one, two = _two_workers(make_service, database_url)
    admin = one.user("admin", "admin")
    user_id = add_user(database_url, "system", "coordinator")
    own = _bearer(one.login("system"))
    created = one.client.post(f"/users/{user_id}/tokens", json={"name": "sync"}, headers=own)
    assert created.status_code == 201, created.text
    api = _bearer(created.json()["token"])
    for worker in (one, two):
        assert worker.client.get("/plans", headers=api).status_code == 200
        assert worker.client.get("/plans", headers=api).status_code == 200
    if change == "password":
        answer = one.client.patch(
            f"/users/{user_id}", json={"password": PASSWORD + "!"}, headers=admin
        )
    elif change == "role":
        answer = one.client.patch(f"/users/{user_id}", json={"role": "viewer"}, headers=admin)
    elif change == "disable":
        answer = one.client.patch(f"/users/{user_id}", json={"is_active": False}, headers=admin)
    elif change == "delete":
        answer = one.client.delete(f"/users/{user_id}", headers=admin)
    else:
        token_id = created.json()["id"]
        answer = one.client.delete(f"/users/{user_id}/tokens/{token_id}", headers=admin)
    assert answer.status_code in (200, 204), answer.text
    for worker in (two, one):
        assert worker.client.get("/plans", headers=api).status_code == 401
        assert worker.client.get("/areas/1/readiness", headers=api).status_code == 401


def test_a_cached_credential_still_answers_for_its_areas_only(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    """Areas taken from a user through one worker are gone on the other at once."""
    one, two = _two_workers(make_service, sqlite_url)
    admin = one.user("admin", "admin")
    area = one.area(admin, "North")
    user_id = add_user(sqlite_url, "coord", "coordinator", [area["id"]])
    headers = _bearer(one.login("coord"))
    assert two.client.get(f"/areas/{area['id']}/readiness", headers=headers).status_code == 200
    answer = one.client.patch(f"/users/{user_id}", json={"area_ids": []}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert two.client.get(f"/areas/{area['id']}/readiness", headers=headers).status_code == 401
    fresh = _bearer(two.login("coord"))
    assert two.client.get(f"/areas/{area['id']}/readiness", headers=fresh).status_code == 404


def _allowed(limiter: SharedTokenBucketLimiter | TokenBucketLimiter, key: str) -> bool:
    try:
        limiter.hit(key)
    except RateLimitExceededError:
        return False
    return True


def test_shared_buckets_refill_at_the_rate(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/limits.db")
    clock = ManualClock()
    one = SharedTokenBucketLimiter(engine, per_minute=60, burst=2, clock=clock)
    two = SharedTokenBucketLimiter(engine, per_minute=60, burst=2, clock=clock)
    assert [_allowed(one, "user:1"), _allowed(two, "user:1"), _allowed(one, "user:1")] == [
        True,
        True,
        False,
    ]
    with pytest.raises(RateLimitExceededError) as refused:
        two.hit("user:1")
    assert refused.value.retry_after_s == 1
    assert _allowed(two, "user:2")  # another key has its own bucket
    clock.now += 1.0  # one token a second
    assert [_allowed(two, "user:1"), _allowed(one, "user:1")] == [True, False]
    clock.now += 60.0  # never more than the burst
    assert [_allowed(one, "user:1") for _ in range(3)] == [True, True, False]
    engine.dispose()


@settings(max_examples=40, deadline=None)
@given(
    burst=st.integers(1, 400),
    order=st.lists(st.integers(0, 2), min_size=1, max_size=600),
)
def test_processes_together_never_exceed_the_bucket(burst: int, order: list[int]) -> None:
    """With leases (burst >= 40 leases several tokens at once) three processes' successes
    never exceed the burst while no time passes, and a single process gets exactly
    min(requests, burst). A database file, as in the service: the next lease is taken in a
    background thread (an in-memory database would be one per thread)."""
    earlier = set(_refills())
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/limits.db")
        clock = ManualClock()
        limiters = [
            SharedTokenBucketLimiter(engine, per_minute=1, burst=burst, clock=clock)
            for _ in range(3)
        ]
        successes = sum(_allowed(limiters[i], "user:1") for i in order)
        assert successes <= burst
        alone = sum(_allowed(limiters[0], "user:9") for _ in order)
        assert alone == min(len(order), burst)
        for limiter in limiters:  # waits for the leases being taken, as the service does
            limiter.close()
        assert not set(_refills()) - earlier


def test_close_waits_for_the_lease_being_taken_in_the_background(tmp_path: Path) -> None:
    """Closed at shutdown, the limiter lets the lease under way finish before it closes its
    connections, so nothing writes to the database after it is closed (a temporary folder
    removed after close once found a journal written into it)."""
    earlier = set(_refills())
    engine = create_engine(f"sqlite:///{tmp_path / 'limits.db'}", connect_args={"timeout": 30})
    limiter = SharedTokenBucketLimiter(engine, per_minute=1, burst=400, clock=ManualClock())
    assert _allowed(limiter, "user:1")  # leases 20 tokens; 19 left
    blocker = sqlite3.connect(tmp_path / "limits.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the next lease's write waits for this
    try:
        for _ in range(10):  # below half a lease: the next one is taken in the background
            assert _allowed(limiter, "user:1")
        refills = [t for t in _refills() if t not in earlier]
        assert len(refills) == 1
        closing = threading.Thread(target=limiter.close)
        closing.start()
        closing.join(0.5)
        assert closing.is_alive()  # waiting for the lease, not closing under it
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    closing.join(30)
    refills[0].join(30)
    assert not closing.is_alive() and not refills[0].is_alive()
    with engine.connect() as connection:  # the lease was written: 400 - 20 - 20 left
        tokens = connection.execute(text("SELECT tokens FROM rate_limit_buckets")).scalar_one()
    assert tokens == 360
    engine.dispose()
