"""The web pages of an area's own district: create an area from files, and upload its street
network, official grid, stations, duties and units; set population and time zone.

Each form calls the same function as the API (:mod:`api.service.routes.areas`), so a file is
checked exactly as ``PUT /areas/{id}/...`` checks it; a mistake comes back on the page with
every problem listed (file, row, column), never a 500.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.service.deps import ItemId, SessionDep, get_area
from api.service.districts import check_timezone_name, set_population
from api.service.errors import ConflictError
from api.service.lanes import long_request
from api.service.models import Area
from api.service.routeclass import OneHopRoute
from api.service.routes.areas import (
    create_area_from_files,
    set_area_layer,
    set_area_network,
)
from api.service.security import CSRF_FIELD
from api.web.common import WEB_PREFIX, PageContext, PageDep, redirect
from api.web.forms import form_error_from
from geo.errors import GeoInputError

router = APIRouter(route_class=OneHopRoute, prefix=WEB_PREFIX, include_in_schema=False)

CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]
OptionalFile = Annotated[UploadFile | None, File()]
#: Layers the area page uploads.
Layer = Literal["network", "official_areas", "stations", "duties", "units"]
#: Most population fields one form post may carry.
MAX_POPULATION_FIELDS = 20_000


def _given(upload: UploadFile | None) -> UploadFile | None:
    return upload if upload is not None and upload.filename else None


def _area_errors(
    ctx: PageContext, session: Session, area: Area, exc: Exception, status_code: int = 422
) -> Response:
    from api.web.pages import _area_page

    session.rollback()
    error = form_error_from(exc, ctx.t)
    code = int(getattr(exc, "status_code", status_code)) if isinstance(exc, HTTPException) else 422
    return _area_page(
        ctx,
        session,
        area,
        code,
        district_errors=error.messages,
        problems=error.problems,
        problem_total=error.total,
    )


@router.post("/areas/upload")
@long_request
def add_area_from_files(
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    name: Annotated[str, Form(max_length=200)] = "",
    timezone: Annotated[str, Form(max_length=64)] = "",
    boundary: OptionalFile = None,
    stations: OptionalFile = None,
    official_areas: OptionalFile = None,
) -> Response:
    """Create an area from an uploaded boundary (and stations, grid cells) (admins)."""
    from api.web.pages import _index

    ctx.check_csrf(csrf)
    ctx.require_admin()
    assert ctx.user is not None
    form = {"files_name": name, "files_timezone": timezone}
    if _given(boundary) is None or not name.strip() or not timezone.strip():
        return _index(ctx, session, 422, file_errors=[ctx.t("web.area.no_boundary")], **form)
    assert boundary is not None
    try:
        area = create_area_from_files(
            session,
            ctx.state,
            ctx.user,
            name=name.strip(),
            timezone=timezone.strip(),
            boundary=boundary,
            stations=_given(stations),
            official_areas=_given(official_areas),
        )
    except (ConflictError, GeoInputError, HTTPException) as exc:
        session.rollback()
        error = form_error_from(exc, ctx.t)
        code = exc.status_code if isinstance(exc, HTTPException) else 422
        return _index(
            ctx,
            session,
            code,
            file_errors=error.messages,
            file_problems=error.problems,
            **form,
        )
    return redirect(ctx, f"{WEB_PREFIX}/areas/{area.id}")


@router.post("/areas/{area_id}/layers/{layer}")
@long_request
def upload_layer(
    area_id: ItemId,
    layer: Layer,
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    file: OptionalFile = None,
) -> Response:
    """Upload one of the area's layers and come back to the area page."""
    assert ctx.user is not None
    ctx.check_csrf(csrf)
    area = get_area(session, ctx.user, area_id)
    ctx.require_writer()
    if _given(file) is None:
        from api.web.pages import _area_page

        return _area_page(ctx, session, area, 422, district_errors=[ctx.t("web.upload.no_file")])
    assert file is not None
    try:
        if layer == "network":
            set_area_network(session, ctx.state, ctx.user, area, file)
        else:
            set_area_layer(session, ctx.state, ctx.user, area, layer, file)
    except (GeoInputError, HTTPException) as exc:
        return _area_errors(ctx, session, area, exc)
    return redirect(ctx, f"{WEB_PREFIX}/areas/{area.id}#district")


@router.post("/areas/{area_id}/population")
async def save_population(
    area_id: ItemId, request: Request, ctx: PageDep, session: SessionDep
) -> Response:
    """Population of the area's official cells: one field ``pop:<cell id>`` per cell; an
    empty field is unknown."""
    form = await request.form(max_fields=MAX_POPULATION_FIELDS + 10, max_files=0)
    ctx.check_csrf(str(form.get(CSRF_FIELD) or ""))
    assert ctx.user is not None
    area = get_area(session, ctx.user, area_id)
    ctx.require_writer()
    values: dict[str, float | None] = {}
    bad: list[dict[str, Any]] = []
    for key, raw in form.multi_items():
        if not key.startswith("pop:") or not isinstance(raw, str):
            continue
        text = raw.strip().replace(",", "")
        try:
            values[key[4:]] = float(text) if text else None
        except ValueError:
            bad.append({"source": "population", "column": key[4:], "value": raw, "message": ""})
    try:
        if bad:
            from geo.errors import Problem

            raise GeoInputError(
                [
                    Problem(
                        "population",
                        "expected a number of people",
                        column=b["column"],
                        value=b["value"],
                    )
                    for b in bad
                ],
                "the population cannot be used",
            )
        area.official_areas = set_population(area, values)
    except GeoInputError as exc:
        return _area_errors(ctx, session, area, exc)
    from api.service import audit

    audit.record(
        session,
        ctx.user,
        "update",
        "area",
        area.id,
        area_id=area.id,
        detail={"population": len(values)},
    )
    session.commit()
    return redirect(ctx, f"{WEB_PREFIX}/areas/{area.id}#district")


@router.post("/areas/{area_id}/timezone")
def save_timezone(
    area_id: ItemId,
    ctx: PageDep,
    session: SessionDep,
    csrf: CsrfField = "",
    timezone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Change the area's time zone (admins)."""
    assert ctx.user is not None
    ctx.check_csrf(csrf)
    area = get_area(session, ctx.user, area_id)
    ctx.require_admin()
    try:
        check_timezone_name(timezone.strip())
    except GeoInputError as exc:
        return _area_errors(ctx, session, area, exc)
    from api.service import audit

    area.timezone = timezone.strip()
    audit.record(
        session,
        ctx.user,
        "update",
        "area",
        area.id,
        area_id=area.id,
        detail={"timezone": area.timezone},
    )
    session.commit()
    return redirect(ctx, f"{WEB_PREFIX}/areas/{area.id}#district")
