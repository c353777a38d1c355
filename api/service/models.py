"""The stored tables as typed SQLAlchemy 2 ORM models.

Geometry storage is dialect-aware. Every place keeps plain ``lon``/``lat`` columns (EPSG:4326)
and polygons as GeoJSON, which both databases read the same way; on PostgreSQL the incidents
also get a real PostGIS ``geometry(POINT, 4326)`` column (``geom``, GiST-indexed) for spatial
queries, while on SQLite, where GeoAlchemy2 would need the SpatiaLite extension, the same
column holds the point as WKT text. See :class:`PointGeometry`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

#: JSON documents: JSONB on PostgreSQL, JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current UTC time without tzinfo (stored the same way on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)


class PointGeometry(TypeDecorator[str]):
    """A point in EPSG:4326, written and read as WKT (``POINT (lon lat)``).

    PostGIS stores it as ``geometry(POINT, 4326)``; SQLite as text, so no SpatiaLite is needed.
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Geometry("POINT", srid=4326, spatial_index=False))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return f"SRID=4326;{value}"
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value
        from geoalchemy2.shape import to_shape

        return str(to_shape(value).wkt)


class Role(StrEnum):
    """What a user may do: admins everything; coordinators change their areas; viewers only read."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VIEWER = "viewer"


class JobState(StrEnum):
    """States of a background plan."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATES = (JobState.QUEUED.value, JobState.RUNNING.value)


class Base(DeclarativeBase):
    """Declarative base of every table."""


#: Table options of every table with a numeric id: SQLite then never hands out the id of a
#: deleted row again (``AUTOINCREMENT``); PostgreSQL's sequences never do anyway.
NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


def new_public_id() -> str:
    """A random, never reused identifier (32 hex digits) for a user, carried in its tokens."""
    return uuid.uuid4().hex


class Area(Base):
    """A jurisdiction: outline, stations, street network, time zone, official polygons."""

    __tablename__ = "areas"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    boundary: Mapped[dict[str, Any]] = mapped_column(JsonType)  # GeoJSON geometry, EPSG:4326
    stations: Mapped[dict[str, Any]] = mapped_column(JsonType)  # FeatureCollection of points
    official_areas: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    network_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    sample: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The area's own street network: an uploaded OSM file (:class:`NetworkFile`) by hash.
    network_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Posts, lines and timed visits (FeatureCollection, EPSG:4326) planned with by default.
    duties: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    #: The area's units file (its text, as ``units.csv``) planned with by default.
    units_csv: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Original names of the files the area's layers came from, by layer.
    layer_files: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class NetworkFile(Base):
    """An uploaded OSM extract (``.osm``, ``.osm.pbf``), stored once by its SHA-256.

    Kept in the database so every server and worker on the database can plan on it: each
    writes it once to its own folder (:func:`api.service.districts.network_file_path`) and the
    street networks built from it are cached by the file's content hash.
    """

    __tablename__ = "network_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    """A person or system that signs in; sees only the areas it is given (admins: all)."""

    __tablename__ = "users"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Immutable and never reused: the subject of the user's tokens (never the numeric id).
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.VIEWER.value)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Raised by a password, role, area or status change and by "sign out everywhere": every
    #: token issued before (sessions and API tokens) stops working.
    credential_version: Mapped[int] = mapped_column(Integer, default=0)
    #: Failed sign-ins since the last success, and until when sign-in is refused.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    access: Mapped[list[AreaAccess]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def area_ids(self) -> list[int]:
        return sorted(a.area_id for a in self.access)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value


class AreaAccess(Base):
    """The scope of a user: one row per area the user may see."""

    __tablename__ = "area_access"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    user: Mapped[User] = relationship(back_populates="access")


class ApiToken(Base):
    """A long-lived token for systems; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The user's :attr:`User.credential_version` when minted (the token ends when it moves).
    credential_version: Mapped[int] = mapped_column(Integer, default=0)


class RevokedToken(Base):
    """A signed-in session ended by signing out, by its ``jti``, kept until it would expire."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class IncidentDataset(Base):
    """One uploaded incident file of an area (its rows are :class:`Incident`)."""

    __tablename__ = "datasets"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    row_count: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    categories: Mapped[dict[str, int]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class Incident(Base):
    """A reported incident: place, time and category only (no personal data)."""

    __tablename__ = "incidents"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    time_known: Mapped[bool] = mapped_column(Boolean)
    category: Mapped[str] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float)
    source_row: Mapped[int] = mapped_column(Integer)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    geom: Mapped[str | None] = mapped_column(PointGeometry(), nullable=True)


class GridRecord(Base):
    """A grid built over an area (cells kept as a GeoJSON FeatureCollection in EPSG:4326)."""

    __tablename__ = "grids"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    cell_size_m: Mapped[float] = mapped_column(Float)
    cell_count: Mapped[int] = mapped_column(Integer)
    cells: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class JobColumns:
    """The columns every background job table has (plans, staffing runs, review jobs): its
    state, progress, cancel flag, lease, parameters, result and times. The job runner
    (:mod:`api.service.jobs`) claims, renews, cancels and recovers jobs by these alone."""

    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED.value, index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The server that claimed the job (``host:pid:random``) and until when its lease holds:
    #: the owner renews it while the job runs; only an expired lease marks the job interrupted.
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonType)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class PlanJob(JobColumns, Base):
    """A background plan: its parameters, state, progress and result."""

    __tablename__ = "plans"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), nullable=True
    )
    rerun_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), nullable=True
    )


class PlanDocument(Base):
    """The plan document (``plan.json``, :mod:`maps.planfile`) of one day of a finished plan.

    Maps and sheets are drawn from it; ``GET /plans/{id}/document`` returns it as the command
    line writes it. Written in the same transaction as the plan's result; a document of another
    schema version asks for a re-run.
    """

    __tablename__ = "plan_documents"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1 = the first day
    schema_version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)


class PlanTrack(Base):
    """The GPS fixes read from one track file uploaded for one day of a plan (the review is
    computed from them when asked for). ``fixes`` holds columns ``unit_id``, ``time`` (UTC ISO),
    ``lon``, ``lat`` and ``source_row``: unit ids only, no person names."""

    __tablename__ = "plan_tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    fix_count: Mapped[int] = mapped_column(Integer)
    fixes: Mapped[dict[str, Any]] = mapped_column(JsonType)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class StaffingJob(JobColumns, Base):
    """A background staffing proposal for an area: parameters, state, progress and result.

    ``result`` holds the JSON summary of the proposal (:func:`maps.staffing.staffing_summary`)
    and the staffing table as rows; its files are :class:`StaffingFile` rows.
    """

    __tablename__ = "staffing_runs"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), nullable=True
    )


class StaffingFile(Base):
    """One file a staffing run wrote (``pdf_en``, ``pdf_zh-CN``, ``png``, ``xlsx``, ``csv``)."""

    __tablename__ = "staffing_files"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("staffing_runs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEntry(Base):
    """Who created, changed or deleted what, and when."""

    __tablename__ = "audit_log"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    username: Mapped[str | None] = mapped_column(String(100), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    resource_type: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    area_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    #: The client's address and user agent, when the entry comes from a request.
    client_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)


class PlanCheckin(Base):
    """The checkpoint check-ins (巡更) read from one file uploaded for one day of a plan: which
    unit checked in at which checkpoint or post, when. ``checkins`` holds columns ``unit_id``,
    ``checkpoint_id``, ``time`` (UTC ISO) and ``source_row``: unit ids only, no person names.
    The plan review counts a stop visited on a check-in at its task or place id within its
    window (posts held)."""

    __tablename__ = "plan_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    checkin_count: Mapped[int] = mapped_column(Integer)
    checkins: Mapped[dict[str, Any]] = mapped_column(JsonType)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ReviewRecord(Base):
    """One evaluated month (每月考评) of an area, remembered for the escalation of the flags
    (通报 → 整改 → 黄牌), as the command line's ``--history`` file remembers it: one row per area
    and month (re-evaluating a month replaces its row). ``bulletin`` lists the area ids named
    in the month's bulletin, ``flags`` each flagged area's flags, ``document`` the whole
    evaluation as ``GET /areas/{id}/monthly`` answered it."""

    __tablename__ = "review_history"
    __table_args__ = (UniqueConstraint("area_id", "month", name="uq_review_history_area_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    basis: Mapped[str] = mapped_column(String(8))
    categories: Mapped[list[str] | None] = mapped_column(JsonType, nullable=True)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), nullable=True
    )
    bulletin: Mapped[list[str]] = mapped_column(JsonType)
    flags: Mapped[dict[str, Any]] = mapped_column(JsonType)
    document: Mapped[dict[str, Any]] = mapped_column(JsonType)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    evaluated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ReviewJob(JobColumns, Base):
    """A background review report: the plan review, the weekly pack or the monthly
    evaluation as PDF and XLSX (``kind``: ``plan``, ``weekly``, ``monthly``); the same state,
    progress, cancel and lease columns as plans. Its files are :class:`ReviewFile` rows."""

    __tablename__ = "review_jobs"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), nullable=True
    )


class ReviewFile(Base):
    """One file a review job wrote (``json``, ``pdf_en``, ``pdf_zh-CN``, ``xlsx_en``, ...)."""

    __tablename__ = "review_files"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("review_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
