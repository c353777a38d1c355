"""The first start of ``gridpatrol serve`` (issue 16, items 2 and 6): the admin's password goes
to a 0600 file in the 0700 data folder, never to the log; the database is created 0600."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.cli.serve import ADMIN_PASSWORD_FILE
from tests.api.web.live import REPO, free_port


def _serve(folder: Path, **extra: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = folder.parent / f"{folder.name}.log"
    env = {
        **os.environ,
        "GRIDPATROL_DATA_DIR": str(folder),
        "GRIDPATROL_SECRET_KEY": "files-test-secret-key-0123456789abcdef",
        "GRIDPATROL_JOB_WORKERS": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("GRIDPATROL_DATABASE_URL", None)
    if "GRIDPATROL_ADMIN_PASSWORD" not in extra:
        env.pop("GRIDPATROL_ADMIN_PASSWORD", None)
    command = [
        sys.executable,
        "-c",
        "from api.cli import main; main()",
        "serve",
        "--port",
        str(port),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return process, base, log
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.3)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def test_first_admin_password_goes_to_a_private_file_never_to_the_log(tmp_path: Path) -> None:
    folder = tmp_path / "data"  # does not exist yet: serve creates it 0700
    process, base, log = _serve(folder)
    try:
        secret = folder / ADMIN_PASSWORD_FILE
        password = secret.read_text(encoding="utf-8").strip()
        assert len(password) >= 16
        answer = httpx.post(f"{base}/auth/token", data={"username": "admin", "password": password})
        assert answer.status_code == 200, answer.text
        wrong = httpx.post(f"{base}/auth/token", data={"username": "admin", "password": "nope"})
        assert wrong.status_code == 401
    finally:
        _stop(process)
    text = log.read_text(encoding="utf-8", errors="replace")
    joined = "".join(text.split())  # the console wraps long lines
    assert password not in text and password not in joined
    assert ADMIN_PASSWORD_FILE in joined  # the log says where it is
    assert folder.stat().st_mode & 0o777 == 0o700
    for path in (secret, folder / "gridpatrol.db", folder / "secret_key"):
        if path.exists():
            assert path.stat().st_mode & 0o777 == 0o600, path
    assert (folder / "gridpatrol.db").exists()


def test_first_admin_password_from_the_environment_is_not_written_or_logged(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "data"
    given = "an admin passphrase from the environment"
    process, base, log = _serve(folder, GRIDPATROL_ADMIN_PASSWORD=given)
    try:
        answer = httpx.post(f"{base}/auth/token", data={"username": "admin", "password": given})
        assert answer.status_code == 200, answer.text
    finally:
        _stop(process)
    assert not (folder / ADMIN_PASSWORD_FILE).exists()
    assert given not in log.read_text(encoding="utf-8", errors="replace")
