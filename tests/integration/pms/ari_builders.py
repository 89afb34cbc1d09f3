"""Builders of ARI commands and of a property with derived rate plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pms_builders import HOTEL, a_property
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.ari import AriPatch, RatesPatch, RestrictionsPatch, SetAri, Weekday
from canonical.property import DefineProperty, RateAdjustment, RatePlanDefinition
from pms_core.ari import AriOutcome, handle_set_ari
from pms_core.unit_of_work import PmsUnitOfWork

FIRST = date(2031, 1, 1)  # a Wednesday


def with_derived_plans(currency: str = "EUR") -> DefineProperty:
    """The builders' property (DBL 120, SGL 90 on BAR) plus NREF (BAR -10 %, follows closed and
    min_los) and PROMO (BAR -15, follows every restriction)."""
    base = a_property()
    derived = (
        RatePlanDefinition(
            code="NREF",
            name="Non-refundable",
            room_types=("DBL", "SGL"),
            derived_from="BAR",
            adjust=RateAdjustment(percent=Decimal(-10)),
            follows=frozenset({"closed", "min_los"}),
        ),
        RatePlanDefinition(
            code="PROMO",
            name="Promotion",
            room_types=("DBL",),
            derived_from="BAR",
            adjust=RateAdjustment(amount=Decimal(-15)),
            follows=frozenset(RestrictionsPatch.model_fields),
        ),
    )
    return base.model_copy(update={"currency": currency, "rate_plans": (*base.rate_plans, *derived)})


def a_patch(
    first: date = FIRST,
    last: date | None = None,
    *,
    room_type: str = "DBL",
    rate_plan: str | None = "BAR",
    weekdays: set[Weekday] | None = None,
    rates: dict[str, Any] | None = None,
    restrictions: dict[str, Any] | None = None,
    clear: set[str] | None = None,
) -> AriPatch:
    """One patch; amounts given as strings."""
    fields: dict[str, Any] = {}
    if weekdays is not None:
        fields["weekdays"] = frozenset(weekdays)
    return AriPatch(
        room_type=room_type,
        rate_plan=rate_plan,
        first_night=first,
        last_night=last or first,
        rates=None if rates is None else RatesPatch(**rates),
        restrictions=None if restrictions is None else RestrictionsPatch(**restrictions),
        clear=frozenset(clear or ()),
        **fields,
    )


async def set_ari(engine: AsyncEngine, *patches: AriPatch, hotel: str = HOTEL) -> AriOutcome:
    """Apply patches in one transaction, as the API does."""
    async with engine.begin() as conn:
        return await handle_set_ari(SetAri(property=hotel, patches=patches), PmsUnitOfWork(conn))
