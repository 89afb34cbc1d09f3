"""The PMS core's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware timestamp stored in UTC; SQLite hands back naive values, so UTC is put back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive timestamps and store every value in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC timestamp whatever the backend gave."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


MONEY = Numeric(12, 2)

OCCUPANCY_STATES = ("vacant", "occupied")
HOUSEKEEPING_STATES = ("clean", "dirty", "inspected")
BOOKING_STATES = ("confirmed", "modified", "cancelled", "no_show", "in_house", "checked_out")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


properties = Table(
    "properties",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("business_date", Date, nullable=True),
)

room_types = Table(
    "room_types",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("max_occupancy", Integer, nullable=False),
    # A room type dropped from the config stays for the bookings that name it, but sells no more.
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("property_id", "code"),
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("room_type_id", ForeignKey("room_types.id"), nullable=False),
    Column("number", String(32), nullable=False),
    Column("occupancy", String(16), nullable=False, default="vacant"),
    Column("housekeeping", String(16), nullable=False, default="clean"),
    Column("out_of_order", Boolean, nullable=False, default=False),
    # False once the room is taken out of the config: it no longer counts as physical inventory.
    Column("active", Boolean, nullable=False, default=True),
    UniqueConstraint("property_id", "number"),
    _one_of("occupancy", OCCUPANCY_STATES),
    _one_of("housekeeping", HOUSEKEEPING_STATES),
)

rate_plans = Table(
    "rate_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    # A derived plan takes its rates (adjusted) and the restrictions it `follows` from its parent.
    Column("derived_from", String(64), nullable=True),  # the parent plan's code, same property
    Column("adjust_percent", Numeric(7, 3), nullable=True),
    Column("adjust_amount", Numeric(12, 3), nullable=True),
    Column("follows", JSON, nullable=True),  # restriction field names taken from the parent
    UniqueConstraint("property_id", "code"),
)

rate_plan_room_types = Table(
    "rate_plan_room_types",
    metadata,
    Column("rate_plan_id", ForeignKey("rate_plans.id"), primary_key=True),
    Column("room_type_id", ForeignKey("room_types.id"), primary_key=True),
    Column("default_rate", MONEY, nullable=True),
)

inventory = Table(
    "inventory",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("room_type_id", ForeignKey("room_types.id"), nullable=False),
    Column("stay_date", Date, nullable=False),
    Column("physical", Integer, nullable=False),
    Column("out_of_order", Integer, nullable=False, default=0),
    Column("sold", Integer, nullable=False, default=0),
    UniqueConstraint("room_type_id", "stay_date"),
    # sold may exceed physical (an overbooked partner push is kept) but never goes below zero.
    CheckConstraint("sold >= 0", name="sold_not_negative"),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("confirmation", String(64), nullable=False),
    Column("stay_index", Integer, nullable=False),
    Column("partner_id", String(64), nullable=True),  # NULL: a direct booking
    Column("partner_reservation_id", String(128), nullable=True),
    Column("room_type_id", ForeignKey("room_types.id"), nullable=False),
    Column("rate_plan_id", ForeignKey("rate_plans.id"), nullable=False),
    Column("arrival", Date, nullable=False),
    Column("departure", Date, nullable=False),
    Column("adults", Integer, nullable=False),
    Column("children", Integer, nullable=False),
    Column("child_ages", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("overbooked", Boolean, nullable=False, default=False),
    # BookingWarnings the booking was kept with ([] for none; see hub/migrations 0007)
    Column("warnings", JSON, nullable=False, server_default=text("'[]'")),
    Column("total_amount", MONEY, nullable=True),
    # after_tax / before_tax, of total_amount and the nights; NULL: unknown. No CHECK: adding one
    # to an existing SQLite table means rebuilding it, and only TaxBasis values are ever written.
    Column("tax_basis", String(16), nullable=True),
    Column("currency", String(3), nullable=False),
    # the card reference only: brand, BIN, last four, expiry, holder name, vault token (no PAN, no CVV)
    Column("guarantee", JSON, nullable=True),
    Column("comments", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("partner_revision", String(64), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("partner_id", "partner_reservation_id", "stay_index"),
    UniqueConstraint("confirmation", "stay_index"),
    _one_of("status", BOOKING_STATES),
    CheckConstraint("departure > arrival", name="dates_in_order"),
)
Index(None, bookings.c.property_id, bookings.c.arrival)

booking_revisions = Table(
    "booking_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("booking_id", ForeignKey("bookings.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("partner_revision", String(64), nullable=True),
    Column("message_id", String(64), nullable=True),
    Column("snapshot", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("booking_id", "revision"),
)

booking_guests = Table(
    "booking_guests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("booking_id", ForeignKey("bookings.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("given_name", String(200), nullable=True),
    Column("surname", String(200), nullable=True),
    Column("name_prefix", String(50), nullable=True),
    Column("email", String(320), nullable=True),
    Column("phone", String(64), nullable=True),
    Column("address_line", Text, nullable=True),
    Column("city", String(200), nullable=True),
    Column("postal_code", String(32), nullable=True),
    Column("country_code", String(8), nullable=True),
    Column("language", String(16), nullable=True),
    Column("is_primary", Boolean, nullable=False, default=False),
)

booking_nights = Table(
    "booking_nights",
    metadata,
    Column("booking_id", ForeignKey("bookings.id"), primary_key=True),
    Column("night", Date, primary_key=True),
    Column("amount", MONEY, nullable=True),  # NULL: the partner sent no price for the night
)

ARI_MONEY = Numeric(15, 3)  # what SetAri takes: up to three decimal places

# Rates of one (rate plan, room type, night) where the operator set them; NULL: not set (the
# plan's default rate, or its parent's, applies). One row a cell, written only when it changes.
ari_rates = Table(
    "ari_rates",
    metadata,
    Column("rate_plan_id", ForeignKey("rate_plans.id"), primary_key=True),
    Column("room_type_id", ForeignKey("room_types.id"), primary_key=True),
    Column("night", Date, primary_key=True),
    Column("amount", ARI_MONEY, nullable=True),
    Column("by_occupancy", JSON, nullable=True),  # [[guests, "amount"], ...] ascending by guests
    Column("extra_adult", ARI_MONEY, nullable=True),
    Column("extra_child", ARI_MONEY, nullable=True),
)

ari_restrictions = Table(
    "ari_restrictions",
    metadata,
    Column("rate_plan_id", ForeignKey("rate_plans.id"), primary_key=True),
    Column("room_type_id", ForeignKey("room_types.id"), primary_key=True),
    Column("night", Date, primary_key=True),
    Column("closed", Boolean, nullable=False, default=False),
    Column("closed_to_arrival", Boolean, nullable=False, default=False),
    Column("closed_to_departure", Boolean, nullable=False, default=False),
    Column("min_los", Integer, nullable=True),
    Column("max_los", Integer, nullable=True),
    Column("min_los_through", Integer, nullable=True),
    Column("max_los_through", Integer, nullable=True),
    Column("min_advance_days", Integer, nullable=True),
    Column("max_advance_days", Integer, nullable=True),
    Column("same_day_cutoff_minutes", Integer, nullable=True),  # minutes after local midnight
)

# One room out of order over a range of nights (both ends included); deleted when put back.
out_of_order = Table(
    "out_of_order",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("room_id", ForeignKey("rooms.id"), nullable=False, index=True),
    Column("first_night", Date, nullable=False),
    Column("last_night", Date, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("last_night >= first_night", name="nights_in_order"),
)
