"""``/plans/{id}/sheets/{format}``: route sheets of a finished plan, drawn from its stored plan
document by :func:`maps.exports.sheet_bytes` (as ``gridpatrol sheets --plan`` draws them).

PDF (one A4 sheet per unit), XLSX (a summary and a sheet per unit), CSV (all stops), GPX 1.1
(one track and waypoints per unit) and GeoJSON.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.service.deps import CurrentPrincipal, ItemId, SessionDep, scoped
from api.service.errors import InvalidInputError
from api.service.lanes import long_request
from api.service.models import PlanJob
from api.service.plandocs import bundle_of
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, CONFLICT, NOT_FOUND, DayQuery
from maps.exports import SHEET_MEDIA_TYPES


class SheetFormat(StrEnum):
    """Formats of route sheets (:data:`maps.exports.SHEET_FORMATS`)."""

    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"
    GPX = "gpx"
    GEOJSON = "geojson"


router = APIRouter(
    route_class=OneHopRoute, tags=["sheets"], responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT}
)


@router.get(
    "/plans/{plan_id}/sheets/{fmt}",
    summary="Route sheets of a finished plan",
    response_class=Response,
    responses={
        200: {
            "description": "The sheets as a file download.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in sorted(set(SHEET_MEDIA_TYPES.values()))
            },
        }
    },
)
@long_request
def plan_sheets(
    plan_id: ItemId,
    fmt: SheetFormat,
    session: SessionDep,
    user: CurrentPrincipal,
    lang: Annotated[Literal["en", "zh-CN"], Query(description="Language of the sheets.")] = "en",
    units: Annotated[
        str | None, Query(max_length=2000, description="Comma-separated unit ids (default all).")
    ] = None,
    day: DayQuery = 1,
) -> Response:
    """The route sheets of every unit (or of ``units``) of day ``day`` as a download."""
    from maps.exports import sheet_bytes

    bundle = bundle_of(session, scoped(session, user, PlanJob, plan_id, "plan"), day)
    unit_ids = [u.strip() for u in units.split(",") if u.strip()] if units else None
    try:
        data = sheet_bytes(bundle, fmt.value, lang=lang, units=unit_ids)
    except ValueError as exc:  # unknown unit ids and other MapInputError
        raise InvalidInputError(str(exc)) from None
    name = "route_sheets" if fmt not in (SheetFormat.GPX, SheetFormat.GEOJSON) else "routes"
    suffix = "" if day == 1 else f"_day{day}"
    return Response(
        data,
        media_type=SHEET_MEDIA_TYPES[fmt.value],
        headers={
            "Content-Disposition": (
                f'attachment; filename="plan{plan_id}{suffix}_{name}.{fmt.value}"'
            )
        },
    )
