"""``/auth``: the OAuth2 password flow (a signed JWT) and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select

from api.service.deps import CurrentUser, SessionDep, StateDep
from api.service.errors import UnauthorizedError
from api.service.models import User
from api.service.routes.common import AUTH_ERRORS
from api.service.schemas import TokenPublic, UserPublic
from api.service.security import create_access_token, verify_dummy, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    summary="Sign in with user name and password",
    response_model=TokenPublic,
    responses=AUTH_ERRORS,
)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, state: StateDep
) -> TokenPublic:
    """Exchange a user name and password for a bearer access token (JWT, HS256)."""
    state.limiter.hit(f"login:{form.username.lower()}")
    user = session.scalar(select(User).where(User.username == form.username))
    if user is None:
        verify_dummy(form.password)
        raise UnauthorizedError("wrong user name or password")
    if not verify_password(form.password, user.password_hash) or not user.is_active:
        raise UnauthorizedError("wrong user name or password")
    token, seconds = create_access_token(
        user.id,
        secret=state.secret_key,
        minutes=state.settings.access_token_minutes,
        algorithm=state.settings.jwt_algorithm,
    )
    return TokenPublic(access_token=token, expires_in=seconds)


@router.get("/me", summary="The signed-in user", response_model=UserPublic, responses=AUTH_ERRORS)
def me(user: CurrentUser) -> UserPublic:
    """The user the token belongs to, with its role and areas."""
    return UserPublic.model_validate(user, from_attributes=True)
