"""The web pages' own CJK font (issue 13): the subset :func:`maps.fonts.web_font` cuts (GB 2312
and the catalogue), its disk cache, and the service's routes for its stylesheet, the font file
and its licence."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maps import fonts
from maps.fonts import WEB_FONT_UNICODE_RANGE, FontError
from maps.messages import MESSAGES
from tests.api.web.conftest import Service


def _declared_ranges() -> list[tuple[int, int]]:
    ranges = []
    for part in WEB_FONT_UNICODE_RANGE.split(","):
        lo, _, hi = part.strip().removeprefix("U+").partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    return ranges


def _forget() -> None:
    fonts._WEB_FONTS.clear()
    fonts._WEB_KEYS.clear()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("webfont-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRIDPATROL_CACHE_DIR", str(folder))
        mp.delenv("GRIDPATROL_NO_CACHE", raising=False)
        mp.delenv("GRIDPATROL_FONT", raising=False)
        _forget()
        yield folder
    _forget()


@pytest.fixture(scope="module")
def built(cache_dir: Path) -> fonts.WebFont:
    return fonts.web_font()


def test_characters_are_gb2312_and_the_catalogue_and_no_latin() -> None:
    gb = fonts.gb2312_characters()
    assert len(gb) == 7445  # 682 symbols, 3755 level-1 and 3008 level-2 hanzi
    chars = set(fonts.web_font_characters())
    assert set("巡逻网格警率缺口驻鑫") <= chars
    assert "镕" not in chars  # neither GB 2312 nor the catalogue: the next font of the list
    catalogue = {c for t in MESSAGES.values() for c in t["zh-CN"] if ord(c) >= 0x4E00}
    assert catalogue and catalogue <= chars
    assert min(map(ord, chars)) >= 0x2E80  # Latin, Greek, Cyrillic, punctuation stay out
    assert "，" in chars and "。" in chars and "（" in chars


@given(st.characters())
def test_the_declared_unicode_range_is_what_the_subset_keeps(ch: str) -> None:
    declared = any(lo <= ord(ch) <= hi for lo, hi in _declared_ranges())
    assert fonts._in_web_range(ord(ch)) == declared
    if ord(ch) < 0x2E80:  # Latin text of every kind keeps the page's ordinary font
        assert not declared


def test_the_subset_maps_every_character_and_is_a_woff(built: fonts.WebFont) -> None:
    from fontTools.ttLib import TTFont

    assert built.format == ("woff2" if fonts.woff2_available() else "woff")
    assert built.data[:4] == (b"wOF2" if built.format == "woff2" else b"wOFF")
    assert built.media_type == f"font/{built.format}"
    face = TTFont(io.BytesIO(built.data))
    cmap = set(face.getBestCmap())
    wanted = {ord(c) for c in fonts.web_font_characters()}
    assert cmap == wanted & set(fonts._cmap(fonts.cjk_font()))
    assert len(cmap) == built.characters == 7098
    assert built.family == "WenQuanYi Micro Hei"
    # bounded: a tenth of the installed font file
    assert len(built.data) < 1_500_000
    assert len(built.data) < fonts.cjk_font().path.stat().st_size / 5


def test_it_is_cached_on_disk_under_its_content_key(
    built: fonts.WebFont, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = cache_dir / "webfont" / built.file_name
    assert entry.read_bytes() == built.data
    assert re.fullmatch(r"gridpatrol-cjk-[0-9a-f]{16}\.woff2?", built.file_name)
    assert fonts.web_font_file_name() == built.file_name

    def no_build(*args: object) -> bytes:
        raise AssertionError("built again although the cache holds it")

    _forget()  # a new process: memory empty, disk warm
    monkeypatch.setattr(fonts, "build_web_font", no_build)
    again = fonts.web_font()
    assert again.data == built.data and again.key == built.key

    # a damaged entry (a truncated write) is built again and replaced
    entry.write_bytes(b"\x00garbage")
    _forget()
    monkeypatch.setattr(fonts, "build_web_font", lambda *a: b"wOFF-rebuilt")
    assert fonts.web_font().data == b"wOFF-rebuilt"
    assert entry.read_bytes() == b"wOFF-rebuilt"
    entry.write_bytes(built.data)
    _forget()


def test_the_key_follows_the_characters_the_format_and_the_font(tmp_path: Path) -> None:
    font = fonts.cjk_font()
    base = fonts.web_font_key(font, "巡逻", "woff")
    assert fonts.web_font_key(font, "巡逻", "woff") == base
    assert fonts.web_font_key(font, "巡逻网", "woff") != base
    assert fonts.web_font_key(font, "巡逻", "woff2") != base
    other = tmp_path / "copy.ttc"
    other.write_bytes(font.path.read_bytes()[:-1] + b"\x01")
    assert fonts.web_font_key(fonts.FontFile(other), "巡逻", "woff") != base
    with pytest.raises(FontError, match="use woff or woff2"):
        fonts.web_font(flavor="ttf")


def test_the_routes_serve_the_rule_the_font_and_its_licence(
    built: fonts.WebFont, service: Service
) -> None:
    client = service.client
    css = client.get("/web/fonts/cjk.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["cache-control"] == "no-cache"
    text = css.text
    assert "@font-face" in text and 'font-family: "gridpatrol-cjk"' in text
    assert f'src: url("{built.file_name}") format("{built.format}")' in text
    assert f"unicode-range: {WEB_FONT_UNICODE_RANGE};" in text
    assert "font-display: swap" in text
    # revalidation is a 304 without a body
    again = client.get("/web/fonts/cjk.css", headers={"If-None-Match": css.headers["etag"]})
    assert again.status_code == 304 and again.content == b""

    font = client.get(f"/web/fonts/{built.file_name}")
    assert font.status_code == 200
    assert font.headers["content-type"] == built.media_type
    assert font.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert font.content == built.data

    for wrong in ("gridpatrol-cjk-0000000000000000.woff", "x.ttf", "..%2F..%2Fetc%2Fpasswd"):
        assert client.get(f"/web/fonts/{wrong}").status_code == 404, wrong

    licence = client.get("/web/fonts/LICENSE.txt")
    assert licence.status_code == 200
    assert licence.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Apache License" in licence.text and "Version 2.0" in licence.text
    assert "WenQuanYi Micro Hei" in licence.text and "/web/fonts/LICENSE.txt" in text


def test_every_page_links_the_font_and_its_policy_allows_it(
    built: fonts.WebFont, service: Service
) -> None:
    page = service.client.get("/web/login?lang=zh-CN")
    assert page.status_code == 200
    assert '<link rel="stylesheet" href="/web/fonts/cjk.css">' in page.text
    policy = page.headers["content-security-policy"]
    # no font-src of its own: fonts fall under default-src, this origin only
    assert "default-src 'self'" in policy and "font-src" not in policy
    css = service.client.get("/web/static/gridpatrol.css").text
    # before system-ui: Chromium never looks past system-ui for a character it lacks
    assert '"gridpatrol-cjk", system-ui, sans-serif' in css


def test_without_a_cjk_font_the_rule_is_empty_and_pages_still_work(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def none() -> fonts.FontFile:
        raise FontError("no TrueType CJK font found")

    monkeypatch.setattr(fonts, "cjk_font", none)
    css = service.client.get("/web/fonts/cjk.css")
    assert css.status_code == 200 and "@font-face" not in css.text
    assert "no CJK font" in css.text
    assert service.client.get("/web/fonts/gridpatrol-cjk-0.woff").status_code == 404
    assert service.client.get("/web/login").status_code == 200


def test_concurrent_first_requests_build_it_once(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import threading
    import time

    calls: list[int] = []

    def slow_build(*args: object) -> bytes:
        calls.append(1)
        time.sleep(0.3)
        return b"wOFF-once"

    monkeypatch.setenv("GRIDPATROL_CACHE_DIR", str(tmp_path))  # a cold cache
    monkeypatch.setattr(fonts, "build_web_font", slow_build)
    _forget()
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(fonts.web_font().data)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [b"wOFF-once"] * 4
    assert len(calls) == 1
    assert (tmp_path / "webfont" / fonts.web_font_file_name()).read_bytes() == b"wOFF-once"
    _forget()
