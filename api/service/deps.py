"""Dependencies of the routes as ``Annotated`` aliases: session, current user, roles, scope.

A user signs in with ``Authorization: Bearer <token>`` (a JWT or an API token) or, from the web
pages, with the session cookie holding the JWT; a cookie-authenticated request that changes
something must also send the session's CSRF token in ``X-CSRF-Token`` (403 otherwise).
A user sees only the areas granted to it (admins see all); anything in another area answers
404, as if it did not exist. Viewers read; coordinators and admins write (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.service.errors import ForbiddenError, NotFoundError, UnauthorizedError
from api.service.models import ApiToken, Area, Role, User, utcnow
from api.service.ratelimit import TokenBucketLimiter
from api.service.schemas import MAX_ID
from api.service.security import (
    CSRF_HEADER,
    SESSION_COOKIE,
    TokenError,
    csrf_matches,
    decode_access_token,
    hash_api_token,
    is_api_token,
)
from api.service.settings import Settings

if TYPE_CHECKING:
    from api.service.cache import LruCache
    from api.service.jobs import JobRunner


@dataclass
class ServiceState:
    """What the routes share, kept on ``app.state.service``."""

    settings: Settings
    database_url: str
    sessions: sessionmaker[Session]
    secret_key: str
    limiter: TokenBucketLimiter
    runner: JobRunner | None
    map_cache: LruCache[bytes]
    read_cache: LruCache[bytes]


async def get_state(request: Request) -> ServiceState:
    """The shared state (``async``: no thread is needed to read an attribute)."""
    state: ServiceState = request.app.state.service
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A session per request; uncommitted work is rolled back when the request ends."""
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


#: Methods that change nothing (no CSRF token needed with the cookie).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticate(state: ServiceState, session: Session, token: str | None) -> User:
    """The user of ``token`` (JWT or API token), after taking one token of its rate limit.

    Raises
    ------
    UnauthorizedError
        When the token is missing, invalid, expired or revoked, or its user is disabled.
    """
    if not token:
        raise UnauthorizedError("not authenticated: send Authorization: Bearer <token>")
    user: User | None
    if is_api_token(token):
        record = session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_api_token(token))
        )
        now = utcnow()
        if record is None or record.revoked:
            raise UnauthorizedError("invalid API token")
        if record.expires_at is not None and record.expires_at <= now:
            raise UnauthorizedError("the API token has expired")
        user = session.get(User, record.user_id)
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            record.last_used_at = now
            session.commit()
    else:
        try:
            user_id = decode_access_token(token, secret=state.secret_key)
        except TokenError as exc:
            raise UnauthorizedError(str(exc)) from None
        user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise UnauthorizedError("the user of this token does not exist or is disabled")
    state.limiter.hit(
        f"user:{user.id}", per_minute=state.settings.rate_limit_users.get(user.username)
    )
    return user


def get_current_user(
    request: Request, state: StateDep, session: SessionDep, token: TokenDep
) -> User:
    """The signed-in user: from ``Authorization: Bearer`` or else the web session cookie.

    With the cookie, requests other than GET/HEAD/OPTIONS need the session's CSRF token in
    the ``X-CSRF-Token`` header (a form on another site cannot send it).
    """
    if token:
        return authenticate(state, session, token)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or is_api_token(cookie):
        return authenticate(state, session, None)
    user = authenticate(state, session, cookie)
    if request.method not in SAFE_METHODS and not csrf_matches(
        state.secret_key, cookie, request.headers.get(CSRF_HEADER)
    ):
        raise ForbiddenError(
            f"a request signed in by the session cookie that changes something needs the "
            f"session's CSRF token in the {CSRF_HEADER} header"
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only ``roles`` through (403 for the others)."""
    allowed = {r.value for r in roles}

    def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            if user.role == Role.VIEWER.value:
                raise ForbiddenError("viewers cannot change anything")
            raise ForbiddenError(f"this needs the role {' or '.join(sorted(allowed))}")
        return user

    return check


WriterUser = Annotated[User, Depends(require_role(Role.ADMIN, Role.COORDINATOR))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def visible_area_ids(user: User) -> list[int] | None:
    """The areas ``user`` may see; ``None`` means all (admins)."""
    return None if user.is_admin else user.area_ids


def check_area(user: User, area_id: int | None) -> None:
    """404 unless ``user`` may see area ``area_id``."""
    ids = visible_area_ids(user)
    if ids is not None and area_id not in ids:
        raise NotFoundError("area", area_id)


def get_area(session: Session, user: User, area_id: int) -> Area:
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


def scoped_head(session: Session, user: User, model: Any, item_id: int, name: str) -> JobHead:
    """:class:`JobHead` of job ``item_id`` of ``model`` if it lies in one of the user's areas
    (404 otherwise), without loading its (large) result."""
    row = session.execute(
        select(model.id, model.area_id, model.state, model.finished_at, model.dataset_id).where(
            model.id == item_id
        )
    ).first()
    if row is None:
        raise NotFoundError(name, item_id)
    ids = visible_area_ids(user)
    if ids is not None and row.area_id not in ids:
        raise NotFoundError(name, item_id)
    return JobHead(row.id, row.area_id, row.state, row.finished_at, row.dataset_id)


def scoped(session: Session, user: User, model: Any, item_id: int, name: str) -> Any:
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


def page_params(
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
) -> PageParams:
    return PageParams(offset, limit)


PageDep = Annotated[PageParams, Depends(page_params)]

#: A resource id in a path (bounded so no database overflows on absurd ids).
ItemId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The resource id.")]
