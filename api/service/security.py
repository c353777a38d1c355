"""Passwords, access tokens and API tokens.

Passwords are hashed with Argon2id (argon2-cffi). People sign in with the OAuth2 password flow
and get a signed JWT (HS256 with the service's secret). Systems use API tokens: random, shown
once, stored as a SHA-256 hash (they carry 256 bits of entropy, so a slow hash adds nothing)
and sent the same way, ``Authorization: Bearer <token>``.

The web pages keep the same JWT in an HttpOnly, ``SameSite=Lax`` cookie
(:data:`SESSION_COOKIE`). Requests authenticated by that cookie that change something must
carry a CSRF token (:func:`csrf_token`): an HMAC of the session's token under the service's
secret, so it is bound to the session, cannot be made without the secret, and needs no
server-side store. Before signing in, the login form's token is bound the same way to a random
nonce kept in a cookie (:data:`LOGIN_NONCE_COOKIE`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: API tokens start with this, which tells them apart from JWTs.
API_TOKEN_PREFIX = "gp_"

#: Cookie holding the web session's access token (HttpOnly, SameSite=Lax).
SESSION_COOKIE = "gp_session"
#: Cookie holding the random nonce the login form's CSRF token is bound to.
LOGIN_NONCE_COOKIE = "gp_login_nonce"
#: Header carrying the CSRF token on cookie-authenticated API writes.
CSRF_HEADER = "X-CSRF-Token"
#: Form field carrying the CSRF token on the web pages' forms.
CSRF_FIELD = "csrf_token"

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
    subject: str,
    *,
    version: int,
    secret: str,
    minutes: int,
    algorithm: str = "HS256",
) -> tuple[str, int]:
    """A signed JWT for the user whose :attr:`~api.service.models.User.public_id` is
    ``subject`` under credential ``version``, and its lifetime in seconds.

    The subject is the user's immutable random identifier, never its numeric id, so a token
    can never name another user created later; ``ver`` ends the token once the user's
    credential version moves (password, role, areas, status, "sign out everywhere").
    """
    now = datetime.now(UTC)
    payload = {
        "sub": subject,
        "ver": int(version),
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "typ": "access",
        # Unique per sign-in, so two sessions of one user never share a token (or CSRF token),
        # and one session can be ended alone (signing out).
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(payload, secret, algorithm=algorithm), minutes * 60


class TokenError(ValueError):
    """A token that cannot be accepted (bad signature, expired, malformed)."""


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says: whose it is, under which credential version, its
    session id and when it expires (POSIX seconds)."""

    subject: str
    version: int
    jti: str
    expires: float


def decode_access_claims(token: str, *, secret: str, algorithm: str = "HS256") -> AccessClaims:
    """The claims of a valid access token.

    Raises
    ------
    TokenError
        Naming why: expired, bad signature or malformed.
    """
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[algorithm],
            options={"require": ["exp", "sub", "ver", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the access token has expired; sign in again") from None
    except jwt.PyJWTError as exc:
        raise TokenError(f"invalid access token: {exc}") from None
    if payload.get("typ") != "access":
        raise TokenError("invalid access token: not an access token")
    subject, version, jti = payload["sub"], payload["ver"], payload["jti"]
    if not isinstance(subject, str) or not isinstance(jti, str) or type(version) is not int:
        raise TokenError("invalid access token: bad claims")
    try:
        return AccessClaims(subject, version, jti, float(payload["exp"]))
    except (TypeError, ValueError):
        raise TokenError("invalid access token: bad expiry") from None


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


def csrf_token(secret: str, binding: str, *, purpose: str = "session") -> str:
    """The CSRF token bound to ``binding`` (a session's access token, or a login nonce).

    ``HMAC-SHA256(secret, "gridpatrol-csrf:<purpose>:<binding>")``, URL-safe base64: only the
    service can make it, and it changes with every session.
    """
    message = f"gridpatrol-csrf:{purpose}:{binding}".encode()
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def csrf_matches(
    secret: str, binding: str | None, given: str | None, *, purpose: str = "session"
) -> bool:
    """Whether ``given`` is the CSRF token of ``binding`` (constant-time; ``False`` if either
    is missing)."""
    if not binding or not given:
        return False
    expected = csrf_token(secret, binding, purpose=purpose)
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))


def new_login_nonce() -> str:
    """A random nonce for the login form's CSRF token."""
    return secrets.token_urlsafe(24)


#: Failed sign-ins of an account accepted before it is locked for a while.
FREE_LOGIN_FAILURES = 5
#: Lock after the first failure beyond :data:`FREE_LOGIN_FAILURES`, doubled with each further
#: one up to :data:`MAX_LOCK_S`.
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 15 * 60.0


def lockout_seconds(failed_logins: int) -> float:
    """How long an account is locked after ``failed_logins`` failed sign-ins in a row:
    nothing up to :data:`FREE_LOGIN_FAILURES`, then 30 s, 60 s, 120 s ... at most 15 min."""
    beyond = failed_logins - FREE_LOGIN_FAILURES
    if beyond <= 0:
        return 0.0
    return min(MAX_LOCK_S, FIRST_LOCK_S * 2.0 ** min(beyond - 1, 30))
