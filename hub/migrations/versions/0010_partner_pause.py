"""a partner paused by a configuration failure

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 02:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # NULL while the partner is not paused; every partner of an older database is not
    op.add_column("partners", sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("partners", sa.Column("paused_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): no rebuild of a table others refer to
    op.drop_column("partners", "paused_reason")
    op.drop_column("partners", "paused_at")
