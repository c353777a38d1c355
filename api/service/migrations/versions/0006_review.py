"""The review cycle: unit tracks uploaded for a plan (``plan_tracks``).

Each row holds the GPS fixes read from one uploaded file (unit id, UTC time, lon/lat, row in the
file) for one day of a plan; the review is computed from them when asked for. No person names
are stored: fixes carry the plan's unit ids only.

Revision ID: 0006_review
Revises: 0005_jobs_areas
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006_review"
down_revision: str | None = "0005_jobs_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "plan_tracks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("fix_count", sa.Integer, nullable=False),
        sa.Column("fixes", JSON_TYPE, nullable=False),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        sa.Column(
            "uploaded_by_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    with op.batch_alter_table("plan_tracks") as batch:
        batch.create_index("ix_plan_tracks_plan_id", ["plan_id"])


def downgrade() -> None:
    with op.batch_alter_table("plan_tracks") as batch:
        batch.drop_index("ix_plan_tracks_plan_id")
    op.drop_table("plan_tracks")
