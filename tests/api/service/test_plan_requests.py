"""Plan requests are checked when they are made: every mistake is a 422 naming the field, the
file row and column, and no job is queued (never a job that fails later, never a 500)."""

from __future__ import annotations

from typing import Any

import pytest

from api.requests import MAX_UNITS_PER_MODE, PlanParameters
from api.service.schemas import PlanCreate
from tests.api.service.conftest import Service

UNITS_CSV = (
    "unit_id,mode,station,shift_start,shift_end\n"
    "C1,car,queens-park,18:00,02:00\n"
    "F1,foot,bay-street,18:00,02:00\n"
)
#: Row 2: an unknown mode and station; row 3: a time that is not a time.
BAD_UNITS_CSV = (
    "unit_id,mode,station,shift_start,shift_end\n"
    "C1,car,queens-park,18:00,02:00\n"
    "B1,boat,harbour,18:00,02:00\n"
    "F1,foot,bay-street,25:99,02:00\n"
)
#: A post in downtown Portland: far from Toronto.
DUTIES_OUTSIDE_CSV = "duty_id,kind,lat,lon,dwell_min\nP1,post,45.5152,-122.6784,10\n"
DUTIES_INSIDE_CSV = "duty_id,kind,lat,lon,dwell_min\nP1,post,43.6629,-79.3957,10\n"


@pytest.fixture
def toronto(service: Service, admin: dict[str, str]) -> int:
    """The dataset of a Toronto sample area."""
    area = service.area(admin, "UofT", sample="toronto-uoft")
    items = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()
    dataset_id: int = items["items"][0]["id"]
    return dataset_id


def _post(service: Service, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return service.client.post("/plans", json=body, headers=headers)


def _no_jobs(service: Service, headers: dict[str, str]) -> bool:
    return bool(service.client.get("/plans", headers=headers).json()["total"] == 0)


def test_plan_create_extends_the_command_lines_parameters() -> None:
    assert issubclass(PlanCreate, PlanParameters)
    shared = set(PlanParameters.model_fields)
    assert shared <= set(PlanCreate.model_fields)
    for name in shared - {"time_limit_s"}:  # the service's own default: its cap
        assert PlanCreate.model_fields[name].default == PlanParameters.model_fields[name].default
    assert set(PlanCreate.model_fields) - shared == {
        "dataset_id",
        "units_csv",
        "duties_csv",
        "duties_geojson",
    }
    with pytest.raises(ValueError, match="extra"):
        PlanCreate.model_validate({"dataset_id": 1, "pickle": "x"})


def test_too_many_units_names_unit_counts(
    service: Service, admin: dict[str, str], toronto: int
) -> None:
    response = _post(service, admin, {"dataset_id": toronto, "unit_counts": "car=1000000000"})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["problems"]
    assert problem["source"] == "unit_counts"
    assert f"at most {MAX_UNITS_PER_MODE}" in problem["message"]
    assert _no_jobs(service, admin)


def test_bad_units_file_rows_and_columns(
    service: Service, admin: dict[str, str], toronto: int
) -> None:
    response = _post(service, admin, {"dataset_id": toronto, "units_csv": BAD_UNITS_CSV})
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    located = {(p["source"], p["row"], p["column"]) for p in problems}
    assert ("units.csv", 2, "mode") in located
    assert ("units.csv", 2, "station") in located
    assert ("units.csv", 3, "shift_start") in located
    assert _no_jobs(service, admin)
    good = _post(service, admin, {"dataset_id": toronto, "units_csv": UNITS_CSV})
    assert good.status_code == 202, good.text
    assert good.json()["parameters"]["units_csv"] == UNITS_CSV


def test_duties_outside_the_area(service: Service, admin: dict[str, str], toronto: int) -> None:
    as_csv = _post(service, admin, {"dataset_id": toronto, "duties_csv": DUTIES_OUTSIDE_CSV})
    assert as_csv.status_code == 422, as_csv.text
    (problem,) = as_csv.json()["problems"]
    assert problem["source"] == "duties.csv" and problem["row"] == 1
    assert "outside the boundary" in problem["message"]
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-122.6784, 45.5152]},
        "properties": {"duty_id": "P1", "kind": "post", "dwell_min": 10},
    }
    collection = {"type": "FeatureCollection", "features": [feature]}
    as_geojson = _post(service, admin, {"dataset_id": toronto, "duties_geojson": collection})
    assert as_geojson.status_code == 422, as_geojson.text
    (problem,) = as_geojson.json()["problems"]
    assert problem["source"] == "duties.geojson" and problem["row"] == 1
    assert _no_jobs(service, admin)
    both = _post(
        service,
        admin,
        {"dataset_id": toronto, "duties_csv": DUTIES_INSIDE_CSV, "duties_geojson": collection},
    )
    assert both.status_code == 422 and "not both" in both.text
    inside = _post(service, admin, {"dataset_id": toronto, "duties_csv": DUTIES_INSIDE_CSV})
    assert inside.status_code == 202, inside.text


def test_every_problem_of_a_request_at_once(
    service: Service, admin: dict[str, str], toronto: int
) -> None:
    body = {"dataset_id": toronto, "units_csv": BAD_UNITS_CSV, "duties_csv": DUTIES_OUTSIDE_CSV}
    response = _post(service, admin, body)
    assert response.status_code == 422
    assert {p["source"] for p in response.json()["problems"]} == {"units.csv", "duties.csv"}


def test_grid_areas_needs_official_areas(service: Service, admin: dict[str, str]) -> None:
    area = service.area(admin, "Square")  # made from GeoJSON: no official areas
    upload = service.client.post(
        "/datasets",
        data={"area_id": str(area["id"])},
        files={
            "file": ("i.csv", b"date,category,lat,lon\n2024-03-01 22:10,theft,43.662,-79.393\n")
        },
        headers=admin,
    )
    assert upload.status_code == 201, upload.text
    dataset_id = upload.json()["id"]
    response = _post(service, admin, {"dataset_id": dataset_id, "grid": "areas"})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["problems"]
    assert problem["source"] == "grid" and problem["value"] == "areas"
    assert _no_jobs(service, admin)
    assert _post(service, admin, {"dataset_id": dataset_id, "grid": "hex"}).status_code == 202


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vary": 99}, "vary"),
        ({"band": "18-30"}, "band"),
        ({"dwell_min": 0}, "dwell_min"),
        ({"grid": "circles"}, "grid"),
        ({"on_infeasible": "ignore"}, "on_infeasible"),
        ({"units_csv": "x" * 200_001}, "units_csv"),
        ({"duties_geojson": {"type": "Feature"}}, "duties_geojson"),
        (
            {"duties_geojson": {"type": "FeatureCollection", "features": [{}] * 5001}},
            "duties_geojson",
        ),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_out_of_bounds_fields_name_the_field(
    service: Service, admin: dict[str, str], toronto: int, change: dict[str, Any], field: str
) -> None:
    response = _post(service, admin, {"dataset_id": toronto, **change})
    assert response.status_code == 422, response.text
    assert field in [str(part) for e in response.json()["detail"] for part in e["loc"]]
    assert _no_jobs(service, admin)


def test_time_limit_defaults_to_and_is_capped_by_the_service(
    service: Service, admin: dict[str, str], toronto: int
) -> None:
    cap = 2.0  # make_settings' plan_time_limit_s
    for asked, stored in ((None, cap), (1.5, 1.5), (600, cap)):
        body = {"dataset_id": toronto} | ({} if asked is None else {"time_limit_s": asked})
        response = _post(service, admin, body)
        assert response.status_code == 202
        assert response.json()["parameters"]["time_limit_s"] == stored
