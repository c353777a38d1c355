"""``/plans/{id}/sheets/{format}``: route sheets of a finished plan (drawn by ``maps/sheets``).

PDF (one A4 sheet per unit), XLSX (a summary and a sheet per unit), CSV (all stops), GPX 1.1
(one track and waypoints per unit) and GeoJSON.
"""

from __future__ import annotations

import json
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.service.bundles import load_bundle
from api.service.deps import CurrentUser, ItemId, SessionDep, scoped
from api.service.errors import InvalidInputError
from api.service.models import PlanJob
from api.service.routes.common import AUTH_ERRORS, CONFLICT, NOT_FOUND


class SheetFormat(StrEnum):
    """Formats of route sheets."""

    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"
    GPX = "gpx"
    GEOJSON = "geojson"


MEDIA_TYPES = {
    SheetFormat.PDF: "application/pdf",
    SheetFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    SheetFormat.CSV: "text/csv; charset=utf-8",
    SheetFormat.GPX: "application/gpx+xml",
    SheetFormat.GEOJSON: "application/geo+json",
}

router = APIRouter(tags=["sheets"], responses={**AUTH_ERRORS, **NOT_FOUND, **CONFLICT})


def render_sheets(bundle: object, fmt: SheetFormat, lang: str, units: list[str] | None) -> bytes:
    """The route sheets of ``bundle`` in ``fmt`` as bytes."""
    from maps.bundle import PlanBundle
    from maps.sheets.csv import write_csv
    from maps.sheets.geojson import routes_geojson
    from maps.sheets.gpx import gpx_document
    from maps.sheets.pdf import pdf_bytes
    from maps.sheets.xlsx import write_xlsx

    assert isinstance(bundle, PlanBundle)
    if fmt is SheetFormat.PDF:
        return pdf_bytes(bundle, lang=lang, units=units)
    if fmt is SheetFormat.GPX:
        return gpx_document(bundle, lang=lang, units=units).to_xml(version="1.1").encode("utf-8")
    if fmt is SheetFormat.GEOJSON:
        return json.dumps(routes_geojson(bundle, units=units), ensure_ascii=False).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="gridpatrol-sheets-") as tmp:
        if fmt is SheetFormat.XLSX:
            path = write_xlsx(bundle, Path(tmp) / "route_sheets.xlsx", lang=lang, units=units)
        else:
            path = write_csv(bundle, Path(tmp) / "route_sheets.csv", lang=lang, units=units)
        return path.read_bytes()


@router.get(
    "/plans/{plan_id}/sheets/{fmt}",
    summary="Route sheets of a finished plan",
    response_class=Response,
    responses={
        200: {
            "description": "The sheets as a file download.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in sorted(set(MEDIA_TYPES.values()))
            },
        }
    },
)
def plan_sheets(
    plan_id: ItemId,
    fmt: SheetFormat,
    session: SessionDep,
    user: CurrentUser,
    lang: Annotated[Literal["en", "zh-CN"], Query(description="Language of the sheets.")] = "en",
    units: Annotated[
        str | None, Query(max_length=2000, description="Comma-separated unit ids (default all).")
    ] = None,
) -> Response:
    """The route sheets of every unit (or of ``units``) as a download."""
    bundle = load_bundle(session, scoped(session, user, PlanJob, plan_id, "plan"))
    unit_ids = [u.strip() for u in units.split(",") if u.strip()] if units else None
    try:
        data = render_sheets(bundle, fmt, lang, unit_ids)
    except ValueError as exc:  # unknown unit ids and other MapInputError
        raise InvalidInputError(str(exc)) from None
    name = "route_sheets" if fmt not in (SheetFormat.GPX, SheetFormat.GEOJSON) else "routes"
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="plan{plan_id}_{name}.{fmt.value}"'},
    )
