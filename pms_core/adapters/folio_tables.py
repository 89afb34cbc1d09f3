"""Tables of folios, their lines, routing instructions, transaction codes and invoice counters.

Amounts are stored as integers of the currency's minor unit (`*_minor`): exact on SQLite and
PostgreSQL alike, and summed exactly by the database. Folios name their booking, stay and company
profile as plain columns: a folio outlives none of them, and each may arrive from elsewhere.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)

from pms_core.adapters.tables import UtcDateTime, metadata

FOLIO_KINDS = ("guest", "master", "company")
FOLIO_STATES = ("open", "closed")
LINE_KINDS = ("charge", "tax", "payment", "reversal", "transfer_in", "transfer_out")
CODE_KINDS = ("charge", "tax", "payment")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


folios = Table(
    "folios",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("booking_id", Uuid, nullable=True),
    Column("stay_id", Uuid, nullable=True),
    Column("company_profile_id", Uuid, nullable=True),
    Column("name", String(200), nullable=True),
    Column("currency", String(3), nullable=False),
    # The sum of the folio's lines, kept with every posting (checked by the night audit).
    Column("balance_minor", BigInteger, nullable=False),
    Column("line_count", Integer, nullable=False),
    Column("invoice_number", Integer, nullable=True),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("closed_business_date", Date, nullable=True),
    UniqueConstraint("property_id", "invoice_number"),
    _one_of("kind", FOLIO_KINDS),
    _one_of("status", FOLIO_STATES),
    CheckConstraint("status = 'open' OR (balance_minor = 0 AND invoice_number IS NOT NULL)", name="closed"),
)
Index(None, folios.c.property_id, folios.c.booking_id)

folio_lines = Table(
    "folio_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("folio_id", ForeignKey("folios.id"), nullable=False),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("code_kind", String(16), nullable=False),
    Column("transaction_code", String(64), nullable=False),
    Column("description", String(200), nullable=False),
    Column("department", String(64), nullable=True),
    Column("gl_account", String(64), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("posted_at", UtcDateTime, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_minor", BigInteger, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("charge_line_id", Uuid, nullable=True),
    # Unique: a line is reversed once, moved once; the database says so even if a check is missed.
    Column("reverses", Uuid, nullable=True, unique=True),
    Column("moved_line_id", Uuid, nullable=True, unique=True),
    Column("counterpart_folio_id", Uuid, nullable=True),
    Column("split_of", Uuid, nullable=True),
    Column("reason", String(200), nullable=True),
    Column("reference", String(128), nullable=True),
    UniqueConstraint("folio_id", "seq"),
    _one_of("kind", LINE_KINDS),
    _one_of("code_kind", CODE_KINDS),
)
Index(None, folio_lines.c.property_id, folio_lines.c.business_date)

# Charges posted to source_folio_id whose code or department is named go to target_folio_id.
folio_routes = Table(
    "folio_routes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source_folio_id", ForeignKey("folios.id"), nullable=False, index=True),
    Column("target_folio_id", ForeignKey("folios.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("transaction_codes", JSON, nullable=False),
    Column("departments", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# The configuration's transaction codes of one property (canonical FolioCodeBook, as JSON).
folio_code_books = Table(
    "folio_code_books",
    metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("codes", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# The last invoice number given per property: taken and raised in the closing transaction, so
# numbers are gapless (a close that rolls back gives its number back) and never given twice.
folio_invoice_counters = Table(
    "folio_invoice_counters",
    metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("last_number", Integer, nullable=False),
)
