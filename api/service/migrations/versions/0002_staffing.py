"""Staffing runs (background jobs like plans) and the files they write (PDF, PNG, XLSX, CSV).

Revision ID: 0002_staffing
Revises: 0001_initial
Create Date: 2025-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002_staffing"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "staffing_runs",
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
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("created_by_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    )
    op.create_table(
        "staffing_files",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("staffing_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staffing_files")
    op.drop_table("staffing_runs")
