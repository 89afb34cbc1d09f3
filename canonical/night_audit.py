"""The night audit's command and settings: close a business day; a property's audit time and the
no-show fees its rate plans name."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from canonical.base import Code, Frozen

DEFAULT_AUDIT_TIME = time(3, 0)


class CloseDay(Frozen):
    """Close a property's business date (None: its current one)."""

    property_code: Code
    business_date: date | None = None


class NoShowFee(Frozen):
    """What a rate plan charges a no-show: its first `nights` at the booking's prices, or `amount`."""

    nights: Annotated[int, Field(ge=1, le=31)] | None = None
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)] | None = None
    transaction_code: Code = "ROOM"

    @model_validator(mode="after")
    def _nights_or_amount(self) -> NoShowFee:
        if (self.nights is None) == (self.amount is None):
            raise ValueError("a no-show fee gives either nights or amount")
        return self


class AuditSettings(Frozen):
    """A property's night audit: its local audit time and its rate plans' no-show fees by plan code."""

    property_code: Code
    audit_time: time = DEFAULT_AUDIT_TIME
    no_show_fees: dict[Code, NoShowFee] = Field(default_factory=dict)
