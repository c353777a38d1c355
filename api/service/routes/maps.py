"""``/plans/{id}/map``: the coordinators' HTML map of a finished plan (drawn by ``maps/``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.service.bundles import load_bundle
from api.service.deps import CurrentUser, ItemId, SessionDep, StateDep, scoped
from api.service.errors import InvalidInputError
from api.service.models import PlanJob
from api.service.routes.common import AUTH_ERRORS, CONFLICT, NOT_FOUND

router = APIRouter(tags=["maps"], responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT})


@router.get(
    "/plans/{plan_id}/map",
    summary="The HTML map of a finished plan",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
def plan_map(
    plan_id: ItemId,
    session: SessionDep,
    user: CurrentUser,
    state: StateDep,
    lang: Annotated[Literal["en", "zh-CN"], Query(description="Language of labels.")] = "en",
    band: Annotated[
        str | None, Query(max_length=16, description="Risk band to colour (default: plan's).")
    ] = None,
    offline: Annotated[bool, Query(description="Inline Leaflet (opens with no network).")] = False,
) -> HTMLResponse:
    """One HTML page: risk per cell, hotspots, incidents, stations and every unit's route,
    with the base map chosen by the service's ``tiles`` setting."""
    from maps.webmap import MapOptions, build_map, save_map

    bundle = load_bundle(session, scoped(session, user, PlanJob, plan_id, "plan"))
    settings = state.settings
    try:
        options = MapOptions(
            lang=lang, band=band, tiles=settings.tiles, tianditu_key=settings.tianditu_key
        )
        folium_map = build_map(bundle, options)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="gridpatrol-map-") as tmp:
        path = save_map(folium_map, Path(tmp) / "map.html", embed_assets=offline)
        html = path.read_text(encoding="utf-8")
    return HTMLResponse(html)
