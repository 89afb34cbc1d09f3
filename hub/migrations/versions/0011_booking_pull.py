"""booking pull: how a partner is polled, the hub's login at it, and each pulled partner's poll state

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 03:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # NULL: the partner pushes (every partner of an older database does) / the hub sends no login
    op.add_column("partners", sa.Column("pull", sa.JSON(), nullable=True))
    op.add_column("partners", sa.Column("outbound_login", sa.JSON(), nullable=True))
    op.create_table(
        "pull_state",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("watched_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("overdue_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reservations_pulled", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("partner_id", name="pk_pull_state"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("pull_state")
    op.drop_column("partners", "outbound_login")
    op.drop_column("partners", "pull")
