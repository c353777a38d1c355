"""Background jobs (plans, staffing): claimed from the database, run in worker processes or on
Dask, owned through leases.

A job is a plain top-level function of plain data (job id, database URL, parameters, owner),
so any executor can run it: a local worker process (:class:`LocalExecutor`, the default) or a
Dask scheduler (:class:`DaskExecutor`, ``GRIDPATROL_DASK_SCHEDULER``). The plan job is
:func:`api.service.planjob.run_plan_job`, the staffing job
:func:`api.service.staffing.run_staffing_job`; both compute, and write the result and state
in **one transaction** through :func:`api.service.jobrun.run_job`; a failure leaves no
partial result.

**The database is the queue.** ``POST /plans`` stores a queued row; every server's
:class:`JobRunner` polls for queued jobs and claims one with a conditional UPDATE (only one
server wins), so any server on the database may run any job, and a job queued on a server that
stops is run by another. The claim names the server (``owner``) and gives a lease; the runner
renews the leases of the jobs it runs (and the job itself does, from its own thread), and
marks interrupted only jobs whose lease has expired (:func:`recover_interrupted`), so a second
server on the same database leaves the first one's jobs running.

**Workers die with their server.** A local worker asks the kernel for ``SIGKILL`` when its
parent dies (``prctl(PR_SET_PDEATHSIG)``, Linux) and also watches its parent's pid (elsewhere,
and for the moment before the ``prctl``), so ``kill -9`` of a server stops its plans; their
leases then expire and another server marks them interrupted.

**Cancel through any server.** Cancelling sets a flag in the job's row. The runner that owns the
job reads the flags of its jobs several times a second and stops the worker (a Dask task's own
heartbeat sees the flag and stops at the job's next progress report); the state is cancelled
within a second, whichever server received the cancel.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.service.jobrun import (
    DEFAULT_LEASE_S,
    INTERRUPTED,
    JobModel,
    _finish,
    claim,
    fail_expired,
    heartbeat_every,
    new_owner,
    renew,
)

# Re-exported: callers still import them from here (``from api.service.jobs import ...``).
from api.service.jobrun import JobReporter as JobReporter
from api.service.jobrun import run_job as run_job
from api.service.models import JobState, PlanJob, ReviewJob, StaffingJob
from api.service.staffing import run_staffing_job

if TYPE_CHECKING:
    from api.service.settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "INTERRUPTED",
    "JOB_KINDS",
    "DaskExecutor",
    "JobRunner",
    "LocalExecutor",
    "recover_interrupted",
]

#: The kinds of background job the runner knows.
JOB_KINDS = ("plan", "staffing", "review")

#: The Linux ``prctl`` option that sends a signal to a process when its parent dies.
PR_SET_PDEATHSIG = 1


def recover_interrupted(sessions: sessionmaker[Session]) -> int:
    """Mark running jobs (plans, staffing runs, review reports) whose owner's lease has expired
    as failed ("interrupted by a service restart"); return how many. Jobs of live servers and queued
    jobs are left alone."""
    return fail_expired(sessions, (PlanJob, StaffingJob, ReviewJob))


def _job_target(kind: str) -> tuple[Callable[..., str], JobModel]:
    """The job function and table of a kind of job."""
    if kind == "plan":
        from api.service.planjob import run_plan_job

        return run_plan_job, PlanJob
    if kind == "staffing":
        return run_staffing_job, StaffingJob
    if kind == "review":
        from api.service.reviewjob import run_review_job

        return run_review_job, ReviewJob
    raise ValueError(f"kind: expected one of {list(JOB_KINDS)}, got {kind!r}")


# --- executors -------------------------------------------------------------------------------


class Execution(Protocol):
    """One job handed to an executor."""

    def alive(self) -> bool:
        """Whether the job may still be computing."""

    def stop(self) -> None:
        """Stop the job now if the executor can (a local process), else as soon as it can."""

    def exit_code(self) -> int:
        """0 when the job function returned (whatever the job's state), non-zero otherwise."""


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when process ``parent_pid`` does.

    On Linux the kernel sends ``SIGKILL`` when the parent dies (``PR_SET_PDEATHSIG``); a
    watchdog thread also checks the parent's pid every half second (other systems, and the
    moment before the ``prctl``), exiting at once when the process was re-parented.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            log.warning("prctl(PR_SET_PDEATHSIG) is not available; the watchdog alone is used")

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(70)  # the server is gone: its lease will expire, the job is recovered
            time.sleep(0.5)

    if os.getppid() != parent_pid:
        os._exit(70)
    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def lower_priority(nice: int, pid: int = 0) -> None:
    """Add ``nice`` to the niceness of process ``pid`` (0: this one; POSIX, nothing elsewhere
    or when 0).

    A plan's time limit is wall-clock, so on a machine whose cores the web process needs, a
    niced job gets less CPU in the same time (a plan as good as the CPU it had), while the
    requests are not kept waiting behind the solver.
    """
    if nice > 0 and hasattr(os, "setpriority"):
        try:
            current = os.getpriority(os.PRIO_PROCESS, pid)
            os.setpriority(os.PRIO_PROCESS, pid, min(19, current + nice))
        except OSError:
            log.warning("could not lower the job's CPU priority (nice %d)", nice)


def _worker_main(
    kind: str,
    job_id: int,
    database_url: str,
    parameters: dict[str, Any],
    owner: str,
    lease_s: float,
    parent_pid: int,
) -> None:
    """The entry point of a local worker process: tie it to the server, then run the job (its
    CPU priority was lowered by :meth:`LocalExecutor.start`)."""
    die_with_parent(parent_pid)
    target = _job_target(kind)[0]
    target(job_id, database_url, parameters, owner=owner, lease_s=lease_s)


@dataclass
class LocalExecution:
    """A job in a local worker process."""

    process: BaseProcess

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)

    def exit_code(self) -> int:
        self.process.join(timeout=1)
        return int(self.process.exitcode or 0)


class LocalExecutor:
    """Runs each job in its own spawned process on this machine (tied to the server)."""

    name = "local processes"

    def __init__(self, nice: int = 0) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self.nice = nice

    def start(
        self,
        kind: str,
        job_id: int,
        database_url: str,
        parameters: dict[str, Any],
        owner: str,
        lease_s: float,
    ) -> Execution:
        process = self._ctx.Process(
            target=_worker_main,
            args=(kind, job_id, database_url, parameters, owner, lease_s, os.getpid()),
            name=f"gridpatrol-{kind}-{job_id}",
            daemon=True,
        )
        process.start()
        # Lowered from here, at once, not by the worker itself: a spawned worker first spends
        # about a second of CPU importing the service's modules (before it could lower its
        # own priority), and at full priority that second was taken from the web processes
        # at every plan's start.
        if process.pid is not None:
            lower_priority(self.nice, process.pid)
        return LocalExecution(process)

    def close(self) -> None:
        """Nothing to release."""


def _dask_task(
    kind: str,
    job_id: int,
    database_url: str,
    parameters: dict[str, Any],
    owner: str,
    lease_s: float,
) -> str:
    """The task a Dask worker runs: the job function itself (it reads its inputs from the
    database and the shared network cache; nothing is pickled but these plain values)."""
    target = _job_target(kind)[0]
    return str(target(job_id, database_url, parameters, owner=owner, lease_s=lease_s))


@dataclass
class DaskExecution:
    """A job running as a task on a Dask cluster."""

    future: Any

    def alive(self) -> bool:
        return not bool(self.future.done())

    def stop(self) -> None:
        # A running Dask task cannot be interrupted; the job's heartbeat sees the cancel flag
        # and stops at its next progress report, and its result is never stored.
        self.future.cancel()

    def exit_code(self) -> int:
        status = str(self.future.status)
        if status == "error":
            log.error("Dask task %s failed: %r", self.future.key, self.future.exception())
            return 1
        return 0 if status in ("finished", "cancelled") else 1


class DaskExecutor:
    """Hands jobs to a Dask scheduler (``tcp://host:8786``) instead of local processes.

    The workers must reach the database URL and have gridpatrol installed; the street
    networks are read through the shared network cache of each worker's machine. The runner
    keeps the job's lease while the task runs, and the task renews it too, so a server that
    stops leaves its Dask jobs running to the end (their results are stored).

    Parameters
    ----------
    address
        The scheduler's address; a ``distributed.Client`` is opened on first use.
    """

    name = "dask"

    def __init__(self, address: str) -> None:
        self.address = address
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                from distributed import Client

                self._client = Client(self.address, timeout="10s", set_as_default=False)
            return self._client

    def start(
        self,
        kind: str,
        job_id: int,
        database_url: str,
        parameters: dict[str, Any],
        owner: str,
        lease_s: float,
    ) -> Execution:
        future = self.client.submit(
            _dask_task,
            kind,
            job_id,
            database_url,
            parameters,
            owner,
            lease_s,
            key=f"gridpatrol-{kind}-{job_id}-{owner.rsplit(':', 1)[-1]}",
            pure=False,
            retries=0,
        )
        return DaskExecution(future)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


class Executor(Protocol):
    """Where jobs run (:class:`LocalExecutor`, :class:`DaskExecutor`)."""

    name: str

    def start(
        self,
        kind: str,
        job_id: int,
        database_url: str,
        parameters: dict[str, Any],
        owner: str,
        lease_s: float,
    ) -> Execution: ...

    def close(self) -> None: ...


# --- the runner ------------------------------------------------------------------------------


class JobRunner:
    """Claims queued jobs (plans, staffing runs) from the database and runs at most ``workers``
    at a time; jobs are named by kind and id (``("plan", 7)``).

    Parameters
    ----------
    database_url
        Passed to every job (each opens its own connection).
    sessions
        The service's sessions (claims, leases, cancel flags, failures).
    workers
        Jobs running at the same time.
    lease_s
        How long a claim holds without a renewal; renewed every ``lease_s / 5``.
    executor
        Where jobs run; local spawned processes by default.
    owner
        This runner's name in the ``owner`` column (default: host, pid and a random part).
    """

    def __init__(
        self,
        database_url: str,
        sessions: sessionmaker[Session],
        workers: int,
        *,
        lease_s: float = DEFAULT_LEASE_S,
        executor: Executor | None = None,
        owner: str | None = None,
    ) -> None:
        self.database_url = database_url
        self.sessions = sessions
        self.workers = max(1, workers)
        self.lease_s = lease_s
        self.executor: Executor = executor if executor is not None else LocalExecutor()
        self.owner = owner or new_owner()
        self._running: dict[tuple[str, int], Execution] = {}
        self._cancelled: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(
        cls, database_url: str, sessions: sessionmaker[Session], settings: Settings
    ) -> JobRunner | None:
        """The runner the settings ask for (``None`` with ``job_workers=0``): local worker
        processes, or the Dask scheduler of ``GRIDPATROL_DASK_SCHEDULER``."""
        if settings.job_workers <= 0:
            return None
        address = getattr(settings, "dask_scheduler", None)
        nice = int(getattr(settings, "job_nice", 0))
        executor: Executor = DaskExecutor(address) if address else LocalExecutor(nice)
        lease_s = float(getattr(settings, "job_lease_s", DEFAULT_LEASE_S))
        return cls(database_url, sessions, settings.job_workers, lease_s=lease_s, executor=executor)

    def start(self) -> None:
        """Start claiming and running jobs (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="gridpatrol-jobs", daemon=True)
            self._thread.start()

    def submit(
        self, job_id: int, parameters: dict[str, Any] | None = None, kind: str = "plan"
    ) -> None:
        """Tell the runner a job was queued (its row must be committed): it looks at once
        instead of at its next poll. Any runner on the database may claim it."""
        _job_target(kind)
        self._wake.set()

    def process_of(self, job_id: int, kind: str = "plan") -> BaseProcess | None:
        """The local process running job ``job_id`` of ``kind`` here, if any."""
        with self._lock:
            execution = self._running.get((kind, job_id))
        return execution.process if isinstance(execution, LocalExecution) else None

    def runs(self, job_id: int, kind: str = "plan") -> bool:
        """Whether job ``job_id`` of ``kind`` is running here."""
        with self._lock:
            return (kind, job_id) in self._running

    def cancel(self, job_id: int, kind: str = "plan") -> bool:
        """Stop job ``job_id`` if it runs here and mark it cancelled; ``True`` if it ran here.

        A job running on another server is stopped by that server's runner, which reads the
        cancel flag (set by the caller) within a fraction of a second.
        """
        key = (kind, job_id)
        with self._lock:
            execution = self._running.get(key)
            if execution is not None:
                self._cancelled.add(key)
        if execution is None:
            return False
        execution.stop()
        _finish(self.sessions, job_id, JobState.CANCELLED, "Cancelled", None, _job_target(kind)[1])
        return True

    def stop(self, *, terminate: bool = True) -> None:
        """Stop claiming; stop running local jobs (their leases lapse and another server, or
        the next start, marks them interrupted). Dask tasks run on to their end."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            executions = list(self._running.items())
        for (kind, job_id), execution in executions:
            # The kernel ties local workers to the runner's thread (PR_SET_PDEATHSIG is per
            # thread), so they end with it; stopping them here covers other systems.
            if terminate and isinstance(execution, LocalExecution):
                if execution.alive():
                    execution.stop()
                _finish(
                    self.sessions,
                    job_id,
                    JobState.FAILED,
                    "Failed",
                    INTERRUPTED,
                    _job_target(kind)[1],
                )
        self.executor.close()

    # -- the loop --------------------------------------------------------------------------

    def _loop(self) -> None:
        watch_every = min(0.25, heartbeat_every(self.lease_s))
        sweep_every = heartbeat_every(self.lease_s)
        poll_every = 0.5
        next_watch = next_sweep = next_poll = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            try:
                self._reap()
                if now >= next_watch:
                    self._watch()
                    next_watch = now + watch_every
                if now >= next_sweep:
                    failed = recover_interrupted(self.sessions)
                    if failed:
                        log.warning("%d job(s) whose server stopped were marked failed", failed)
                    next_sweep = now + sweep_every
                if self._wake.is_set() or now >= next_poll:
                    self._wake.clear()
                    self._dispatch()
                    next_poll = now + poll_every
            except Exception:  # keep running whatever one job or the database did
                log.error("job runner error:\n%s", traceback.format_exc())
            self._wake.wait(0.05)

    def _watch(self) -> None:
        """Renew the leases of the jobs running here; stop those whose cancel flag is set."""
        with self._lock:
            keys = list(self._running)
        for kind in JOB_KINDS:
            ids = [job_id for k, job_id in keys if k == kind]
            for job_id in renew(self.sessions, _job_target(kind)[1], ids, self.owner, self.lease_s):
                self.cancel(job_id, kind)

    def _reap(self) -> None:
        with self._lock:
            finished = [(k, e) for k, e in self._running.items() if not e.alive()]
            for key, _ in finished:
                del self._running[key]
        for key, execution in finished:
            code = execution.exit_code()
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
                    f"the worker stopped unexpectedly (exit code {code})",
                    model,
                )

    def _queued(self, limit: int) -> list[tuple[datetime, str, int, dict[str, Any]]]:
        """The oldest queued jobs of every kind, oldest first."""
        found: list[tuple[datetime, str, int, dict[str, Any]]] = []
        with self.sessions() as session:
            for kind in JOB_KINDS:
                model = _job_target(kind)[1]
                rows = session.execute(
                    select(model.created_at, model.id, model.parameters)
                    .where(
                        model.state == JobState.QUEUED.value,
                        model.cancel_requested.is_(False),
                    )
                    .order_by(model.id)
                    .limit(limit)
                ).all()
                found.extend((created, kind, int(i), dict(p)) for created, i, p in rows)
        found.sort(key=lambda item: (item[0], item[1], item[2]))
        return found[:limit]

    def _dispatch(self) -> None:
        with self._lock:
            free = self.workers - len(self._running)
        if free <= 0:
            return
        for _, kind, job_id, parameters in self._queued(free):
            model = _job_target(kind)[1]
            if claim(self.sessions, model, job_id, self.owner, self.lease_s) is None:
                continue  # another server claimed it first, or it was cancelled
            try:
                execution = self.executor.start(
                    kind, job_id, self.database_url, parameters, self.owner, self.lease_s
                )
            except Exception as exc:  # the executor could not take it: fail, do not lose it
                log.error("cannot start %s job %s:\n%s", kind, job_id, traceback.format_exc())
                _finish(
                    self.sessions,
                    job_id,
                    JobState.FAILED,
                    "Failed",
                    f"the job could not be started on {self.executor.name}: {exc}",
                    model,
                )
                continue
            with self._lock:
                self._running[(kind, job_id)] = execution
