"""The status of a background job as its web page shows it, in the page's language.

``status.js`` polls ``/web/plans/{id}/status``, ``/web/staffing/{id}/status`` or
``/web/review-jobs/{id}/status`` while a plan, staffing run or review report job is active. The
answer is the job's state, progress and message like the API's ``GET /plans/{id}``, but with
the message, the state and a failure's error written in the reader's language (``?lang=``, the
language cookie, else ``Accept-Language``): the stored English texts are translated by
:func:`maps.i18n.job_message` and :func:`maps.i18n.note_text` (an error the catalogue does not
know stays as it is). A visitor who is not signed in gets 401, and the page reloads to the
login.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response

from api.service import models
from api.service.deps import ItemId, SessionDep, StateDep, scoped
from api.service.models import PlanJob, StaffingJob
from api.service.routeclass import OneHopRoute
from api.web.common import (
    WEB_PREFIX,
    LoginRequiredError,
    PageContext,
    finish,
    page_context,
)

router = APIRouter(route_class=OneHopRoute, prefix=WEB_PREFIX, include_in_schema=False)


async def signed_in(request: Request, state: StateDep) -> PageContext:
    """The page context of a signed-in visitor; 401 (not a redirect to the login page) for
    anyone else, so the polling script can tell."""
    try:
        return await page_context(request, state)
    except LoginRequiredError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in again") from None


StatusDep = Annotated[PageContext, Depends(signed_in)]


def job_status(job: Any, ctx: PageContext) -> dict[str, Any]:
    """What the status box shows of ``job``, in the context's language."""
    t = ctx.t
    state = str(job.state)
    label_key = f"web.state.{state}"
    return {
        "id": int(job.id),
        "state": state,
        "state_label": t.get(label_key, state),
        "progress": float(job.progress or 0.0),
        "message": t.job(job.message),
        "error": t.note(job.error) if job.error else None,
        "lang": ctx.lang,
    }


def _answer(ctx: PageContext, body: dict[str, Any]) -> Response:
    response = JSONResponse(body, headers={"Cache-Control": "no-store"})
    finish(ctx, response)
    return response


@router.get("/plans/{plan_id}/status")
def plan_status(plan_id: ItemId, ctx: StatusDep, session: SessionDep) -> Response:
    """A plan's state, progress and message in the page's language."""
    assert ctx.user is not None
    plan: PlanJob = scoped(session, ctx.user, PlanJob, plan_id, "plan")
    return _answer(ctx, job_status(plan, ctx))


@router.get("/staffing/{run_id}/status")
def staffing_status(run_id: ItemId, ctx: StatusDep, session: SessionDep) -> Response:
    """A staffing run's state, progress and message in the page's language."""
    assert ctx.user is not None
    run: StaffingJob = scoped(session, ctx.user, StaffingJob, run_id, "staffing run")
    return _answer(ctx, job_status(run, ctx))


#: Review report jobs (``/web/review-jobs/{id}``), where the service has them.
ReviewJob: Any = getattr(models, "ReviewJob", None)

if ReviewJob is not None:

    @router.get("/review-jobs/{job_id}/status")
    def review_job_status(job_id: ItemId, ctx: StatusDep, session: SessionDep) -> Response:
        """A review report job's state, progress and message in the page's language."""
        assert ctx.user is not None
        job = scoped(session, ctx.user, ReviewJob, job_id, "review job")
        return _answer(ctx, job_status(job, ctx))
