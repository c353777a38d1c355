"""Server-rendered web pages for patrol coordinators (English and Chinese), on the service.

:func:`install_web` adds them to the FastAPI application made by
:func:`api.service.app.create_app`: the pages under ``/web/`` (sign in, areas, uploads, plans
with their progress, map and sheets, staffing), their CSS and the few lines of JavaScript
under ``/web/static/``, and error pages for the ``/web/`` paths (the API keeps its JSON
errors).
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.service.ratelimit import RateLimitExceededError
from api.web import auth, district, fonts, jobstatus, pages, review, staffing
from api.web.common import (
    HERE,
    WEB_PREFIX,
    LoginRequiredError,
    PageContext,
    anonymous_context,
    finish,
    render,
)

__all__ = ["install_web"]


def _is_page(request: Request) -> bool:
    path = request.url.path
    return path.startswith(WEB_PREFIX + "/") and not path.startswith(WEB_PREFIX + "/static/")


def _error_page(request: Request, status_code: int, message: str) -> Response:
    ctx: PageContext = anonymous_context(request, request.app.state.service)
    titles = {
        status.HTTP_403_FORBIDDEN: "web.error.403",
        status.HTTP_404_NOT_FOUND: "web.error.404",
        status.HTTP_429_TOO_MANY_REQUESTS: "web.error.429",
    }
    title = ctx.t(titles.get(status_code, "web.error.title"))
    return render(ctx, "error.html", status_code, title=title, message=message, code=status_code)


def install_web(app: FastAPI) -> None:
    """Add the web pages, their static files and their error pages to ``app``."""
    routers = (auth, district, fonts, pages, review, staffing, jobstatus)
    for module in routers:
        app.include_router(module.router)
    app.mount(
        f"{WEB_PREFIX}/static", StaticFiles(directory=str(HERE / "static")), name="web-static"
    )

    # Redirects do no I/O: coroutines, so no worker thread is taken for them.
    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(f"{WEB_PREFIX}/", status_code=status.HTTP_307_TEMPORARY_REDIRECT)

    @app.get(WEB_PREFIX, include_in_schema=False)
    async def web_root() -> RedirectResponse:
        return RedirectResponse(f"{WEB_PREFIX}/", status_code=status.HTTP_307_TEMPORARY_REDIRECT)

    rate_limited = app.exception_handlers.get(RateLimitExceededError)

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequiredError)
        from urllib.parse import urlencode

        target = f"{WEB_PREFIX}/login?{urlencode({'next': exc.next_path})}"
        response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
        finish(anonymous_context(request, request.app.state.service), response)
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _is_page(request):
            response = _error_page(request, exc.status_code, str(exc.detail))
            if exc.headers:
                response.headers.update(
                    {k: v for k, v in exc.headers.items() if k.lower() == "retry-after"}
                )
            return response
        return await http_exception_handler(request, exc)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if _is_page(request):
            errors = exc.errors()
            if errors and all(e.get("loc", ("",))[0] == "path" for e in errors):
                return _error_page(request, status.HTTP_404_NOT_FOUND, request.url.path)
            message = "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in errors
            )
            return _error_page(request, status.HTTP_422_UNPROCESSABLE_CONTENT, message)
        return await request_validation_exception_handler(request, exc)

    async def too_many(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RateLimitExceededError)
        if _is_page(request):
            response = _error_page(request, status.HTTP_429_TOO_MANY_REQUESTS, str(exc))
            response.headers["Retry-After"] = str(exc.retry_after_s)
            return response
        assert rate_limited is not None
        result = rate_limited(request, exc)
        assert not isinstance(result, Response)
        return await result

    app.add_exception_handler(LoginRequiredError, login_required)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(RateLimitExceededError, too_many)
