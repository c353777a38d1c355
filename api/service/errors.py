"""Errors of the service and how each becomes an HTTP answer.

A client's mistake is never a 500: bad input files give 422 with the ``geo`` layer's problems
(``source``, ``row``, ``column``, ``value``, ``message``), impossible plans 422, resources of
another area 404 (their existence is not revealed), writes by viewers 403, uploads over the
limit 413, too many requests 429 with ``Retry-After``, a request that could not be admitted
in time 503 with ``Retry-After`` (:mod:`api.service.lanes`), and a full disk 507 (the request's
transaction is rolled back and its temporary files removed, so nothing is half-written).
"""

from __future__ import annotations

import errno
from typing import Any

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError

from api.service.lanes import ServiceBusyError
from api.service.ratelimit import RateLimitExceededError
from geo.errors import GeoInputError, NetworkError, SampleNotFoundError, condense_problems
from planner.errors import PlanningError


class NotFoundError(HTTPException):
    """A resource that does not exist or lies in an area the user does not see."""

    def __init__(self, resource: str, resource_id: object) -> None:
        super().__init__(status.HTTP_404_NOT_FOUND, f"{resource} {resource_id} not found")


class ForbiddenError(HTTPException):
    """An action the user's role does not allow."""

    def __init__(self, detail: str) -> None:
        super().__init__(status.HTTP_403_FORBIDDEN, detail)


class ConflictError(HTTPException):
    """A request that clashes with the current state (a duplicate name, a finished job)."""

    def __init__(self, detail: str) -> None:
        super().__init__(status.HTTP_409_CONFLICT, detail)


class UnauthorizedError(HTTPException):
    """Missing, invalid or expired credentials."""

    def __init__(self, detail: str = "not authenticated") -> None:
        super().__init__(
            status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
        )


class UploadTooLargeError(HTTPException):
    """An upload beyond the configured size."""

    def __init__(self, limit_bytes: int, *, detail: str | None = None) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail or f"the upload is larger than the limit of {limit_bytes / 1024 / 1024:g} MB",
        )


class InsufficientStorageError(HTTPException):
    """The server's disk is full (507); nothing of the request was kept."""

    def __init__(self, detail: str) -> None:
        super().__init__(status.HTTP_507_INSUFFICIENT_STORAGE, detail)


class InvalidInputError(HTTPException):
    """A request whose values cannot be used (422), with a plain message."""

    def __init__(self, detail: str) -> None:
        super().__init__(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def geo_problems_body(exc: GeoInputError) -> dict[str, Any]:
    """The 422 body of a :class:`GeoInputError`: a summary, every problem, and the problems
    with each message repeated on many rows given once with its count (``condensed``)."""
    summary = str(exc).split("\n", 1)[0].rstrip(":")
    return {
        "detail": summary,
        "problems": [p.as_dict() for p in exc.problems],
        "condensed": [p.as_dict() for p in condense_problems(exc.problems)],
    }


async def _geo_input(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GeoInputError)
    return JSONResponse(geo_problems_body(exc), status_code=422)


async def _unprocessable(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=422)


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    reason = str(getattr(exc, "orig", exc)).split("\n", 1)[0]
    return JSONResponse(
        {"detail": f"a value cannot be stored: {reason}"},
        status_code=422,
    )


def _disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or the database error it wraps) says the disk is full."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return "database or disk is full" in text or "no space left on device" in text


_DISK_FULL = (
    "the server's disk is full: nothing of this request was stored; try again later or ask "
    "the administrator to free space"
)


async def _operational_error(_: Request, exc: Exception) -> JSONResponse:
    if _disk_full(exc):
        return JSONResponse({"detail": _DISK_FULL}, status_code=507)
    raise exc


async def _os_error(_: Request, exc: Exception) -> JSONResponse:
    if _disk_full(exc):
        return JSONResponse({"detail": _DISK_FULL}, status_code=507)
    raise exc


async def _rate_limited(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimitExceededError)
    return JSONResponse(
        {"detail": str(exc)},
        status_code=429,
        headers={"Retry-After": str(exc.retry_after_s)},
    )


#: Seconds a client is asked to wait after a 503 for a request not admitted in time.
BUSY_RETRY_AFTER_S = 5


async def _busy(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceBusyError)
    return JSONResponse(
        {"detail": f"{exc}; retry in {BUSY_RETRY_AFTER_S} s"},
        status_code=503,
        headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
    )


def install_handlers(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""
    app.add_exception_handler(GeoInputError, _geo_input)
    app.add_exception_handler(PlanningError, _unprocessable)
    app.add_exception_handler(NetworkError, _unprocessable)
    app.add_exception_handler(SampleNotFoundError, _unprocessable)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(RateLimitExceededError, _rate_limited)
    app.add_exception_handler(ServiceBusyError, _busy)
    app.add_exception_handler(OperationalError, _operational_error)
    app.add_exception_handler(OSError, _os_error)
