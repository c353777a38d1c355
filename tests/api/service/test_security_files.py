"""The first start of ``gridpatrol serve`` (issue 16, items 2 and 6): the admin's password goes
to a 0600 file in the 0700 data folder, never to the log; the database is created 0600."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from api.cli.serve import ADMIN_PASSWORD_FILE
from tests.api.web.live import ServeProcess, serve_process


def _serve(folder: Path, password: str | None = None) -> AbstractContextManager[ServeProcess]:
    """A first start: no database yet, the first admin made (its password from the
    environment when given, else written to a file), output beside the data folder."""
    return serve_process(
        folder,
        None,
        env={"GRIDPATROL_JOB_WORKERS": "0", "GRIDPATROL_ADMIN_PASSWORD": password},
        bootstrap_admin=True,
        log=folder.parent / f"{folder.name}.log",
    )


def test_first_admin_password_goes_to_a_private_file_never_to_the_log(tmp_path: Path) -> None:
    folder = tmp_path / "data"  # does not exist yet: serve creates it 0700
    with _serve(folder) as served:
        base, log = served.base_url, served.log
        secret = folder / ADMIN_PASSWORD_FILE
        password = secret.read_text(encoding="utf-8").strip()
        assert len(password) >= 16
        answer = httpx.post(f"{base}/auth/token", data={"username": "admin", "password": password})
        assert answer.status_code == 200, answer.text
        wrong = httpx.post(f"{base}/auth/token", data={"username": "admin", "password": "nope"})
        assert wrong.status_code == 401
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
    with _serve(folder, password=given) as served:
        base, log = served.base_url, served.log
        answer = httpx.post(f"{base}/auth/token", data={"username": "admin", "password": given})
        assert answer.status_code == 200, answer.text
    assert not (folder / ADMIN_PASSWORD_FILE).exists()
    assert given not in log.read_text(encoding="utf-8", errors="replace")
