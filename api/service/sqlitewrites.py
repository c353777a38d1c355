"""Writers of one SQLite file queue in this process, not in SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the file locked by
another waits in SQLite's busy handler, which sleeps in growing steps (1, 2, 5, 10 ... 100 ms)
and checks again, so a writer behind another often sleeps long after the lock is free: under
load the service's commits took 1.7 ms of CPU but 21 ms at the median and 450 ms at the 99th
percentile. Here every write transaction of a process on a file first takes that file's
lock in the process (a :class:`threading.Lock`, whose waiters are woken the moment it is
released), from its first writing statement until its commit or rollback, so the request
threads and the audit writer of one server queue in order and none of them sleeps in
SQLite. Other processes on the file (plan jobs, other web processes) still meet in SQLite's
busy handler; they write rarely.

:func:`connect_args` gives the ``connect_args`` of an engine; SQLAlchemy passes them to
:func:`sqlite3.connect`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

#: Statements that need the write lock (SQLite takes it at the first of them in a
#: transaction, or at ``BEGIN IMMEDIATE``/``EXCLUSIVE``).
_WRITES = re.compile(
    r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|REINDEX|VACUUM|"
    r"BEGIN\s+(?:IMMEDIATE|EXCLUSIVE))\b",
    re.IGNORECASE,
)

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(database: str) -> threading.Lock | None:
    """The write lock of the file ``database`` in this process; ``None`` for a database in
    memory (each connection has its own, nothing to queue for)."""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    key = os.path.realpath(database.removeprefix("file:").split("?", 1)[0])
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def is_write(sql: str) -> bool:
    """Whether ``sql`` needs SQLite's write lock."""
    return _WRITES.match(sql) is not None


class QueuedWriteConnection(sqlite3.Connection):
    """A :class:`sqlite3.Connection` whose write transactions hold their file's lock in the
    process (see the module)."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._write_lock = _lock_for(os.fsdecode(database))
        self._wait_s = float(kwargs.get("timeout", 5.0))
        self._holding = False

    def _before(self, sql: str) -> None:
        if self._write_lock is None or self._holding or not is_write(sql):
            return
        if not self._write_lock.acquire(timeout=self._wait_s):
            raise sqlite3.OperationalError(
                f"database is locked (another writer of this process held it for more "
                f"than {self._wait_s:g} s)"
            )
        self._holding = True

    def _after(self) -> None:
        """Release the lock once no transaction is open (committed, rolled back, or a write
        that opened none: autocommit, or a statement that failed)."""
        if self._holding and not self.in_transaction:
            self._holding = False
            assert self._write_lock is not None
            self._write_lock.release()

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or QueuedWriteCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        return self.cursor().executemany(sql, parameters)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._after()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._after()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._holding:
                self._holding = False
                assert self._write_lock is not None
                self._write_lock.release()


class QueuedWriteCursor(sqlite3.Cursor):
    """A cursor of :class:`QueuedWriteConnection`: takes the write lock before a writing
    statement, gives it back when the statement left no transaction open."""

    connection: QueuedWriteConnection

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        self.connection._before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection._after()

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        self.connection._before(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            self.connection._after()


def connect_args(timeout_s: float = 30.0) -> dict[str, Any]:
    """``connect_args`` of a SQLite engine used from several threads: connections that queue
    their writes in the process, and SQLite's busy timeout for the other processes."""
    return {"check_same_thread": False, "timeout": timeout_s, "factory": QueuedWriteConnection}
