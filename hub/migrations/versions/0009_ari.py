"""rates, restrictions, derived rate plans and out-of-order ranges

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 02:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = sa.Numeric(precision=15, scale=3)


def _cell_key(table: str) -> list[Any]:
    return [
        sa.Column("rate_plan_id", sa.Integer(), nullable=False),
        sa.Column("room_type_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rate_plan_id"], ["rate_plans.id"], name=op.f(f"fk_{table}_rate_plan_id_rate_plans")
        ),
        sa.ForeignKeyConstraint(
            ["room_type_id"], ["room_types.id"], name=op.f(f"fk_{table}_room_type_id_room_types")
        ),
        sa.PrimaryKeyConstraint("rate_plan_id", "room_type_id", "night", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    """Apply this revision."""
    # nullable columns: plain ALTER TABLE ADD COLUMN on both databases, every plan stays a base plan
    op.add_column("rate_plans", sa.Column("derived_from", sa.String(length=64), nullable=True))
    op.add_column("rate_plans", sa.Column("adjust_percent", sa.Numeric(precision=7, scale=3), nullable=True))
    op.add_column("rate_plans", sa.Column("adjust_amount", sa.Numeric(precision=12, scale=3), nullable=True))
    op.add_column("rate_plans", sa.Column("follows", sa.JSON(), nullable=True))
    op.create_table(
        "ari_rates",
        *_cell_key("ari_rates"),
        sa.Column("amount", _MONEY, nullable=True),
        sa.Column("by_occupancy", sa.JSON(), nullable=True),
        sa.Column("extra_adult", _MONEY, nullable=True),
        sa.Column("extra_child", _MONEY, nullable=True),
    )
    op.create_table(
        "ari_restrictions",
        *_cell_key("ari_restrictions"),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_to_arrival", sa.Boolean(), nullable=False),
        sa.Column("closed_to_departure", sa.Boolean(), nullable=False),
        sa.Column("min_los", sa.Integer(), nullable=True),
        sa.Column("max_los", sa.Integer(), nullable=True),
        sa.Column("min_los_through", sa.Integer(), nullable=True),
        sa.Column("max_los_through", sa.Integer(), nullable=True),
        sa.Column("min_advance_days", sa.Integer(), nullable=True),
        sa.Column("max_advance_days", sa.Integer(), nullable=True),
        sa.Column("same_day_cutoff_minutes", sa.Integer(), nullable=True),
    )
    op.create_table(
        "out_of_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("first_night", sa.Date(), nullable=False),
        sa.Column("last_night", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_night >= first_night", name=op.f("ck_out_of_order_nights_in_order")),
        sa.ForeignKeyConstraint(
            ["property_id"], ["properties.id"], name=op.f("fk_out_of_order_property_id_properties")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_out_of_order_room_id_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_out_of_order")),
    )
    op.create_index(op.f("ix_out_of_order_room_id"), "out_of_order", ["room_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_out_of_order_room_id"), table_name="out_of_order")
    op.drop_table("out_of_order")
    op.drop_table("ari_restrictions")
    op.drop_table("ari_rates")
    for column in ("follows", "adjust_amount", "adjust_percent", "derived_from"):
        op.drop_column("rate_plans", column)
