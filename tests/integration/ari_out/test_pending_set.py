"""The pending set: a change during a send survives it, urgent close-outs go out first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from conftest import Distributing
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.ari import AriChanged, AriKind
from canonical.base import utcnow
from hub.db import create_engine
from hub.schema import upgrade_async
from routes import ari_pending, ari_state
from routes.ari_out import mark_changed
from routes.ari_pending import PendingKey
from routes.ari_resync import mark_resync

NIGHT = date(2031, 1, 1)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The hub's engine on a migrated database of the test's own."""
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_given_a_key_marked_again_during_its_send_when_settled_then_it_stays_pending(
    engine: AsyncEngine,
) -> None:
    keys = [PendingKey("ALPINA", "DBL", "BAR", NIGHT + timedelta(days=i), "rates") for i in range(3)]
    async with engine.begin() as conn:
        await ari_pending.mark(conn, "otaone", keys)
        await ari_pending.mark(conn, "otaone", keys[:1])  # marked twice before the send: one key
    async with engine.connect() as conn:
        taken = await ari_pending.take(conn, "otaone", limit=100)
    async with engine.begin() as conn:
        await ari_pending.mark(conn, "otaone", keys[1:2])  # changed while the send is under way
        await ari_pending.settle(conn, "otaone", taken)
    async with engine.connect() as conn:
        left = await ari_pending.take(conn, "otaone", limit=100)
        other = await ari_pending.take(conn, "otatwo", limit=100)

    assert sorted(taken) == keys
    assert list(left) == [keys[1]]
    assert other == {}


async def test_given_an_urgent_close_out_among_a_resync_when_sent_then_it_goes_out_first(
    distributing: Distributing,
) -> None:
    d = distributing
    async with d.hub.engine.begin() as conn:
        await mark_resync(conn, "otaone", NIGHT, NIGHT + timedelta(days=30))
        urgent = AriChanged(
            property="ALPINA",
            room_type="FAM",
            first_night=NIGHT + timedelta(days=20),
            last_night=NIGHT + timedelta(days=20),
            kinds=frozenset({AriKind.AVAILABILITY}),
            urgent=True,
        )
        assert await mark_changed(conn, urgent) == ["otaone"]

    first = await d.ari.round("otaone")
    calls_then = list(d.sim.calls)
    await d.ari.drain("otaone")

    assert first.outcome == "ok" and first.cells == 1
    assert [(c.message, c.cells) for c in calls_then] == [("OTA_HotelInvCountNotifRQ", 1)]
    assert len(d.sim.calls) > 1  # the rest followed


async def test_given_one_process_holds_a_channel_when_another_asks_then_refused_until_released(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        first = await ari_state.lease(conn, "otaone", "worker-a", for_s=30)
        renewed = await ari_state.lease(conn, "otaone", "worker-a", for_s=30)
        other = await ari_state.lease(conn, "otaone", "worker-b", for_s=30)
        elsewhere = await ari_state.lease(conn, "otatwo", "worker-b", for_s=30)
        await ari_state.release(conn, "otaone", "worker-a")
        after = await ari_state.lease(conn, "otaone", "worker-b", for_s=30)
        held = await ari_state.lease(conn, "otatwo", "worker-c", for_s=30)

    assert (first, renewed, other, elsewhere, after, held) == (True, True, False, True, True, False)


async def test_given_the_lease_lost_during_a_round_when_the_next_message_is_due_then_nothing_more_is_sent(
    distributing: Distributing,
) -> None:
    d = distributing
    async with d.hub.engine.begin() as conn:
        await mark_resync(conn, "otaone", NIGHT, NIGHT + timedelta(days=3))
    asked: list[int] = []

    async def lost_after_one() -> bool:
        asked.append(1)
        return len(asked) == 1

    result = await d.ari.round("otaone", lost_after_one)
    async with d.hub.engine.connect() as conn:
        left = await ari_pending.status(conn, "otaone")

    assert (result.outcome, result.messages, len(d.sim.calls)) == ("waiting", 1, 1)
    assert left.cells > 0  # the rest waits for the process that holds the channel


@dataclass(frozen=True)
class _TakenOver(ari_state.Lease):
    """A lease run out at once, taken by another process just as the first answer is recorded."""

    async def renew(self, conn: AsyncConnection) -> bool:
        await ari_state.lease(conn, self.channel, "elsewhere", for_s=60)
        return await super().renew(conn)


async def test_given_a_lease_taken_over_with_an_answer_when_the_next_message_is_due_then_nothing_more_is_sent(
    distributing: Distributing,
) -> None:
    d = distributing
    async with d.hub.engine.begin() as conn:
        await mark_resync(conn, "otaone", NIGHT, NIGHT + timedelta(days=3))
        before = await ari_state.read(conn, "otaone")
    lease = _TakenOver(d.hub.engine, "otaone", "here", for_s=0.0)

    result = await d.ari.round("otaone", lease)
    async with d.hub.engine.connect() as conn:
        left = await ari_pending.status(conn, "otaone")
        state = await ari_state.read(conn, "otaone")
        mine = await ari_state.lease(conn, "otaone", "here", for_s=60)

    assert (result.outcome, result.messages, len(d.sim.calls)) == ("waiting", 1, 1)
    assert (state.messages_sent - before.messages_sent, mine) == (
        1,
        False,
    )  # the sent message recorded, the lease elsewhere
    assert left.cells > 0


async def test_given_more_pending_than_a_round_takes_when_taken_then_the_oldest_changes_first(
    engine: AsyncEngine,
) -> None:
    old, new = utcnow() - timedelta(minutes=5), utcnow()
    late_key = PendingKey("ALPINA", "JSU", "", NIGHT, "availability")  # last in key order
    early_keys = [
        PendingKey("ALPINA", "DBL", "", NIGHT + timedelta(days=i), "availability") for i in range(5)
    ]
    async with engine.begin() as conn:
        await ari_pending.mark(conn, "otaone", [late_key], now=old)
        await ari_pending.mark(conn, "otaone", early_keys, now=new)
    async with engine.connect() as conn:
        taken = await ari_pending.take(conn, "otaone", limit=2)

    assert list(taken) == [late_key, early_keys[0]]
