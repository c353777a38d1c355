"""The coordinators' pages end to end in headless Chromium against a real running service:
sign in, add the Toronto sample area, upload its incidents, plan a shift (2 s), watch it finish,
see the routes on the map, download the PDF sheets, run staffing, read the pages in Chinese.
Any JavaScript error fails the test. No network: only the service on 127.0.0.1 is reachable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo import sample
from tests.api.web.live import LiveService, live_service

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"
INCIDENTS = sample.data_dir("toronto-uoft") / "toronto_mci_incidents_2014_2021_uoft.csv"

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"browser tests need Chromium at {CHROMIUM}"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    folder = tmp_path_factory.mktemp("live")
    with live_service(
        folder,
        {"admin": ("admin", PASSWORD)},
        plan_time_limit_s="2",
        job_workers="1",
        staffing_time_limit_s="0.5",
        staffing_max_units="2",
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
def page(browser: Any, server: LiveService) -> Iterator[tuple[Any, list[str]]]:
    """A page that may reach only the service, collecting JavaScript errors."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    errors: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(server.base_url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()  # base-map tiles and anything else outside

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.set_default_timeout(30_000)
    yield page, errors
    context.close()


def test_coordinator_flow_in_a_browser(
    page: tuple[Any, list[str]], server: LiveService, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    p, errors = page
    base = server.base_url
    # Sign in (the pages send us to the login first).
    p.goto(f"{base}/web/")
    assert p.url.startswith(f"{base}/web/login")
    p.fill("input[name=username]", "admin")
    p.fill("input[name=password]", PASSWORD)
    p.click("#login-form button[type=submit]")
    expect(p.locator("h1")).to_have_text("Your areas")

    # An area from the Toronto sample, without its incidents: they are uploaded next.
    p.fill("#area-form input[name=name]", "UofT")
    p.select_option("#area-form select[name=sample]", "toronto-uoft")
    p.uncheck("#area-form input[name=sample_incidents]")
    p.click("#area-form button[type=submit]")
    expect(p.locator("h1")).to_have_text("UofT")
    p.set_input_files("#upload-form input[type=file]", str(INCIDENTS))
    p.click("#upload-form button[type=submit]")
    expect(p.locator("#datasets")).to_contain_text("822")

    # Plan the evening shift with a 2 s solver limit and follow it to the end.
    p.fill("#plan-form input[name=band]", "16-24")
    p.fill("#plan-form input[name=car]", "1")
    p.fill("#plan-form input[name=foot]", "1")
    p.fill("#plan-form input[name=bicycle]", "0")
    p.fill("#plan-form input[name=time_limit_s]", "2")
    p.fill("#plan-form input[name=top]", "15")
    p.click("#run-plan")
    expect(p.locator("h1")).to_contain_text("Plan")
    plan_url = p.url
    expect(p.locator("#plan-map")).to_be_visible(timeout=180_000)
    expect(p.locator("#routes tbody tr")).to_have_count(2)

    # The map: Leaflet drew the routes (SVG paths) inside the frame.
    frame = p.frame_locator("#plan-map")
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached(timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() > 2

    # The PDF route sheets download.
    with p.expect_download() as download_info:
        p.click("#download-pdf")
    target = tmp_path / "sheets.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")

    # The same plan in Chinese.
    p.goto(f"{plan_url}?lang=zh-CN")
    expect(p.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(p.locator("h1")).to_contain_text("巡逻计划")
    expect(p.locator("body")).to_contain_text("巡逻路线单")
    expect(p.locator("body")).to_contain_text("退出登录")

    # Staffing for the area (small: one shift, up to two units).
    p.goto(f"{base}/web/?lang=en")
    p.click("#areas a:has-text('Staffing')")
    p.click("#run-staffing")
    expect(p.locator("#staffing-table")).to_be_visible(timeout=180_000)
    expect(p.locator("#staffing-table")).to_contain_text("16-24")
    chart_width = p.eval_on_selector("#staffing-chart", "img => img.naturalWidth")
    assert chart_width > 0

    # Sign out.
    p.click("#logout")
    expect(p.locator("#login-form")).to_be_visible()
    assert not errors, errors
