"""``/areas``: jurisdictions, from an embedded sample, GeoJSON layers or uploaded files, and
each area's own layers: street network (OSM), official grid, stations, duties, units,
population.

A station brings its own district: ``POST /areas/upload`` (a boundary file), then
``PUT /areas/{id}/network`` (its OSM extract, built into the shared network cache),
``/official-areas``, ``/stations``, ``/duties``, ``/units`` and ``PATCH /areas/{id}/population``.
``GET /areas/{id}/readiness`` says what the area has and what it lacks. Every upload is read
through :func:`api.service.uploads.save_upload` (size, unpacked size and feature bounds) and
checked by the ``geo`` readers (422 naming the file, row and column).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.service import audit
from api.service.authcache import Principal
from api.service.deps import (
    AdminUser,
    CurrentPrincipal,
    ItemId,
    PageDep,
    ServiceState,
    SessionDep,
    StateDep,
    WriterUser,
    check_area,
    get_area,
    visible_area_ids,
)
from api.service.districts import (
    OSM_UPLOAD_SUFFIXES,
    area_layers_from_files,
    area_layers_from_geojson,
    area_layers_from_sample,
    check_network_file,
    check_timezone_name,
    create_dataset,
    duties_from_file,
    has_network,
    official_areas_from_file,
    sample_dataset_filename,
    set_population,
    station_ids_of,
    stations_from_file,
    store_network_file,
    units_from_file,
)
from api.service.errors import ConflictError, NotFoundError
from api.service.fastunits import quick_units
from api.service.lanes import long_request
from api.service.models import (
    ACTIVE_STATES,
    Area,
    IncidentDataset,
    NetworkFile,
    PlanJob,
    StaffingJob,
    User,
)
from api.service.routeclass import OneHopRoute
from api.service.routes.common import AUTH_ERRORS, CONFLICT, FORBIDDEN, NOT_FOUND, TOO_LARGE
from api.service.schemas import (
    MAX_DUTIES_CSV_CHARS,
    MAX_DUTY_FEATURES,
    MAX_UNITS_CSV_CHARS,
    AreaCreate,
    AreaPublic,
    AreaUpdate,
    FeatureCollection,
    Page,
)
from api.service.uploads import save_upload, upload_limits
from geo.errors import GeoInputError, Problem

router = APIRouter(route_class=OneHopRoute, prefix="/areas", tags=["areas"], responses=AUTH_ERRORS)


def area_public(area: Area) -> AreaPublic:
    """The public view of an area."""
    stations = (area.stations or {}).get("features") or []
    official = (area.official_areas or {}).get("features") or []
    return AreaPublic(
        id=area.id,
        name=area.name,
        timezone=area.timezone,
        sample=area.sample,
        has_network=has_network(area),
        station_count=len(stations),
        official_area_count=len(official),
        created_at=area.created_at,
    )


@router.get("", summary="List the areas the user sees", response_model=Page[AreaPublic])
def list_areas(session: SessionDep, user: CurrentPrincipal, page: PageDep) -> Page[AreaPublic]:
    """The user's areas (every area for admins)."""
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
def read_area(area_id: ItemId, session: SessionDep, user: CurrentPrincipal) -> AreaPublic:
    """One of the user's areas."""
    return area_public(get_area(session, user, area_id))


# --- an area from files, and its own layers -------------------------------------------------

#: Files a boundary, official grid or stations may come as.
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".kml", ".kmz")
STATION_SUFFIXES = (".csv", ".txt", ".geojson", ".json", ".gpkg")
DUTY_SUFFIXES = (".csv", ".txt", ".geojson", ".json")
UNIT_SUFFIXES = (".csv", ".txt")

UploadField = Annotated[UploadFile, File(description="The file.")]
OptionalUpload = Annotated[UploadFile | None, File(description="Optional file.")]


def _saved(
    state: ServiceState,
    upload: UploadFile,
    folder: Path,
    suffixes: tuple[str, ...],
    default_name: str,
) -> Path:
    """The upload copied into ``folder`` within the service's limits (413/507/422)."""
    return save_upload(
        upload,
        folder,
        upload_limits(state.settings),
        default_name=default_name,
        suffixes=suffixes,
    )


def create_area_from_files(
    session: Session,
    state: ServiceState,
    admin: User | Principal,
    *,
    name: str,
    timezone: str,
    boundary: UploadFile,
    stations: UploadFile | None = None,
    official_areas: UploadFile | None = None,
) -> Area:
    """Create (commit, audit) an area from an uploaded boundary and optional stations and
    official grid; shared by the API and the web pages.

    Raises
    ------
    ConflictError
        (409) An area of that name exists.
    GeoInputError
        (422) With every problem of each file.
    """
    if session.scalar(select(Area.id).where(Area.name == name)) is not None:
        raise ConflictError(f"an area named {name!r} already exists")
    check_timezone_name(timezone)
    with tempfile.TemporaryDirectory(prefix="gridpatrol-area-") as tmp:
        folder = Path(tmp)
        paths: dict[str, Path] = {}
        for key, upload, suffixes in (
            ("boundary", boundary, VECTOR_SUFFIXES),
            ("stations", stations, STATION_SUFFIXES),
            ("official_areas", official_areas, VECTOR_SUFFIXES),
        ):
            if upload is not None and upload.filename:
                sub = folder / key
                sub.mkdir()
                paths[key] = _saved(state, upload, sub, suffixes, f"{key}.geojson")
        if "boundary" not in paths:
            raise GeoInputError([Problem("boundary", "no boundary file; expected a polygon file")])
        fields = area_layers_from_files(
            timezone=timezone,
            boundary=paths["boundary"],
            stations=paths.get("stations"),
            official_areas=paths.get("official_areas"),
        )
    area = Area(name=name, created_by_id=admin.id, **fields)
    session.add(area)
    session.flush()
    audit.record(
        session,
        admin,
        "create",
        "area",
        area.id,
        area_id=area.id,
        detail={"name": area.name, "files": fields["layer_files"]},
    )
    session.commit()
    return area


@router.post(
    "/upload",
    summary="Create an area from an uploaded boundary file",
    response_model=AreaPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**FORBIDDEN, **CONFLICT, **TOO_LARGE},
)
@long_request
def upload_area(
    session: SessionDep,
    admin: AdminUser,
    state: StateDep,
    name: Annotated[str, Form(min_length=1, max_length=200, description="The area's name.")],
    timezone: Annotated[
        str, Form(min_length=1, max_length=64, description="IANA time zone, e.g. Asia/Shanghai.")
    ],
    boundary: Annotated[
        UploadFile, File(description="Polygons: GeoJSON, GeoPackage, zipped Shapefile or KML.")
    ],
    stations: Annotated[
        UploadFile | None, File(description="Stations (CSV with lat/lon, or points).")
    ] = None,
    official_areas: Annotated[
        UploadFile | None, File(description="Official grid cells (polygons, with population).")
    ] = None,
) -> AreaPublic:
    """A new area from files (admins only). Without stations, one illustrative station at the
    area's centre is used until stations are uploaded. Add the street network next with
    ``PUT /areas/{id}/network`` (without it plans use straight lines)."""
    area = create_area_from_files(
        session,
        state,
        admin,
        name=name.strip(),
        timezone=timezone.strip(),
        boundary=boundary,
        stations=stations,
        official_areas=official_areas,
    )
    return area_public(area)


def _record_layer(
    session: Session, user: User | Principal, area: Area, layer: str, detail: dict[str, Any]
) -> None:
    files = dict(area.layer_files or {})
    if "filename" in detail:
        files[layer] = detail["filename"]
    area.layer_files = files
    audit.record(session, user, "update", "area", area.id, area_id=area.id, detail={layer: detail})
    session.commit()


def set_area_network(
    session: Session, state: ServiceState, user: User | Principal, area: Area, upload: UploadFile
) -> dict[str, Any]:
    """Check an uploaded OSM extract (every mode's network built into the shared cache, the
    area covered), store it by its SHA-256 and make it the area's street network (committed,
    audited); its summary.

    Raises
    ------
    GeoInputError
        (422) Not an OSM file, no streets, or no street inside the area.
    """
    with tempfile.TemporaryDirectory(prefix="gridpatrol-osm-") as tmp:
        path = _saved(state, upload, Path(tmp), OSM_UPLOAD_SUFFIXES, "network.osm")
        summary = check_network_file(path, area)
        record = store_network_file(session, path, summary)
    area.network_sha256 = record.sha256
    area.network_path = None
    detail = {"filename": record.filename, "sha256": record.sha256, **summary}
    _record_layer(session, user, area, "network", detail)
    return detail


class LayerSaved(BaseModel):
    """What an uploaded layer of an area holds."""

    area: AreaPublic
    layer: str
    filename: str | None = None
    count: int = Field(description="Features, cells, stations, duties or units read.")
    detail: dict[str, Any] = Field(default_factory=dict)


def _layer_answer(area: Area, layer: str, detail: dict[str, Any], count: int) -> LayerSaved:
    return LayerSaved(
        area=area_public(area),
        layer=layer,
        filename=detail.get("filename"),
        count=count,
        detail={k: v for k, v in detail.items() if k != "filename"},
    )


@router.put(
    "/{area_id}/network",
    summary="Upload the area's street network (OSM extract)",
    response_model=LayerSaved,
    responses={**NOT_FOUND, **FORBIDDEN, **TOO_LARGE},
)
@long_request
def upload_network(
    area_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep, file: UploadField
) -> LayerSaved:
    """An ``.osm`` or ``.osm.pbf`` extract covering the area: every mode's street network is
    built from it now (into the shared network cache), so plans route on streets."""
    area = get_area(session, user, area_id)
    detail = set_area_network(session, state, user, area, file)
    count = sum(int(m["nodes"]) for m in detail["modes"].values())
    return _layer_answer(area, "network", detail, count)


def set_area_layer(
    session: Session,
    state: ServiceState,
    user: User | Principal,
    area: Area,
    layer: Literal["official_areas", "stations", "duties", "units"],
    upload: UploadFile,
    options: dict[str, str | None] | None = None,
) -> tuple[dict[str, Any], int]:
    """Check an uploaded layer file and make it the area's (committed, audited); its detail
    and count. Shared by the API and the web pages.

    Raises
    ------
    GeoInputError
        (422) With every problem of the file; nothing is changed.
    """
    options = options or {}
    readers: dict[str, tuple[tuple[str, ...], str, Callable[[Path], tuple[dict[str, Any], int]]]]
    readers = {
        "official_areas": (VECTOR_SUFFIXES, "official_areas.geojson", _read_official(options)),
        "stations": (STATION_SUFFIXES, "stations.csv", _read_stations),
        "duties": (DUTY_SUFFIXES, "duties.csv", lambda path: _read_duties(path, area)),
        "units": (UNIT_SUFFIXES, "units.csv", lambda path: _read_units(path, area)),
    }
    suffixes, default_name, read = readers[layer]
    with tempfile.TemporaryDirectory(prefix="gridpatrol-layer-") as tmp:
        path = _saved(state, upload, Path(tmp), suffixes, default_name)
        stored, count = read(path)
    detail: dict[str, Any] = {"filename": path.name, "count": count}
    if layer == "official_areas":
        area.official_areas = stored["collection"]
        detail["with_population"] = stored["with_population"]
    elif layer == "stations":
        area.stations = stored["collection"]
    elif layer == "duties":
        area.duties = stored
        detail["kinds"] = stored["kinds"]
    else:
        area.units_csv = stored["text"]
    _record_layer(session, user, area, layer, detail)
    return detail, count


def _read_official(
    options: dict[str, str | None],
) -> Callable[[Path], tuple[dict[str, Any], int]]:
    def read(path: Path) -> tuple[dict[str, Any], int]:
        collection, with_population = official_areas_from_file(
            path,
            id_field=options.get("id_field"),
            name_field=options.get("name_field"),
            population_field=options.get("population_field"),
        )
        count = len(collection["features"])
        return {"collection": collection, "with_population": with_population}, count

    return read


def _read_stations(path: Path) -> tuple[dict[str, Any], int]:
    collection = stations_from_file(path)
    return {"collection": collection}, len(collection["features"])


def _too_long(path: Path, what: str, limit: int, unit: str, fix: str) -> GeoInputError:
    return GeoInputError(
        [Problem(path.name, f"the {what} holds more than {limit} {unit}; {fix}")],
        f"{path.name} cannot be used",
    )


def _read_duties(path: Path, area: Area) -> tuple[dict[str, Any], int]:
    stored = duties_from_file(path, area)
    # Bounded like a plan request's duties, which they become.
    if len(stored.get("csv", "")) > MAX_DUTIES_CSV_CHARS:
        raise _too_long(path, "duties file", MAX_DUTIES_CSV_CHARS, "characters", "split it")
    if int(stored["count"]) > MAX_DUTY_FEATURES:
        raise _too_long(path, "duties file", MAX_DUTY_FEATURES, "duties", "split it")
    return stored, int(stored["count"])


def _read_units(path: Path, area: Area) -> tuple[dict[str, Any], int]:
    # The common small file is checked without pandas; anything unusual, and every file
    # with a problem, is read the full way (same checks, same messages).
    quick = quick_units(path, station_ids_of(area))
    text, count = quick if quick is not None else units_from_file(path, area)
    if len(text) > MAX_UNITS_CSV_CHARS:
        raise _too_long(path, "units file", MAX_UNITS_CSV_CHARS, "characters", "split it")
    return {"text": text}, count


@router.put(
    "/{area_id}/official-areas",
    summary="Upload the area's official grid (cells with names and population)",
    response_model=LayerSaved,
    responses={**NOT_FOUND, **FORBIDDEN, **TOO_LARGE},
)
@long_request
def upload_official_areas(
    area_id: ItemId,
    session: SessionDep,
    user: WriterUser,
    state: StateDep,
    file: UploadField,
    id_field: Annotated[str | None, Form(max_length=100, description="Id field.")] = None,
    name_field: Annotated[str | None, Form(max_length=100, description="Name field.")] = None,
    population_field: Annotated[
        str | None, Form(max_length=100, description="Population field (实有人口).")
    ] = None,
) -> LayerSaved:
    """Community or village grid polygons (GeoJSON, GeoPackage, zipped Shapefile, KML) with
    ids, names and population; fields are detected from common names unless given. Plans may
    then use ``grid="areas"`` and staffing gets its norms from the population."""
    area = get_area(session, user, area_id)
    options = {"id_field": id_field, "name_field": name_field, "population_field": population_field}
    detail, count = set_area_layer(session, state, user, area, "official_areas", file, options)
    return _layer_answer(area, "official_areas", detail, count)


@router.put(
    "/{area_id}/stations",
    summary="Upload the area's stations",
    response_model=LayerSaved,
    responses={**NOT_FOUND, **FORBIDDEN, **TOO_LARGE},
)
def upload_stations(
    area_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep, file: UploadField
) -> LayerSaved:
    """Stations (派出所 / 驻地): a CSV with ``station_id``, ``name``, ``lat``, ``lon``, or points;
    they replace the area's stations (units start and end there)."""
    area = get_area(session, user, area_id)
    detail, count = set_area_layer(session, state, user, area, "stations", file)
    return _layer_answer(area, "stations", detail, count)


@router.put(
    "/{area_id}/duties",
    summary="Upload the area's duties (posts, lines, timed visits)",
    response_model=LayerSaved,
    responses={**NOT_FOUND, **FORBIDDEN, **TOO_LARGE},
)
def upload_duties(
    area_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep, file: UploadField
) -> LayerSaved:
    """Posts (点), lines (线) and timed visits, as the command line's ``--duties`` file; every
    plan of the area includes them unless its request gives its own duties."""
    area = get_area(session, user, area_id)
    detail, count = set_area_layer(session, state, user, area, "duties", file)
    return _layer_answer(area, "duties", detail, count)


@router.put(
    "/{area_id}/units",
    summary="Upload the area's units (巡组)",
    response_model=LayerSaved,
    responses={**NOT_FOUND, **FORBIDDEN, **TOO_LARGE},
)
def upload_units(
    area_id: ItemId, session: SessionDep, user: WriterUser, state: StateDep, file: UploadField
) -> LayerSaved:
    """A units file, as the command line's ``--units`` (checked against the area's stations);
    a plan request without ``units_csv`` or ``unit_counts`` plans with these units."""
    area = get_area(session, user, area_id)
    detail, count = set_area_layer(session, state, user, area, "units", file)
    return _layer_answer(area, "units", detail, count)


#: Layers an area may drop.
DroppableLayer = Literal["network", "duties", "units"]


@router.delete(
    "/{area_id}/layers/{layer}",
    summary="Remove the area's street network, duties or units",
    response_model=AreaPublic,
    responses={**NOT_FOUND, **FORBIDDEN},
)
def drop_layer(
    area_id: ItemId, layer: DroppableLayer, session: SessionDep, user: WriterUser
) -> AreaPublic:
    """Plans then use straight lines (no network), no standing duties, or unit counts."""
    area = get_area(session, user, area_id)
    if layer == "network":
        area.network_sha256 = None
        area.network_path = None
    elif layer == "duties":
        area.duties = None
    else:
        area.units_csv = None
    files = dict(area.layer_files or {})
    files.pop(layer, None)
    area.layer_files = files
    audit.record(
        session, user, "delete", "area_layer", area.id, area_id=area.id, detail={"layer": layer}
    )
    session.commit()
    return area_public(area)


class PopulationUpdate(BaseModel):
    """Resident population (实有人口) of official areas, by area id; ``null`` = unknown."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"population": {"690": 4210, "700": 3875, "710": None}}]}
    )

    # Values are checked by set_population, which names every impossible one at once.
    population: dict[Annotated[str, Field(min_length=1, max_length=200)], float | None] = Field(
        min_length=1, max_length=20_000
    )


@router.patch(
    "/{area_id}/population",
    summary="Update the population of the area's official areas",
    response_model=AreaPublic,
    responses={**NOT_FOUND, **FORBIDDEN},
)
def update_population(
    area_id: ItemId, body: PopulationUpdate, session: SessionDep, user: WriterUser
) -> AreaPublic:
    """Set the population of some official areas (others keep theirs); unknown ids or
    impossible numbers are a 422 naming each."""
    area = get_area(session, user, area_id)
    area.official_areas = set_population(area, body.population)
    audit.record(
        session,
        user,
        "update",
        "area",
        area.id,
        area_id=area.id,
        detail={"population": len(body.population)},
    )
    session.commit()
    return area_public(area)


class LayerState(BaseModel):
    """One thing a district needs, whether the area has it, and what its absence means."""

    layer: str
    present: bool
    count: int = 0
    filename: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class Readiness(BaseModel):
    """What an area has and what it lacks for planning with streets."""

    area_id: int
    ready: bool = Field(description="Incidents and a street network: plans route on streets.")
    layers: list[LayerState]


def area_readiness(session: Session, area: Area) -> Readiness:
    """What the area has (boundary, street network, official grid, stations, duties, units,
    incident datasets) and what it lacks."""
    files = dict(area.layer_files or {})
    stations = (area.stations or {}).get("features") or []
    real_stations = [
        f for f in stations if not bool((f.get("properties") or {}).get("illustrative"))
    ]
    official = (area.official_areas or {}).get("features") or []
    populated = sum(
        1 for f in official if (f.get("properties") or {}).get("population") is not None
    )
    datasets = int(
        session.scalar(
            select(func.count())
            .select_from(IncidentDataset)
            .where(IncidentDataset.area_id == area.id)
        )
        or 0
    )
    network: dict[str, Any] = {}
    if area.network_sha256:
        # The file's name and summary, not its bytes.
        record = session.execute(
            select(NetworkFile.filename, NetworkFile.summary).where(
                NetworkFile.sha256 == area.network_sha256
            )
        ).first()
        if record is not None:
            network = {"modes": sorted((record.summary or {}).get("modes", {}))}
            files.setdefault("network", record.filename)
    elif area.network_path:
        network = {"sample": area.sample}
        files.setdefault("network", Path(area.network_path).name)
    units = 0
    if area.units_csv:
        units = max(0, len([ln for ln in area.units_csv.splitlines() if ln.strip()]) - 1)
    layers = [
        LayerState(layer="boundary", present=True, count=1, filename=files.get("boundary")),
        LayerState(
            layer="network",
            present=has_network(area),
            filename=files.get("network"),
            detail=network,
        ),
        LayerState(
            layer="official_areas",
            present=bool(official),
            count=len(official),
            filename=files.get("official_areas"),
            detail={"with_population": populated},
        ),
        LayerState(
            # The centre station made for an area without stations is not the area's own.
            layer="stations",
            present=bool(real_stations) or ("stations" in files and bool(stations)),
            count=len(stations),
            filename=files.get("stations"),
            detail={"illustrative": len(stations) - len(real_stations)},
        ),
        LayerState(
            layer="duties",
            present=bool(area.duties),
            count=int((area.duties or {}).get("count", 0)),
            filename=files.get("duties"),
            detail={"kinds": (area.duties or {}).get("kinds", {})},
        ),
        LayerState(
            layer="units", present=bool(area.units_csv), count=units, filename=files.get("units")
        ),
        LayerState(layer="datasets", present=datasets > 0, count=datasets),
    ]
    return Readiness(area_id=area.id, ready=datasets > 0 and has_network(area), layers=layers)


@router.get(
    "/{area_id}/readiness",
    summary="What the area has and what it lacks",
    response_model=Readiness,
    responses=NOT_FOUND,
)
async def read_readiness(area_id: ItemId, user: CurrentPrincipal, state: StateDep) -> Readiness:
    """Each layer a district needs (boundary, street network, official grid, stations,
    duties, units, incidents): present or not, with counts. Without a street network plans
    fall back to straight lines; without stations units start at an illustrative centre."""
    check_area(user, area_id)  # from the verified credential, before any database work
    return await run_in_threadpool(_readiness_of, state, area_id)


def _readiness_of(state: ServiceState, area_id: int) -> Readiness:
    with state.sessions() as session:
        area = session.get(Area, area_id)
        if area is None:
            raise NotFoundError("area", area_id)
        return area_readiness(session, area)


@router.get(
    "/{area_id}/layers",
    summary="An area's outline, stations and official polygons",
    response_model=FeatureCollection,
    responses=NOT_FOUND,
)
def area_layers(area_id: ItemId, session: SessionDep, user: CurrentPrincipal) -> dict[str, Any]:
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
