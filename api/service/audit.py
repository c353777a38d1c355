"""The audit log: who created, changed or deleted what, and when.

:func:`record` adds the entry to the caller's session, so it is committed in the same
transaction as the change it describes (or not at all).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.service.models import AuditEntry, User


def record(
    session: Session,
    user: User | None,
    action: str,
    resource_type: str,
    resource_id: int | None,
    *,
    area_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to ``session`` (committed with the change)."""
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else None,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        area_id=area_id,
        detail=detail or {},
    )
    session.add(entry)
    return entry
