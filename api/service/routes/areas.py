"""``/areas``: jurisdictions, from an embedded sample or from GeoJSON layers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from api.service import audit
from api.service.deps import (
    AdminUser,
    CurrentUser,
    ItemId,
    PageDep,
    SessionDep,
    StateDep,
    get_area,
    visible_area_ids,
)
from api.service.districts import (
    area_layers_from_geojson,
    area_layers_from_sample,
    create_dataset,
    sample_dataset_filename,
)
from api.service.errors import ConflictError
from api.service.models import ACTIVE_STATES, Area, PlanJob, StaffingJob
from api.service.routes.common import AUTH_ERRORS, CONFLICT, FORBIDDEN, NOT_FOUND
from api.service.schemas import AreaCreate, AreaPublic, AreaUpdate, FeatureCollection, Page

router = APIRouter(prefix="/areas", tags=["areas"], responses=AUTH_ERRORS)


def area_public(area: Area) -> AreaPublic:
    """The public view of an area."""
    stations = (area.stations or {}).get("features") or []
    official = (area.official_areas or {}).get("features") or []
    return AreaPublic(
        id=area.id,
        name=area.name,
        timezone=area.timezone,
        sample=area.sample,
        has_network=bool(area.network_path),
        station_count=len(stations),
        official_area_count=len(official),
        created_at=area.created_at,
    )


@router.get("", summary="List the areas the user sees", response_model=Page[AreaPublic])
def list_areas(session: SessionDep, user: CurrentUser, page: PageDep) -> Page[AreaPublic]:
    """The user's areas (every area for admins)."""
    from sqlalchemy import func

    statement = select(Area).order_by(Area.id)
    ids = visible_area_ids(user)
    if ids is not None:
        statement = statement.where(Area.id.in_(ids))
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.scalars(statement.offset(page.offset).limit(page.limit)).all()
    return Page[AreaPublic](
        items=[area_public(a) for a in rows],
        total=int(total or 0),
        offset=page.offset,
        limit=page.limit,
    )


@router.post(
    "",
    summary="Create an area from a sample or GeoJSON",
    response_model=AreaPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **CONFLICT},
)
def create_area(body: AreaCreate, session: SessionDep, admin: AdminUser) -> AreaPublic:
    """A new area (admins only).

    ``{"name": ..., "sample": "toronto-uoft"}`` makes a working area with no files: the
    sample's outline, stations, street network and official polygons, and its incidents as a
    first dataset. Layers given as GeoJSON are checked like files (422 with every problem).
    """
    if session.scalar(select(Area.id).where(Area.name == body.name)) is not None:
        raise ConflictError(f"an area named {body.name!r} already exists")
    incidents = None
    if body.sample is not None:
        fields, incidents = area_layers_from_sample(body.sample)
        if body.timezone:
            fields["timezone"] = body.timezone
    else:
        assert body.boundary is not None and body.timezone is not None
        fields = area_layers_from_geojson(
            timezone=body.timezone,
            boundary=body.boundary,
            stations=body.stations,
            official_areas=body.official_areas,
        )
    area = Area(name=body.name, created_by_id=admin.id, **fields)
    session.add(area)
    session.flush()
    detail: dict[str, Any] = {"name": area.name, "sample": area.sample}
    if incidents is not None and body.sample is not None and body.sample_incidents:
        dataset = create_dataset(
            session,
            area=area,
            name=f"{body.sample} sample incidents",
            filename=sample_dataset_filename(body.sample),
            incidents=incidents,
            created_by_id=admin.id,
        )
        detail["dataset_id"] = dataset.id
        audit.record(
            session,
            admin,
            "create",
            "dataset",
            dataset.id,
            area_id=area.id,
            detail={"rows": dataset.row_count, "sample": body.sample},
        )
    audit.record(session, admin, "create", "area", area.id, area_id=area.id, detail=detail)
    session.commit()
    return area_public(area)


@router.get("/{area_id}", summary="Get an area", response_model=AreaPublic, responses=NOT_FOUND)
def read_area(area_id: ItemId, session: SessionDep, user: CurrentUser) -> AreaPublic:
    """One of the user's areas."""
    return area_public(get_area(session, user, area_id))


@router.get(
    "/{area_id}/layers",
    summary="An area's outline, stations and official polygons",
    response_model=FeatureCollection,
    responses=NOT_FOUND,
)
def area_layers(area_id: ItemId, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """GeoJSON (EPSG:4326): the boundary, the stations and the official areas, each feature
    tagged with ``properties.layer``."""
    area = get_area(session, user, area_id)
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": area.boundary, "properties": {"layer": "boundary"}}
    ]
    for layer, collection in (("station", area.stations), ("area", area.official_areas)):
        for feature in (collection or {}).get("features") or []:
            properties = dict(feature.get("properties") or {})
            properties["layer"] = layer
            features.append(
                {"type": "Feature", "geometry": feature.get("geometry"), "properties": properties}
            )
    return {"type": "FeatureCollection", "features": features}


@router.patch(
    "/{area_id}",
    summary="Rename an area or change its time zone",
    response_model=AreaPublic,
    responses={**NOT_FOUND, **FORBIDDEN, **CONFLICT},
)
def update_area(
    area_id: ItemId, body: AreaUpdate, session: SessionDep, admin: AdminUser
) -> AreaPublic:
    """Change an area's name or time zone (admins only)."""
    from api.service.districts import check_timezone_name

    area = get_area(session, admin, area_id)
    changed: dict[str, Any] = {}
    if body.name is not None and body.name != area.name:
        if session.scalar(select(Area.id).where(Area.name == body.name)) is not None:
            raise ConflictError(f"an area named {body.name!r} already exists")
        area.name = changed["name"] = body.name
    if body.timezone is not None:
        check_timezone_name(body.timezone)
        area.timezone = changed["timezone"] = body.timezone
    audit.record(session, admin, "update", "area", area.id, area_id=area.id, detail=changed)
    session.commit()
    return area_public(area)


@router.delete(
    "/{area_id}",
    summary="Delete an area and everything in it",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **FORBIDDEN},
)
def delete_area(
    area_id: ItemId, session: SessionDep, admin: AdminUser, state: StateDep
) -> Response:
    """Delete an area with its datasets, grids and plans (admins only); running plans stop."""
    area = get_area(session, admin, area_id)
    active = session.scalars(
        select(PlanJob.id).where(PlanJob.area_id == area.id, PlanJob.state.in_(ACTIVE_STATES))
    ).all()
    staffing = session.scalars(
        select(StaffingJob.id).where(
            StaffingJob.area_id == area.id, StaffingJob.state.in_(ACTIVE_STATES)
        )
    ).all()
    if state.runner is not None:
        for job_id in active:
            state.runner.cancel(job_id)
        for job_id in staffing:
            state.runner.cancel(job_id, kind="staffing")
    audit.record(
        session, admin, "delete", "area", area.id, area_id=area.id, detail={"name": area.name}
    )
    session.delete(area)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
