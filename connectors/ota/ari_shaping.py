"""One property's ARI ranges -> the outbound messages a channel takes: codes mapped, sizes capped.

Each call covers one property, so each message holds one property (one HotelCode). A message holds
at most `max_cells` cells (a cell is one night of one item), `max_bytes` bytes on the wire (SOAP
envelope included) and `max_span_days` nights from its first Start to its last End; a range longer
than a message allows is cut into consecutive pieces, so no cell is lost. Items are numbered 1..n in
document order (and carry LocatorID where the 2015A schema has one) so an answer's per-item errors
(RecordID / RPH) lead back to the hub cells they covered.

A channel taking complete sets (`Shaping.complete_sets`) gets its OTA_HotelInvCountNotifRQ in the
AlpineBits FreeRooms form (the root carries Version only); `shape(..., complete_set=True)` makes the
first of them a complete set (`UniqueID Type=16 ID=1 Instance=CompleteSet`) and the rest deltas
adding to it, so a set cut into several messages is never wiped by its own second message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from lxml import etree

from canonical.ari import AriKind, Rates, Restrictions
from connectors.ota.ari_codec import (
    ALL_RESTRICTIONS,
    Header,
    RestrictionType,
    Target,
    booking_limit_item,
    complete_set_id,
    inventory_item,
    rate_item,
    reset_item,
    restriction_items,
    root,
)
from connectors.ota.ari_ranges import AriRange
from connectors.ota.codec import UsernameToken, wrap_soap, write
from connectors.ota.settings import (
    HOTEL_AVAIL_NOTIF_RQ,
    HOTEL_INV_COUNT_NOTIF_RQ,
    HOTEL_RATE_AMOUNT_NOTIF_RQ,
)

CodeMap = Callable[[str], Sequence[str]]
V = TypeVar("V")
_CONTAINERS = {
    HOTEL_AVAIL_NOTIF_RQ: "AvailStatusMessages",
    HOTEL_RATE_AMOUNT_NOTIF_RQ: "RateAmountMessages",
    HOTEL_INV_COUNT_NOTIF_RQ: "Inventories",
}
_LOCATOR = frozenset({HOTEL_AVAIL_NOTIF_RQ, HOTEL_RATE_AMOUNT_NOTIF_RQ})


@dataclass(frozen=True)
class ChannelCodes:
    """A channel's codes for one property: its HotelCode, and hub code -> partner codes (empty: not sent)."""

    hotel_code: str
    room_types: CodeMap
    rate_plans: CodeMap


@dataclass(frozen=True)
class Shaping:
    """How a channel wants its ARI cut and wrapped.

    `separate_requests` True: rooms left go in OTA_HotelInvCountNotifRQ, apart from restrictions and
    rates; False: they travel with the restrictions as AvailStatusMessage BookingLimit.
    `complete_sets` True: the channel takes AlpineBits complete sets of rooms left.
    """

    max_cells: int | None = None
    max_bytes: int | None = None
    max_span_days: int | None = None
    separate_requests: bool = True
    accepted: frozenset[RestrictionType] = ALL_RESTRICTIONS
    envelope: Literal["plain", "soap11"] = "plain"
    username_token: UsernameToken | None = None
    complete_sets: bool = False


@dataclass(frozen=True)
class SentItem:
    """One item of a message: its 1-based position, what it set, for which hub and partner codes."""

    index: int
    kind: AriKind
    room_type: str
    rate_plan: str | None
    first: date
    last: date
    target: Target

    @property
    def cells(self) -> int:
        """Nights the item covers."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class OutboundMessage:
    """One request ready to post: its message name, the bytes, and what each item stood for."""

    message_name: str
    hotel_code: str
    echo_token: str
    body: bytes
    items: tuple[SentItem, ...]
    complete_set: bool = False  # an AlpineBits CompleteSet: the channel replaces what it holds

    @property
    def cells(self) -> int:
        """Cells (item nights) in the message."""
        return sum(item.cells for item in self.items)

    def item(self, index: int) -> SentItem | None:
        """The item at a 1-based position, or None when there is none."""
        return self.items[index - 1] if 1 <= index <= len(self.items) else None


@dataclass
class _Pending:
    kind: AriKind
    range: AriRange[Any]
    target: Target
    element: etree._Element
    size: int = field(default=0)


def _expand(
    ranges: Sequence[AriRange[V]], kind: AriKind, codes: ChannelCodes, max_nights: int | None
) -> list[tuple[AriRange[V], Target]]:
    """Each range under every partner code pair its hub codes map to, cut to `max_nights`."""
    out: list[tuple[AriRange[V], Target]] = []
    for span in ranges:
        pieces = span.split(max_nights) if max_nights else [span]
        rooms = codes.room_types(span.room_type)
        plans: Sequence[str | None] = [None]
        if kind is not AriKind.AVAILABILITY and span.rate_plan is not None:
            plans = list(codes.rate_plans(span.rate_plan))
        for room in rooms:
            for plan in plans:
                out.extend((piece, Target(room, plan)) for piece in pieces)
    return out


def shape(
    codes: ChannelCodes,
    shaping: Shaping,
    *,
    currency: str,
    stamp: datetime,
    echo_prefix: str,
    restrictions: Sequence[AriRange[Restrictions]] = (),
    rates: Sequence[AriRange[Rates]] = (),
    availability: Sequence[AriRange[int]] = (),
    complete_set: bool = False,
) -> list[OutboundMessage]:
    """Every message one property's ranges need, in the order restrictions, availability, rates.

    `complete_set` (a channel taking them, rooms left in their own requests): the first
    OTA_HotelInvCountNotifRQ is a complete set; with no rooms left at all, one that resets.
    """
    complete_set = complete_set and shaping.complete_sets and shaping.separate_requests
    limit = min((n for n in (shaping.max_cells, shaping.max_span_days) if n), default=None)
    by_message: dict[str, list[_Pending]] = {name: [] for name in _CONTAINERS}
    for r_span, target in _expand(restrictions, AriKind.RESTRICTIONS, codes, limit):
        for element in restriction_items(r_span, target, shaping.accepted):
            by_message[HOTEL_AVAIL_NOTIF_RQ].append(_Pending(AriKind.RESTRICTIONS, r_span, target, element))
    for a_span, target in _expand(availability, AriKind.AVAILABILITY, codes, limit):
        if shaping.separate_requests:
            name, element = HOTEL_INV_COUNT_NOTIF_RQ, inventory_item(a_span, target)
        else:
            name, element = HOTEL_AVAIL_NOTIF_RQ, booking_limit_item(a_span, target)
        by_message[name].append(_Pending(AriKind.AVAILABILITY, a_span, target, element))
    for p_span, target in _expand(rates, AriKind.RATES, codes, limit):
        rate = rate_item(p_span, target, currency)
        if rate is not None:
            by_message[HOTEL_RATE_AMOUNT_NOTIF_RQ].append(_Pending(AriKind.RATES, p_span, target, rate))
    messages: list[OutboundMessage] = []
    for name in (HOTEL_AVAIL_NOTIF_RQ, HOTEL_INV_COUNT_NOTIF_RQ, HOTEL_RATE_AMOUNT_NOTIF_RQ):
        pending = by_message[name]
        if shaping.max_span_days:
            # packing by date keeps a span-limited message full
            pending.sort(key=lambda p: (p.range.first, p.target.room_type, p.target.rate_plan or ""))
        batches = _batches(name, pending, codes, shaping, stamp, echo_prefix, len(messages))
        complete = complete_set and name == HOTEL_INV_COUNT_NOTIF_RQ
        if complete and not batches:
            batches = [[]]  # nothing free anywhere: the set still goes, as a reset
        for position, batch in enumerate(batches):
            echo = f"{echo_prefix}-{len(messages) + 1}"
            messages.append(_message(name, batch, codes, shaping, stamp, echo, complete and position == 0))
    return messages


def _overhead(name: str, codes: ChannelCodes, shaping: Shaping, stamp: datetime, echo: str) -> int:
    # a complete set's UniqueID counted in every message of the kind: an upper bound still
    complete = shaping.complete_sets and name == HOTEL_INV_COUNT_NOTIF_RQ
    return len(_serialise(name, [], codes, shaping, Header(echo, stamp), complete=complete))


def _batches(
    name: str,
    pending: list[_Pending],
    codes: ChannelCodes,
    shaping: Shaping,
    stamp: datetime,
    echo_prefix: str,
    sent: int,
) -> list[list[_Pending]]:
    if not pending:
        return []
    # the longest echo token any of these messages can get, so the estimate stays an upper bound
    overhead = _overhead(name, codes, shaping, stamp, f"{echo_prefix}-{sent + len(pending) + 1}")
    batches: list[list[_Pending]] = []
    batch: list[_Pending] = []
    cells = size = 0
    first = last = None
    for item in pending:
        # standalone serialisation repeats the namespace declaration: an upper bound of its size
        item.size = len(etree.tostring(item.element)) + len(str(sent + len(pending))) + 16
        nights = item.range.nights
        new_first = item.range.first if first is None else min(first, item.range.first)
        new_last = item.range.last if last is None else max(last, item.range.last)
        fits = bool(batch) and not (
            (shaping.max_cells and cells + nights > shaping.max_cells)
            or (shaping.max_bytes and overhead + size + item.size > shaping.max_bytes)
            or (shaping.max_span_days and (new_last - new_first).days + 1 > shaping.max_span_days)
        )
        if batch and not fits:
            batches.append(batch)
            batch, cells, size = [], 0, 0
            new_first, new_last = item.range.first, item.range.last
        if shaping.max_bytes and overhead + item.size > shaping.max_bytes:
            raise ValueError(f"one {name} item needs more than max_bytes={shaping.max_bytes}")
        batch.append(item)
        cells, size, first, last = cells + nights, size + item.size, new_first, new_last
    batches.append(batch)
    return batches


def _serialise(
    name: str,
    elements: list[etree._Element],
    codes: ChannelCodes,
    shaping: Shaping,
    header: Header,
    *,
    complete: bool = False,
) -> bytes:
    free_rooms = shaping.complete_sets and name == HOTEL_INV_COUNT_NOTIF_RQ
    message = root(name, header, version_only=free_rooms)
    container = etree.SubElement(message, f"{{{message.nsmap[None]}}}{_CONTAINERS[name]}")
    container.set("HotelCode", codes.hotel_code)
    for position, element in enumerate(elements, start=1):
        if name in _LOCATOR:
            element.set("LocatorID", str(position))
        container.append(element)
    if complete:
        complete_set_id(message)
        if not elements:
            container.append(reset_item())
    if shaping.envelope == "soap11":
        return wrap_soap(message, "1.1", username_token=shaping.username_token)
    return write(message)


def _message(
    name: str,
    batch: list[_Pending],
    codes: ChannelCodes,
    shaping: Shaping,
    stamp: datetime,
    echo: str,
    complete: bool = False,
) -> OutboundMessage:
    header = Header(echo, stamp)
    body = _serialise(name, [p.element for p in batch], codes, shaping, header, complete=complete)
    items = tuple(
        SentItem(i, p.kind, p.range.room_type, p.range.rate_plan, p.range.first, p.range.last, p.target)
        for i, p in enumerate(batch, start=1)
    )
    return OutboundMessage(name, codes.hotel_code, echo, body, items, complete_set=complete)
