"""The web pages' own CJK font, served by the service (no CDN, no system font needed).

A station PC or a server without a Chinese font would show every Chinese label as an empty
box. The pages therefore link :data:`STYLESHEET`, an ``@font-face`` rule for a subset of the
CJK font installed with gridpatrol (WenQuanYi Micro Hei, or the user's ``GRIDPATROL_FONT``)
that :func:`maps.fonts.web_font` cuts once: GB 2312 and every character of the Chinese
message catalogue, as WOFF2 when fontTools can write it, else WOFF. Its ``unicode-range``
covers only the CJK blocks, so Latin text keeps the page's ordinary font, and a browser
downloads the font only for a page that shows Chinese.

- ``/web/fonts/cjk.css``: the rule; ``no-cache`` with an ETag (a page load revalidates it with
  a 304), so a new font file is picked up at once.
- ``/web/fonts/gridpatrol-cjk-KEY.woff2`` (or ``.woff``): the font, named by its content key,
  ``immutable`` for a year; any other name is a 404.
- ``/web/fonts/LICENSE.txt``: the packaged font's attribution and licence (Apache-2.0).

The page policy's ``default-src 'self'`` allows the font (no ``data:`` URL is needed).
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Final

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import Response

from api.service.routeclass import OneHopRoute
from api.web.common import WEB_PREFIX
from maps.fonts import WEB_FONT_FAMILY, WEB_FONT_UNICODE_RANGE, FontError

__all__ = ["FONT_PREFIX", "LICENCE", "STYLESHEET", "router", "stylesheet_text"]

#: Where the font, its stylesheet and its licence are served.
FONT_PREFIX: Final = f"{WEB_PREFIX}/fonts"
#: The stylesheet every page links.
STYLESHEET: Final = f"{FONT_PREFIX}/cjk.css"
#: The font's licence text.
LICENCE: Final = f"{FONT_PREFIX}/LICENSE.txt"
#: Cache headers of the font file: its name changes with its content.
IMMUTABLE: Final = "public, max-age=31536000, immutable"

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)


def stylesheet_text(file_name: str, source: str, fmt: str) -> str:
    """The ``@font-face`` rule naming the font file ``file_name`` (relative to the sheet).

    The face is declared regular only: the font has no bold, so the browser draws headings
    and ``<th>`` in a synthetic bold, as bold as their Latin text."""
    return (
        f"/* {source}: a subset for the gridpatrol web pages; licence: {LICENCE} */\n"
        "@font-face {\n"
        f'  font-family: "{WEB_FONT_FAMILY}";\n'
        f'  src: url("{file_name}") format("{fmt}");\n'
        "  font-style: normal;\n"
        "  font-display: swap;\n"
        f"  unicode-range: {WEB_FONT_UNICODE_RANGE};\n"
        "}\n"
    )


@router.get(STYLESHEET)
def font_stylesheet(request: Request) -> Response:
    """The ``@font-face`` rule of the pages' CJK font (empty when there is no CJK font)."""
    from maps.fonts import cjk_font, web_font_file_name

    try:
        name = web_font_file_name()
        font = cjk_font()
    except FontError as exc:
        text = f"/* no CJK font for the web pages: {exc} */\n"
        return Response(text, media_type="text/css", headers={"Cache-Control": "no-cache"})
    etag = f'"{name}"'
    headers = {"Cache-Control": "no-cache", "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    source = font.path.name.replace("*/", "")
    fmt = name.rsplit(".", 1)[1]
    return Response(stylesheet_text(name, source, fmt), media_type="text/css", headers=headers)


@router.get(LICENCE)
def font_licence() -> Response:
    """The packaged font's attribution (the fonts README) and its licence text."""
    folder = resources.files("maps").joinpath("assets", "fonts")
    readme = folder.joinpath("README.md").read_text(encoding="utf-8")
    licence = folder.joinpath("LICENSE-Apache-2.0.txt").read_text(encoding="utf-8")
    text = f"{readme.rstrip()}\n\n{'=' * 72}\n\n{licence}"
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get(FONT_PREFIX + "/{name}")
def font_file(
    name: Annotated[str, Path(max_length=80, pattern=r"^[a-z0-9-]+\.woff2?$")],
) -> Response:
    """The font file named by the stylesheet; any other name is a 404."""
    from maps.fonts import web_font, web_font_file_name

    try:
        current = web_font_file_name()
    except FontError:
        current = None
    if name != current:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no font {name!r} here")
    font = web_font()
    headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{font.key}"'}
    return Response(font.data, media_type=font.media_type, headers=headers)
