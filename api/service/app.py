"""Start-up of the service in one function: :func:`create_app`.

``create_app(settings)`` opens the database, runs the Alembic migrations, marks plans left
queued or running by a crash as failed, and builds the FastAPI application; the plan runner
starts with the application's lifespan (so ``TestClient(app)`` used as a context manager, or
uvicorn, runs plans).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.service import lanes
from api.service.audit import AuditContext, AuditWriter, DownloadAudit
from api.service.authcache import TtlCache, invalidate_on_deletions
from api.service.cache import LruCache
from api.service.collector import FullCollections
from api.service.db import make_engine, make_session_factory
from api.service.deps import ServiceState, make_check_engine
from api.service.errors import UploadTooLargeError, install_handlers
from api.service.jobs import JobRunner, recover_interrupted
from api.service.migrations import upgrade
from api.service.models import Area, IncidentDataset, PlanJob
from api.service.ratelimit import Limiter, SharedTokenBucketLimiter, TokenBucketLimiter
from api.service.routes import ROUTERS
from api.service.settings import Settings
from api.web import install_web

log = logging.getLogger(__name__)

#: Room for multipart boundaries and form fields beyond the file itself.
MULTIPART_OVERHEAD = 64 * 1024

DESCRIPTION = """\
Plan police street patrols from a grid: areas, incident datasets, hotspots, background plans,
maps, route sheets and staffing proposals. Every operation except `/health` and the docs needs
`Authorization: Bearer <token>` (a JWT from `POST /auth/token` or an API token) or the web
pages' session cookie (writes with the cookie also need its `X-CSRF-Token`). Users see only
their areas' data (other areas answer 404); viewers cannot change anything (403). The
coordinators' web pages are at `/web/`.
Only places, times and categories of incidents are stored: no personal data.
"""


class BodySizeLimit:
    """Answers 413 to a request body over the limit, declared or not.

    A declared ``Content-Length`` over the limit is refused before anything is read; a body
    without one (chunked) is counted while it streams in, and the read that passes the limit
    raises :class:`~api.service.errors.UploadTooLargeError` (413) in whoever reads it (the
    multipart parser spooling an upload to a temporary file), so at most the limit is ever
    written to disk.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send) -> None:
        limit_mb = self.max_bytes / 1024 / 1024
        detail = f"the request is larger than the limit of {limit_mb:g} MB"
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = 0
                if length > self.max_bytes:
                    await self._refuse(send)
                    return
                break
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise UploadTooLargeError(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except UploadTooLargeError:
            # Read outside a route (no exception handler saw it): answer here if we still can.
            if started:
                raise
            await self._refuse(send)


#: Content-Security-Policy of HTML answers that set none of their own (the maps and the API
#: docs): the maps are self-contained folium pages, so inline script and style are needed,
#: but nothing is loaded from elsewhere except map tiles (images), nothing may be posted
#: elsewhere, and only pages of this service may frame them.
HTML_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


class SecurityHeaders:
    """Pure ASGI middleware: ``X-Content-Type-Options: nosniff`` on every answer, and on HTML
    answers without a policy of their own :data:`HTML_CSP` (whose ``frame-ancestors`` keeps
    other sites from framing them) and ``Referrer-Policy: same-origin``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {key.lower() for key, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                content_type = next(
                    (value for key, value in headers if key.lower() == b"content-type"), b""
                )
                if content_type.lower().startswith(b"text/html"):
                    if b"content-security-policy" not in names:
                        headers.append((b"content-security-policy", HTML_CSP.encode()))
                    if b"referrer-policy" not in names:
                        headers.append((b"referrer-policy", b"same-origin"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class JsonBodyError(ValueError):
    """A JSON request body that is not strict JSON (NaN, Infinity, 1e400, bad Unicode)."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonBodyError(f"the number {text[:40]} is beyond the range of a double")
    return value


def _no_constant(text: str) -> Any:
    raise JsonBodyError(f"{text} is not a JSON number; send a finite number or null")


def parse_strict_json(body: bytes) -> Any:
    """Parse ``body`` as strict JSON (RFC 8259): UTF-8, finite numbers only, no lone
    surrogates in strings.

    Raises
    ------
    JsonBodyError
        Naming what is wrong.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonBodyError(
            f"the body is not UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from None
    try:
        value = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise JsonBodyError(
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except ValueError as exc:  # a number too long to convert, or JsonBodyError itself
        raise JsonBodyError(str(exc)) from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonBodyError(
            "a string holds a lone UTF-16 surrogate (\\ud800-\\udfff without its pair); send "
            "valid Unicode"
        ) from None
    return value


class StrictJsonBody:
    """Pure ASGI middleware: a JSON request body must be strict JSON (:func:`parse_strict_json`),
    else the answer is 422 before any route sees it. The body is read here (it is bounded by
    :class:`BodySizeLimit`, which runs first) and handed on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        content_type = next(
            (v for k, v in scope.get("headers", []) if k == b"content-type"), b""
        ).lower()
        media = content_type.split(b";", 1)[0].strip()
        if not (media == b"application/json" or media.endswith(b"+json")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                parse_strict_json(body)
            except JsonBodyError as exc:
                answer = json.dumps(
                    {"detail": [{"type": "json_invalid", "loc": ["body"], "msg": str(exc)}]}
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 422,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(answer)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": answer})
                return
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": body, "more_body": False}], receive),
            send,
        )


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` first, then defers to ``receive``."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service for ``settings`` (default: from ``GRIDPATROL_*`` variables).

    Runs the migrations and the crash recovery now; the plan runner starts with the
    application's lifespan and stops with it.
    """
    settings = settings if settings is not None else Settings()
    url = settings.resolved_database_url()
    engine = make_engine(url)
    if settings.run_migrations:
        upgrade(engine)
    sessions = make_session_factory(engine)
    recovered = recover_interrupted(sessions)
    if recovered:
        log.warning("%d plan(s) were interrupted by a service restart and marked failed", recovered)
    runner = JobRunner.from_settings(url, sessions, settings)
    state = ServiceState(
        settings=settings,
        database_url=url,
        sessions=sessions,
        secret_key=settings.resolved_secret_key(),
        limiter=_limiter(settings, url),
        runner=runner,
        map_cache=LruCache(settings.map_cache_size),
        read_cache=LruCache(settings.map_cache_size * 8),
        principals=TtlCache(4096),
        heads=TtlCache(4096),
        check_engine=make_check_engine(url),
    )

    audit_writer = AuditWriter(sessions)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The service holds many long-lived objects (geopandas, OR-Tools, folium, the ORM):
        # moving them out of the collector's reach keeps full collections short, and the
        # service runs those itself, when no request waits for them (api/service/collector.py).
        gc.collect()
        gc.freeze()
        collecting: asyncio.Task[None] | None = None
        long_request_ended = None
        if settings.gc_full_every_s > 0:
            state.collections = FullCollections(lanes.idle, every_s=settings.gc_full_every_s)
            collecting = asyncio.create_task(state.collections.run())
            long_request_ended = state.collections.long_request_ended
        lanes.configure(
            settings.web_threads,
            settings.long_request_threads,
            settings.active_requests,
            settings.admission_wait_s,
            on_long_request_end=long_request_ended,
        )
        audit_writer.start()
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if collecting is not None:
                collecting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await collecting
            state.collections = None
            if runner is not None:
                runner.stop()
            audit_writer.stop()
            state.close_databases()

    app = FastAPI(
        title="gridpatrol",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from the installation by install_docs, not from a CDN
        redoc_url=None,
    )
    app.state.service = state
    install_handlers(app)
    # Added last runs first: security headers on every answer, the size bound, then strict
    # JSON.
    app.add_middleware(StrictJsonBody)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD)
    # Principals are confirmed against the database on every request (deps.credential_holds),
    # so writes need not drop them; job heads are dropped when this process deletes a plan,
    # an area or a dataset (a finished job changes in no other way).
    invalidate_on_deletions(state.sessions, state.heads, (PlanJob, Area, IncidentDataset))
    app.add_middleware(DownloadAudit, writer=audit_writer)
    app.add_middleware(AuditContext)
    app.add_middleware(SecurityHeaders)
    for router in ROUTERS:
        app.include_router(router)
    install_web(app)
    install_docs(app)
    return app


def _limiter(settings: Settings, url: str) -> Limiter:
    """The per-user rate limiter: shared through the database when several web processes
    serve it (``shared_rate_limit``), else in this process's memory. The shared one has its
    own engine: it is called on the event loop too, and its connections are only ever held
    for one statement, so the loop never waits for a connection held by a request thread."""
    if settings.shared_rate_limit:
        return SharedTokenBucketLimiter(
            make_engine(url), settings.rate_limit_per_minute, settings.rate_limit_burst
        )
    return TokenBucketLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)


#: Where the Swagger UI files of the installation (package ``swagger-ui-bundle-v2``) are served.
DOCS_ASSETS = "/docs/assets"


def install_docs(app: FastAPI) -> None:
    """Serve the interactive API docs at ``/docs`` with Swagger UI's script and stylesheet from
    the installation (``swagger_ui_bundle``), so the page works on a network without internet.
    """
    from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} – API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def docs_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def _version() -> str:
    from api.service.routes.health import _version as version

    return version()
