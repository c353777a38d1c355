"""Hostile names in every user-controlled field never run as script (issue 16, item 4).

An area, its stations, incidents (categories), units and duties are given names that break out
of HTML, attributes, JavaScript strings and template literals; a real plan is made on them by a
running service; the map (both languages), the web pages and the API docs are opened in
headless Chromium with every tooltip and popup of the map opened. No dialog may open, no
payload may set its window flag, no script may fail to parse, and the names must show as text.
User names cannot carry such text at all (the API refuses them).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.web.live import LiveService, live_service

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "correct horse battery"

#: Each payload sets ``window.__xss`` (and most open a dialog) if it ever runs.
PAYLOADS = (
    "</script><script>window.__xss=1;alert(1)</script>",
    "${window.__xss=2}",
    '"><img src=x onerror="window.__xss=3;alert(3)">',
    "`;window.__xss=4;alert(4);`",
    "\\x3cimg src=x onerror=window.__xss=5\\x3e",
    "<svg onload=window.__xss=6>",
    "'-alert(7)-'",
)

#: A square around Queen's Park, Toronto.
WEST, SOUTH, EAST, NORTH = -79.400, 43.655, -79.385, 43.670

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"browser tests need Chromium at {CHROMIUM}"
)


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    with live_service(
        tmp_path_factory.mktemp("hostile"),
        {"admin": ("admin", PASSWORD)},
        plan_time_limit_s="2",
        job_workers="1",
    ) as live:
        yield live


@pytest.fixture(scope="module")
def hostile_plan(server: LiveService) -> dict[str, int]:
    """An area, dataset and finished plan whose every name is a payload."""
    client = httpx.Client(base_url=server.base_url, timeout=60)
    token = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    # A user name cannot be markup at all.
    refused = client.post(
        "/users",
        json={"username": PAYLOADS[0], "password": PASSWORD, "role": "viewer"},
        headers=headers,
    )
    assert refused.status_code == 422
    stations: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-79.3924 + i * 0.002, 43.6628]},
                "properties": {"station_id": f"s{i}{payload}", "name": f"Station {payload}"},
            }
            for i, payload in enumerate(PAYLOADS[:3])
        ],
    }
    boundary = {
        "type": "Polygon",
        "coordinates": [
            [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
        ],
    }
    area = client.post(
        "/areas",
        json={
            "name": f"Area {PAYLOADS[0]} {PAYLOADS[1]}",
            "boundary": boundary,
            "timezone": "America/Toronto",
            "stations": stations,
        },
        headers=headers,
    )
    assert area.status_code == 201, area.text
    area_id = area.json()["id"]
    incidents = [
        {
            "date": f"2024-03-{1 + i % 28:02d} {16 + i % 7}:{(7 * i) % 60:02d}",
            "category": PAYLOADS[i % len(PAYLOADS)],
            "lat": round(SOUTH + 0.001 + (i * 0.00037) % 0.013, 6),
            "lon": round(WEST + 0.001 + (i * 0.00053) % 0.013, 6),
        }
        for i in range(160)
    ]
    dataset = client.post(
        "/datasets",
        data={"area_id": str(area_id), "name": f"Data {PAYLOADS[2]}"},
        files={"file": ("incidents.csv", _csv(incidents).encode(), "text/csv")},
        headers=headers,
    )
    assert dataset.status_code == 201, dataset.text
    station_ids = [f["properties"]["station_id"] for f in stations["features"]]
    units = _csv(
        [
            {
                "unit_id": f"U{i}{payload}",
                "mode": "foot",
                "station": station_ids[i % len(station_ids)],
                "shift_start": "16:00",
                "shift_end": "24:00",
            }
            for i, payload in enumerate(PAYLOADS[3:6])
        ]
    )
    duties = _csv(
        [
            {
                "duty_id": f"d{i}{payload}",
                "kind": "post",
                "name": f"Post {payload}",
                "lat": 43.6629 + i * 0.001,
                "lon": -79.3957,
                "dwell_min": 10,
            }
            for i, payload in enumerate(PAYLOADS)
        ]
    )
    plan = client.post(
        "/plans",
        json={
            "dataset_id": dataset.json()["id"],
            "band": "16-24",
            "units_csv": units,
            "duties_csv": duties,
            "time_limit_s": 2,
            "top": 10,
            "on_infeasible": "drop",
        },
        headers=headers,
    )
    assert plan.status_code == 202, plan.text
    plan_id = plan.json()["id"]
    deadline = time.monotonic() + 240
    while True:
        state = client.get(f"/plans/{plan_id}", headers=headers).json()
        if state["state"] not in ("queued", "running"):
            break
        assert time.monotonic() < deadline, state
        time.sleep(1)
    assert state["state"] == "succeeded", state
    return {"area": area_id, "plan": plan_id}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


#: Opens every tooltip and popup of every Leaflet map on the page (their HTML is built then).
OPEN_EVERYTHING = """() => {
  let opened = 0;
  for (const key of Object.keys(window)) {
    const map = window[key];
    if (!(map instanceof L.Map)) continue;
    map.eachLayer((layer) => {
      if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened++; }
      if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened++; }
    });
    document.querySelectorAll('.leaflet-control-layers').forEach((c) => c.classList.add(
      'leaflet-control-layers-expanded'));
  }
  return opened;
}"""


def test_hostile_names_never_run_as_script(
    browser: Any, server: LiveService, hostile_plan: dict[str, int]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((server.base_url, "data:"))
            else route.abort()
        ),
    )
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = server.base_url
    page.goto(f"{base}/web/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/web/")
    area, plan = hostile_plan["area"], hostile_plan["plan"]
    shown: list[str] = []
    for path in ("/web/", f"/web/areas/{area}", f"/web/plans/{plan}", "/docs"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__xss") is None, path
        shown.append(page.inner_text("body"))
    for lang in ("en", "zh-CN"):
        response = page.goto(f"{base}/plans/{plan}/map?lang={lang}&offline=true")
        assert response is not None and response.status == 200
        policy = response.headers["content-security-policy"]
        assert (
            "frame-ancestors" in policy and response.headers["x-content-type-options"] == "nosniff"
        )
        page.wait_for_load_state("load")
        opened = page.evaluate(OPEN_EVERYTHING)
        assert opened > 10, opened
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__xss") is None, lang
        shown.append(page.inner_text("body"))
        html = page.content()
        # The names are on the map as text: the station, unit and duty names.
        for payload in PAYLOADS[:3]:
            assert (
                f"Station {payload}"
                in page.evaluate(
                    "() => Array.from(document.querySelectorAll("
                    "'.leaflet-tooltip, .leaflet-popup')).map((e) => e.textContent).join('\\n')"
                )
                or f"Station {payload}" in html
            ), payload
    assert not dialogs, dialogs
    assert not errors, errors
    everything = "\n".join(shown)
    assert f"Area {PAYLOADS[0]}" in everything  # shown as typed, not run
    assert "U0`;window.__xss=4;alert(4);`" in everything
    context.close()


def test_the_plan_document_keeps_the_names_as_given(
    server: LiveService, hostile_plan: dict[str, int]
) -> None:
    client = httpx.Client(base_url=server.base_url, timeout=60)
    token = client.post("/auth/token", data={"username": "admin", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    document = client.get(f"/plans/{hostile_plan['plan']}/document", headers=headers)
    assert document.status_code == 200
    text = json.dumps(document.json(), ensure_ascii=False)
    assert "U0`;window.__xss=4;alert(4);`" in text  # escaping is for pages, not for data
