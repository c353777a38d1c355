"""``/audit``: the audit log (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.service.deps import AdminUser, PageDep, SessionDep
from api.service.models import AuditEntry
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, FORBIDDEN, paginate
from api.service.schemas import MAX_ID, AuditPublic, Page

router = APIRouter(
    route_class=OneHopRoute, prefix="/audit", tags=["audit"], responses={**AUTH_ERRORS, **FORBIDDEN}
)


@router.get(
    "", summary="Who created, changed or deleted what, and when", response_model=Page[AuditPublic]
)
def list_audit(
    session: SessionDep,
    admin: AdminUser,
    page: PageDep,
    resource_type: Annotated[
        str | None, Query(max_length=32, description="e.g. dataset, plan, user.")
    ] = None,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this user.")] = None,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this area.")] = None,
    action: Annotated[
        str | None,
        Query(max_length=32, description="e.g. login, login_failed, export_map, create."),
    ] = None,
) -> Page[AuditPublic]:
    """Audit entries, newest first: sign-ins (and failures), creations, changes, deletions,
    uploads, downloads and exports, each with the client's address and user agent."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    if resource_type is not None:
        statement = statement.where(AuditEntry.resource_type == resource_type)
    if user_id is not None:
        statement = statement.where(AuditEntry.user_id == user_id)
    if area_id is not None:
        statement = statement.where(AuditEntry.area_id == area_id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    return paginate(session, statement, page, AuditPublic)
