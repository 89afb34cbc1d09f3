"""Shared value types: money, frozen model base, aware timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Code = Annotated[str, Field(min_length=1, max_length=64)]


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class Frozen(BaseModel):
    """Base of every canonical model: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(Frozen):
    """An amount in one ISO-4217 currency; never a float."""

    amount: Decimal
    currency: CurrencyCode
