"""The review pages: a plan's review against its GPS tracks (with the track upload) and an
area's monthly ranking (每月考评). They show what ``GET /plans/{id}/review`` and
``GET /areas/{id}/monthly`` answer (:mod:`api.service.routes.review`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile
from fastapi.responses import Response

from api.service.deps import ItemId, SessionDep, get_area, scoped
from api.service.models import Area, PlanJob
from api.service.routes.common import DayQuery
from api.service.routes.review import (
    _options,
    monthly_evaluation,
    review_document,
    upload_tracks,
)
from api.service.security import CSRF_FIELD
from api.web.common import WEB_PREFIX, PageDep, render
from geo.errors import GeoInputError

router = APIRouter(prefix=WEB_PREFIX, include_in_schema=False)

CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]


def _plan_review_page(
    plan_id: int,
    ctx: Any,
    session: Any,
    day: int,
    *,
    status_code: int = 200,
    uploaded: dict[str, Any] | None = None,
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
        error=error,
    )


@router.get("/plans/{plan_id}/review")
def plan_review_page(
    plan_id: ItemId, ctx: PageDep, session: SessionDep, day: DayQuery = 1
) -> Response:
    """The review of a plan's day against its uploaded tracks, and the upload form."""
    return _plan_review_page(plan_id, ctx, session, day)


@router.post("/plans/{plan_id}/review")
def upload_tracks_page(
    plan_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
    csrf: CsrfField = "",
    day: Annotated[int, Form(ge=1, le=31)] = 1,
    unit_map: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Upload a track file from the page (the same reading as ``POST /plans/{id}/tracks``)."""
    ctx.check_csrf(csrf)
    ctx.require_writer()
    assert ctx.user is not None
    try:
        answer = upload_tracks(plan_id, session, ctx.user, ctx.state, file, day, unit_map or None)
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
    return _plan_review_page(plan_id, ctx, session, day, uploaded=answer)


@router.get("/areas/{area_id}/monthly")
def monthly_page(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    basis: Annotated[Literal["yoy", "mom"], Query()] = "yoy",
) -> Response:
    """The monthly ranking of an area's official areas (the month chosen on the page)."""
    assert ctx.user is not None
    area = get_area(session, ctx.user, area_id)
    doc: dict[str, Any] | None = None
    error: str | None = None
    if month:
        try:
            doc = monthly_evaluation(session, ctx.user, area.id, month, basis)
        except HTTPException as exc:
            if exc.status_code not in (409, 422):
                raise
            error = str(exc.detail)
    return render(
        ctx,
        "review_month.html",
        200 if error is None else 422,
        area=area,
        month=month or "",
        basis=basis,
        doc=doc,
        error=error,
    )
