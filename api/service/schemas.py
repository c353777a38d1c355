"""Request and response bodies: separate Create / Update / Public schemas per resource.

Public schemas never carry internal fields (password hashes, token hashes).
Every schema has an example, so the OpenAPI document shows one for each operation.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from api.requests import MAX_TIME_LIMIT_S, PlanParameters, TimeZoneName
from api.service.models import JobState, Role

T = TypeVar("T")

#: Largest id accepted in paths and bodies (fits a 64-bit integer column).
MAX_ID = 2**62


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: An id in a body (bounded like path ids).
AreaId = Annotated[int, Field(ge=1, le=MAX_ID)]

#: A stored time (UTC in the database, without zone) answered with its zone: ``...Z``.
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
SAMPLES = ("toronto-uoft", "portland-central")


def _example(value: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


# ---- errors ------------------------------------------------------------------------------
class ProblemPublic(BaseModel):
    """One problem of an input file, as located by the ``geo`` readers."""

    source: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    message: str

    model_config = _example(
        {
            "source": "incidents.csv",
            "row": 3,
            "column": "lat",
            "value": "abc",
            "message": "not a number; expected a latitude in degrees",
        }
    )


class ErrorPublic(BaseModel):
    """An error answer: what was wrong; for input files every problem found."""

    detail: str | list[dict[str, Any]]
    problems: list[ProblemPublic] | None = None

    model_config = _example(
        {
            "detail": "incidents.csv cannot be used as incidents",
            "problems": [
                {
                    "source": "incidents.csv",
                    "row": 3,
                    "column": "lat",
                    "value": "abc",
                    "message": "not a number; expected a latitude in degrees",
                }
            ],
        }
    )


# ---- generic -------------------------------------------------------------------------------
class Page(BaseModel, Generic[T]):
    """One page of a list and the total number of items."""

    items: list[T]
    total: int
    offset: int
    limit: int


class Feature(BaseModel):
    """A GeoJSON Feature (coordinates in EPSG:4326, longitude first)."""

    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any] | None
    properties: dict[str, Any] = Field(default_factory=dict)

    model_config = _example(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-79.3957, 43.6629]},
            "properties": {"name": "Queen's Park"},
        }
    )


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection in EPSG:4326."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    properties: dict[str, Any] | None = None

    model_config = _example(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [-79.3957, 43.6629]},
                    "properties": {"station_id": "queens-park"},
                }
            ],
        }
    )


class HealthPublic(BaseModel):
    """Whether the service and its database answer."""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    version: str

    model_config = _example({"status": "ok", "database": "ok", "version": "0.1.0"})


# ---- auth and users ----------------------------------------------------------------------
class TokenPublic(BaseModel):
    """An access token of the OAuth2 password flow."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int

    model_config = _example(
        {"access_token": "eyJhbGciOiJIUzI1NiJ9...", "token_type": "bearer", "expires_in": 3600}
    )


class UserCreate(BaseModel):
    """A new user (admins only)."""

    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@\-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Role = Role.VIEWER
    area_ids: list[AreaId] = Field(default_factory=list, max_length=1000)

    model_config = _example(
        {
            "username": "planner1",
            "password": "a long passphrase",
            "role": "coordinator",
            "area_ids": [1],
        }
    )


class UserUpdate(BaseModel):
    """Changes to a user (admins only); omitted fields stay as they are."""

    role: Role | None = None
    password: str | None = Field(default=None, min_length=8, max_length=200)
    is_active: bool | None = None
    area_ids: list[AreaId] | None = Field(default=None, max_length=1000)

    model_config = _example({"role": "viewer", "area_ids": [1, 2]})


class UserPublic(BaseModel):
    """A user as others may see it."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "username": "planner1",
                    "role": "coordinator",
                    "is_active": True,
                    "area_ids": [1],
                    "created_at": "2025-03-01T08:00:00",
                }
            ]
        },
    )

    id: int
    username: str
    role: Role
    is_active: bool
    area_ids: list[int]
    created_at: UtcDateTime


class ApiTokenCreate(BaseModel):
    """A new API token for a system acting as the user."""

    name: str = Field(min_length=1, max_length=100)
    expires_days: int | None = Field(default=None, ge=1, le=3650)

    model_config = _example({"name": "dispatch-sync", "expires_days": 365})


class ApiTokenPublic(BaseModel):
    """An API token's metadata (never the token itself)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "user_id": 2,
                    "name": "dispatch-sync",
                    "prefix": "gp_Ab12Cd3",
                    "created_at": "2025-03-01T08:00:00",
                    "expires_at": None,
                    "last_used_at": None,
                    "revoked": False,
                }
            ]
        },
    )

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: UtcDateTime
    expires_at: UtcDateTime | None
    last_used_at: UtcDateTime | None
    revoked: bool


class ApiTokenCreated(ApiTokenPublic):
    """A new API token: ``token`` is shown this once and stored only as a hash."""

    token: str

    model_config = _example(
        {
            "id": 1,
            "user_id": 2,
            "name": "dispatch-sync",
            "prefix": "gp_Ab12Cd3",
            "created_at": "2025-03-01T08:00:00",
            "expires_at": None,
            "last_used_at": None,
            "revoked": False,
            "token": "gp_Ab12Cd3...",
        }
    )


# ---- areas ---------------------------------------------------------------------------------
class AreaCreate(BaseModel):
    """A jurisdiction: from an embedded sample, or from GeoJSON layers.

    With ``sample`` the area takes the sample's outline, stations, street network, time zone
    and official polygons, and (with ``sample_incidents``) its incidents as a first dataset.
    Otherwise ``boundary`` (a GeoJSON geometry, Feature or FeatureCollection of polygons) and
    ``timezone`` are needed; ``stations`` (points with ``station_id``, ``name``) and
    ``official_areas`` (polygons with ``area_id``, ``name``, ``population``) are optional.
    """

    name: str = Field(min_length=1, max_length=200)
    sample: Literal["toronto-uoft", "portland-central"] | None = None
    sample_incidents: bool = True
    timezone: TimeZoneName | None = None
    boundary: dict[str, Any] | None = None
    stations: dict[str, Any] | None = None
    official_areas: dict[str, Any] | None = None

    model_config = _example({"name": "University of Toronto beat", "sample": "toronto-uoft"})

    @model_validator(mode="after")
    def _sample_or_layers(self) -> AreaCreate:
        if self.sample is None and (self.boundary is None or not self.timezone):
            raise ValueError(
                "give either sample (toronto-uoft or portland-central) or boundary and timezone"
            )
        return self


class AreaUpdate(BaseModel):
    """Changes to an area; omitted fields stay."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: TimeZoneName | None = None

    model_config = _example({"name": "UofT beat (night shift)"})


class AreaPublic(BaseModel):
    """An area's metadata (its layers are at ``GET /areas/{id}/layers``)."""

    model_config = _example(
        {
            "id": 1,
            "name": "University of Toronto beat",
            "timezone": "America/Toronto",
            "sample": "toronto-uoft",
            "has_network": True,
            "station_count": 2,
            "official_area_count": 3,
            "created_at": "2025-03-01T08:00:00",
        }
    )

    id: int
    name: str
    timezone: str
    sample: str | None
    has_network: bool
    station_count: int
    official_area_count: int
    created_at: UtcDateTime


# ---- datasets ------------------------------------------------------------------------------
class DatasetPublic(BaseModel):
    """An uploaded incident dataset."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "area_id": 1,
                    "name": "MCI 2014-2021",
                    "filename": "toronto_mci.csv",
                    "row_count": 822,
                    "first_at": "2014-01-02T05:00:00",
                    "last_at": "2021-12-30T23:00:00",
                    "categories": {"Assault": 300, "Break and Enter": 120},
                    "created_at": "2025-03-01T08:00:00",
                    "created_by_id": 1,
                }
            ]
        },
    )

    id: int
    area_id: int
    name: str
    filename: str
    row_count: int
    first_at: UtcDateTime | None
    last_at: UtcDateTime | None
    categories: dict[str, int]
    created_at: UtcDateTime
    created_by_id: int | None


class RowLeftOut(BaseModel):
    """A row of an uploaded file left out with ``keep_valid``, and why."""

    row: int = Field(description="1-based data row (or feature) in the file.")
    reasons: str


class DatasetUploaded(DatasetPublic):
    """A dataset just stored, with the rows left out of it (``keep_valid``)."""

    rows_left_out: int = 0
    left_out: list[RowLeftOut] = Field(default_factory=list)


# ---- grids ---------------------------------------------------------------------------------
class GridCreate(BaseModel):
    """A generated grid over an area."""

    area_id: int = Field(ge=1, le=MAX_ID)
    kind: Literal["square", "hex"] = "square"
    cell_size_m: float = Field(default=250.0, ge=50.0, le=5000.0)

    model_config = _example({"area_id": 1, "kind": "hex", "cell_size_m": 250})


class GridPublic(BaseModel):
    """A grid's metadata (cells at ``GET /grids/{id}/cells``)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "area_id": 1,
                    "kind": "square",
                    "cell_size_m": 250.0,
                    "cell_count": 42,
                    "created_at": "2025-03-01T08:00:00",
                    "created_by_id": 1,
                }
            ]
        },
    )

    id: int
    area_id: int
    kind: str
    cell_size_m: float
    cell_count: int
    created_at: UtcDateTime
    created_by_id: int | None


# ---- plans ---------------------------------------------------------------------------------
#: Longest units file text in a plan request (characters).
MAX_UNITS_CSV_CHARS = 200_000
#: Longest duties file text in a plan request (characters).
MAX_DUTIES_CSV_CHARS = 1_000_000
#: Most features of a duties FeatureCollection in a plan request.
MAX_DUTY_FEATURES = 5000
#: Longest duties FeatureCollection in a plan request, as JSON (characters).
MAX_DUTIES_GEOJSON_CHARS = 2_000_000


class PlanCreate(PlanParameters):
    """What to plan: one shift of an area from one incident dataset.

    The planning options are those of the command line (:class:`api.requests.PlanParameters`:
    band, date, unit counts, grid, hotspots, dwell, solver, ``vary``, ``on_infeasible``); the
    service adds the dataset and, in place of the command line's ``--units`` and ``--duties``
    files, their contents. ``time_limit_s`` is capped by the service (its
    ``plan_time_limit_s`` setting, also the default).
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dataset_id": 1,
                    "band": "18-02",
                    "unit_counts": "car=1,foot=2",
                    "time_limit_s": 2,
                    "seed": 0,
                }
            ]
        },
    )

    dataset_id: int = Field(ge=1, le=MAX_ID, description="The incident dataset to plan from.")
    # Widened from the command line's float: not given means the service's cap.
    time_limit_s: float | None = Field(  # type: ignore[assignment]
        default=None,
        gt=0,
        le=MAX_TIME_LIMIT_S,
        description="Solver time limit in seconds per plan (default and cap: the service's "
        "plan_time_limit_s).",
    )
    units_csv: str | None = Field(
        default=None,
        max_length=MAX_UNITS_CSV_CHARS,
        description="A units file's text, as the command line's --units (unit_id, mode, "
        "station, shift_start, shift_end, ...); replaces unit_counts.",
    )
    duties_csv: str | None = Field(
        default=None,
        max_length=MAX_DUTIES_CSV_CHARS,
        description="A duties file's text, as the command line's --duties (duty_id, kind, "
        "lat, lon or wkt, start, end, ...).",
    )
    duties_geojson: dict[str, Any] | None = Field(
        default=None,
        description="Duties as a GeoJSON FeatureCollection (EPSG:4326) whose features carry "
        f"the duties file's columns as properties; at most {MAX_DUTY_FEATURES} features.",
    )

    @field_validator("duties_geojson")
    @classmethod
    def _duties_geojson(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        if value.get("type") != "FeatureCollection" or not isinstance(value.get("features"), list):
            raise ValueError(
                "expected a GeoJSON FeatureCollection with a features list, got type "
                f"{str(value.get('type'))[:40]!r}"
            )
        count = len(value["features"])
        if count > MAX_DUTY_FEATURES:
            raise ValueError(f"expected at most {MAX_DUTY_FEATURES} features, got {count}")
        size = len(json.dumps(value, separators=(",", ":")))
        if size > MAX_DUTIES_GEOJSON_CHARS:
            raise ValueError(
                f"expected at most {MAX_DUTIES_GEOJSON_CHARS} characters of JSON, got {size}"
            )
        return value

    @model_validator(mode="after")
    def _one_duties_source(self) -> PlanCreate:
        if self.duties_csv is not None and self.duties_geojson is not None:
            raise ValueError("give duties_csv or duties_geojson, not both")
        return self


class PlanPublic(BaseModel):
    """A background plan: state, progress and a summary when done."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "area_id": 1,
                    "dataset_id": 1,
                    "state": "running",
                    "progress": 0.45,
                    "message": "Routing 3 units over 40 tasks",
                    "error": None,
                    "parameters": {"dataset_id": 1, "band": "16-24", "time_limit_s": 2},
                    "summary": None,
                    "rerun_of_id": None,
                    "created_at": "2025-03-01T08:00:00",
                    "started_at": "2025-03-01T08:00:01",
                    "finished_at": None,
                    "created_by_id": 2,
                }
            ]
        },
    )

    id: int
    area_id: int
    dataset_id: int | None
    state: JobState
    progress: float
    message: str
    error: str | None
    parameters: dict[str, Any]
    summary: dict[str, Any] | None = None
    rerun_of_id: int | None
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    created_by_id: int | None


class PlanResultPublic(BaseModel):
    """The result of a finished plan: routes and stops with local times and lat/lon.

    ``plan`` summarises the first day's plan document (``GET /plans/{id}/document``): its
    totals, routes with their stops (without the street paths, which ``/routes`` has) and
    dropped tasks; ``days`` lists every day of a ``vary`` run with its totals.
    """

    plan_date: str
    shift: str | None = None
    risk_band: str
    seconds: float
    tasks: int
    units: int
    notes: list[str]
    days: list[dict[str, Any]] = Field(default_factory=list)
    plan: dict[str, Any]

    model_config = _example(
        {
            "plan_date": "2021-12-31",
            "shift": "16-24",
            "risk_band": "16-24",
            "seconds": 2.1,
            "tasks": 40,
            "units": 3,
            "notes": ["Both stations are illustrative."],
            "days": [{"day": 1, "plan_date": "2021-12-31", "totals": {"stops": 25}}],
            "plan": {"totals": {"units": 3, "stops": 25}, "routes": [], "dropped": []},
        }
    )


# ---- audit ---------------------------------------------------------------------------------
class AuditPublic(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "at": "2025-03-01T08:00:00",
                    "user_id": 1,
                    "username": "admin",
                    "action": "create",
                    "resource_type": "dataset",
                    "resource_id": 3,
                    "area_id": 1,
                    "detail": {"rows": 822},
                    "client_address": "127.0.0.1",
                    "user_agent": "Mozilla/5.0",
                }
            ]
        },
    )

    id: int
    at: UtcDateTime
    user_id: int | None
    username: str | None
    action: str
    resource_type: str
    resource_id: int | None
    area_id: int | None
    detail: dict[str, Any]
    client_address: str | None = None
    user_agent: str | None = None


# ---- staffing ------------------------------------------------------------------------------
class StaffingCreate(BaseModel):
    """What to staff: an area's shifts from one incident dataset (a background job).

    Each shift band gets a coverage curve (1..``max_units`` units of ``fleet``, each point a plan
    by the routing planner with ``time_limit_s``); norms come from the area's population; the
    staggered shifts and a weekly roster follow. The service caps ``max_units`` and
    ``time_limit_s`` (its ``staffing_max_units`` and ``staffing_time_limit_s`` settings).
    """

    dataset_id: int = Field(ge=1, le=MAX_ID)
    bands: list[Annotated[str, Field(max_length=16)]] = Field(
        default_factory=lambda: ["08-16", "16-24", "00-08"],
        min_length=1,
        max_length=6,
        description="Shift bands, e.g. 16-24.",
    )
    fleet: Literal["mixed", "car", "foot", "bicycle"] = "mixed"
    max_units: int | None = Field(
        default=None, ge=1, le=50, description="Largest fleet (capped by the service)."
    )
    time_limit_s: float | None = Field(
        default=None, gt=0, le=600, description="Solver time per curve point (capped)."
    )
    target_share: float = Field(default=0.8, gt=0, le=1, description="Risk share to cover.")
    cell_size_m: float = Field(default=250.0, ge=50.0, le=5000.0)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    model_config = _example(
        {"dataset_id": 1, "bands": ["16-24"], "fleet": "mixed", "max_units": 4, "time_limit_s": 1}
    )


class StaffingPublic(BaseModel):
    """A background staffing run: state, progress and, when done, the summary."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "area_id": 1,
                    "dataset_id": 1,
                    "state": "succeeded",
                    "progress": 1.0,
                    "message": "Staffing done",
                    "error": None,
                    "parameters": {"dataset_id": 1, "bands": ["16-24"], "max_units": 4},
                    "summary": {"district_rows": [{"shift": "16-24", "workload_people": 2}]},
                    "files": ["csv", "pdf_en", "pdf_zh-CN", "png", "xlsx"],
                    "created_at": "2025-03-01T08:00:00",
                    "started_at": "2025-03-01T08:00:01",
                    "finished_at": "2025-03-01T08:00:09",
                    "created_by_id": 2,
                }
            ]
        },
    )

    id: int
    area_id: int
    dataset_id: int | None
    state: JobState
    progress: float
    message: str
    error: str | None
    parameters: dict[str, Any]
    summary: dict[str, Any] | None = None
    files: list[str] = Field(default_factory=list)
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    created_by_id: int | None


class StaffingTablePublic(BaseModel):
    """The staffing table of a finished run: one row per area and shift, then each area's team
    row, as in ``staffing.csv`` (norm headcount from population, workload headcount from the
    plans, current people, and the shortage and surplus, both counted up from zero).
    ``headcount_per`` says whether a row counts people on duty per ``"shift"`` or people on
    the team per ``"week"``; the two are never added together."""

    columns: list[str]
    rows: list[dict[str, Any]]

    model_config = _example(
        {
            "columns": [
                "area_id",
                "area",
                "shift",
                "headcount_per",
                "norm_fulltime",
                "workload_people",
                "current",
                "shortage",
                "surplus",
            ],
            "rows": [
                {
                    "area_id": "all",
                    "area": "District",
                    "shift": "16-24",
                    "headcount_per": "shift",
                    "norm_fulltime": None,
                    "workload_people": 2,
                    "current": 1,
                    "shortage": 1,
                    "surplus": 0,
                }
            ],
        }
    )
