"""What the web pages share: templates, the page context (user, language, CSRF token),
rendering with security headers, the sign-in and CSRF checks.

Pages are rendered on the server with Jinja2; their labels come from the message catalogue
(:mod:`maps.messages`) through :class:`maps.i18n.Translator`. The language is chosen by
``?lang=`` (remembered in a cookie), else that cookie, else the browser's ``Accept-Language``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.service.authcache import Principal
from api.service.deps import ServiceState, StateDep, note_user, principal_of, rate_limit
from api.service.errors import UnauthorizedError
from api.service.models import Role
from api.service.security import CSRF_FIELD, SESSION_COOKIE, csrf_matches, csrf_token
from maps.i18n import Translator, check_lang
from maps.messages import LANGUAGES

HERE = Path(__file__).resolve().parent
#: Where the pages live.
WEB_PREFIX = "/web"
#: Cookie remembering the chosen language.
LANG_COOKIE = "gp_lang"

#: Security headers of every page: no inline script or style, frames only from this origin,
#: the pages themselves never framed, forms only posted here.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

templates = Jinja2Templates(directory=str(HERE / "templates"))


class LoginRequiredError(Exception):
    """A page needs a signed-in user; answered by a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of the web pages, never another site."""
    if (
        value
        and value.startswith(WEB_PREFIX + "/")
        and not any(bad in value for bad in ("//", "\\", "..", "\r", "\n"))
    ):
        return value
    return WEB_PREFIX + "/"


def request_lang(request: Request) -> tuple[str, bool]:
    """The page's language and whether ``?lang=`` chose it (then it is remembered)."""
    asked = request.query_params.get("lang")
    if asked:
        try:
            return check_lang(asked), True
        except ValueError:
            pass
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered:
        try:
            return check_lang(remembered), False
        except ValueError:
            pass
    accept = request.headers.get("accept-language", "").strip().lower()
    return ("zh-CN" if accept.startswith("zh") else LANGUAGES[0]), False


@dataclass
class PageContext:
    """One page request: who, in which language, and the form token of the session."""

    request: Request
    state: ServiceState
    lang: str
    lang_chosen: bool
    t: Translator
    user: Principal | None = None
    session_token: str | None = None
    csrf: str = ""

    @property
    def can_write(self) -> bool:
        """Whether the user may change things (coordinators and admins)."""
        return self.user is not None and self.user.role in (
            Role.ADMIN.value,
            Role.COORDINATOR.value,
        )

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.is_admin

    def check_csrf(self, given: str | None) -> None:
        """403 unless ``given`` is this session's form token."""
        if not csrf_matches(self.state.secret_key, self.session_token, given):
            raise HTTPException(status.HTTP_403_FORBIDDEN, self.t("web.error.csrf"))

    def require_writer(self) -> None:
        """403 for viewers (the pages show them no forms; this guards direct posts)."""
        if not self.can_write:
            raise HTTPException(status.HTTP_403_FORBIDDEN, self.t("web.error.viewer"))

    def require_admin(self) -> None:
        if not self.is_admin:
            raise HTTPException(status.HTTP_403_FORBIDDEN, self.t("web.error.admin"))


def anonymous_context(request: Request, state: StateDep) -> PageContext:
    """The context of a page anyone may open (the login page, error pages)."""
    lang, chosen = request_lang(request)
    return PageContext(
        request=request, state=state, lang=lang, lang_chosen=chosen, t=Translator(lang)
    )


async def page_context(request: Request, state: StateDep) -> PageContext:
    """The context of a page for a signed-in user (the session cookie); otherwise a redirect to
    the login page, coming back here afterwards. The user is verified as the API's are
    (:func:`api.service.deps.principal_of`: a recently verified session is only confirmed,
    on the event loop) and takes one token of its rate limit."""
    ctx = anonymous_context(request, state)
    token = request.cookies.get(SESSION_COOKIE)
    try:
        user = await principal_of(state, token)
    except UnauthorizedError:
        raise LoginRequiredError(request.url.path) from None
    assert token is not None
    rate_limit(state, user.id, user.username)
    note_user(request, user.id, user.username)
    ctx.user = user
    ctx.session_token = token
    ctx.csrf = csrf_token(state.secret_key, token)
    return ctx


async def _anonymous_dependency(request: Request, state: StateDep) -> PageContext:
    """:func:`anonymous_context` as a dependency (``async``: it reads only the request, so
    no thread is taken for it)."""
    return anonymous_context(request, state)


PageDep = Annotated[PageContext, Depends(page_context)]
AnonymousDep = Annotated[PageContext, Depends(_anonymous_dependency)]


def lang_url(request: Request, lang: str) -> str:
    """The current page in another language."""
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    query["lang"] = lang
    return f"{request.url.path}?{urlencode(query)}"


def render(
    ctx: PageContext, template: str, status_code: int = status.HTTP_200_OK, **values: Any
) -> Response:
    """The page ``template`` with the context's labels, user and form token."""
    other = next(code for code in LANGUAGES if code != ctx.lang)
    response = templates.TemplateResponse(
        ctx.request,
        template,
        {
            "t": ctx.t,
            "tm": Translator(ctx.lang).job,  # a job's stored progress message
            "tn": Translator(ctx.lang).note,  # a plan's or run's note, a job's error
            "tb": Translator(ctx.lang).band,  # a shift band as coordinators name it
            "lang": ctx.lang,
            "user": ctx.user,
            "csrf": ctx.csrf,
            "csrf_field": CSRF_FIELD,
            "can_write": ctx.can_write,
            "is_admin": ctx.is_admin,
            "other_lang": other,
            "other_lang_name": Translator(other)("web.lang.name"),
            "other_lang_url": lang_url(ctx.request, other),
            "prefix": WEB_PREFIX,
            **values,
        },
        status_code=status_code,
    )
    finish(ctx, response)
    return response


def redirect(ctx: PageContext, path: str) -> Response:
    """303 to ``path`` (after a form post), remembering a chosen language."""
    response = RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)
    finish(ctx, response)
    return response


def finish(ctx: PageContext, response: Response) -> None:
    """Add the security headers and the language cookie to ``response``."""
    for key, value in PAGE_HEADERS.items():
        response.headers.setdefault(key, value)
    if ctx.lang_chosen:
        response.set_cookie(
            LANG_COOKIE, ctx.lang, max_age=365 * 24 * 3600, path="/", samesite="lax", httponly=True
        )


def secure_cookies(ctx: PageContext) -> bool:
    """Whether cookies are marked ``Secure`` (setting, else whether the request was HTTPS)."""
    configured = ctx.state.settings.cookie_secure
    return configured if configured is not None else ctx.request.url.scheme == "https"
