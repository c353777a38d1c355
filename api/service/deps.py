"""Dependencies of the routes as ``Annotated`` aliases: session, current user, roles, scope.

A user signs in with ``Authorization: Bearer <token>`` (a JWT or an API token) or, from the web
pages, with the session cookie holding the JWT; a cookie-authenticated request that changes
something must also send the session's CSRF token in ``X-CSRF-Token`` (403 otherwise).
A user sees only the areas granted to it (admins see all); anything in another area answers
404, as if it did not exist. Viewers read; coordinators and admins write (403 otherwise).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import ClauseElement
from starlette.concurrency import run_in_threadpool

from api.service.audit import AUDIT_USER_KEY
from api.service.authcache import Principal, TtlCache
from api.service.collector import FullCollections
from api.service.errors import ForbiddenError, NotFoundError, UnauthorizedError
from api.service.models import ACTIVE_STATES, ApiToken, Area, RevokedToken, Role, User, utcnow
from api.service.ratelimit import Limiter
from api.service.schemas import MAX_ID
from api.service.security import (
    CSRF_HEADER,
    SESSION_COOKIE,
    TokenError,
    csrf_matches,
    decode_access_claims,
    hash_api_token,
    is_api_token,
)
from api.service.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.sql.compiler import SQLCompiler

    from api.service.cache import LruCache
    from api.service.jobs import JobRunner


@dataclass
class ServiceState:
    """What the routes share, kept on ``app.state.service``."""

    settings: Settings
    database_url: str
    sessions: sessionmaker[Session]
    secret_key: str
    limiter: Limiter
    runner: JobRunner | None
    map_cache: LruCache[bytes]
    read_cache: LruCache[bytes]
    #: Verified credentials by their SHA-256, with what the database must still hold for
    #: them (checked on every request; see :mod:`api.service.authcache`).
    principals: TtlCache[tuple[Principal, Credential]]
    #: Heads of finished jobs by ``(table, id)``.
    heads: TtlCache[JobHead]
    #: The engine of the credential checks on the event loop (:func:`make_check_engine`);
    #: ``None``: the request pool's.
    check_engine: Engine | None = None
    #: When this web process runs full garbage collections (:mod:`api.service.collector`);
    #: ``None`` outside the application's lifespan or with CPython's own schedule.
    collections: FullCollections | None = None

    def close_databases(self) -> None:
        """Close every database connection the service keeps: the request pool's, the
        credential checks' and the shared rate limit's."""
        self.sessions.kw["bind"].dispose()
        if self.check_engine is not None:
            self.check_engine.dispose()
        self.limiter.close()


async def get_state(request: Request) -> ServiceState:
    """The shared state (``async``: no thread is needed to read an attribute)."""
    state: ServiceState = request.app.state.service
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[Session]:
    """A session per request; uncommitted work is rolled back when the request ends.

    ``async``: opening a session touches no database (its connection is taken at the first
    query, in the route's thread), so no thread is taken to open and close it; under load,
    each thread a request waits for is a turn in the queue of every other request's."""
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


#: Methods that change nothing (no CSRF token needed with the cookie).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _present(token: str | None) -> str:
    """``token`` itself; a missing one is a 401 that says how to send it."""
    if not token:
        raise UnauthorizedError("not authenticated: send Authorization: Bearer <token>")
    return token


def _check_csrf(request: Request, state: ServiceState, cookie: str | None) -> None:
    """A request signed in by the session ``cookie`` that changes something must carry the
    session's CSRF token in the ``X-CSRF-Token`` header (a form on another site cannot).

    Raises
    ------
    ForbiddenError
        When the method is not safe and the header is missing or does not match.
    """
    if request.method not in SAFE_METHODS and not csrf_matches(
        state.secret_key, cookie, request.headers.get(CSRF_HEADER)
    ):
        raise ForbiddenError(
            f"a request signed in by the session cookie that changes something needs the "
            f"session's CSRF token in the {CSRF_HEADER} header"
        )


def _verified_user(
    state: ServiceState, session: Session, token: str | None
) -> tuple[User, float | None]:
    """The active user of ``token`` and when the token expires (POSIX seconds, or ``None``)
    (see :func:`_verified_credential`)."""
    user, expires, _ = _verified_credential(state, session, token)
    return user, expires


def _verified_credential(
    state: ServiceState, session: Session, token: str | None
) -> tuple[User, float | None, Credential]:
    """The active user of ``token``, when the token expires (POSIX seconds, or ``None``) and
    what a cached verification must still find in the database (:class:`Credential`).

    A JWT names its user by the immutable :attr:`User.public_id` and carries the user's
    credential version; an API token keeps the version it was minted under. Either ends when
    the version moves (password, role, areas or status changed, "sign out everywhere"), when
    the user is deleted, and a JWT when its session was signed out (:class:`RevokedToken`).

    Raises
    ------
    UnauthorizedError
        When the token is missing, invalid, expired or revoked, or its user is disabled.
    """
    token = _present(token)
    user: User | None
    expires: float | None
    credential: Credential
    if is_api_token(token):
        record = session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_api_token(token))
        )
        now = utcnow()
        if record is None or record.revoked:
            raise UnauthorizedError("invalid API token")
        if record.expires_at is not None and record.expires_at <= now:
            raise UnauthorizedError("the API token has expired")
        expires = (
            None if record.expires_at is None else record.expires_at.replace(tzinfo=UTC).timestamp()
        )
        user = session.get(User, record.user_id)
        if user is not None and record.credential_version != user.credential_version:
            raise UnauthorizedError(
                "the API token was revoked by a change to its user (password, role, areas or "
                "status); mint a new one"
            )
        credential = Credential(record.credential_version, token_hash=record.token_hash)
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            record.last_used_at = now
            session.commit()
    else:
        try:
            claims = decode_access_claims(token, secret=state.secret_key)
        except TokenError as exc:
            raise UnauthorizedError(str(exc)) from None
        expires = claims.expires
        user = session.scalar(select(User).where(User.public_id == claims.subject))
        if user is not None and claims.version != user.credential_version:
            raise UnauthorizedError(
                "the session ended: the user's password, role, areas or status changed, or it "
                "signed out everywhere; sign in again"
            )
        if session.get(RevokedToken, claims.jti) is not None:
            raise UnauthorizedError("the session was signed out; sign in again")
        credential = Credential(claims.version, public_id=claims.subject, jti=claims.jti)
    if user is None or not user.is_active:
        raise UnauthorizedError("the user of this token does not exist or is disabled")
    return user, expires, credential


@dataclass(frozen=True)
class Credential:
    """What a cached verification of a token must still find in the database: the user's
    credential version it was verified under and, for a JWT, the user's immutable id and the
    session (not signed out); for an API token, its row (not revoked, same version)."""

    version: int
    public_id: str | None = None
    jti: str | None = None
    token_hash: str | None = None


#: The statements of :func:`credential_holds`, built once (a request only binds values).
_TOKEN_HOLDS = (
    select(ApiToken.revoked, ApiToken.credential_version, User.credential_version, User.is_active)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_SESSION_HOLDS = select(
    select(RevokedToken.jti).where(RevokedToken.jti == bindparam("jti")).exists().label("revoked"),
    User.credential_version,
    User.is_active,
).where(User.public_id == bindparam("public_id"))


def make_check_engine(url: str) -> Engine:
    """The engine of :func:`credential_holds`, which runs on the event loop: one connection
    per thread, kept (``SingletonThreadPool``), apart from the request pool, so the loop
    never waits for a pooled connection held by a request thread that waits for the loop."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import SingletonThreadPool

    from api.service.db import is_sqlite
    from api.service.sqlitewrites import connect_args as sqlite_connect_args

    connect_args = sqlite_connect_args() if is_sqlite(url) else {}
    return create_engine(url, poolclass=SingletonThreadPool, connect_args=connect_args)


def credential_holds(state: ServiceState, credential: Credential) -> bool:
    """Whether ``credential`` still holds: one indexed query, so a password, role, area or
    status change, a sign-out (one session or everywhere), a revoked API token or a deleted
    user take effect at the next request in *every* process on the database.

    It runs for every request of a signed-in user, so it goes straight to the driver (the
    statement compiled once per database dialect, no ORM and no result objects): a twentieth
    of the cost of the same query through SQLAlchemy's execution layer."""
    statement: ClauseElement
    values: dict[str, str | None]
    if credential.token_hash is not None:
        statement, values = _TOKEN_HOLDS, {"token_hash": credential.token_hash}
    else:
        statement = _SESSION_HOLDS
        values = {"jti": credential.jti, "public_id": credential.public_id}
    engine = state.check_engine or state.sessions.kw["bind"]
    sql, order = _compiled(engine, statement)
    parameters: Any = values if order is None else tuple(values[name] for name in order)
    try:
        connection = engine.raw_connection()
    except SQLAlchemyError:  # the database is unreachable: verify the full way (it says so)
        return False
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, parameters)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except engine.dialect.loaded_dbapi.Error:  # a lost connection: dropped, verify the full way
        connection.invalidate()
        return False
    finally:
        connection.close()  # back to its pool, its transaction (if any) rolled back
    if row is None:
        return False
    versions = set(row[1:-1])  # the user's (and an API token's own) credential version
    return not row[0] and bool(row[-1]) and versions == {credential.version}


#: The SQL text and positional parameter names (``None``: named) of a statement per dialect.
_COMPILED: dict[tuple[str, int], tuple[str, tuple[str, ...] | None]] = {}


def _compiled(engine: Engine, statement: ClauseElement) -> tuple[str, tuple[str, ...] | None]:
    key = (engine.dialect.name, id(statement))
    found = _COMPILED.get(key)
    if found is None:
        compiled = cast("SQLCompiler", statement.compile(dialect=engine.dialect))
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        found = _COMPILED[key] = (str(compiled), order)
    return found


def rate_limit(state: ServiceState, user_id: int, username: str) -> None:
    """Take one token of the user's rate limit (429 when there is none)."""
    state.limiter.hit(f"user:{user_id}", per_minute=state.settings.rate_limit_users.get(username))


def note_user(request: Request, user_id: int, username: str) -> None:
    """Leave the signed-in user where the download audit finds it (``request.state``)."""
    request.scope.setdefault("state", {})[AUDIT_USER_KEY] = (user_id, username)


def authenticate(state: ServiceState, session: Session, token: str | None) -> User:
    """The user of ``token`` (JWT or API token), after taking one token of its rate limit.

    Raises
    ------
    UnauthorizedError
        When the token is missing, invalid, expired or revoked, or its user is disabled.
    """
    user, _ = _verified_user(state, session, token)
    rate_limit(state, user.id, user.username)
    return user


def get_current_user(
    request: Request, state: StateDep, session: SessionDep, token: TokenDep
) -> User:
    """The signed-in user: from ``Authorization: Bearer`` or else the web session cookie.

    With the cookie, requests other than GET/HEAD/OPTIONS need the session's CSRF token in
    the ``X-CSRF-Token`` header (a form on another site cannot send it).
    """
    if token:
        user = authenticate(state, session, token)
        note_user(request, user.id, user.username)
        return user
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or is_api_token(cookie):
        return authenticate(state, session, None)
    user = authenticate(state, session, cookie)
    note_user(request, user.id, user.username)
    _check_csrf(request, state, cookie)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def _load_principal(state: ServiceState, token: str, key: str) -> Principal:
    """Verify ``token`` against the database and keep the result (see ``authcache``)."""
    generation = state.principals.generation
    with state.sessions() as session:
        user, expires, credential = _verified_credential(state, session, token)
        principal = Principal(
            id=user.id,
            username=user.username,
            role=user.role,
            area_ids=tuple(user.area_ids),
            is_admin=user.is_admin,
        )
    state.principals.put(key, (principal, credential), generation, not_after=expires)
    return principal


def _cached_principal(state: ServiceState, key: str) -> Principal | None:
    """The principal kept for credential ``key`` if the database confirms it still holds
    (one indexed query, :func:`credential_holds`), else ``None`` (and it is forgotten)."""
    cached = state.principals.get(key)
    if cached is None:
        return None
    if credential_holds(state, cached[1]):
        return cached[0]
    state.principals.discard(key)  # revoked or changed: the full check says why (401)
    return None


async def principal_of(state: ServiceState, token: str | None) -> Principal:
    """The principal of ``token``: a credential verified in the last few seconds is only
    confirmed (:func:`_cached_principal`, on the event loop: no thread for a hit), any other
    is verified the full way in a thread (:func:`_load_principal`). No rate limit is taken.

    Raises
    ------
    UnauthorizedError
        When the token is missing, invalid, expired or revoked, or its user is disabled.
    """
    token = _present(token)
    key = hash_api_token(token)
    principal = _cached_principal(state, key)
    if principal is None:
        principal = await run_in_threadpool(_load_principal, state, token, key)
    return principal


async def get_principal(request: Request, state: StateDep, token: TokenDep) -> Principal:
    """The signed-in user as a :class:`Principal` (who it is, its role and areas; no ORM
    object): from ``Authorization: Bearer`` or else the web session cookie, after taking one
    token of its rate limit. A credential verified in the last few seconds is not verified
    again: one indexed query confirms it was not revoked meanwhile, by this process or
    another (:func:`principal_of`).

    With the cookie, requests other than GET/HEAD/OPTIONS need the session's CSRF token in
    the ``X-CSRF-Token`` header (a form on another site cannot send it).
    """
    from_cookie = False
    if not token:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie and not is_api_token(cookie):
            token, from_cookie = cookie, True
    principal = await principal_of(state, token)
    rate_limit(state, principal.id, principal.username)
    note_user(request, principal.id, principal.username)
    if from_cookie:
        _check_csrf(request, state, token)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 for the others); the user is the
    :class:`Principal` of :func:`get_principal` (a route that changes the user itself asks
    for :data:`CurrentUser`)."""
    allowed = {r.value for r in roles}

    async def check(user: CurrentPrincipal) -> Principal:  # no I/O: no thread for it
        if user.role not in allowed:
            if user.role == Role.VIEWER.value:
                raise ForbiddenError("viewers cannot change anything")
            raise ForbiddenError(f"this needs the role {' or '.join(sorted(allowed))}")
        return user

    return check


WriterUser = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.COORDINATOR))]
AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]


def visible_area_ids(user: User | Principal) -> Sequence[int] | None:
    """The areas ``user`` may see; ``None`` means all (admins)."""
    return None if user.is_admin else user.area_ids


def check_area(user: User | Principal, area_id: int | None) -> None:
    """404 unless ``user`` may see area ``area_id``."""
    ids = visible_area_ids(user)
    if ids is not None and area_id not in ids:
        raise NotFoundError("area", area_id)


def get_area(session: Session, user: User | Principal, area_id: int) -> Area:
    """The area ``area_id`` if ``user`` may see it (404 otherwise)."""
    check_area(user, area_id)
    area = session.get(Area, area_id)
    if area is None:
        raise NotFoundError("area", area_id)
    return area


@dataclass(frozen=True)
class JobHead:
    """The few columns of a job row that say who may see it and whether it can still change."""

    id: int
    area_id: int
    state: str
    finished_at: Any
    dataset_id: int | None

    @property
    def cache_key(self) -> tuple[Any, ...]:
        """Identifies this version of a finished job (an id reused after a deletion differs
        by its finish time)."""
        return (self.id, self.state, self.finished_at, self.dataset_id)


def _check_head(user: User | Principal, head: JobHead, name: str) -> JobHead:
    ids = visible_area_ids(user)
    if ids is not None and head.area_id not in ids:
        raise NotFoundError(name, head.id)
    return head


def cached_head(
    state: ServiceState, user: User | Principal, model: Any, item_id: int, name: str
) -> JobHead | None:
    """:class:`JobHead` of finished job ``item_id`` from memory if it is there (404 if it lies
    in an area the user does not see), else ``None``: ask :func:`scoped_head`."""
    head = state.heads.get((model.__tablename__, item_id))
    return None if head is None else _check_head(user, head, name)


def scoped_head(
    session: Session,
    user: User | Principal,
    model: Any,
    item_id: int,
    name: str,
    cache: TtlCache[JobHead] | None = None,
) -> JobHead:
    """:class:`JobHead` of job ``item_id`` of ``model`` if it lies in one of the user's areas
    (404 otherwise), without loading its (large) result; a finished job's head is kept in
    ``cache`` (for :func:`cached_head`)."""
    generation = cache.generation if cache is not None else 0
    row = session.execute(
        select(model.id, model.area_id, model.state, model.finished_at, model.dataset_id).where(
            model.id == item_id
        )
    ).first()
    if row is None:
        raise NotFoundError(name, item_id)
    head = JobHead(row.id, row.area_id, row.state, row.finished_at, row.dataset_id)
    if cache is not None and head.state not in ACTIVE_STATES:
        cache.put((model.__tablename__, item_id), head, generation)
    return _check_head(user, head, name)


def scoped(session: Session, user: User | Principal, model: Any, item_id: int, name: str) -> Any:
    """Row ``item_id`` of ``model`` if it lies in one of the user's areas (404 otherwise)."""
    item = session.get(model, item_id)
    if item is None:
        raise NotFoundError(name, item_id)
    ids = visible_area_ids(user)
    if ids is not None and item.area_id not in ids:
        raise NotFoundError(name, item_id)
    return item


@dataclass(frozen=True)
class PageParams:
    """``?offset=&limit=`` of a list."""

    offset: int
    limit: int


async def page_params(
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
) -> PageParams:
    return PageParams(offset, limit)


PageDep = Annotated[PageParams, Depends(page_params)]

#: A resource id in a path (bounded so no database overflows on absurd ids).
ItemId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The resource id.")]
