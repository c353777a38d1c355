"""Rate limit (429 with Retry-After), the token bucket, and the audit log (sign-ins, uploads,
downloads, user changes, each with the client address and user agent)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.service.ratelimit import RateLimitExceededError, TokenBucketLimiter
from tests.api.service.conftest import PASSWORD, Service


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = TokenBucketLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    limiter.hit("u")
    limiter.hit("u")
    with pytest.raises(RateLimitExceededError) as caught:
        limiter.hit("u")
    assert caught.value.retry_after_s == 1
    limiter.hit("other")  # buckets are per key
    now[0] = 1.0
    limiter.hit("u")
    with pytest.raises(ValueError, match="per_minute > 0"):
        TokenBucketLimiter(per_minute=0, burst=1)


def test_too_many_requests_is_429_with_retry_after(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    service = make_service(sqlite_url, rate_limit_per_minute=6, rate_limit_burst=3)
    headers = service.user("admin", "admin")  # signing in takes one token of 'login:admin'
    codes = [service.client.get("/auth/me", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = service.client.get("/areas", headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "too many requests" in limited.json()["detail"]
    assert service.client.get("/health").status_code == 200  # not limited


def test_audit_records_who_did_what(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    planner = service.user("pat", "coordinator", [area["id"]])
    csv = b"date,category,lat,lon\n2024-03-01 22:10,theft,43.662,-79.393\n"
    dataset = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"])},
        files={"file": ("a.csv", csv, "text/csv")},
        headers=planner,
    ).json()
    service.client.delete(f"/datasets/{dataset['id']}", headers=planner)
    grid = service.client.post("/grids", json={"area_id": area["id"]}, headers=planner)
    assert grid.status_code == 201, grid.text

    log = service.client.get("/audit", headers=admin).json()
    entries = [
        (e["username"], e["action"], e["resource_type"], e["resource_id"]) for e in log["items"]
    ]
    assert ("admin", "create", "area", area["id"]) in entries
    assert ("pat", "create", "dataset", dataset["id"]) in entries
    assert ("pat", "delete", "dataset", dataset["id"]) in entries
    assert ("pat", "create", "grid", grid.json()["id"]) in entries
    assert all(e["at"] for e in log["items"])
    only = service.client.get("/audit?resource_type=dataset&limit=1", headers=admin).json()
    assert only["total"] == 2 and len(only["items"]) == 1
    assert only["items"][0]["action"] == "delete"  # newest first
    assert service.client.get("/audit", headers=planner).status_code == 403


def test_failed_upload_leaves_no_audit_entry(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "A")
    bad = b"date,category,lat,lon\nnope,theft,43.662,-79.393\n"
    response = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"])},
        files={"file": ("a.csv", bad, "text/csv")},
        headers=admin,
    )
    assert response.status_code == 422
    log = service.client.get("/audit?resource_type=dataset", headers=admin).json()
    assert log["total"] == 0


def test_audit_records_sign_ins_uploads_downloads_and_user_changes_with_the_client(
    service: Service, admin: dict[str, str]
) -> None:
    agent = {"User-Agent": "audit-test/2.0"}
    area = service.area(admin, "A")
    failed = service.client.post(
        "/auth/token", data={"username": "admin", "password": "not it at all"}, headers=agent
    )
    assert failed.status_code == 401
    signed = service.client.post(
        "/auth/token", data={"username": "admin", "password": PASSWORD}, headers=agent
    )
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}", **agent}
    csv = b"date,category,lat,lon\n2024-03-01 22:10,theft,43.662,-79.393\n"
    dataset = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"])},
        files={"file": ("a.csv", csv, "text/csv")},
        headers=headers,
    ).json()
    assert service.client.get(f"/datasets/{dataset['id']}/incidents", headers=headers).is_success
    grid = service.client.post("/grids", json={"area_id": area["id"]}, headers=headers).json()
    assert service.client.get(f"/grids/{grid['id']}/cells", headers=headers).is_success
    assert service.client.get("/grids/999999/cells", headers=headers).status_code == 404
    user = service.client.post(
        "/users", json={"username": "pat", "password": PASSWORD}, headers=headers
    ).json()
    service.client.patch(f"/users/{user['id']}", json={"role": "coordinator"}, headers=headers)

    items = service.client.get("/audit?limit=100", headers=admin).json()["items"]
    by_action: dict[tuple[str, str], dict[str, object]] = {}
    for e in items:  # newest first: keep the newest entry of each kind
        by_action.setdefault((e["action"], e["resource_type"]), e)
    for key in (
        ("login_failed", "user"),
        ("login", "user"),
        ("create", "dataset"),
        ("download_incidents", "dataset"),
        ("download_cells", "grid"),
        ("create", "user"),
        ("update", "user"),
    ):
        entry = by_action[key]
        assert entry["user_agent"] == "audit-test/2.0", key
        assert entry["client_address"], key
    assert by_action[("download_cells", "grid")]["resource_id"] == grid["id"]
    downloads = [e for e in items if e["action"] == "download_cells"]
    assert len(downloads) == 1  # the 404 is no download
    only = service.client.get("/audit?action=login_failed", headers=admin).json()
    assert only["total"] == 1 and only["items"][0]["username"] == "admin"
