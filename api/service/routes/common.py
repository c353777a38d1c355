"""What the routers share: documented error answers and pagination."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.requests import MAX_VARY
from api.service import audit
from api.service.authcache import Principal
from api.service.deps import PageParams
from api.service.errors import ConflictError
from api.service.jobs import JobRunner
from api.service.models import (
    ACTIVE_STATES,
    JobState,
    PlanJob,
    ReviewJob,
    StaffingJob,
    User,
    utcnow,
)
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

#: The ``day`` query parameter of a plan's map, sheets, routes and document (1 = the first day).
DayQuery = Annotated[
    int, Query(ge=1, le=MAX_VARY, description="Day of a vary run (1 = the first).")
]


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


def cancel_job(
    session: Session,
    user: User | Principal,
    job: PlanJob | StaffingJob | ReviewJob,
    *,
    kind: str,
    label: str,
    runner: JobRunner | None,
) -> None:
    """Stop a background job: a queued one never starts; a running one's worker is stopped.

    The request is recorded (and audited) first, so a worker that finishes meanwhile sees it;
    the job is marked cancelled here only when it was still queued or its worker was stopped.
    """
    if job.state not in ACTIVE_STATES:
        raise ConflictError(f"{label} {job.id} is already {job.state}")
    job.cancel_requested = True
    job.message = "Cancel requested"
    audit.record(session, user, "cancel", kind, job.id, area_id=job.area_id)
    session.commit()
    stopped = runner.cancel(job.id, kind=kind) if runner is not None else False
    session.refresh(job)
    if (job.state == JobState.QUEUED.value or stopped) and job.state in ACTIVE_STATES:
        job.state = JobState.CANCELLED.value
        job.message = "Cancelled"
        job.finished_at = utcnow()
        session.commit()
