"""The stored plan documents (``plan.json``) that maps, sheets and downloads are made from.

A finished plan keeps one document per day (:class:`api.service.models.PlanDocument`), exactly
the files ``gridpatrol plan`` writes. :func:`load_document` returns one;
:func:`bundle_of` turns it into the :class:`~maps.bundle.PlanBundle` maps and sheets draw
(:func:`maps.planfile.bundle_from_document`: checked, nothing planned). A plan without
documents (made before they were stored) or with a document of another schema version answers
409 and asks for a re-run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.service.errors import ConflictError
from api.service.models import JobState, PlanDocument, PlanJob
from maps.bundle import PlanBundle
from maps.planfile import PLAN_SCHEMA_VERSION, PlanFileError, bundle_from_document


def rerun_hint(plan_id: int) -> str:
    """What to do about a plan whose document cannot be used."""
    return f"re-run it: POST /plans/{plan_id}/rerun"


def load_document(session: Session, plan: PlanJob, day: int = 1) -> dict[str, Any]:
    """The plan document of day ``day`` (1 = the first) of a succeeded plan.

    Raises
    ------
    ConflictError
        (409) When the plan has not succeeded, has no day ``day`` (naming the days it has),
        has no documents (made by an older version) or its document is of another schema
        version (asking for a re-run).
    """
    if plan.state != JobState.SUCCEEDED.value:
        raise ConflictError(
            f"plan {plan.id} is {plan.state}; maps, sheets and plan documents need a succeeded plan"
        )
    row = session.get(PlanDocument, (plan.id, day))
    if row is None:
        count = select(func.count()).where(PlanDocument.plan_id == plan.id)
        days = int(session.scalar(count) or 0)
        if days:
            raise ConflictError(f"day: plan {plan.id} has {days} day(s), 1..{days}; got {day}")
        raise ConflictError(
            f"plan {plan.id} has no stored plan document (it was made by an older version of "
            f"gridpatrol); {rerun_hint(plan.id)}"
        )
    stored_version = row.data.get("schema_version") if isinstance(row.data, dict) else None
    if row.schema_version != PLAN_SCHEMA_VERSION or stored_version != PLAN_SCHEMA_VERSION:
        raise ConflictError(
            f"plan {plan.id}'s document has schema version {row.schema_version}; this service "
            f"reads version {PLAN_SCHEMA_VERSION}; {rerun_hint(plan.id)}"
        )
    return row.data


def bundle_of(session: Session, plan: PlanJob, day: int = 1) -> PlanBundle:
    """What maps and sheets draw for day ``day`` of a plan, from its stored document.

    Raises
    ------
    ConflictError
        As :func:`load_document`, and when the stored document fails the plan file's checks.
    """
    document = load_document(session, plan, day)
    try:
        return bundle_from_document(document, source=f"plan {plan.id} day {day}")
    except PlanFileError as exc:
        raise ConflictError(f"{exc}; {rerun_hint(plan.id)}") from None
