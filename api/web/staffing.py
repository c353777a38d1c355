"""The staffing pages: run a staffing proposal for an area and read its table, chart and PDF."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.deps import ItemId, SessionDep, get_area, scoped
from api.service.models import ACTIVE_STATES, Area, IncidentDataset, JobState, StaffingJob
from api.service.routeclass import OneHopRoute
from api.service.routes.staffing import enqueue_staffing, staffing_parameters
from api.service.schemas import StaffingCreate
from api.service.security import CSRF_FIELD
from api.web.common import WEB_PREFIX, PageContext, PageDep, redirect, render
from api.web.forms import BANDS, FieldReader, FormError, form_error_from, validated

router = APIRouter(route_class=OneHopRoute, prefix=WEB_PREFIX, include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]
CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]
FLEETS = ("mixed", "car", "foot", "bicycle")
#: Columns of the staffing table shown on the page (the CSV has them all).
TABLE_COLUMNS = (
    "area",
    "shift",
    "population",
    "norm_fulltime",
    "workload_units",
    "workload_people",
    "required",
    "current",
    "shortage",
    "surplus",
)


def _staffing_page(
    ctx: PageContext, session: Session, area: Area, status_code: int = 200, **values: Any
) -> Response:
    settings = ctx.state.settings
    datasets = list(
        session.scalars(
            select(IncidentDataset)
            .where(IncidentDataset.area_id == area.id)
            .order_by(IncidentDataset.id.desc())
        )
    )
    runs = list(
        session.scalars(
            select(StaffingJob)
            .where(StaffingJob.area_id == area.id)
            .order_by(StaffingJob.id.desc())
            .limit(50)
        )
    )
    form = {
        "bands": ["16-24"],
        "fleet": "mixed",
        "max_units": str(min(4, settings.staffing_max_units)),
        "time_limit_s": f"{min(1.0, settings.staffing_time_limit_s):g}",
        **values.pop("form", {}),
    }
    return render(
        ctx,
        "staffing_area.html",
        status_code,
        area=area,
        datasets=datasets,
        runs=runs,
        bands=BANDS,
        fleets=FLEETS,
        max_units_cap=settings.staffing_max_units,
        time_cap=settings.staffing_time_limit_s,
        form=form,
        **values,
    )


@router.get("/areas/{area_id}/staffing")
def staffing_area(area_id: ItemId, ctx: PageDep, session: SessionDep) -> Response:
    """An area's staffing runs and the form to start one."""
    assert ctx.user is not None
    return _staffing_page(ctx, session, get_area(session, ctx.user, area_id))


@router.post("/areas/{area_id}/staffing")
def start_staffing(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    dataset_id: FormStr = "",
    bands: Annotated[list[str] | None, Form(max_length=6)] = None,
    fleet: FormStr = "mixed",
    max_units: FormStr = "",
    time_limit_s: FormStr = "",
) -> Response:
    """Queue a staffing proposal and go to its page."""
    assert ctx.user is not None
    ctx.check_csrf(csrf)
    area = get_area(session, ctx.user, area_id)
    ctx.require_writer()
    chosen = [b for b in (bands or []) if b.strip()]
    form = {
        "dataset_id": dataset_id,
        "bands": chosen,
        "fleet": fleet,
        "max_units": max_units,
        "time_limit_s": time_limit_s,
    }
    try:
        fields = FieldReader(ctx.t)
        dataset_number = fields.integer(dataset_id, "web.dataset", low=1, high=2**62)
        units = fields.integer(max_units, "web.staffing.max_units", low=1, high=50, default=None)
        limit = fields.number(time_limit_s, "web.plan.time_limit", low=0.1, high=600)
        if not chosen:
            fields.fail("word.band", ctx.t("web.error.required"))
        fields.raise_if_any()
        dataset = session.get(IncidentDataset, dataset_number)
        if dataset is None or dataset.area_id != area.id:
            raise FormError([ctx.t("web.plan.no_dataset")])
        body: StaffingCreate = validated(
            StaffingCreate,
            {
                "dataset_id": dataset.id,
                "bands": chosen,
                "fleet": fleet,
                "max_units": units,
                "time_limit_s": limit,
            },
            ctx.t,
        )
        parameters = staffing_parameters(body, ctx.state)
    except FormError as exc:
        return _staffing_page(ctx, session, area, 422, errors=exc.messages, form=form)
    except HTTPException as exc:
        error = form_error_from(exc, ctx.t)
        return _staffing_page(ctx, session, area, 422, errors=error.messages, form=form)
    run = enqueue_staffing(session, ctx.state, ctx.user, dataset, parameters)
    return redirect(ctx, f"{WEB_PREFIX}/staffing/{run.id}")


@router.get("/staffing/{run_id}")
def staffing_run(run_id: ItemId, ctx: PageDep, session: SessionDep) -> Response:
    """A staffing run: progress while it runs, then the table, the chart and the downloads."""
    assert ctx.user is not None
    run: StaffingJob = scoped(session, ctx.user, StaffingJob, run_id, "staffing run")
    area = session.get(Area, run.area_id)
    result = run.result or {}
    columns = [c for c in TABLE_COLUMNS if c in (result.get("columns") or [])]
    return render(
        ctx,
        "staffing_run.html",
        run=run,
        area=area,
        active=run.state in ACTIVE_STATES,
        succeeded=run.state == JobState.SUCCEEDED.value,
        summary=result.get("summary") or {},
        columns=columns,
        rows=result.get("table") or [],
    )
