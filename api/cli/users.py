"""``gridpatrol user``: add service users and mint API tokens from the command line.

Works on the database the service uses (``GRIDPATROL_DATABASE_URL`` or the SQLite default).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.app import UserError, app, console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

user_app = typer.Typer(help="Service users: add them and mint API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@contextmanager
def _session() -> Iterator[Session]:
    from api.service.db import make_engine, make_session_factory, transaction
    from api.service.migrations import upgrade
    from api.service.settings import Settings

    engine = make_engine(Settings().resolved_database_url(), pooled=False)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _area_ids(session: Session, areas: list[str]) -> list[int]:
    from sqlalchemy import select

    from api.service.models import Area

    ids: list[int] = []
    for given in areas:
        found = session.scalar(select(Area.id).where(Area.name == given))
        if found is None and given.isdigit():
            found = session.scalar(select(Area.id).where(Area.id == int(given)))
        if found is None:
            raise UserError(f"--area: no area named or numbered {given!r}")
        ids.append(found)
    return ids


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option("--role", help="admin, coordinator or viewer.")] = "viewer",
    area: Annotated[
        list[str] | None, typer.Option("--area", help="Area name or id (repeatable).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a user; the password is read from stdin or prompted for (never an argument)."""
    from fastapi import HTTPException

    from api.service import audit
    from api.service.models import Role
    from api.service.routes.users import create_user

    if role not in {r.value for r in Role}:
        raise UserError(f"--role: expected admin, coordinator or viewer, got {role!r}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    from pydantic import ValidationError

    from api.service.schemas import UserCreate

    try:  # the same rules as POST /users: a plain user name, a password of 8 characters or more
        UserCreate(username=name, password=password, role=Role(role))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise UserError(
            f"{problems} (user names may hold A-Z, a-z, 0-9 and _ . @ -; passwords at least 8 "
            "characters)"
        ) from None
    try:
        with _session() as session:
            user = create_user(session, name, password, role, _area_ids(session, area or []))
            audit.record(
                session,
                None,
                "create",
                "user",
                user.id,
                detail={"username": name, "role": role, "via": "command line"},
            )
            user_id, areas = user.id, user.area_ids
    except HTTPException as exc:
        raise UserError(str(exc.detail)) from None
    console().print(f"User {name!r} (id {user_id}) added as {role}; areas: {areas or 'none'}")


@user_app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="User name.")],
    label: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="Lifetime in days (default: none).")
    ] = None,
) -> None:
    """Mint an API token for a user and print it (once; only its hash is stored)."""
    from sqlalchemy import select

    from api.service import audit
    from api.service.models import User
    from api.service.routes.users import mint_token

    with _session() as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise UserError(f"no user named {name!r}")
        created = mint_token(session, user, label, expires_days)
        audit.record(session, None, "create", "api_token", created.id, detail={"user_id": user.id})
    sys.stdout.write(created.token + "\n")
