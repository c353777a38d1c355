"""How :func:`planner.batch.run_batch` hands jobs out (largest first) and what it measures
(each job's CPU seconds and worker, summed per worker)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import sample
from planner.batch import JobOutcome, area_ids, area_sizes, run_batch, worker_usage

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # another engineer's or test's cluster may hold Dask's default HTTP port on this machine
    pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning"),
]

_RAN: list[str] = []
_LOCK = threading.Lock()


def _busy(job: dict[str, Any]) -> dict[str, Any]:
    """Spin for the job's CPU milliseconds and note the order jobs ran in."""
    with _LOCK:
        _RAN.append(job["id"])
    end = time.process_time() + job["cpu_ms"] / 1000
    while time.process_time() < end:
        pass
    if job.get("fail"):
        raise ValueError(f"job {job['id']} was told to fail")
    return {"id": job["id"]}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One single-threaded worker in this process: jobs run one at a time, in the order the
    scheduler hands them out."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as made,
    ):
        yield made


def test_the_largest_jobs_run_first_and_outcomes_keep_the_job_order(client: Any) -> None:
    _RAN.clear()
    jobs = [{"id": f"j{i}", "cpu_ms": 5, "size": size} for i, size in enumerate([3, 9, 1, 7, 5])]
    outcomes = run_batch(
        jobs, _busy, job_id=lambda j: j["id"], client=client, cost=lambda j: j["size"]
    )
    assert _RAN == ["j1", "j3", "j4", "j0", "j2"]  # sizes 9, 7, 5, 3, 1
    assert [o.job_id for o in outcomes] == ["j0", "j1", "j2", "j3", "j4"]
    assert all(o.status == "done" for o in outcomes)


def test_without_a_cost_jobs_run_in_the_order_given(client: Any) -> None:
    _RAN.clear()
    jobs = [{"id": f"k{i}", "cpu_ms": 1} for i in range(4)]
    run_batch(jobs, _busy, job_id=lambda j: j["id"], client=client)
    assert _RAN == ["k0", "k1", "k2", "k3"]


def test_each_job_reports_its_cpu_seconds_and_worker(client: Any) -> None:
    jobs = [
        {"id": "long", "cpu_ms": 300},
        {"id": "short", "cpu_ms": 20},
        {"id": "bad", "cpu_ms": 50, "fail": True},
    ]
    outcomes = run_batch(jobs, _busy, job_id=lambda j: j["id"], client=client)
    by = {o.job_id: o for o in outcomes}
    assert by["bad"].status == "failed" and by["bad"].error is not None
    assert "told to fail" in by["bad"].error["message"]
    assert 0.3 <= by["long"].cpu_seconds < 3.0
    assert 0.02 <= by["short"].cpu_seconds < by["long"].cpu_seconds
    assert by["bad"].cpu_seconds >= 0.05  # a failed job's work is counted too
    assert len({o.worker for o in outcomes}) == 1 and by["long"].worker is not None
    assert ":" in by["long"].worker  # host:pid
    assert by["long"].as_dict()["cpu_seconds"] == round(by["long"].cpu_seconds, 3)
    (usage,) = worker_usage(outcomes)
    assert usage.jobs == 3
    assert usage.cpu_s == pytest.approx(sum(o.cpu_seconds for o in outcomes))
    assert usage.busy_s == pytest.approx(sum(o.seconds for o in outcomes))


def test_skipped_jobs_report_no_worker() -> None:
    outcome = JobOutcome("done-before", "skipped")
    assert "worker" not in outcome.as_dict() and "cpu_seconds" not in outcome.as_dict()
    assert worker_usage([outcome]) == []


_outcomes = st.lists(
    st.builds(
        JobOutcome,
        job_id=st.text(min_size=1, max_size=5),
        status=st.sampled_from(["done", "failed"]),
        seconds=st.floats(0, 100),
        cpu_seconds=st.floats(0, 100),
        worker=st.sampled_from(["a:1", "a:2", "b:7"]) | st.none(),
    ),
    max_size=30,
)


@given(_outcomes)
def test_worker_usage_counts_every_job_that_ran_once(outcomes: list[JobOutcome]) -> None:
    usage = worker_usage(outcomes)
    ran = [o for o in outcomes if o.worker is not None]
    assert sum(u.jobs for u in usage) == len(ran)
    assert sum(u.cpu_s for u in usage) == pytest.approx(sum(o.cpu_seconds for o in ran))
    assert [u.worker for u in usage] == sorted({o.worker for o in ran if o.worker})


def test_area_sizes_are_the_areas_inside_the_outline() -> None:
    district = sample.load("portland-central")
    sizes = area_sizes(district)
    assert list(sizes) == area_ids(district)
    assert all(size > 1.0 for size in sizes.values())
    # the areas tile the outline: their sizes add up to (at most) its area
    total = district.boundary.area
    assert sum(sizes.values()) == pytest.approx(total, rel=0.02)


@pytest.mark.slow
def test_local_cluster_workers_run_numerical_code_on_one_thread() -> None:
    """Two workers on two cores: each worker's BLAS and OpenMP pools have one thread, so the
    workers do not oversubscribe the cores they share."""
    from planner.batch import dask_client

    def pools() -> dict[str, Any]:
        import os

        import numpy  # noqa: F401  (loads the BLAS library threadpoolctl inspects)
        from threadpoolctl import threadpool_info

        return {
            "omp": os.environ.get("OMP_NUM_THREADS"),
            "threads": sorted({p["num_threads"] for p in threadpool_info()}),
        }

    with dask_client(n_workers=2) as made:
        made.wait_for_workers(2)
        seen = made.run(pools)
    assert len(seen) == 2
    for found in seen.values():
        assert found == {"omp": "1", "threads": [1]}
