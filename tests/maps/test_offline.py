"""Offline by default: the map inlines its scripts unless asked for CDN links, and the service's
``/docs`` page loads Swagger UI from the installation. Opened in Chromium with every request
that is not the file itself (or this machine) refused."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from maps.assets import PAGE_FONT, external_urls, page_characters, subset_font_bytes
from maps.bundle import PlanBundle
from maps.exports import map_html, write_map
from maps.fonts import FontFile, cjk_font, missing_glyphs
from tests.api.service.conftest import make_settings
from tests.maps.conftest import CHROMIUM

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def test_default_map_has_no_cdn_links(bundle: PlanBundle, tmp_path: Path) -> None:
    path = write_map(bundle, tmp_path / "map.html", lang="zh-CN")
    html = path.read_text(encoding="utf-8")
    assert external_urls(html) == []
    assert "L.map(" in html and "leaflet" in html.lower()
    # asked for, the CDN links come back
    cdn = map_html(bundle, lang="en", offline=False)
    assert any("leaflet" in u for u in external_urls(cdn))
    assert len(cdn) < len(html) / 2


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _block_network(page: object, refused: list[str]) -> None:
    """Let only file:, data: and blob: requests through; refuse and record the others."""

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith(("file:", "data:", "blob:")):
            r.continue_()  # type: ignore[attr-defined]
        else:
            refused.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)  # type: ignore[attr-defined]


def test_default_map_draws_routes_with_network_blocked(
    browser: object, bundle: PlanBundle, tmp_path: Path
) -> None:
    # the default map as a user writes it: OSM tiles, nothing inlined by request
    path = write_map(bundle, tmp_path / "map_zh-CN.html", lang="zh-CN")
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    errors: list[str] = []
    refused: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _block_network(page, refused)
    page.goto(path.as_uri())
    page.wait_for_selector("path.gp-route", state="attached", timeout=15_000)
    assert errors == []
    assert bundle.plan is not None
    drawn = page.locator("path.gp-route").count()
    assert drawn >= sum(1 for r in bundle.plan.routes if r.stops)
    # only map tiles (pictures) were wanted from outside; no script or stylesheet
    assert [u for u in refused if re.search(r"\.(js|css)(\?|$)", u)] == []
    assert page.locator(".leaflet-control-layers").count() == 1
    # the labels are set in the font inlined into the page, whatever the machine has
    page.evaluate("document.fonts.ready")
    families = page.evaluate("Array.from(document.fonts).map(f => f.family + ':' + f.status)")
    assert families == [f'"{PAGE_FONT}":loaded'] or families == [f"{PAGE_FONT}:loaded"]
    assert page.evaluate(f"document.fonts.check('12px \"{PAGE_FONT}\"', '巡逻图')")
    page.close()


def test_default_map_inlines_a_font_subset_of_its_labels(
    bundle: PlanBundle, tmp_path: Path
) -> None:
    html = write_map(bundle, tmp_path / "map.html", lang="zh-CN").read_text(encoding="utf-8")
    assert html.count("@font-face") == 1 and PAGE_FONT in html
    text = page_characters(html)
    assert "巡" in text and "逻" in text
    # a subset: far smaller than the 5 MB collection it comes from
    font = subset_font_bytes(cjk_font().path, text)
    assert 5_000 < len(font) < 400_000
    assert missing_glyphs("巡逻图班次回放", FontFile(_saved(font, tmp_path))) == set()


def _saved(data: bytes, folder: Path) -> Path:
    path = folder / "subset.ttf"
    path.write_bytes(data)
    return path


def test_docs_page_serves_swagger_from_the_installation(tmp_path: Path) -> None:
    from api.service.app import create_app

    app = create_app(make_settings(f"sqlite:///{tmp_path / 'gridpatrol.db'}", tmp_path))
    with TestClient(app) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources and all(s.startswith("/") for s in sources), sources
        for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
            assert asset in sources
            got = client.get(asset)
            assert got.status_code == 200 and len(got.content) > 50_000
        assert client.get("/openapi.json").json()["info"]["title"] == "gridpatrol"
