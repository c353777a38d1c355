"""The top-hours repair's CPU budget is its own thread's: busy threads elsewhere in the
process (a server's, a test run's) do not cut it short."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from geo import sample
from planner.shift import PlanOptions, plan_shift, shift_band


@pytest.fixture
def busy_threads() -> Iterator[None]:
    stop = threading.Event()

    def burn() -> None:
        while not stop.is_set():
            sum(range(10_000))

    threads = [threading.Thread(target=burn, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    yield
    stop.set()
    for thread in threads:
        thread.join()


def test_every_hour_is_covered_while_other_threads_use_the_cpu(busy_threads: None) -> None:
    # The plan of tests/planner/test_presence_shift.py; with the budget on the process's CPU,
    # two busy threads left hour 21 without a top-5 stay.
    shift = shift_band("16-24")
    options = PlanOptions(shift=shift, time_limit_s=120.0, max_iterations=50)
    planned = plan_shift(sample.load("toronto-uoft"), options)
    report = planned.report
    assert report is not None
    ranked = {str(c) for c in planned.hotspots.sort_values("rank")["cell_id"][:5]}
    missing = [
        hour
        for hour in range(16, 24)
        if not set(report.table.loc[report.table["hour"] == hour, "cell_id"]) & ranked
    ]
    assert missing == []
    assert not [n for n in planned.plan.notes if n.startswith("Hour ")]
