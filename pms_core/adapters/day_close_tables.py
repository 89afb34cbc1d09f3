"""Tables of the night audit: each property's closed business days (frozen), the room nights it
charged, and its settings (audit time, rate plans' no-show fees).

A closed day is stored once, as the canonical DayClosed in JSON, keyed by (property, business
date): the primary key is what keeps a day from being closed twice, whoever closes it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, Uuid

from pms_core.adapters.tables import UtcDateTime, metadata

day_closes = Table(
    "day_closes",
    metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("business_date", Date, primary_key=True),
    Column("closed_at", UtcDateTime, nullable=False),
    Column("day", JSON, nullable=False),  # canonical.revenue.DayClosed, model_dump(mode="json")
)

# One row per (stay, night) the audit charged: a night is charged once, even if asked again.
audit_room_charges = Table(
    "audit_room_charges",
    metadata,
    Column("stay_id", Uuid, primary_key=True),
    Column("night", Date, primary_key=True),
    Column("folio_id", Uuid, nullable=False),
    Column("line_id", Uuid, nullable=False),
)

# A property's audit settings as the configuration declares them.
audit_settings = Table(
    "audit_settings",
    metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("audit_time", String(5), nullable=False),  # HH:MM, the property's local time
    # {rate plan code: {"nights": n} | {"amount": "12.00"}, "transaction_code": code}
    Column("no_show_fees", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
