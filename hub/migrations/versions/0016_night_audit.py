"""night audit: each property's closed business days, frozen; the room nights it charged; its settings

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _property(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["property_id"], ["properties.id"], name=op.f(f"fk_{table}_property_id_properties")
    )


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "day_closes",
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.JSON(), nullable=False),
        _property("day_closes"),
        sa.PrimaryKeyConstraint("property_id", "business_date", name=op.f("pk_day_closes")),
    )
    op.create_table(
        "audit_room_charges",
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("folio_id", sa.Uuid(), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("stay_id", "night", name=op.f("pk_audit_room_charges")),
    )
    op.create_table(
        "audit_settings",
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("audit_time", sa.String(length=5), nullable=False),
        sa.Column("no_show_fees", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _property("audit_settings"),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_audit_settings")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("audit_settings")
    op.drop_table("audit_room_charges")
    op.drop_table("day_closes")
