"""the ARI distributor's pending cells per channel, each channel's send state, a partner's ARI settings

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 03:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    # NULL: the partner takes ARI as the hub sends it by default (every partner of an older database)
    op.add_column("partners", sa.Column("ari", sa.JSON(), nullable=True))
    op.create_table(
        "ari_pending",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("property_code", sa.String(64), nullable=False),
        sa.Column("room_type", sa.String(64), nullable=False),
        sa.Column("rate_plan", sa.String(64), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, server_default=sa.text("1")),
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "channel", "property_code", "room_type", "rate_plan", "night", "kind", name="pk_ari_pending"
        ),
    )
    op.create_index("ix_ari_pending_channel_urgent", "ari_pending", ["channel", "urgent", "marked_at"])
    op.create_table(
        "ari_channel_state",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_answer", sa.String(32), nullable=True),
        sa.Column("last_answer_text", sa.Text(), nullable=True),
        sa.Column("last_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("messages_sent", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("cells_sent", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("channel", name="pk_ari_channel_state"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("ari_channel_state")
    op.drop_index("ix_ari_pending_channel_urgent", table_name="ari_pending")
    op.drop_table("ari_pending")
    op.drop_column("partners", "ari")
