"""The review pages: a plan's review against its GPS tracks (with the track upload), an
area's weekly pack (每周点评) and its monthly ranking (每月考评) with the remembered months, and
a review report job's progress and downloads. They show what ``GET /plans/{id}/review``,
``GET /areas/{id}/weekly``, ``GET /areas/{id}/monthly`` and ``GET /review-jobs/{id}`` answer
(:mod:`api.service.routes.review`, :mod:`api.service.routes.review_jobs`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from api.service import reviews
from api.service.deps import ItemId, SessionDep, get_area, scoped
from api.service.lanes import long_request
from api.service.models import ACTIVE_STATES, Area, JobState, PlanJob, ReviewJob
from api.service.routeclass import OneHopRoute
from api.service.routes.common import DayQuery
from api.service.routes.review import MonthRecord as MonthRecordBody
from api.service.routes.review import (
    _history_entry,
    _options,
    monthly_evaluation,
    record_monthly,
    review_document,
    upload_checkins,
    upload_tracks,
    weekly_pack_document,
)
from api.service.routes.review_jobs import (
    ReviewJobCreate,
    enqueue_review,
    review_job_parameters,
)
from api.service.security import CSRF_FIELD
from api.web.common import WEB_PREFIX, PageDep, redirect, render
from geo.errors import GeoInputError

router = APIRouter(route_class=OneHopRoute, prefix=WEB_PREFIX, include_in_schema=False)

CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]


def _plan_review_page(
    plan_id: int,
    ctx: Any,
    session: Any,
    day: int,
    *,
    status_code: int = 200,
    uploaded: dict[str, Any] | None = None,
    checked_in: dict[str, Any] | None = None,
    error: str | None = None,
) -> Response:
    assert ctx.user is not None
    plan: PlanJob = scoped(session, ctx.user, PlanJob, plan_id, "plan")
    area = session.get(Area, plan.area_id)
    doc: dict[str, Any] | None = None
    try:
        doc = review_document(session, ctx.user, plan.id, day, _options(60.0, 30.0, 60))
    except HTTPException as exc:
        if exc.status_code != 409:
            raise
        notice = str(exc.detail)
        if "no GPS tracks" not in notice:
            error = error or notice
    stored = sum(t.fix_count for t in reviews.tracks_of(session, plan.id, day)) + sum(
        c.checkin_count for c in reviews.checkins_of(session, plan.id, day)
    )
    stops_by_unit: dict[str, list[dict[str, Any]]] = {}
    for stop in (doc or {}).get("stops", []):
        stops_by_unit.setdefault(stop["unit_id"], []).append(stop)
    return render(
        ctx,
        "review_plan.html",
        status_code,
        plan=plan,
        area=area,
        day=day,
        doc=doc,
        stops_by_unit=stops_by_unit,
        uploaded=uploaded,
        checked_in=checked_in,
        direct_ok=stored <= reviews.DIRECT_MAX_FIXES,
        error=error,
    )


@router.get("/plans/{plan_id}/review")
@long_request
def plan_review_page(
    plan_id: ItemId, ctx: PageDep, session: SessionDep, day: DayQuery = 1
) -> Response:
    """The review of a plan's day against its uploaded tracks, and the upload form."""
    return _plan_review_page(plan_id, ctx, session, day)


def _page_upload(
    plan_id: int,
    ctx: Any,
    session: Any,
    day: int,
    shown_as: Literal["uploaded", "checked_in"],
    upload: Callable[[], dict[str, Any]],
) -> Response:
    """Run an upload of the plan review page and show the page again: with the upload's
    answer (as ``shown_as``), or with the client's mistake (422, 409, 413) and nothing
    stored."""
    try:
        answer = upload()
    except GeoInputError as exc:
        session.rollback()
        return _plan_review_page(plan_id, ctx, session, day, status_code=422, error=str(exc))
    except HTTPException as exc:
        if exc.status_code not in (409, 413, 422):
            raise
        session.rollback()
        return _plan_review_page(
            plan_id, ctx, session, day, status_code=exc.status_code, error=str(exc.detail)
        )
    tracks = shown_as == "uploaded"
    return _plan_review_page(
        plan_id,
        ctx,
        session,
        day,
        uploaded=answer if tracks else None,
        checked_in=None if tracks else answer,
    )


@router.post("/plans/{plan_id}/review")
@long_request
def upload_tracks_page(
    plan_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
    csrf: CsrfField = "",
    day: Annotated[int, Form(ge=1, le=31)] = 1,
    unit_map: Annotated[str | None, Form(max_length=2000)] = None,
    columns: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Upload a track file from the page (the same reading as ``POST /plans/{id}/tracks``)."""
    ctx.check_csrf(csrf)
    ctx.require_writer()
    assert ctx.user is not None
    user = ctx.user
    return _page_upload(
        plan_id,
        ctx,
        session,
        day,
        "uploaded",
        lambda: upload_tracks(
            plan_id,
            session,
            user,
            ctx.state,
            file,
            day,
            unit_map or None,
            columns=columns or None,
        ),
    )


@router.post("/plans/{plan_id}/checkins")
@long_request
def upload_checkins_page(
    plan_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
    csrf: CsrfField = "",
    day: Annotated[int, Form(ge=1, le=31)] = 1,
    columns: Annotated[str | None, Form(max_length=1000)] = None,
) -> Response:
    """Upload check-ins (巡更) from the page (the same reading as ``POST /plans/{id}/checkins``)."""
    ctx.check_csrf(csrf)
    ctx.require_writer()
    assert ctx.user is not None
    user = ctx.user
    return _page_upload(
        plan_id,
        ctx,
        session,
        day,
        "checked_in",
        lambda: upload_checkins(
            plan_id, session, user, ctx.state, file, day, None, None, None, columns or None
        ),
    )


@router.get("/areas/{area_id}/monthly")
@long_request
def monthly_page(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    basis: Annotated[Literal["yoy", "mom"], Query()] = "yoy",
) -> Response:
    """The monthly ranking of an area's official areas (the month chosen on the page)."""
    return _monthly_page(ctx, session, area_id, month, basis)


def _monthly_page(
    ctx: Any,
    session: Any,
    area_id: int,
    month: str | None,
    basis: str,
    *,
    recorded: str | None = None,
    error: str | None = None,
) -> Response:
    assert ctx.user is not None
    area = get_area(session, ctx.user, area_id)
    doc: dict[str, Any] | None = None
    if month and error is None:
        try:
            doc = monthly_evaluation(session, ctx.user, area.id, month, basis)
        except HTTPException as exc:
            if exc.status_code not in (409, 422):
                raise
            error = str(exc.detail)
    history = [_history_entry(r) for r in reviews.history_rows(session, area.id)]
    names = {str(a["area_id"]): a["name"] for a in (doc or {}).get("areas", [])}
    return render(
        ctx,
        "review_month.html",
        200 if error is None else 422,
        area=area,
        month=month or "",
        basis=basis,
        doc=doc,
        error=error,
        history=history,
        names=names,
        recorded=recorded,
    )


@router.post("/areas/{area_id}/monthly")
@long_request
def record_month_page(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    month: Annotated[str, Form(max_length=7)] = "",
    basis: Annotated[str, Form(max_length=3)] = "yoy",
) -> Response:
    """Remember the month shown (``POST /areas/{id}/monthly/history``) and show the page."""
    ctx.check_csrf(csrf)
    ctx.require_writer()
    assert ctx.user is not None
    shown_basis = basis if basis in ("yoy", "mom") else "yoy"
    try:
        body = MonthRecordBody.model_validate({"month": month, "basis": basis})
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return _monthly_page(
            ctx,
            session,
            area_id,
            None,
            shown_basis,
            error=ctx.t("rweb.month.bad_form", fields=fields),
        )
    try:
        record_monthly(area_id, body, session, ctx.user)
    except HTTPException as exc:
        if exc.status_code not in (409, 422):
            raise
        session.rollback()
        return _monthly_page(ctx, session, area_id, month, shown_basis, error=str(exc.detail))
    return _monthly_page(ctx, session, area_id, month, shown_basis, recorded=month)


@router.get("/areas/{area_id}/weekly")
@long_request
def weekly_page(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    week: Annotated[str | None, Query(pattern=r"^\d{4}-W\d{2}$", max_length=8)] = None,
) -> Response:
    """The weekly pack of an area (the ISO week chosen on the page)."""
    assert ctx.user is not None
    area = get_area(session, ctx.user, area_id)
    doc: dict[str, Any] | None = None
    error: str | None = None
    if week:
        try:
            doc = weekly_pack_document(session, ctx.user, area.id, week)
        except HTTPException as exc:
            if exc.status_code not in (409, 422):
                raise
            error = str(exc.detail)
    names = {str(a["area_id"]): a["name"] for a in (doc or {}).get("areas", [])}
    return render(
        ctx,
        "review_week.html",
        200 if error is None else 422,
        area=area,
        week=week or "",
        doc=doc,
        names=names,
        error=error,
    )


@router.post("/review-jobs")
def start_review_job(
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    kind: Annotated[str, Form(max_length=10)] = "",
    plan_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    day: Annotated[int, Form(ge=1, le=31)] = 1,
    area_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
    week: Annotated[str | None, Form(max_length=8)] = None,
    month: Annotated[str | None, Form(max_length=7)] = None,
    basis: Annotated[str, Form(max_length=3)] = "yoy",
) -> Response:
    """Queue a review report (PDF and XLSX in both languages) and go to its page."""
    ctx.check_csrf(csrf)
    assert ctx.user is not None
    values: dict[str, Any] = {"kind": kind, "day": day, "basis": basis}
    for name, value in (
        ("plan_id", plan_id),
        ("area_id", area_id),
        ("week", week),
        ("month", month),
    ):
        if value not in (None, ""):
            values[name] = value
    try:
        body = ReviewJobCreate.model_validate(values)
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][-1]) if e["loc"] else kind for e in exc.errors())
        raise HTTPException(422, ctx.t("rweb.job.bad_form", fields=fields)) from None
    area, plan, parameters = review_job_parameters(session, ctx.user, body)
    job = enqueue_review(session, ctx.state, ctx.user, area, plan, parameters)
    return redirect(ctx, f"{WEB_PREFIX}/review-jobs/{job.id}")


@router.get("/review-jobs/{job_id}")
def review_job_page(job_id: ItemId, ctx: PageDep, session: SessionDep) -> Response:
    """A review report job: progress while it runs, then the downloads."""
    assert ctx.user is not None
    job: ReviewJob = scoped(session, ctx.user, ReviewJob, job_id, "review job")
    area = session.get(Area, job.area_id)
    files = list((job.result or {}).get("files") or [])
    return render(
        ctx,
        "review_job.html",
        job=job,
        area=area,
        active=job.state in ACTIVE_STATES,
        succeeded=job.state == JobState.SUCCEEDED.value,
        files=files,
    )
