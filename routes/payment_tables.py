"""Tables of the payment flow: each gateway's settings, the webhooks it sent (receipts), the calls made."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, String, Table, Text

from pms_core.adapters.tables import UtcDateTime
from routes.tables import metadata

# One row per payments partner of the configuration (written by `config apply`): its
# PaymentGatewaySettings as JSON (variable NAMES of its key and webhook secrets, deposits).
payment_gateways = Table(
    "payment_gateways",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("settings", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# Every webhook accepted, once: its id is the replay key (a second delivery of an id is refused).
payment_webhook_receipts = Table(
    "payment_webhook_receipts",
    metadata,
    Column("partner_id", String(64), primary_key=True),
    Column("webhook_id", String(255), primary_key=True),
    Column("event_type", String(128), nullable=False),
    Column("object_id", String(255), nullable=True),
    Column("amount_minor", BigInteger, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("signed_at", UtcDateTime(), nullable=False),  # the webhook-timestamp
    Column("received_at", UtcDateTime(), nullable=False),
    Column("body", Text, nullable=False),  # the event as sent: tokens and masks only, never a PAN
    Index("ix_payment_webhook_receipts_received_at", "received_at"),
)

# Every gateway call the flow made, keyed by its idempotency key: what was asked and what came back.
payment_operations = Table(
    "payment_operations",
    metadata,
    Column("idempotency_key", String(255), primary_key=True),
    Column("partner_id", String(64), nullable=False),
    Column("property_code", String(64), nullable=False),
    Column("folio_id", String(64), nullable=False),
    Column("operation", String(16), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("authorisation_id", String(255), nullable=True),
    Column("amount_minor", BigInteger, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("outcome", String(32), nullable=False),  # done, declined
    Column("detail", Text, nullable=True),
    Column("at", UtcDateTime(), nullable=False),
    Index("ix_payment_operations_folio", "property_code", "folio_id"),
)
