"""Signing in: password to JWT, bad passwords, API tokens, expired and revoked tokens."""

from __future__ import annotations

from api.service.security import create_access_token
from tests.api.service.conftest import Service


def _public_id(service: Service, user_id: int) -> str:
    from api.service.models import User

    with service.app.state.service.sessions() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.public_id


def test_health_needs_no_authentication(service: Service) -> None:
    response = service.client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_password_flow_gives_a_jwt_for_me(service: Service, admin: dict[str, str]) -> None:
    response = service.client.get("/auth/me", headers=admin)
    assert response.status_code == 200
    assert response.json()["username"] == "admin"
    assert response.json()["role"] == "admin"


def test_wrong_password_and_unknown_user_are_401(service: Service, admin: dict[str, str]) -> None:
    for name, password in (("admin", "wrong password"), ("nobody", "whatever1")):
        response = service.client.post("/auth/token", data={"username": name, "password": password})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_every_resource_needs_a_token(service: Service) -> None:
    for path in ("/areas", "/datasets", "/plans", "/grids", "/users", "/audit", "/auth/me"):
        assert service.client.get(path).status_code == 401, path
    bad = {"Authorization": "Bearer not-a-token"}
    assert service.client.get("/areas", headers=bad).status_code == 401


def test_expired_token_is_401(service: Service, admin: dict[str, str]) -> None:
    settings = service.app.state.service
    subject = service.client.get("/auth/me", headers=admin).json()["id"]
    token, _ = create_access_token(
        _public_id(service, subject), version=0, secret=settings.secret_key, minutes=-1
    )
    response = service.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_signed_with_another_secret_is_401(service: Service, admin: dict[str, str]) -> None:
    token, _ = create_access_token(
        _public_id(service, 1), version=0, secret="another secret", minutes=5
    )
    response = service.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_api_token_works_until_revoked(service: Service, admin: dict[str, str]) -> None:
    created = service.client.post("/users/1/tokens", json={"name": "sync"}, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    token = body["token"]
    assert token.startswith("gp_") and body["prefix"] == token[:10]
    system = {"Authorization": f"Bearer {token}"}
    assert service.client.get("/auth/me", headers=system).json()["username"] == "admin"
    listed = service.client.get("/users/1/tokens", headers=admin).json()
    assert listed["total"] == 1 and "token" not in listed["items"][0]
    revoked = service.client.delete(f"/users/1/tokens/{body['id']}", headers=admin)
    assert revoked.status_code == 204
    assert service.client.get("/auth/me", headers=system).status_code == 401


def test_cached_credentials_end_with_a_revocation_or_a_disabled_user(
    service: Service, admin: dict[str, str]
) -> None:
    # The plan and map reads keep a verified credential for a few seconds; a change made
    # through the service must still take effect for the very next request.
    created = service.client.post("/users/1/tokens", json={"name": "sync"}, headers=admin)
    system = {"Authorization": f"Bearer {created.json()['token']}"}
    for path in ("/plans/999", "/plans/999/result", "/plans/999/map"):
        assert service.client.get(path, headers=system).status_code == 404, path
    revoked = service.client.delete(f"/users/1/tokens/{created.json()['id']}", headers=admin)
    assert revoked.status_code == 204
    for path in ("/plans/999", "/plans/999/result", "/plans/999/map"):
        assert service.client.get(path, headers=system).status_code == 401, path

    viewer = service.user("vera", "viewer")
    assert service.client.get("/plans/999", headers=viewer).status_code == 404
    users = service.client.get("/users", headers=admin).json()["items"]
    vera = next(u for u in users if u["username"] == "vera")
    changed = service.client.patch(f"/users/{vera['id']}", json={"is_active": False}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert service.client.get("/plans/999", headers=viewer).status_code == 401
