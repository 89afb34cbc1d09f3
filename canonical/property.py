"""Property definitions: what the operator declares (commands applied to the PMS core)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from canonical.base import Code, CurrencyCode, Frozen


class RoomTypeDefinition(Frozen):
    """A room type with its physical rooms and maximum occupancy."""

    code: Code
    name: str
    max_occupancy: Annotated[int, Field(ge=1, le=50)]
    rooms: tuple[Annotated[str, Field(min_length=1, max_length=32)], ...]


class RatePlanDefinition(Frozen):
    """A rate plan, the room types it sells and their default nightly rates."""

    code: Code
    name: str
    room_types: tuple[Code, ...]
    default_rates: dict[str, Decimal] = Field(default_factory=dict)


class DefineProperty(Frozen):
    """Create or update a property with its room types and rate plans (idempotent)."""

    code: Code
    name: str
    timezone: str
    currency: CurrencyCode
    room_types: tuple[RoomTypeDefinition, ...]
    rate_plans: tuple[RatePlanDefinition, ...] = ()
