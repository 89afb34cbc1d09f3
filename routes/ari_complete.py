"""Complete sets of rooms left (AlpineBits `CompleteSet`): the mark a resync leaves, the messages it becomes.

A resync of a channel taking complete sets marks, beside every cell, one key per property of kind
`complete_set` (room type "", its night the first of the range, its rate plan the last night in ISO
form). The round that takes it reads rooms left from the core for every room type the channel maps
over the whole range (not only the cells taken with it, so an earlier round's deltas are never
wiped) and sends them first, the first OTA_HotelInvCountNotifRQ a complete set. The mark is settled
with that message only: a set refused for a while goes again whole. Rates and restrictions of the
resync go as deltas, as for any channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from canonical.ari import AriKind
from canonical.base import utcnow
from connectors.ota.ari_ranges import availability_ranges
from connectors.ota.ari_shaping import OutboundMessage, Shaping, shape
from pms_core.adapters.catalog import load_catalog
from pms_core.ari import availability_cells
from pms_core.queries import MAX_AVAILABILITY_DAYS
from routes.ari_channels import AriChannel
from routes.ari_pending import PendingKey

COMPLETE_SET = "complete_set"
_AVAILABILITY = AriKind.AVAILABILITY.value


def complete_set_key(property_code: str, first: date, last: date) -> PendingKey:
    """The pending key that asks for a complete set of one property over first..last."""
    return PendingKey(property_code, "", last.isoformat(), first, COMPLETE_SET)


def is_complete_set_key(key: PendingKey) -> bool:
    """True for the key a complete-set resync leaves (not a cell)."""
    return key.kind == COMPLETE_SET


def _span(key: PendingKey) -> tuple[date, date]:
    return key.night, date.fromisoformat(key.rate_plan)


@dataclass(frozen=True)
class CompleteSets:
    """One property's part of a round: the complete-set messages, the marks they settle, the other keys."""

    messages: list[OutboundMessage] = field(default_factory=list)
    marks: list[PendingKey] = field(default_factory=list)
    rest: set[PendingKey] = field(default_factory=set)

    def settles(self, message: OutboundMessage) -> list[PendingKey]:
        """The marks a message settles once taken: all of them with the complete set, else none."""
        return self.marks if message.complete_set else []


async def complete_sets(
    conn: AsyncConnection,
    channel: AriChannel,
    property_code: str,
    keys: Iterable[PendingKey],
    shaping: Shaping,
    echo_prefix: str,
) -> CompleteSets:
    """Split one property's taken keys: a complete set when a mark is among them, the rest as deltas.

    A mark the channel no longer takes (the setting dropped, the property unmapped) carries nothing
    and is settled as any idle key; its cells still go as deltas.
    """
    taken = set(keys)
    marks = sorted(k for k in taken if is_complete_set_key(k))
    rest = {k for k in taken if not is_complete_set_key(k)}
    entry = channel.property_mapping(property_code)
    codes = channel.codes(property_code)
    if not marks or entry is None or codes is None or not shaping.complete_sets:
        return CompleteSets(rest=rest)
    first = min(_span(k)[0] for k in marks)
    last = max(_span(k)[1] for k in marks)
    catalog = await load_catalog(conn, property_code)
    rooms = {
        code for code in entry.hub_to_partner_room_types if (r := catalog.room_types.get(code)) and r.active
    }
    rules = channel.policy.availability
    shown = []
    start = first
    while rooms and start <= last:  # the core reads at most MAX_AVAILABILITY_DAYS nights at once
        end = min(last, start + timedelta(days=MAX_AVAILABILITY_DAYS - 1))
        shown += [
            c.model_copy(update={"available": rules.shown(c.room_type, c.night, c.available)})
            for c in await availability_cells(conn, property_code, start, end, room_types=rooms)
        ]
        start = end + timedelta(days=1)
    messages = shape(
        codes,
        shaping,
        currency=catalog.prop.currency,
        stamp=utcnow(),
        echo_prefix=f"{echo_prefix}-cs",
        availability=availability_ranges(shown),
        complete_set=True,
    )
    # the set carries every room-left cell of the range: none of them also goes as a delta
    rest = {k for k in rest if not (k.kind == _AVAILABILITY and first <= k.night <= last)}
    return CompleteSets(messages, marks, rest)
