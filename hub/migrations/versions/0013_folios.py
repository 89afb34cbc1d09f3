"""folios, folio lines, invoice numbers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _one_of(table: str, column: str, values: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} IN ({values})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "folios",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.Uuid(), nullable=True),
        sa.Column("stay_id", sa.Uuid(), nullable=True),
        sa.Column("company_profile_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("invoice_number", sa.Integer(), nullable=True),
        _stamp("opened_at"),
        _stamp("closed_at", nullable=True),
        sa.Column("closed_business_date", sa.Date(), nullable=True),
        _fk("property_id", "folios", "properties"),
        _one_of("folios", "kind", "'guest', 'master', 'company'"),
        _one_of("folios", "status", "'open', 'closed'"),
        sa.CheckConstraint(
            "status = 'open' OR (balance_minor = 0 AND invoice_number IS NOT NULL)",
            name=op.f("ck_folios_closed"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folios")),
        sa.UniqueConstraint(
            "property_id", "invoice_number", name=op.f("uq_folios_property_id_invoice_number")
        ),
    )
    op.create_index("ix_folios_property_id", "folios", ["property_id", "booking_id"])
    op.create_table(
        "folio_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("folio_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code_kind", sa.String(length=16), nullable=False),
        sa.Column("transaction_code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("gl_account", sa.String(length=64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        _stamp("posted_at"),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("charge_line_id", sa.Uuid(), nullable=True),
        sa.Column("reverses", sa.Uuid(), nullable=True),
        sa.Column("moved_line_id", sa.Uuid(), nullable=True),
        sa.Column("counterpart_folio_id", sa.Uuid(), nullable=True),
        sa.Column("split_of", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        _fk("folio_id", "folio_lines", "folios"),
        _fk("property_id", "folio_lines", "properties"),
        _one_of(
            "folio_lines", "kind", "'charge', 'tax', 'payment', 'reversal', 'transfer_in', 'transfer_out'"
        ),
        _one_of("folio_lines", "code_kind", "'charge', 'tax', 'payment'"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folio_lines")),
        sa.UniqueConstraint("folio_id", "seq", name=op.f("uq_folio_lines_folio_id_seq")),
        sa.UniqueConstraint("reverses", name=op.f("uq_folio_lines_reverses")),
        sa.UniqueConstraint("moved_line_id", name=op.f("uq_folio_lines_moved_line_id")),
    )
    op.create_index("ix_folio_lines_property_id", "folio_lines", ["property_id", "business_date"])
    op.create_table(
        "folio_routes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source_folio_id", sa.Uuid(), nullable=False),
        sa.Column("target_folio_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("transaction_codes", sa.JSON(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        _stamp("created_at"),
        _fk("source_folio_id", "folio_routes", "folios"),
        _fk("target_folio_id", "folio_routes", "folios"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_folio_routes")),
    )
    op.create_index("ix_folio_routes_source_folio_id", "folio_routes", ["source_folio_id"])
    op.create_table(
        "folio_code_books",
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        _stamp("updated_at"),
        _fk("property_id", "folio_code_books", "properties"),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_folio_code_books")),
    )
    op.create_table(
        "folio_invoice_counters",
        sa.Column("property_id", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        _fk("property_id", "folio_invoice_counters", "properties"),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_folio_invoice_counters")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("folio_invoice_counters")
    op.drop_table("folio_code_books")
    op.drop_index("ix_folio_routes_source_folio_id", table_name="folio_routes")
    op.drop_table("folio_routes")
    op.drop_index("ix_folio_lines_property_id", table_name="folio_lines")
    op.drop_table("folio_lines")
    op.drop_index("ix_folios_property_id", table_name="folios")
    op.drop_table("folios")
