"""``/users``: accounts, their roles and areas (admins), and API tokens."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service import audit
from api.service.deps import AdminUser, CurrentUser, ItemId, PageDep, SessionDep
from api.service.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from api.service.lanes import long_request
from api.service.models import ApiToken, Area, AreaAccess, Role, User, utcnow
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, CONFLICT, FORBIDDEN, NOT_FOUND, paginate
from api.service.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    Page,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from api.service.security import hash_password, new_api_token

router = APIRouter(
    route_class=OneHopRoute, prefix="/users", tags=["users"], responses={**AUTH_ERRORS, **FORBIDDEN}
)


def _check_areas(session: Session, area_ids: list[int]) -> list[int]:
    wanted = sorted(set(area_ids))
    if not wanted:
        return []
    found = set(session.scalars(select(Area.id).where(Area.id.in_(wanted))))
    missing = [a for a in wanted if a not in found]
    if missing:
        raise InvalidInputError(f"area_ids: no areas {missing}")
    return wanted


def _get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("user", user_id)
    return user


def create_user(
    session: Session, username: str, password: str | None, role: str, area_ids: list[int]
) -> User:
    """Add a user with its areas to ``session`` (shared with ``gridpatrol user add``)."""
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"a user named {username!r} already exists")
    user = User(
        username=username,
        password_hash=hash_password(password) if password else None,
        role=role,
        is_active=True,
    )
    user.access = [AreaAccess(area_id=a) for a in _check_areas(session, area_ids)]
    session.add(user)
    session.flush()
    return user


def other_active_admins(session: Session, user: User) -> int:
    """Active admins other than ``user``."""
    from sqlalchemy import func

    count = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True), User.id != user.id)
    )
    return int(count or 0)


def check_not_last_admin(session: Session, user: User, change: str) -> None:
    """409 when ``change`` (demote, disable, delete) would leave no active admin."""
    if user.is_admin and user.is_active and other_active_admins(session, user) == 0:
        raise ConflictError(
            f"cannot {change} {user.username!r}: it is the last active admin; make another user "
            "admin first (PATCH /users/{id} with role admin)"
        )


def mint_token(
    session: Session, user: User, name: str, expires_days: int | None
) -> ApiTokenCreated:
    """Add an API token for ``user``; the secret is in the answer only."""
    minted = new_api_token()
    record = ApiToken(
        user_id=user.id,
        name=name,
        prefix=minted.prefix,
        token_hash=minted.token_hash,
        revoked=False,
        credential_version=user.credential_version,
        expires_at=utcnow() + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(record)
    session.flush()
    public = ApiTokenPublic.model_validate(record, from_attributes=True)
    return ApiTokenCreated(**public.model_dump(), token=minted.token)


@router.get("", summary="List users", response_model=Page[UserPublic])
def list_users(session: SessionDep, admin: AdminUser, page: PageDep) -> Page[UserPublic]:
    """Every user (admins only)."""
    return paginate(session, select(User).order_by(User.id), page, UserPublic)


@router.post(
    "",
    summary="Create a user",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT,
)
@long_request
def add_user(body: UserCreate, session: SessionDep, admin: AdminUser) -> UserPublic:
    """A new user with a role and the areas it may see (admins only)."""
    user = create_user(session, body.username, body.password, body.role.value, body.area_ids)
    audit.record(
        session,
        admin,
        "create",
        "user",
        user.id,
        detail={"username": user.username, "role": user.role, "area_ids": user.area_ids},
    )
    session.commit()
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/{user_id}", summary="Get a user", response_model=UserPublic, responses=NOT_FOUND)
def get_user(user_id: ItemId, session: SessionDep, admin: AdminUser) -> UserPublic:
    """One user (admins only)."""
    return UserPublic.model_validate(_get_user(session, user_id), from_attributes=True)


@router.patch(
    "/{user_id}",
    summary="Change a user's role, areas, password or status",
    response_model=UserPublic,
    responses=NOT_FOUND,
)
@long_request
def update_user(
    user_id: ItemId, body: UserUpdate, session: SessionDep, admin: AdminUser
) -> UserPublic:
    """Change what is given (admins only); ``area_ids`` replaces the user's areas."""
    user = _get_user(session, user_id)
    if body.role is not None and body.role != Role.ADMIN:
        check_not_last_admin(session, user, "demote")
    if body.is_active is False:
        check_not_last_admin(session, user, "disable")
    changed: dict[str, object] = {}
    if body.role is not None and body.role.value != user.role:
        user.role = changed["role"] = body.role.value
    if body.is_active is not None and body.is_active != user.is_active:
        user.is_active = changed["is_active"] = body.is_active
    if body.password is not None:
        user.password_hash = hash_password(body.password)
        user.failed_logins = 0
        user.locked_until = None
        changed["password"] = "changed"
    if body.area_ids is not None:
        ids = _check_areas(session, body.area_ids)
        if ids != user.area_ids:
            user.access = [AreaAccess(area_id=a) for a in ids]
            changed["area_ids"] = ids
    if changed:
        # Every session and API token of the user ends: it must sign in again under the
        # new password, role, areas or status.
        user.credential_version += 1
        changed["sessions"] = "ended"
    audit.record(session, admin, "update", "user", user.id, detail=changed)
    session.commit()
    session.refresh(user)
    return UserPublic.model_validate(user, from_attributes=True)


@router.delete(
    "/{user_id}",
    summary="Delete a user",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **CONFLICT},
)
def delete_user(user_id: ItemId, session: SessionDep, admin: AdminUser) -> Response:
    """Delete a user and its API tokens (admins only; not oneself)."""
    user = _get_user(session, user_id)
    if user.id == admin.id:
        raise ConflictError("admins cannot delete themselves")
    check_not_last_admin(session, user, "delete")
    audit.record(session, admin, "delete", "user", user.id, detail={"username": user.username})
    session.delete(user)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{user_id}/logout-all",
    summary="End every session and API token of a user",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def end_user_sessions(user_id: ItemId, session: SessionDep, admin: AdminUser) -> Response:
    """Sign a user out everywhere (admins only): its sessions and API tokens stop working."""
    from api.service.routes.auth import end_all_sessions

    end_all_sessions(session, _get_user(session, user_id), actor=admin)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _self_or_admin(user: User, user_id: int) -> None:
    if user.id != user_id and not user.is_admin:
        raise ForbiddenError("only admins manage other users' tokens")


@router.get(
    "/{user_id}/tokens",
    summary="List a user's API tokens",
    response_model=Page[ApiTokenPublic],
    responses=NOT_FOUND,
)
def list_tokens(
    user_id: ItemId, session: SessionDep, user: CurrentUser, page: PageDep
) -> Page[ApiTokenPublic]:
    """The API tokens of a user (its own, or any for admins); never the secrets."""
    _self_or_admin(user, user_id)
    _get_user(session, user_id)
    statement = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return paginate(session, statement, page, ApiTokenPublic)


@router.post(
    "/{user_id}/tokens",
    summary="Mint an API token",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def create_token(
    user_id: ItemId, body: ApiTokenCreate, session: SessionDep, user: CurrentUser
) -> ApiTokenCreated:
    """A new API token acting as the user; the token is shown in this answer only."""
    _self_or_admin(user, user_id)
    owner = _get_user(session, user_id)
    created = mint_token(session, owner, body.name, body.expires_days)
    audit.record(session, user, "create", "api_token", created.id, detail={"user_id": owner.id})
    session.commit()
    return created


@router.delete(
    "/{user_id}/tokens/{token_id}",
    summary="Revoke an API token",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
def revoke_token(
    user_id: ItemId, token_id: ItemId, session: SessionDep, user: CurrentUser
) -> Response:
    """Revoke a token; it stops working at once."""
    _self_or_admin(user, user_id)
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user_id:
        raise NotFoundError("API token", token_id)
    record.revoked = True
    audit.record(session, user, "delete", "api_token", record.id, detail={"user_id": user_id})
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
