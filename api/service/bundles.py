"""The stored plan bundle (layers and plan objects) that maps and sheets are drawn from."""

from __future__ import annotations

import pickle

from sqlalchemy.orm import Session

from api.service.errors import ConflictError
from api.service.jobs import BUNDLE_FORMAT_VERSION
from api.service.models import JobState, PlanBundleBlob, PlanJob
from maps.bundle import PlanBundle


def load_bundle(session: Session, plan: PlanJob) -> PlanBundle:
    """The bundle of a succeeded plan.

    Raises
    ------
    ConflictError
        When the plan has not succeeded, or its bundle was written by another version (409,
        asking for a re-run).
    """
    if plan.state != JobState.SUCCEEDED.value:
        raise ConflictError(f"plan {plan.id} is {plan.state}; maps and sheets need a finished plan")
    blob = session.get(PlanBundleBlob, plan.id)
    if blob is None or blob.format_version != BUNDLE_FORMAT_VERSION:
        raise ConflictError(
            f"plan {plan.id} was made by another version of gridpatrol; re-run it "
            f"(POST /plans/{plan.id}/rerun)"
        )
    # Only this service's own plan workers write these blobs (see PlanBundleBlob).
    bundle = pickle.loads(blob.data)
    if not isinstance(bundle, PlanBundle):
        raise ConflictError(f"plan {plan.id}: the stored bundle is unreadable; re-run it")
    return bundle
