"""Background jobs (plans, staffing): one process per running job, state kept in the database.

:func:`run_plan_job` is the whole job as a plain top-level function of plain data (job id,
database URL, parameters), so any executor can run it: the :class:`JobRunner` here (spawned
processes), or later Dask. It claims the job, loads the area and dataset from the database,
runs :mod:`api.pipeline`, and writes the result and state in **one transaction**; a failure
leaves no partial result.

Cancelling sets a flag the job checks between stages; the runner also terminates the job's
process if it runs here. At start-up, jobs left queued or running by a crash are marked
failed (:func:`recover_interrupted`) and can be re-run.

Staffing proposals (:mod:`api.service.staffing`) are jobs of the same kind: the runner keeps
jobs of each kind apart (:data:`JOB_KINDS`), and the claim, progress and finish steps here are
shared by both.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from multiprocessing.process import BaseProcess
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.service.db import make_engine, make_session_factory, transaction
from api.service.models import (
    ACTIVE_STATES,
    Area,
    IncidentDataset,
    JobState,
    PlanBundleBlob,
    PlanJob,
    StaffingJob,
    utcnow,
)

log = logging.getLogger(__name__)

#: Version of the pickled plan bundle; a blob of another version asks for a re-run.
BUNDLE_FORMAT_VERSION = 1
INTERRUPTED = "interrupted by a service restart"

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


@dataclass(frozen=True)
class PlanOutcome:
    """What a finished plan writes: the JSON result and the pickled bundle."""

    result: dict[str, Any]
    bundle: bytes


def compute_plan(
    sessions: sessionmaker[Session], area_id: int, parameters: dict[str, Any], report: JobReporter
) -> PlanOutcome:
    """Load the job's area and dataset and plan the shift (no database writes)."""
    from api.inputs import units_from_counts
    from api.outputs import plan_features, plan_to_dict
    from api.pipeline import AnalysisOptions, PlanOptions, analyse, plan_shift
    from api.service.districts import district_of, feature_collection, load_incidents
    from geo.hotspots import resolve_band
    from geo.schema import STATION_ID
    from maps.bundle import PlanBundle
    from planner.sources import HotspotTaskOptions

    report("Loading the dataset", 0.02, force=True)
    with sessions() as session:
        area = session.get(Area, area_id)
        dataset_id = int(parameters["dataset_id"])
        dataset = session.get(IncidentDataset, dataset_id)
        if area is None or dataset is None:
            raise ValueError(f"dataset {dataset_id} or its area no longer exists")
        incidents = load_incidents(session, dataset_id, area.timezone)
        district = district_of(area, incidents)
    shift = resolve_band(str(parameters["band"]))
    if shift is None:
        raise ValueError("band: a shift needs hours, e.g. 16-24")
    analysis = analyse(
        district,
        AnalysisOptions(cell_size_m=float(parameters["cell_size_m"])),
        progress=report.stage(0.05, 0.45),
    )
    stations = sorted(district.stations[STATION_ID].astype(str))
    units = units_from_counts(str(parameters["unit_counts"]), stations, shift)
    plan_date = parameters.get("plan_date")
    options = PlanOptions(
        shift=shift,
        plan_date=date.fromisoformat(plan_date) if plan_date else None,
        hotspots=HotspotTaskOptions(
            top=int(parameters["top"]), dwell_min=float(parameters["dwell_min"])
        ),
        time_limit_s=float(parameters["time_limit_s"]),
        seed=int(parameters["seed"]),
        on_infeasible=str(parameters["on_infeasible"]),
    )
    planned = plan_shift(analysis, units, options, progress=report.stage(0.5, 0.9))
    report("Writing the result", 0.92, force=True)
    plan, problem = planned.plan, planned.problem
    routes = feature_collection(plan_features(plan, problem, district.crs))
    result = {
        "plan_date": problem.plan_date.isoformat(),
        "risk_band": planned.risk_band,
        "seconds": round(planned.seconds, 3),
        "tasks": len(problem.tasks),
        "units": len(problem.units),
        "notes": list(planned.notes),
        "plan": plan_to_dict(plan, problem, district.crs),
        "routes": routes,
    }
    bundle = PlanBundle(
        crs=district.crs,
        district=district.name,
        plan_date=problem.plan_date,
        timezone=district.timezone,
        cells=analysis.grid.cells,
        risk=analysis.risk.frame,
        hotspots=planned.hotspots,
        incidents=district.incidents,
        stations=district.stations,
        plan=plan,
        tasks=problem.tasks,
        units=problem.units,
        band=shift.name,
        notes=tuple(planned.notes),
    )
    return PlanOutcome(result, pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL))


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


def _store_plan(session: Session, job_id: int, outcome: PlanOutcome) -> dict[str, Any]:
    session.add(
        PlanBundleBlob(plan_id=job_id, format_version=BUNDLE_FORMAT_VERSION, data=outcome.bundle)
    )
    return outcome.result


def run_plan_job(job_id: int, database_url: str, parameters: dict[str, Any]) -> str:
    """Run plan job ``job_id`` to the end and return its final state.

    Only plain data in, so it runs in a spawned process, on Dask or inline. The job is claimed
    only if still queued and not cancelled; the result, the bundle and the state ``succeeded``
    are written in one transaction, and only if the job is still running (a cancel wins).
    """
    return run_job(
        job_id,
        database_url,
        parameters,
        model=PlanJob,
        compute=compute_plan,
        store=_store_plan,
        done_message="Plan done",
    )


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
        return run_plan_job, PlanJob
    if kind == "staffing":
        from api.service.staffing import run_staffing_job

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
