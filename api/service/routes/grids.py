"""``/grids``: square or hexagonal grids generated over an area."""

from __future__ import annotations

from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Query, Response, status
from shapely.geometry import shape
from sqlalchemy import select

from api.service import audit
from api.service.deps import (
    CurrentPrincipal,
    ItemId,
    PageDep,
    SessionDep,
    WriterUser,
    check_area,
    get_area,
    scoped,
    visible_area_ids,
)
from api.service.districts import WGS84, feature_collection, frame_from_features
from api.service.lanes import long_request
from api.service.models import Area, GridRecord
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, FORBIDDEN, NOT_FOUND, paginate
from api.service.schemas import MAX_ID, FeatureCollection, GridCreate, GridPublic, Page
from geo.crs import local_crs
from geo.grid import build_grid, spread_population
from geo.schema import AREA_ID, POPULATION

router = APIRouter(route_class=OneHopRoute, prefix="/grids", tags=["grids"], responses=AUTH_ERRORS)


def grid_cells(area: Area, kind: str, cell_size_m: float) -> gpd.GeoDataFrame:
    """Cells of a new grid over ``area`` in EPSG:4326, with areas and residents where known."""
    outline = gpd.GeoDataFrame(geometry=[shape(area.boundary)], crs=WGS84)
    working = local_crs(outline)
    grid = build_grid(
        outline.to_crs(working).union_all(),
        kind="hex" if kind == "hex" else "square",
        cell_size_m=cell_size_m,
        crs=working,
    )
    official = frame_from_features(area.official_areas)
    if len(official):
        official[AREA_ID] = official[AREA_ID].astype(str)
        if POPULATION in official:
            official[POPULATION] = official[POPULATION].astype(float)
        grid = spread_population(grid, official.to_crs(working))
    return grid.cells.to_crs(WGS84)


@router.post(
    "",
    summary="Generate a grid over an area",
    response_model=GridPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **FORBIDDEN},
)
@long_request
def create_grid(body: GridCreate, session: SessionDep, user: WriterUser) -> GridPublic:
    """Square or hexagonal cells of ``cell_size_m`` clipped to the area's outline."""
    area = get_area(session, user, body.area_id)
    cells = grid_cells(area, body.kind, body.cell_size_m)
    grid = GridRecord(
        area_id=area.id,
        kind=body.kind,
        cell_size_m=body.cell_size_m,
        cell_count=len(cells),
        cells=feature_collection(cells),
        created_by_id=user.id,
    )
    session.add(grid)
    session.flush()
    audit.record(
        session,
        user,
        "create",
        "grid",
        grid.id,
        area_id=area.id,
        detail={"kind": grid.kind, "cell_size_m": grid.cell_size_m, "cells": grid.cell_count},
    )
    session.commit()
    return GridPublic.model_validate(grid, from_attributes=True)


@router.get("", summary="List grids", response_model=Page[GridPublic])
def list_grids(
    session: SessionDep,
    user: CurrentPrincipal,
    page: PageDep,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this area.")] = None,
) -> Page[GridPublic]:
    """Grids of the user's areas."""
    statement = select(GridRecord).order_by(GridRecord.id)
    if area_id is not None:
        check_area(user, area_id)
        statement = statement.where(GridRecord.area_id == area_id)
    ids = visible_area_ids(user)
    if ids is not None:
        statement = statement.where(GridRecord.area_id.in_(ids))
    return paginate(session, statement, page, GridPublic)


@router.get("/{grid_id}", summary="Get a grid", response_model=GridPublic, responses=NOT_FOUND)
def read_grid(grid_id: ItemId, session: SessionDep, user: CurrentPrincipal) -> GridPublic:
    """One grid's metadata."""
    return GridPublic.model_validate(
        scoped(session, user, GridRecord, grid_id, "grid"), from_attributes=True
    )


@router.get(
    "/{grid_id}/cells",
    summary="A grid's cells as GeoJSON",
    response_model=FeatureCollection,
    responses=NOT_FOUND,
)
@long_request
def grid_cells_geojson(
    grid_id: ItemId, session: SessionDep, user: CurrentPrincipal
) -> dict[str, Any]:
    """The cells (``cell_id``, ``name``, ``population``, ``area_id``) in EPSG:4326."""
    grid: GridRecord = scoped(session, user, GridRecord, grid_id, "grid")
    return grid.cells


@router.delete(
    "/{grid_id}",
    summary="Delete a grid",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **FORBIDDEN},
)
def delete_grid(grid_id: ItemId, session: SessionDep, user: WriterUser) -> Response:
    """Delete a grid."""
    grid: GridRecord = scoped(session, user, GridRecord, grid_id, "grid")
    audit.record(session, user, "delete", "grid", grid.id, area_id=grid.area_id)
    session.delete(grid)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
