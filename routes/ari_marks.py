"""Marking ARI changes: `ari.changed.v1` -> the changed cells pending for every channel that receives
them, in the transaction of the delivery (routes/ari_pending.py), then a nudge to their senders
once that transaction commits (routes/ari_out.py runs the senders)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import ARI_CHANGED_V1, AriChanged
from canonical.envelope import Envelope
from routes.ari_channels import mark_changed_cells
from routes.ari_letters import ARI_OUT_CONSUMER
from routes.policy import DeliveryPolicy, RetryPolicy
from routes.table import BatchItemFailed, DeliveryContext, Route

log = logging.getLogger("hotelhub.ari")

# Marking is a few statements in the hub's own database: a failure is the database's, retried soon.
ARI_POLICY = DeliveryPolicy(retry=RetryPolicy(delays_s=(1.0, 5.0, 30.0)))
Nudge = Callable[[Iterable[str]], None]
_NUDGES = "hotelhub.ari_nudges"


def _after_commit(conn: AsyncConnection, nudge: Nudge, channels: list[str]) -> None:
    """Wake the senders once the marks are committed (at once when there is no transaction)."""
    sync = conn.sync_connection
    if sync is None or not conn.in_transaction():
        nudge(channels)
        return
    waiting: list[tuple[Nudge, list[str]]] = sync.info.setdefault(_NUDGES, [])
    if not event.contains(sync, "commit", _committed):
        event.listen(sync, "commit", _committed)
        event.listen(sync, "rollback", _rolled_back)
    waiting.append((nudge, channels))


def _committed(conn: Connection) -> None:
    for nudge, channels in conn.info.pop(_NUDGES, []):
        nudge(channels)


def _rolled_back(conn: Connection) -> None:
    conn.info.pop(_NUDGES, None)


async def mark_changed(conn: AsyncConnection, *changes: AriChanged) -> list[str]:
    """Mark the changes' cells pending for every channel that receives them; the channels marked
    (routes/ari_channels.mark_changed_cells: the channels read again only after they changed)."""
    return await mark_changed_cells(conn, changes)


def make_ari_route(nudge: Nudge | None = None) -> Route:
    """The route consuming `ari.changed.v1`: marks the cells pending, then wakes their senders."""

    async def handle(envelope: Envelope[Any], ctx: DeliveryContext) -> None:
        marked = await mark_changed(ctx.conn, envelope.payload)
        if marked and nudge is not None:
            _after_commit(ctx.conn, nudge, marked)

    async def handle_batch(items: list[tuple[Envelope[Any], DeliveryContext]]) -> None:
        conn = items[0][1].conn
        try:
            marked = await mark_changed(conn, *(envelope.payload for envelope, _ in items))
        except Exception as err:
            raise BatchItemFailed(None, err) from err  # one by one, to find the one at fault
        if marked and nudge is not None:
            _after_commit(conn, nudge, marked)

    return Route(
        ARI_CHANGED_V1,
        ARI_OUT_CONSUMER,
        handle,
        ARI_POLICY,
        "the ARI distributor marks the changed cells pending for every channel that receives them",
        handle_batch,
    )
