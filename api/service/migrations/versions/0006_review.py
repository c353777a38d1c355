"""The review cycle: unit tracks and check-ins uploaded for a plan, monthly evaluation history.

Revision ID: 0006_review
Revises: 0005_jobs_areas
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0006_review"
down_revision: str | None = "0005_jobs_areas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: the schema change of this revision is being written."""


def downgrade() -> None:
    """Nothing yet: the schema change of this revision is being written."""
