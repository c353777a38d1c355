"""``gridpatrol serve``: run the REST service with uvicorn (SQLite by default, no set-up).

Settings come from ``GRIDPATROL_*`` environment variables (see
:class:`api.service.settings.Settings`). On the first start of an empty database an ``admin``
user is created and its password printed once, so the service is usable straight away.
"""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from api.cli.app import app, console


def bootstrap_admin(database_url: str) -> str | None:
    """Create user ``admin`` with a random password if there is no user; return the password."""
    from sqlalchemy import func, select

    from api.service.db import make_engine, make_session_factory, transaction
    from api.service.migrations import upgrade
    from api.service.models import Role, User
    from api.service.routes.users import create_user

    engine = make_engine(database_url, pooled=False)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        with transaction(sessions) as session:
            if session.scalar(select(func.count()).select_from(User)):
                return None
            password = secrets.token_urlsafe(12)
            create_user(session, "admin", password, Role.ADMIN.value, [])
            return password
    finally:
        engine.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Plans run at the same time, each in its own process "
            "(default GRIDPATROL_JOB_WORKERS or 2). The web server itself is one process.",
        ),
    ] = None,
    bootstrap: Annotated[
        bool,
        typer.Option(
            "--bootstrap-admin/--no-bootstrap-admin",
            help="Create user 'admin' (password printed once) when the database has no user.",
        ),
    ] = True,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request to standard output (off by default: under load the log "
            "costs more than the requests it describes).",
        ),
    ] = False,
) -> None:
    """Run the REST service (API docs at /docs); SQLite under the user's data folder unless
    GRIDPATROL_DATABASE_URL names another database (e.g. PostgreSQL with PostGIS)."""
    import uvicorn

    from api.service.app import create_app
    from api.service.settings import Settings

    settings = Settings() if workers is None else Settings(job_workers=max(0, workers))
    url = settings.resolved_database_url()
    con = console()
    con.print(f"Database: {_display_url(url)}")
    if bootstrap:
        password = bootstrap_admin(url)
        if password is not None:
            con.print(
                "No users yet: created user [bold]admin[/] with password "
                f"[bold]{password}[/] (shown once; change it with PATCH /users/1)."
            )
    service = create_app(settings)
    con.print(f"Serving on http://{host}:{port} (API docs at /docs)")
    uvicorn.run(
        service,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        loop=_best("uvloop", "asyncio"),
        http=_best("httptools", "h11"),
    )


def _best(fast: str, fallback: str) -> str:
    """``fast`` (uvloop, httptools: C event loop and HTTP parser) if installed, else
    ``fallback``."""
    import importlib.util

    return fast if importlib.util.find_spec(fast) is not None else fallback


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
