"""The money of a stay: check-in holds, the folio raises the hold, check-out captures, the folio settles.

- ``stay.checked_in.v1`` -> ``payments.stay_hold``: holds the booking's total plus the property's
  incidentals deposit on the booking's card, for the stay's guest folio.
- ``folio.line_posted.v1`` -> ``payments.folio_top_up``: a stay folio whose balance passed its
  hold has the hold raised (incremental authorisation) to the balance plus the deposit.
- ``stay.checked_out.v1`` -> ``payments.stay_capture``: captures the folio's balance (raising the
  hold first when it does not cover it) and emits ``payment.captured.v1``; a folio at zero has
  its hold voided and is closed.
- ``payment.captured.v1`` -> ``pms.folio_settle``: posts the captured amount as a CARD payment and
  closes the folio when it is at zero.

Each gateway call's idempotency key is derived from the message handled, so a redelivery or a
retry moves money once. A declined hold at check-in is dead-lettered with the decline's reason
(the folio stays open, one P2 alert line); a folio without a hold is left to the desk.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import Money
from canonical.envelope import Envelope
from canonical.errors import PermanentError
from canonical.folio import (
    FOLIO_LINE_POSTED_V1,
    CloseFolio,
    FolioKind,
    FolioLinesPosted,
    FolioStatement,
    FolioStatus,
    PostPayment,
)
from canonical.payments import (
    PAYMENT_CAPTURED_V1,
    CapturePayment,
    Hold,
    HoldStatus,
    MinorAmount,
    PaymentCaptured,
    PaymentDeclined,
    PaymentOperation,
    VoidAuthorisation,
)
from canonical.stay import STAY_CHECKED_IN_V1, STAY_CHECKED_OUT_V1, StayCheckedIn, StayCheckedOut, StayStatus
from pms_core.adapters import catalog, stays
from pms_core.folio_handlers import handle_close_folio, handle_post_payment
from pms_core.folio_queries import folio_statements
from pms_core.queries import get_booking
from pms_core.unit_of_work import PmsUnitOfWork
from routes.payment_tables import payment_operations
from routes.payments import PaymentFlow
from routes.policy import DeliveryPolicy, RetryPolicy
from routes.table import DeliveryContext, Route

log = logging.getLogger("hotelhub.payments")

STAY_HOLD_CONSUMER = "payments.stay_hold"
FOLIO_TOP_UP_CONSUMER = "payments.folio_top_up"
STAY_CAPTURE_CONSUMER = "payments.stay_capture"
FOLIO_SETTLE_CONSUMER = "pms.folio_settle"
CARD_METHOD = "CARD"  # the payment code a captured amount is posted with
# A gateway down for minutes: redelivered for about half an hour, the same key every time. The flow
# retries each call itself (the gateway's `attempts`); no in-process redelivery on top of that,
# since on SQLite a delivery holds the write lock while it waits for the gateway.
PAYMENT_POLICY = DeliveryPolicy(
    retry=RetryPolicy(in_process_attempts=1, delays_s=(2.0, 10.0, 30.0, 60.0, 300.0, 600.0, 900.0))
)
SETTLE_POLICY = DeliveryPolicy(retry=RetryPolicy(delays_s=(1.0, 5.0, 30.0)))


class HoldDeclined(PermanentError):
    """The card was declined at check-in: the folio stays open, the desk takes another card."""


async def stay_folio(
    conn: AsyncConnection, property_code: str, booking_id: UUID, stay_id: UUID
) -> FolioStatement | None:
    """The stay's open guest folio (check-in opened it), None when there is none."""
    for folio in await folio_statements(conn, property_code, booking_id=booking_id, kind=FolioKind.GUEST):
        if folio.status is FolioStatus.OPEN and folio.stay_id in (stay_id, None):
            return folio
    return None


async def current_hold(conn: AsyncConnection, property_code: str, folio_id: str) -> Hold | None:
    """The folio's hold as the gateway last confirmed it (authorised, then raised), None without one;
    its status is CAPTURED or VOIDED once check-out took or released it."""
    table = payment_operations
    rows = (
        await conn.execute(
            select(table.c.operation, table.c.authorisation_id, table.c.amount_minor, table.c.currency)
            .where(
                table.c.property_code == property_code,
                table.c.folio_id == folio_id,
                table.c.outcome == "done",
            )
            .order_by(table.c.at)
        )
    ).all()
    hold: Hold | None = None
    for operation, authorisation_id, amount, currency in rows:
        if operation in (PaymentOperation.AUTHORISE.value, PaymentOperation.INCREMENT.value):
            held = MinorAmount(value=amount, currency=currency)
            hold = Hold(
                authorisation_id=authorisation_id, status=HoldStatus.HELD, authorised=held,
                captured=MinorAmount(value=0, currency=currency), incremental=True,
            )  # fmt: skip
        elif hold is not None and operation == PaymentOperation.CAPTURE.value:
            hold = hold.model_copy(update={"status": HoldStatus.CAPTURED})
        elif hold is not None and operation == PaymentOperation.VOID.value:
            hold = hold.model_copy(update={"status": HoldStatus.VOIDED})
    return hold


def make_stay_payment_routes(flow: PaymentFlow, is_routed: Callable[[str], bool]) -> list[Route]:
    """The four routes of a stay's money; `is_routed(type)` says which folio events some route consumes."""

    async def hold(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        event: StayCheckedIn = envelope.payload
        code = event.property_code
        # The gateway first (kept in memory): without one there is nothing to hold, and the booking
        # and the folio statement need not be read for every check-in.
        gateway = await flow.gateways.for_property(code)
        if gateway is None:
            log.info("stay %s: property %s has no payment gateway, nothing held", event.stay_id, code)
            return
        booking = await get_booking(ctx.conn, code, event.booking_id)
        card = booking.guarantee.card if booking is not None and booking.guarantee is not None else None
        folio = await stay_folio(ctx.conn, code, event.booking_id, event.stay_id)
        if card is None or card.token is None or folio is None or booking is None:
            log.info("stay %s: no card on the booking, nothing held", event.stay_id)
            return
        total = booking.total or Money(amount=Decimal(0), currency=folio.currency)
        if total.amount + gateway.settings.deposit.get(code, Decimal(0)) <= 0:
            log.info("stay %s: no amount and no deposit, nothing held", event.stay_id)
            return
        result = await flow.hold_for_check_in(
            envelope.message_id, code, str(folio.folio_id), card.token, total, conn=ctx.conn
        )
        if isinstance(result, PaymentDeclined):
            raise HoldDeclined(
                f"stay {event.stay_id} (booking {event.confirmation}): card declined at check-in"
                f" ({result.decline_code or result.code or 'declined'}); folio {folio.folio_id} stays open"
            )

    async def top_up(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        event: FolioLinesPosted = envelope.payload
        if event.kind is not FolioKind.GUEST or event.stay_id is None:
            return
        held = await current_hold(ctx.conn, event.property_code, str(event.folio_id))
        if held is None or held.status is not HoldStatus.HELD:
            return  # no card hold, or check-out already took it
        if not await _in_house(ctx.conn, event.property_code, event.stay_id):
            return  # checked out: the capture raises the hold itself if it must, never after it
        await flow.top_up(
            envelope.message_id, event.property_code, str(event.folio_id), held, event.balance, conn=ctx.conn
        )

    async def capture(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        event: StayCheckedOut = envelope.payload
        code, cause = event.property_code, envelope.message_id
        folio = await stay_folio(ctx.conn, code, event.booking_id, event.stay_id)
        held = None if folio is None else await current_hold(ctx.conn, code, str(folio.folio_id))
        if folio is None or held is None or held.status is not HoldStatus.HELD:
            log.info("stay %s: no card hold to capture; the folio is settled at the desk", event.stay_id)
            return
        folio_id = str(folio.folio_id)
        if folio.balance <= 0:
            await flow.run(
                VoidAuthorisation(
                    property_code=code, folio_id=folio_id, authorisation_id=held.authorisation_id
                ),
                cause,
                conn=ctx.conn,
            )
            if folio.balance == 0:
                await _settle(ctx, PmsUnitOfWork(ctx.conn, message_id=str(cause)), folio, is_routed)
            return
        owed = MinorAmount.of(folio.balance, folio.currency)
        if owed.value > held.authorised.value:
            balance = Money(amount=folio.balance, currency=folio.currency)
            raised = await flow.top_up(cause, code, folio_id, held, balance, conn=ctx.conn)
            if raised is not None and not isinstance(raised, PaymentDeclined):
                held = getattr(raised, "hold", held)
        amount = MinorAmount(value=min(owed.value, held.authorised.value), currency=owed.currency)
        taken = await flow.run(
            CapturePayment(
                property_code=code, folio_id=folio_id, authorisation_id=held.authorisation_id, amount=amount
            ),
            cause,
            conn=ctx.conn,
        )
        if isinstance(taken, PaymentDeclined):
            raise PermanentError(
                f"folio {folio_id}: capture refused at check-out ({taken.code}); it stays open"
            )
        ctx.emit(PAYMENT_CAPTURED_V1, taken)

    async def settle(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        event: PaymentCaptured = envelope.payload
        uow = PmsUnitOfWork(ctx.conn, message_id=str(envelope.message_id))
        folio = await handle_post_payment(
            PostPayment(
                property_code=event.property_code,
                folio_id=UUID(event.folio_id),
                method=CARD_METHOD,
                amount=event.amount.as_money().amount,
                reference=event.hold.authorisation_id,
            ),
            uow,
        )
        if folio.balance == 0:
            await _settle(ctx, uow, folio, is_routed)
        else:
            _emit(ctx, uow, is_routed)
            log.warning(
                "folio %s: %s %s left after the capture", folio.folio_id, folio.balance, folio.currency
            )

    return [
        Route(STAY_CHECKED_IN_V1, STAY_HOLD_CONSUMER, hold, PAYMENT_POLICY,
              "payments hold the stay total plus the incidentals deposit at check-in"),
        Route(FOLIO_LINE_POSTED_V1, FOLIO_TOP_UP_CONSUMER, top_up, PAYMENT_POLICY,
              "payments raise a stay's hold when its folio balance passed it"),
        Route(STAY_CHECKED_OUT_V1, STAY_CAPTURE_CONSUMER, capture, PAYMENT_POLICY,
              "payments capture the folio balance at check-out"),
        Route(PAYMENT_CAPTURED_V1, FOLIO_SETTLE_CONSUMER, settle, SETTLE_POLICY,
              "PMS core posts a captured amount as a card payment and closes the folio at zero"),
    ]  # fmt: skip


async def _in_house(conn: AsyncConnection, property_code: str, stay_id: UUID) -> bool:
    prop = await catalog.property_by_code(conn, property_code)
    found = await stays.stay(conn, prop.id, stay_id, lock=False)
    return found is not None and found.status is StayStatus.IN_HOUSE


async def _settle(
    ctx: DeliveryContext, uow: PmsUnitOfWork, folio: FolioStatement, is_routed: Callable[[str], bool]
) -> None:
    await handle_close_folio(CloseFolio(property_code=folio.property_code, folio_id=folio.folio_id), uow)
    _emit(ctx, uow, is_routed)


def _emit(ctx: DeliveryContext, uow: PmsUnitOfWork, is_routed: Callable[[str], bool]) -> None:
    for routing_key, payload in uow.events:
        if is_routed(routing_key):
            ctx.emit(routing_key, payload)
