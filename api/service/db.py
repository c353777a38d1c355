"""Engines and sessions from a database URL (SQLite by default, PostgreSQL with PostGIS).

SQLite gets write-ahead logging, a busy timeout and foreign keys, because the service and its
plan workers (other processes) write to the same file, and its writers of one process queue
in the process (:mod:`api.service.sqlitewrites`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from api.service.sqlitewrites import connect_args as sqlite_connect_args

#: The web server's worker threads (anyio's default), which the pool keeps connections for.
POOL_THREADS = 40


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def load_json_column(text: str | bytes) -> Any:
    """A JSON column's value: parsed by orjson (several times faster than the standard
    library on an area's boundary and polygons, read on every area request), or by
    :func:`json.loads` where orjson is stricter (``NaN``, integers beyond 64 bits), so every
    stored value still reads back."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for ``url``; ``pooled=False`` for short-lived worker processes."""
    kwargs: dict[str, Any] = {"json_deserializer": load_json_column}
    if is_sqlite(url):
        kwargs["connect_args"] = sqlite_connect_args()
    else:
        kwargs["pool_pre_ping"] = True
    if not pooled:
        kwargs["poolclass"] = NullPool
    else:
        # Kept connections for every worker thread of the web server (40) and its writers: with
        # SQLAlchemy's default (5 kept, 10 more opened and closed again) requests under load
        # waited for a connection or paid for opening one (PRAGMAs, WAL) each time. A SQLite
        # connection is a file handle; a PostgreSQL one a server process, so fewer are kept.
        kwargs["pool_size"], kwargs["max_overflow"] = (
            (POOL_THREADS, 10) if is_sqlite(url) else (POOL_THREADS // 2, POOL_THREADS // 2)
        )
    engine = create_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _is_memory(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(row[1] == "main" and not row[2] for row in rows)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back entirely on error."""
    with factory() as session, session.begin():
        yield session
