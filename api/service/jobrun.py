"""The steps every background job shares: claim, progress, cancel, compute, store, finish.

:func:`run_job` runs one job of any kind (plans, staffing runs) as a plain function of plain
data: it claims the job if still queued, computes its outcome while :class:`JobReporter`
writes progress and watches the cancel flag, and stores the outcome with the state
``succeeded`` in one transaction. The job modules (:mod:`api.service.planjob`,
:mod:`api.service.staffing`) and the runner (:mod:`api.service.jobs`) import it from here.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.service.db import make_engine, make_session_factory, transaction
from api.service.models import ACTIVE_STATES, JobState, PlanJob, StaffingJob, utcnow

log = logging.getLogger(__name__)

#: A job table: plans or staffing runs (same state, progress and cancel columns).
JobModel = type[PlanJob] | type[StaffingJob]


def _rowcount(result: object) -> int:
    """Rows an UPDATE touched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)


class JobCancelledError(Exception):
    """Raised inside a job when its cancel flag is seen."""


class JobReporter:
    """Writes progress to the job row (throttled); raises :class:`JobCancelledError` on cancel."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        job_id: int,
        every_s: float = 0.3,
        model: JobModel = PlanJob,
    ) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.every_s = every_s
        self.model = model
        self._last = 0.0
        self._message = ""

    def __call__(self, message: str, fraction: float, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and message == self._message and now - self._last < self.every_s:
            return
        self._last, self._message = now, message
        with transaction(self.sessions) as session:
            job = cast(
                "PlanJob | StaffingJob | None",
                session.get(self.model, self.job_id, with_for_update=False),
            )
            if job is None or job.cancel_requested or job.state != JobState.RUNNING.value:
                raise JobCancelledError()
            job.progress = round(max(job.progress, min(max(fraction, 0.0), 1.0)), 4)
            job.message = message[:500]

    def stage(self, start: float, end: float) -> Any:
        """A pipeline progress callback mapped onto ``[start, end]`` of the whole job."""

        def tell(message: str, fraction: float) -> None:
            self(message, start + (end - start) * fraction)

        return tell


def _finish(
    sessions: sessionmaker[Session],
    job_id: int,
    state: JobState,
    message: str,
    error: str | None,
    model: JobModel = PlanJob,
) -> None:
    with transaction(sessions) as session:
        session.execute(
            update(model)
            .where(model.id == job_id, model.state.in_(ACTIVE_STATES))
            .values(state=state.value, message=message, error=error, finished_at=utcnow())
        )


def _claim(sessions: sessionmaker[Session], model: JobModel, job_id: int) -> int | None:
    """Mark job ``job_id`` running if it is still queued and not cancelled; its area id if so."""
    with transaction(sessions) as session:
        claimed = session.execute(
            update(model)
            .where(
                model.id == job_id,
                model.state == JobState.QUEUED.value,
                model.cancel_requested.is_(False),
            )
            .values(
                state=JobState.RUNNING.value,
                started_at=utcnow(),
                progress=0.0,
                message="Starting",
            )
        )
        area_id = session.scalar(select(model.area_id).where(model.id == job_id))
    return area_id if _rowcount(claimed) and area_id is not None else None


def _state_of(sessions: sessionmaker[Session], model: JobModel, job_id: int) -> str:
    with sessions() as session:
        return str(session.scalar(select(model.state).where(model.id == job_id)))


def run_job(
    job_id: int,
    database_url: str,
    parameters: dict[str, Any],
    *,
    model: JobModel,
    compute: Callable[[sessionmaker[Session], int, dict[str, Any], JobReporter], Any],
    store: Callable[[Session, int, Any], dict[str, Any]],
    done_message: str = "Done",
) -> str:
    """Claim job ``job_id`` of ``model``, ``compute`` its outcome and ``store`` it; the state.

    ``compute(sessions, area_id, parameters, report)`` does the work without writing;
    ``store(session, job_id, outcome)`` adds the job's files to the session and returns the
    JSON result, written in the same transaction as the state ``succeeded`` (and only if the
    job is still running: a cancel wins). Input errors (``ValueError``) fail the job with
    their message; anything else fails it as an internal error, with the traceback logged.
    """
    engine = make_engine(database_url, pooled=False)
    sessions = make_session_factory(engine)
    try:
        area_id = _claim(sessions, model, job_id)
        if area_id is None:
            return _state_of(sessions, model, job_id)
        report = JobReporter(sessions, job_id, model=model)
        try:
            outcome = compute(sessions, area_id, parameters, report)
        except JobCancelledError:
            _finish(sessions, job_id, JobState.CANCELLED, "Cancelled", None, model)
            return JobState.CANCELLED.value
        except ValueError as exc:  # GeoInputError, PlanningError, NetworkError: the input's fault
            _finish(sessions, job_id, JobState.FAILED, "Failed", str(exc), model)
            return JobState.FAILED.value
        except Exception as exc:
            log.error("%s job %s failed:\n%s", model.__tablename__, job_id, traceback.format_exc())
            _finish(
                sessions,
                job_id,
                JobState.FAILED,
                "Failed",
                f"internal error: {type(exc).__name__}: {exc}",
                model,
            )
            return JobState.FAILED.value
        with transaction(sessions) as session:
            still_running = session.scalar(
                select(model.id).where(model.id == job_id, model.state == JobState.RUNNING.value)
            )
            if still_running is not None:
                result = store(session, job_id, outcome)
                session.execute(
                    update(model)
                    .where(model.id == job_id, model.state == JobState.RUNNING.value)
                    .values(
                        state=JobState.SUCCEEDED.value,
                        progress=1.0,
                        message=done_message,
                        result=result,
                        finished_at=utcnow(),
                    )
                )
        return _state_of(sessions, model, job_id)
    finally:
        engine.dispose()
