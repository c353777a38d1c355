"""Settings (no configuration needed, secret generated once) and a complete OpenAPI."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from api.service.settings import Settings, default_data_dir
from tests.api.service.conftest import Service


def test_default_database_under_xdg_data_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("GRIDPATROL_DATABASE_URL", raising=False)
    monkeypatch.delenv("GRIDPATROL_DATA_DIR", raising=False)
    assert default_data_dir() == tmp_path / "xdg" / "gridpatrol"
    settings = Settings()
    assert settings.resolved_database_url() == (
        f"sqlite:///{tmp_path / 'xdg' / 'gridpatrol' / 'gridpatrol.db'}"
    )


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDPATROL_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("GRIDPATROL_JOB_WORKERS", "3")
    settings = Settings()
    assert settings.resolved_database_url() == "postgresql+psycopg://u@h/db"
    assert settings.job_workers == 3


def test_secret_is_generated_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.resolved_secret_key()
    assert len(key) > 40
    assert Settings(data_dir=tmp_path).resolved_secret_key() == key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert Settings(data_dir=tmp_path, secret_key="given").resolved_secret_key() == "given"


def test_openapi_is_complete(service: Service) -> None:
    schema = service.client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= 30
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        success = {k: v for k, v in op["responses"].items() if k.startswith("2")}
        assert success, where
        for code, response in success.items():
            if code == "204":
                continue
            content = response.get("content") or {}
            assert content and all(c.get("schema") for c in content.values()), where
        if path != "/health" and not path.startswith("/auth/token"):
            assert "401" in op["responses"], where
    for name, component in schema["components"]["schemas"].items():
        if name.endswith(("Public", "Create", "Update", "Collection")) and not name.startswith(
            "Page"
        ):
            assert component.get("examples"), name
