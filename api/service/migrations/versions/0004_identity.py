"""Identity that cannot be confused: never-reused ids, credential versions, login failures.

Revision ID: 0004_identity
Revises: 0003_plan_documents
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004_identity"
down_revision: str | None = "0003_plan_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: the schema change of this revision is being written."""


def downgrade() -> None:
    """Nothing yet: the schema change of this revision is being written."""
