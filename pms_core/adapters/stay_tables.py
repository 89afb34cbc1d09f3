"""Tables of stays, the room nights they hold, and guest and company profiles (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table, Text, Uuid

from pms_core.adapters.tables import MONEY, UtcDateTime, metadata

STAY_STATES = ("in_house", "checked_out")

# One row per checked-in booking; a room move changes room_id, the room_nights follow.
stays = Table(
    "stays",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("booking_id", ForeignKey("bookings.id"), nullable=False, unique=True),
    Column("room_id", ForeignKey("rooms.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("checked_in_on", Date, nullable=False),  # the business date of the check-in
    Column("checked_in_at", UtcDateTime, nullable=False),
    Column("checked_out_at", UtcDateTime, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("status IN ('in_house', 'checked_out')", name="status"),
)
Index(None, stays.c.property_id, stays.c.status)

# The nights a stay holds its room: the primary key is what keeps one room to one stay a night,
# on both databases and under concurrent check-ins (the second insert fails, whatever it read).
room_nights = Table(
    "room_nights",
    metadata,
    Column("room_id", ForeignKey("rooms.id"), primary_key=True),
    Column("night", Date, primary_key=True),
    Column("stay_id", ForeignKey("stays.id"), nullable=False, index=True),
)

guest_profiles = Table(
    "guest_profiles",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("given_name", String(200), nullable=True),
    Column("surname", String(200), nullable=True),
    Column("email", String(320), nullable=True, index=True),  # stored lower-case: matched as such
    Column("phone", String(64), nullable=True),
    Column("address_line", Text, nullable=True),
    Column("city", String(200), nullable=True),
    Column("postal_code", String(32), nullable=True),
    Column("country_code", String(8), nullable=True),
    Column("language", String(16), nullable=True),
    Column("merged_into", ForeignKey("guest_profiles.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

company_profiles = Table(
    "company_profiles",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("tax_id", String(64), nullable=True, unique=True),
    Column("billing_address_line", Text, nullable=True),
    Column("billing_city", String(200), nullable=True),
    Column("billing_postal_code", String(32), nullable=True),
    Column("billing_country_code", String(8), nullable=True),
    Column("credit_limit", MONEY, nullable=True),
    Column("credit_currency", String(3), nullable=True),
    Column("expense_account", String(128), nullable=True),  # the travel-expense vendor's account
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Which profiles a booking is linked to (a row only once one is).
booking_profiles = Table(
    "booking_profiles",
    metadata,
    Column("booking_id", ForeignKey("bookings.id"), primary_key=True),
    Column("guest_profile_id", ForeignKey("guest_profiles.id"), nullable=True, index=True),
    Column("company_profile_id", ForeignKey("company_profiles.id"), nullable=True, index=True),
)
