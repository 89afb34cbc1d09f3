"""dead-letter context and history of replays

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# What a dead letter is about (for support staff), read when it is stored; older letters keep NULLs.
def _context() -> list[sa.Column[object]]:
    return [
        sa.Column("partner_reservation_id", sa.String(length=128), nullable=True),
        sa.Column("hotel_code", sa.String(length=64), nullable=True),
        sa.Column("arrival", sa.Date(), nullable=True),
        sa.Column("departure", sa.Date(), nullable=True),
        sa.Column("message_name", sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        for column in _context():
            batch_op.add_column(column)
        batch_op.add_column(sa.Column("history", sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_column("history")
        for column in reversed(_context()):
            batch_op.drop_column(column.name)
