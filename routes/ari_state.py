"""Each channel's send state, shared by every process: last send and answer, counts, and the lease
that lets one process at a time send to a channel (so its rate limit holds across processes).

On RabbitMQ the channel's queue already picks one sender (its single active consumer,
routes/rabbit/channel_queues.py); the lease stays as a second guard for the one window the
broker cannot close: a worker cut off from the broker but not from the database goes on sending
until it notices (heartbeats), while the broker has promoted another. The lease is renewed before a
round's first message and then in the transaction that records each answer (no write of its own a
message), and makes the promoted sender wait until the old one's lease runs out (`lease_seconds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from canonical.base import utcnow
from connectors.ota.ari_shaping import OutboundMessage
from routes import ari_pending
from routes.policy import DeliveryPolicy
from routes.tables import ari_channel_state

# Beyond one call and its rate-limit waits: reading and shaping between two messages, a slow commit.
LEASE_MARGIN_S = 5.0


@dataclass(frozen=True)
class ChannelState:
    """What the distributor last did for one channel."""

    last_sent_at: datetime | None = None
    last_answer: str | None = None
    last_answer_text: str | None = None
    last_answer_at: datetime | None = None
    messages_sent: int = 0
    cells_sent: int = 0


async def _ensure(conn: AsyncConnection, channel: str) -> None:
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(
        dialect.insert(ari_channel_state)
        .values(channel=channel)
        .on_conflict_do_nothing(index_elements=["channel"])
    )


async def answered(
    conn: AsyncConnection, channel: str, status: str, text: str, *, message: OutboundMessage | None
) -> None:
    """Record a channel's answer (and, when a message was answered, that it was sent)."""
    now = utcnow()
    t = ari_channel_state
    values: dict[str, Any] = {
        "last_answer": status,
        "last_answer_text": text[:2000] or None,
        "last_answer_at": now,
    }
    if message is not None:
        values |= {
            "last_sent_at": now,
            "messages_sent": t.c.messages_sent + 1,
            "cells_sent": t.c.cells_sent + message.cells,
        }
    # the row exists from the channel's first lease or answer on: the insert only when it does not
    statement = update(t).where(t.c.channel == channel).values(**values)
    if (await conn.execute(statement)).rowcount == 0:
        await _ensure(conn, channel)
        await conn.execute(statement)


async def read(conn: AsyncConnection, channel: str) -> ChannelState:
    """The channel's state (empty when it never sent)."""
    t = ari_channel_state
    row = (await conn.execute(select(t).where(t.c.channel == channel))).first()
    if row is None:
        return ChannelState()
    return ChannelState(
        row.last_sent_at,
        row.last_answer,
        row.last_answer_text,
        row.last_answer_at,
        row.messages_sent,
        row.cells_sent,
    )


def lease_seconds(policy: DeliveryPolicy) -> float:
    """How long a lease lasts: the longest a sender may go between two renewals under `policy`.

    It renews before each message (in the transaction recording the previous answer), which then
    waits for its rate limits (one slot of each, the sender being alone) and for the call (at most
    the timeout); a lease shorter than that could run out in the middle of a call and let a second
    process send beside it.
    """
    limits = [policy.rate_limit, policy.rate_limit_per_property, *policy.rate_limit_per_kind.values()]
    spacing = sum(limit.period_s / limit.max_rate for limit in limits if limit is not None)
    return policy.timeout_s + spacing + LEASE_MARGIN_S


async def lease(conn: AsyncConnection, channel: str, owner: str, *, for_s: float) -> bool:
    """Take or renew the right to send to a channel for `for_s` seconds; False while another holds it."""
    await _ensure(conn, channel)
    return await _renew(conn, channel, owner, for_s)


async def _renew(conn: AsyncConnection, channel: str, owner: str, for_s: float) -> bool:
    now = utcnow()
    t = ari_channel_state
    result = await conn.execute(
        update(t)
        .where(t.c.channel == channel, or_(t.c.owner.is_(None), t.c.owner == owner, t.c.lease_until < now))
        .values(owner=owner, lease_until=now + timedelta(seconds=for_s))
    )
    return result.rowcount == 1


@dataclass(frozen=True)
class Lease:
    """One process's lease on one channel, as a sender renews it: called alone (a transaction of its
    own) before a round's first message, then `renew` inside each answer's transaction."""

    engine: AsyncEngine
    channel: str
    owner: str
    for_s: float

    async def __call__(self) -> bool:
        """Renew in a transaction of its own; False when another process holds the channel."""
        async with self.engine.begin() as conn:
            return await lease(conn, self.channel, self.owner, for_s=self.for_s)

    async def renew(self, conn: AsyncConnection) -> bool:
        """Renew inside the caller's transaction, after `answered` (its row exists); False when
        another process holds the channel."""
        return await _renew(conn, self.channel, self.owner, self.for_s)


async def release(conn: AsyncConnection, channel: str, owner: str) -> None:
    """Give the channel up (at stop), so another process takes it at once."""
    t = ari_channel_state
    await conn.execute(
        update(t).where(t.c.channel == channel, t.c.owner == owner).values(owner=None, lease_until=None)
    )


@dataclass(frozen=True)
class AriStatus:
    """One channel's distribution as the operator sees it: what waits, what was last sent and answered."""

    partner_id: str
    pending_cells: int
    urgent_cells: int
    oldest_pending: datetime | None
    state: ChannelState
    paused: str | None  # why the channel is paused (its credentials refused), or None


async def status(conn: AsyncConnection, partner_id: str, paused: str | None) -> AriStatus:
    """The distribution state of one channel."""
    pending = await ari_pending.status(conn, partner_id)
    state = await read(conn, partner_id)
    return AriStatus(partner_id, pending.cells, pending.urgent, pending.oldest, state, paused)
