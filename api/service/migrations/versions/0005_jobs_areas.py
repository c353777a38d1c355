"""Jobs owned through leases, and an area's own uploaded layers (OSM, grid, stations, duties).

Plans and staffing runs get the server that claimed them (``owner``) and a lease
(``lease_expires_at``, renewed with ``heartbeat_at``): only a job whose lease has expired is
marked interrupted, so a second server on the same database leaves the first one's jobs alone.
Areas get their own street network (an uploaded OSM file in ``network_files``, by SHA-256),
duties and units, and the names of the files their layers came from.

Columns are added in batch mode, so SQLite (which cannot drop columns in place) downgrades
too; PostgreSQL runs the same statements as plain ``ALTER TABLE``.

Revision ID: 0005_jobs_areas
Revises: 0004_identity
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005_jobs_areas"
down_revision: str | None = "0004_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")
JOB_TABLES = ("plans", "staffing_runs")


def upgrade() -> None:
    op.create_table(
        "network_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("summary", JSON_TYPE, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("areas") as batch:
        batch.add_column(sa.Column("network_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("duties", JSON_TYPE, nullable=True))
        batch.add_column(sa.Column("units_csv", sa.Text, nullable=True))
        batch.add_column(sa.Column("layer_files", JSON_TYPE, nullable=True))
    for table in JOB_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("owner", sa.String(200), nullable=True))
            batch.add_column(sa.Column("lease_expires_at", sa.DateTime, nullable=True))
            batch.add_column(sa.Column("heartbeat_at", sa.DateTime, nullable=True))
        op.create_index(f"ix_{table}_owner", table, ["owner"])


def downgrade() -> None:
    for table in JOB_TABLES:
        op.drop_index(f"ix_{table}_owner", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("heartbeat_at")
            batch.drop_column("lease_expires_at")
            batch.drop_column("owner")
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("layer_files")
        batch.drop_column("units_csv")
        batch.drop_column("duties")
        batch.drop_column("network_sha256")
    op.drop_table("network_files")
