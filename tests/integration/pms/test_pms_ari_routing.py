"""The route decision: booking availability events reach the outbox only when a route consumes them."""

from __future__ import annotations

from typing import Any

import pytest
from pms_builders import a_property, a_reservation
from pms_driver import PmsDriver
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.ari import ARI_CHANGED_V1
from canonical.booking import BOOKING_RECEIVED_V1
from canonical.envelope import Envelope
from routes.codes import CodeBook
from routes.partners import PartnerDirectory
from routes.table import DeliveryContext, Route, RoutingTable
from routes.wiring import build_routing_table


async def _nothing(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
    """A stand-in consumer of ari.changed.v1 (the distributor plugs in here)."""


def _table(engine: AsyncEngine, *ari_routes: Route) -> RoutingTable:
    return build_routing_table(
        directory=PartnerDirectory(engine),
        codes=CodeBook(engine),
        max_body_bytes=100_000,
        ari_routes=ari_routes,
    )


@pytest.mark.parametrize("routed", [False, True])
async def test_given_a_routing_table_when_a_booking_is_delivered_then_ari_events_are_emitted_only_if_routed(
    pms: PmsDriver, engine: AsyncEngine, routed: bool
) -> None:
    await pms.define(a_property())
    ari_route = Route(ARI_CHANGED_V1, "ari.test", _nothing)
    table = _table(engine, *([ari_route] if routed else []))
    route = table.for_type(BOOKING_RECEIVED_V1)[0]
    envelope = Envelope[Any](message_type=BOOKING_RECEIVED_V1, correlation_id="c", payload=a_reservation())

    async with engine.begin() as conn:
        ctx = DeliveryContext(conn=conn, envelope=envelope)
        await route.handler(envelope, ctx)

    emitted = [e.message_type for e in ctx.emitted]
    assert emitted.count(ARI_CHANGED_V1) == (1 if routed else 0)
    assert bool(table.for_type(ARI_CHANGED_V1)) is routed
