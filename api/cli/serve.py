"""``gridpatrol serve``: run the REST service with uvicorn (SQLite by default, no set-up).

Settings come from ``GRIDPATROL_*`` environment variables (see
:class:`api.service.settings.Settings`). On the first start of an empty database an ``admin``
user is created, so the service is usable straight away: with the password in
``GRIDPATROL_ADMIN_PASSWORD`` if set, else a random one written to
``<data_dir>/initial-admin-password`` (mode 0600 in a 0700 folder). The password itself is
never printed or logged; only where to find it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli.app import UserError, app, console

#: Where the first admin's generated password is written, in the data directory.
ADMIN_PASSWORD_FILE = "initial-admin-password"
#: Environment variable that sets the first admin's password instead.
ADMIN_PASSWORD_ENV = "GRIDPATROL_ADMIN_PASSWORD"


def write_secret_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600, replacing any old file)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")


def bootstrap_admin(database_url: str, password: str | None = None) -> str | None:
    """Create user ``admin`` if there is no user, with ``password`` or a random one; return
    the password (``None`` when there were users already)."""
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
            password = password or secrets.token_urlsafe(18)
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
            help="Create user 'admin' when the database has no user (password from "
            "GRIDPATROL_ADMIN_PASSWORD, else written to <data dir>/initial-admin-password).",
        ),
    ] = True,
    web_workers: Annotated[
        int,
        typer.Option(
            "--web-workers",
            min=1,
            max=64,
            help="Web server processes on the one database (PostgreSQL for more than one "
            "machine); each also runs up to --workers jobs, claimed from the database.",
        ),
    ] = 1,
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

    # Everything the server writes (database, secret, caches, temporary uploads) is its own.
    os.umask(0o077)
    settings = Settings() if workers is None else Settings(job_workers=max(0, workers))
    url = settings.resolved_database_url()
    con = console()
    con.print(f"Database: {_display_url(url)}")
    if bootstrap:
        given = os.environ.get(ADMIN_PASSWORD_ENV) or None
        if given is not None and len(given) < 8:
            raise UserError(f"{ADMIN_PASSWORD_ENV}: the password must have at least 8 characters")
        password = bootstrap_admin(url, given)
        if password is not None and given is not None:
            con.print(f"No users yet: created user [bold]admin[/] with {ADMIN_PASSWORD_ENV}.")
        elif password is not None:
            path = settings.private_data_dir() / ADMIN_PASSWORD_FILE
            write_secret_file(path, password)
            con.print(
                "No users yet: created user [bold]admin[/]; its password is in "
                f"[bold]{path}[/] (readable by you only). Sign in, change it "
                "(PATCH /users/{id}) and delete the file."
            )
    if web_workers > 1:
        _serve_processes(settings, url, host, port, web_workers, access_log)
        return
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


def _serve_processes(
    settings: Any, url: str, host: str, port: int, processes: int, access_log: bool
) -> None:
    """Run ``processes`` uvicorn worker processes of :func:`api.service.app.create_app`, on
    Linux each with a listening socket of its own (:mod:`api.service.webprocesses`).

    The migrations run once here, before the processes start, and the secret is resolved
    once, so the processes share it; each process builds its app from the same
    ``GRIDPATROL_*`` settings. Jobs are claimed from the database, so the processes' runners
    never run a job twice. The rate limit is shared through the database
    (``GRIDPATROL_SHARED_RATE_LIMIT``); cached credentials are confirmed against the database
    on every request (see docs/service.md, "Several web processes").
    """
    import uvicorn

    from api.service.db import make_engine
    from api.service.migrations import upgrade
    from api.service.webprocesses import WebProcessSpec, kernel_balances, serve_web_processes

    engine = make_engine(url, pooled=False)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    os.environ["GRIDPATROL_DATABASE_URL"] = url
    settings.resolved_secret_key()  # written once now if generated; the processes read it
    os.environ["GRIDPATROL_JOB_WORKERS"] = str(settings.job_workers)
    os.environ["GRIDPATROL_RUN_MIGRATIONS"] = "false"
    os.environ["GRIDPATROL_SHARED_RATE_LIMIT"] = "true"

    def announce(bound: int) -> None:
        console().print(
            f"Serving on http://{host}:{bound} with {processes} web processes (API docs at /docs)"
        )

    loop, http = _best("uvloop", "asyncio"), _best("httptools", "h11")
    if kernel_balances():  # a listening socket per process: connections spread evenly
        spec = WebProcessSpec("api.service.app:create_app", host, port, access_log, loop, http)
        try:
            code = serve_web_processes(spec, processes, announce)
        except OSError as exc:
            raise UserError(
                f"--port {port}: cannot listen on {host}:{port} ({exc.strerror}); "
                "choose another port with --port"
            ) from exc
        if code:
            raise typer.Exit(code)
        return
    announce(port)
    uvicorn.run(
        "api.service.app:create_app",
        factory=True,
        workers=processes,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        loop=loop,
        http=http,
    )


def _best(fast: str, fallback: str) -> str:
    """``fast`` (uvloop, httptools: C event loop and HTTP parser) if installed, else
    ``fallback``."""
    import importlib.util

    return fast if importlib.util.find_spec(fast) is not None else fallback


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
