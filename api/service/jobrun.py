"""The steps every background job shares: claim, lease, progress, cancel, compute, store, finish.

:func:`run_job` runs one job of any kind (plans, staffing runs) as a plain function of plain
data: it takes the job (claimed by a runner for ``owner``, or claims it itself when run
inline), renews the job's **lease** from a heartbeat thread while it computes, watches the
cancel flag, and stores the outcome with the state ``succeeded`` in one transaction.

A job is owned by whoever claimed it (``owner``: ``host:pid:random`` of a server) until its
lease (``lease_expires_at``) runs out; the owner renews it every :func:`heartbeat_every` while
the job runs, so only a job whose owner stopped renewing (a crash, ``kill -9``) is marked
interrupted (:func:`fail_expired`), never a job that another live server is running.
The job modules (:mod:`api.service.planjob`, :mod:`api.service.staffing`) and the runner
(:mod:`api.service.jobs`) import it from here.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.service.db import make_engine, make_session_factory, transaction
from api.service.models import ACTIVE_STATES, JobState, PlanJob, ReviewJob, StaffingJob, utcnow

log = logging.getLogger(__name__)

#: A job table: plans, staffing runs or review reports (same state, progress, cancel and lease
#: columns).
JobModel = type[PlanJob] | type[StaffingJob] | type[ReviewJob]

#: How long a claim holds without a heartbeat (seconds) unless the service says otherwise.
DEFAULT_LEASE_S = 15.0

#: The error of a job whose owner stopped renewing its lease.
INTERRUPTED = "interrupted by a service restart"


def heartbeat_every(lease_s: float) -> float:
    """Seconds between lease renewals: five renewals fit in a lease, so a slow database or a
    busy worker misses several before the lease runs out."""
    return max(0.05, lease_s / 5)


def new_owner(role: str = "server") -> str:
    """A fresh owner name, ``role@host:pid:random`` (random: a pid can be reused)."""
    return f"{role}@{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def _rowcount(result: object) -> int:
    """Rows an UPDATE touched."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)


class JobCancelledError(Exception):
    """Raised inside a job when its cancel flag is seen."""


class JobReporter:
    """Writes progress to the job row (throttled); raises :class:`JobCancelledError` on cancel.

    ``cancelled`` is set by the job's heartbeat when it sees the cancel flag, so a cancel is
    noticed at the next progress report even when the report itself is throttled away.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        job_id: int,
        every_s: float = 0.3,
        model: JobModel = PlanJob,
        cancelled: threading.Event | None = None,
    ) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.every_s = every_s
        self.model = model
        self.cancelled = cancelled if cancelled is not None else threading.Event()
        self._last = 0.0
        self._message = ""

    def __call__(self, message: str, fraction: float, *, force: bool = False) -> None:
        if self.cancelled.is_set():
            raise JobCancelledError()
        now = time.monotonic()
        if not force and message == self._message and now - self._last < self.every_s:
            return
        self._last, self._message = now, message
        with transaction(self.sessions) as session:
            job = cast(
                "PlanJob | StaffingJob | ReviewJob | None",
                session.get(self.model, self.job_id, with_for_update=False),
            )
            if job is None or job.cancel_requested or job.state != JobState.RUNNING.value:
                self.cancelled.set()
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
            .values(
                state=state.value,
                message=message,
                error=error,
                finished_at=utcnow(),
                lease_expires_at=None,
            )
        )


def claim(
    sessions: sessionmaker[Session],
    model: JobModel,
    job_id: int,
    owner: str,
    lease_s: float = DEFAULT_LEASE_S,
) -> int | None:
    """Mark job ``job_id`` running for ``owner`` with a fresh lease if it is still queued and
    not cancelled; its area id if so (``None``: someone else has it, or it was cancelled)."""
    now = utcnow()
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
                started_at=now,
                progress=0.0,
                message="Starting",
                owner=owner,
                heartbeat_at=now,
                lease_expires_at=now + timedelta(seconds=lease_s),
            )
        )
        area_id = session.scalar(select(model.area_id).where(model.id == job_id))
    return area_id if _rowcount(claimed) and area_id is not None else None


def _owned(sessions: sessionmaker[Session], model: JobModel, job_id: int, owner: str) -> int | None:
    """The area id of job ``job_id`` if it is running for ``owner`` (claimed by a runner)."""
    with sessions() as session:
        row = session.execute(
            select(model.area_id).where(
                model.id == job_id,
                model.state == JobState.RUNNING.value,
                model.owner == owner,
                model.cancel_requested.is_(False),
            )
        ).first()
    return None if row is None else int(row[0])


def renew(
    sessions: sessionmaker[Session],
    model: JobModel,
    job_ids: Collection[int],
    owner: str,
    lease_s: float = DEFAULT_LEASE_S,
) -> set[int]:
    """Extend the leases of ``owner``'s running jobs among ``job_ids``; the ids that should stop:
    cancel flag set (by any server), finished or marked failed meanwhile, or deleted."""
    if not job_ids:
        return set()
    now = utcnow()
    ids = list(job_ids)
    with transaction(sessions) as session:
        session.execute(
            update(model)
            .where(
                model.id.in_(ids),
                model.owner == owner,
                model.state == JobState.RUNNING.value,
            )
            .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=lease_s))
        )
        # Still wanted: active and not cancelled. A deleted job (its area was deleted on any
        # server) counts as cancelled too.
        wanted = session.scalars(
            select(model.id).where(
                model.id.in_(ids),
                model.cancel_requested.is_(False),
                model.state.in_(ACTIVE_STATES),
            )
        ).all()
    return set(ids) - set(wanted)


def fail_expired(sessions: sessionmaker[Session], models: Collection[JobModel]) -> int:
    """Mark running jobs whose lease has expired (or that never had one: made by a version
    without leases) failed as interrupted; how many. Queued jobs stay queued: any runner on
    the database may still claim them."""
    now = utcnow()
    total = 0
    with transaction(sessions) as session:
        for model in models:
            result = session.execute(
                update(model)
                .where(
                    model.state == JobState.RUNNING.value,
                    or_(model.lease_expires_at.is_(None), model.lease_expires_at < now),
                )
                .values(
                    state=JobState.FAILED.value,
                    error=INTERRUPTED,
                    message="Failed",
                    finished_at=now,
                    lease_expires_at=None,
                )
            )
            total += _rowcount(result)
    return total


class Heartbeat:
    """A daemon thread renewing one job's lease and watching its cancel flag.

    Parameters
    ----------
    sessions, model, job_id, owner, lease_s
        The job and its lease.
    cancelled
        Set when the cancel flag is seen (or the job is no longer running).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        model: JobModel,
        job_id: int,
        owner: str,
        lease_s: float,
        cancelled: threading.Event,
    ) -> None:
        self._args = (sessions, model, job_id, owner, lease_s)
        self.cancelled = cancelled
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        sessions, model, job_id, owner, lease_s = self._args
        # The cancel flag is read more often than the lease needs renewing: a cancel through
        # any server must reach the job within a second or two.
        every = min(0.5, heartbeat_every(lease_s))
        while not self._stop.wait(every):
            try:
                if job_id in renew(sessions, model, [job_id], owner, lease_s):
                    self.cancelled.set()
            except Exception:  # a database hiccup: try again at the next beat
                log.warning("lease renewal of job %s failed:\n%s", job_id, traceback.format_exc())


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
    owner: str | None = None,
    lease_s: float = DEFAULT_LEASE_S,
) -> str:
    """Take job ``job_id`` of ``model``, ``compute`` its outcome and ``store`` it; the state.

    With ``owner`` the job must already be running for that owner (a runner claimed it);
    without, it is claimed here if still queued (run inline or by hand). While it computes, a
    :class:`Heartbeat` renews its lease and watches its cancel flag.
    ``compute(sessions, area_id, parameters, report)`` does the work without writing;
    ``store(session, job_id, outcome)`` adds the job's files to the session and returns the
    JSON result, written in the same transaction as the state ``succeeded`` (and only if the
    job is still running: a cancel wins). Input errors (``ValueError``) fail the job with
    their message; anything else fails it as an internal error, with the traceback logged.
    """
    engine = make_engine(database_url, pooled=False)
    sessions = make_session_factory(engine)
    try:
        if owner is None:
            owner = new_owner("inline")
            area_id = claim(sessions, model, job_id, owner, lease_s)
        else:
            area_id = _owned(sessions, model, job_id, owner)
        if area_id is None:
            return _state_of(sessions, model, job_id)
        cancelled = threading.Event()
        report = JobReporter(sessions, job_id, model=model, cancelled=cancelled)
        try:
            with Heartbeat(sessions, model, job_id, owner, lease_s, cancelled):
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
                select(model.id).where(
                    model.id == job_id,
                    model.state == JobState.RUNNING.value,
                    model.owner == owner,
                    model.cancel_requested.is_(False),
                )
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
                        lease_expires_at=None,
                    )
                )
        if still_running is None:
            # Cancelled while storing: the cancel wins and nothing was written.
            _finish(sessions, job_id, JobState.CANCELLED, "Cancelled", None, model)
        return _state_of(sessions, model, job_id)
    finally:
        engine.dispose()
