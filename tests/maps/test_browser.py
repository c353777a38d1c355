"""The map opened as a person would: headless Chromium, no network, no JavaScript errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from maps.bundle import PlanBundle
from maps.webmap import MapOptions, build_map, save_map
from tests.maps.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"browser tests need Chromium at {CHROMIUM}"
)

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser: object, path: Path) -> tuple[object, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if url.startswith("file:") or url.startswith("data:"):
            r.continue_()  # type: ignore[attr-defined]
        else:
            requests.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function("typeof window.gridpatrolPlayer !== 'undefined'", timeout=15_000)
    page.wait_for_timeout(300)
    return page, errors, requests


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_map_opens_without_errors(
    browser: object, bundle: PlanBundle, tmp_path: Path, lang: str
) -> None:
    path = save_map(
        build_map(bundle, MapOptions(tiles="none", lang=lang)),
        tmp_path / f"map_{lang}.html",
        embed_assets=True,
    )
    page, errors, requests = _open(browser, path)
    assert errors == []
    assert requests == []  # self-contained: nothing fetched
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()  # type: ignore[attr-defined]
    text = " | ".join(labels)
    assert bundle.plan is not None
    for route in bundle.plan.routes:
        assert route.unit_id in text
    assert ("Hotspots" if lang == "en" else "易发部位") in text
    # routes and cells are SVG paths; stops are numbered markers
    assert page.locator("path.gp-route").count() >= 1  # type: ignore[attr-defined]
    assert page.locator("svg path").count() > 20  # type: ignore[attr-defined]
    n_stops = sum(len(r.stops) for r in bundle.plan.routes)
    assert page.locator(".gp-stop").count() == n_stops  # type: ignore[attr-defined]
    assert page.locator(".gp-legend").count() == 1  # type: ignore[attr-defined]
    assert page.locator(".leaflet-control-scale").count() == 1  # type: ignore[attr-defined]
    # switch every hidden layer on (clusters, Gi*, heat): still no error
    boxes = page.locator(".leaflet-control-layers-overlays input")  # type: ignore[attr-defined]
    for i in range(boxes.count()):
        if not boxes.nth(i).is_checked():
            boxes.nth(i).click()
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert page.locator(".marker-cluster").count() > 0  # type: ignore[attr-defined]
    assert errors == []


def test_player_moves_units_and_popups_open(
    browser: object, bundle: PlanBundle, tmp_path: Path
) -> None:
    path = save_map(
        build_map(bundle, MapOptions(tiles="none")), tmp_path / "map.html", embed_assets=True
    )
    page, errors, _ = _open(browser, path)
    moving = next(r for r in bundle.plan.routes if r.stops)  # type: ignore[union-attr]
    index = [r.unit_id for r in bundle.plan.routes].index(moving.unit_id)  # type: ignore[union-attr]
    get = f"window.gridpatrolPlayer.markers[{index}].getLatLng()"
    page.evaluate(f"window.gridpatrolPlayer.show({moving.depart_s})")  # type: ignore[attr-defined]
    start = page.evaluate(get)  # type: ignore[attr-defined]
    first = moving.stops[0]
    page.evaluate(f"window.gridpatrolPlayer.show({(first.arrival_s + first.departure_s) // 2})")  # type: ignore[attr-defined]
    at_stop = page.evaluate(get)  # type: ignore[attr-defined]
    assert (start["lat"], start["lng"]) != (at_stop["lat"], at_stop["lng"])
    clock = page.locator(".gp-player-clock").inner_text()  # type: ignore[attr-defined]
    assert len(clock) >= 5 and clock[2] == ":"
    page.locator(".gp-stop").first.click()  # type: ignore[attr-defined]
    page.wait_for_timeout(200)  # type: ignore[attr-defined]
    popup = page.locator(".leaflet-popup-content").inner_text()  # type: ignore[attr-defined]
    assert "Arrive" in popup and "Dwell" in popup
    assert errors == []
