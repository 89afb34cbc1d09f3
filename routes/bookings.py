"""Routes into the PMS core: booking.received.v1 -> create / modify / cancel."""

from __future__ import annotations

import logging
from typing import Any

from canonical.ari import ARI_CHANGED_V1
from canonical.booking import BOOKING_OVERBOOKED_V1, BookingOverbooked, BookingReceived
from canonical.envelope import Envelope
from pms_core.batch import BookingBatchFailed, handle_booking_batch
from pms_core.handlers import handle_booking_received
from pms_core.unit_of_work import PmsUnitOfWork
from routes import metrics
from routes.table import BatchItemFailed, DeliveryContext

log = logging.getLogger("hotelhub.bookings")

BOOKINGS_CONSUMER = "pms.bookings"


def make_booking_handler(
    is_routed: Any,
) -> Any:
    """The booking handler; `is_routed(message_type)` says which core events some route consumes."""

    async def handle(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        message: BookingReceived = envelope.payload
        uow = PmsUnitOfWork(
            ctx.conn, message_id=str(envelope.message_id), ari_events=is_routed(ARI_CHANGED_V1)
        )
        outcome = await handle_booking_received(message, uow)
        _after(envelope, ctx, uow, outcome, is_routed)

    return handle


def make_booking_batch_handler(is_routed: Any) -> Any:
    """The booking handler for a whole batch: the core writes all of it with a few statements."""

    async def handle_batch(items: list[tuple[Envelope[Any], DeliveryContext]]) -> None:
        # Availability events cost the booking path work: asked for only when a route consumes them.
        ari = is_routed(ARI_CHANGED_V1)
        uows = [PmsUnitOfWork(ctx.conn, message_id=str(env.message_id), ari_events=ari) for env, ctx in items]
        try:
            outcomes = await handle_booking_batch(
                [(env.payload, uow) for (env, _), uow in zip(items, uows, strict=True)]
            )
        except BookingBatchFailed as failed:
            raise BatchItemFailed(failed.index, failed.error) from failed
        for (env, ctx), uow, outcome in zip(items, uows, outcomes, strict=True):
            _after(env, ctx, uow, outcome, is_routed)

    return handle_batch


def _after(
    envelope: Envelope[Any], ctx: DeliveryContext, uow: PmsUnitOfWork, outcome: Any, is_routed: Any
) -> None:
    """Alert on overbookings, emit the core events some route consumes, log the outcome."""
    message: BookingReceived = envelope.payload
    for routing_key, payload in uow.events:
        if routing_key == BOOKING_OVERBOOKED_V1 and isinstance(payload, BookingOverbooked):
            metrics.OVERBOOKINGS.labels(payload.property_code).inc()
            log.error(
                "overbooking: partner booking kept on a sold-out night",
                extra={
                    "correlation_id": envelope.correlation_id,
                    "alert": "P2",
                    "property": payload.property_code,
                },
            )
        if is_routed(routing_key):
            ctx.emit(routing_key, payload)
    log.info(
        "booking %s",
        getattr(outcome, "kind", outcome),
        extra={
            "correlation_id": envelope.correlation_id,
            "partner_reservation_id": message.partner_reservation_id,
        },
    )
