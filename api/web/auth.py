"""Signing in and out of the web pages.

``POST /web/login`` checks the password like ``POST /auth/token`` and keeps the signed access
token in an HttpOnly, ``SameSite=Lax`` cookie; the login form carries a CSRF token bound to a
random nonce cookie (so another site cannot sign a browser into its own account), and every
later form carries the session's token (:func:`api.service.security.csrf_token`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from api.service.deps import SessionDep, authenticate
from api.service.errors import UnauthorizedError
from api.service.lanes import long_request
from api.service.models import User
from api.service.ratelimit import RateLimitExceededError
from api.service.routeclass import OneHopRoute
from api.service.routes.auth import AccountLockedError, end_session, issue_token, sign_in
from api.service.security import (
    CSRF_FIELD,
    LOGIN_NONCE_COOKIE,
    SESSION_COOKIE,
    csrf_matches,
    csrf_token,
    new_login_nonce,
)
from api.web.common import (
    WEB_PREFIX,
    AnonymousDep,
    PageContext,
    PageDep,
    finish,
    redirect,
    render,
    safe_next,
    secure_cookies,
)

router = APIRouter(route_class=OneHopRoute, prefix=WEB_PREFIX, include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]


def _login_page(
    ctx: PageContext, next_path: str, error: str | None = None, status_code: int = 200
) -> Response:
    """The login form with a fresh nonce cookie and the form token bound to it."""
    nonce = new_login_nonce()
    ctx.csrf = csrf_token(ctx.state.secret_key, nonce, purpose="login")
    response = render(ctx, "login.html", status_code, next_path=safe_next(next_path), error=error)
    response.set_cookie(
        LOGIN_NONCE_COOKIE,
        nonce,
        max_age=3600,
        path=f"{WEB_PREFIX}/login",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(ctx),
    )
    return response


@router.get("/login")
def login_form(
    ctx: AnonymousDep,
    session: SessionDep,
    next_path: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> Response:
    """The login page (or straight on, when the session cookie is still good)."""
    token = ctx.request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            authenticate(ctx.state, session, token)
        except UnauthorizedError:
            pass
        else:
            return redirect(ctx, safe_next(next_path))
    return _login_page(ctx, next_path or "")


@router.post("/login")
@long_request
def login(
    ctx: AnonymousDep,
    session: SessionDep,
    username: FormStr = "",
    password: FormStr = "",
    csrf_token_field: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    """Check the password; on success keep the access token in the session cookie."""
    nonce = ctx.request.cookies.get(LOGIN_NONCE_COOKIE)
    if not csrf_matches(ctx.state.secret_key, nonce, csrf_token_field, purpose="login"):
        return _login_page(ctx, next_path, ctx.t("web.error.csrf"), status.HTTP_403_FORBIDDEN)
    name = username.strip()
    if not name or not password:
        return _login_page(ctx, next_path, ctx.t("web.login.missing"), status.HTTP_400_BAD_REQUEST)
    try:
        user = sign_in(session, ctx.state, name, password)
    except UnauthorizedError:
        return _login_page(ctx, next_path, ctx.t("web.login.wrong"), status.HTTP_401_UNAUTHORIZED)
    except RateLimitExceededError as exc:
        key = "web.login.locked" if isinstance(exc, AccountLockedError) else "web.login.busy"
        page = _login_page(
            ctx, next_path, ctx.t(key, seconds=exc.retry_after_s), status.HTTP_429_TOO_MANY_REQUESTS
        )
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    token, seconds = issue_token(ctx.state, user)
    response = redirect(ctx, safe_next(next_path))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure_cookies(ctx),
    )
    response.delete_cookie(LOGIN_NONCE_COOKIE, path=f"{WEB_PREFIX}/login")
    return response


@router.post("/logout")
def logout(
    request: Request,
    ctx: PageDep,
    csrf_token_field: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = "",
) -> Response:
    """End the session (its token stops working) and go back to the login page."""
    ctx.check_csrf(csrf_token_field)
    if ctx.user is not None:
        with ctx.state.sessions() as session:
            user = session.get(User, ctx.user.id)
            if user is not None:
                end_session(session, ctx.state, user, ctx.session_token)
    response = RedirectResponse(f"{WEB_PREFIX}/login", status_code=status.HTTP_303_SEE_OTHER)
    finish(ctx, response)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
