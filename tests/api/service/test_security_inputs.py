"""Every request field checked at the door (issue 16, item 3): strict JSON, bands, dates, time
zones, unit counts and geometry ranges answered 422 at submission, never a failed job or 500;
the hotspot endpoint's edge cases answered 4xx; security headers on HTML answers."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.requests import MAX_SHIFT_H, MIN_SHIFT_H, PlanParameters, check_timezone
from api.service.app import JsonBodyError, parse_strict_json
from api.service.models import PlanJob
from tests.api.service.conftest import SQUARE, Service

GOOD_CSV = (
    b"date,category,lat,lon\n"
    b"2024-03-01 22:10,theft,43.662,-79.393\n"
    b"2024-03-02 08:15,robbery,43.660,-79.390\n"
    b"2024-03-02 23:40,theft,43.664,-79.395\n"
)


def _raw(service: Service, headers: dict[str, str], path: str, body: str) -> Any:
    return service.client.post(
        path,
        content=body.encode("utf-8", "surrogatepass"),
        headers={**headers, "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    "number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 5000]
)
def test_non_finite_json_numbers_are_422(
    service: Service, admin: dict[str, str], number: str
) -> None:
    body = '{"area_id": 1, "kind": "square", "cell_size_m": ' + number + "}"
    answer = _raw(service, admin, "/grids", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("text", ["\\ud800", "\\udfff", "a\\ud83dz"])
def test_lone_surrogates_are_422(service: Service, admin: dict[str, str], text: str) -> None:
    boundary = json.dumps(SQUARE)
    body = '{"name": "' + text + '", "boundary": ' + boundary + ', "timezone": "UTC"}'
    answer = _raw(service, admin, "/areas", body)
    assert answer.status_code == 422, answer.text
    assert "surrogate" in answer.json()["detail"][0]["msg"]
    paired = '{"name": "\\ud83d\\ude93", "boundary": ' + boundary + ', "timezone": "UTC"}'
    assert _raw(service, admin, "/areas", paired).status_code == 201


def test_invalid_utf8_body_is_422(service: Service, admin: dict[str, str]) -> None:
    answer = service.client.post(
        "/areas",
        content=b'{"name": "\xff\xfe"}',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "UTF-8" in answer.json()["detail"][0]["msg"]


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_strict_json_accepts_exactly_the_finite_numbers(value: float) -> None:
    text = json.dumps({"x": value})
    if value != value or value in (float("inf"), float("-inf")):
        with pytest.raises(JsonBodyError):
            parse_strict_json(text.encode())
    else:
        assert parse_strict_json(text.encode()) == {"x": value}


def _dataset(service: Service, admin: dict[str, str]) -> int:
    area = service.area(admin, "A")
    answer = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"])},
        files={"file": ("march.csv", GOOD_CSV, "text/csv")},
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    dataset_id: int = answer.json()["id"]
    return dataset_id


def _plans(service: Service) -> int:
    with service.app.state.service.sessions() as session:
        return session.query(PlanJob).count()


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("unit_counts", "car=1000000000", "at most 50"),
        ("band", "16-16", "same time"),
        ("band", "00-24", "whole day"),
        ("band", "06-23", "at most 16 hours"),
        ("band", "23:59-00:00", "at least 1 hour"),
        ("plan_date", "9999-12-31", "2100-12-31"),
        ("plan_date", "0001-01-01", "1970-01-01"),
    ],
)
def test_values_the_job_would_fail_on_are_422_at_submission(
    service: Service, admin: dict[str, str], field: str, value: str, says: str
) -> None:
    dataset_id = _dataset(service, admin)
    answer = service.client.post(
        "/plans", json={"dataset_id": dataset_id, field: value}, headers=admin
    )
    assert answer.status_code == 422, answer.text
    assert says in answer.text
    assert _plans(service) == 0


def test_vary_past_the_last_date_is_422(service: Service, admin: dict[str, str]) -> None:
    dataset_id = _dataset(service, admin)
    body = {"dataset_id": dataset_id, "plan_date": "2100-12-30", "vary": 3}
    answer = service.client.post("/plans", json=body, headers=admin)
    assert answer.status_code == 422 and "vary" in answer.text
    body["vary"] = 2
    assert service.client.post("/plans", json=body, headers=admin).status_code == 202


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 30), st.integers(0, 59), st.integers(0, 30), st.integers(0, 59), st.booleans()
)
def test_a_band_is_accepted_exactly_when_the_planner_can_work_it(
    h1: int, m1: int, h2: int, m2: int, minutes: bool
) -> None:
    band = f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}" if minutes else f"{h1:02d}-{h2:02d}"
    try:
        params = PlanParameters(band=band)
    except ValidationError:
        return
    shift = params.shift
    assert MIN_SHIFT_H <= shift.duration_h <= MAX_SHIFT_H
    assert not shift.is_full_day
    assert shift.start_min != shift.end_min % 1440


@pytest.mark.parametrize(
    "zone", ["../../../etc/localtime", "/etc/localtime", "localtime", "posixrules", "Mars/Base", ""]
)
def test_time_zones_must_be_iana_names(service: Service, admin: dict[str, str], zone: str) -> None:
    with pytest.raises(ValueError, match=r"time zone|IANA"):
        check_timezone(zone) if zone else check_timezone(" ")
    created = service.client.post(
        "/areas", json={"name": "S", "sample": "toronto-uoft", "timezone": zone}, headers=admin
    )
    assert created.status_code == 422, created.text
    area = service.area(admin, f"A{len(zone)}")
    patched = service.client.patch(f"/areas/{area['id']}", json={"timezone": zone}, headers=admin)
    assert patched.status_code == 422, patched.text
    assert service.client.get(f"/areas/{area['id']}", headers=admin).json()["timezone"] == (
        "America/Toronto"
    )


def test_boundary_far_outside_the_earth_is_422(service: Service, admin: dict[str, str]) -> None:
    huge = {"type": "Polygon", "coordinates": [[[0, 0], [1e308, 0], [1e308, 1e308], [0, 0]]]}
    answer = service.client.post(
        "/areas", json={"name": "Big", "boundary": huge, "timezone": "UTC"}, headers=admin
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("band=00-24", "whole day"),
        ("band=16-16", "same time"),
        ("cell_size_m=5000", "cell_size_m"),
        ("at=9999-12-31", "2100-12-31"),
    ],
)
def test_hotspot_edge_cases_are_4xx(
    service: Service, admin: dict[str, str], query: str, says: str
) -> None:
    dataset_id = _dataset(service, admin)
    answer = service.client.get(f"/hotspots?dataset_id={dataset_id}&{query}", headers=admin)
    assert answer.status_code == 422, answer.text
    assert says in answer.json()["detail"]
    whole_day = service.client.get(f"/hotspots?dataset_id={dataset_id}&band=day", headers=admin)
    assert whole_day.status_code == 200


def test_html_answers_carry_csp_nosniff_and_frame_ancestors(service: Service) -> None:
    for path in ("/docs", "/web/login"):
        answer = service.client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html")
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors" in policy and "object-src 'none'" in policy, path
        assert answer.headers["x-content-type-options"] == "nosniff", path
    assert service.client.get("/health").headers["x-content-type-options"] == "nosniff"


def test_plan_date_bounds_are_the_same_on_the_command_line() -> None:
    with pytest.raises(ValidationError, match="plan_date"):
        PlanParameters(plan_date=date(9999, 12, 31))
    assert PlanParameters(plan_date=date(2024, 3, 1)).plan_date == date(2024, 3, 1)


@pytest.mark.parametrize("zone", ["localtime", "../../../etc/localtime", "posixrules"])
def test_an_incident_upload_with_a_time_zone_that_is_no_iana_name_is_422(
    service: Service, admin: dict[str, str], zone: str
) -> None:
    area = service.area(admin, f"Zones {zone[:3]}")
    body = "occurred_at,lat,lon,category\n2024-03-01 10:00,43.66,-79.39,theft\n"
    answer = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"]), "timezone": zone},
        files={"file": ("incidents.csv", body.encode(), "text/csv")},
        headers=admin,
    )
    assert answer.status_code == 422, answer.text
    assert "timezone" in answer.text and "IANA" in answer.text
    listed = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()
    assert listed["items"] == []
