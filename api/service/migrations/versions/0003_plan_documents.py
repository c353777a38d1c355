"""Plans are stored as their JSON plan documents (one per day), no longer as pickled bundles.

The pickled bundles cannot be turned into documents without planning again, so they are
dropped: maps and sheets of a plan made before this migration answer 409 and ask for a re-run
(``POST /plans/{id}/rerun``). Downgrading drops the documents and brings back an empty
``plan_bundles`` table.

Revision ID: 0003_plan_documents
Revises: 0002_staffing
Create Date: 2025-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003_plan_documents"
down_revision: str | None = "0002_staffing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.drop_table("plan_bundles")
    op.create_table(
        "plan_documents",
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plans.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("data", JSON_TYPE, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("plan_documents")
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
