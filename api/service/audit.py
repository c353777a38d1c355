"""The audit log: who signed in (or failed to), created, changed, deleted, uploaded, exported or
downloaded what, when, from which address and with which user agent.

:func:`record` adds the entry to the caller's session, so it is committed in the same
transaction as the change it describes (or not at all). The client's address and user agent
come from the request being answered (:class:`RequestContext`, set by :class:`AuditContext`
for every request), so no route has to pass them.

Downloads and exports (maps, sheets, plan documents, routes, staffing files, incident pages)
change nothing, so they are recorded after they are answered (:class:`DownloadAudit`) by a
writer thread (:class:`AuditWriter`) that stores them in batches: a read never waits for the
database's write lock.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.service.authcache import Principal
from api.service.models import AuditEntry, User, utcnow

log = logging.getLogger(__name__)

#: Longest user agent kept (the column's size).
MAX_USER_AGENT = 300


@dataclass(frozen=True)
class RequestContext:
    """Where a request came from."""

    client_address: str | None
    user_agent: str | None


_request: ContextVar[RequestContext | None] = ContextVar("gridpatrol_audit_request", default=None)


def current_request() -> RequestContext | None:
    """The context of the request being answered (``None`` outside a request: the CLI)."""
    return _request.get()


def request_context(scope: Scope) -> RequestContext:
    """The client address (the peer of the connection) and user agent of ``scope``."""
    client = scope.get("client")
    agent = next((v for k, v in scope.get("headers", []) if k == b"user-agent"), None)
    return RequestContext(
        client_address=str(client[0])[:64] if client else None,
        user_agent=agent.decode("latin-1")[:MAX_USER_AGENT] if agent is not None else None,
    )


def record(
    session: Session,
    user: User | Principal | None,
    action: str,
    resource_type: str,
    resource_id: int | None,
    *,
    area_id: int | None = None,
    detail: dict[str, Any] | None = None,
    username: str | None = None,
) -> AuditEntry:
    """Add an audit entry to ``session`` (committed with the change).

    ``username`` names the account when there is no ``user`` (a failed sign-in).
    """
    context = current_request()
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else (username or None),
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        area_id=area_id,
        detail=detail or {},
        client_address=context.client_address if context else None,
        user_agent=context.user_agent if context else None,
    )
    session.add(entry)
    return entry


class AuditContext:
    """Pure ASGI middleware: makes the request's :class:`RequestContext` current while it is
    answered (routes run in worker threads, which inherit it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _request.set(request_context(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            _request.reset(token)


#: Where the signed-in user of a request is left for :class:`DownloadAudit`
#: (``scope["state"][AUDIT_USER_KEY]``, set by the authentication dependencies).
AUDIT_USER_KEY = "audit_user"

#: Downloads and exports, by path: (pattern, resource type, action).
DOWNLOADS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^/plans/(\d+)/map$"), "plan", "export_map"),
    (re.compile(r"^/plans/(\d+)/sheets/([\w.-]+)$"), "plan", "export_sheets"),
    (re.compile(r"^/plans/(\d+)/document$"), "plan", "download_document"),
    (re.compile(r"^/plans/(\d+)/routes$"), "plan", "download_routes"),
    (re.compile(r"^/plans/(\d+)/result$"), "plan", "download_result"),
    (re.compile(r"^/plans/(\d+)/review(?:\.(pdf|xlsx))?$"), "plan", "export_review"),
    (re.compile(r"^/areas/(\d+)/monthly(?:\.(pdf|xlsx))?$"), "area", "export_monthly"),
    (re.compile(r"^/areas/(\d+)/weekly(?:\.(pdf|xlsx))?$"), "area", "export_weekly"),
    (re.compile(r"^/review-jobs/(\d+)/files/([\w.-]+)$"), "review_job", "export_file"),
    (re.compile(r"^/staffing/(\d+)/files/([\w.-]+)$"), "staffing", "export_file"),
    (re.compile(r"^/staffing/(\d+)/table$"), "staffing", "download_table"),
    (re.compile(r"^/datasets/(\d+)/incidents$"), "dataset", "download_incidents"),
    (re.compile(r"^/grids/(\d+)/cells$"), "grid", "download_cells"),
    (re.compile(r"^/areas/(\d+)/layers$"), "area", "download_layers"),
)


def download_of(method: str, path: str) -> tuple[str, str, int, str | None] | None:
    """``(resource type, action, id, format)`` when ``method path`` is a download or export."""
    if method != "GET":
        return None
    for pattern, resource, action in DOWNLOADS:
        match = pattern.match(path)
        if match:
            fmt = match.group(2) if match.re.groups > 1 else None
            return resource, action, int(match.group(1)), fmt
    return None


class AuditWriter:
    """A thread storing queued audit entries in batches (one transaction each).

    Parameters
    ----------
    sessions
        Sessions on the service's database.
    max_queue
        Entries waiting at most; beyond, an entry is written at once by the caller's thread.
    """

    def __init__(self, sessions: sessionmaker[Session], max_queue: int = 10_000) -> None:
        self._sessions = sessions
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(max_queue)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Store what is queued and end the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None
        self.flush()

    def put(self, row: dict[str, Any]) -> None:
        """Queue one entry (the columns of :class:`AuditEntry`); stored now if the writer does
        not run or is behind."""
        if self._thread is None:
            self._store([row])
            return
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self._store([row])

    def flush(self) -> None:
        """Store everything queued now (in the caller's thread)."""
        rows: list[dict[str, Any]] = []
        while True:
            try:
                row = self._queue.get_nowait()
            except queue.Empty:
                break
            if row is not None:
                rows.append(row)
        if rows:
            self._store(rows)

    def _run(self) -> None:
        while True:
            row = self._queue.get()
            if row is None:
                return
            rows = [row]
            while len(rows) < 500:
                try:
                    more = self._queue.get(timeout=0.2)
                except queue.Empty:
                    break
                if more is None:
                    self._store(rows)
                    return
                rows.append(more)
            self._store(rows)

    def _store(self, rows: list[dict[str, Any]]) -> None:
        try:
            with self._sessions() as session, session.begin():
                session.execute(insert(AuditEntry), rows)
        except SQLAlchemyError:  # the log must not take the service down; say so loudly
            log.exception("could not store %d audit entries", len(rows))


class DownloadAudit:
    """Pure ASGI middleware: a download or export (:data:`DOWNLOADS`) answered 200 to a
    signed-in user is queued for the audit log (:class:`AuditWriter`)."""

    def __init__(self, app: ASGIApp, writer: AuditWriter) -> None:
        self.app = app
        self.writer = writer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        what = download_of(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if what is None:
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        user = scope.get("state", {}).get(AUDIT_USER_KEY)
        if status != 200 or user is None:
            return
        resource, action, item_id, fmt = what
        context = request_context(scope)
        query = scope.get("query_string", b"").decode("latin-1")[:200]
        detail: dict[str, Any] = {"path": scope["path"]}
        if fmt:
            detail["format"] = fmt
        if query:
            detail["query"] = query
        at: datetime = utcnow()
        self.writer.put(
            {
                "at": at,
                "user_id": user[0],
                "username": user[1],
                "action": action,
                "resource_type": resource,
                "resource_id": item_id,
                "area_id": None,
                "detail": detail,
                "client_address": context.client_address,
                "user_agent": context.user_agent,
            }
        )
