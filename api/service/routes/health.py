"""``/health``: whether the service and its database answer (no authentication)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.service.deps import SessionDep
from api.service.routeclass import OneHopRoute
from api.service.schemas import HealthPublic

router = APIRouter(route_class=OneHopRoute, tags=["health"])


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gridpatrol")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


@router.get("/health", summary="Service and database status", response_model=HealthPublic)
def health(session: SessionDep) -> HealthPublic:
    """``ok`` when the database answers a trivial query, ``degraded`` otherwise."""
    try:
        session.execute(text("SELECT 1"))
        database: Literal["ok", "unavailable"] = "ok"
    except SQLAlchemyError:
        database = "unavailable"
    return HealthPublic(
        status="ok" if database == "ok" else "degraded", database=database, version=_version()
    )
