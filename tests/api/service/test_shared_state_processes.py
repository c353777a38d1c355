"""``gridpatrol serve --web-workers 2`` on PostgreSQL, end to end: the served processes use
the shared rate limit (its row is in the database), a limit reached holds on every fresh
connection whichever process accepts it, and a signed-out session is refused on every one.

Which process accepts a connection is the kernel's choice, so this checks the wiring of the
real processes; that a limit and a revocation cross from one process to the other is shown
deterministically by ``test_shared_state_workers.py`` (two applications, one database).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tests.api.web.live import prepare_database, serve_process

PASSWORD = "shared state passphrase"


def test_two_web_processes_share_the_limit_and_revocations(
    postgres_databases: Callable[[], str], tmp_path: Path
) -> None:
    url = postgres_databases()
    prepare_database(url, {"alice": ("viewer", PASSWORD), "bob": ("viewer", PASSWORD)})
    env = {
        "GRIDPATROL_RATE_LIMIT_PER_MINUTE": "1",
        "GRIDPATROL_RATE_LIMIT_BURST": "4",
        "GRIDPATROL_JOB_WORKERS": "0",
    }
    with serve_process(tmp_path, url, "--web-workers", "2", env=env) as served:
        base = served.base_url

        def token(name: str) -> str:
            answer = httpx.post(
                f"{base}/auth/token", data={"username": name, "password": PASSWORD}, timeout=30
            )
            assert answer.status_code == 200, answer.text
            return str(answer.json()["access_token"])

        def statuses(bearer: str, n: int) -> list[int]:
            # A new connection each time: either process may accept it.
            headers = {"Authorization": f"Bearer {bearer}", "Connection": "close"}
            return [
                httpx.get(f"{base}/plans", headers=headers, timeout=30).status_code
                for _ in range(n)
            ]

        alice = token("alice")
        assert statuses(alice, 4) == [200] * 4
        assert statuses(alice, 12) == [429] * 12
        bob = token("bob")
        assert statuses(bob, 3) == [200] * 3
        answer = httpx.post(
            f"{base}/auth/logout", headers={"Authorization": f"Bearer {bob}"}, timeout=30
        )
        assert answer.status_code == 204
        assert statuses(bob, 10) == [401] * 10
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            keys = set(connection.execute(text("SELECT key FROM rate_limit_buckets")).scalars())
    finally:
        engine.dispose()
    assert {"login:alice", "login:bob"} <= keys and any(k.startswith("user:") for k in keys)
