"""partners disabled when no longer in the configuration file

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # NULL while the configuration names the partner; partners of older databases are all in it
    op.add_column("partners", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): no rebuild of a table others refer to
    op.drop_column("partners", "disabled_at")
