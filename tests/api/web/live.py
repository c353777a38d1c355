"""A real service for browser tests: ``gridpatrol serve`` (uvicorn) in a subprocess on a free
loopback port, with a temporary SQLite database and a known admin password."""

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


@contextmanager
def live_service(
    folder: Path, users: dict[str, tuple[str, str]], **settings: str
) -> Iterator[LiveService]:
    """Run ``gridpatrol serve`` on a free port until the block ends; ``settings`` are extra
    ``GRIDPATROL_*`` variables (``plan_time_limit_s="2"``)."""
    url = f"sqlite:///{folder / 'gridpatrol.db'}"
    prepare_database(url, users)
    port = free_port()
    env = {
        **os.environ,
        "GRIDPATROL_DATABASE_URL": url,
        "GRIDPATROL_DATA_DIR": str(folder),
        "GRIDPATROL_SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "PYTHONUNBUFFERED": "1",
        **{f"GRIDPATROL_{k.upper()}": v for k, v in settings.items()},
    }
    log = folder / "server.log"
    command = [
        sys.executable,
        "-c",
        "from api.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-bootstrap-admin",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
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
        yield LiveService(base, url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
