"""Writers of one SQLite file queue for it: the file's lock (threads of a process, then every
process) is held from a transaction's first write to its commit or rollback, and by no
reader."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from api.service.db import make_engine
from api.service.sqlitewrites import QueuedWriteConnection, _lock_for, connect_args, is_write


def _connect(path: Path, **kwargs: object) -> QueuedWriteConnection:
    args = {**connect_args(timeout_s=0.05), **kwargs}
    connection = sqlite3.connect(str(path), **args)  # type: ignore[call-overload]
    assert isinstance(connection, QueuedWriteConnection)
    return connection


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "queued.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    return path


def test_statements_that_write_are_told_from_those_that_read() -> None:
    for sql in (
        "INSERT INTO t VALUES (1)",
        "  update t set v = 1",
        "DELETE FROM t",
        "REPLACE INTO t",
        "CREATE TABLE x (a)",
        "drop table x",
        "BEGIN IMMEDIATE",
        "begin exclusive",
    ):
        assert is_write(sql), sql
    for sql in (
        "SELECT 1",
        "PRAGMA journal_mode=WAL",
        "BEGIN",
        "WITH q AS (SELECT 1) SELECT * FROM q",
        "EXPLAIN SELECT 1",
        "-- INSERT\nSELECT 1",
    ):
        assert not is_write(sql), sql


def test_a_second_writer_waits_for_the_first_and_a_reader_never_does(db: Path) -> None:
    first, second = _connect(db), _connect(db)
    lock = _lock_for(str(db))
    assert lock is not None and not lock.locked()
    first.execute("INSERT INTO t (v) VALUES ('a')")
    assert lock.locked() and first.in_transaction
    assert second.execute("SELECT count(*) FROM t").fetchone() == (0,)  # readers pass
    with pytest.raises(sqlite3.OperationalError, match="another writer held it"):
        second.execute("INSERT INTO t (v) VALUES ('b')")  # waited its 0.05 s, in the process
    assert not second.in_transaction  # it never reached SQLite
    first.commit()
    assert not lock.locked()
    second.execute("INSERT INTO t (v) VALUES ('b')")
    assert lock.locked()
    second.rollback()
    assert not lock.locked()
    assert first.execute("SELECT v FROM t").fetchall() == [("a",)]


def test_the_waiting_writer_goes_on_when_the_first_commits(db: Path) -> None:
    first = _connect(db)
    first.execute("INSERT INTO t (v) VALUES ('a')")
    done: list[str] = []

    def write() -> None:
        second = _connect(db, timeout=30.0)
        second.execute("INSERT INTO t (v) VALUES ('b')")
        done.append("second wrote")
        second.commit()
        second.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(0.2)
    assert thread.is_alive() and not done  # queued behind the first
    done.append("first commits")
    first.commit()
    thread.join(30)
    assert done == ["first commits", "second wrote"]
    assert [v for (v,) in first.execute("SELECT v FROM t ORDER BY id")] == ["a", "b"]


def test_the_lock_is_given_back_by_close_failure_and_autocommit(db: Path) -> None:
    lock = _lock_for(str(db))
    assert lock is not None
    closing = _connect(db)
    closing.execute("INSERT INTO t (v) VALUES ('a')")
    closing.close()  # never committed: rolled back by SQLite, the lock given back
    assert not lock.locked()
    failing = _connect(db)
    with pytest.raises(sqlite3.OperationalError):
        failing.execute("INSERT INTO missing VALUES (1)")  # fails before any transaction
    assert not failing.in_transaction and not lock.locked()
    auto = _connect(db, isolation_level=None)  # autocommit: each write is its own
    auto.execute("INSERT INTO t (v) VALUES ('b')")
    assert not lock.locked()
    many = _connect(db)
    many.cursor().executemany("INSERT INTO t (v) VALUES (?)", [("c",), ("d",)])
    assert lock.locked()
    many.commit()
    assert not lock.locked()
    assert _connect(db).execute("SELECT count(*) FROM t").fetchone() == (3,)


def test_a_database_in_memory_has_no_lock() -> None:
    assert _lock_for(":memory:") is None
    connection = sqlite3.connect(":memory:", **connect_args())  # type: ignore[call-overload]
    connection.execute("CREATE TABLE t (a)")
    connection.execute("INSERT INTO t VALUES (1)")
    assert connection.in_transaction


def test_the_service_engine_queues_its_writes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'service.db'}")
    try:
        with engine.begin() as connection:
            assert isinstance(connection.connection.dbapi_connection, QueuedWriteConnection)
            connection.execute(text("CREATE TABLE t (a)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            lock = _lock_for(str(tmp_path / "service.db"))
            assert lock is not None and lock.locked()
        assert not lock.locked()
    finally:
        engine.dispose()


_STEPS = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.sampled_from(["insert", "select", "commit", "rollback", "bad insert"]),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(steps=_STEPS)
def test_the_lock_is_held_exactly_while_one_connection_has_written(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, str]]
) -> None:
    path = tmp_path_factory.mktemp("queued") / "q.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    connections = [_connect(path, timeout=0.01) for _ in range(3)]
    lock = _lock_for(str(path))
    assert lock is not None
    try:
        for index, step in steps:
            connection = connections[index]
            try:
                if step == "insert":
                    connection.execute("INSERT INTO t (v) VALUES ('x')")
                elif step == "bad insert":
                    connection.execute("INSERT INTO t (id) VALUES ('not an id')")
                elif step == "select":
                    connection.execute("SELECT count(*) FROM t").fetchall()
                elif step == "commit":
                    connection.commit()
                else:
                    connection.rollback()
            except sqlite3.OperationalError as exc:  # another connection holds the lock
                assert "another writer" in str(exc) and lock.locked()
            except sqlite3.IntegrityError:
                pass
            writing = [c for c in connections if c.in_transaction]
            assert len(writing) <= 1  # never two write transactions at once
            assert lock.locked() == bool(writing)
    finally:
        for connection in connections:
            connection.close()
    assert not lock.locked()


_HOLDER = """
import sqlite3, sys
from api.service.sqlitewrites import connect_args
connection = sqlite3.connect(sys.argv[1], **connect_args())
connection.execute("INSERT INTO t (v) VALUES ('other process')")
print("holding", flush=True)
sys.stdin.readline()
connection.commit()
print("committed", flush=True)
"""


def test_a_writer_of_another_process_is_waited_for_in_the_queue(db: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "holding"
        mine = _connect(db)
        with pytest.raises(sqlite3.OperationalError, match="another writer held it"):
            mine.execute("INSERT INTO t (v) VALUES ('mine')")  # queued, not in SQLite
        assert not mine.in_transaction
        lock = _lock_for(str(db))
        assert lock is not None and not lock.locked()  # given back after the wait
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "committed"
        mine.execute("INSERT INTO t (v) VALUES ('mine')")
        mine.commit()
        rows = [v for (v,) in mine.execute("SELECT v FROM t ORDER BY id")]
        assert rows == ["other process", "mine"]
    finally:
        holder.kill()
        holder.wait()
    mode = stat.S_IMODE(os.stat(f"{db}-writers").st_mode)
    assert mode == 0o600  # private like the database
