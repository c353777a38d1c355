"""Roles and area scope: other areas answer 404, viewers get 403, admins see all."""

from __future__ import annotations

import httpx

from tests.api.service.conftest import Service

CSV = b"date,category,lat,lon\n2024-03-01 22:10,theft,43.662,-79.393\n"


def _upload(service: Service, headers: dict[str, str], area_id: int) -> httpx.Response:
    return service.client.post(
        "/datasets",
        data={"area_id": str(area_id)},
        files={"file": ("incidents.csv", CSV, "text/csv")},
        headers=headers,
    )


def test_users_see_only_their_areas(service: Service, admin: dict[str, str]) -> None:
    a = service.area(admin, "A")
    b = service.area(admin, "B")
    dataset_b = _upload(service, admin, b["id"]).json()
    planner = service.user("pat", "coordinator", [a["id"]])

    listed = service.client.get("/areas", headers=planner).json()
    assert [x["id"] for x in listed["items"]] == [a["id"]] and listed["total"] == 1
    assert service.client.get(f"/areas/{b['id']}", headers=planner).status_code == 404
    assert service.client.get(f"/areas/{b['id']}/layers", headers=planner).status_code == 404
    assert service.client.get(f"/datasets/{dataset_b['id']}", headers=planner).status_code == 404
    assert service.client.get(f"/datasets?area_id={b['id']}", headers=planner).status_code == 404
    assert service.client.get("/datasets", headers=planner).json()["total"] == 0
    assert _upload(service, planner, b["id"]).status_code == 404
    assert service.client.delete(f"/datasets/{dataset_b['id']}", headers=planner).status_code == 404
    assert (
        service.client.post(
            "/plans", json={"dataset_id": dataset_b["id"]}, headers=planner
        ).status_code
        == 404
    )
    # The planner may work in its own area.
    assert _upload(service, planner, a["id"]).status_code == 201

    everything = service.client.get("/areas", headers=admin).json()
    assert everything["total"] == 2
    assert service.client.get("/datasets", headers=admin).json()["total"] == 2


def test_viewers_cannot_change_anything(service: Service, admin: dict[str, str]) -> None:
    a = service.area(admin, "A")
    dataset = _upload(service, admin, a["id"]).json()
    viewer = service.user("vic", "viewer", [a["id"]])

    assert service.client.get(f"/areas/{a['id']}", headers=viewer).status_code == 200
    assert service.client.get(f"/datasets/{dataset['id']}", headers=viewer).status_code == 200
    assert _upload(service, viewer, a["id"]).status_code == 403
    assert service.client.delete(f"/datasets/{dataset['id']}", headers=viewer).status_code == 403
    plan = service.client.post("/plans", json={"dataset_id": dataset["id"]}, headers=viewer)
    assert plan.status_code == 403
    assert (
        service.client.post("/grids", json={"area_id": a["id"]}, headers=viewer).status_code == 403
    )
    assert (
        service.client.post(
            "/areas", json={"name": "X", "sample": "toronto-uoft"}, headers=viewer
        ).status_code
        == 403
    )
    assert service.client.get("/users", headers=viewer).status_code == 403
    assert service.client.get("/audit", headers=viewer).status_code == 403


def test_coordinators_cannot_administer(service: Service, admin: dict[str, str]) -> None:
    a = service.area(admin, "A")
    planner = service.user("pat", "coordinator", [a["id"]])
    new_user = {"username": "eve", "password": "long enough", "role": "admin"}
    assert service.client.post("/users", json=new_user, headers=planner).status_code == 403
    assert service.client.delete(f"/areas/{a['id']}", headers=planner).status_code == 403
    # Tokens: one's own yes, another user's no.
    me = service.client.get("/auth/me", headers=planner).json()
    assert (
        service.client.post(
            f"/users/{me['id']}/tokens", json={"name": "x"}, headers=planner
        ).status_code
        == 201
    )
    assert (
        service.client.post("/users/1/tokens", json={"name": "x"}, headers=planner).status_code
        == 403
    )


def test_admin_manages_users_and_scope(service: Service, admin: dict[str, str]) -> None:
    a = service.area(admin, "A")
    created = service.client.post(
        "/users",
        json={"username": "pat", "password": "long enough", "role": "viewer"},
        headers=admin,
    )
    assert created.status_code == 201
    user_id = created.json()["id"]
    patched = service.client.patch(
        f"/users/{user_id}", json={"role": "coordinator", "area_ids": [a["id"]]}, headers=admin
    )
    assert patched.json()["role"] == "coordinator" and patched.json()["area_ids"] == [a["id"]]
    bad = service.client.patch(f"/users/{user_id}", json={"area_ids": [999]}, headers=admin)
    assert bad.status_code == 422
    duplicate = service.client.post(
        "/users", json={"username": "pat", "password": "long enough"}, headers=admin
    )
    assert duplicate.status_code == 409
    token = service.login("pat", "long enough")
    areas = service.client.get("/areas", headers={"Authorization": f"Bearer {token}"}).json()
    assert areas["total"] == 1
