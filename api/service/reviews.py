"""What the review routes and the review jobs read from the database and compute, shared by
both: a plan's stored tracks and check-ins reviewed (:func:`maps.review.run.review_bundle`),
an area's weekly pack (:func:`geo.review.weekly.evaluate_week` with the week's reviewed plans)
and its monthly evaluation (:func:`geo.review.evaluate_month`) fed with the months remembered
in ``review_history`` (:class:`~api.service.models.ReviewRecord`), and the report files made
from them (the functions ``gridpatrol review plan|week|month`` calls).

Nothing here checks who asks: the routes scope first (:func:`api.service.deps.scoped`), the
jobs run for an area they were queued in. Errors of the request are
:class:`~api.service.errors.InvalidInputError` (422) or :class:`ConflictError` (409).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.authcache import Principal
from api.service.errors import ConflictError, InvalidInputError, NotFoundError
from api.service.models import (
    Area,
    IncidentDataset,
    JobState,
    PlanCheckin,
    PlanDocument,
    PlanJob,
    PlanTrack,
    ReviewRecord,
    User,
    utcnow,
)
from api.service.plandocs import bundle_of

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geo.review import MonthlyEvaluation
    from geo.review.weekly import WeeklyIncidents
    from maps.bundle import PlanBundle
    from maps.review.run import ReviewRun
    from maps.review.weekly_report import DayReview
    from planner.review import ReviewOptions

#: Media types of the report files.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "png": "image/png",
}
#: Report languages.
LANGS = ("en", "zh-CN")
#: Reviewed plan days a weekly pack holds at most (a week of three shifts a day is 21).
MAX_WEEK_DAYS = 31
#: Direct (not job) PDF/XLSX downloads: GPS fixes and check-ins of the plan day at most (five
#: units' 8-hour shift at 1 Hz is 144,000 fixes).
DIRECT_MAX_FIXES = 150_000
#: Direct PDF/XLSX downloads of the weekly pack: reviewed plan days at most.
DIRECT_MAX_WEEK_DAYS = 3
#: Direct PDF/XLSX downloads of a weekly pack or monthly evaluation: incidents at most.
DIRECT_MAX_INCIDENTS = 200_000

Progress = Callable[[str, float], None]


def _quiet(message: str, fraction: float) -> None:
    """A progress callback that tells nobody."""


# ------------------------------------------------------------------------------ options
def review_options(radius_m: float, slack_min: float, min_visit_s: int) -> ReviewOptions:
    """The review's matching options (422 naming the field for a bad one)."""
    from planner.review import ReviewOptions

    try:
        return ReviewOptions(
            visit_radius_m=radius_m,
            window_slack_s=int(round(slack_min * 60)),
            min_visit_s=min_visit_s,
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc).replace("visit_radius_m", "radius_m")) from None


# ------------------------------------------------------------------------------ plan review
def tracks_of(session: Session, plan_id: int, day: int) -> list[PlanTrack]:
    """The tracks uploaded for day ``day`` of a plan, oldest first."""
    query = (
        select(PlanTrack)
        .where(PlanTrack.plan_id == plan_id, PlanTrack.day == day)
        .order_by(PlanTrack.id)
    )
    return list(session.scalars(query))


def checkins_of(session: Session, plan_id: int, day: int) -> list[PlanCheckin]:
    """The check-in files uploaded for day ``day`` of a plan, oldest first."""
    query = (
        select(PlanCheckin)
        .where(PlanCheckin.plan_id == plan_id, PlanCheckin.day == day)
        .order_by(PlanCheckin.id)
    )
    return list(session.scalars(query))


def fixes_frame(track: PlanTrack) -> gpd.GeoDataFrame:
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


def checkins_record(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Check-ins read by :func:`geo.io.tracks.read_checkins` as stored columns."""
    times = frame["time"].dt.tz_convert("UTC")
    return {
        "unit_id": [str(u) for u in frame["unit_id"]],
        "checkpoint_id": [str(c) for c in frame["checkpoint_id"]],
        "time": [t.isoformat() for t in times],
        "source_row": [int(r) for r in frame["source_row"]],
    }


def checkins_frame(rows: list[PlanCheckin]) -> pd.DataFrame | None:
    """Stored check-ins back as :func:`geo.io.tracks.read_checkins` returned them (``None``
    when there are none)."""
    import pandas as pd

    if not rows:
        return None
    frames = [
        pd.DataFrame(
            {
                "unit_id": pd.Series(r.checkins["unit_id"], dtype=object),
                "checkpoint_id": pd.Series(r.checkins["checkpoint_id"], dtype=object),
                "time": pd.to_datetime(pd.Series(r.checkins["time"], dtype=object), utc=True),
                "source": r.filename,
                "source_row": pd.Series(r.checkins["source_row"], dtype="int64"),
            }
        )
        for r in rows
    ]
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class PlanInputs:
    """One plan day with what was uploaded for it."""

    plan: PlanJob
    day: int
    bundle: PlanBundle
    tracks: list[PlanTrack]
    checkins: list[PlanCheckin]

    @property
    def size(self) -> int:
        """GPS fixes and check-ins stored for the day."""
        return sum(t.fix_count for t in self.tracks) + sum(c.checkin_count for c in self.checkins)

    @property
    def files(self) -> list[str]:
        return [t.filename for t in self.tracks] + [c.filename for c in self.checkins]


def plan_inputs(session: Session, plan: PlanJob, day: int) -> PlanInputs:
    """Day ``day`` of a (scoped) plan with its tracks and check-ins (409 when it has none)."""
    bundle = bundle_of(session, plan, day)
    tracks = tracks_of(session, plan.id, day)
    checks = checkins_of(session, plan.id, day)
    if not tracks and not checks:
        raise ConflictError(
            f"plan {plan.id} day {day} has no GPS tracks yet; upload them: "
            f"POST /plans/{plan.id}/tracks (GPX or CSV of fixes) or check-ins: "
            f"POST /plans/{plan.id}/checkins"
        )
    return PlanInputs(plan, day, bundle, tracks, checks)


def run_review(inputs: PlanInputs, options: ReviewOptions | None = None) -> ReviewRun:
    """:func:`maps.review.run.review_bundle` on the stored tracks and check-ins (409 for a
    plan it cannot review)."""
    from maps.errors import MapInputError
    from maps.review.inputs import combine_fixes
    from maps.review.run import review_bundle

    fixes = combine_fixes([fixes_frame(t) for t in inputs.tracks])
    try:
        return review_bundle(
            inputs.bundle, fixes, checkins=checkins_frame(inputs.checkins), options=options
        )
    except MapInputError as exc:
        raise ConflictError(str(exc)) from None


def document_args(inputs: PlanInputs, run: ReviewRun, options: ReviewOptions) -> dict[str, Any]:
    """What :func:`maps.review.plan_review_document` records besides the review (as the CLI
    passes it)."""
    from maps.review.inputs import options_record

    return {
        "plan_path": f"plan {inputs.plan.id} day {inputs.day}",
        "tracks": inputs.files,
        "fixes_read": run.fixes_read,
        "rejected": run.screened.rejected,
        "options": options_record(options),
    }


def plan_review_files(
    inputs: PlanInputs, options: ReviewOptions, langs: tuple[str, ...] = LANGS
) -> dict[str, tuple[str, bytes]]:
    """The plan review's files as :func:`maps.review.write_plan_review` writes them, by name
    (``json``, ``pdf_en``, ``xlsx_zh-CN``, ...), each with its media type."""
    from maps.review import write_plan_review

    run = run_review(inputs, options)
    with tempfile.TemporaryDirectory(prefix="gridpatrol-review-") as tmp:
        paths = write_plan_review(
            run.review,
            inputs.bundle,
            run.fixes,
            Path(tmp),
            langs=langs,
            **document_args(inputs, run, options),
        )
        return _read_files(paths)


def _read_files(paths: dict[str, Path]) -> dict[str, tuple[str, bytes]]:
    out: dict[str, tuple[str, bytes]] = {}
    for name, path in paths.items():
        media = MEDIA_TYPES.get(path.suffix.lstrip(".").lower(), "application/octet-stream")
        out[name] = (media, path.read_bytes())
    return out


# ------------------------------------------------------------------------------ area inputs
def dataset_of(session: Session, area: Area, dataset_id: int | None) -> IncidentDataset:
    """The area's latest dataset, or ``dataset_id`` of the area (404 for another area's)."""
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
        return dataset
    found = session.get(IncidentDataset, dataset_id)
    if found is None or found.area_id != area.id:
        raise NotFoundError("dataset", dataset_id)
    return found


def official_areas(area: Area) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """The area's official areas (辖区) with string ids, and their responsible posts."""
    from api.service.districts import frame_from_features
    from geo.review.monthly import leaders_from_table

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
    return areas, leaders


def parse_categories(text: str | None) -> tuple[str, ...] | None:
    """The ``categories`` field (``burglary,vehicle_theft``) as a tuple (``None``: all)."""
    cats = tuple(c.strip() for c in (text or "").split(",") if c.strip())
    return cats or None


# ------------------------------------------------------------------------------ weekly
@dataclass(frozen=True)
class WeeklyPack:
    """An area's week: incidents by area against the weeks compared, and the reviewed plans."""

    area: Area
    dataset: IncidentDataset
    week: WeeklyIncidents
    days: list[DayReview]
    official: gpd.GeoDataFrame


def reviewed_days_of_week(session: Session, area: Area, week: str) -> list[PlanInputs]:
    """The plan days of the area dated in ISO week ``week`` that have tracks or check-ins,
    by date (at most :data:`MAX_WEEK_DAYS`; 409 beyond)."""
    from geo.review.weekly import week_bounds

    try:
        monday, sunday = week_bounds(week)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    plan_ids = select(PlanJob.id).where(
        PlanJob.area_id == area.id, PlanJob.state == JobState.SUCCEEDED.value
    )
    pairs = set(
        session.execute(
            select(PlanTrack.plan_id, PlanTrack.day).where(PlanTrack.plan_id.in_(plan_ids))
        ).all()
    )
    pairs |= set(
        session.execute(
            select(PlanCheckin.plan_id, PlanCheckin.day).where(PlanCheckin.plan_id.in_(plan_ids))
        ).all()
    )
    dated: list[tuple[str, int, int]] = []
    for plan_id, day in sorted(pairs):
        row = session.get(PlanDocument, (plan_id, day))
        text = str((row.data or {}).get("plan_date", "")) if row is not None else ""
        if monday.isoformat() <= text <= sunday.isoformat():
            dated.append((text, int(plan_id), int(day)))
    if len(dated) > MAX_WEEK_DAYS:
        raise ConflictError(
            f"week {week}: {len(dated)} reviewed plan days; a weekly pack holds at most "
            f"{MAX_WEEK_DAYS}"
        )
    out = []
    for _, plan_id, day in sorted(dated):
        plan = session.get(PlanJob, plan_id)
        assert plan is not None
        out.append(plan_inputs(session, plan, day))
    return out


def weekly_pack(
    session: Session,
    area: Area,
    week: str,
    *,
    dataset_id: int | None = None,
    categories: str | None = None,
    progress: Progress = _quiet,
    max_days: int | None = None,
    too_many: str = "",
) -> WeeklyPack:
    """The weekly pack of ``area`` from its stored incidents and the week's reviewed plans
    (409 with ``too_many`` appended when more than ``max_days`` plan days were reviewed)."""
    from api.service.districts import load_incidents
    from geo.review.weekly import evaluate_week
    from maps.review.weekly_report import DayReview

    dataset = dataset_of(session, area, dataset_id)
    official, _ = official_areas(area)
    progress("Counting the incidents", 0.05)
    incidents = load_incidents(session, dataset.id, area.timezone)
    try:
        result = evaluate_week(incidents, official, week, categories=parse_categories(categories))
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    inputs = reviewed_days_of_week(session, area, result.week)
    if max_days is not None and len(inputs) > max_days:
        raise ConflictError(
            f"week {result.week}: {len(inputs)} reviewed plan days, more than the "
            f"{max_days} answered at once{too_many}"
        )
    days = []
    for i, day in enumerate(inputs):
        progress("Reviewing the tracks", 0.2 + 0.8 * i / len(inputs))
        days.append(DayReview(bundle=day.bundle, review=run_review(day).review))
    return WeeklyPack(area, dataset, result, days, official)


def weekly_json(pack: WeeklyPack) -> dict[str, Any]:
    """The pack as ``gridpatrol review week`` writes ``weekly_{week}.json``, with its source."""
    from maps.review.weekly_report import weekly_document

    doc = weekly_document(pack.week, pack.days, district=pack.area.name)
    doc["source"] = {"kind": "dataset", "area_id": pack.area.id, "dataset_id": pack.dataset.id}
    return doc


def weekly_files(pack: WeeklyPack, langs: tuple[str, ...] = LANGS) -> dict[str, tuple[str, bytes]]:
    """The pack's files as :func:`maps.review.weekly_report.write_weekly` writes them."""
    from maps.review.weekly_report import write_weekly

    with tempfile.TemporaryDirectory(prefix="gridpatrol-weekly-") as tmp:
        paths = write_weekly(pack.week, pack.days, Path(tmp), district=pack.area.name, langs=langs)
        files = _read_files(paths)
    files["json"] = (MEDIA_TYPES["json"], _json_bytes(weekly_json(pack)))
    return files


# ------------------------------------------------------------------------------ monthly
def stored_history(session: Session, area_id: int, before: str) -> dict[str, tuple[str, ...]]:
    """The bulletins of the months before ``before`` remembered for the area, by month (as
    :func:`maps.review.read_history` reads a history file)."""
    rows = session.scalars(
        select(ReviewRecord)
        .where(ReviewRecord.area_id == area_id, ReviewRecord.month < before)
        .order_by(ReviewRecord.month)
    )
    return {r.month: tuple(str(a) for a in r.bulletin) for r in rows}


def history_rows(session: Session, area_id: int, limit: int = 36) -> list[ReviewRecord]:
    """The remembered months of an area, latest first."""
    query = (
        select(ReviewRecord)
        .where(ReviewRecord.area_id == area_id)
        .order_by(ReviewRecord.month.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class MonthlyResult:
    """An evaluated month with what went into it."""

    area: Area
    dataset: IncidentDataset
    evaluation: MonthlyEvaluation
    official: gpd.GeoDataFrame
    history: dict[str, tuple[str, ...]]

    def document(self) -> dict[str, Any]:
        """As ``gridpatrol review month`` writes ``monthly_{month}.json``, with the months the
        flags were remembered from (``history``)."""
        from maps.review import monthly_document

        doc = monthly_document(
            self.evaluation,
            district=self.area.name,
            source={"kind": "dataset", "area_id": self.area.id, "dataset_id": self.dataset.id},
        )
        doc["history"] = {m: list(v) for m, v in sorted(self.history.items())}
        return doc


def evaluate_area_month(
    session: Session,
    area: Area,
    month: str,
    basis: str = "yoy",
    *,
    dataset_id: int | None = None,
    categories: str | None = None,
    min_count: int = 5,
) -> MonthlyResult:
    """The monthly evaluation of an area's official areas from its stored incidents, with the
    bulletins of the earlier months remembered for it (``review_history``) feeding the
    escalation, as ``gridpatrol review month --history FILE`` does."""
    from api.service.districts import load_incidents
    from geo.review import MonthlyOptions, evaluate_month

    dataset = dataset_of(session, area, dataset_id)
    official, leaders = official_areas(area)
    history = stored_history(session, area.id, month)
    try:
        options = MonthlyOptions(
            categories=parse_categories(categories),
            basis="yoy" if basis == "yoy" else "mom",
            min_count=min_count,
        )
        incidents = load_incidents(session, dataset.id, area.timezone)
        evaluation = evaluate_month(
            incidents, official, month, options=options, history=history, leaders=leaders
        )
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    return MonthlyResult(area, dataset, evaluation, official, history)


def record_month(
    session: Session, result: MonthlyResult, user: User | Principal | None
) -> ReviewRecord:
    """Remember the evaluated month for the area, replacing the month's earlier record (never
    a second row for a month)."""
    evaluation = result.evaluation
    areas = evaluation.areas
    flagged = areas[areas["flags"].map(bool)]
    flags = {str(a): list(f) for a, f in zip(flagged["area_id"], flagged["flags"], strict=True)}
    row = session.scalar(
        select(ReviewRecord).where(
            ReviewRecord.area_id == result.area.id, ReviewRecord.month == evaluation.month
        )
    )
    if row is None:
        row = ReviewRecord(area_id=result.area.id, month=evaluation.month)
        session.add(row)
    row.basis = evaluation.options.basis
    row.categories = (
        list(evaluation.options.categories) if evaluation.options.categories is not None else None
    )
    row.dataset_id = result.dataset.id
    row.bulletin = list(evaluation.notified)
    row.flags = flags
    row.document = result.document()
    row.evaluated_at = utcnow()
    row.evaluated_by_id = user.id if user is not None else None
    session.flush()
    return row


def monthly_files(
    result: MonthlyResult, langs: tuple[str, ...] = LANGS
) -> dict[str, tuple[str, bytes]]:
    """The evaluation's files as :func:`maps.review.write_monthly` writes them."""
    from maps.review import write_monthly

    with tempfile.TemporaryDirectory(prefix="gridpatrol-monthly-") as tmp:
        paths = write_monthly(
            result.evaluation,
            result.official,
            Path(tmp),
            district=result.area.name,
            langs=langs,
            source={"kind": "dataset", "area_id": result.area.id, "dataset_id": result.dataset.id},
        )
        files = _read_files(paths)
    files["json"] = (MEDIA_TYPES["json"], _json_bytes(result.document()))
    return files


def _json_bytes(doc: dict[str, Any]) -> bytes:
    import json

    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
