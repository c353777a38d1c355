"""``/plans``: background plans of one shift; create (202), follow, cancel, re-run."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.requests import MAX_TIME_LIMIT_S
from api.service import audit
from api.service.authcache import Principal
from api.service.cache import PRIVATE_REVALIDATE, entity_tag, not_modified
from api.service.deps import (
    CurrentPrincipal,
    ItemId,
    PageDep,
    PageParams,
    ServiceState,
    SessionDep,
    StateDep,
    WriterUser,
    cached_head,
    check_area,
    scoped,
    scoped_head,
    visible_area_ids,
)
from api.service.errors import ConflictError
from api.service.models import ACTIVE_STATES, Area, IncidentDataset, JobState, PlanJob, User
from api.service.plandocs import bundle_of, load_document
from api.service.planinputs import request_inputs
from api.service.routeclass import OneHopRoute
from api.service.routes.common import (
    AUTH_ERRORS,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    DayQuery,
    cancel_job,
)
from api.service.schemas import (
    MAX_ID,
    FeatureCollection,
    Page,
    PlanCreate,
    PlanPublic,
    PlanResultPublic,
)

router = APIRouter(
    route_class=OneHopRoute, prefix="/plans", tags=["plans"], responses={**AUTH_ERRORS, **NOT_FOUND}
)


def plan_public(plan: PlanJob) -> PlanPublic:
    """The public view of a plan job, with the plan's totals when it is done."""
    summary = None
    if plan.result:
        summary = dict(plan.result.get("plan", {}).get("totals", {}))
        summary["risk_band"] = plan.result.get("risk_band")
        summary["plan_date"] = plan.result.get("plan_date")
    public = PlanPublic.model_validate(plan, from_attributes=True)
    return public.model_copy(update={"summary": summary})


def plan_parameters(body: PlanCreate, area: Area, state: ServiceState) -> dict[str, Any]:
    """Checked, complete job parameters: the request with the solver time limit capped.

    Everything the job will read is read here first, by the job's own function
    (:func:`api.service.planinputs.request_inputs`): unit counts against the area's stations,
    the units file, the duties against the area's outline, ``grid="areas"`` against its
    official areas. Any problem is a 422 naming it, never a job that fails later.

    Raises
    ------
    GeoInputError
        (422) With every problem found.
    """
    cap = min(state.settings.plan_time_limit_s, MAX_TIME_LIMIT_S)
    time_limit_s = min(body.time_limit_s or cap, cap)
    body = with_area_inputs(body, area)
    request_inputs(body, area, time_limit_s)
    parameters = body.model_dump(mode="json")
    parameters["time_limit_s"] = time_limit_s
    return parameters


def with_area_inputs(body: PlanCreate, area: Area) -> PlanCreate:
    """The request with the area's own units and duties where it gives none.

    The area's units file is used when the request names neither ``units_csv`` nor
    ``unit_counts``; its duties when the request gives neither ``duties_csv`` nor
    ``duties_geojson``. They are copied into the job's parameters, so a re-run plans with the
    same inputs even after the area's files change.
    """
    from api.service.districts import duty_request_fields

    update: dict[str, Any] = {}
    if body.units_csv is None and "unit_counts" not in body.model_fields_set and area.units_csv:
        update["units_csv"] = area.units_csv
    if body.duties_csv is None and body.duties_geojson is None:
        update.update(duty_request_fields(area))
    return body.model_copy(update=update) if update else body


def audit_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Job parameters for the audit log: a units or duties text by its size, not in full."""
    out = dict(parameters)
    for name in ("units_csv", "duties_csv"):
        if isinstance(out.get(name), str):
            out[name] = f"<{len(out[name])} characters>"
    duties = out.get("duties_geojson")
    if isinstance(duties, dict):
        out["duties_geojson"] = f"<{len(duties.get('features') or [])} features>"
    return out


def enqueue_plan(
    session: Session,
    state: ServiceState,
    user: User | Principal,
    area_id: int,
    dataset_id: int | None,
    parameters: dict[str, Any],
    rerun_of: int | None = None,
) -> PlanJob:
    plan = PlanJob(
        area_id=area_id,
        dataset_id=dataset_id,
        state=JobState.QUEUED.value,
        progress=0.0,
        message="Queued",
        cancel_requested=False,
        parameters=parameters,
        rerun_of_id=rerun_of,
        created_by_id=user.id,
    )
    session.add(plan)
    session.flush()
    audit.record(
        session,
        user,
        "rerun" if rerun_of else "create",
        "plan",
        plan.id,
        area_id=area_id,
        detail={"parameters": audit_parameters(parameters), "rerun_of": rerun_of},
    )
    session.commit()
    if state.runner is not None:
        state.runner.submit(plan.id, parameters)
    return plan


@router.post(
    "",
    summary="Start planning a shift (background job)",
    response_model=PlanPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=FORBIDDEN,
)
def create_plan(
    body: PlanCreate, session: SessionDep, user: WriterUser, state: StateDep
) -> PlanPublic:
    """Queue a plan of one shift from a dataset; answers 202 with the job to follow at
    ``GET /plans/{id}``. The solver's time limit is capped by the service."""
    dataset: IncidentDataset = scoped(session, user, IncidentDataset, body.dataset_id, "dataset")
    area = session.get(Area, dataset.area_id)
    assert area is not None
    parameters = plan_parameters(body, area, state)
    return plan_public(enqueue_plan(session, state, user, area.id, dataset.id, parameters))


@router.get("", summary="List plans", response_model=Page[PlanPublic])
async def list_plans(
    user: CurrentPrincipal,
    page: PageDep,
    state: StateDep,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this area.")] = None,
    job_state: Annotated[
        JobState | None, Query(alias="state", description="Only plans in this state.")
    ] = None,
) -> Response:
    """Plans of the user's areas, oldest first.

    Only the plans' heads are read for the page; a finished plan's item (it cannot change) is
    serialised once and kept, so the large results of finished plans are not loaded again
    for every list.
    """
    if area_id is not None:
        check_area(user, area_id)
    return await run_in_threadpool(_list_plans, user, page, state, area_id, job_state)


def _list_plans(
    user: Principal,
    page: PageParams,
    state: ServiceState,
    area_id: int | None,
    job_state: JobState | None,
) -> Response:

    with state.sessions() as session:
        return _plan_page(session, user, page, state, area_id, job_state)


def _plan_page(
    session: Session,
    user: Principal,
    page: PageParams,
    state: ServiceState,
    area_id: int | None,
    job_state: JobState | None,
) -> Response:
    from sqlalchemy import func

    heads = select(PlanJob.id, PlanJob.state, PlanJob.finished_at, PlanJob.dataset_id).order_by(
        PlanJob.id
    )
    if area_id is not None:
        heads = heads.where(PlanJob.area_id == area_id)
    ids = visible_area_ids(user)
    if ids is not None:
        heads = heads.where(PlanJob.area_id.in_(ids))
    if job_state is not None:
        heads = heads.where(PlanJob.state == job_state.value)
    total = session.scalar(select(func.count()).select_from(heads.order_by(None).subquery()))
    rows = session.execute(heads.offset(page.offset).limit(page.limit)).all()
    items: dict[int, bytes] = {}
    missing: list[int] = []
    for row in rows:
        finished = row.state not in ACTIVE_STATES
        key = ("plan", row.id, row.state, row.finished_at, row.dataset_id)
        body = state.read_cache.get(key) if finished else None
        if body is None:
            missing.append(row.id)
        else:
            items[row.id] = body
    if missing:
        for plan in session.scalars(select(PlanJob).where(PlanJob.id.in_(missing))):
            body = plan_public(plan).model_dump_json().encode("utf-8")
            items[plan.id] = body
            if plan.state not in ACTIVE_STATES:
                key = ("plan", plan.id, plan.state, plan.finished_at, plan.dataset_id)
                state.read_cache.put(key, body)
    listing = b",".join(items[row.id] for row in rows if row.id in items)
    tail = f'],"total":{int(total or 0)},"offset":{page.offset},"limit":{page.limit}}}'
    return _json(b'{"items":[' + listing + tail.encode())


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


#: ``If-None-Match`` of the reads of finished plans (bounded like every request field).
IfNoneMatch = Annotated[
    str | None,
    Header(
        max_length=1000,
        description="The ETag of a copy the client has: 304 without a body if it is current.",
    ),
]


@lru_cache(maxsize=1)
def _service_version() -> str:
    from api.service.routes.health import _version

    return _version()


def immutable_answer(
    body: bytes,
    key: tuple[Any, ...],
    if_none_match: str | None,
    *extra: object,
    media_type: str = "application/json",
) -> Response:
    """The kept bytes of a finished plan's view with its ``ETag`` (from the cache ``key``, the
    service's version and ``extra``), or 304 with no body when the client has them."""
    tag = entity_tag(key, _service_version(), *extra)
    headers = {"ETag": tag, "Cache-Control": PRIVATE_REVALIDATE}
    if not_modified(if_none_match, tag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _cached_json(
    state: ServiceState,
    key: tuple[Any, ...],
    make: Callable[[], BaseModel],
    if_none_match: str | None = None,
) -> Response:
    """The JSON of a finished plan's view, serialised once and kept (it cannot change)."""
    body = state.read_cache.get(key)
    if body is None:
        body = make().model_dump_json().encode("utf-8")
        state.read_cache.put(key, body)
    return immutable_answer(body, key, if_none_match)


@router.get("/{plan_id}", summary="A plan's state and progress", response_model=PlanPublic)
async def read_plan(
    plan_id: ItemId, user: CurrentPrincipal, state: StateDep, if_none_match: IfNoneMatch = None
) -> PlanPublic | Response:
    """State (queued, running, succeeded, failed, cancelled), progress 0..1 and the message
    of the current stage; the error when it failed; totals when it succeeded. A finished
    plan's answer carries an ``ETag`` (it cannot change): send it in ``If-None-Match`` to get
    304 without a body."""
    head = cached_head(state, user, PlanJob, plan_id, "plan")
    if head is not None:
        key = ("plan", *head.cache_key)
        body = state.read_cache.get(key)
        if body is not None:
            return immutable_answer(body, key, if_none_match)
    return await run_in_threadpool(_read_plan, plan_id, user, state, if_none_match)


def _read_plan(
    plan_id: int, user: Principal, state: ServiceState, if_none_match: str | None
) -> PlanPublic | Response:
    with state.sessions() as session:
        head = scoped_head(session, user, PlanJob, plan_id, "plan", cache=state.heads)
        if head.state in ACTIVE_STATES:
            return plan_public(scoped(session, user, PlanJob, plan_id, "plan"))
        return _cached_json(
            state,
            ("plan", *head.cache_key),
            lambda: plan_public(scoped(session, user, PlanJob, plan_id, "plan")),
            if_none_match,
        )


def _finished(session: Session, user: User | Principal, plan_id: int) -> PlanJob:
    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    if plan.state != JobState.SUCCEEDED.value or not plan.result:
        raise ConflictError(f"plan {plan_id} is {plan.state}; it has no result")
    return plan


@router.get(
    "/{plan_id}/result",
    summary="The routes of a finished plan",
    response_model=PlanResultPublic,
    responses=CONFLICT,
)
async def plan_result(
    plan_id: ItemId, user: CurrentPrincipal, state: StateDep, if_none_match: IfNoneMatch = None
) -> Response:
    """Routes, stops (local times, lat/lon), dropped tasks and totals of a succeeded plan
    (with an ``ETag``: ``If-None-Match`` answers 304 when the client has it)."""
    head = cached_head(state, user, PlanJob, plan_id, "plan")
    if head is not None and head.state == JobState.SUCCEEDED.value:
        key = ("result", *head.cache_key)
        body = state.read_cache.get(key)
        if body is not None:
            return immutable_answer(body, key, if_none_match)
    return await run_in_threadpool(_plan_result, plan_id, user, state, if_none_match)


def _plan_result(
    plan_id: int, user: Principal, state: ServiceState, if_none_match: str | None
) -> Response:
    with state.sessions() as session:
        head = scoped_head(session, user, PlanJob, plan_id, "plan", cache=state.heads)
        if head.state != JobState.SUCCEEDED.value:
            raise ConflictError(f"plan {plan_id} is {head.state}; it has no result")

        def make() -> PlanResultPublic:
            result = dict(_finished(session, user, plan_id).result or {})
            result.pop("routes", None)
            return PlanResultPublic.model_validate(result)

        return _cached_json(state, ("result", *head.cache_key), make, if_none_match)


@router.get(
    "/{plan_id}/routes",
    summary="The routes of a finished plan as GeoJSON",
    response_model=FeatureCollection,
    responses=CONFLICT,
)
async def plan_routes(
    plan_id: ItemId,
    user: CurrentPrincipal,
    state: StateDep,
    day: DayQuery = 1,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Route legs (lines, street paths), stops (points) and stations in EPSG:4326, from the
    stored plan document of day ``day`` (``plan.geojson`` of the command line). A finished
    plan's GeoJSON is made once and kept (it cannot change), with an ``ETag``
    (``If-None-Match`` answers 304 when the client has it)."""
    head = cached_head(state, user, PlanJob, plan_id, "plan")
    if head is not None and head.state == JobState.SUCCEEDED.value:
        key = ("routes", day, *head.cache_key)
        body = state.read_cache.get(key)
        if body is not None:
            return immutable_answer(body, key, if_none_match)
    return await run_in_threadpool(_plan_routes, plan_id, user, state, day, if_none_match)


def _plan_routes(
    plan_id: int, user: Principal, state: ServiceState, day: int, if_none_match: str | None
) -> Response:
    from maps.exports import routes_feature_collection

    with state.sessions() as session:
        head = scoped_head(session, user, PlanJob, plan_id, "plan", cache=state.heads)
        key = ("routes", day, *head.cache_key)
        body = state.read_cache.get(key) if head.state == JobState.SUCCEEDED.value else None
        if body is None:
            plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
            collection = routes_feature_collection(bundle_of(session, plan, day))
            body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
            state.read_cache.put(key, body)
        if head.state != JobState.SUCCEEDED.value:
            return _json(body)
        return immutable_answer(body, key, if_none_match)


@router.get(
    "/{plan_id}/document",
    summary="The plan document (plan.json) of a finished plan",
    response_class=Response,
    responses={
        **CONFLICT,
        200: {
            "description": "The plan file, as `gridpatrol plan` writes it (see "
            "docs/plan.schema.json); `gridpatrol map --plan` and `sheets --plan` draw it.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
    },
)
def plan_document_file(
    plan_id: ItemId, session: SessionDep, user: CurrentPrincipal, day: DayQuery = 1
) -> Response:
    """The stored plan document of day ``day`` as a download (``plan{id}.json``; other days
    ``plan{id}-day{N}.json``)."""
    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    document = load_document(session, plan, day)
    name = f"plan{plan_id}.json" if day == 1 else f"plan{plan_id}-day{day}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/{plan_id}/cancel",
    summary="Cancel a queued or running plan",
    response_model=PlanPublic,
    responses={**FORBIDDEN, **CONFLICT},
)
def cancel_plan(
    plan_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep
) -> PlanPublic:
    """Stop a plan: a queued one never starts; a running one's worker is stopped."""
    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    cancel_job(session, user, plan, kind="plan", label="plan", runner=state.runner)
    return plan_public(plan)


@router.post(
    "/{plan_id}/rerun",
    summary="Run a finished, failed or cancelled plan again",
    response_model=PlanPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**FORBIDDEN, **CONFLICT},
)
def rerun_plan(
    plan_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep
) -> PlanPublic:
    """Queue a new plan with the same parameters (``rerun_of_id`` points back); 202."""
    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    if plan.state in ACTIVE_STATES:
        raise ConflictError(f"plan {plan_id} is still {plan.state}")
    if plan.dataset_id is None:
        raise ConflictError(f"plan {plan_id}'s dataset was deleted; create a new plan")
    try:
        body = PlanCreate.model_validate(plan.parameters)
    except ValidationError as exc:
        raise ConflictError(
            f"plan {plan_id}'s parameters cannot be planned by this version "
            f"({exc.error_count()} problem(s), e.g. {exc.errors()[0]['msg']}); create a new plan"
        ) from None
    area = session.get(Area, plan.area_id)
    assert area is not None
    # Checked again: the area (stations, outline) may have changed since.
    parameters = plan_parameters(body, area, state)
    new = enqueue_plan(session, state, user, plan.area_id, plan.dataset_id, parameters, plan.id)
    return plan_public(new)
