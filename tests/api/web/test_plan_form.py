"""The plan form makes the API's request: the same :class:`PlanCreate`, defaults from
:class:`PlanParameters`, any ``HH-HH`` band, units and duties files as uploads."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from api.requests import PlanParameters
from api.service.db import make_engine, make_session_factory
from api.service.models import PlanJob
from api.service.planjob import run_plan_job
from api.service.schemas import PlanCreate
from tests.api.web.conftest import Service, web_login

CAP = 2.0  # make_settings' plan_time_limit_s
UNITS_CSV = (
    "unit_id,mode,station,shift_start,shift_end\n"
    "C1,car,queens-park,22:00,06:00\n"
    "F1,foot,bay-street,22:00,06:00\n"
)


def _area(service: Service, admin: dict[str, str], sample: str) -> tuple[int, int]:
    area = service.area(admin, sample, sample=sample)
    datasets = service.client.get(f"/datasets?area_id={area['id']}", headers=admin).json()
    return area["id"], datasets["items"][0]["id"]


def _jobs(url: str) -> list[PlanJob]:
    engine = make_engine(url, pooled=False)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(PlanJob).order_by(PlanJob.id)))
    finally:
        engine.dispose()


def _form_values(html: str) -> dict[str, str]:
    """The prefilled values of the plan form's inputs and selects."""
    form = html[html.index('id="plan-form"') :]
    form = form[: form.index("</form>")]
    values = dict(re.findall(r'<input [^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    for name, options in re.findall(r'<select name="([a-z_]+)">(.*?)</select>', form):
        chosen = re.search(r'<option value="([^"]+)" selected', options)
        values[name] = chosen.group(1) if chosen else ""
    return values


def _expected(dataset_id: int, **fields: Any) -> dict[str, Any]:
    """The job parameters ``POST /plans`` stores for the same request."""
    body = PlanCreate.model_validate({"dataset_id": dataset_id, **fields})
    out = body.model_dump(mode="json")
    out["time_limit_s"] = min(body.time_limit_s or CAP, CAP)
    return out


def test_form_defaults_are_the_requests(service: Service, admin: dict[str, str]) -> None:
    area_id, dataset_id = _area(service, admin, "toronto-uoft")
    token = web_login(service.client, "admin")
    page = service.client.get(f"/web/areas/{area_id}")
    values = _form_values(page.text)
    for name in ("band", "top", "vary", "on_infeasible", "grid"):
        assert values[name] == str(PlanParameters.model_fields[name].default), name
    assert float(values["dwell_min"]) == PlanParameters.model_fields["dwell_min"].default
    counts = ",".join(f"{m}={values[m]}" for m in ("car", "foot", "bicycle") if values[m] != "0")
    assert counts == PlanParameters.model_fields["unit_counts"].default
    assert 'name="units_file"' in page.text and 'name="duties_file"' in page.text
    assert '<option value="areas"' in page.text  # the sample has official areas

    # The form as shown makes the API's default request.
    sent = {k: v for k, v in values.items() if k != "csrf_token"}
    started = service.client.post(
        f"/web/areas/{area_id}/plans",
        data={**sent, "dataset_id": str(dataset_id), "csrf_token": token},
    )
    assert started.status_code == 200 and started.url.path.startswith("/web/plans/")
    (job,) = _jobs(service.url)
    assert job.parameters == _expected(dataset_id)


def test_form_fields_and_night_bands(service: Service, admin: dict[str, str]) -> None:
    area_id, dataset_id = _area(service, admin, "toronto-uoft")
    _, dates_only = _area(service, admin, "portland-central")
    token = web_login(service.client, "admin")
    fields = {
        "band": "22-06",
        "car": "1",
        "foot": "1",
        "bicycle": "0",
        "dwell_min": "10",
        "vary": "2",
        "grid": "hex",
        "on_infeasible": "drop",
        "time_limit_s": "3",
        "top": "20",
    }
    started = service.client.post(
        f"/web/areas/{area_id}/plans",
        data={**fields, "dataset_id": str(dataset_id), "csrf_token": token},
    )
    assert started.status_code == 200, started.text[-2000:]
    (job,) = _jobs(service.url)
    assert job.parameters == _expected(
        dataset_id,
        band="22-06",
        unit_counts="car=1,foot=1",
        dwell_min=10,
        vary=2,
        grid="hex",
        on_infeasible="drop",
        time_limit_s=3,
        top=20,
    )
    assert run_plan_job(job.id, service.url, job.parameters) == "succeeded"
    page = service.client.get(f"/web/plans/{job.id}")
    assert 'id="routes"' in page.text and "22-06" in page.text and 'id="days"' in page.text
    # A 22-06 shift's units come back the next morning: the table says so.
    routes = page.text[page.text.index('id="routes"') : page.text.index("</table>")]
    assert "22:00" in routes and "(+1)" in routes

    # Dates-only data takes any band too (its risk is per day).
    portland_area = service.client.get(f"/datasets/{dates_only}", headers=admin).json()["area_id"]
    queued = service.client.post(
        f"/web/areas/{portland_area}/plans",
        data={"band": "18-02", "car": "1", "dataset_id": str(dates_only), "csrf_token": token},
    )
    assert queued.status_code == 200 and queued.url.path.startswith("/web/plans/")
    assert _jobs(service.url)[-1].parameters["band"] == "18-02"


def test_form_uploads_units_and_duties(service: Service, admin: dict[str, str]) -> None:
    area_id, dataset_id = _area(service, admin, "toronto-uoft")
    token = web_login(service.client, "admin")
    url = f"/web/areas/{area_id}/plans"
    form = {"band": "22-06", "dataset_id": str(dataset_id), "csrf_token": token}
    bad_units = UNITS_CSV.replace("queens-park", "harbour")
    refused = service.client.post(
        url,
        data={**form, "car": "0"},
        files={"units_file": ("my units.csv", bad_units.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert "units.csv" in refused.text and "harbour" in refused.text
    wrong_type = service.client.post(
        url, data=form, files={"units_file": ("units.xlsx", b"PK", "application/octet-stream")}
    )
    assert wrong_type.status_code == 422 and "expected a .csv file" in wrong_type.text
    outside = "duty_id,kind,lat,lon,dwell_min\nP1,post,45.5152,-122.6784,10\n"
    far = service.client.post(
        url, data={**form, "car": "1"}, files={"duties_file": ("d.csv", outside.encode())}
    )
    assert far.status_code == 422 and "outside the boundary" in far.text
    assert _jobs(service.url) == []

    duties = "duty_id,kind,lat,lon,dwell_min\nP1,post,43.6629,-79.3957,10\n"
    started = service.client.post(
        url,
        data={**form, "car": "0"},
        files={
            "units_file": ("units.csv", UNITS_CSV.encode(), "text/csv"),
            "duties_file": ("duties.csv", duties.encode(), "text/csv"),
        },
    )
    assert started.status_code == 200, started.text[-2000:]
    (job,) = _jobs(service.url)
    assert job.parameters["units_csv"] == UNITS_CSV
    assert job.parameters["duties_csv"] == duties
