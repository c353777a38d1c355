"""Background jobs (plans, staffing): one process per running job, state kept in the database.

A job is a plain top-level function of plain data (job id, database URL, parameters), so any
executor can run it: the :class:`JobRunner` here (spawned processes), or later Dask. The plan
job is :func:`api.service.planjob.run_plan_job`, the staffing job
:func:`api.service.staffing.run_staffing_job`; both claim their job, compute, and write the
result and state in **one transaction** through :func:`run_job`; a failure leaves no partial
result.

Cancelling sets a flag the job checks between stages; the runner also terminates the job's
process if it runs here. At start-up, jobs left queued or running by a crash are marked
failed (:func:`recover_interrupted`) and can be re-run.

The runner keeps jobs of each kind apart (:data:`JOB_KINDS`); the claim, progress and
finish steps both kinds share are in :mod:`api.service.jobrun`.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import traceback
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from api.service.db import transaction
from api.service.jobrun import (
    JobModel,
    _finish,
    _rowcount,
)

# Re-exported: callers still import them from here (``from api.service.jobs import ...``).
from api.service.jobrun import JobReporter as JobReporter
from api.service.jobrun import run_job as run_job
from api.service.models import ACTIVE_STATES, JobState, PlanJob, StaffingJob, utcnow
from api.service.staffing import run_staffing_job

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted by a service restart"


def recover_interrupted(sessions: sessionmaker[Session]) -> int:
    """Mark jobs (plans and staffing runs) left queued or running by a crash as failed; return
    how many."""
    total = 0
    with transaction(sessions) as session:
        for model in (PlanJob, StaffingJob):
            count = session.execute(
                update(model)
                .where(model.state.in_(ACTIVE_STATES))
                .values(
                    state=JobState.FAILED.value,
                    error=INTERRUPTED,
                    message="Failed",
                    finished_at=utcnow(),
                )
            )
            total += _rowcount(count)
    return total


def _job_target(kind: str) -> tuple[Callable[[int, str, dict[str, Any]], str], JobModel]:
    """The job function and table of a kind of job."""
    if kind == "plan":
        from api.service.planjob import run_plan_job

        return run_plan_job, PlanJob
    if kind == "staffing":
        return run_staffing_job, StaffingJob
    raise ValueError(f"kind: expected one of {list(JOB_KINDS)}, got {kind!r}")


#: The kinds of background job the runner knows.
JOB_KINDS = ("plan", "staffing")


class JobRunner:
    """Runs queued jobs (plans, staffing runs) in spawned processes, at most ``workers`` at a
    time; jobs are named by kind and id (``("plan", 7)``).

    Parameters
    ----------
    database_url
        Passed to every job (each opens its own connection).
    sessions
        The service's sessions, to record workers that die.
    workers
        Jobs running at the same time.
    """

    def __init__(self, database_url: str, sessions: sessionmaker[Session], workers: int) -> None:
        self.database_url = database_url
        self.sessions = sessions
        self.workers = max(1, workers)
        self._ctx = multiprocessing.get_context("spawn")
        self._pending: queue.Queue[tuple[str, int, dict[str, Any]]] = queue.Queue()
        self._running: dict[tuple[str, int], BaseProcess] = {}
        self._cancelled: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start dispatching (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="gridpatrol-jobs", daemon=True)
            self._thread.start()

    def submit(self, job_id: int, parameters: dict[str, Any], kind: str = "plan") -> None:
        """Queue a job (its row must already be committed as queued)."""
        _job_target(kind)
        self._pending.put((kind, job_id, parameters))

    def process_of(self, job_id: int, kind: str = "plan") -> BaseProcess | None:
        """The process running job ``job_id`` of ``kind`` here, if any."""
        with self._lock:
            return self._running.get((kind, job_id))

    def cancel(self, job_id: int, kind: str = "plan") -> bool:
        """Terminate the process of ``job_id`` if it runs here; ``True`` if one was stopped."""
        key = (kind, job_id)
        with self._lock:
            self._cancelled.add(key)
            proc = self._running.get(key)
        if proc is None:
            return False
        proc.terminate()
        proc.join(timeout=10)
        return True

    def stop(self, *, terminate: bool = True) -> None:
        """Stop dispatching; terminate running jobs (they are recovered at the next start)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            procs = list(self._running.values())
        for proc in procs:
            if terminate and proc.is_alive():
                proc.terminate()
            proc.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._reap()
                self._dispatch()
            except Exception:  # keep dispatching whatever one job did
                log.error("job runner error:\n%s", traceback.format_exc())
            self._stop.wait(0.1)

    def _reap(self) -> None:
        with self._lock:
            finished = [(k, p) for k, p in self._running.items() if not p.is_alive()]
            for key, _ in finished:
                del self._running[key]
        for key, proc in finished:
            proc.join(timeout=1)
            code = proc.exitcode
            with self._lock:
                cancelled = key in self._cancelled
                self._cancelled.discard(key)
            kind, job_id = key
            model = _job_target(kind)[1]
            if cancelled:
                _finish(self.sessions, job_id, JobState.CANCELLED, "Cancelled", None, model)
            elif code != 0:
                _finish(
                    self.sessions,
                    job_id,
                    JobState.FAILED,
                    "Failed",
                    f"the worker process stopped unexpectedly (exit code {code})",
                    model,
                )

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                if len(self._running) >= self.workers:
                    return
            try:
                kind, job_id, parameters = self._pending.get_nowait()
            except queue.Empty:
                return
            key = (kind, job_id)
            with self._lock:
                if key in self._cancelled:
                    self._cancelled.discard(key)
                    continue
            target = _job_target(kind)[0]
            proc = self._ctx.Process(
                target=target,
                args=(job_id, self.database_url, parameters),
                name=f"gridpatrol-{kind}-{job_id}",
                daemon=True,
            )
            proc.start()
            with self._lock:
                self._running[key] = proc
