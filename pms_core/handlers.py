"""Use cases of the booking half: a partner's booking message, and a direct booking."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import ARI_CHANGED_V1
from canonical.base import Money
from canonical.booking import (
    BOOKING_CREATED_V1,
    BookingAction,
    BookingCreated,
    BookingReceived,
    BookingStatus,
    CreateBooking,
    TaxBasis,
)
from canonical.selling import StayPrice, Unsellable, price_stay
from pms_core.adapters import bookings as store
from pms_core.adapters import catalog, inventory
from pms_core.adapters.booking_writes import BookingWrites
from pms_core.adapters.catalog import PropertyRef
from pms_core.ari import rate_cells
from pms_core.ari_cells import availability_events
from pms_core.errors import NoRate, OccupancyExceeded, RatePlanNotSold, SoldOut, StayRestricted
from pms_core.model import new_confirmation, stay_nights
from pms_core.recording import event_fields, move_inventory, stage_change
from pms_core.reservations import applied, plan_changes, quoting_confirmation, screen
from pms_core.unit_of_work import PmsUnitOfWork
from pms_core.views import BookingOutcome, BookingView


async def handle_booking_received(msg: BookingReceived, uow: PmsUnitOfWork) -> BookingOutcome:
    """Create, modify or cancel a partner's reservation, once per partner revision.

    Raises BookingNotYetKnown for a modify/cancel before its create, and PermanentError
    subclasses for codes the property does not have.
    """
    conn, revision = uow.conn, msg.partner_revision
    setup = await uow.catalog.property(conn, msg.property_code)
    existing = await store.reservation_bookings(conn, msg.partner_id, msg.partner_reservation_id, revision)
    if not existing and msg.action is BookingAction.CANCEL:
        # Some channels cancel by quoting the hub's confirmation number instead of their own id.
        existing = await store.confirmation_bookings(
            conn, msg.partner_id, msg.partner_reservation_id, revision
        )
        msg = quoting_confirmation(msg, existing)
    skipped = screen(msg, setup.prop, existing)
    if skipped is not None:
        return skipped

    changes = await plan_changes(uow, setup, msg, existing)
    oversold = await move_inventory(uow, setup, changes)
    writes = BookingWrites()
    afters = [stage_change(uow, setup.prop, change, oversold, writes) for change in changes]
    await writes.flush(conn)
    return applied(msg, changes, afters, oversold)


async def _stay_price(
    conn: AsyncConnection, prop: PropertyRef, cmd: CreateBooking, now: datetime
) -> StayPrice:
    """The stay's nightly amounts from the live rates and restrictions, as a channel would sell it."""
    cells = await rate_cells(
        conn,
        prop.code,
        cmd.arrival,
        cmd.departure,  # the departure day says whether the stay may leave then
        room_types=[cmd.room_type_code],
        rate_plans=[cmd.rate_plan_code],
    )
    price = price_stay(
        {cell.night: cell for cell in cells},
        cmd.arrival,
        cmd.departure,
        adults=cmd.occupancy.adults,
        children=cmd.occupancy.children,
        local_now=now.astimezone(ZoneInfo(prop.timezone)),
    )
    if isinstance(price, Unsellable):
        if price.no_rate:
            raise NoRate(prop.code, cmd.rate_plan_code, cmd.room_type_code)
        raise StayRestricted(prop.code, cmd.rate_plan_code, cmd.room_type_code, price.reason)
    return price


async def create_direct_booking(cmd: CreateBooking, uow: PmsUnitOfWork) -> BookingView:
    """Book one room through the PMS API; never oversells, even under concurrent requests.

    Raises SoldOut when any night has no room left (the caller must roll back), and
    UnknownProperty/UnknownRoomType/UnknownRatePlan/RatePlanNotSold/NoRate/OccupancyExceeded.
    """
    conn = uow.conn
    setup = await uow.catalog.property(conn, cmd.property_code)
    prop = setup.prop
    room_type = await uow.catalog.room_type(conn, setup, cmd.room_type_code)
    rate_plan = await uow.catalog.rate_plan(conn, setup, cmd.rate_plan_code)
    sold, _ = await catalog.default_rate(conn, rate_plan, room_type)
    if not sold:
        raise RatePlanNotSold(prop.code, rate_plan.code, room_type.code)
    headcount = cmd.occupancy.adults + cmd.occupancy.children
    if headcount > room_type.max_occupancy:
        raise OccupancyExceeded(room_type.code, headcount, room_type.max_occupancy)
    price = await _stay_price(conn, prop, cmd, uow.now())

    nights = stay_nights(cmd.arrival, cmd.departure)
    stock = await uow.catalog.stock(conn, setup, [room_type.id])
    if not await inventory.take_if_available(conn, room_type.id, nights, stock[room_type.id]):
        raise SoldOut(prop.code, room_type.code, cmd.arrival, cmd.departure)
    if uow.ari_events:  # one room fewer on every night: each had one left
        for event in availability_events(prop.code, room_type.code, nights):
            uow.collect(ARI_CHANGED_V1, event)

    amounts: list[Decimal | None] = list(price.nightly)
    total = price.total
    now = uow.now()
    view = BookingView(
        id=uuid4(),
        property_code=prop.code,
        confirmation=new_confirmation(),
        stay_index=0,
        room_type_code=room_type.code,
        rate_plan_code=rate_plan.code,
        arrival=cmd.arrival,
        departure=cmd.departure,
        adults=cmd.occupancy.adults,
        children=cmd.occupancy.children,
        child_ages=cmd.occupancy.child_ages,
        status=BookingStatus.CONFIRMED,
        total=None if total is None else Money(amount=total, currency=prop.currency),
        # configured default rates are gross, what the guest pays (docs/configuration.md)
        tax_basis=TaxBasis.AFTER_TAX,
        currency=prop.currency,
        guarantee=cmd.guarantee,
        comments=cmd.comments,
        revision=1,
        created_at=now,
        updated_at=now,
    )
    writes = BookingWrites()
    writes.booking(view, prop.id, room_type.id, rate_plan.id, new=True)
    writes.details(view.id, cmd.guests, list(zip(nights, amounts, strict=True)), new=True)
    writes.revision(view, "created", message_id=uow.message_id, at=now)
    await writes.flush(conn)
    uow.collect(BOOKING_CREATED_V1, BookingCreated(**event_fields(view)))
    return view
