"""Writers of one SQLite file queue for it in order, not in SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the file locked by
another waits in SQLite's busy handler, which sleeps in growing steps (1, 2, 5, 10 ... 100 ms)
and checks again, so a writer behind another often sleeps long after the lock is free: under
load the service's commits took 1.7 ms of CPU but 21 ms at the median and 450 ms at the 99th
percentile. Here every write transaction of a process on a file first takes that file's
lock (:class:`WriteLock`: a thread lock, whose waiters are woken the moment it is released,
then a ``flock`` on a file beside the database, which the other processes on it take too),
from its first writing statement until its commit or rollback, so the request threads, the
audit writer, the other web processes and the plan jobs queue in order instead of sleeping
in SQLite.

:func:`connect_args` gives the ``connect_args`` of an engine; SQLAlchemy passes them to
:func:`sqlite3.connect`.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: the lock of the process only
    fcntl = None  # type: ignore[assignment]

#: Statements that need the write lock (SQLite takes it at the first of them in a
#: transaction, or at ``BEGIN IMMEDIATE``/``EXCLUSIVE``).
_WRITES = re.compile(
    r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|REINDEX|VACUUM|"
    r"BEGIN\s+(?:IMMEDIATE|EXCLUSIVE))\b",
    re.IGNORECASE,
)


class WriteLock:
    """The writers' lock of one database file: a thread lock in this process, then an
    advisory lock (``flock``) on the file ``<database>-writers`` beside it, shared by every
    process on the database. A thread waiting for the first is woken the moment it is free;
    only the holder of the first waits for the second, polling every 0.5 to 2 ms (not up
    to 100 ms as SQLite's busy handler). Without ``fcntl`` (Windows) or where the file cannot
    be made (a read-only folder), other processes meet in SQLite's busy handler as before.
    """

    def __init__(self, database: str) -> None:
        self._threads = threading.Lock()
        self._path = database + "-writers"
        self._fd: int | None = None
        self._no_file = fcntl is None

    def locked(self) -> bool:
        """Whether a writer of this process holds it."""
        return self._threads.locked()

    def acquire(self, timeout_s: float) -> bool:
        """Take both locks within ``timeout_s`` seconds; whether it did."""
        deadline = time.monotonic() + timeout_s
        if not self._threads.acquire(timeout=timeout_s):
            return False
        try:
            if self._across_processes(deadline):
                return True
        except BaseException:
            self._threads.release()
            raise
        self._threads.release()
        return False

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _across_processes(self, deadline: float) -> bool:
        fd = self._file()
        if fd is None:
            return True
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(pause)
                pause = min(2 * pause, 0.002)

    def _file(self) -> int | None:
        if self._fd is None and not self._no_file:
            try:  # private like the database beside it
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                self._no_file = True
        return self._fd


_locks: dict[str, WriteLock] = {}
_locks_guard = threading.Lock()


def _lock_for(database: str) -> WriteLock | None:
    """The writers' lock of the file ``database``; ``None`` for a database in memory (each
    connection has its own, nothing to queue for)."""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return None
    key = os.path.realpath(database.removeprefix("file:").split("?", 1)[0])
    with _locks_guard:
        found = _locks.get(key)
        if found is None:
            found = _locks[key] = WriteLock(key)
        return found


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
        if not self._write_lock.acquire(self._wait_s):
            raise sqlite3.OperationalError(
                f"database is locked (another writer held it for more than {self._wait_s:g} s)"
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
