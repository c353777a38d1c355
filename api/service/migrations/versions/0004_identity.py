"""Identity that cannot be confused: never-reused ids, credential versions, login failures.

* Users get an immutable random ``public_id`` (the subject of their tokens, never the numeric
  id), a ``credential_version`` that every password, role, area or status change and "sign out
  everywhere" raises (tokens carry it and end when it moves), and ``failed_logins`` /
  ``locked_until`` for the backoff after failed sign-ins. API tokens keep the version they
  were minted under.
* ``revoked_tokens`` holds the ``jti`` of sessions ended by signing out, until they expire.
* The audit log gets the client's address and user agent.
* On SQLite every table with a numeric id is rebuilt with ``AUTOINCREMENT``, so the id of a
  deleted row is never handed out again (PostgreSQL's sequences never reuse ids). The rebuild
  runs with foreign keys off (see :func:`api.service.migrations.upgrade`), so dropping the old
  table cascades nothing.

Revision ID: 0004_identity
Revises: 0003_plan_documents
Create Date: 2026-12-01
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_identity"
down_revision: str | None = "0003_plan_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables with a numeric id, rebuilt with AUTOINCREMENT on SQLite.
NUMBERED_TABLES = (
    "users",
    "areas",
    "api_tokens",
    "datasets",
    "incidents",
    "grids",
    "plans",
    "staffing_runs",
    "audit_log",
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _autoincrement(enabled: bool) -> None:
    """Rebuild the numbered tables with (or without) SQLite's AUTOINCREMENT."""
    if not _sqlite():
        return
    for table in NUMBERED_TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": enabled}
        ):
            pass


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("public_id", sa.String(32), nullable=True))
        batch.add_column(
            sa.Column("credential_version", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime, nullable=True))
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(users.update().where(users.c.id == user_id).values(public_id=uuid.uuid4().hex))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("public_id", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint("uq_users_public_id", ["public_id"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("credential_version", sa.Integer, nullable=False, server_default="0")
        )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("client_address", sa.String(64), nullable=True))
        batch.add_column(sa.Column("user_agent", sa.String(300), nullable=True))
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
    _autoincrement(True)


def downgrade() -> None:
    _autoincrement(False)
    op.drop_index("ix_revoked_tokens_expires_at", table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("user_agent")
        batch.drop_column("client_address")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("credential_version")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_public_id", type_="unique")
        batch.drop_column("locked_until")
        batch.drop_column("failed_logins")
        batch.drop_column("credential_version")
        batch.drop_column("public_id")
