"""rates, restrictions, derived rate plans and out-of-order ranges

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 02:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""


def downgrade() -> None:
    """Revert this revision."""
