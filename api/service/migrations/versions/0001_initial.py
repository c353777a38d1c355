"""Initial tables: areas, users and their scope, API tokens, datasets and incidents, grids,
plans and their bundles, the audit log. PostgreSQL also gets PostGIS and a point geometry.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")


def _user_fk(name: str = "created_by_id") -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "areas",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("boundary", JSON_TYPE, nullable=False),
        sa.Column("stations", JSON_TYPE, nullable=False),
        sa.Column("official_areas", JSON_TYPE),
        sa.Column("network_path", sa.Text),
        sa.Column("sample", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        _user_fk(),
    )
    op.create_table(
        "area_access",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "area_id",
            sa.Integer,
            sa.ForeignKey("areas.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "area_id",
            sa.Integer,
            sa.ForeignKey("areas.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("first_at", sa.DateTime),
        sa.Column("last_at", sa.DateTime),
        sa.Column("categories", JSON_TYPE, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        _user_fk(),
    )
    geom_type = Geometry("POINT", srid=4326, spatial_index=False) if postgres else sa.Text()
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("occurred_at", sa.DateTime, nullable=False),
        sa.Column("time_known", sa.Boolean, nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("geom", geom_type),
    )
    if postgres:
        op.create_index("ix_incidents_geom", "incidents", ["geom"], postgresql_using="gist")
    op.create_table(
        "grids",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "area_id",
            sa.Integer,
            sa.ForeignKey("areas.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("cell_size_m", sa.Float, nullable=False),
        sa.Column("cell_count", sa.Integer, nullable=False),
        sa.Column("cells", JSON_TYPE, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        _user_fk(),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "area_id",
            sa.Integer,
            sa.ForeignKey("areas.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="SET NULL")),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("parameters", JSON_TYPE, nullable=False),
        sa.Column("result", JSON_TYPE),
        sa.Column("rerun_of_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        _user_fk(),
    )
    op.create_table(
        "plan_bundles",
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("format_version", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        _user_fk("user_id"),
        sa.Column("username", sa.String(100)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.Column("resource_id", sa.Integer),
        sa.Column("area_id", sa.Integer),
        sa.Column("detail", JSON_TYPE, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "plan_bundles",
        "plans",
        "grids",
        "incidents",
        "datasets",
        "api_tokens",
        "area_access",
        "areas",
        "users",
    ):
        op.drop_table(table)
