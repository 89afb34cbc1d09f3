"""tax basis of a booking's amounts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # nullable: bookings stored before it have no known basis
    op.add_column("bookings", sa.Column("tax_basis", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35): no rebuild of a table others refer to
    op.drop_column("bookings", "tax_basis")
