"""What the routers share: documented error answers and pagination."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.service.deps import PageParams
from api.service.schemas import ErrorPublic, Page

M = TypeVar("M", bound=BaseModel)


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


#: Error answers every authenticated operation may give.
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("Not authenticated, or the token is invalid or expired."),
    422: _error("The request's values cannot be used (each problem is listed)."),
    429: _error("Too many requests; see the Retry-After header."),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: _error("Not found, or in an area the user does not see.")
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {403: _error("The user's role does not allow this.")}
CONFLICT: dict[int | str, dict[str, Any]] = {409: _error("Conflicts with the current state.")}
TOO_LARGE: dict[int | str, dict[str, Any]] = {413: _error("The upload is larger than the limit.")}


def paginate(
    session: Session, statement: Select[Any], page: PageParams, schema: type[M]
) -> Page[M]:
    """One page of ``statement``'s rows as ``schema`` objects, with the total count."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.scalars(statement.offset(page.offset).limit(page.limit)).all()
    return Page[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(r, from_attributes=True) for r in rows],
        total=int(total or 0),
        offset=page.offset,
        limit=page.limit,
    )
