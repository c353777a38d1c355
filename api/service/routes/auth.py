"""``/auth``: the OAuth2 password flow (a signed JWT), the signed-in user, and signing out.

Sign-in is shared with the web login form (:func:`sign_in`, :func:`issue_token`): every
attempt is in the audit log with the client's address and user agent; after
:data:`~api.service.security.FREE_LOGIN_FAILURES` failures in a row an account is locked for
a time that doubles with each further failure (:func:`~api.service.security.lockout_seconds`),
answered 429 with ``Retry-After`` - even with the right password - and logged.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.service import audit
from api.service.authcache import Principal
from api.service.deps import CurrentUser, ServiceState, SessionDep, StateDep, TokenDep
from api.service.errors import UnauthorizedError
from api.service.lanes import long_request
from api.service.models import RevokedToken, User, utcnow
from api.service.ratelimit import RateLimitExceededError
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS
from api.service.schemas import TokenPublic, UserPublic
from api.service.security import (
    SESSION_COOKIE,
    TokenError,
    create_access_token,
    decode_access_claims,
    is_api_token,
    lockout_seconds,
    verify_dummy,
    verify_password,
)

log = logging.getLogger(__name__)

router = APIRouter(route_class=OneHopRoute, prefix="/auth", tags=["auth"])

#: Longest user name kept in the log of a failed sign-in.
_MAX_LOGGED_NAME = 100


class AccountLockedError(RateLimitExceededError):
    """Sign-in refused because the account is locked after failed attempts (429)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            retry_after_s,
            f"too many failed sign-ins: the account is locked; retry after {retry_after_s} s",
        )


def sign_in(session: Session, state: ServiceState, username: str, password: str) -> User:
    """The active user ``username`` if ``password`` is its password; the attempt is audited
    and committed either way.

    Raises
    ------
    UnauthorizedError
        Wrong name or password, or a disabled user (one message for all, so names are not
        revealed).
    AccountLockedError
        The account is locked after too many failures (429 with ``Retry-After``).
    RateLimitExceededError
        Too many attempts for this name in a short time (429).
    """
    name = username[:_MAX_LOGGED_NAME]
    state.limiter.hit(f"login:{name.lower()}")
    user = session.scalar(select(User).where(User.username == username))
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        wait = max(1, math.ceil((user.locked_until - now).total_seconds()))
        audit.record(session, user, "login_refused", "user", user.id, detail={"locked_s": wait})
        session.commit()
        log.warning("sign-in refused for locked account %r (%d s left)", name, wait)
        raise AccountLockedError(wait)
    if user is None:
        verify_dummy(password)
        audit.record(
            session, None, "login_failed", "user", None, username=name, detail={"reason": "user"}
        )
        session.commit()
        log.warning("failed sign-in for unknown user %r", name)
        raise UnauthorizedError("wrong user name or password")
    if not verify_password(password, user.password_hash) or not user.is_active:
        user.failed_logins += 1
        lock = lockout_seconds(user.failed_logins)
        detail: dict[str, object] = {"failures": user.failed_logins}
        if lock:
            user.locked_until = now + timedelta(seconds=lock)
            detail["locked_s"] = lock
        if not user.is_active:
            detail["reason"] = "disabled"
        audit.record(session, user, "login_failed", "user", user.id, detail=detail)
        session.commit()
        log.warning(
            "failed sign-in for %r (%d in a row%s)",
            name,
            user.failed_logins,
            f", locked for {lock:g} s" if lock else "",
        )
        raise UnauthorizedError("wrong user name or password")
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, user, "login", "user", user.id)
    session.commit()
    return user


def issue_token(state: ServiceState, user: User) -> tuple[str, int]:
    """A signed access token for ``user`` and its lifetime in seconds."""
    return create_access_token(
        user.public_id,
        version=user.credential_version,
        secret=state.secret_key,
        minutes=state.settings.access_token_minutes,
        algorithm=state.settings.jwt_algorithm,
    )


def end_session(session: Session, state: ServiceState, user: User, token: str | None) -> bool:
    """Revoke the session of JWT ``token`` (signing out); ``False`` for an API token or no
    token (revoke those with ``DELETE /users/{id}/tokens/{token_id}``). Audited, committed."""
    if not token or is_api_token(token):
        return False
    try:
        claims = decode_access_claims(token, secret=state.secret_key)
    except TokenError:
        return False
    now = utcnow()
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    if session.get(RevokedToken, claims.jti) is None:
        expires_at = datetime.fromtimestamp(claims.expires, UTC).replace(tzinfo=None)
        session.add(RevokedToken(jti=claims.jti, user_id=user.id, expires_at=expires_at))
    audit.record(session, user, "logout", "user", user.id)
    session.commit()
    return True


def end_all_sessions(session: Session, user: User, actor: User | Principal | None = None) -> None:
    """Raise ``user``'s credential version: every session and API token of it ends.
    Audited, committed."""
    user.credential_version += 1
    audit.record(session, actor or user, "logout_all", "user", user.id)
    session.commit()


@router.post(
    "/token",
    summary="Sign in with user name and password",
    response_model=TokenPublic,
    responses=AUTH_ERRORS,
)
@long_request
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, state: StateDep
) -> TokenPublic:
    """Exchange a user name and password for a bearer access token (JWT, HS256).

    Failed attempts are logged; after five in a row the account is locked for 30 s, doubling
    with each further failure up to 15 minutes (429 with ``Retry-After``)."""
    user = sign_in(session, state, form.username, form.password)
    token, seconds = issue_token(state, user)
    return TokenPublic(access_token=token, expires_in=seconds)


@router.get("/me", summary="The signed-in user", response_model=UserPublic, responses=AUTH_ERRORS)
def me(user: CurrentUser) -> UserPublic:
    """The user the token belongs to, with its role and areas."""
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/logout",
    summary="Sign out this session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=AUTH_ERRORS,
)
def logout(
    request: Request, user: CurrentUser, session: SessionDep, state: StateDep, token: TokenDep
) -> Response:
    """End the session of the access token sent (it answers 401 from now on). API tokens are
    revoked with ``DELETE /users/{id}/tokens/{token_id}``."""
    end_session(session, state, user, token or request.cookies.get(SESSION_COOKIE))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/logout-all",
    summary="Sign out everywhere",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=AUTH_ERRORS,
)
def logout_all(user: CurrentUser, session: SessionDep) -> Response:
    """End every session and API token of the signed-in user, this one included."""
    end_all_sessions(session, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
