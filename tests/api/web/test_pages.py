"""The web pages with a test client: signing in (cookie), CSRF, roles and scoping, forms that
answer with their problems instead of failing, languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.service.db import make_engine, make_session_factory
from api.service.models import IncidentDataset, PlanJob
from tests.api.service.conftest import add_user
from tests.api.web.conftest import PASSWORD, Service, form_token, web_login

BAD_CSV = (
    b"date,category,lat,lon\n"
    b"2024-03-01 22:10,theft,43.662,-79.393\n"
    b"2024-03-02 08:15,robbery,not-a-number,-79.390\n"
    b"yesterday,theft,43.664,-79.395\n"
)


@pytest.fixture
def browser_client(service: Service) -> Iterator[TestClient]:
    """A second client (its own cookie jar) on the same app."""
    with TestClient(service.app) as client:
        yield client


def _sample_area(service: Service, admin: dict[str, str], name: str = "UofT") -> tuple[int, int]:
    area = service.area(admin, name, sample="toronto-uoft")
    datasets = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()
    return area["id"], datasets["items"][0]["id"]


def _count(url: str, model: type[IncidentDataset] | type[PlanJob]) -> int:
    engine = make_engine(url, pooled=False)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


def test_pages_need_a_session_and_login_sets_an_httponly_lax_cookie(
    service: Service, admin: dict[str, str]
) -> None:
    client = service.client
    first = client.get("/web/areas/1", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/web/login?next=%2Fweb%2Fareas%2F1"
    page = client.get("/web/login")
    response = client.post(
        "/web/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/web/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("gp_session="))
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain HTTP here; HTTPS (or cookie_secure) adds it
    home = client.get("/web/")
    assert home.status_code == 200 and "Signed in as admin" in home.text
    # The API accepts the same cookie (reads need no CSRF token) ...
    me = client.get("/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "admin"
    # ... and a Bearer header still wins over it.
    assert client.get("/auth/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_wrong_password_shows_the_form_again_with_a_message(service: Service) -> None:
    add_user(service.url, "pat", "coordinator")
    for name, password in (("pat", "wrong password"), ("nobody", "whatever1"), ("pat", "")):
        page = service.client.get("/web/login")
        response = service.client.post(
            "/web/login",
            data={"username": name, "password": password, "csrf_token": form_token(page.text)},
        )
        assert response.status_code in (400, 401), response.text
        assert 'id="login-form"' in response.text
        assert "Wrong user name or password." in response.text or "Enter a user name" in (
            response.text
        )
        assert "gp_session" not in service.client.cookies


def test_login_without_its_form_token_is_refused(service: Service) -> None:
    add_user(service.url, "pat", "coordinator")
    service.client.get("/web/login")
    response = service.client.post(
        "/web/login", data={"username": "pat", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert "gp_session" not in service.client.cookies


def test_forms_and_cookie_writes_need_the_session_csrf_token(
    service: Service, admin: dict[str, str]
) -> None:
    area_id, dataset_id = _sample_area(service, admin)
    token = web_login(service.client, "admin")
    form = {"dataset_id": str(dataset_id), "band": "16-24", "car": "1", "time_limit_s": "1"}
    for bad in ({}, {"csrf_token": "forged"}, {"csrf_token": token[:-2] + "xx"}):
        response = service.client.post(f"/web/areas/{area_id}/plans", data={**form, **bad})
        assert response.status_code == 403, response.text
        assert "This form has expired" in response.text
    assert _count(service.url, PlanJob) == 0
    # The JSON API signed in by the cookie: writes need the token in X-CSRF-Token.
    body = {"dataset_id": dataset_id, "time_limit_s": 1}
    refused = service.client.post("/plans", json=body)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    assert _count(service.url, PlanJob) == 0
    accepted = service.client.post("/plans", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 202
    # A token of another session does not work for this one.
    with TestClient(service.app) as other:
        other_token = web_login(other, "admin")
    assert other_token != token
    response = service.client.post(
        f"/web/areas/{area_id}/plans", data={**form, "csrf_token": other_token}
    )
    assert response.status_code == 403
    # The right token starts the plan and leads to its page.
    started = service.client.post(f"/web/areas/{area_id}/plans", data={**form, "csrf_token": token})
    assert started.status_code == 200 and started.url.path.startswith("/web/plans/")
    assert "data-status-url" in started.text
    assert _count(service.url, PlanJob) == 2


def test_logout_forgets_the_session(service: Service, admin: dict[str, str]) -> None:
    token = web_login(service.client, "admin")
    assert service.client.post("/web/logout", data={"csrf_token": "forged"}).status_code == 403
    response = service.client.post("/web/logout", data={"csrf_token": token})
    assert response.status_code == 200 and response.url.path == "/web/login"
    assert "gp_session" not in service.client.cookies
    assert service.client.get("/web/", follow_redirects=False).status_code == 303


def test_viewer_sees_no_actions_and_gets_403_when_posting(
    service: Service, admin: dict[str, str], browser_client: TestClient
) -> None:
    area_id, dataset_id = _sample_area(service, admin)
    add_user(service.url, "vic", "viewer", [area_id])
    token = web_login(browser_client, "vic")
    page = browser_client.get(f"/web/areas/{area_id}")
    assert page.status_code == 200
    assert 'id="run-plan"' not in page.text and 'id="upload-form"' not in page.text
    assert 'id="plan-form"' not in page.text
    staffing = browser_client.get(f"/web/areas/{area_id}/staffing")
    assert staffing.status_code == 200 and 'id="run-staffing"' not in staffing.text
    form = {"csrf_token": token, "dataset_id": str(dataset_id), "band": "16-24", "car": "1"}
    for path in (f"/web/areas/{area_id}/plans", f"/web/areas/{area_id}/staffing"):
        response = browser_client.post(path, data=form)
        assert response.status_code == 403, path
        assert "Viewers cannot change anything." in response.text
    upload = browser_client.post(
        f"/web/areas/{area_id}/datasets",
        data={"csrf_token": token},
        files={"file": ("x.csv", b"date,category,lat,lon\n", "text/csv")},
    )
    assert upload.status_code == 403
    assert _count(service.url, PlanJob) == 0


def test_another_areas_pages_are_404(
    service: Service, admin: dict[str, str], browser_client: TestClient
) -> None:
    mine, _ = _sample_area(service, admin, "Mine")
    theirs, their_dataset = _sample_area(service, admin, "Theirs")
    plan = service.client.post(
        "/plans", json={"dataset_id": their_dataset, "time_limit_s": 1}, headers=admin
    ).json()
    add_user(service.url, "pat", "coordinator", [mine])
    token = web_login(browser_client, "pat")
    home = browser_client.get("/web/")
    assert "Mine" in home.text and "Theirs" not in home.text
    for path in (
        f"/web/plans/{plan['id']}",
        f"/web/areas/{theirs}",
        f"/web/areas/{theirs}/staffing",
        "/web/plans/999999",
        "/web/plans/not-a-number",
    ):
        response = browser_client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.text
    posted = browser_client.post(
        f"/web/plans/{plan['id']}/cancel", data={"csrf_token": token}, follow_redirects=False
    )
    assert posted.status_code == 404
    # The API answers the same through the cookie.
    assert browser_client.get(f"/plans/{plan['id']}").status_code == 404
    assert browser_client.get(f"/plans/{plan['id']}/map").status_code == 404


def test_bad_upload_shows_every_problem_with_row_and_column(
    service: Service, admin: dict[str, str]
) -> None:
    area = service.area(admin, "Square")
    token = web_login(service.client, "admin")
    before = _count(service.url, IncidentDataset)
    response = service.client.post(
        f"/web/areas/{area['id']}/datasets",
        data={"csrf_token": token},
        files={"file": ("bad incidents.csv", BAD_CSV, "text/csv")},
    )
    assert response.status_code == 422
    assert 'class="problems"' in response.text
    assert "bad_incidents.csv" in response.text
    assert "<td>2</td>" in response.text and "<td>lat</td>" in response.text
    assert "<td>3</td>" in response.text and "<td>date</td>" in response.text
    assert "not-a-number" in response.text
    assert _count(service.url, IncidentDataset) == before
    empty = service.client.post(
        f"/web/areas/{area['id']}/datasets",
        data={"csrf_token": token},
        files={"file": ("empty.csv", b"", "text/csv")},
    )
    assert empty.status_code == 422 and "the file is empty" in empty.text
    missing = service.client.post(f"/web/areas/{area['id']}/datasets", data={"csrf_token": token})
    assert missing.status_code == 422 and "Choose a file to upload." in missing.text


def test_bad_plan_form_values_are_listed_not_failed(
    service: Service, admin: dict[str, str]
) -> None:
    area_id, dataset_id = _sample_area(service, admin)
    token = web_login(service.client, "admin")
    url = f"/web/areas/{area_id}/plans"
    base = {"csrf_token": token, "dataset_id": str(dataset_id), "band": "16-24", "car": "1"}
    cases = {
        "band": ({"band": "25-99"}, "band"),
        "units": ({"car": "two", "foot": "-1"}, "is not a whole number"),
        "no units": ({"car": "0"}, "Give at least one unit."),
        "date": ({"plan_date": "31/12/2021"}, "is not a date"),
        "limit": ({"time_limit_s": "fast"}, "is not a number"),
        "dataset": ({"dataset_id": "424242"}, "Choose a dataset of this area."),
    }
    for name, (change, message) in cases.items():
        response = service.client.post(url, data={**base, **change})
        assert response.status_code == 422, (name, response.text[-2000:])
        assert message in response.text, name
        assert 'id="plan-form"' in response.text, name
    both = service.client.post(url, data={**base, "car": "x", "plan_date": "never"})
    assert "is not a whole number" in both.text and "is not a date" in both.text
    assert _count(service.url, PlanJob) == 0


def test_pages_in_chinese(service: Service, admin: dict[str, str]) -> None:
    login = service.client.get("/web/login?lang=zh-CN")
    assert login.status_code == 200 and '<html lang="zh-CN">' in login.text
    assert "用户名" in login.text and "密码" in login.text and "登录" in login.text
    web_login(service.client, "admin")  # the language is remembered in a cookie
    home = service.client.get("/web/")
    assert "我的片区" in home.text and "退出登录" in home.text
    english = service.client.get("/web/?lang=en")
    assert "Your areas" in english.text
    browser = TestClient(service.app, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "用户名" in browser.get("/web/login").text
    browser.close()


def test_next_never_leaves_the_site(service: Service, admin: dict[str, str]) -> None:
    for target in ("https://evil.example/", "//evil.example/web/", "/web/../auth/me"):
        page = service.client.get("/web/login", params={"next": target})
        response = service.client.post(
            "/web/login",
            data={
                "username": "admin",
                "password": PASSWORD,
                "csrf_token": form_token(page.text),
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/web/"
        service.client.cookies.clear()
    page = service.client.get("/web/login")
    response = service.client.post(
        "/web/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrf_token": form_token(page.text),
            "next": "/web/areas/1",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/web/areas/1"


def test_pages_send_security_headers(service: Service) -> None:
    page = service.client.get("/web/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert service.client.get("/web/static/status.js").status_code == 200


def test_upload_page_keeps_valid_rows_and_names_its_fields(
    service: Service, admin: dict[str, str]
) -> None:
    area = service.area(admin, "Square")
    token = web_login(service.client, "admin")
    refused = service.client.post(
        f"/web/areas/{area['id']}/datasets",
        data={"csrf_token": token},
        files={"file": ("bad.csv", BAD_CSV, "text/csv")},
    )
    assert refused.status_code == 422
    assert "the keep_valid field (true)" in refused.text
    assert 'name="keep_valid"' in refused.text and 'name="columns"' in refused.text
    before = _count(service.url, IncidentDataset)
    kept = service.client.post(
        f"/web/areas/{area['id']}/datasets",
        data={"csrf_token": token, "keep_valid": "true"},
        files={"file": ("bad.csv", BAD_CSV, "text/csv")},
    )
    assert kept.status_code == 201, kept.text
    assert "2 rows were left out" in kept.text and "<td>3</td>" in kept.text
    assert _count(service.url, IncidentDataset) == before + 1
