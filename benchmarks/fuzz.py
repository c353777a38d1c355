"""Fuzz the whole API (schemathesis): every operation, then stateful runs along the links
between operations, signed in as an admin; the figure is the server errors among the cases.

``python -m benchmarks.fuzz`` is the nightly-size run (at least 10,000 cases, ``--cases``); the
CI-sized run of the same driver is ``tests/api/service/test_schemathesis.py``. The service runs
in-process on a temporary SQLite database holding the Toronto sample area and its incidents,
with no plan workers (plans and staffing runs are only queued). The acting admin has an id no
generator picks (so it does not delete or demote itself); when a generated request ends its
session (sign out, sign out everywhere) it signs in again.

Printed: cases, operations, operations reached statefully, server errors and their share of
the cases, and the mean time of a case beside the mean time of ``GET /health`` measured in
the same run (a ratio).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Password of the acting admin.
PASSWORD = "fuzzing passphrase 0123"
#: Id of the acting admin: not a boundary value, so no generated path names it.
FUZZER_ID = 987_654_321_987
FUZZER = "fuzzer"
#: Seconds a generated request may take (making a sample area reads its street network).
CALL_TIMEOUT_S = 300


@dataclass
class FuzzReport:
    """What a fuzzing run did and found."""

    cases: int = 0
    operations: int = 0
    #: Cases of each operation made in the stateful runs.
    stateful: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    by_operation: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    #: Answers 403 by operation (a request the acting admin may not make, e.g. CSRF-less).
    forbidden: Counter[str] = field(default_factory=Counter)
    #: Stateful runs started again after Hypothesis found the live state had moved.
    restarted_runs: int = 0


#: Stateful runs in a row that may be restarted for harness nondeterminism without making a
#: single request before it counts as a failure (a restart after progress is always allowed:
#: the run's requests were recorded as they were made).
MAX_IDLE_RESTARTS = 5


def _harness_nondeterminism(exc: BaseException) -> bool:
    """True when ``exc`` is only Hypothesis saying data generation was not reproducible.

    Every exception of the chain must be Hypothesis' own: a failed check, a server error or an
    assertion anywhere in it (Hypothesis replaying a real failure) makes it a real failure.
    """
    from hypothesis.errors import FlakyStrategyDefinition, HypothesisException

    if isinstance(exc, BaseExceptionGroup):
        return all(_harness_nondeterminism(e) for e in exc.exceptions)
    flaky = False
    seen: BaseException | None = exc
    while seen is not None:
        if not isinstance(seen, HypothesisException):
            return False
        flaky = flaky or isinstance(seen, FlakyStrategyDefinition)
        seen = seen.__cause__ or seen.__context__
    return flaky


def _chain(exc: BaseException) -> str:
    """The types of an exception and of those it was raised from or during, outermost first."""
    names: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(names) < 10:
        names.append(f"{type(seen).__module__}.{type(seen).__qualname__}")
        seen = seen.__cause__ or seen.__context__
    return " <- ".join(names)


@contextmanager
def fuzz_target(folder: Path) -> Iterator[tuple[Any, Callable[[], dict[str, str]]]]:
    """The service to fuzz and a function giving the acting admin's current headers (signing
    in again when a generated request ended the session)."""
    from fastapi.testclient import TestClient

    from api.service.app import create_app
    from api.service.db import make_engine, make_session_factory, transaction
    from api.service.migrations import upgrade
    from api.service.models import Role, User
    from api.service.security import hash_password
    from api.service.settings import Settings

    url = f"sqlite:///{folder / 'fuzz.db'}"
    engine = make_engine(url, pooled=False)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            session.add(
                User(
                    id=FUZZER_ID,
                    username=FUZZER,
                    password_hash=hash_password(PASSWORD),
                    role=Role.ADMIN.value,
                    is_active=True,
                )
            )
    finally:
        engine.dispose()
    settings = Settings(
        database_url=url,
        data_dir=folder,
        secret_key="fuzzing-secret-key-not-for-production-0123456789",
        job_workers=0,
        rate_limit_per_minute=10_000_000,
        rate_limit_burst=10_000_000,
        plan_time_limit_s=1.0,
        staffing_time_limit_s=0.5,
        staffing_max_units=2,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        holder: dict[str, str] = {}

        def restore_account() -> None:
            """Undo what generated requests did to the acting admin (its password, name, role
            or status changed, the account locked or deleted), straight in the database."""
            from sqlalchemy import select

            restore_engine = make_engine(url, pooled=False)
            try:
                with transaction(make_session_factory(restore_engine)) as session:
                    user = session.get(User, FUZZER_ID)
                    taken = session.scalar(select(User).where(User.username == FUZZER))
                    if taken is not None and (user is None or taken.id != user.id):
                        taken.username = f"{FUZZER}-renamed-{taken.id}"
                        session.flush()
                    if user is None:
                        user = User(username=FUZZER)
                        session.add(user)
                    user.username = FUZZER
                    user.password_hash = hash_password(PASSWORD)
                    user.role = Role.ADMIN.value
                    user.is_active = True
                    user.failed_logins = 0
                    user.locked_until = None
            finally:
                restore_engine.dispose()

        def token() -> str | None:
            """A session of the acting admin, if it can still sign in and is still an admin."""
            answer = client.post("/auth/token", data={"username": FUZZER, "password": PASSWORD})
            if answer.status_code != 200:
                return None
            bearer = f"Bearer {answer.json()['access_token']}"
            me = client.get("/auth/me", headers={"Authorization": bearer})
            return bearer if me.status_code == 200 and me.json()["role"] == "admin" else None

        def sign_in() -> None:
            # A generated request may have demoted, disabled, renamed or deleted the acting
            # admin (its id is listed by GET /users, so links can reach it): undo that, else the
            # rest of the run would only meet 403s
            bearer = token()
            if bearer is None:
                restore_account()
                bearer = token()
            assert bearer is not None, "the acting admin cannot sign in after its restore"
            holder["Authorization"] = bearer

        sign_in()
        area = client.post(
            "/areas", json={"name": "UofT", "sample": "toronto-uoft"}, headers=dict(holder)
        )
        assert area.status_code == 201, area.text

        def headers() -> dict[str, str]:
            return dict(holder)

        def refresh() -> None:
            if client.get("/auth/me", headers=dict(holder)).status_code == 401:
                sign_in()

        _refreshers.append(refresh)

        try:
            yield app, headers
        finally:
            _refreshers.remove(refresh)


#: How to sign the acting admin in again (one per running target).
_refreshers: list[Callable[[], None]] = []


def _record(report: FuzzReport, label: str, case: Any, response: Any) -> None:
    if response.status_code == 401:
        for refresh in _refreshers:
            refresh()  # the request may have ended the acting admin's session
    report.cases += 1
    report.statuses[response.status_code] += 1
    report.by_operation[label] += 1
    if response.status_code == 403:
        report.forbidden[label] += 1
    if response.status_code >= 500:
        report.server_errors.append(
            f"{label} -> {response.status_code}: {case.as_curl_command()}\n{response.text[:500]}"
        )


def fuzz_operations(
    app: Any,
    headers: Callable[[], dict[str, str]],
    report: FuzzReport,
    *,
    positive: int,
    negative: int,
    conformance: bool = True,
) -> None:
    """Every operation on its own: ``positive`` valid and ``negative`` invalid requests each;
    checks no server error and (``conformance``) answers that match the documented schema."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error, response_schema_conformance
    from schemathesis.core.result import Ok

    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = [not_a_server_error, *([response_schema_conformance] if conformance else [])]
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is valid
        operation = result.ok()
        report.operations += 1
        for mode, examples in (
            (GenerationMode.POSITIVE, positive),
            (GenerationMode.NEGATIVE, negative),
        ):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def check(case: schemathesis.Case) -> None:
                response = case.call(headers=headers(), timeout=CALL_TIMEOUT_S)
                _record(report, case.operation.label, case, response)
                case.validate_response(response, checks=checks)

            try:
                check()
            except Unsatisfiable:
                continue  # no invalid request exists (an operation without parameters)
            except (Exception, BaseExceptionGroup) as exc:  # collect every failure, then report
                text = "".join(traceback.format_exception(exc))
                report.failures.append(f"{operation.label} ({mode.value}):\n{text[-3000:]}")


def fuzz_stateful(
    app: Any,
    headers: Callable[[], dict[str, str]],
    report: FuzzReport,
    *,
    cases: int,
    steps: int = 10,
) -> None:
    """Stateful runs along the links between operations (inferred by schemathesis from the
    schema: a created area, dataset, grid, plan, user or token is then read, changed, deleted)
    until ``cases`` requests were made; a server error ends the run with the failing steps."""
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import not_a_server_error

    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    machine = api.as_state_machine()

    class Workflow(machine):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers(), "timeout": CALL_TIMEOUT_S}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            _record(report, case.operation.label, case, response)
            report.stateful[case.operation.label] += 1
            case.validate_response(response, checks=[not_a_server_error])

    start = report.cases
    idle = 0
    while report.cases - start < cases:
        before = report.cases
        try:
            Workflow.run(
                settings=settings(
                    max_examples=max(1, min(200, (cases - (report.cases - start)) // steps)),
                    stateful_step_count=steps,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    database=None,
                )
            )
        except (Exception, BaseExceptionGroup) as exc:  # report, do not stop the other runs
            if _harness_nondeterminism(exc):
                # The service's state moved under Hypothesis' replay of a stateful example (the
                # links draw from live answers), which says nothing about the service: count
                # it and start a fresh run. Server errors were recorded as they happened.
                report.restarted_runs += 1
                idle = 0 if report.cases > before else idle + 1
                if idle <= MAX_IDLE_RESTARTS:
                    continue
            text = "".join(traceback.format_exception(exc))
            report.failures.append(f"stateful ({_chain(exc)}):\n{text[-3000:]}")
            break
        if report.cases == before:
            break


def _health_seconds(app: Any, calls: int = 200) -> float:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        started = time.perf_counter()
        for _ in range(calls):
            client.get("/health")
        return (time.perf_counter() - started) / calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000, help="Stateful cases at least.")
    parser.add_argument("--positive", type=int, default=20, help="Valid requests per operation.")
    parser.add_argument("--negative", type=int, default=10, help="Invalid requests per operation.")
    args = parser.parse_args(argv)
    report = FuzzReport()
    with (
        tempfile.TemporaryDirectory(prefix="gridpatrol-fuzz-") as tmp,
        fuzz_target(Path(tmp)) as (app, headers),
    ):
        started = time.perf_counter()
        fuzz_operations(app, headers, report, positive=args.positive, negative=args.negative)
        fuzz_stateful(app, headers, report, cases=args.cases)
        report.seconds = time.perf_counter() - started
        health = _health_seconds(app)
    mean = report.seconds / max(1, report.cases)
    share = len(report.server_errors) / max(1, report.cases)
    print(
        f"fuzz: {report.cases} cases over {report.operations} operations; "
        f"server errors {len(report.server_errors)} ({share:.4%} of cases); "
        f"other failures {len(report.failures)}; "
        f"{len(report.stateful)} operations reached by stateful runs "
        f"({sum(report.stateful.values())} cases, in runs of which {report.restarted_runs} "
        "were started again when Hypothesis found the live state had moved under its replay)"
    )
    print(
        f"fuzz: mean case {mean * 1000:.1f} ms vs GET /health {health * 1000:.2f} ms "
        f"(ratio {mean / health:.1f})"
    )
    print("fuzz: statuses " + ", ".join(f"{k}: {v}" for k, v in sorted(report.statuses.items())))
    if report.forbidden:
        top = ", ".join(f"{label} {n}" for label, n in report.forbidden.most_common(5))
        print(f"fuzz: 403 mostly from {top}")
    for text in (report.server_errors + report.failures)[:10]:
        print(text, file=sys.stderr)
    return 1 if report.server_errors or report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
