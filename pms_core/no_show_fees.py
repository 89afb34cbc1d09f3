"""No-show fees: what a rate plan charges a booking marked a no-show by the night audit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from canonical.folio import PostCharge
from canonical.money import quantise
from canonical.night_audit import NoShowFee
from pms_core.adapters.tables import booking_nights
from pms_core.folio_handlers import handle_post_charge
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingView

NO_SHOW_REFERENCE = "no-show:"


async def fee_amount(uow: PmsUnitOfWork, booking: BookingView, fee: NoShowFee) -> Decimal | None:
    """The fee for this booking at its currency's exponent; None when its nights carry no price."""
    if fee.amount is not None:
        return quantise(fee.amount, booking.currency)
    rows = await uow.conn.execute(
        select(booking_nights.c.amount)
        .where(booking_nights.c.booking_id == booking.id)
        .order_by(booking_nights.c.night)
        .limit(fee.nights)
    )
    prices = [Decimal(amount) for amount in rows.scalars() if amount is not None]
    if not prices:
        return None
    return quantise(sum(prices, Decimal(0)), booking.currency)


async def post_no_show_fees(
    uow: PmsUnitOfWork, marked: Sequence[BookingView], fees: Mapping[str, NoShowFee], day: date
) -> int:
    """Charge each no-show the fee its rate plan names, on its guest folio, dated `day`; how many."""
    posted = 0
    for booking in marked:
        fee = fees.get(booking.rate_plan_code)
        amount = None if fee is None else await fee_amount(uow, booking, fee)
        if fee is None or amount is None or amount == 0:
            continue
        await handle_post_charge(
            PostCharge(
                property_code=booking.property_code,
                booking_id=booking.id,
                transaction_code=fee.transaction_code,
                unit_amount=amount,
                persons=max(booking.adults + booking.children, 1),
                description=f"No-show fee {booking.confirmation}",
                business_date=day,
                reference=f"{NO_SHOW_REFERENCE}{booking.id}",
            ),
            uow,
        )
        posted += 1
    return posted
