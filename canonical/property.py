"""Property definitions: what the operator declares (commands applied to the PMS core)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from canonical.base import Code, CurrencyCode, Frozen


class RoomTypeDefinition(Frozen):
    """A room type with its physical rooms and maximum occupancy."""

    code: Code
    name: str
    max_occupancy: Annotated[int, Field(ge=1, le=50)]
    rooms: tuple[Annotated[str, Field(min_length=1, max_length=32)], ...]


class RateAdjustment(Frozen):
    """How a derived rate plan's amounts differ from its parent's: a percentage or an amount."""

    percent: Annotated[Decimal, Field(gt=-100, le=1000, max_digits=7, decimal_places=3)] | None = None
    amount: Annotated[Decimal, Field(max_digits=12, decimal_places=3)] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> RateAdjustment:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("adjust: either percent or amount")
        return self


class RatePlanDefinition(Frozen):
    """A rate plan, the room types it sells and their default nightly rates.

    A derived plan (`derived_from` another plan's code) sells at its parent's rates with `adjust`
    applied, and takes the restriction fields named in `follows` from its parent.
    """

    code: Code
    name: str
    room_types: tuple[Code, ...]
    default_rates: dict[str, Decimal] = Field(default_factory=dict)
    derived_from: Code | None = None
    adjust: RateAdjustment | None = None
    follows: frozenset[str] = frozenset()


class DefineProperty(Frozen):
    """Create or update a property with its room types and rate plans (idempotent)."""

    code: Code
    name: str
    timezone: str
    currency: CurrencyCode
    room_types: tuple[RoomTypeDefinition, ...]
    rate_plans: tuple[RatePlanDefinition, ...] = ()
