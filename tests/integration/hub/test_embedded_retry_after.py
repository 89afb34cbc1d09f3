"""The embedded dispatcher honours a partner's Retry-After: no in-process retry, the row due then."""

from __future__ import annotations

from typing import Any

from dead_letter_builders import kept_booking
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.booking import BOOKING_RECEIVED_V1
from canonical.envelope import Envelope
from canonical.errors import TransientError
from routes.embedded import EmbeddedDispatcher
from routes.table import DeliveryContext, Route, RoutingTable
from routes.tables import dead_letters, outbox


class _RateLimited:
    calls = 0

    async def __call__(self, envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        self.calls += 1
        raise TransientError("partner answered HTTP 429", retry_after_s=90.0)


async def test_given_partner_asks_to_retry_after_90s_when_delivered_then_one_call_and_the_row_due_in_90s(
    engine: AsyncEngine,
) -> None:
    handler = _RateLimited()
    await kept_booking(engine, "RA-1")
    await EmbeddedDispatcher(engine, RoutingTable([Route(BOOKING_RECEIVED_V1, "pms", handler)])).drain()
    async with engine.connect() as conn:
        (row,) = (await conn.execute(select(outbox).where(outbox.c.consumer == "pms"))).all()
        letters = (await conn.execute(select(dead_letters))).all()
    assert handler.calls == 1  # the default policy's three in-process attempts were not spent
    assert (row.status, row.attempts) == ("pending", 1)
    # due when the partner asked: 90 s after the failure the row records (not a measured duration)
    assert round((row.available_at - row.first_failed_at).total_seconds()) == 90
    assert letters == []
