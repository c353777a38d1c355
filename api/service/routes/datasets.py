"""``/datasets``: incident files uploaded to an area (CSV, GeoJSON, GeoPackage, zipped
Shapefile), checked by ``geo.io`` and stored in one transaction."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.requests import check_timezone
from api.service import audit
from api.service.authcache import Principal
from api.service.deps import (
    CurrentPrincipal,
    ItemId,
    PageDep,
    ServiceState,
    SessionDep,
    StateDep,
    WriterUser,
    check_area,
    get_area,
    scoped,
    visible_area_ids,
)
from api.service.districts import create_dataset, read_upload
from api.service.errors import InvalidInputError
from api.service.lanes import long_request
from api.service.models import Area, Incident, IncidentDataset, User
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, FORBIDDEN, NOT_FOUND, TOO_LARGE, paginate
from api.service.schemas import (
    MAX_ID,
    DatasetPublic,
    DatasetUploaded,
    FeatureCollection,
    Page,
    RowLeftOut,
)
from api.service.uploads import save_upload, upload_limits

router = APIRouter(
    route_class=OneHopRoute, prefix="/datasets", tags=["datasets"], responses=AUTH_ERRORS
)


def store_upload(
    session: Session,
    state: ServiceState,
    user: User | Principal,
    area: Area,
    upload: UploadFile,
    *,
    name: str | None = None,
    timezone: str | None = None,
    crs: str | None = None,
    columns: str | None = None,
    datetime_format: str | None = None,
    sheet: str | None = None,
    keep_valid: bool = False,
) -> tuple[IncidentDataset, list[dict[str, Any]]]:
    """Check an uploaded incident file and store it as a dataset of ``area`` (committed, audited).

    Shared by the API and the web pages. Returns the dataset and, with ``keep_valid``, the
    rows left out with their reasons (``{"row", "reasons"}``; empty otherwise).

    Raises
    ------
    GeoInputError
        With every problem of the file (file, row, column, value); nothing is written.
    UploadTooLargeError
        When the file is over the service's limit.
    """
    if timezone is not None and timezone.strip():
        try:
            timezone = check_timezone(timezone)
        except ValueError as exc:
            raise InvalidInputError(
                f"timezone: {exc}; leave the field empty to use the area's time zone"
            ) from None
    with tempfile.TemporaryDirectory(prefix="gridpatrol-upload-") as tmp:
        path = save_upload(upload, Path(tmp), upload_limits(state.settings))
        incidents, rejected = read_upload(
            path,
            area,
            timezone=timezone,
            crs=crs,
            columns=columns,
            datetime_format=datetime_format,
            sheet=sheet,
            keep_valid=keep_valid,
        )
    dataset = create_dataset(
        session,
        area=area,
        name=name or Path(path.name).stem,
        filename=path.name,
        incidents=incidents,
        created_by_id=user.id,
    )
    audit.record(
        session,
        user,
        "create",
        "dataset",
        dataset.id,
        area_id=area.id,
        detail={
            "filename": dataset.filename,
            "rows": dataset.row_count,
            "rows_left_out": len(rejected),
        },
    )
    session.commit()
    return dataset, rejected


@router.post(
    "",
    summary="Upload an incident file to an area",
    response_model=DatasetUploaded,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **FORBIDDEN, **TOO_LARGE},
)
@long_request
def upload_dataset(
    session: SessionDep,
    user: WriterUser,
    state: StateDep,
    area_id: Annotated[int, Form(ge=1, le=MAX_ID, description="The area the incidents are in.")],
    file: Annotated[UploadFile, File(description="CSV, GeoJSON, GeoPackage or zipped Shapefile.")],
    name: Annotated[str | None, Form(max_length=200, description="Dataset name.")] = None,
    timezone: Annotated[
        str | None, Form(max_length=64, description="Time zone of local times (default: area's).")
    ] = None,
    crs: Annotated[
        str | None, Form(max_length=100, description="CRS of x/y columns, e.g. EPSG:2952.")
    ] = None,
    columns: Annotated[
        str | None,
        Form(
            max_length=1000,
            description="Columns by role, e.g. date=案发时间,category=案由,lat=纬度,lon=经度.",
        ),
    ] = None,
    datetime_format: Annotated[
        str | None, Form(max_length=100, description="strftime format of the dates.")
    ] = None,
    sheet: Annotated[
        str | None, Form(max_length=100, description="Worksheet of an .xlsx file.")
    ] = None,
    keep_valid: Annotated[
        bool,
        Form(description="Store the valid rows; the rows left out are listed in the answer."),
    ] = False,
) -> DatasetUploaded:
    """Check and store an incident file. Every problem answers 422 with its file, row and
    column, and nothing is written; a good file is stored with all its rows at once. With
    ``keep_valid`` the valid rows are stored and the answer lists the rows left out."""
    area = get_area(session, user, area_id)
    dataset, rejected = store_upload(
        session,
        state,
        user,
        area,
        file,
        name=name,
        timezone=timezone,
        crs=crs,
        columns=columns,
        datetime_format=datetime_format,
        sheet=sheet,
        keep_valid=keep_valid,
    )
    public = DatasetPublic.model_validate(dataset, from_attributes=True)
    return DatasetUploaded(
        **public.model_dump(),
        rows_left_out=len(rejected),
        left_out=[RowLeftOut(**row) for row in rejected],
    )


@router.get("", summary="List incident datasets", response_model=Page[DatasetPublic])
def list_datasets(
    session: SessionDep,
    user: CurrentPrincipal,
    page: PageDep,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this area.")] = None,
) -> Page[DatasetPublic]:
    """Datasets of the user's areas, newest last."""
    statement = select(IncidentDataset).order_by(IncidentDataset.id)
    if area_id is not None:
        check_area(user, area_id)
        statement = statement.where(IncidentDataset.area_id == area_id)
    ids = visible_area_ids(user)
    if ids is not None:
        statement = statement.where(IncidentDataset.area_id.in_(ids))
    return paginate(session, statement, page, DatasetPublic)


@router.get(
    "/{dataset_id}", summary="Get a dataset", response_model=DatasetPublic, responses=NOT_FOUND
)
def read_dataset(dataset_id: ItemId, session: SessionDep, user: CurrentPrincipal) -> DatasetPublic:
    """One dataset's metadata."""
    dataset = scoped(session, user, IncidentDataset, dataset_id, "dataset")
    return DatasetPublic.model_validate(dataset, from_attributes=True)


@router.get(
    "/{dataset_id}/incidents",
    summary="A dataset's incidents as GeoJSON",
    response_model=FeatureCollection,
    responses=NOT_FOUND,
)
def dataset_incidents(
    dataset_id: ItemId, session: SessionDep, user: CurrentPrincipal, page: PageDep
) -> dict[str, Any]:
    """One page of incidents as GeoJSON points (EPSG:4326); ``properties`` of the collection
    carry ``total``, ``offset`` and ``limit``. Times are UTC."""
    scoped(session, user, IncidentDataset, dataset_id, "dataset")
    total = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.dataset_id == dataset_id)
    )
    rows = session.scalars(
        select(Incident)
        .where(Incident.dataset_id == dataset_id)
        .order_by(Incident.id)
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "incident_id": r.incident_id,
                "occurred_at": r.occurred_at.isoformat() + "Z",
                "time_known": r.time_known,
                "category": r.category,
                "weight": r.weight,
                "source_row": r.source_row,
            },
        }
        for r in rows
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"total": int(total or 0), "offset": page.offset, "limit": page.limit},
    }


@router.delete(
    "/{dataset_id}",
    summary="Delete a dataset and its incidents",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **FORBIDDEN},
)
def delete_dataset(dataset_id: ItemId, session: SessionDep, user: WriterUser) -> Response:
    """Delete a dataset with all its incident rows (plans made from it keep their results)."""
    dataset = scoped(session, user, IncidentDataset, dataset_id, "dataset")
    audit.record(
        session,
        user,
        "delete",
        "dataset",
        dataset.id,
        area_id=dataset.area_id,
        detail={"filename": dataset.filename, "rows": dataset.row_count},
    )
    session.delete(dataset)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
