"""Property-based test of the whole API against its own OpenAPI document (schemathesis).

Every operation gets up to 20 generated requests, authenticated as an admin of a service on a
temporary SQLite database that already holds the Toronto sample area. Checks: no server error
for any request, and every response conforms to its documented schema. Plans are only queued
(no plan workers), so the plan-creation endpoint stays light.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok

from api.service.app import create_app
from tests.api.service.conftest import PASSWORD, add_user, make_settings


@pytest.fixture(scope="module")
def admin_headers_and_app(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, str], Any]]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite:///{folder / 'gridpatrol.db'}"
    app = create_app(make_settings(url, folder))
    add_user(url, "admin", "admin")
    with TestClient(app) as client:
        token = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = client.post(
            "/areas", json={"name": "UofT", "sample": "toronto-uoft"}, headers=headers
        )
        assert created.status_code == 201
        yield headers, app


OPERATION_MODES = (
    (GenerationMode.POSITIVE, 20),
    (GenerationMode.NEGATIVE, 10),
)


def test_api_conforms_to_its_openapi(
    admin_headers_and_app: tuple[dict[str, str], Any],
) -> None:
    headers, app = admin_headers_and_app
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    tested = 0
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is valid
        operation = result.ok()
        for mode, examples in OPERATION_MODES:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate(
                    headers=headers, checks=[not_a_server_error, response_schema_conformance]
                )

            try:
                check()
            except Unsatisfiable:
                continue  # no invalid request exists (an operation without parameters)
            except (Exception, BaseExceptionGroup) as exc:  # collect all failures, then fail once
                text = "".join(traceback.format_exception(exc))
                failures.append(f"{operation.label} ({mode.value}):\n{text[-4000:]}")
            tested += 1
    assert tested >= 60
    assert not failures, "\n\n".join(failures)
