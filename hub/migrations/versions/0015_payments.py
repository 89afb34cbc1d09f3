"""payment gateway: card tokens, holds, captures, webhook receipts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 18:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "payment_gateways",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name="pk_payment_gateways"),
    )
    op.create_table(
        "payment_webhook_receipts",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("webhook_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("object_id", sa.String(255), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "webhook_id", name="pk_payment_webhook_receipts"),
    )
    op.create_index("ix_payment_webhook_receipts_received_at", "payment_webhook_receipts", ["received_at"])
    op.create_table(
        "payment_operations",
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("property_code", sa.String(64), nullable=False),
        sa.Column("folio_id", sa.String(64), nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("authorisation_id", sa.String(255), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_payment_operations"),
    )
    op.create_index("ix_payment_operations_folio", "payment_operations", ["property_code", "folio_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_payment_operations_folio", table_name="payment_operations")
    op.drop_table("payment_operations")
    op.drop_index("ix_payment_webhook_receipts_received_at", table_name="payment_webhook_receipts")
    op.drop_table("payment_webhook_receipts")
    op.drop_table("payment_gateways")
