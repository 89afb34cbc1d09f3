"""indexes the retention purge reads by age

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # Rows arrive in time order: on PostgreSQL a BRIN index finds the old ones for a few pages of
    # index and costs next to nothing per insert; SQLite has no BRIN and takes a B-tree.
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"], postgresql_using="brin")
    op.create_index(
        "ix_inbound_messages_received_at", "inbound_messages", ["received_at"], postgresql_using="brin"
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_inbound_messages_received_at", table_name="inbound_messages")
    op.drop_index("ix_inbox_processed_at", table_name="inbox")
