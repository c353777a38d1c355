"""A real service for browser, process and load tests: ``gridpatrol serve`` in a subprocess on a
free loopback port (:func:`serve_process`), with a temporary SQLite database and known users
(:func:`live_service`), and what a test looks at in its processes (Linux ``/proc``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.service.db import make_engine, make_session_factory, transaction
from api.service.migrations import upgrade
from api.service.routes.users import create_user

REPO = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class LiveService:
    """A running service: its base URL, database and server log."""

    base_url: str
    database_url: str
    log: Path


def free_port() -> int:
    """A TCP port nobody listens on now (127.0.0.1)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(url: str, users: dict[str, tuple[str, str]]) -> None:
    """Migrate the database at ``url`` and add ``users`` (name -> (role, password))."""
    engine = make_engine(url, pooled=False)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            for name, (role, password) in users.items():
                create_user(session, name, password, role, [])
    finally:
        engine.dispose()


#: The signing key of the services these helpers start (tests and benchmarks only).
SECRET_KEY = "live-service-test-secret-key-0123456789abcdef"


@dataclass(frozen=True)
class ServeProcess:
    """A ``gridpatrol serve`` subprocess answering on ``port``."""

    process: subprocess.Popen[bytes]
    port: int
    base_url: str
    log: Path


@contextmanager
def serve_process(
    folder: Path,
    database_url: str | None,
    *args: str,
    env: dict[str, str | None] | None = None,
    start_timeout_s: float = 240.0,
    bootstrap_admin: bool = False,
    log: Path | None = None,
) -> Iterator[ServeProcess]:
    """``gridpatrol serve --host 127.0.0.1 --port <free port> --no-bootstrap-admin *args`` on
    ``database_url`` (``None``: the default one in the data folder) with its data in
    ``folder`` and the extra variables ``env`` (``None`` unsets one), once it answers
    ``/health``; terminated (killed after 20 s) when the block ends. ``bootstrap_admin`` leaves
    out ``--no-bootstrap-admin``; the output goes to ``log`` (default ``folder/server.log``).

    Raises
    ------
    RuntimeError
        With the end of the server's log, when it exits or does not answer within
        ``start_timeout_s`` (several web processes start slowly on a busy machine).
    """
    port = free_port()
    variables: dict[str, str | None] = {
        **os.environ,
        "GRIDPATROL_DATABASE_URL": database_url,
        "GRIDPATROL_DATA_DIR": str(folder),
        "GRIDPATROL_SECRET_KEY": SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [sys.executable, "-c", "from api.cli import main; main()", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    command += [*([] if bootstrap_admin else ["--no-bootstrap-admin"]), *args]
    log = log if log is not None else folder / "server.log"
    given = {name: value for name, value in variables.items() if value is not None}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=given, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the service exited with {process.returncode}:\n{log.read_text()[-3000:]}"
                )
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the service did not answer /health:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.2)
        yield ServeProcess(process, port, base, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def live_service(
    folder: Path, users: dict[str, tuple[str, str]], **settings: str
) -> Iterator[LiveService]:
    """Run ``gridpatrol serve`` on a free port until the block ends; ``settings`` are extra
    ``GRIDPATROL_*`` variables (``plan_time_limit_s="2"``)."""
    url = f"sqlite:///{folder / 'gridpatrol.db'}"
    prepare_database(url, users)
    env = {f"GRIDPATROL_{k.upper()}": v for k, v in settings.items()}
    with serve_process(folder, url, env=env, start_timeout_s=90) as served:
        yield LiveService(served.base_url, url, served.log)


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux ``/proc``; none once it is gone or elsewhere)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def web_processes(supervisor: int) -> list[int]:
    """The web processes of a server started with ``--web-workers N``: its children but
    multiprocessing's resource tracker (their own children are plan jobs)."""
    found = []
    for child in children(supervisor):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            found.append(child)
    return found


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (exists and is not a zombie; Linux ``/proc``)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
