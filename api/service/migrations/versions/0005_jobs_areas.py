"""Jobs owned through leases, and an area's own uploaded layers (OSM, grid, stations, duties).

Revision ID: 0005_jobs_areas
Revises: 0004_identity
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005_jobs_areas"
down_revision: str | None = "0004_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet: the schema change of this revision is being written."""


def downgrade() -> None:
    """Nothing yet: the schema change of this revision is being written."""
