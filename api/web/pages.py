"""The coordinators' pages: areas, incident uploads, plans (form, progress, map, sheets).

Every page is server-rendered; forms post here with the session's CSRF token and answer with a
redirect (303) on success, or the same page again with every problem (422) on a mistake.
Scoping is the API's: another area's page answers 404, a viewer's post 403.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, get_args

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.requests import MAX_TIME_LIMIT_S, MAX_UNITS_PER_MODE, PlanParameters
from api.service.deps import ItemId, SessionDep, get_area, scoped, visible_area_ids
from api.service.districts import safe_filename
from api.service.errors import ConflictError, UploadTooLargeError
from api.service.lanes import long_request
from api.service.models import (
    ACTIVE_STATES,
    Area,
    IncidentDataset,
    JobState,
    PlanJob,
    StaffingJob,
)
from api.service.planinputs import has_official_areas
from api.service.routeclass import OneHopRoute
from api.service.routes.areas import area_readiness, create_area
from api.service.routes.datasets import store_upload
from api.service.routes.plans import cancel_plan, enqueue_plan, plan_parameters
from api.service.schemas import (
    MAX_DUTIES_CSV_CHARS,
    MAX_UNITS_CSV_CHARS,
    SAMPLES,
    AreaCreate,
    PlanCreate,
)
from api.service.security import CSRF_FIELD
from api.web.common import WEB_PREFIX, PageContext, PageDep, redirect, render
from api.web.forms import (
    BANDS,
    MAX_PROBLEMS,
    MODES,
    FieldReader,
    FormError,
    form_error_from,
    validated,
)
from geo.errors import GeoInputError, Problem
from geo.io.common import decode_text
from maps.exports import SHEET_FORMATS
from maps.i18n import Translator

router = APIRouter(route_class=OneHopRoute, prefix=WEB_PREFIX, include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]
CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]


def _default(name: str) -> Any:
    """The default of a planning option (:class:`api.requests.PlanParameters`)."""
    return PlanParameters.model_fields[name].default


def _choices(name: str) -> tuple[str, ...]:
    """The values a ``Literal`` planning option takes (``grid``, ``on_infeasible``)."""
    return tuple(str(v) for v in get_args(PlanParameters.model_fields[name].annotation))


def _bounds(name: str) -> tuple[float, float]:
    """The bounds of a numeric planning option, from its field (``ge``/``gt``, ``le``)."""
    low, high = float("-inf"), float("inf")
    for rule in PlanParameters.model_fields[name].metadata:
        low = float(getattr(rule, "ge", getattr(rule, "gt", low)))
        high = float(getattr(rule, "le", high))
    return low, high


def _default_counts() -> dict[str, str]:
    """The default unit counts per mode of the form (from the default ``unit_counts``)."""
    counts = dict.fromkeys(MODES, "0")
    for part in str(_default("unit_counts")).split(","):
        mode, _, count = part.partition("=")
        if mode.strip() in counts:
            counts[mode.strip()] = count.strip()
    return counts


#: Default values of the plan form: the planning options' own defaults.
PLAN_DEFAULTS: dict[str, str] = {
    "band": str(_default("band")),
    **_default_counts(),
    "top": str(_default("top")),
    "dwell_min": f"{_default('dwell_min'):g}",
    "vary": str(_default("vary")),
    "on_infeasible": str(_default("on_infeasible")),
    "grid": str(_default("grid")),
    "plan_date": "",
}


#: Labels of the plan form's fields that the catalogue may not have yet (English fallback).
def _label(t: Translator, key: str, **fields: Any) -> str:
    return t(key, **fields)


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
@long_request
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
    # The plans' columns the table shows, not their (large) results.
    plans = [
        SimpleNamespace(
            id=row.id,
            state=row.state,
            parameters=row.parameters,
            created_at=row.created_at,
            result={"plan_date": row.plan_date} if row.plan_date else None,
        )
        for row in session.execute(
            select(
                PlanJob.id,
                PlanJob.state,
                PlanJob.parameters,
                PlanJob.created_at,
                PlanJob.result["plan_date"].as_string().label("plan_date"),
            )
            .where(PlanJob.area_id == area.id)
            .order_by(PlanJob.id.desc())
            .limit(50)
        )
    ]
    staffing_count = len(
        session.scalars(select(StaffingJob.id).where(StaffingJob.area_id == area.id)).all()
    )
    form = {**PLAN_DEFAULTS, **values.pop("form", {})}
    if area.units_csv:
        form.setdefault("area_units", "on")
    cap = ctx.state.settings.plan_time_limit_s
    form.setdefault("time_limit_s", f"{min(float(_default('time_limit_s')), cap):g}")
    grids = [g for g in _choices("grid") if g != "areas" or has_official_areas(area)]
    return render(
        ctx,
        "area.html",
        status_code,
        area=area,
        datasets=datasets,
        plans=plans,
        staffing_count=staffing_count,
        readiness=area_readiness(session, area),
        official_cells=_official_cells(area),
        bands=BANDS,
        modes=MODES,
        grids=grids,
        infeasible=_choices("on_infeasible"),
        label=lambda key: _label(ctx.t, key),
        limits={name: _bounds(name) for name in ("top", "dwell_min", "vary")},
        max_units=MAX_UNITS_PER_MODE,
        time_cap=cap,
        form=form,
        **values,
    )


def _official_cells(area: Area) -> list[dict[str, Any]]:
    """The area's official cells (id, name, population) for the population form."""
    cells = []
    for feature in (area.official_areas or {}).get("features") or []:
        properties = feature.get("properties") or {}
        cells.append(
            {
                "id": str(properties.get("area_id")),
                "name": str(properties.get("name") or properties.get("area_id")),
                "population": properties.get("population"),
            }
        )
    return cells


@router.get("/areas/{area_id}")
def area_page(area_id: ItemId, ctx: PageDep, session: SessionDep) -> Response:
    """An area: its datasets, an upload form, the plan form and its plans."""
    assert ctx.user is not None
    return _area_page(ctx, session, get_area(session, ctx.user, area_id))


@router.post("/areas/{area_id}/datasets")
@long_request
def upload(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    file: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form(max_length=200)] = "",
    columns: Annotated[str, Form(max_length=1000)] = "",
    datetime_format: Annotated[str, Form(max_length=100)] = "",
    sheet: Annotated[str, Form(max_length=100)] = "",
    keep_valid: Annotated[bool, Form()] = False,
) -> Response:
    """Check and store an incident file; its problems (file, row, column) are listed on the
    page when it cannot be used, and with ``keep_valid`` the rows left out are listed."""
    assert ctx.user is not None
    ctx.check_csrf(csrf)
    area = get_area(session, ctx.user, area_id)
    ctx.require_writer()
    if file is None or not file.filename:
        return _area_page(ctx, session, area, 422, upload_errors=[ctx.t("web.upload.no_file")])
    try:
        dataset, rejected = store_upload(
            session,
            ctx.state,
            ctx.user,
            area,
            file,
            name=name.strip() or None,
            columns=columns.strip() or None,
            datetime_format=datetime_format.strip() or None,
            sheet=sheet.strip() or None,
            keep_valid=keep_valid,
        )
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
    if rejected:
        left_out = [
            {"source": dataset.filename, "row": r["row"], "message": r["reasons"]}
            for r in rejected[:MAX_PROBLEMS]
        ]
        notice = ctx.t("web.upload.left_out", kept=dataset.row_count, n=len(rejected))
        return _area_page(
            ctx,
            session,
            area,
            201,
            upload_errors=[notice],
            problems=left_out,
            problem_total=len(rejected),
        )
    return redirect(ctx, f"{WEB_PREFIX}/areas/{area.id}")


def _upload_text(
    upload: UploadFile | None, t: Translator, *, limit: int, suffixes: tuple[str, ...]
) -> tuple[str, str] | None:
    """The suffix and decoded text of an optional uploaded file (at most ``limit`` characters).

    Raises
    ------
    FormError
        For a file of another type or over the limit.
    GeoInputError
        For a file that is neither UTF-8 nor GBK.
    """
    if upload is None or not upload.filename:
        return None
    name = safe_filename(upload.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in suffixes:
        raise FormError([_label(t, "web.plan.file_type", name=name)])
    data = upload.file.read(4 * limit + 1)  # a character is at most 4 bytes of UTF-8
    text = decode_text(data, name)
    if len(data) > 4 * limit or len(text) > limit:
        raise FormError([_label(t, "web.plan.file_large", name=name, limit=limit)])
    return suffix, text


def _duties_fields(upload: tuple[str, str] | None) -> dict[str, Any]:
    """``duties_csv`` or ``duties_geojson`` of an uploaded duties file.

    Raises
    ------
    GeoInputError
        For a GeoJSON file that is not JSON.
    """
    if upload is None:
        return {}
    suffix, text = upload
    if suffix == ".csv":
        return {"duties_csv": text}
    try:
        return {"duties_geojson": json.loads(text)}
    except json.JSONDecodeError as exc:
        raise GeoInputError(
            [Problem(f"duties{suffix}", f"not JSON (line {exc.lineno}: {exc.msg})")]
        ) from None


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
    dwell_min: FormStr = "",
    vary: FormStr = "",
    on_infeasible: FormStr = "",
    grid: FormStr = "",
    area_units: FormStr = "",
    units_file: Annotated[UploadFile | None, File()] = None,
    duties_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Queue a plan of one shift and go to its progress page.

    The form makes the same :class:`~api.service.schemas.PlanCreate` as ``POST /plans`` and
    is checked by the same function; an uploaded units or duties file is sent as its text.
    """
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
        "dwell_min": dwell_min,
        "vary": vary,
        "on_infeasible": on_infeasible,
        "grid": grid,
        "area_units": area_units,
    }
    try:
        uploads = {
            "units": _upload_text(units_file, ctx.t, limit=MAX_UNITS_CSV_CHARS, suffixes=(".csv",)),
            "duties": _upload_text(
                duties_file,
                ctx.t,
                limit=MAX_DUTIES_CSV_CHARS,
                suffixes=(".csv", ".geojson", ".json"),
            ),
        }
        body = _plan_body(ctx, session, area, form, uploads)
        parameters = plan_parameters(body, area, ctx.state)
    except FormError as exc:
        return _area_page(ctx, session, area, 422, plan_errors=exc.messages, form=form)
    except (GeoInputError, HTTPException) as exc:
        error = form_error_from(exc, ctx.t)
        return _area_page(
            ctx, session, area, 422, plan_errors=error.messages, problems=error.problems, form=form
        )
    plan = enqueue_plan(session, ctx.state, ctx.user, area.id, body.dataset_id, parameters)
    return redirect(ctx, f"{WEB_PREFIX}/plans/{plan.id}")


def _plan_body(
    ctx: PageContext,
    session: Session,
    area: Area,
    form: dict[str, str],
    uploads: dict[str, tuple[str, str] | None],
) -> PlanCreate:
    """The :class:`PlanCreate` of the plan form, or a :class:`FormError` naming every bad
    field."""
    fields = FieldReader(ctx.t)
    dataset_number = fields.integer(form["dataset_id"], "web.dataset", low=1, high=2**62)
    day = fields.day(form["plan_date"], "word.date")
    counts = {
        mode: fields.integer(form[mode], f"mode.{mode}", low=0, high=MAX_UNITS_PER_MODE, default=0)
        for mode in MODES
    }
    limit = fields.number(
        form["time_limit_s"], "web.plan.time_limit", low=0.1, high=MAX_TIME_LIMIT_S, default=None
    )
    low, high = _bounds("top")
    top_cells = fields.integer(
        form["top"], "web.plan.top", low=int(low), high=int(high), default=_default("top")
    )
    fields.raise_if_any()
    units = uploads.get("units")
    if units is None and form.get("area_units") and area.units_csv:
        units = (".csv", area.units_csv)  # the area's own units file
        counts = {}
    unit_counts = ",".join(f"{m}={n}" for m, n in counts.items() if n)
    if not unit_counts and units is None:
        raise FormError([ctx.t("web.plan.no_units")])
    dataset = session.get(IncidentDataset, dataset_number)
    if dataset is None or dataset.area_id != area.id:
        raise FormError([ctx.t("web.plan.no_dataset")])
    values: dict[str, Any] = {
        "dataset_id": dataset.id,
        "band": form["band"].strip() or _default("band"),
        "plan_date": day,
        "time_limit_s": limit,
        "top": top_cells,
    }
    if unit_counts:
        values["unit_counts"] = unit_counts
    # Optional fields: the request's defaults when left empty.
    for name in ("dwell_min", "vary", "on_infeasible", "grid"):
        if form[name].strip():
            values[name] = form[name].strip()
    if units is not None:
        values["units_csv"] = units[1]
    values.update(_duties_fields(uploads.get("duties")))
    body: PlanCreate = validated(PlanCreate, values, ctx.t)
    return body


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
        formats=SHEET_FORMATS,
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
