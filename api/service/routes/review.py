"""The review cycle on the service: GPS tracks uploaded for a stored plan, the plan review
(planned against actual) as JSON, PDF and XLSX, and an area's monthly evaluation (每月考评).

The computation is the one ``gridpatrol review plan`` and ``review month`` run
(:func:`maps.review.run.review_bundle`, :func:`maps.review.plan_review_document`,
:func:`maps.review.write_plan_review`, :func:`geo.review.evaluate_month`,
:func:`maps.review.monthly_document`), on the plan's stored document and the area's stored
incidents. Uploaded tracks are stored as the fixes read from them (:class:`PlanTrack`); the
review is computed when asked for.
"""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.deps import CurrentUser, ItemId, SessionDep, StateDep, WriterUser, get_area, scoped
from api.service.errors import ConflictError, InvalidInputError, NotFoundError, UploadTooLargeError
from api.service.models import IncidentDataset, PlanJob, PlanTrack, User
from api.service.plandocs import bundle_of
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

    from maps.bundle import PlanBundle
    from maps.review.run import ReviewRun
    from planner.review import ReviewOptions

router = APIRouter(tags=["review"], responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT})

#: Suffixes of track files read (GPX 1.1, or a table of fixes).
TRACK_SUFFIXES = (".gpx", ".csv", ".txt", ".tsv", ".xlsx")
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


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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


def _fixes_frame(track: PlanTrack) -> gpd.GeoDataFrame:
    """A stored track back as the fixes :func:`geo.io.tracks.read_tracks` returned."""
    import geopandas as gpd
    import pandas as pd

    data = track.fixes
    return gpd.GeoDataFrame(
        {
            "unit_id": pd.Series(data["unit_id"], dtype=object),
            "time": pd.to_datetime(pd.Series(data["time"], dtype=object), utc=True),
            "source": pd.Series([track.filename] * len(data["unit_id"]), dtype=object),
            "source_row": pd.Series(data["source_row"], dtype="int64"),
        },
        geometry=gpd.points_from_xy(data["lon"], data["lat"]),
        crs="EPSG:4326",
    )


def _tracks_of(session: Session, plan_id: int, day: int) -> list[PlanTrack]:
    query = (
        select(PlanTrack)
        .where(PlanTrack.plan_id == plan_id, PlanTrack.day == day)
        .order_by(PlanTrack.id)
    )
    return list(session.scalars(query))


def _options(radius_m: float, slack_min: float, min_visit_s: int) -> ReviewOptions:
    from planner.review import ReviewOptions

    try:
        return ReviewOptions(
            visit_radius_m=radius_m,
            window_slack_s=int(round(slack_min * 60)),
            min_visit_s=min_visit_s,
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc).replace("visit_radius_m", "radius_m")) from None


def _run(bundle: PlanBundle, tracks: list[PlanTrack], options: ReviewOptions) -> ReviewRun:
    """:func:`maps.review.run.review_bundle` on the stored tracks (409 for a plan it cannot
    review)."""
    from maps.errors import MapInputError
    from maps.review.inputs import combine_fixes
    from maps.review.run import review_bundle

    fixes = combine_fixes([_fixes_frame(t) for t in tracks])
    try:
        return review_bundle(bundle, fixes, options=options)
    except MapInputError as exc:
        raise ConflictError(str(exc)) from None


def _document_args(
    plan_id: int, day: int, tracks: list[PlanTrack], run: ReviewRun, options: ReviewOptions
) -> dict[str, Any]:
    """What :func:`maps.review.plan_review_document` records besides the review (as the CLI
    passes it)."""
    from maps.review.inputs import options_record

    return {
        "plan_path": f"plan {plan_id} day {day}",
        "tracks": [t.filename for t in tracks],
        "fixes_read": run.fixes_read,
        "rejected": run.screened.rejected,
        "options": options_record(options),
    }


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
    session: Session, user: User, plan_id: int, day: int
) -> tuple[PlanJob, PlanBundle, list[PlanTrack]]:
    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    bundle = bundle_of(session, plan, day)
    tracks = _tracks_of(session, plan.id, day)
    if not tracks:
        raise ConflictError(
            f"plan {plan.id} day {day} has no GPS tracks yet; upload them: "
            f"POST /plans/{plan.id}/tracks (GPX or CSV of fixes)"
        )
    return plan, bundle, tracks


def review_document(
    session: Session,
    user: User,
    plan_id: int,
    day: int,
    options: ReviewOptions,
) -> dict[str, Any]:
    """The plan review document of day ``day`` of a plan (also shown by the web page)."""
    from maps.review import plan_review_document

    plan, bundle, tracks = _reviewed(session, user, plan_id, day)
    run = _run(bundle, tracks, options)
    return plan_review_document(
        run.review, bundle, **_document_args(plan.id, day, tracks, run, options)
    )


@router.post(
    "/plans/{plan_id}/tracks",
    summary="Upload the units' GPS tracks for a plan",
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **TOO_LARGE},
)
def upload_tracks(
    plan_id: ItemId,
    session: SessionDep,
    user: WriterUser,
    state: StateDep,
    file: Annotated[
        UploadFile,
        File(description="GPX 1.1 (one trk per unit, named by unit id) or a CSV of fixes."),
    ],
    day: Annotated[int, Form(ge=1, le=31, description="Day of the plan (1 = the first).")] = 1,
    unit_map: Annotated[
        str | None,
        Form(max_length=2000, description="Track names to plan unit ids: GPS-07=C1,GPS-08=C2."),
    ] = None,
    timezone: Annotated[
        str | None,
        Form(max_length=64, description="Zone of times without an offset (default: the plan's)."),
    ] = None,
    datetime_format: Annotated[
        str | None, Form(max_length=100, description="strftime format of the time column.")
    ] = None,
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
    from api.service.districts import check_timezone_name
    from geo.io.advice import SERVICE_ADVICE
    from geo.io.tracks import read_tracks

    plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
    bundle = bundle_of(session, plan, day)
    zone = timezone or bundle.timezone
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
            default_name="tracks.gpx",
            suffixes=TRACK_SUFFIXES,
            zip_must_hold=None,
        )
        try:
            frame = read_tracks(
                path,
                columns=roles,
                unit_ids=mapping,
                timezone=zone,
                datetime_format=datetime_format,
                advice=SERVICE_ADVICE,
            )
        except ValueError as exc:
            from geo.errors import GeoInputError

            if isinstance(exc, GeoInputError):
                raise
            raise InvalidInputError(f"{path.name}: {exc}") from None
    if len(frame) > limits.max_features:
        raise UploadTooLargeError(
            limits.max_bytes,
            detail=f"{path.name}: {len(frame)} fixes; at most {limits.max_features} are read "
            "per file (split the tracks by unit or by hour)",
        )
    if len(frame) == 0:
        raise InvalidInputError(f"{path.name}: no GPS fixes in the file; expected a unit's track")
    track = PlanTrack(
        plan_id=plan.id,
        day=day,
        filename=path.name,
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
        detail={"file": path.name, "day": day, "fixes": len(frame)},
    )
    options = _options(60.0, 30.0, 60)
    run = _run(bundle, _tracks_of(session, plan.id, day), options)
    session.commit()
    rejected = run.screened.rejected
    mine = rejected[rejected["source"] == path.name]
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
        "problems": _problems(rejected, path.name),
        "stops_planned": int(totals["stops_planned"]),
        "stops_visited": int(totals["stops_visited"]),
        "notes": list(run.review.notes),
    }


@router.get("/plans/{plan_id}/review", summary="The plan review: planned against actual")
def plan_review(
    plan_id: ItemId,
    session: SessionDep,
    user: CurrentUser,
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
def plan_review_file(
    plan_id: ItemId,
    fmt: ReportFormat,
    session: SessionDep,
    user: CurrentUser,
    lang: LangQuery = "en",
    day: DayQuery = 1,
    radius_m: RadiusQuery = 60.0,
    slack_min: SlackQuery = 30.0,
    min_visit_s: MinVisitQuery = 60,
) -> Response:
    """The review report written by :func:`maps.review.write_plan_review` (as the CLI writes
    it), in ``lang``."""
    from maps.review import write_plan_review

    options = _options(radius_m, slack_min, min_visit_s)
    plan, bundle, tracks = _reviewed(session, user, plan_id, day)
    run = _run(bundle, tracks, options)
    with tempfile.TemporaryDirectory(prefix="gridpatrol-review-") as tmp:
        paths = write_plan_review(
            run.review,
            bundle,
            run.fixes,
            Path(tmp),
            langs=(lang,),
            **_document_args(plan.id, day, tracks, run, options),
        )
        data = paths[f"{fmt.value}_{lang}"].read_bytes()
    suffix = "" if day == 1 else f"_day{day}"
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt.value],
        headers={
            "Content-Disposition": (
                f'attachment; filename="plan{plan.id}{suffix}_review_{lang}.{fmt.value}"'
            )
        },
    )


def monthly_evaluation(
    session: Session,
    user: User,
    area_id: int,
    month: str,
    basis: str,
    *,
    dataset_id: int | None = None,
    categories: str | None = None,
    min_count: int = 5,
) -> dict[str, Any]:
    """The monthly evaluation of an area's official areas from its stored incidents (the
    latest dataset, or ``dataset_id``), as ``gridpatrol review month`` writes it."""
    from api.service.districts import frame_from_features, load_incidents
    from geo.review import MonthlyOptions, evaluate_month
    from geo.review.monthly import leaders_from_table
    from maps.review import monthly_document

    area = get_area(session, user, area_id)
    if dataset_id is None:
        query = (
            select(IncidentDataset)
            .where(IncidentDataset.area_id == area.id)
            .order_by(IncidentDataset.id.desc())
            .limit(1)
        )
        dataset = session.scalar(query)
        if dataset is None:
            raise ConflictError(
                f"area {area.id} has no incidents; upload them: POST /datasets (area_id={area.id})"
            )
    else:
        dataset = session.get(IncidentDataset, dataset_id)
        if dataset is None or dataset.area_id != area.id:
            raise NotFoundError("dataset", dataset_id)
    areas = frame_from_features(area.official_areas)
    if len(areas) == 0 or "area_id" not in areas.columns:
        raise ConflictError(
            f"area {area.id} has no official areas (辖区) to evaluate; give the area its "
            "official_areas (polygons with an area_id)"
        )
    areas["area_id"] = areas["area_id"].astype(str)
    leaders: dict[str, str] = {}
    if "leader" in areas.columns:
        try:
            leaders = leaders_from_table(areas, id_field="area_id")
        except ValueError as exc:
            raise InvalidInputError(f"official_areas: {exc}") from None
    cats = tuple(c.strip() for c in (categories or "").split(",") if c.strip()) or None
    try:
        options = MonthlyOptions(
            categories=cats, basis="yoy" if basis == "yoy" else "mom", min_count=min_count
        )
        incidents = load_incidents(session, dataset.id, area.timezone)
        evaluation = evaluate_month(incidents, areas, month, options=options, leaders=leaders)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    return monthly_document(
        evaluation,
        district=area.name,
        source={"kind": "dataset", "area_id": area.id, "dataset_id": dataset.id},
    )


@router.get("/areas/{area_id}/monthly", summary="The monthly evaluation (每月考评) of an area")
def area_monthly(
    area_id: ItemId,
    session: SessionDep,
    user: CurrentUser,
    month: Annotated[
        str, Query(pattern=r"^\d{4}-\d{2}$", description="The month evaluated, YYYY-MM.")
    ],
    basis: Annotated[
        Literal["yoy", "mom"], Query(description="Rank by the change yoy (同比) or mom (环比).")
    ] = "yoy",
    dataset_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Dataset (default: the latest).")
    ] = None,
    categories: Annotated[
        str | None, Query(max_length=1000, description="Key-case categories (default all).")
    ] = None,
    min_count: Annotated[
        int, Query(ge=0, le=100000, description="Fewer cases in both months: not ranked.")
    ] = 5,
) -> dict[str, Any]:
    """Key cases per official area in ``month``, ranked by their rise, with the bulletin,
    notices and rewards, as ``gridpatrol review month`` writes it."""
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
