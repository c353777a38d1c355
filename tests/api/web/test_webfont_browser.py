"""The web pages' own CJK font in headless Chromium (which has no CJK font on this machine)
against a real running service, with every other address blocked: a Chinese page loads the
``gridpatrol-cjk`` face from the service and Chromium sets its Chinese text in it (asked
through the DevTools protocol, which names the fonts a node is drawn with), while Latin text
keeps the ordinary font. A screenshot is written for a person to look at
(``$GRIDPATROL_WEBFONT_SHOTS`` names a folder to keep it)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.web.live import LiveService, live_service
from tests.api.web.test_browser import ARGS, CHROMIUM, PASSWORD, pytestmark  # noqa: F401

FACE_STATUS = """() => [...document.fonts]
    .filter(f => f.family.replaceAll('"', '') === 'gridpatrol-cjk')
    .map(f => f.status)"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    folder = tmp_path_factory.mktemp("live-webfont")
    with live_service(
        folder, {"admin": ("admin", PASSWORD)}, cache_dir=str(folder / "cache")
    ) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: LiveService) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page that may reach only the service; JavaScript errors and fetched URLs collected."""
    context = browser.new_context(viewport={"width": 1000, "height": 640})
    errors: list[str] = []
    fetched: list[str] = []

    def only_local(route: Any) -> None:
        fetched.append(route.request.url)
        if route.request.url.startswith(server.base_url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    page.set_default_timeout(60_000)
    yield page, errors, fetched
    context.close()


def _wait_loaded(tab: Any, timeout_s: float = 60) -> list[str]:
    """The face's statuses once one is ``loaded`` (polled from here: the page's policy forbids
    the string evaluation ``wait_for_function`` uses)."""
    deadline = time.monotonic() + timeout_s
    while True:
        statuses: list[str] = tab.evaluate(FACE_STATUS)
        if "loaded" in statuses or time.monotonic() > deadline:
            return statuses
        tab.wait_for_timeout(100)


def _fonts_of(page: Any, selector: str) -> dict[str, int]:
    """The fonts Chromium drew the node's text with: family name -> glyphs, custom fonts
    marked ``web:``."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, selector
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {
        ("web:" if f["isCustomFont"] else "") + f["familyName"]: int(f["glyphCount"]) for f in used
    }


def test_a_chinese_page_loads_and_uses_the_services_cjk_font(
    page: tuple[Any, list[str], list[str]], server: LiveService, tmp_path: Path
) -> None:
    tab, errors, fetched = page
    tab.goto(f"{server.base_url}/web/login?lang=zh-CN")
    # the page's own Chinese text makes Chromium fetch the face (nothing forces a load here)
    assert _wait_loaded(tab) == ["loaded"]
    assert tab.evaluate("document.fonts.check('15px \"gridpatrol-cjk\"', '网格巡防登录')")
    assert tab.evaluate("document.fonts.status") == "loaded"
    font_urls = [u for u in fetched if "/web/fonts/" in u]
    assert any(u.endswith(".woff") or u.endswith(".woff2") for u in font_urls), fetched
    assert all(u.startswith(server.base_url) for u in fetched), fetched  # no CDN

    brand = tab.inner_text("a.brand")
    assert brand == "网格巡防"
    used = _fonts_of(tab, "a.brand")
    assert used == {"web:WenQuanYi Micro Hei": len(brand)}, used
    heading = tab.inner_text("h1")
    assert any("\u4e00" <= c <= "\u9fff" for c in heading), heading
    assert "web:WenQuanYi Micro Hei" in _fonts_of(tab, "h1")

    shots = Path(os.environ.get("GRIDPATROL_WEBFONT_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(shots / "webfont_login_zh.png"), full_page=True)
    assert (shots / "webfont_login_zh.png").stat().st_size > 5_000
    assert errors == []


def test_latin_text_keeps_the_ordinary_font(
    page: tuple[Any, list[str], list[str]], server: LiveService, tmp_path: Path
) -> None:
    tab, errors, _ = page
    tab.goto(f"{server.base_url}/web/login?lang=en")
    assert tab.inner_text("a.brand") == "gridpatrol"
    used = _fonts_of(tab, "a.brand")
    assert used and not any(name.startswith("web:") for name in used), used
    # the language link "中文" on the English page is drawn in the CJK face
    assert _wait_loaded(tab) == ["loaded"]
    link = _fonts_of(tab, "a.lang")
    assert link == {"web:WenQuanYi Micro Hei": 2}, link
    shots = Path(os.environ.get("GRIDPATROL_WEBFONT_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(shots / "webfont_login_en.png"), full_page=True)
    assert errors == []
