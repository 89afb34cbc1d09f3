"""The hub's routing table: every message type, its consumer, handler and policy."""

from __future__ import annotations

from collections.abc import Iterable

from canonical.booking import BOOKING_RECEIVED_V1, PARTNER_MESSAGE_RECEIVED_V1
from routes.bookings import BOOKINGS_CONSUMER, make_booking_batch_handler, make_booking_handler
from routes.codes import CodeBook
from routes.ingress import TRANSLATE_CONSUMER
from routes.ota_inbound import make_translate_handler
from routes.partners import PartnerDirectory
from routes.payments import PaymentFlow
from routes.policy import DeliveryPolicy, RetryPolicy
from routes.stay_payments import make_stay_payment_routes
from routes.table import Route, RoutingTable

# A modification can overtake its booking on the way in: retry for a few minutes before giving up.
BOOKING_POLICY = DeliveryPolicy(retry=RetryPolicy(delays_s=(1.0, 5.0, 30.0, 120.0, 600.0)))
TRANSLATE_POLICY = DeliveryPolicy(retry=RetryPolicy(delays_s=(5.0, 60.0)))


def build_routing_table(
    *,
    directory: PartnerDirectory,
    codes: CodeBook,
    max_body_bytes: int,
    retry_delays_s: tuple[float, ...] | None = None,
    ari_routes: Iterable[Route] = (),
    payments: PaymentFlow | None = None,
) -> RoutingTable:
    """Declare every route once; both transports run this table.

    `ari_routes` consume `ari.changed.v1` (the ARI distributor). Only with one of them does the
    PMS core raise availability events on the booking path and do they reach the outbox, so a hub
    that distributes nothing pays nothing for them. `payments` (the hub's payment flow) adds the
    routes of a stay's money (routes/stay_payments.py): hold, raise, capture, settle.
    """
    routed: set[str] = set()
    table = RoutingTable(
        [
            Route(
                BOOKING_RECEIVED_V1,
                BOOKINGS_CONSUMER,
                make_booking_handler(routed.__contains__),
                BOOKING_POLICY,
                "PMS core books, modifies or cancels a partner reservation",
                make_booking_batch_handler(routed.__contains__),
            ),
            Route(
                PARTNER_MESSAGE_RECEIVED_V1,
                TRANSLATE_CONSUMER,
                make_translate_handler(directory, codes, max_body_bytes),
                TRANSLATE_POLICY,
                "a kept partner message is translated again with the current mapping (replays)",
            ),
            *ari_routes,
            *(make_stay_payment_routes(payments, routed.__contains__) if payments is not None else ()),
        ]
    )
    routed.update(table.message_types)
    if retry_delays_s is not None:
        table = table.with_policy(
            lambda r: r.policy.model_copy(
                update={"retry": r.policy.retry.model_copy(update={"delays_s": retry_delays_s})}
            )
        )
    return table
