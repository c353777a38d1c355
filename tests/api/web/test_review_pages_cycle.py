"""The weekly and monthly review pages (server side, both languages): the numbers of the JSON
answers, the downloads linked, recording a month from the page (CSRF, writers only), the
recorded months listed with their flags, the job button, and another area's pages refused."""

from __future__ import annotations

import re

from api.service.models import Role
from api.service.reviewjob import run_review_job
from tests.api.service.conftest import Service
from tests.api.service.test_review_cycle import _dataset, _incidents, _months, _sectors
from tests.api.web.conftest import form_token, web_login


def _cell_texts(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    out = []
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if cells:
            out.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return out


def test_weekly_and_monthly_pages(service: Service, admin: dict[str, str]) -> None:
    area_id = _sectors(service, admin)
    _dataset(service, admin, area_id, _incidents(_months({"A": 5, "B": 6}, {"A": 10, "B": 6})))
    week = "2024-W11"
    doc = service.client.get(f"/areas/{area_id}/weekly?week={week}", headers=admin).json()
    web_login(service.client, "admin")
    area_page = service.client.get(f"/web/areas/{area_id}")
    assert f"/web/areas/{area_id}/weekly" in area_page.text
    for lang, word in (("en", "Weekly review"), ("zh-CN", "每周点评")):
        page = service.client.get(f"/web/areas/{area_id}/weekly?week={week}&lang={lang}")
        assert page.status_code == 200, page.text
        assert word in page.text
        rows = {r[0]: r for r in _cell_texts(page.text, "week-areas")}
        for a in doc["areas"]:
            assert rows[a["name"]][1] == str(a["count"])
            assert rows[a["name"]][4] == str(a["count_last_year"])
        assert f"/areas/{area_id}/weekly.pdf?week={week}&amp;lang={lang}" in page.text
        assert 'id="week-no-plans"' in page.text
        assert 'id="review-job-form"' in page.text
    bad = service.client.get(f"/web/areas/{area_id}/weekly?week=2024-W99")
    assert bad.status_code == 422 and "2024" in bad.text

    # the monthly page: record the month (CSRF), then the history lists its flags
    page = service.client.get(f"/web/areas/{area_id}/monthly?month=2024-03&lang=zh-CN")
    assert page.status_code == 200 and 'id="month-no-history"' in page.text
    assert f"/areas/{area_id}/monthly.pdf?month=2024-03" in page.text
    token = form_token(page.text.split('id="month-record"', 1)[1])
    refused = service.client.post(
        f"/web/areas/{area_id}/monthly", data={"month": "2024-03", "basis": "yoy"}
    )
    assert refused.status_code == 403
    for month in ("2024-01", "2024-02", "2024-03"):
        sent = service.client.post(
            f"/web/areas/{area_id}/monthly?lang=zh-CN",
            data={"csrf_token": token, "month": month, "basis": "yoy"},
        )
        assert sent.status_code == 200, sent.text
        assert 'id="month-recorded"' in sent.text
    history = _cell_texts(sent.text, "month-history")
    assert [h[0] for h in history] == ["2024-03", "2024-02", "2024-01"]
    assert "Sector A" in history[0][2]
    assert "通报 → 限期整改 → 黄牌警告" in history[0][3]
    ranking = {r[1]: r for r in _cell_texts(sent.text, "ranking")}
    assert ranking["Sector A"][2] == "10" and "黄牌警告" in ranking["Sector A"][7]
    bad = service.client.post(
        f"/web/areas/{area_id}/monthly", data={"csrf_token": token, "month": "2024-13"}
    )
    assert bad.status_code == 422 and "month" in bad.text

    # the report as a job from the page: its page follows it (status.js), then the downloads
    token = form_token(sent.text.split('id="review-job-form"', 1)[1])
    queued = service.client.post(
        "/web/review-jobs",
        data={"csrf_token": token, "kind": "monthly", "area_id": str(area_id), "month": "2024-03"},
    )
    assert queued.status_code == 200 and queued.url.path.startswith("/web/review-jobs/")
    job_id = int(queued.url.path.rsplit("/", 1)[1])
    assert "/static/status.js" in queued.text
    status_url = re.search(r'data-status-url="([^"]+)"', queued.text)
    assert status_url is not None
    polled = service.client.get(status_url.group(1).replace("&amp;", "&"))
    assert polled.status_code == 200 and polled.json()["state"] == "queued"
    job = service.client.get(f"/review-jobs/{job_id}").json()
    assert run_review_job(job_id, service.url, job["parameters"]) == "succeeded"
    done = service.client.get(f"/web/review-jobs/{job_id}?lang=zh-CN")
    assert 'id="job-downloads"' in done.text and "/static/status.js" not in done.text
    assert f"/review-jobs/{job_id}/files/pdf?lang=zh-CN" in done.text
    bad = service.client.post(
        "/web/review-jobs", data={"csrf_token": token, "kind": "weekly", "area_id": str(area_id)}
    )
    assert bad.status_code == 422 and "week" in bad.text

    # a viewer reads but has no record form; another area's user gets 404
    service.user("viewer", Role.VIEWER.value, [area_id])
    service.client.cookies.clear()
    web_login(service.client, "viewer")
    page = service.client.get(f"/web/areas/{area_id}/monthly?month=2024-03")
    assert page.status_code == 200 and 'id="month-record"' not in page.text
    assert 'id="month-history"' in page.text
    other = service.area(admin, "elsewhere")
    service.user("stranger", Role.COORDINATOR.value, [other["id"]])
    service.client.cookies.clear()
    web_login(service.client, "stranger")
    for path in ("weekly?week=2024-W11", "monthly?month=2024-03"):
        assert service.client.get(f"/web/areas/{area_id}/{path}").status_code == 404
