"""The review cycle on the service: GPS tracks and check-ins (巡更) uploaded for a stored plan,
the plan review (planned against actual), an area's weekly pack (每周点评) and its monthly
evaluation (每月考评) with the months remembered for its flags, each as JSON, PDF and XLSX; the
report files also as background jobs (:mod:`api.service.routes.review_jobs`).

The computation is the one ``gridpatrol review plan``, ``review week`` and ``review month``
run (:mod:`api.service.reviews`), on the plan's stored document and the area's stored
incidents. Uploaded tracks and check-ins are stored as read (:class:`PlanTrack`,
:class:`PlanCheckin`); reviews are computed when asked for. Direct PDF/XLSX downloads are
bounded (:data:`~api.service.reviews.DIRECT_MAX_FIXES`, ``DIRECT_MAX_WEEK_DAYS``,
``DIRECT_MAX_INCIDENTS``); larger reports are made as jobs (``POST /review-jobs``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi import Path as Path_
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service import reviews
from api.service.authcache import Principal
from api.service.deps import (
    CurrentPrincipal,
    ItemId,
    SessionDep,
    StateDep,
    WriterUser,
    get_area,
    scoped,
)
from api.service.errors import ConflictError, InvalidInputError, NotFoundError, UploadTooLargeError
from api.service.lanes import long_request
from api.service.models import IncidentDataset, PlanCheckin, PlanJob, PlanTrack, ReviewRecord, User
from api.service.plandocs import bundle_of
from api.service.reviews import MEDIA_TYPES
from api.service.routeclass import OneHopRoute
from api.service.routes.common import (
    AUTH_ERRORS,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    TOO_LARGE,
    DayQuery,
)
from api.service.uploads import save_upload, upload_limits

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from api.service.deps import ServiceState
    from planner.review import ReviewOptions

router = APIRouter(
    route_class=OneHopRoute, tags=["review"], responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT}
)

#: Suffixes of track files read (GPX 1.1, or a table of fixes).
TRACK_SUFFIXES = (".gpx", ".csv", ".txt", ".tsv", ".xlsx")
#: Suffixes of check-in files read (tables).
CHECKIN_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
#: Problems (fixes kept out) listed in an answer at most.
MAX_LISTED = 200

RadiusQuery = Annotated[
    float, Query(gt=0, le=1000, description="Metres from a stop that count as being there.")
]
SlackQuery = Annotated[
    float,
    Query(
        ge=0,
        le=720,
        description="Minutes before the planned arrival and after the planned departure that a "
        "visit still counts (stops without their own window).",
    ),
]
MinVisitQuery = Annotated[
    int, Query(ge=0, le=7200, description="Seconds at a stop needed to count it visited.")
]
LangQuery = Annotated[Literal["en", "zh-CN"], Query(description="Language of the report.")]


class ReportFormat(StrEnum):
    """Formats of the plan review report."""

    PDF = "pdf"
    XLSX = "xlsx"


def parse_unit_map(text: str | None) -> dict[str, str]:
    """The ``unit_map`` field (``GPS-07=C1,GPS-08=C2``) as track names to plan unit ids.

    Raises
    ------
    InvalidInputError
        (422) For a pair that is not ``track=unit``.
    """
    out: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        name, sep, unit = pair.partition("=")
        if not sep or not name.strip() or not unit.strip():
            raise InvalidInputError(
                f"unit_map: {pair.strip()!r} is not track=unit; expected e.g. GPS-07=C1,GPS-08=C2"
            )
        out[name.strip()] = unit.strip()
    return out


def parse_track_columns(text: str | None) -> Any:
    """The ``columns`` field (``unit_id=车辆编号,datetime=定位时间,lat=纬度,lon=经度``) as
    :class:`geo.io.tracks.TrackColumns` (``None`` when empty).

    Raises
    ------
    InvalidInputError
        (422) For a pair that is not ``role=column`` or an unknown role.
    """
    from dataclasses import fields

    from geo.io.tracks import TrackColumns

    roles = [f.name for f in fields(TrackColumns)]
    chosen: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        role, sep, column = pair.partition("=")
        role, column = role.strip().lower(), column.strip()
        if not sep or not column:
            raise InvalidInputError(
                f"columns: {pair.strip()!r} is not role=column; expected e.g. "
                "unit_id=车辆编号,datetime=定位时间"
            )
        if role not in roles:
            raise InvalidInputError(
                f"columns: unknown role {role!r}; expected one of {', '.join(roles)}"
            )
        chosen[role] = column
    return TrackColumns(**chosen) if chosen else None


def _fixes_record(frame: gpd.GeoDataFrame) -> dict[str, list[Any]]:
    """The fixes read from a file as stored columns (UTC ISO times, lon/lat)."""
    times = frame["time"].dt.tz_convert("UTC")
    return {
        "unit_id": [str(u) for u in frame["unit_id"]],
        "time": [t.isoformat() for t in times],
        "lon": [float(x) for x in frame.geometry.x],
        "lat": [float(y) for y in frame.geometry.y],
        "source_row": [int(r) for r in frame["source_row"]],
    }


def _options(radius_m: float, slack_min: float, min_visit_s: int) -> ReviewOptions:
    return reviews.review_options(radius_m, slack_min, min_visit_s)


def _problems(rejected: Any, source: str | None = None) -> list[dict[str, Any]]:
    """The fixes kept out (of file ``source``), each with its file, row, unit and reason."""
    frame = rejected if source is None else rejected[rejected["source"] == source]
    rows = []
    for row in frame.head(MAX_LISTED).itertuples(index=False):
        rows.append(
            {
                "file": str(row.source),
                "row": int(row.source_row),
                "unit_id": str(row.unit_id),
                "reason": str(row.reason),
                "detail": str(row.detail),
            }
        )
    return rows


def _reviewed(
    session: Session, user: User | Principal, plan_id: int, day: int
) -> reviews.PlanInputs:
    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    return reviews.plan_inputs(session, plan, day)


def review_document(
    session: Session,
    user: User | Principal,
    plan_id: int,
    day: int,
    options: ReviewOptions,
) -> dict[str, Any]:
    """The plan review document of day ``day`` of a plan (also shown by the web page)."""
    from maps.review import plan_review_document

    inputs = _reviewed(session, user, plan_id, day)
    run = reviews.run_review(inputs, options)
    return plan_review_document(
        run.review, inputs.bundle, **reviews.document_args(inputs, run, options)
    )


def _download(data: bytes, fmt: str, filename: str) -> Response:
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


#: Form fields shared by the track and check-in uploads.
DayForm = Annotated[int, Form(ge=1, le=31, description="Day of the plan (1 = the first).")]
TimezoneForm = Annotated[
    str | None,
    Form(max_length=64, description="Zone of times without an offset (default: the plan's)."),
]
DatetimeFormatForm = Annotated[
    str | None, Form(max_length=100, description="strftime format of the time column.")
]


def _job_hint(body: str) -> str:
    return f"; make the report as a background job: POST /review-jobs {body}"


@dataclass(frozen=True)
class ReviewFileKind:
    """What an uploaded review file is: its reader (``geo.io.tracks``), default name and
    suffixes, what its rows are called, how to split a file with too many and what an empty
    one should have held."""

    read: Callable[..., pd.DataFrame]
    default_name: str
    suffixes: tuple[str, ...]
    rows: str
    split: str
    empty: str


def _read_review_file(
    state: ServiceState,
    file: UploadFile,
    kind: ReviewFileKind,
    *,
    zone: str,
    timezone: str | None,
    unit_map: str | None,
    columns: str | None,
    datetime_format: str | None,
) -> tuple[str, pd.DataFrame]:
    """The file's name and rows, read within the service's limits (a track file or a
    check-in file; shared by both uploads). Nothing is stored here.

    Raises
    ------
    InvalidInputError, GeoInputError
        (422) A field or file that cannot be read, or a file without rows.
    UploadTooLargeError
        (413) More rows than a file may hold.
    """
    from api.service.districts import check_timezone_name
    from geo.errors import GeoInputError
    from geo.io.advice import SERVICE_ADVICE

    if timezone:
        check_timezone_name(timezone)
    mapping = parse_unit_map(unit_map)
    roles = parse_track_columns(columns)
    limits = upload_limits(state.settings)
    with tempfile.TemporaryDirectory(prefix="gridpatrol-upload-") as tmp:
        path = save_upload(
            file,
            Path(tmp),
            limits,
            default_name=kind.default_name,
            suffixes=kind.suffixes,
            zip_must_hold=None,
        )
        try:
            frame = kind.read(
                path,
                columns=roles,
                unit_ids=mapping,
                timezone=zone,
                datetime_format=datetime_format,
                advice=SERVICE_ADVICE,
            )
        except ValueError as exc:
            if isinstance(exc, GeoInputError):
                raise
            raise InvalidInputError(f"{path.name}: {exc}") from None
    if len(frame) > limits.max_features:
        raise UploadTooLargeError(
            limits.max_bytes,
            detail=f"{path.name}: {len(frame)} {kind.rows}; at most {limits.max_features} are "
            f"read per file ({kind.split})",
        )
    if len(frame) == 0:
        raise InvalidInputError(f"{path.name}: {kind.empty}")
    return path.name, frame


@router.post(
    "/plans/{plan_id}/tracks",
    summary="Upload the units' GPS tracks for a plan",
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **TOO_LARGE},
)
@long_request
def upload_tracks(
    plan_id: ItemId,
    session: SessionDep,
    user: WriterUser,
    state: StateDep,
    file: Annotated[
        UploadFile,
        File(description="GPX 1.1 (one trk per unit, named by unit id) or a CSV of fixes."),
    ],
    day: DayForm = 1,
    unit_map: Annotated[
        str | None,
        Form(max_length=2000, description="Track names to plan unit ids: GPS-07=C1,GPS-08=C2."),
    ] = None,
    timezone: TimezoneForm = None,
    datetime_format: DatetimeFormatForm = None,
    columns: Annotated[
        str | None,
        Form(
            max_length=1000,
            description="CSV columns by role: unit_id=车辆编号,datetime=定位时间,lat=纬度,"
            "lon=经度.",
        ),
    ] = None,
) -> dict[str, Any]:
    """Read a track file, store its fixes for day ``day`` of the plan and answer what the
    review makes of them: the fixes kept out (each with its file, row, unit and reason, as
    ``gridpatrol review plan`` lists them) and the stops visited so far. A file that cannot
    be read answers 422 naming the file, line or row and the problem; nothing is stored."""
    from geo.io.tracks import read_tracks

    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    bundle = bundle_of(session, plan, day)
    name, frame = _read_review_file(
        state,
        file,
        ReviewFileKind(
            read_tracks,
            "tracks.gpx",
            TRACK_SUFFIXES,
            "fixes",
            "split the tracks by unit or by hour",
            "no GPS fixes in the file; expected a unit's track",
        ),
        zone=timezone or bundle.timezone,
        timezone=timezone,
        unit_map=unit_map,
        columns=columns,
        datetime_format=datetime_format,
    )
    track = PlanTrack(
        plan_id=plan.id,
        day=day,
        filename=name,
        fix_count=len(frame),
        fixes=_fixes_record(frame),
        uploaded_by_id=user.id,
    )
    session.add(track)
    session.flush()
    from api.service import audit

    audit.record(
        session,
        user,
        "upload_tracks",
        "plan",
        plan.id,
        area_id=plan.area_id,
        detail={"file": name, "day": day, "fixes": len(frame)},
    )
    options = _options(60.0, 30.0, 60)
    run = reviews.run_review(reviews.plan_inputs(session, plan, day), options)
    session.commit()
    rejected = run.screened.rejected
    mine = rejected[rejected["source"] == name]
    totals = run.review.totals
    return {
        "track": {
            "id": track.id,
            "plan_id": plan.id,
            "day": day,
            "filename": track.filename,
            "fixes_read": len(frame),
            "units": sorted({str(u) for u in frame["unit_id"]}),
        },
        "kept_out": {str(k): int(v) for k, v in mine["reason"].value_counts().items()},
        "problems": _problems(rejected, name),
        "stops_planned": int(totals["stops_planned"]),
        "stops_visited": int(totals["stops_visited"]),
        "notes": list(run.review.notes),
    }


@router.get("/plans/{plan_id}/review", summary="The plan review: planned against actual")
@long_request
def plan_review(
    plan_id: ItemId,
    session: SessionDep,
    user: CurrentPrincipal,
    day: DayQuery = 1,
    radius_m: RadiusQuery = 60.0,
    slack_min: SlackQuery = 30.0,
    min_visit_s: MinVisitQuery = 60,
) -> dict[str, Any]:
    """The review of day ``day`` against every track uploaded for it, as
    ``gridpatrol review plan`` writes it (``review.json``): ``units`` (stops planned and
    visited, delays, presence), ``stops`` (visited or not, arrival, dwell) and the fixes kept
    out."""
    return review_document(session, user, plan_id, day, _options(radius_m, slack_min, min_visit_s))


@router.get(
    "/plans/{plan_id}/review.{fmt}",
    summary="The plan review as a PDF report or workbook",
    response_class=Response,
    responses={
        200: {
            "description": "The report as a file download.",
            "content": {
                m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA_TYPES.values()
            },
        }
    },
)
@long_request
def plan_review_file(
    plan_id: ItemId,
    fmt: ReportFormat,
    session: SessionDep,
    user: CurrentPrincipal,
    lang: LangQuery = "en",
    day: DayQuery = 1,
    radius_m: RadiusQuery = 60.0,
    slack_min: SlackQuery = 30.0,
    min_visit_s: MinVisitQuery = 60,
) -> Response:
    """The review report written by :func:`maps.review.write_plan_review` (as the CLI writes
    it), in ``lang``. Answered directly for a day of at most
    :data:`~api.service.reviews.DIRECT_MAX_FIXES` fixes and check-ins (409 beyond: make it as
    a job, ``POST /review-jobs``)."""
    options = _options(radius_m, slack_min, min_visit_s)
    inputs = _reviewed(session, user, plan_id, day)
    if inputs.size > reviews.DIRECT_MAX_FIXES:
        raise ConflictError(
            f"plan {plan_id} day {day} has {inputs.size} fixes and check-ins, more than the "
            f"{reviews.DIRECT_MAX_FIXES} a direct download reviews"
            + _job_hint(f'{{"kind": "plan", "plan_id": {plan_id}, "day": {day}}}')
        )
    files = reviews.plan_review_files(inputs, options, (lang,))
    suffix = "" if day == 1 else f"_day{day}"
    return _download(
        files[f"{fmt.value}_{lang}"][1],
        fmt.value,
        f"plan{inputs.plan.id}{suffix}_review_{lang}.{fmt.value}",
    )


def monthly_evaluation(
    session: Session,
    user: User | Principal,
    area_id: int,
    month: str,
    basis: str,
    *,
    dataset_id: int | None = None,
    categories: str | None = None,
    min_count: int = 5,
) -> dict[str, Any]:
    """The monthly evaluation of an area's official areas from its stored incidents (the
    latest dataset, or ``dataset_id``), as ``gridpatrol review month --history`` writes it,
    with the earlier months remembered for the area feeding the flags."""
    return _evaluated(
        session, user, area_id, month, basis, dataset_id, categories, min_count
    ).document()


def _evaluated(
    session: Session,
    user: User | Principal,
    area_id: int,
    month: str,
    basis: str,
    dataset_id: int | None,
    categories: str | None,
    min_count: int,
) -> reviews.MonthlyResult:
    area = get_area(session, user, area_id)
    return reviews.evaluate_area_month(
        session,
        area,
        month,
        basis,
        dataset_id=dataset_id,
        categories=categories,
        min_count=min_count,
    )


MonthQuery = Annotated[
    str, Query(pattern=r"^\d{4}-\d{2}$", description="The month evaluated, YYYY-MM.")
]
BasisQuery = Annotated[
    Literal["yoy", "mom"], Query(description="Rank by the change yoy (同比) or mom (环比).")
]
DatasetQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Dataset (default: the latest).")
]
CategoriesQuery = Annotated[
    str | None, Query(max_length=1000, description="Key-case categories (default all).")
]
MinCountQuery = Annotated[
    int, Query(ge=0, le=100000, description="Fewer cases in both months: not ranked.")
]
WeekQuery = Annotated[
    str,
    Query(
        min_length=8,
        max_length=8,
        pattern=r"^\d{4}-W\d{2}$",
        description="The ISO week reviewed, e.g. 2024-W10.",
    ),
]


@router.get("/areas/{area_id}/monthly", summary="The monthly evaluation (每月考评) of an area")
@long_request
def area_monthly(
    area_id: ItemId,
    session: SessionDep,
    user: CurrentPrincipal,
    month: MonthQuery,
    basis: BasisQuery = "yoy",
    dataset_id: DatasetQuery = None,
    categories: CategoriesQuery = None,
    min_count: MinCountQuery = 5,
) -> dict[str, Any]:
    """Key cases per official area in ``month``, ranked by their rise, with the bulletin,
    notices and rewards, as ``gridpatrol review month`` writes it. The bulletins of earlier
    months remembered for the area (``POST /areas/{id}/monthly/history``) give the flags
    (通报 → 整改 → 黄牌); ``history`` lists them. Nothing is stored."""
    return monthly_evaluation(
        session,
        user,
        area_id,
        month,
        basis,
        dataset_id=dataset_id,
        categories=categories,
        min_count=min_count,
    )


def _check_direct_incidents(dataset: IncidentDataset, body: str) -> None:
    if dataset.row_count > reviews.DIRECT_MAX_INCIDENTS:
        raise ConflictError(
            f"dataset {dataset.id} has {dataset.row_count} incidents, more than the "
            f"{reviews.DIRECT_MAX_INCIDENTS} a direct download reads" + _job_hint(body)
        )


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as a file download.",
        "content": {
            m: {"schema": {"type": "string", "format": "binary"}}
            for k, m in MEDIA_TYPES.items()
            if k in ("pdf", "xlsx")
        },
    }
}


@router.get(
    "/areas/{area_id}/monthly.{fmt}",
    summary="The monthly evaluation as a PDF report or workbook",
    response_class=Response,
    responses=FILE_RESPONSES,
)
@long_request
def area_monthly_file(
    area_id: ItemId,
    fmt: ReportFormat,
    session: SessionDep,
    user: CurrentPrincipal,
    month: MonthQuery,
    lang: LangQuery = "en",
    basis: BasisQuery = "yoy",
    dataset_id: DatasetQuery = None,
    categories: CategoriesQuery = None,
    min_count: MinCountQuery = 5,
) -> Response:
    """The evaluation as :func:`maps.review.write_monthly` writes it (bilingual PDF with a
    small map, or the workbook), in ``lang``; answered directly for a dataset of at most
    :data:`~api.service.reviews.DIRECT_MAX_INCIDENTS` incidents (409 beyond: make it as a
    job, ``POST /review-jobs``)."""
    area = get_area(session, user, area_id)
    dataset = reviews.dataset_of(session, area, dataset_id)
    _check_direct_incidents(
        dataset, f'{{"kind": "monthly", "area_id": {area.id}, "month": "{month}"}}'
    )
    result = _evaluated(session, user, area.id, month, basis, dataset.id, categories, min_count)
    files = reviews.monthly_files(result, (lang,))
    return _download(
        files[f"{fmt.value}_{lang}"][1],
        fmt.value,
        f"area{area.id}_monthly_{month}_{lang}.{fmt.value}",
    )


class MonthRecord(BaseModel):
    """A month to evaluate and remember for the area's flags."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The month evaluated, YYYY-MM.")
    basis: Literal["yoy", "mom"] = "yoy"
    dataset_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    categories: str | None = Field(default=None, max_length=1000)
    min_count: int = Field(default=5, ge=0, le=100000)


def _history_entry(row: ReviewRecord) -> dict[str, Any]:
    return {
        "month": row.month,
        "basis": row.basis,
        "categories": row.categories,
        "dataset_id": row.dataset_id,
        "bulletin": list(row.bulletin),
        "flags": dict(row.flags),
        "evaluated_at": row.evaluated_at.replace(tzinfo=UTC).isoformat(),
    }


@router.post(
    "/areas/{area_id}/monthly/history",
    summary="Evaluate a month and remember its bulletin for the flags",
    status_code=status.HTTP_201_CREATED,
    responses=FORBIDDEN,
)
@long_request
def record_monthly(
    area_id: ItemId, body: MonthRecord, session: SessionDep, user: WriterUser
) -> dict[str, Any]:
    """Evaluate ``month`` (as ``GET /areas/{id}/monthly``) and remember its result for the
    area, as ``gridpatrol review month --history FILE`` adds the month to its file: later
    months' flags escalate from it (通报 on a month in the bulletin, 整改 on the second month
    running, 黄牌 on the third). Evaluating a month again replaces its record."""
    result = _evaluated(
        session,
        user,
        area_id,
        body.month,
        body.basis,
        body.dataset_id,
        body.categories,
        body.min_count,
    )
    row = reviews.record_month(session, result, user)
    from api.service import audit

    audit.record(
        session,
        user,
        "record_monthly",
        "area",
        result.area.id,
        area_id=result.area.id,
        detail={"month": row.month, "bulletin": list(row.bulletin)},
    )
    session.commit()
    return {"record": _history_entry(row), "evaluation": row.document}


@router.get("/areas/{area_id}/monthly/history", summary="The months remembered for an area")
def monthly_history(area_id: ItemId, session: SessionDep, user: CurrentPrincipal) -> dict[str, Any]:
    """The evaluated months remembered for the area (the latest 36, latest first): each
    month's bulletin and each flagged area's flags."""
    area = get_area(session, user, area_id)
    return {
        "area_id": area.id,
        "months": [_history_entry(r) for r in reviews.history_rows(session, area.id)],
    }


@router.delete(
    "/areas/{area_id}/monthly/history/{month}",
    summary="Forget a remembered month",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=FORBIDDEN,
)
def forget_month(
    area_id: ItemId,
    month: Annotated[str, Path_(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM.")],
    session: SessionDep,
    user: WriterUser,
) -> Response:
    """Forget a month's remembered result (later evaluations compute it from the incidents)."""
    area = get_area(session, user, area_id)
    row = session.scalar(
        select(ReviewRecord).where(ReviewRecord.area_id == area.id, ReviewRecord.month == month)
    )
    if row is None:
        raise NotFoundError(f"month {month} of area", area.id)
    session.delete(row)
    from api.service import audit

    audit.record(
        session, user, "forget_monthly", "area", area.id, area_id=area.id, detail={"month": month}
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------ weekly
def weekly_pack_document(
    session: Session,
    user: User | Principal,
    area_id: int,
    week: str,
    *,
    dataset_id: int | None = None,
    categories: str | None = None,
) -> dict[str, Any]:
    """The weekly pack of an area as ``gridpatrol review week`` writes its JSON (also shown by
    the web page)."""
    area = get_area(session, user, area_id)
    pack = reviews.weekly_pack(
        session,
        area,
        week,
        dataset_id=dataset_id,
        categories=categories,
        max_days=reviews.MAX_WEEK_DAYS,
    )
    return reviews.weekly_json(pack)


@router.get("/areas/{area_id}/weekly", summary="The weekly review pack (每周点评) of an area")
@long_request
def area_weekly(
    area_id: ItemId,
    session: SessionDep,
    user: CurrentPrincipal,
    week: WeekQuery,
    dataset_id: DatasetQuery = None,
    categories: CategoriesQuery = None,
) -> dict[str, Any]:
    """The week's incidents per official area and category against the previous week and
    the same week last year, the new and persisting hotspot areas, and, for the area's plans
    dated in the week that have tracks or check-ins, each day's stops done, presence by area,
    posts held, tasks dropped and why, and each unit's compliance; as
    ``gridpatrol review week --json`` writes it."""
    return weekly_pack_document(
        session, user, area_id, week, dataset_id=dataset_id, categories=categories
    )


@router.get(
    "/areas/{area_id}/weekly.{fmt}",
    summary="The weekly review pack as a PDF report or workbook",
    response_class=Response,
    responses=FILE_RESPONSES,
)
@long_request
def area_weekly_file(
    area_id: ItemId,
    fmt: ReportFormat,
    session: SessionDep,
    user: CurrentPrincipal,
    week: WeekQuery,
    lang: LangQuery = "en",
    dataset_id: DatasetQuery = None,
    categories: CategoriesQuery = None,
) -> Response:
    """The pack as :func:`maps.review.weekly_report.write_weekly` writes it, in ``lang``;
    answered directly for at most :data:`~api.service.reviews.DIRECT_MAX_WEEK_DAYS` reviewed
    plan days and :data:`~api.service.reviews.DIRECT_MAX_INCIDENTS` incidents (409 beyond:
    make it as a job, ``POST /review-jobs``)."""
    area = get_area(session, user, area_id)
    dataset = reviews.dataset_of(session, area, dataset_id)
    hint = f'{{"kind": "weekly", "area_id": {area.id}, "week": "{week}"}}'
    _check_direct_incidents(dataset, hint)
    pack = reviews.weekly_pack(
        session,
        area,
        week,
        dataset_id=dataset.id,
        categories=categories,
        max_days=reviews.DIRECT_MAX_WEEK_DAYS,
        too_many=_job_hint(hint),
    )
    files = reviews.weekly_files(pack, (lang,))
    return _download(
        files[f"{fmt.value}_{lang}"][1],
        fmt.value,
        f"area{area.id}_weekly_{week}_{lang}.{fmt.value}",
    )


# ------------------------------------------------------------------------------ check-ins
@router.post(
    "/plans/{plan_id}/checkins",
    summary="Upload checkpoint check-ins (巡更) for a plan",
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **TOO_LARGE},
)
@long_request
def upload_checkins(
    plan_id: ItemId,
    session: SessionDep,
    user: WriterUser,
    state: StateDep,
    file: Annotated[
        UploadFile,
        File(description="CSV (or XLSX) of check-ins: unit id, checkpoint or post id, time."),
    ],
    day: DayForm = 1,
    unit_map: Annotated[
        str | None,
        Form(max_length=2000, description="Names in the file to plan unit ids: GPS-07=C1."),
    ] = None,
    timezone: TimezoneForm = None,
    datetime_format: DatetimeFormatForm = None,
    columns: Annotated[
        str | None,
        Form(
            max_length=1000,
            description="Columns by role: unit_id=巡组,checkpoint=巡更点,datetime=打卡时间.",
        ),
    ] = None,
) -> dict[str, Any]:
    """Read a check-in file (:func:`geo.io.tracks.read_checkins`), store it for day ``day`` of
    the plan and answer what the review makes of it: a stop is visited on a check-in at its
    task or place (post) id within its window when no track shows the visit. A file that
    cannot be read answers 422 naming the file, row and column; nothing is stored."""
    from geo.io.tracks import read_checkins

    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    bundle = bundle_of(session, plan, day)
    name, frame = _read_review_file(
        state,
        file,
        ReviewFileKind(
            read_checkins,
            "checkins.csv",
            CHECKIN_SUFFIXES,
            "check-ins",
            "split the file by unit or by day",
            "no check-ins in the file; expected rows of unit, checkpoint, time",
        ),
        zone=timezone or bundle.timezone,
        timezone=timezone,
        unit_map=unit_map,
        columns=columns,
        datetime_format=datetime_format,
    )
    known = {u.unit_id for u in bundle.units}
    if bundle.plan is not None:
        known |= {r.unit_id for r in bundle.plan.routes}
    unknown = sorted({str(u) for u in frame["unit_id"]} - known)
    row = PlanCheckin(
        plan_id=plan.id,
        day=day,
        filename=name,
        checkin_count=len(frame),
        checkins=reviews.checkins_record(frame),
        uploaded_by_id=user.id,
    )
    session.add(row)
    session.flush()
    from api.service import audit

    audit.record(
        session,
        user,
        "upload_checkins",
        "plan",
        plan.id,
        area_id=plan.area_id,
        detail={"file": name, "day": day, "checkins": len(frame)},
    )
    run = reviews.run_review(reviews.plan_inputs(session, plan, day), _options(60.0, 30.0, 60))
    session.commit()
    stops = run.review.stops
    by_checkin = int((stops["evidence"] == "checkin").sum()) if "evidence" in stops else 0
    totals = run.review.totals
    return {
        "checkins": {
            "id": row.id,
            "plan_id": plan.id,
            "day": day,
            "filename": row.filename,
            "read": len(frame),
            "units": sorted({str(u) for u in frame["unit_id"]}),
            "checkpoints": sorted({str(c) for c in frame["checkpoint_id"]})[:MAX_LISTED],
        },
        "unknown_units": unknown,
        "stops_planned": int(totals["stops_planned"]),
        "stops_visited": int(totals["stops_visited"]),
        "stops_visited_by_checkin": by_checkin,
        "notes": list(run.review.notes),
    }


from api.service.routes import review_jobs as _review_jobs  # noqa: E402  (uses the above)

router.include_router(_review_jobs.router)
