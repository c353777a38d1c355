"""Passwords, access tokens and API tokens.

Passwords are hashed with Argon2id (argon2-cffi). People sign in with the OAuth2 password flow
and get a signed JWT (HS256 with the service's secret). Systems use API tokens: random, shown
once, stored as a SHA-256 hash (they carry 256 bits of entropy, so a slow hash adds nothing)
and sent the same way, ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: API tokens start with this, which tells them apart from JWTs.
API_TOKEN_PREFIX = "gp_"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches ``password_hash`` (``False`` for no hash)."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so timing does not reveal it.
_DUMMY_HASH: str | None = None


def verify_dummy(password: str) -> None:
    """Spend the time of one verification (for unknown user names)."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
    verify_password(password, _DUMMY_HASH)


def create_access_token(
    user_id: int, *, secret: str, minutes: int, algorithm: str = "HS256"
) -> tuple[str, int]:
    """A signed JWT for ``user_id`` and its lifetime in seconds."""
    now = datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "typ": "access",
    }
    return jwt.encode(payload, secret, algorithm=algorithm), minutes * 60


class TokenError(ValueError):
    """A token that cannot be accepted (bad signature, expired, malformed)."""


def decode_access_token(token: str, *, secret: str, algorithm: str = "HS256") -> int:
    """The user id of a valid access token.

    Raises
    ------
    TokenError
        Naming why: expired, bad signature or malformed.
    """
    try:
        payload = jwt.decode(
            token, secret, algorithms=[algorithm], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the access token has expired; sign in again") from None
    except jwt.PyJWTError as exc:
        raise TokenError(f"invalid access token: {exc}") from None
    if payload.get("typ") != "access":
        raise TokenError("invalid access token: not an access token")
    try:
        return int(payload["sub"])
    except (TypeError, ValueError):
        raise TokenError("invalid access token: bad subject") from None


@dataclass(frozen=True)
class NewApiToken:
    """A freshly minted API token: the secret (shown once) and what is stored."""

    token: str
    prefix: str
    token_hash: str


def hash_api_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_api_token() -> NewApiToken:
    """A random API token (``gp_`` + 43 URL-safe characters)."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewApiToken(token=token, prefix=token[:10], token_hash=hash_api_token(token))


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)
