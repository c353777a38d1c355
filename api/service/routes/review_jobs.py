"""``/review-jobs``: the review reports (plan review, weekly pack, monthly evaluation) as
background jobs; create (202), follow, download the files when done, cancel.

A report job is queued for the area of what it reviews (the plan's area, or ``area_id``) and
scoped like everything else: a user who does not see the area gets 404 for the job and its
files. It makes JSON and, per language asked, PDF and XLSX (:mod:`api.service.reviewjob`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.requests import MAX_VARY
from api.service import audit
from api.service.authcache import Principal
from api.service.deps import (
    CurrentPrincipal,
    ItemId,
    PageDep,
    ServiceState,
    SessionDep,
    StateDep,
    WriterUser,
    check_area,
    get_area,
    scoped,
    visible_area_ids,
)
from api.service.errors import ConflictError, InvalidInputError, NotFoundError
from api.service.models import JobState, PlanJob, ReviewFile, ReviewJob, User
from api.service.routeclass import OneHopRoute
from api.service.routes.common import CONFLICT, FORBIDDEN, cancel_job
from api.service.schemas import UtcDateTime

router = APIRouter(route_class=OneHopRoute, prefix="/review-jobs", tags=["review"])

#: The largest id accepted in a request.
MAX_ID = 2**31 - 1

Lang = Literal["en", "zh-CN"]
ALL_LANGS: tuple[Lang, ...] = ("en", "zh-CN")


class ReviewJobCreate(BaseModel):
    """A review report to make in the background.

    ``kind`` ``plan`` needs ``plan_id`` (and ``day``); ``weekly`` needs ``area_id`` and
    ``week``; ``monthly`` needs ``area_id`` and ``month``. The other fields are those of the
    matching direct endpoint.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"kind": "plan", "plan_id": 7, "day": 1},
                {"kind": "weekly", "area_id": 1, "week": "2024-W10"},
                {"kind": "monthly", "area_id": 1, "month": "2017-05", "basis": "yoy"},
            ]
        },
    )

    kind: Literal["plan", "weekly", "monthly"]
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    day: int = Field(default=1, ge=1, le=MAX_VARY)
    radius_m: float = Field(default=60.0, gt=0, le=1000)
    slack_min: float = Field(default=30.0, ge=0, le=720)
    min_visit_s: int = Field(default=60, ge=0, le=7200)
    area_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    week: str | None = Field(default=None, pattern=r"^\d{4}-W\d{2}$", max_length=8)
    month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$", max_length=7)
    basis: Literal["yoy", "mom"] = "yoy"
    dataset_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    categories: str | None = Field(default=None, max_length=1000)
    min_count: int = Field(default=5, ge=0, le=100000)
    langs: list[Lang] = Field(default_factory=lambda: list(ALL_LANGS), min_length=1, max_length=2)

    @model_validator(mode="after")
    def _needs(self) -> ReviewJobCreate:
        need = {
            "plan": ("plan_id",),
            "weekly": ("area_id", "week"),
            "monthly": ("area_id", "month"),
        }
        missing = [name for name in need[self.kind] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"kind {self.kind!r} needs {' and '.join(missing)}")
        return self


class ReviewJobPublic(BaseModel):
    """A background review report: state, progress and, when done, its summary and files."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "area_id": 1,
                    "kind": "monthly",
                    "plan_id": None,
                    "state": "succeeded",
                    "progress": 1.0,
                    "message": "Report done",
                    "error": None,
                    "parameters": {"kind": "monthly", "area_id": 1, "month": "2017-05"},
                    "result": {"month": "2017-05", "bulletin": ["720", "730", "741"]},
                    "files": ["json", "pdf_en", "pdf_zh-CN", "xlsx_en", "xlsx_zh-CN"],
                    "created_at": "2025-03-01T08:00:00Z",
                    "started_at": "2025-03-01T08:00:01Z",
                    "finished_at": "2025-03-01T08:00:04Z",
                    "created_by_id": 2,
                }
            ]
        },
    )

    id: int
    area_id: int
    kind: str
    plan_id: int | None
    state: JobState
    progress: float
    message: str
    error: str | None
    parameters: dict[str, Any]
    result: dict[str, Any] | None
    files: list[str] = Field(default_factory=list)
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    created_by_id: int | None


def review_job_public(job: ReviewJob) -> ReviewJobPublic:
    public = ReviewJobPublic.model_validate(job, from_attributes=True)
    files = list((job.result or {}).get("files") or [])
    return public.model_copy(update={"files": files})


def review_job_parameters(
    session: Session, user: User | Principal, body: ReviewJobCreate
) -> tuple[int, int | None, dict[str, Any]]:
    """The area, plan and stored parameters of a report (404 for what the user does not see;
    409 for a plan that is not done)."""
    parameters = body.model_dump(mode="json")
    if body.kind == "plan":
        assert body.plan_id is not None
        plan: PlanJob = scoped(session, user, PlanJob, body.plan_id, "plan")
        if plan.state != JobState.SUCCEEDED.value:
            raise ConflictError(f"plan {plan.id} is {plan.state}; a review needs a succeeded plan")
        for name in ("area_id", "week", "month"):
            parameters.pop(name, None)
        return plan.area_id, plan.id, parameters
    assert body.area_id is not None
    area = get_area(session, user, body.area_id)
    return area.id, None, parameters


def enqueue_review(
    session: Session,
    state: ServiceState,
    user: User | Principal,
    area_id: int,
    plan_id: int | None,
    parameters: dict[str, Any],
) -> ReviewJob:
    """Store a queued report job (audited) and hand it to the runner."""
    job = ReviewJob(
        area_id=area_id,
        kind=str(parameters["kind"]),
        plan_id=plan_id,
        state=JobState.QUEUED.value,
        progress=0.0,
        message="Queued",
        cancel_requested=False,
        parameters=parameters,
        created_by_id=user.id,
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "review_job",
        job.id,
        area_id=area_id,
        detail={"parameters": parameters},
    )
    session.commit()
    if state.runner is not None:
        state.runner.submit(job.id, parameters, kind="review")
    return job


@router.post(
    "",
    summary="Start a review report (background job)",
    response_model=ReviewJobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**FORBIDDEN, **CONFLICT},
)
def create_review_job(
    body: ReviewJobCreate, session: SessionDep, user: CurrentPrincipal, state: StateDep
) -> ReviewJobPublic:
    """Queue the plan review, weekly pack or monthly evaluation report of what the user sees;
    answers 202 with the job to follow at ``GET /review-jobs/{id}``. Viewers may ask for
    reports too (they only read)."""
    area_id, plan_id, parameters = review_job_parameters(session, user, body)
    return review_job_public(enqueue_review(session, state, user, area_id, plan_id, parameters))


@router.get("", summary="List review report jobs")
def list_review_jobs(
    session: SessionDep,
    user: CurrentPrincipal,
    page: PageDep,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this area.")] = None,
    plan_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this plan.")] = None,
) -> dict[str, Any]:
    """Report jobs of the user's areas, latest first."""
    statement = select(ReviewJob).order_by(ReviewJob.id.desc())
    if area_id is not None:
        check_area(user, area_id)
        statement = statement.where(ReviewJob.area_id == area_id)
    if plan_id is not None:
        statement = statement.where(ReviewJob.plan_id == plan_id)
    ids = visible_area_ids(user)
    if ids is not None:
        statement = statement.where(ReviewJob.area_id.in_(ids))
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.scalars(statement.offset(page.offset).limit(page.limit)).all()
    return {
        "items": [review_job_public(r).model_dump(mode="json") for r in rows],
        "total": int(total or 0),
        "offset": page.offset,
        "limit": page.limit,
    }


@router.get("/{job_id}", summary="A review report job's state", response_model=ReviewJobPublic)
def read_review_job(job_id: ItemId, session: SessionDep, user: CurrentPrincipal) -> ReviewJobPublic:
    """State, progress and message; the summary and the names of its files when done."""
    job: ReviewJob = scoped(session, user, ReviewJob, job_id, "review job")
    return review_job_public(job)


class ReviewFormat(StrEnum):
    """Downloads of a finished report job."""

    PDF = "pdf"
    XLSX = "xlsx"
    JSON = "json"


@router.get(
    "/{job_id}/files/{fmt}",
    summary="A file of a finished review report job",
    response_class=Response,
    responses={
        **CONFLICT,
        200: {
            "description": "The file as a download.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("application/pdf", "application/json")
            },
        },
    },
)
def review_job_file(
    job_id: ItemId,
    fmt: ReviewFormat,
    session: SessionDep,
    user: CurrentPrincipal,
    lang: Annotated[Literal["en", "zh-CN"], Query(description="Language of the report.")] = "en",
) -> Response:
    """The PDF or workbook in ``lang`` (one the job was asked for), or the JSON document."""
    job: ReviewJob = scoped(session, user, ReviewJob, job_id, "review job")
    if job.state != JobState.SUCCEEDED.value:
        raise ConflictError(f"review job {job.id} is {job.state}; it has no files yet")
    name = "json" if fmt is ReviewFormat.JSON else f"{fmt.value}_{lang}"
    stored = session.get(ReviewFile, (job.id, name))
    if stored is None:
        if fmt is not ReviewFormat.JSON:
            asked = ", ".join(job.parameters.get("langs") or [])
            raise InvalidInputError(f"lang: review job {job.id} made the report in {asked}")
        raise NotFoundError(f"file {name} of review job", job.id)
    suffix = "" if fmt is ReviewFormat.JSON else f"_{lang}"
    stem = {"plan": f"plan{job.plan_id}_review", "weekly": "weekly", "monthly": "monthly"}.get(
        job.kind, "review"
    )
    period = job.parameters.get("week") or job.parameters.get("month") or ""
    filename = f"{stem}{'_' + period if period else ''}{suffix}.{fmt.value}"
    return Response(
        stored.data,
        media_type=stored.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/{job_id}/cancel",
    summary="Cancel a queued or running review report job",
    response_model=ReviewJobPublic,
    responses={**FORBIDDEN, **CONFLICT},
)
def cancel_review_job(
    job_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep
) -> ReviewJobPublic:
    """Stop a report job: a queued one never starts; a running one's worker is stopped."""
    job: ReviewJob = scoped(session, user, ReviewJob, job_id, "review job")
    cancel_job(session, user, job, kind="review", label="review job", runner=state.runner)
    return review_job_public(job)
