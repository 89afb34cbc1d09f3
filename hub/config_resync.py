"""A channel whose configuration changed what it receives gets a resync, in the apply's transaction.

What a channel receives: the hotel codes, room types and rate plans it is mapped for (of the
properties it is granted), the restriction types it accepts and its own availability rules. When
`config apply` changes any of these for a partner that was, and still is, an ARI channel, every
cell of the default range (routes/ari_resync.DEFAULT_NIGHTS from today, UTC) is marked pending, as
`hotelhub ari resync` does, so a renamed code or a dropped room type never leaves the channel with
values it will not be sent again. A channel new to the hub (or one that was not an ARI channel
before) is resynced the same way, so it starts from the whole calendar, not only from what changes
after it was added.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.base import utcnow
from routes.ari_channels import AriChannel, is_ari_channel
from routes.ari_resync import mark_resync, resync_range
from routes.partners import PartnerRecord, load_partners

Received = tuple[object, ...]


def received(record: PartnerRecord) -> Received | None:
    """What a channel is sent, as a value to compare; None for a partner that receives no ARI."""
    if not is_ari_channel(record):
        return None
    channel = AriChannel(record)
    entries = tuple(
        (e.property, e.hotel_code, tuple(sorted(e.room_types.items())), tuple(sorted(e.rate_plans.items())))
        for e in sorted(channel.mapping.properties, key=lambda e: e.property)
        if e.property in record.grants
    )
    policy = channel.policy
    return (entries, tuple(sorted(policy.restrictions)), policy.availability.model_dump_json())


async def what_channels_receive(conn: AsyncConnection) -> dict[str, Received]:
    """What every ARI channel receives now, by partner id."""
    found = {record.id: received(record) for record in await load_partners(conn)}
    return {partner_id: value for partner_id, value in found.items() if value is not None}


async def resync_changed(conn: AsyncConnection, before: dict[str, Received]) -> list[str]:
    """Mark a resync of every channel that receives something else than `before`; one line each."""
    lines: list[str] = []
    after = await what_channels_receive(conn)
    first, last = resync_range(None, None, utcnow().date())
    for partner_id in sorted(after):
        if before.get(partner_id) != after[partner_id]:
            done = await mark_resync(conn, partner_id, first, last)
            how = " (rooms left as one complete set)" if done.complete_set else ""
            why = "mapping changed" if partner_id in before else "new channel"
            lines.append(f"channel {partner_id}: {why}, resync of {done.cells} cells queued{how}")
    return lines
