"""``/plans/{id}/map``: the coordinators' HTML map of a finished plan, drawn from its stored
plan document by :func:`maps.exports.map_html` (as ``gridpatrol map --plan`` draws it)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.service.authcache import Principal
from api.service.deps import (
    CurrentPrincipal,
    ItemId,
    ServiceState,
    StateDep,
    cached_head,
    scoped,
    scoped_head,
)
from api.service.errors import InvalidInputError
from api.service.models import PlanJob
from api.service.plandocs import bundle_of
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, CONFLICT, NOT_FOUND, DayQuery
from api.service.routes.plans import IfNoneMatch, immutable_answer

router = APIRouter(
    route_class=OneHopRoute, tags=["maps"], responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT}
)


@router.get(
    "/plans/{plan_id}/map",
    summary="The HTML map of a finished plan",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def plan_map(
    plan_id: ItemId,
    user: CurrentPrincipal,
    state: StateDep,
    lang: Annotated[Literal["en", "zh-CN"], Query(description="Language of labels.")] = "en",
    band: Annotated[
        str | None, Query(max_length=16, description="Risk band to colour (default: plan's).")
    ] = None,
    offline: Annotated[
        bool,
        Query(description="Inline Leaflet (opens with no network; false: CDN links)."),
    ] = True,
    day: DayQuery = 1,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One HTML page: risk per cell, hotspots, incidents, stations and every unit's route,
    with the base map chosen by the service's ``tiles`` setting. A plan's map is drawn once per
    day, language and options, then served from memory (a finished plan never changes), with
    an ``ETag`` (``If-None-Match`` answers 304 when the client has it)."""
    head = cached_head(state, user, PlanJob, plan_id, "plan")
    if head is not None:
        key = (*head.cache_key, lang, band, offline, day)
        cached = state.map_cache.get(key)
        if cached is not None:
            return _answer(state, cached, key, if_none_match)
    return await run_in_threadpool(
        _plan_map, plan_id, user, state, lang, band, offline, day, if_none_match
    )


def _answer(
    state: ServiceState, body: bytes, key: tuple[object, ...], if_none_match: str | None
) -> Response:
    """The map's bytes with its ETag (the base map's setting is part of it), or 304."""
    extra = (state.settings.tiles, state.settings.tianditu_key)
    return immutable_answer(body, key, if_none_match, *extra, media_type="text/html")


def _plan_map(
    plan_id: int,
    user: Principal,
    state: ServiceState,
    lang: str,
    band: str | None,
    offline: bool,
    day: int,
    if_none_match: str | None = None,
) -> Response:
    with state.sessions() as session:
        head = scoped_head(session, user, PlanJob, plan_id, "plan", cache=state.heads)
        key = (*head.cache_key, lang, band, offline, day)
        cached = state.map_cache.get(key)
        if cached is not None:
            return _answer(state, cached, key, if_none_match)
        plan: PlanJob = scoped(session, user, PlanJob, plan_id, "plan")
        body = _render_map(session, plan, state, lang, band, offline, day).encode("utf-8")
    state.map_cache.put(key, body)
    return _answer(state, body, key, if_none_match)


def _render_map(
    session: Session,
    plan: PlanJob,
    state: ServiceState,
    lang: str,
    band: str | None,
    offline: bool,
    day: int,
) -> str:
    from maps.exports import map_html

    bundle = bundle_of(session, plan, day)
    settings = state.settings
    try:
        return map_html(
            bundle,
            lang=lang,
            offline=offline,
            band=band,
            tiles=settings.tiles,
            tianditu_key=settings.tianditu_key,
        )
    except ValueError as exc:  # MapInputError: a band the plan has no risk for, ...
        raise InvalidInputError(str(exc)) from None
