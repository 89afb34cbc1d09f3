"""stays, room housekeeping status, guest and company profiles

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    """Apply this revision."""
    # rooms already carry occupancy and housekeeping (0001): only stays and profiles are new
    op.create_table(
        "stays",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("checked_in_on", sa.Date(), nullable=False),
        _stamp("checked_in_at"),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        _stamp("updated_at"),
        sa.CheckConstraint("status IN ('in_house', 'checked_out')", name=op.f("ck_stays_status")),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name=op.f("fk_stays_booking_id_bookings")),
        sa.ForeignKeyConstraint(
            ["property_id"], ["properties.id"], name=op.f("fk_stays_property_id_properties")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_stays_room_id_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stays")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_stays_booking_id")),
    )
    op.create_index(op.f("ix_stays_property_id"), "stays", ["property_id", "status"], unique=False)
    op.create_table(
        "room_nights",
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("night", sa.Date(), nullable=False),
        sa.Column("stay_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_room_nights_room_id_rooms")),
        sa.ForeignKeyConstraint(["stay_id"], ["stays.id"], name=op.f("fk_room_nights_stay_id_stays")),
        sa.PrimaryKeyConstraint("room_id", "night", name=op.f("pk_room_nights")),
    )
    op.create_index(op.f("ix_room_nights_stay_id"), "room_nights", ["stay_id"], unique=False)
    op.create_table(
        "guest_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("surname", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("address_line", sa.Text(), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=32), nullable=True),
        sa.Column("country_code", sa.String(length=8), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("merged_into", sa.Uuid(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["guest_profiles.id"], name=op.f("fk_guest_profiles_merged_into_guest_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_profiles")),
    )
    op.create_index(op.f("ix_guest_profiles_email"), "guest_profiles", ["email"], unique=False)
    op.create_table(
        "company_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tax_id", sa.String(length=64), nullable=True),
        sa.Column("billing_address_line", sa.Text(), nullable=True),
        sa.Column("billing_city", sa.String(length=200), nullable=True),
        sa.Column("billing_postal_code", sa.String(length=32), nullable=True),
        sa.Column("billing_country_code", sa.String(length=8), nullable=True),
        sa.Column("credit_limit", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("credit_currency", sa.String(length=3), nullable=True),
        sa.Column("expense_account", sa.String(length=128), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_profiles")),
        sa.UniqueConstraint("tax_id", name=op.f("uq_company_profiles_tax_id")),
    )
    op.create_table(
        "booking_profiles",
        sa.Column("booking_id", sa.Uuid(), nullable=False),
        sa.Column("guest_profile_id", sa.Uuid(), nullable=True),
        sa.Column("company_profile_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_booking_profiles_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["company_profile_id"],
            ["company_profiles.id"],
            name=op.f("fk_booking_profiles_company_profile_id_company_profiles"),
        ),
        sa.ForeignKeyConstraint(
            ["guest_profile_id"],
            ["guest_profiles.id"],
            name=op.f("fk_booking_profiles_guest_profile_id_guest_profiles"),
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_booking_profiles")),
    )
    op.create_index(
        op.f("ix_booking_profiles_company_profile_id"),
        "booking_profiles",
        ["company_profile_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_booking_profiles_guest_profile_id"), "booking_profiles", ["guest_profile_id"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("booking_profiles")
    op.drop_table("company_profiles")
    op.drop_table("guest_profiles")
    op.drop_table("room_nights")
    op.drop_table("stays")
