"""The plan job: plan one shift of an area exactly as ``gridpatrol plan`` does, and store it.

:func:`run_plan_job` is the whole job as a top-level function of plain data (job id, database
URL, parameters), so any executor can run it (:class:`api.service.jobs.JobRunner`, inline, or
later Dask). :func:`compute_plan` loads the area's district, reads the request's units and
duties (:func:`api.service.planinputs.request_inputs`, the same check the request passed),
plans with :func:`planner.shift.plan_shift` and makes the plan documents with
:func:`maps.exports.plan_documents`: the files the command line writes. The documents (one per
day) and the JSON result are written in one transaction with the state ``succeeded``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from api.service.jobrun import DEFAULT_LEASE_S, JobReporter, run_job
from api.service.models import Area, IncidentDataset, PlanDocument, PlanJob


@dataclass(frozen=True)
class PlanOutcome:
    """What a finished plan writes: the JSON result and the plan document of every day."""

    result: dict[str, Any]
    documents: tuple[dict[str, Any], ...]


def route_summary(route: Mapping[str, Any]) -> dict[str, Any]:
    """A route of a plan document without its street paths, with distance and times rounded
    for tables (``distance_km``, ``travel_min``, ``dwell_min``)."""
    summary = {key: value for key, value in route.items() if key != "legs"}
    summary["distance_km"] = round(float(route["distance_m"]) / 1000, 2)
    summary["travel_min"] = round(float(route["travel_s"]) / 60, 1)
    summary["dwell_min"] = round(float(route["dwell_s"]) / 60, 1)
    return summary


def plan_summary(document: Mapping[str, Any]) -> dict[str, Any]:
    """The ``plan`` of a result: a plan document's totals, routes and stops (no street paths,
    no layers), dropped tasks and notes."""
    return {
        "plan_date": document["plan_date"],
        "timezone": document["district"]["timezone"],
        "shift": document["shift"],
        "seed": document["seed"],
        "totals": dict(document["totals"]),
        "routes": [route_summary(r) for r in document["routes"]],
        "dropped": list(document["dropped"]),
        "notes": list(document["notes"]),
    }


def plan_result(documents: Sequence[Mapping[str, Any]], seconds: float) -> dict[str, Any]:
    """The JSON result of a plan job from its plan documents (the first is day 1).

    ``routes`` is the first day's GeoJSON (``plan.geojson``), made from the document by
    :func:`maps.exports.routes_feature_collection`; making it checks the document.
    """
    from maps.exports import routes_feature_collection
    from maps.planfile import bundle_from_document

    first = documents[0]
    return {
        "plan_date": first["plan_date"],
        "shift": first["shift"]["band"],
        "risk_band": first["risk_band"],
        "seconds": round(seconds, 3),
        "tasks": int(first["totals"]["tasks_offered"]),
        "units": len(first["units"]),
        "notes": list(first["notes"]),
        "days": [
            {"day": int(d["day"]), "plan_date": d["plan_date"], "totals": dict(d["totals"])}
            for d in documents
        ],
        "plan": plan_summary(first),
        "routes": routes_feature_collection(bundle_from_document(first, source="plan 1")),
    }


def compute_plan(
    sessions: sessionmaker[Session], area_id: int, parameters: dict[str, Any], report: JobReporter
) -> PlanOutcome:
    """Load the job's area and dataset and plan the shift as the command line does (no
    database writes).

    Raises
    ------
    ValueError
        For parameters that cannot be planned (``GeoInputError``, ``PlanningError``,
        ``NetworkError``, a pydantic ``ValidationError``): the job fails with the message.
    """
    from api.requests import PlanParameters, plan_options
    from api.service.districts import dataset_notes, district_of, load_incidents
    from api.service.planinputs import request_inputs, stored_request
    from maps.exports import plan_documents
    from planner.shift import plan_shift

    report("Loading the dataset", 0.02, force=True)
    request = stored_request(parameters)
    with sessions() as session:
        area = session.get(Area, area_id)
        dataset = session.get(IncidentDataset, request.dataset_id)
        if area is None or dataset is None or dataset.area_id != area_id:
            raise ValueError(f"dataset {request.dataset_id} or its area no longer exists")
        incidents = load_incidents(session, dataset.id, area.timezone)
        district = district_of(area, incidents, notes=dataset_notes(area, dataset), session=session)
        # The request check's own function; the stored time limit is already capped.
        time_limit_s = request.time_limit_s
        if time_limit_s is None:
            time_limit_s = float(PlanParameters.model_fields["time_limit_s"].default)
        inputs = request_inputs(request, area, time_limit_s)
    shift_plan = plan_shift(
        district,
        plan_options(inputs.parameters),
        units=inputs.units,
        duties=inputs.duties,
        progress=report.stage(0.05, 0.9),
    )
    report("Writing the result", 0.92, force=True)
    source = {"kind": "service", "area_id": area_id, "dataset_id": request.dataset_id}
    documents = plan_documents(shift_plan, source=source, request=parameters)
    return PlanOutcome(plan_result(documents, shift_plan.seconds), tuple(documents))


def _store_plan(session: Session, job_id: int, outcome: PlanOutcome) -> dict[str, Any]:
    """Add the plan documents of job ``job_id`` to ``session``; the job's JSON result."""
    for document in outcome.documents:
        session.add(
            PlanDocument(
                plan_id=job_id,
                day=int(document["day"]),
                schema_version=int(document["schema_version"]),
                data=document,
            )
        )
    return outcome.result


def run_plan_job(
    job_id: int,
    database_url: str,
    parameters: dict[str, Any],
    *,
    owner: str | None = None,
    lease_s: float = DEFAULT_LEASE_S,
) -> str:
    """Run plan job ``job_id`` to the end and return its final state.

    Only plain data in, so it runs in a spawned process, on a Dask worker or inline. With
    ``owner`` (a runner claimed the job) it runs only if still running for that owner;
    without, it claims the job if still queued and not cancelled. Its lease is renewed while
    it plans (:class:`api.service.jobrun.Heartbeat`); the result, the plan documents and the state
    ``succeeded`` are written in one transaction, and only if the job is still running (a
    cancel wins).
    """
    return run_job(
        job_id,
        database_url,
        parameters,
        model=PlanJob,
        compute=compute_plan,
        store=_store_plan,
        done_message="Plan done",
        owner=owner,
        lease_s=lease_s,
    )
