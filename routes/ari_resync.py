"""Full resync of a channel: every cell of the room types and rate plans it maps, over a range, pending.

The values are read when sent, as for any change, so a resync costs what the range holds once and
never sends a value twice for a cell marked twice. A channel taking complete sets
(`outbound.ari.complete_sets`) also gets one complete-set key per property (routes/ari_complete.py):
its rooms left go as one AlpineBits CompleteSet over the range, which replaces what it holds; its
rates and restrictions, and every cell of any other channel, go as deltas covering every cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import MAX_SPAN_DAYS
from canonical.base import utcnow
from routes import ari_pending
from routes.ari_channels import AriChannel, every_key, is_ari_channel
from routes.ari_complete import complete_set_key
from routes.partners import load_partners

DEFAULT_NIGHTS = 365


class ResyncRefused(ValueError):
    """A resync that cannot be done: unknown partner, not an ARI channel, or a bad range."""


@dataclass(frozen=True)
class Resync:
    """What a resync marked: the channel, the range, how many cells, and whether as a complete set."""

    partner_id: str
    first: date
    last: date
    cells: int
    complete_set: bool = False


def resync_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The nights of a resync: `first` (default today) to `last` (default 365 nights from `first`)."""
    start = first or today
    end = last or start + timedelta(days=DEFAULT_NIGHTS - 1)
    if end < start:
        raise ResyncRefused(f"the last night {end} is before the first {start}")
    if (end - start).days >= MAX_SPAN_DAYS:
        raise ResyncRefused(f"a resync covers at most {MAX_SPAN_DAYS} nights at a time")
    return start, end


async def mark_resync(conn: AsyncConnection, partner_id: str, first: date, last: date) -> Resync:
    """Mark every cell the channel receives over first..last pending, in the caller's transaction."""
    record = next((r for r in await load_partners(conn) if r.id == partner_id), None)
    if record is None:
        raise ResyncRefused(f"unknown partner {partner_id!r}")
    if not is_ari_channel(record):
        raise ResyncRefused(
            f"partner {partner_id} receives no ARI (an enabled OTA with an outbound url and a mapping does)"
        )
    channel = AriChannel(record)
    complete = channel.policy.complete_sets
    # one instant for the key and its cells: the key sorts first, so it is taken with them
    now = utcnow()
    cells = 0
    for entry in channel.mapping.properties:
        if entry.property in record.grants:
            if complete:
                key = complete_set_key(entry.property, first, last)
                await ari_pending.mark(conn, partner_id, [key], now=now)
            cells += await ari_pending.mark(conn, partner_id, every_key(entry, first, last), now=now)
    return Resync(partner_id, first, last, cells, complete)
