"""Property-based test of the whole API against its own OpenAPI document (schemathesis).

The CI-sized run of :mod:`benchmarks.fuzz` (whose nightly size, ``python -m benchmarks.fuzz``,
makes at least 10,000 cases): every operation gets up to 20 generated valid and 10 invalid
requests, then stateful runs follow the links between operations (an area, grid, user or
token created is read, changed and deleted), all signed in as an admin of a service on a
temporary SQLite database that holds the Toronto sample area. Checks: no server error for any
request, and every single-operation response conforms to its documented schema. Plans are only
queued (no plan workers), so the plan-creation endpoint stays light.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.fuzz import FuzzReport, fuzz_operations, fuzz_stateful, fuzz_target

#: Stateful cases in CI (the nightly run makes 10,000).
CI_STATEFUL_CASES = 300


def test_api_conforms_to_its_openapi_and_never_errs(tmp_path: Path) -> None:
    report = FuzzReport()
    with fuzz_target(tmp_path) as (app, headers):
        fuzz_operations(app, headers, report, positive=20, negative=10)
        fuzz_stateful(app, headers, report, cases=CI_STATEFUL_CASES)
    assert report.operations >= 50
    assert set(report.by_operation) >= {"POST /areas", "GET /auth/me", "POST /users"}
    assert len(report.stateful) >= 15, report.stateful  # the links lead past the roots
    assert report.cases >= report.operations * 10 + CI_STATEFUL_CASES
    assert not report.server_errors, "\n\n".join(report.server_errors[:5])
    assert not report.failures, "\n\n".join(report.failures[:5])
