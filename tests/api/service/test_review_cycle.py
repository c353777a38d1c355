"""The review cycle of a station on the service, second part: check-ins (巡更) counted by the plan
review, the weekly pack (每周点评) from stored incidents and reviewed plans, the monthly
evaluation's files and its flags remembered over stored months (通报 → 整改 → 黄牌), and the
reports as background jobs; scoped, bounded, with located 4xx errors."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from api.service.models import Role
from api.service.planjob import run_plan_job
from api.service.reviewjob import run_review_job
from geo.review.weekly import evaluate_week, week_bounds
from maps.planfile import bundle_from_document
from maps.review.trackfiles import write_fixes_gpx
from planner.review.simulate import TrackSimOptions, fixes_with_times, simulate_tracks
from tests.api.service.conftest import SQUARE, Service

SMALL = {"unit_counts": "car=1,foot=1", "top": 20, "max_iterations": 100, "seed": 1}

#: Four official areas side by side over the test square (west to east).
EDGES = [-79.400, -79.396, -79.392, -79.388, -79.385]
AREA_IDS = ["A", "B", "C", "D"]


def _official() -> dict[str, Any]:
    features = []
    for i, area_id in enumerate(AREA_IDS):
        w, e = EDGES[i], EDGES[i + 1]
        ring = [[w, 43.655], [e, 43.655], [e, 43.67], [w, 43.67], [w, 43.655]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"area_id": area_id, "name": f"Sector {area_id}"},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _lon(area_id: str) -> float:
    i = AREA_IDS.index(area_id)
    return (EDGES[i] + EDGES[i + 1]) / 2


def _incidents(counts: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """(area id, local time) of ``counts[(area, "YYYY-MM")]`` incidents, spread over the
    15th to the 19th of each month at midday."""
    rows = []
    for (area_id, month), n in sorted(counts.items()):
        for k in range(n):
            rows.append((area_id, f"{month}-{15 + k % 5:02d} {12 + k % 6:02d}:{k % 60:02d}"))
    return rows


def _csv(rows: list[tuple[str, str]]) -> bytes:
    lines = ["date,category,lat,lon"]
    for k, (area_id, when) in enumerate(rows):
        lines.append(f"{when},burglary,{43.660 + 0.0005 * (k % 8):.4f},{_lon(area_id):.4f}")
    return ("\n".join(lines) + "\n").encode()


def _sectors(service: Service, headers: dict[str, str]) -> int:
    area = service.area(
        headers,
        "sectors",
        boundary=SQUARE,
        timezone="America/Toronto",
        official_areas=_official(),
    )
    return int(area["id"])


def _dataset(service: Service, headers: dict[str, str], area_id: int, rows: Any) -> int:
    sent = service.client.post(
        "/datasets",
        data={"area_id": str(area_id)},
        files={"file": ("incidents.csv", _csv(rows), "text/csv")},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    return int(sent.json()["id"])


def _months(first: dict[str, int], second: dict[str, int]) -> dict[tuple[str, str], int]:
    """Counts per (area, month): ``first`` for the 2023 months, ``second`` for 2024."""
    out: dict[tuple[str, str], int] = {}
    for m in ("01", "02", "03"):
        for area_id, n in first.items():
            out[(area_id, f"2023-{m}")] = n
        for area_id, n in second.items():
            out[(area_id, f"2024-{m}")] = n
    return out


def test_monthly_flags_escalate_from_stored_months(service: Service, admin: dict[str, str]) -> None:
    area_id = _sectors(service, admin)
    # first data: sector A rises 5 → 10 year on year in each of January to March 2024
    first = _months({"A": 5, "B": 6}, {"A": 10, "B": 6})
    first_id = _dataset(service, admin, area_id, _incidents(first))
    for month in ("2024-01", "2024-02", "2024-03"):
        sent = service.client.post(
            f"/areas/{area_id}/monthly/history",
            json={"month": month, "dataset_id": first_id},
            headers=admin,
        )
        assert sent.status_code == 201, sent.text
        assert sent.json()["record"]["bulletin"] == ["A"]
    march = sent.json()["evaluation"]
    by_area = {a["area_id"]: a for a in march["areas"]}
    # the counts and the change against a direct count of the uploaded rows
    assert by_area["A"]["count"] == first[("A", "2024-03")] == 10
    assert by_area["A"]["count_last_year"] == first[("A", "2023-03")] == 5
    assert by_area["A"]["change"] == 5 and by_area["A"]["change_pct"] == pytest.approx(100.0)
    assert by_area["A"]["rank"] == 1
    assert by_area["B"]["change"] == 0 and by_area["B"]["flags"] == []
    assert by_area["A"]["flags"] == ["notice", "rectify", "yellow_card"]
    assert march["history"] == {"2024-01": ["A"], "2024-02": ["A"]}

    # corrected data: A held level in January and February, rose only in March
    second = _months({"A": 10, "B": 6}, {"A": 10, "B": 6})
    second[("A", "2024-03")] = 14
    _dataset(service, admin, area_id, _incidents(second))
    got = service.client.get(f"/areas/{area_id}/monthly?month=2024-03", headers=admin).json()
    a = next(r for r in got["areas"] if r["area_id"] == "A")
    assert a["count"] == 14 and a["count_last_year"] == 10 and a["change"] == 4
    assert a["change_pct"] == pytest.approx(40.0)
    # the remembered bulletins of January and February still count: third month running
    assert a["flags"] == ["notice", "rectify", "yellow_card"]
    assert got["notes"] == []  # nothing computed in place of the stored months

    # February evaluated again on the corrected data replaces its record (no second row)
    again = service.client.post(
        f"/areas/{area_id}/monthly/history", json={"month": "2024-02"}, headers=admin
    )
    assert again.status_code == 201 and again.json()["record"]["bulletin"] == []
    history = service.client.get(f"/areas/{area_id}/monthly/history", headers=admin).json()
    assert [h["month"] for h in history["months"]] == ["2024-03", "2024-02", "2024-01"]
    assert history["months"][0]["flags"] == {"A": ["notice", "rectify", "yellow_card"]}
    got = service.client.get(f"/areas/{area_id}/monthly?month=2024-03", headers=admin).json()
    assert next(r for r in got["areas"] if r["area_id"] == "A")["flags"] == ["notice"]
    # forgetting February: it is computed from the (corrected) incidents again, and said so
    gone = service.client.delete(f"/areas/{area_id}/monthly/history/2024-02", headers=admin)
    assert gone.status_code == 204
    got = service.client.get(f"/areas/{area_id}/monthly?month=2024-03", headers=admin).json()
    assert next(r for r in got["areas"] if r["area_id"] == "A")["flags"] == ["notice"]
    assert any("2024-02" in n for n in got["notes"])

    # the files, in both languages; the workbook holds the numbers of the JSON
    for lang in ("en", "zh-CN"):
        pdf = service.client.get(
            f"/areas/{area_id}/monthly.pdf?month=2024-03&lang={lang}", headers=admin
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        xlsx = service.client.get(
            f"/areas/{area_id}/monthly.xlsx?month=2024-03&lang={lang}", headers=admin
        )
        assert xlsx.status_code == 200, xlsx.text
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        rows = [[c.value for c in r] for r in sheet.iter_rows()]
        row_a = next(r for r in rows if "Sector A" in r)
        assert 14 in row_a and 10 in row_a

    # bounded and located: a bad month names the field; viewers read but do not record;
    # another area's user sees nothing
    bad = service.client.post(
        f"/areas/{area_id}/monthly/history", json={"month": "2024-13"}, headers=admin
    )
    assert bad.status_code == 422 and "month" in bad.text
    bad = service.client.post(
        f"/areas/{area_id}/monthly/history", json={"month": "March"}, headers=admin
    )
    assert bad.status_code == 422 and "month" in bad.text
    bad = service.client.get(f"/areas/{area_id}/monthly.pdf?month=2024-3", headers=admin)
    assert bad.status_code == 422 and "month" in bad.text
    viewer = service.user("viewer", Role.VIEWER.value, [area_id])
    assert (
        service.client.get(f"/areas/{area_id}/monthly/history", headers=viewer).status_code == 200
    )
    refused = service.client.post(
        f"/areas/{area_id}/monthly/history", json={"month": "2024-03"}, headers=viewer
    )
    assert refused.status_code == 403
    other = service.area(admin, "elsewhere")
    stranger = service.user("stranger", Role.COORDINATOR.value, [other["id"]])
    for path in (
        f"/areas/{area_id}/monthly/history",
        f"/areas/{area_id}/monthly.pdf?month=2024-03",
        f"/areas/{area_id}/weekly?week=2024-W11",
    ):
        assert service.client.get(path, headers=stranger).status_code == 404, path
    assert (
        service.client.post(
            f"/areas/{area_id}/monthly/history", json={"month": "2024-03"}, headers=stranger
        ).status_code
        == 404
    )


def test_weekly_pack_counts_the_stored_incidents(service: Service, admin: dict[str, str]) -> None:
    area_id = _sectors(service, admin)
    counts = _months({"A": 3, "B": 7, "C": 1}, {"A": 9, "B": 2, "D": 4})
    rows = _incidents(counts)
    _dataset(service, admin, area_id, rows)
    week = "2024-W11"  # Monday 11 to Sunday 17 March 2024 (the clocks went forward on the 10th)
    got = service.client.get(f"/areas/{area_id}/weekly?week={week}", headers=admin)
    assert got.status_code == 200, got.text
    doc = got.json()
    assert doc["week"] == week and doc["previous_week"] == "2024-W10"
    assert doc["week_last_year"] == "2023-W11"

    def direct(which: str) -> dict[str, int]:
        monday, sunday = week_bounds(which)
        out = dict.fromkeys(AREA_IDS, 0)
        for area, when in rows:
            if monday <= datetime.strptime(when, "%Y-%m-%d %H:%M").date() <= sunday:
                out[area] += 1
        return out

    now, last_year = direct(week), direct("2023-W11")
    assert sum(now.values()) > 0
    for a in doc["areas"]:
        assert a["count"] == now[a["area_id"]], a
        assert a["count_last_year"] == last_year[a["area_id"]], a
        assert a["change_year"] == now[a["area_id"]] - last_year[a["area_id"]]
    assert doc["days"] == []  # no plan of the week has tracks
    top = max(now, key=lambda k: (now[k], k))
    assert top in doc["hotspots"]["new"] + doc["hotspots"]["persisting"]
    for fmt, marker in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        for lang in ("en", "zh-CN"):
            f = service.client.get(
                f"/areas/{area_id}/weekly.{fmt}?week={week}&lang={lang}", headers=admin
            )
            assert f.status_code == 200, f.text
            assert f.content.startswith(marker)
    # located 422s: the field named, with the form expected
    for bad in ("2024-W99", "2024-10", "2024W10"):
        answer = service.client.get(f"/areas/{area_id}/weekly?week={bad}", headers=admin)
        assert answer.status_code == 422, bad
        assert "week" in answer.text
    answer = service.client.get(f"/areas/{area_id}/weekly?week=2024-W10&lang=fr", headers=admin)
    assert answer.status_code == 200  # lang is not a field of the JSON answer
    answer = service.client.get(f"/areas/{area_id}/weekly.pdf?week=2024-W10&lang=fr", headers=admin)
    assert answer.status_code == 422 and "lang" in answer.text


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2040, 12, 31)))
def test_a_week_holds_its_days(day: date) -> None:
    """The pack's week of any day holds that day; its bounds are Monday to Sunday."""
    year, number, _ = day.isocalendar()
    monday, sunday = week_bounds(f"{year}-W{number:02d}")
    assert monday <= day <= sunday and monday.weekday() == 0 and (sunday - monday).days == 6


def _plan(service: Service, headers: dict[str, str]) -> tuple[int, int]:
    area = service.area(headers, "portland-central", sample="portland-central")
    items = service.client.get(f"/datasets?area_id={area['id']}", headers=headers).json()
    body = {"dataset_id": items["items"][0]["id"], **SMALL}
    created = service.client.post("/plans", json=body, headers=headers)
    assert created.status_code == 202, created.text
    job = created.json()
    assert run_plan_job(job["id"], service.url, job["parameters"]) == "succeeded"
    return area["id"], job["id"]


def _simulated(service: Service, headers: dict[str, str], plan_id: int, tmp: Any) -> Any:
    doc = service.client.get(f"/plans/{plan_id}/document", headers=headers).json()
    bundle = bundle_from_document(doc, source="test")
    assert bundle.plan is not None
    for seed in range(3, 40):  # a seed skipping some stops of every unit, but not all
        try:
            sim = simulate_tracks(
                bundle.plan, dict(bundle.station_xy()), TrackSimOptions(seed=seed)
            )
        except ValueError:
            continue
        visited = sim.truth.groupby("unit_id")["visited"]
        if (visited.sum() > 0).all() and (~sim.truth["visited"]).sum() >= 2:
            break
    # one point stop (a hotspot or a post) the unit did visit, with every fix near it taken
    # out of the record: the tracks miss it, a check-in there will show it
    truth = sim.truth.copy()
    seen = truth[truth["visited"]]
    done = set(zip(seen["unit_id"], seen["order"], strict=True))
    blank = next(
        (route.unit_id, stop)
        for route in bundle.plan.routes
        for stop in route.stops
        if stop.kind.value in ("hotspot", "post") and (route.unit_id, stop.order) in done
    )
    unit, stop = blank
    fixes = sim.fixes
    near = (fixes["unit_id"] == unit) & (
        ((fixes["x"] - stop.x) ** 2 + (fixes["y"] - stop.y) ** 2) < 250.0**2
    )
    truth.loc[(truth["unit_id"] == unit) & (truth["order"] == stop.order), "visited"] = False
    timed = fixes_with_times(fixes[~near].reset_index(drop=True), bundle.plan_date, bundle.timezone)
    gpx = write_fixes_gpx(timed, bundle.crs, tmp / "tracks.gpx")
    return gpx, truth, bundle, (unit, stop.order)


def test_checkins_weekly_plans_and_report_jobs(
    service: Service, admin: dict[str, str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    area_id, plan_id = _plan(service, admin)
    gpx, truth, bundle, blank = _simulated(service, admin, plan_id, tmp_path)
    sent = service.client.post(
        f"/plans/{plan_id}/tracks",
        files={"file": ("tracks.gpx", gpx.read_bytes(), "application/gpx+xml")},
        headers=admin,
    )
    assert sent.status_code == 201, sent.text
    before = service.client.get(f"/plans/{plan_id}/review", headers=admin).json()
    # the service's review is the one computed directly from the same file and plan
    from geo.io.tracks import read_tracks
    from maps.review.run import review_bundle

    direct_run = review_bundle(bundle, read_tracks(gpx, timezone=bundle.timezone))
    assert before["totals"]["stops_visited"] == int(direct_run.review.totals["stops_visited"])
    assert before["totals"]["stops_planned"] == len(truth)
    visited_direct = direct_run.review.stops.set_index(["unit_id", "order"])["visited"]
    for s in before["stops"]:
        assert s["visited"] == bool(visited_direct[(s["unit_id"], s["order"])])
    # and it sees the skipped stops as skipped: nothing the units passed by counts
    skipped_true = truth.loc[~truth["visited"], ["unit_id", "order"]].itertuples(index=False)
    for unit, order in skipped_true:
        assert not bool(visited_direct[(unit, order)]), (unit, order)

    # check-ins (巡更) at (up to) two missed point stops (hotspots, posts: walks are judged along
    # their streets; one of them the stop taken out of the tracks), at their planned arrival:
    # counted visited, shown by the check-in
    missed = [s for s in before["stops"] if not s["visited"]]
    skipped = [s for s in missed if s["kind"] in ("hotspot", "post")][:2]
    assert blank in {(s["unit_id"], s["order"]) for s in skipped}, (blank, skipped)
    lines = ["unit_id,checkpoint_id,time"]
    for s in skipped:
        lines.append(f"{s['unit_id']},{s['task_id']},{s['planned_arrive']}")
    lines.append(f"{skipped[0]['unit_id']},NOWHERE,{skipped[0]['planned_arrive']}")
    csv = ("\n".join(lines) + "\n").encode()
    sent = service.client.post(
        f"/plans/{plan_id}/checkins",
        files={"file": ("checkins.csv", csv, "text/csv")},
        headers=admin,
    )
    assert sent.status_code == 201, sent.text
    answer = sent.json()
    assert answer["checkins"]["read"] == len(skipped) + 1
    assert answer["stops_visited"] == before["totals"]["stops_visited"] + len(skipped)
    assert answer["stops_visited_by_checkin"] == len(skipped)
    after = service.client.get(f"/plans/{plan_id}/review", headers=admin).json()
    keys = {(s["unit_id"], s["order"]) for s in skipped}
    for s in after["stops"]:
        if (s["unit_id"], s["order"]) in keys:
            assert s["visited"] and s["evidence"] == "checkin"
        else:
            assert s["visited"] == bool(visited_direct[(s["unit_id"], s["order"])])
    assert after["tracks"] == ["tracks.gpx", "checkins.csv"]

    # broken check-in files: 422 naming the file, the row and the column; nothing stored
    broken = b"unit_id,checkpoint_id,time\nC1,P1,yesterday\n"
    bad = service.client.post(
        f"/plans/{plan_id}/checkins", files={"file": ("bad.csv", broken, "text/csv")}, headers=admin
    )
    assert bad.status_code == 422, bad.text
    assert "bad.csv" in bad.text and "time" in bad.text
    nameless = b"a,b,c\nC1,P1,2024-03-05 10:00\n"
    bad = service.client.post(
        f"/plans/{plan_id}/checkins",
        files={"file": ("cols.csv", nameless, "text/csv")},
        headers=admin,
    )
    assert bad.status_code == 422 and "columns" in bad.text
    fixed = service.client.post(
        f"/plans/{plan_id}/checkins",
        data={"columns": "unit_id=a,checkpoint=b,datetime=c"},
        files={"file": ("cols.csv", nameless, "text/csv")},
        headers=admin,
    )
    assert fixed.status_code == 201, fixed.text
    assert (
        service.client.post(
            f"/plans/{plan_id}/checkins",
            data={"day": "0"},
            files={"file": ("c.csv", csv, "text/csv")},
            headers=admin,
        ).status_code
        == 422
    )
    wrong = service.client.post(
        f"/plans/{plan_id}/checkins", files={"file": ("c.gpx", b"<gpx/>", "x")}, headers=admin
    )
    assert wrong.status_code == 422 and ".csv" in wrong.text
    now = service.client.get(f"/plans/{plan_id}/review", headers=admin).json()
    assert now["tracks"] == ["tracks.gpx", "checkins.csv", "cols.csv"]

    # the weekly pack of the plan's week holds the reviewed day with the review's numbers
    year, number, _ = bundle.plan_date.isocalendar()
    week = f"{year}-W{number:02d}"
    doc = service.client.get(f"/areas/{area_id}/weekly?week={week}", headers=admin).json()
    assert [d["plan_date"] for d in doc["days"]] == [bundle.plan_date.isoformat()]
    assert doc["days"][0]["stops_visited"] == now["totals"]["stops_visited"]
    assert doc["days"][0]["stops_planned"] == now["totals"]["stops_planned"]
    units = {u["unit_id"]: u for u in doc["units"]}
    for u in now["units"]:
        assert units[u["unit_id"]]["stops_visited"] == u["stops_visited"]
    # its incident counts against a direct count of the sample's incidents
    from geo import sample

    district = sample.load("portland-central")
    direct = evaluate_week(district.incidents, district.areas, week)
    expected = dict(
        zip(direct.by_area["area_id"].astype(str), direct.by_area["count"], strict=True)
    )
    assert {a["area_id"]: a["count"] for a in doc["areas"]} == expected

    # direct downloads are bounded: beyond, 409 naming the job to make instead
    from api.service import reviews

    with monkeypatch.context() as patch:
        patch.setattr(reviews, "DIRECT_MAX_FIXES", 100)
        big = service.client.get(f"/plans/{plan_id}/review.pdf", headers=admin)
        assert big.status_code == 409 and "POST /review-jobs" in big.json()["detail"]
        patch.setattr(reviews, "DIRECT_MAX_WEEK_DAYS", 0)
        big = service.client.get(f"/areas/{area_id}/weekly.xlsx?week={week}", headers=admin)
        assert big.status_code == 409 and '"kind": "weekly"' in big.json()["detail"]
        assert service.client.get(f"/plans/{plan_id}/review", headers=admin).status_code == 200

    # the reports as jobs: queued (202), run, downloaded; scoped; cancelled when queued
    bodies: list[dict[str, Any]] = [
        {"kind": "plan", "plan_id": plan_id},
        {"kind": "weekly", "area_id": area_id, "week": week, "langs": ["zh-CN"]},
    ]
    for body in bodies:
        queued = service.client.post("/review-jobs", json=body, headers=admin)
        assert queued.status_code == 202, queued.text
        job = queued.json()
        assert job["state"] == "queued" and job["area_id"] == area_id
        assert run_review_job(job["id"], service.url, job["parameters"]) == "succeeded"
        done = service.client.get(f"/review-jobs/{job['id']}", headers=admin).json()
        assert done["state"] == "succeeded" and done["progress"] == 1.0
        for lang in body.get("langs", ["en", "zh-CN"]):
            assert f"pdf_{lang}" in done["files"] and f"xlsx_{lang}" in done["files"]
            pdf = service.client.get(
                f"/review-jobs/{job['id']}/files/pdf?lang={lang}", headers=admin
            )
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        stored = service.client.get(f"/review-jobs/{job['id']}/files/json", headers=admin).json()
        if body["kind"] == "plan":
            assert stored["totals"]["stops_visited"] == now["totals"]["stops_visited"]
        else:
            assert stored["days"] == doc["days"]
            missing = service.client.get(
                f"/review-jobs/{job['id']}/files/pdf?lang=en", headers=admin
            )
            assert missing.status_code == 422 and "lang" in missing.text
    other = service.area(admin, "elsewhere")
    stranger = service.user("stranger", Role.COORDINATOR.value, [other["id"]])
    assert service.client.get(f"/review-jobs/{job['id']}", headers=stranger).status_code == 404
    assert (
        service.client.get(f"/review-jobs/{job['id']}/files/json", headers=stranger).status_code
        == 404
    )
    assert service.client.get("/review-jobs", headers=stranger).json()["total"] == 0
    assert service.client.post("/review-jobs", json=bodies[0], headers=stranger).status_code == 404
    assert (
        service.client.post(
            f"/plans/{plan_id}/checkins",
            files={"file": ("c.csv", csv, "text/csv")},
            headers=stranger,
        ).status_code
        == 404
    )
    viewer = service.user("viewer", Role.VIEWER.value, [area_id])
    queued = service.client.post("/review-jobs", json=bodies[0], headers=viewer)
    assert queued.status_code == 202  # a viewer may ask for a report (it only reads)
    assert (
        service.client.post(
            f"/plans/{plan_id}/checkins", files={"file": ("c.csv", csv, "text/csv")}, headers=viewer
        ).status_code
        == 403
    )
    cancelled = service.client.post(f"/review-jobs/{queued.json()['id']}/cancel", headers=admin)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    early = service.client.get(f"/review-jobs/{queued.json()['id']}/files/pdf", headers=admin)
    assert early.status_code == 409
    for bad_body, field in (
        ({"kind": "weekly", "area_id": area_id}, "week"),
        ({"kind": "monthly", "area_id": area_id, "month": "2024-3"}, "month"),
        ({"kind": "plan"}, "plan_id"),
        ({"kind": "map", "plan_id": plan_id}, "kind"),
        ({"kind": "plan", "plan_id": plan_id, "langs": ["fr"]}, "langs"),
        ({"kind": "plan", "plan_id": plan_id, "radius_m": 5000}, "radius_m"),
    ):
        answer = service.client.post("/review-jobs", json=bad_body, headers=admin)
        assert answer.status_code == 422, bad_body
        assert field in answer.text, (bad_body, answer.text)
    # a job whose inputs fail (no official areas on a plain area) fails with the message
    plain = service.area(admin, "plain")
    queued = service.client.post(
        "/review-jobs",
        json={"kind": "monthly", "area_id": plain["id"], "month": "2024-03"},
        headers=admin,
    ).json()
    assert run_review_job(queued["id"], service.url, queued["parameters"]) == "failed"
    failed = service.client.get(f"/review-jobs/{queued['id']}", headers=admin).json()
    assert "no incidents" in failed["error"] or "official areas" in failed["error"]


def test_direct_files_of_a_large_dataset_ask_for_a_job(
    service: Service, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.service import reviews

    area_id = _sectors(service, admin)
    _dataset(service, admin, area_id, _incidents(_months({"A": 5}, {"A": 9})))
    monkeypatch.setattr(reviews, "DIRECT_MAX_INCIDENTS", 10)
    for path in ("monthly.pdf?month=2024-03", "weekly.pdf?week=2024-W11"):
        big = service.client.get(f"/areas/{area_id}/{path}", headers=admin)
        assert big.status_code == 409, path
        assert "42 incidents" in big.json()["detail"] and "POST /review-jobs" in big.text
    assert (
        service.client.get(f"/areas/{area_id}/monthly?month=2024-03", headers=admin).status_code
        == 200
    )


def test_history_record_is_kept_per_month(service: Service, admin: dict[str, str]) -> None:
    """Recording the same month many times keeps one row, the latest."""
    area_id = _sectors(service, admin)
    _dataset(service, admin, area_id, _incidents(_months({"A": 1}, {"A": 9})))
    for _ in range(3):
        sent = service.client.post(
            f"/areas/{area_id}/monthly/history",
            json={"month": "2024-02", "basis": "mom"},
            headers=admin,
        )
        assert sent.status_code == 201
    months = service.client.get(f"/areas/{area_id}/monthly/history", headers=admin).json()
    assert [(m["month"], m["basis"]) for m in months["months"]] == [("2024-02", "mom")]
    frame = pd.DataFrame(months["months"])
    assert len(frame) == 1


def test_the_review_history_migration_runs_up_and_down(database_url: str) -> None:
    from sqlalchemy import inspect

    from api.service.db import make_engine
    from api.service.migrations import downgrade, upgrade

    tables = {"review_history", "plan_checkins", "review_jobs", "review_files"}
    engine = make_engine(database_url, pooled=False)
    try:
        upgrade(engine)
        assert tables <= set(inspect(engine).get_table_names())
        unique = inspect(engine).get_unique_constraints("review_history")
        assert [sorted(u["column_names"]) for u in unique] == [["area_id", "month"]]
        job_columns = {c["name"] for c in inspect(engine).get_columns("review_jobs")}
        assert {"owner", "lease_expires_at", "cancel_requested", "kind", "plan_id"} <= job_columns
        downgrade(engine, "0006_review")
        assert not tables & set(inspect(engine).get_table_names())
        assert "plan_tracks" in inspect(engine).get_table_names()
        upgrade(engine)
        assert tables <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
