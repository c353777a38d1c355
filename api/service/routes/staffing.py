"""``/staffing``: background staffing proposals of an area (how many people, on which shift);
create (202), follow, read the table, download the PDF, chart, workbook and CSV."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.requests import check_band
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
    scoped,
    visible_area_ids,
)
from api.service.errors import ConflictError, InvalidInputError, NotFoundError
from api.service.models import (
    IncidentDataset,
    JobState,
    StaffingFile,
    StaffingJob,
    User,
)
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, CONFLICT, FORBIDDEN, NOT_FOUND, cancel_job
from api.service.schemas import (
    MAX_ID,
    Page,
    StaffingCreate,
    StaffingPublic,
    StaffingTablePublic,
)
from geo.hotspots import resolve_band

router = APIRouter(
    route_class=OneHopRoute,
    prefix="/staffing",
    tags=["staffing"],
    responses={**AUTH_ERRORS, **NOT_FOUND},
)


class StaffingFormat(StrEnum):
    """Downloads of a finished staffing run."""

    PDF = "pdf"
    PNG = "png"
    XLSX = "xlsx"
    CSV = "csv"


def staffing_public(run: StaffingJob, files: list[str] | None = None) -> StaffingPublic:
    """The public view of a staffing run, with its summary when it is done."""
    public = StaffingPublic.model_validate(run, from_attributes=True)
    summary = (run.result or {}).get("summary") if run.result else None
    return public.model_copy(update={"summary": summary, "files": sorted(files or [])})


def _files_of(session: Session, run_id: int) -> list[str]:
    return list(session.scalars(select(StaffingFile.name).where(StaffingFile.run_id == run_id)))


def staffing_parameters(body: StaffingCreate, state: ServiceState) -> dict[str, Any]:
    """Checked, complete job parameters with the service's caps applied (422 on a bad band)."""
    names: list[str] = []
    for band in body.bands:
        try:
            shift = resolve_band(band if band in ("day", "all") else check_band(band))
        except ValueError as exc:
            raise InvalidInputError(f"bands: {exc}") from None
        if shift is None:
            raise InvalidInputError(f"bands: {band!r} is not a shift; give hours, e.g. 16-24")
        if shift.name not in names:
            names.append(shift.name)
    settings = state.settings
    parameters = body.model_dump(mode="json")
    parameters["bands"] = names
    parameters["max_units"] = min(
        body.max_units or settings.staffing_max_units, settings.staffing_max_units
    )
    parameters["time_limit_s"] = min(
        body.time_limit_s or settings.staffing_time_limit_s, settings.staffing_time_limit_s
    )
    return parameters


def enqueue_staffing(
    session: Session,
    state: ServiceState,
    user: User | Principal,
    dataset: IncidentDataset,
    parameters: dict[str, Any],
) -> StaffingJob:
    """Store a queued staffing run (audited) and hand it to the runner."""
    run = StaffingJob(
        area_id=dataset.area_id,
        dataset_id=dataset.id,
        state=JobState.QUEUED.value,
        progress=0.0,
        message="Queued",
        cancel_requested=False,
        parameters=parameters,
        created_by_id=user.id,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "staffing",
        run.id,
        area_id=dataset.area_id,
        detail={"parameters": parameters},
    )
    session.commit()
    if state.runner is not None:
        state.runner.submit(run.id, parameters, kind="staffing")
    return run


@router.post(
    "",
    summary="Start a staffing proposal (background job)",
    response_model=StaffingPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=FORBIDDEN,
)
def create_staffing(
    body: StaffingCreate, session: SessionDep, user: WriterUser, state: StateDep
) -> StaffingPublic:
    """Queue a staffing proposal from a dataset; answers 202 with the job to follow at
    ``GET /staffing/{id}``. Fleet size and solver time per point are capped by the service."""
    dataset: IncidentDataset = scoped(session, user, IncidentDataset, body.dataset_id, "dataset")
    parameters = staffing_parameters(body, state)
    return staffing_public(enqueue_staffing(session, state, user, dataset, parameters))


@router.get("", summary="List staffing runs", response_model=Page[StaffingPublic])
def list_staffing(
    session: SessionDep,
    user: CurrentPrincipal,
    page: PageDep,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this area.")] = None,
) -> Page[StaffingPublic]:
    """Staffing runs of the user's areas, oldest first."""
    statement = select(StaffingJob).order_by(StaffingJob.id)
    if area_id is not None:
        check_area(user, area_id)
        statement = statement.where(StaffingJob.area_id == area_id)
    ids = visible_area_ids(user)
    if ids is not None:
        statement = statement.where(StaffingJob.area_id.in_(ids))
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.scalars(statement.offset(page.offset).limit(page.limit)).all()
    return Page[StaffingPublic](
        items=[staffing_public(r) for r in rows],
        total=int(total or 0),
        offset=page.offset,
        limit=page.limit,
    )


@router.get(
    "/{run_id}", summary="A staffing run's state and summary", response_model=StaffingPublic
)
def read_staffing(run_id: ItemId, session: SessionDep, user: CurrentPrincipal) -> StaffingPublic:
    """State, progress and message; the summary (district rows, curves, shifts, roster,
    notes) and the names of its files when it succeeded."""
    run: StaffingJob = scoped(session, user, StaffingJob, run_id, "staffing run")
    return staffing_public(run, _files_of(session, run.id))


def _finished(session: Session, user: User | Principal, run_id: int) -> StaffingJob:
    run: StaffingJob = scoped(session, user, StaffingJob, run_id, "staffing run")
    if run.state != JobState.SUCCEEDED.value or not run.result:
        raise ConflictError(f"staffing run {run_id} is {run.state}; it has no result")
    return run


@router.get(
    "/{run_id}/table",
    summary="The staffing table of a finished run",
    response_model=StaffingTablePublic,
    responses=CONFLICT,
)
def staffing_table(
    run_id: ItemId, session: SessionDep, user: CurrentPrincipal
) -> StaffingTablePublic:
    """One row per area and shift, then each area's team row: norm headcount, workload
    headcount, current, shortage and surplus."""
    result = _finished(session, user, run_id).result or {}
    return StaffingTablePublic(columns=result.get("columns", []), rows=result.get("table", []))


@router.get(
    "/{run_id}/files/{fmt}",
    summary="A file of a finished staffing run",
    response_class=Response,
    responses={
        **CONFLICT,
        200: {
            "description": "The file as a download.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("application/pdf", "image/png", "text/csv")
            },
        },
    },
)
def staffing_file(
    run_id: ItemId,
    fmt: StaffingFormat,
    session: SessionDep,
    user: CurrentPrincipal,
    lang: Annotated[Literal["en", "zh-CN"], Query(description="Language of the PDF.")] = "en",
) -> Response:
    """The one-page PDF (``?lang=``), the coverage chart (PNG), the workbook or the table."""
    run = _finished(session, user, run_id)
    name = f"pdf_{lang}" if fmt is StaffingFormat.PDF else fmt.value
    stored = session.get(StaffingFile, (run.id, name))
    if stored is None:
        raise NotFoundError(f"file {name} of staffing run", run_id)
    suffix = f"_{lang}" if fmt is StaffingFormat.PDF else ""
    filename = f"staffing{run_id}{suffix}.{fmt.value}"
    disposition = "inline" if fmt is StaffingFormat.PNG else "attachment"
    return Response(
        stored.data,
        media_type=stored.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


@router.post(
    "/{run_id}/cancel",
    summary="Cancel a queued or running staffing run",
    response_model=StaffingPublic,
    responses={**FORBIDDEN, **CONFLICT},
)
def cancel_staffing(
    run_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep
) -> StaffingPublic:
    """Stop a staffing run: a queued one never starts; a running one's worker is stopped."""
    run: StaffingJob = scoped(session, user, StaffingJob, run_id, "staffing run")
    cancel_job(session, user, run, kind="staffing", label="staffing run", runner=state.runner)
    return staffing_public(run)
