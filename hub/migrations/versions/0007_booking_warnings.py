"""warnings a partner's booking was accepted with

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # bookings stored before it were kept without any check: none has a warning
    op.add_column(
        "bookings", sa.Column("warnings", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
    )


def downgrade() -> None:
    """Revert this revision."""
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): no rebuild of a table others refer to
    op.drop_column("bookings", "warnings")
