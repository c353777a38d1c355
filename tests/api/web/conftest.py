"""Fixtures of the web page tests: the service fixtures, and signing in through the login form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.service.conftest import (  # noqa: F401  (fixtures used by these tests)
    PASSWORD,
    Service,
    admin,
    make_service,
    postgres_databases,
    service,
    sqlite_url,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    match = CSRF.search(html)
    assert match, html[:2000]
    return match.group(1)


def web_login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign ``name`` in through the login form; return the session's form token."""
    page = client.get("/web/login")
    assert page.status_code == 200, page.text
    response = client.post(
        "/web/login",
        data={"username": name, "password": password, "csrf_token": form_token(page.text)},
    )
    assert response.status_code == 200, response.text
    assert response.url.path == "/web/", response.url
    return form_token(response.text)
