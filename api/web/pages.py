"""The coordinators' pages: areas, incident uploads, plans (form, progress, map, sheets).

Every page is server-rendered; forms post here with the session's CSRF token and answer with a
redirect (303) on success, or the same page again with every problem (422) on a mistake.
Scoping is the API's: another area's page answers 404, a viewer's post 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.deps import ItemId, SessionDep, get_area, scoped, visible_area_ids
from api.service.errors import ConflictError, UploadTooLargeError
from api.service.models import (
    ACTIVE_STATES,
    Area,
    IncidentDataset,
    JobState,
    PlanJob,
    StaffingJob,
)
from api.service.routes.areas import create_area
from api.service.routes.datasets import store_upload
from api.service.routes.plans import cancel_plan, enqueue_plan, plan_parameters
from api.service.schemas import SAMPLES, AreaCreate, PlanCreate
from api.service.security import CSRF_FIELD
from api.web.common import WEB_PREFIX, PageContext, PageDep, redirect, render
from api.web.forms import BANDS, MODES, FieldReader, FormError, form_error_from, validated
from geo.errors import GeoInputError

router = APIRouter(prefix=WEB_PREFIX, include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]
CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]

#: Default values of the plan form.
PLAN_DEFAULTS: dict[str, str] = {
    "band": "16-24",
    "car": "1",
    "foot": "1",
    "bicycle": "0",
    "top": "150",
    "plan_date": "",
}


def _areas(session: Session, ctx: PageContext) -> list[Area]:
    assert ctx.user is not None
    statement = select(Area).order_by(Area.name)
    ids = visible_area_ids(ctx.user)
    if ids is not None:
        statement = statement.where(Area.id.in_(ids))
    return list(session.scalars(statement))


def _index(ctx: PageContext, session: Session, status_code: int = 200, **values: Any) -> Response:
    values.setdefault("form", {"sample": SAMPLES[0], "sample_incidents": "on"})
    return render(
        ctx, "index.html", status_code, areas=_areas(session, ctx), samples=SAMPLES, **values
    )


@router.get("/")
def index(ctx: PageDep, session: SessionDep) -> Response:
    """The user's areas (and, for admins, a form to add one from an embedded sample)."""
    return _index(ctx, session)


@router.post("/areas")
def add_area(
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    name: FormStr = "",
    sample: FormStr = "",
    sample_incidents: FormStr = "",
) -> Response:
    """Create an area from an embedded sample (admins)."""
    ctx.check_csrf(csrf)
    ctx.require_admin()
    form = {"name": name, "sample": sample, "sample_incidents": sample_incidents}
    try:
        body = validated(
            AreaCreate,
            {"name": name.strip(), "sample": sample, "sample_incidents": bool(sample_incidents)},
            ctx.t,
        )
        assert ctx.user is not None
        created = create_area(body, session, ctx.user)
    except FormError as exc:
        return _index(ctx, session, 422, errors=exc.messages, form=form)
    except (ConflictError, GeoInputError, ValueError) as exc:
        session.rollback()
        error = form_error_from(exc, ctx.t)
        return _index(ctx, session, 422, errors=error.messages, form=form)
    return redirect(ctx, f"{WEB_PREFIX}/areas/{created.id}")


def _area_page(
    ctx: PageContext,
    session: Session,
    area: Area,
    status_code: int = 200,
    **values: Any,
) -> Response:
    datasets = list(
        session.scalars(
            select(IncidentDataset)
            .where(IncidentDataset.area_id == area.id)
            .order_by(IncidentDataset.id.desc())
        )
    )
    plans = list(
        session.scalars(
            select(PlanJob).where(PlanJob.area_id == area.id).order_by(PlanJob.id.desc()).limit(50)
        )
    )
    staffing_count = len(
        session.scalars(select(StaffingJob.id).where(StaffingJob.area_id == area.id)).all()
    )
    form = {**PLAN_DEFAULTS, **values.pop("form", {})}
    cap = ctx.state.settings.plan_time_limit_s
    form.setdefault("time_limit_s", f"{min(10.0, cap):g}")
    return render(
        ctx,
        "area.html",
        status_code,
        area=area,
        datasets=datasets,
        plans=plans,
        staffing_count=staffing_count,
        bands=BANDS,
        modes=MODES,
        time_cap=cap,
        form=form,
        **values,
    )


@router.get("/areas/{area_id}")
def area_page(area_id: ItemId, ctx: PageDep, session: SessionDep) -> Response:
    """An area: its datasets, an upload form, the plan form and its plans."""
    assert ctx.user is not None
    return _area_page(ctx, session, get_area(session, ctx.user, area_id))


@router.post("/areas/{area_id}/datasets")
def upload(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    file: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check and store an incident file; its problems (file, row, column) are listed on the
    page when it cannot be used."""
    assert ctx.user is not None
    ctx.check_csrf(csrf)
    area = get_area(session, ctx.user, area_id)
    ctx.require_writer()
    if file is None or not file.filename:
        return _area_page(ctx, session, area, 422, upload_errors=[ctx.t("web.upload.no_file")])
    try:
        store_upload(session, ctx.state, ctx.user, area, file, name=name.strip() or None)
    except UploadTooLargeError as exc:
        return _area_page(ctx, session, area, 413, upload_errors=[str(exc.detail)])
    except GeoInputError as exc:
        session.rollback()
        error = form_error_from(exc, ctx.t)
        return _area_page(
            ctx,
            session,
            area,
            422,
            upload_errors=error.messages,
            problems=error.problems,
            problem_total=error.total,
        )
    return redirect(ctx, f"{WEB_PREFIX}/areas/{area.id}")


@router.post("/areas/{area_id}/plans")
def start_plan(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    dataset_id: FormStr = "",
    plan_date: FormStr = "",
    band: FormStr = "",
    car: FormStr = "",
    foot: FormStr = "",
    bicycle: FormStr = "",
    time_limit_s: FormStr = "",
    top: FormStr = "",
) -> Response:
    """Queue a plan of one shift and go to its progress page."""
    assert ctx.user is not None
    ctx.check_csrf(csrf)
    area = get_area(session, ctx.user, area_id)
    ctx.require_writer()
    form = {
        "dataset_id": dataset_id,
        "plan_date": plan_date,
        "band": band,
        "car": car,
        "foot": foot,
        "bicycle": bicycle,
        "time_limit_s": time_limit_s,
        "top": top,
    }
    try:
        fields = FieldReader(ctx.t)
        dataset_number = fields.integer(dataset_id, "web.dataset", low=1, high=2**62)
        day = fields.day(plan_date, "word.date")
        counts = {
            mode: fields.integer(value, f"mode.{mode}", low=0, high=50, default=0)
            for mode, value in zip(MODES, (car, foot, bicycle), strict=True)
        }
        limit = fields.number(time_limit_s, "web.plan.time_limit", low=0.1, high=3600, default=None)
        top_cells = fields.integer(top, "web.plan.top", low=1, high=2000, default=150)
        fields.raise_if_any()
        unit_counts = ",".join(f"{m}={n}" for m, n in counts.items() if n)
        if not unit_counts:
            raise FormError([ctx.t("web.plan.no_units")])
        dataset = session.get(IncidentDataset, dataset_number)
        if dataset is None or dataset.area_id != area.id:
            raise FormError([ctx.t("web.plan.no_dataset")])
        body: PlanCreate = validated(
            PlanCreate,
            {
                "dataset_id": dataset.id,
                "band": band.strip() or "16-24",
                "plan_date": day,
                "unit_counts": unit_counts,
                "time_limit_s": limit,
                "top": top_cells,
            },
            ctx.t,
        )
        parameters = plan_parameters(body, area, ctx.state)
    except FormError as exc:
        return _area_page(ctx, session, area, 422, plan_errors=exc.messages, form=form)
    except (GeoInputError, HTTPException) as exc:
        error = form_error_from(exc, ctx.t)
        return _area_page(
            ctx, session, area, 422, plan_errors=error.messages, problems=error.problems, form=form
        )
    plan = enqueue_plan(session, ctx.state, ctx.user, area.id, dataset.id, parameters)
    return redirect(ctx, f"{WEB_PREFIX}/plans/{plan.id}")


@router.get("/plans/{plan_id}")
def plan_page(plan_id: ItemId, ctx: PageDep, session: SessionDep) -> Response:
    """A plan: progress while it runs (the page polls ``GET /plans/{id}``), then its totals,
    the map and the route sheets."""
    assert ctx.user is not None
    plan: PlanJob = scoped(session, ctx.user, PlanJob, plan_id, "plan")
    area = session.get(Area, plan.area_id)
    result = plan.result or {}
    return render(
        ctx,
        "plan.html",
        plan=plan,
        area=area,
        active=plan.state in ACTIVE_STATES,
        succeeded=plan.state == JobState.SUCCEEDED.value,
        totals=(result.get("plan") or {}).get("totals") or {},
        routes=(result.get("plan") or {}).get("routes") or [],
        result=result,
        formats=("pdf", "xlsx", "csv", "gpx", "geojson"),
    )


@router.post("/plans/{plan_id}/cancel")
def cancel(plan_id: ItemId, ctx: PageDep, session: SessionDep, csrf: CsrfField = "") -> Response:
    """Cancel a queued or running plan."""
    assert ctx.user is not None
    ctx.check_csrf(csrf)
    plan: PlanJob = scoped(session, ctx.user, PlanJob, plan_id, "plan")
    ctx.require_writer()
    if plan.state in ACTIVE_STATES:
        cancel_plan(plan.id, session, ctx.user, ctx.state)
    return redirect(ctx, f"{WEB_PREFIX}/plans/{plan.id}")
