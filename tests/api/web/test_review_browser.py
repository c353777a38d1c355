"""The review pages end to end in headless Chromium against a real running service: the plan
review (with simulated GPS tracks), the weekly pack and the monthly ranking, in English and
Chinese; the tables show the service's numbers, the direct downloads and a report made as a
background job (followed by ``status.js``) download, and a month is recorded for the flags.
Any JavaScript error fails the test. No network: only the service on 127.0.0.1 is reachable.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from maps.planfile import bundle_from_document
from maps.review.trackfiles import write_fixes_gpx
from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks
from tests.api.web.live import LiveService, live_service

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "correct horse battery"
SMALL = {"unit_counts": "car=1,foot=1", "top": 20, "max_iterations": 100, "seed": 1}

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"browser tests need Chromium at {CHROMIUM}"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    folder = tmp_path_factory.mktemp("live-review")
    with live_service(
        folder, {"admin": ("admin", PASSWORD)}, plan_time_limit_s="2", job_workers="1"
    ) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _wait(client: httpx.Client, path: str, timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(path).json()
        if job["state"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.5)


def _setup(server: LiveService, folder: Path) -> dict[str, Any]:
    """A Portland area, a finished plan and its simulated tracks, through the API."""
    client = httpx.Client(base_url=server.base_url, timeout=120)
    token = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    area = client.post("/areas", json={"name": "Portland", "sample": "portland-central"}).json()
    dataset = client.get(f"/datasets?area_id={area['id']}").json()["items"][0]
    plan = client.post("/plans", json={"dataset_id": dataset["id"], **SMALL}).json()
    assert _wait(client, f"/plans/{plan['id']}")["state"] == "succeeded"
    bundle = bundle_from_document(client.get(f"/plans/{plan['id']}/document").json(), source="t")
    assert bundle.plan is not None
    for seed in range(3, 40):
        try:
            sim = simulate_tracks(
                bundle.plan, dict(bundle.station_xy()), TrackSimOptions(seed=seed)
            )
        except ValueError:
            continue
        if (~sim.truth["visited"]).any() and sim.truth["visited"].any():
            break
    timed = fixes_with_times(sim.fixes, bundle.plan_date, bundle.timezone)
    gpx = write_fixes_gpx(timed, bundle.crs, folder / "tracks.gpx")
    sent = client.post(
        f"/plans/{plan['id']}/tracks",
        files={"file": ("tracks.gpx", gpx.read_bytes(), "application/gpx+xml")},
    )
    assert sent.status_code == 201, sent.text
    review = client.get(f"/plans/{plan['id']}/review").json()
    year, number, _ = bundle.plan_date.isocalendar()
    week = f"{year}-W{number:02d}"
    weekly = client.get(f"/areas/{area['id']}/weekly?week={week}").json()
    month = dataset["last_at"][:7]
    monthly = client.get(f"/areas/{area['id']}/monthly?month={month}").json()
    client.close()
    return {
        "area": area["id"],
        "plan": plan["id"],
        "review": review,
        "week": week,
        "weekly": weekly,
        "month": month,
        "monthly": monthly,
    }


def _cells(p: Any, selector: str) -> list[list[str]]:
    rows: list[list[str]] = p.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
    )
    return rows


def _download(p: Any, selector: str, target: Path) -> bytes:
    """Click a download link; the file it saves (the link's answer is checked first, so a
    refused download says why)."""
    href = p.eval_on_selector(selector, "a => a.href")  # absolute
    answer = p.context.request.get(href)
    assert answer.status == 200, (href, answer.status, answer.text()[:500])
    with p.expect_download() as info:
        p.click(selector)
    info.value.save_as(target)
    return target.read_bytes()


def test_review_pages_in_a_browser(browser: Any, server: LiveService, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    data = _setup(server, tmp_path)
    base = server.base_url
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(base) or route.request.url.startswith("data:")
            else route.abort()
        ),
    )
    p = context.new_page()
    p.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    p.set_default_timeout(30_000)
    p.goto(f"{base}/web/login")
    p.fill("input[name=username]", "admin")
    p.fill("input[name=password]", PASSWORD)
    p.click("#login-form button[type=submit]")
    expect(p.locator("h1")).to_have_text("Your areas")

    # the plan review: one row per unit with the service's stops planned and visited
    review = data["review"]
    for lang, caption in (("en", "Units"), ("zh-CN", "各巡组执行情况")):
        p.goto(f"{base}/web/plans/{data['plan']}/review?lang={lang}")
        expect(p.locator("#review-units caption")).to_have_text(caption)
        p.screenshot(path=str(tmp_path / f"review_{lang}.png"), full_page=True)
        rows = {r[0]: r for r in _cells(p, "#review-units")}
        assert set(rows) == {u["unit_id"] for u in review["units"]}
        for u in review["units"]:
            assert rows[u["unit_id"]][1] == str(u["stops_planned"])
            assert rows[u["unit_id"]][2] == str(u["stops_visited"])
    pdf = _download(p, "#review-downloads a:has-text('PDF')", tmp_path / "review_zh.pdf")
    assert pdf.startswith(b"%PDF")

    # the same report as a background job: status.js follows it, then the downloads show
    p.click("#review-job-form button[type=submit]")
    expect(p.locator("h1")).to_contain_text("点评报告")
    expect(p.locator("#job-downloads")).to_be_visible(timeout=240_000)
    expect(p.locator("[data-status-state]")).to_have_text("已完成")
    p.screenshot(path=str(tmp_path / "job_zh.png"), full_page=True)
    pdf = _download(p, "#job-downloads a:has-text('PDF (中文)')", tmp_path / "job_zh.pdf")
    assert pdf.startswith(b"%PDF")
    xlsx = _download(p, "#job-downloads a:has-text('XLSX (英文)')", tmp_path / "job_en.xlsx")
    assert xlsx.startswith(b"PK")

    # the weekly pack of the plan's week: incidents per area and the reviewed day
    weekly = data["weekly"]
    for lang, word in (("en", "Weekly review"), ("zh-CN", "每周点评")):
        p.goto(f"{base}/web/areas/{data['area']}/weekly?week={data['week']}&lang={lang}")
        expect(p.locator("h1")).to_contain_text(word)
        shown = {r[0]: r for r in _cells(p, "#week-areas")}
        for a in weekly["areas"]:
            assert shown[a["name"]][1] == str(a["count"]), a
            assert shown[a["name"]][4] == str(a["count_last_year"]), a
        p.screenshot(path=str(tmp_path / f"weekly_{lang}.png"), full_page=True)
        days = _cells(p, "#week-days")
        assert [d[0] for d in days] == [d["plan_date"] for d in weekly["days"]]
        assert int(days[0][3]) == int(weekly["days"][0]["stops_visited"])
        assert int(days[0][3]) == int(review["totals"]["stops_visited"])
    xlsx = _download(p, "#week-downloads a:has-text('XLSX')", tmp_path / "week.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    counts = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert counts == {a["name"]: a["count"] for a in weekly["areas"]}

    # the monthly ranking: numbers, the downloads, and the month recorded for the flags
    monthly = data["monthly"]
    for lang, word in (("zh-CN", "每月考评"), ("en", "Monthly ranking")):
        p.goto(f"{base}/web/areas/{data['area']}/monthly?month={data['month']}&lang={lang}")
        expect(p.locator("h1")).to_contain_text(word)
        shown = {r[1]: r for r in _cells(p, "#ranking")}
        for a in monthly["areas"]:
            assert shown[a["name"]][2] == str(a["count"]), a
            assert shown[a["name"]][4] == str(a["count_last_year"]), a
    pdf = _download(p, "#month-downloads a:has-text('PDF')", tmp_path / "month.pdf")
    assert pdf.startswith(b"%PDF")
    expect(p.locator("#month-no-history")).to_be_visible()
    p.click("#month-record button[type=submit]")
    expect(p.locator("#month-recorded")).to_contain_text(data["month"])
    expect(p.locator(f"#month-history tr[data-month='{data['month']}']")).to_be_visible()
    p.screenshot(path=str(tmp_path / "monthly_en.png"), full_page=True)
    named = [monthly_name(monthly, a) for a in monthly["bulletin"]]
    for name in named:
        expect(p.locator("#month-history")).to_contain_text(name)
    # the area page links to both
    p.goto(f"{base}/web/areas/{data['area']}")
    p.click("#weekly-link")
    expect(p.locator("#week-form")).to_be_visible()
    assert not errors, errors
    context.close()


def monthly_name(doc: dict[str, Any], area_id: str) -> str:
    """The name of official area ``area_id`` in a monthly document."""
    return str(next(a["name"] for a in doc["areas"] if a["area_id"] == area_id))
