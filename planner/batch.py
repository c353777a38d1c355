"""Planning many districts at once on Dask distributed: splitting a district by area, and
running one job per district and shift on a cluster.

:func:`area_district` makes one official area (a police district, a township's grid) a
district of its own. :func:`run_batch` hands jobs to a Dask cluster (a
:class:`distributed.LocalCluster` by default, an existing scheduler by address) and collects
one :class:`JobOutcome` per job: a job that raises is reported with its error and does not
stop the others. The jobs are small descriptions (file paths, options); the worker function
reads the inputs where it runs (street networks from the shared network cache,
:mod:`geo.network.cache`) and writes its own outputs, so no district, network or plan is
pickled between processes.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import geopandas as gpd

from geo.district import District
from geo.schema import AREA_ID, STATION_ID

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "JobOutcome",
    "WorkerUsage",
    "area_district",
    "area_ids",
    "area_sizes",
    "dask_client",
    "run_batch",
    "worker_usage",
]

Job = TypeVar("Job")
Status = Literal["done", "skipped", "failed"]


@dataclass(frozen=True)
class JobOutcome:
    """What became of one job.

    Attributes
    ----------
    job_id
        The job's name (e.g. ``"631/16-24"``).
    status
        ``"done"``, ``"skipped"`` (its outputs were already complete) or ``"failed"``.
    seconds
        Wall time of the job on its worker (0 when skipped).
    cpu_seconds
        CPU time (user + system) of the worker process during the job: with wall time, how
        much of a core the job had (on a shared machine, less than all of it).
    worker
        Which worker process ran it (``host:pid``); ``None`` when skipped or lost.
    result
        What the worker function returned (JSON-able), empty when failed.
    error
        ``{"type": ..., "message": ...}`` of the exception a failed job raised.
    """

    job_id: str
    status: Status
    seconds: float = 0.0
    result: Mapping[str, Any] = field(default_factory=dict)
    error: Mapping[str, str] | None = None
    cpu_seconds: float = 0.0
    worker: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "job": self.job_id,
            "status": self.status,
            "seconds": round(self.seconds, 3),
        }
        if self.worker is not None:
            out["cpu_seconds"] = round(self.cpu_seconds, 3)
            out["worker"] = self.worker
        if self.result:
            out["result"] = dict(self.result)
        if self.error is not None:
            out["error"] = dict(self.error)
        return out


def area_ids(district: District) -> list[str]:
    """The official areas of a district, as strings, in their table order."""
    return [str(a) for a in district.areas[AREA_ID]]


def area_sizes(district: District) -> dict[str, float]:
    """Each official area's size in square metres inside the district's outline: the work of
    planning it (cells to score, hotspots to route) grows with it, so :func:`run_batch` can
    hand the largest areas out first (``cost=``)."""
    inside = district.areas.geometry.intersection(district.boundary).area
    return {str(a): float(size) for a, size in zip(district.areas[AREA_ID], inside, strict=True)}


def area_district(district: District, area_id: str) -> District:
    """One official area of ``district`` as a district of its own.

    The boundary is the area clipped to the district's outline; incidents are those inside
    it; the stations are those inside it, or the one nearest to it when none is (a unit
    still starts from a real base). The street network file is the district's (its cached
    networks are shared by every area).

    Raises
    ------
    ValueError
        When ``area_id`` is not one of the district's areas (the message lists them).
    """
    ids = district.areas[AREA_ID].astype(str)
    chosen = district.areas[ids == str(area_id)]
    if chosen.empty:
        known = ", ".join(area_ids(district)) or "none"
        raise ValueError(f"area {area_id!r} is not an area of {district.name} (areas: {known})")
    outline = chosen.geometry.union_all().intersection(district.boundary)
    if outline.is_empty:
        raise ValueError(f"area {area_id!r} does not overlap the outline of {district.name}")
    inside = district.incidents[district.incidents.within(outline)]
    stations = district.stations[district.stations.within(outline)]
    if stations.empty and not district.stations.empty:
        distance = district.stations.distance(outline)
        stations = district.stations.loc[[distance.idxmin()]]
    name = str(chosen.iloc[0].get("name", area_id))
    return replace(
        district,
        name=f"{district.name}: {name}",
        boundary=outline,
        areas=gpd.GeoDataFrame(chosen.reset_index(drop=True), crs=district.crs),
        incidents=inside.reset_index(drop=True),
        stations=stations.reset_index(drop=True),
        notes=(
            *district.notes,
            f"Area {area_id} of {district.name}, planned on its own; stations: "
            + ", ".join(str(s) for s in stations[STATION_ID]),
        ),
    )


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int = 1) -> Iterator[Client]:
    """A Dask client: of the scheduler at ``scheduler`` (``tcp://host:8786``), or of a new
    :class:`distributed.LocalCluster` of ``n_workers`` single-threaded worker processes
    (closed on exit).

    Raises
    ------
    ValueError
        When ``n_workers`` is below 1.
    OSError
        When the scheduler cannot be reached (the message names its address).
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise OSError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from exc
        try:
            yield client
        finally:
            client.close()
        return
    if n_workers < 1:
        raise ValueError(f"workers must be at least 1 (got {n_workers})")
    # planning is CPU-bound Python: one thread per process, no nanny restarts mid-job
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_batch(
    jobs: Sequence[Job],
    worker: Callable[[Job], Mapping[str, Any]],
    *,
    job_id: Callable[[Job], str],
    client: Client | None = None,
    scheduler: str | None = None,
    n_workers: int = 1,
    is_complete: Callable[[Job], bool] | None = None,
    on_outcome: Callable[[JobOutcome], None] | None = None,
    cost: Callable[[Job], float] | None = None,
) -> list[JobOutcome]:
    """Run ``worker(job)`` for every job on a Dask cluster and report each outcome.

    Parameters
    ----------
    jobs
        Small, picklable job descriptions (paths and options, not data).
    worker
        A module-level function run on the workers; returns a JSON-able summary. Whatever it
        raises is caught and reported for that job.
    job_id
        Names a job in the outcomes.
    client
        An existing Dask client; otherwise one is made with :func:`dask_client`.
    scheduler, n_workers
        For :func:`dask_client` when no client is given.
    is_complete
        When given, jobs for which it is true are not run and reported ``"skipped"``.
    on_outcome
        Called (on this process) as each job ends, e.g. to advance a progress bar.
    cost
        An estimate of each job's work (any unit): jobs are handed out largest first, so
        unequal jobs keep every worker busy to the end. ``None``: in the order given.

    Returns
    -------
    list of JobOutcome
        In the order of ``jobs``.
    """
    outcomes: dict[int, JobOutcome] = {}
    pending: list[int] = []
    for i, job in enumerate(jobs):
        if is_complete is not None and is_complete(job):
            outcomes[i] = JobOutcome(job_id(job), "skipped")
            if on_outcome is not None:
                on_outcome(outcomes[i])
        else:
            pending.append(i)
    if pending:
        if client is None:
            with dask_client(scheduler, n_workers) as made:
                _run_on(made, jobs, pending, worker, job_id, outcomes, on_outcome, cost)
        else:
            _run_on(client, jobs, pending, worker, job_id, outcomes, on_outcome, cost)
    return [outcomes[i] for i in range(len(jobs))]


@dataclass(frozen=True)
class WorkerUsage:
    """How busy one worker process was during a batch.

    Attributes
    ----------
    worker
        ``host:pid`` of the process.
    jobs
        Jobs it ran.
    busy_s
        Sum of its jobs' wall times.
    cpu_s
        Sum of its jobs' CPU times: ``cpu_s / busy_s`` is the share of a core its jobs got.
    """

    worker: str
    jobs: int
    busy_s: float
    cpu_s: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "jobs": self.jobs,
            "busy_s": round(self.busy_s, 3),
            "cpu_s": round(self.cpu_s, 3),
        }


def worker_usage(outcomes: Sequence[JobOutcome]) -> list[WorkerUsage]:
    """Per worker process, the jobs it ran and their wall and CPU seconds (sorted by name)."""
    by: dict[str, list[JobOutcome]] = {}
    for outcome in outcomes:
        if outcome.worker is not None:
            by.setdefault(outcome.worker, []).append(outcome)
    return [
        WorkerUsage(
            name,
            len(ran),
            sum(o.seconds for o in ran),
            sum(o.cpu_seconds for o in ran),
        )
        for name, ran in sorted(by.items())
    ]


def _timed(worker: Callable[[Job], Mapping[str, Any]], job: Job) -> dict[str, Any]:
    """Run one job on a worker; an error is returned as data so the batch goes on (and the
    worker's log is not filled with tracebacks of expected input errors)."""
    started, cpu = time.perf_counter(), time.process_time()
    where = f"{socket.gethostname()}:{os.getpid()}"
    try:
        result = dict(worker(job))
    except Exception as exc:  # reported in the job's outcome, never swallowed
        return {
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu,
            "worker": where,
            "error": {"type": type(exc).__name__, "message": str(exc)},
        }
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "worker": where,
        "result": result,
    }


def _run_on(
    client: Client,
    jobs: Sequence[Job],
    pending: list[int],
    worker: Callable[[Job], Mapping[str, Any]],
    job_id: Callable[[Job], str],
    outcomes: dict[int, JobOutcome],
    on_outcome: Callable[[JobOutcome], None] | None,
    cost: Callable[[Job], float] | None = None,
) -> None:
    from distributed import as_completed

    submitted = []
    index: dict[Any, int] = {}  # future key -> job
    order = pending
    if cost is not None:
        # the largest jobs first (longest processing time first): a large job started last
        # would keep one worker busy while the others idle at the end of the batch
        costs = {i: float(cost(jobs[i])) for i in pending}
        order = sorted(pending, key=lambda i: (-costs[i], i))
    for rank, i in enumerate(order):
        # pure=False: a job re-run on purpose (--force) runs again; the priority makes the
        # scheduler hand them out in this order (higher first)
        future = client.submit(_timed, worker, jobs[i], pure=False, priority=len(order) - rank)
        submitted.append(future)
        index[future.key] = i
    for future in as_completed(submitted):
        i = index[future.key]
        name = job_id(jobs[i])
        if future.status == "error":  # the worker process died, or the job could not run
            exc = future.exception()
            outcomes[i] = JobOutcome(
                name, "failed", error={"type": type(exc).__name__, "message": str(exc)}
            )
        else:
            ran = future.result()
            usage = {"cpu_seconds": ran["cpu_seconds"], "worker": ran["worker"]}
            if "error" in ran:
                outcomes[i] = JobOutcome(
                    name, "failed", ran["seconds"], error=ran["error"], **usage
                )
            else:
                outcomes[i] = JobOutcome(name, "done", ran["seconds"], ran["result"], **usage)
        future.release()
        if on_outcome is not None:
            on_outcome(outcomes[i])
