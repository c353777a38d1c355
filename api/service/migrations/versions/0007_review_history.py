"""The review cycle, second part: remembered monthly evaluations, check-ins and report jobs.

* ``review_history``: one row per area and evaluated month (每月考评): the area ids named in
  the month's bulletin (通报), each flagged area's flags and the whole evaluation; earlier
  months feed the escalation 通报 → 整改 → 黄牌 as the command line's ``--history`` file does.
  Unique per (area, month): re-evaluating a month replaces its row.
* ``plan_checkins``: checkpoint check-ins (巡更: unit, checkpoint or post id, time) uploaded for
  one day of a plan; unit ids only, no person names.
* ``review_jobs`` and ``review_files``: the plan review, weekly pack and monthly evaluation
  reports made as background jobs (same state, lease and cancel columns as plans).

Revision ID: 0007_review_history
Revises: 0006_review
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0007_review_history"
down_revision: str | None = "0006_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")


def _user_column(name: str) -> sa.Column[int]:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


def upgrade() -> None:
    op.create_table(
        "review_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "area_id", sa.Integer, sa.ForeignKey("areas.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("basis", sa.String(8), nullable=False),
        sa.Column("categories", JSON_TYPE, nullable=True),
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("bulletin", JSON_TYPE, nullable=False),
        sa.Column("flags", JSON_TYPE, nullable=False),
        sa.Column("document", JSON_TYPE, nullable=False),
        sa.Column("evaluated_at", sa.DateTime, nullable=False),
        _user_column("evaluated_by_id"),
        sa.UniqueConstraint("area_id", "month", name="uq_review_history_area_month"),
    )
    op.create_index("ix_review_history_area_id", "review_history", ["area_id"])
    op.create_table(
        "plan_checkins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("checkin_count", sa.Integer, nullable=False),
        sa.Column("checkins", JSON_TYPE, nullable=False),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        _user_column("uploaded_by_id"),
    )
    op.create_index("ix_plan_checkins_plan_id", "plan_checkins", ["plan_id"])
    op.create_table(
        "review_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "area_id", sa.Integer, sa.ForeignKey("areas.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column(
            "plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime, nullable=True),
        sa.Column("heartbeat_at", sa.DateTime, nullable=True),
        sa.Column("parameters", JSON_TYPE, nullable=False),
        sa.Column("result", JSON_TYPE, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=True),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        _user_column("created_by_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_review_jobs_area_id", "review_jobs", ["area_id"])
    op.create_index("ix_review_jobs_state", "review_jobs", ["state"])
    op.create_index("ix_review_jobs_owner", "review_jobs", ["owner"])
    op.create_table(
        "review_files",
        sa.Column(
            "job_id",
            sa.Integer,
            sa.ForeignKey("review_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_files")
    for name in ("ix_review_jobs_owner", "ix_review_jobs_state", "ix_review_jobs_area_id"):
        op.drop_index(name, table_name="review_jobs")
    op.drop_table("review_jobs")
    op.drop_index("ix_plan_checkins_plan_id", table_name="plan_checkins")
    op.drop_table("plan_checkins")
    op.drop_index("ix_review_history_area_id", table_name="review_history")
    op.drop_table("review_history")
