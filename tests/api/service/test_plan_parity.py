"""The service plans what the command line plans: the same request and seed give the same plan
document through ``gridpatrol plan``'s own functions and through a service job.

The search is bounded by iterations (``max_iterations``), not only by time, so both runs make
the same plan on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console

from api.cli.plan import PlanInputs, plan_and_document
from api.district_loader import DistrictFiles
from api.requests import PlanParameters
from api.service.planjob import route_summary, run_plan_job
from geo import sample
from tests.api.service.conftest import Service

#: Compared as a whole: everything but where the district came from and how it was asked for.
SAME = (
    "format",
    "schema_version",
    "options",
    "plan_date",
    "day",
    "days",
    "shift",
    "risk_band",
    "seed",
    "totals",
    "units",
    "stations",
    "tasks",
    "routes",
    "dropped",
    "presence_min_by_cell",
    "notes",
    "layers",
)


def _without(doc: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in keys}


def test_service_job_makes_the_command_lines_plan_document(
    make_service: Callable[..., Service], sqlite_url: str
) -> None:
    # A time limit no run reaches: the iteration count alone ends both searches, so a busy
    # machine cannot make them differ.
    service = make_service(sqlite_url, plan_time_limit_s=600.0)
    admin = service.user("admin", "admin")
    params = PlanParameters(band="18-02", time_limit_s=600.0, max_iterations=60, seed=3)
    inputs = PlanInputs(DistrictFiles(), sample_name="toronto-uoft")
    _, cli_docs = plan_and_document(inputs, params, Console(quiet=True), True)
    (cli,) = cli_docs

    # The area is named as the sample's district is, so the documents' district names agree.
    name = sample.load("toronto-uoft").name
    area = service.area(admin, name, sample="toronto-uoft")
    dataset_id = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()[
        "items"
    ][0]["id"]
    body = {"dataset_id": dataset_id, **params.model_dump(mode="json")}
    created = service.client.post("/plans", json=body, headers=admin)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["parameters"]["time_limit_s"] == params.time_limit_s
    assert run_plan_job(job["id"], service.url, job["parameters"]) == "succeeded"

    response = service.client.get(f"/plans/{job['id']}/document", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert f'filename="plan{job["id"]}.json"' in response.headers["content-disposition"]
    stored = response.json()

    for key in SAME:
        assert stored[key] == cli[key], key
    assert _without(stored, "district", "request") == _without(cli, "district", "request")
    assert _without(stored["district"], "source") == _without(cli["district"], "source")
    assert stored["district"]["source"] == {
        "kind": "service",
        "area_id": area["id"],
        "dataset_id": dataset_id,
    }
    assert stored["request"] == job["parameters"]
    assert cli["request"]["band"] == stored["request"]["band"] == "18-02"

    # The result's summary is the document's, and /routes is the document's plan.geojson.
    result = service.client.get(f"/plans/{job['id']}/result", headers=admin).json()
    assert result["plan"]["routes"] == [route_summary(r) for r in stored["routes"]]
    assert result["plan"]["totals"] == stored["totals"]
    assert result["notes"] == stored["notes"]
    routes = service.client.get(f"/plans/{job['id']}/routes", headers=admin).json()
    stops = [
        f["properties"] for f in routes["features"] if f["properties"]["feature_type"] == "stop"
    ]
    assert [(s["unit_id"], s["order"], s["task_id"], s["arrive"]) for s in stops] == [
        (r["unit_id"], s["order"], s["task_id"], s["arrive"])
        for r in stored["routes"]
        for s in r["stops"]
    ]
