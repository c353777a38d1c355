"""Review reports as background jobs: :func:`run_review_job` makes the plan review, the weekly
pack (每周点评) or the monthly evaluation (每月考评) of an area with its files (JSON, and PDF and
XLSX per language) exactly as the direct endpoints and ``gridpatrol review plan|week|month``
do (:mod:`api.service.reviews`), and stores them as :class:`ReviewFile` rows.

Like plans and staffing runs, the job is a plain top-level function of plain data (job id,
database URL, parameters), claimed, reported, leased and finished by the shared steps of
:mod:`api.service.jobrun`. The job reads only its own area (the one it was queued in).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session, sessionmaker

from api.service.jobrun import DEFAULT_LEASE_S, JobReporter, run_job
from api.service.models import Area, PlanJob, ReviewFile, ReviewJob

#: Kinds of review report.
REVIEW_KINDS = ("plan", "weekly", "monthly")


@dataclass(frozen=True)
class ReviewOutcome:
    """What a finished review job writes: a JSON summary and its files."""

    result: dict[str, Any]
    files: dict[str, tuple[str, bytes]]


def _langs(parameters: dict[str, Any]) -> tuple[str, ...]:
    langs = tuple(str(x) for x in parameters.get("langs") or ("en", "zh-CN"))
    return langs or ("en", "zh-CN")


def _compute(
    session: Session, area: Area, parameters: dict[str, Any], report: JobReporter
) -> ReviewOutcome:
    from api.service import reviews

    kind = str(parameters["kind"])
    langs = _langs(parameters)
    if kind == "plan":
        plan = session.get(PlanJob, int(parameters["plan_id"]))
        if plan is None or plan.area_id != area.id:
            raise ValueError(f"plan {parameters['plan_id']} no longer exists")
        options = reviews.review_options(
            float(parameters["radius_m"]),
            float(parameters["slack_min"]),
            int(parameters["min_visit_s"]),
        )
        report("Reviewing the tracks", 0.1, force=True)
        inputs = reviews.plan_inputs(session, plan, int(parameters["day"]))
        files = reviews.plan_review_files(inputs, options, langs)
        import json

        doc = json.loads(files["json"][1])
        summary = {"totals": doc.get("totals", {}), "tracks": doc.get("tracks", [])}
        return ReviewOutcome(summary, files)
    if kind == "weekly":
        pack = reviews.weekly_pack(
            session,
            area,
            str(parameters["week"]),
            dataset_id=parameters.get("dataset_id"),
            categories=parameters.get("categories"),
            progress=report.stage(0.0, 0.7),
        )
        report("Making the files", 0.75, force=True)
        files = reviews.weekly_files(pack, langs)
        summary = {
            "week": pack.week.week,
            "incidents": int(pack.week.by_area["count"].sum()),
            "days_reviewed": len(pack.days),
        }
        return ReviewOutcome(summary, files)
    if kind == "monthly":
        report("Evaluating the month", 0.1, force=True)
        result = reviews.evaluate_area_month(
            session,
            area,
            str(parameters["month"]),
            str(parameters.get("basis", "yoy")),
            dataset_id=parameters.get("dataset_id"),
            categories=parameters.get("categories"),
            min_count=int(parameters.get("min_count", 5)),
        )
        report("Making the files", 0.5, force=True)
        files = reviews.monthly_files(result, langs)
        summary = {"month": result.evaluation.month, "bulletin": list(result.evaluation.notified)}
        return ReviewOutcome(summary, files)
    raise ValueError(f"kind: expected one of {', '.join(REVIEW_KINDS)}, got {kind!r}")


def compute_review(
    sessions: sessionmaker[Session], area_id: int, parameters: dict[str, Any], report: JobReporter
) -> ReviewOutcome:
    """Read the area's stored inputs and make the report's files (no database writes). A
    request the inputs cannot answer (no tracks, no official areas, a bad month) fails the
    job with the message the direct endpoint gives."""
    with sessions() as session:
        area = session.get(Area, area_id)
        if area is None:
            raise ValueError(f"area {area_id} no longer exists")
        try:
            return _compute(session, area, parameters, report)
        except HTTPException as exc:
            raise ValueError(str(exc.detail)) from None


def _store_review(session: Session, job_id: int, outcome: ReviewOutcome) -> dict[str, Any]:
    for name, (media, data) in outcome.files.items():
        session.add(ReviewFile(job_id=job_id, name=name, media_type=media, data=data))
    return {**outcome.result, "files": sorted(outcome.files)}


def run_review_job(
    job_id: int,
    database_url: str,
    parameters: dict[str, Any],
    *,
    owner: str | None = None,
    lease_s: float = DEFAULT_LEASE_S,
) -> str:
    """Run review job ``job_id`` to the end and return its final state (see
    :func:`api.service.jobrun.run_job`)."""
    return run_job(
        job_id,
        database_url,
        parameters,
        model=ReviewJob,
        compute=compute_review,
        store=_store_review,
        done_message="Report done",
        owner=owner,
        lease_s=lease_s,
    )
