"""Start-up of the service in one function: :func:`create_app`.

``create_app(settings)`` opens the database, runs the Alembic migrations, marks plans left
queued or running by a crash as failed, and builds the FastAPI application; the plan runner
starts with the application's lifespan (so ``TestClient(app)`` used as a context manager, or
uvicorn, runs plans).
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api.service.authcache import TtlCache, WriteInvalidation
from api.service.cache import LruCache
from api.service.db import make_engine, make_session_factory
from api.service.deps import ServiceState
from api.service.errors import install_handlers
from api.service.jobs import JobRunner, recover_interrupted
from api.service.migrations import upgrade
from api.service.ratelimit import TokenBucketLimiter
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
    """Answers 413 to requests whose declared ``Content-Length`` is over the limit.

    Uploads without a length (chunked) are counted while they are copied (see the datasets
    route), so either way nothing over the limit is stored.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for key, value in scope.get("headers", []):
                if key == b"content-length":
                    try:
                        length = int(value)
                    except ValueError:
                        length = 0
                    if length > self.max_bytes:
                        body = json.dumps(
                            {
                                "detail": "the request is larger than the limit of "
                                f"{self.max_bytes / 1024 / 1024:g} MB"
                            }
                        ).encode()
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
                        return
                    break
        await self.app(scope, receive, send)


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
    runner = JobRunner(url, sessions, settings.job_workers) if settings.job_workers > 0 else None
    state = ServiceState(
        settings=settings,
        database_url=url,
        sessions=sessions,
        secret_key=settings.resolved_secret_key(),
        limiter=TokenBucketLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst),
        runner=runner,
        map_cache=LruCache(settings.map_cache_size),
        read_cache=LruCache(settings.map_cache_size * 8),
        principals=TtlCache(4096),
        heads=TtlCache(4096),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The service holds many long-lived objects (geopandas, OR-Tools, folium, the ORM):
        # moving them out of the collector's reach keeps full collections, which otherwise
        # pause every request for tens of milliseconds under load, short.
        gc.collect()
        gc.freeze()
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()
            engine.dispose()

    app = FastAPI(
        title="gridpatrol",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = state
    install_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD)
    app.add_middleware(WriteInvalidation, caches=(state.principals, state.heads))
    for router in ROUTERS:
        app.include_router(router)
    install_web(app)
    return app


def _version() -> str:
    from api.service.routes.health import _version as version

    return version()
