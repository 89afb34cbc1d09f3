"""OTA_HotelInvCountNotifRQ in (AlpineBits FreeRooms): room counts per room type and night, checked.

AlpineBits rules the hub holds a sender to: HotelCode is required; `UniqueID Type=16
Instance=CompleteSet` marks a complete set, and only a complete set may reset (an empty
`Inventory`); closing seasons (`AllInvCode=true`, no InvCounts) come first and do not overlap;
room categories and distinct rooms are not mixed (the hub takes categories only); an Inventory
without InvCounts means no room is free. CountType 2 is the free, bookable count; CountType 6 (out
of order) and 9 (free but not on sale) are read and answered as warnings, since the core's own
out-of-order records are the truth. OTA's ActionType Allocation (an allotment) is refused.
"""

from __future__ import annotations

from datetime import date

from canonical.ari import AvailabilityCell
from connectors.ota.ari_patches import InboundAri, Span, read_span, room_code
from connectors.ota.codec import OtaRequest
from connectors.ota.codes import PartnerCodes, hub_room_type
from connectors.ota.errors import InvalidField, MissingField, UnsupportedAction
from connectors.ota.fields import read_count, text_of

_FREE = "2"
_READ_NOT_APPLIED = {"6": "out of order", "9": "free but not on sale"}
_COMPLETE_SET = "completeset"


def is_complete_set(req: OtaRequest) -> bool:
    """True when the message starts with `UniqueID Type=16 Instance=CompleteSet` (AlpineBits)."""
    unique = req.root.find("{*}UniqueID")
    return unique is not None and (text_of(unique.get("Instance")) or "").lower() == _COMPLETE_SET


def inv_counts(req: OtaRequest, codes: PartnerCodes) -> InboundAri:
    """Room counts of an InvCountNotif as availability cells; the first broken rule is raised."""
    container = req.root.find("{*}Inventories")
    if container is None:
        raise MissingField("no Inventories", tag="Inventories")
    hotel = text_of(container.get("HotelCode"))
    if hotel is None:
        raise MissingField("Inventories has no HotelCode", tag="HotelCode")
    prop = codes.property_for(hotel)
    complete = is_complete_set(req)
    cells: dict[tuple[str, date], int] = {}
    closing: list[Span] = []
    notes: list[str] = []
    kinds: set[str] = set()
    for position, inventory in enumerate(container.iterfind("{*}Inventory"), start=1):
        control = inventory.find("{*}StatusApplicationControl")
        counts = inventory.findall("{*}InvCounts/{*}InvCount")
        if control is None:
            if not complete:
                raise InvalidField(
                    "an empty Inventory resets availability: only a CompleteSet (UniqueID Instance) may",
                    tag="UniqueID",
                )
            continue  # a reset: a complete set with no room free anywhere
        span = read_span(control)
        if (text_of(control.get("AllInvCode")) or "").lower() in ("true", "1"):
            if counts:
                raise InvalidField("a closing season (AllInvCode) carries no InvCounts", tag="InvCounts")
            if kinds:
                raise InvalidField("closing seasons come before every other Inventory", tag="AllInvCode")
            if any(span.first <= other.last and other.first <= span.last for other in closing):
                raise InvalidField(f"closing seasons overlap at {span.first}..{span.last}", tag="Start")
            closing.append(span)
            continue
        kinds.add("room" if control.get("InvTypeCode") and control.get("InvCode") else "category")
        if len(kinds) > 1:
            raise UnsupportedAction("room categories and distinct rooms must not be mixed", tag="InvCode")
        room = hub_room_type(prop, room_code(control), hotel_code=hotel)
        free = 0
        for count in counts:
            if (text_of(count.get("ActionType")) or "").lower() == "allocation":
                raise UnsupportedAction("allotments (ActionType Allocation) are not taken", tag="ActionType")
            kind = text_of(count.get("CountType")) or _FREE
            number = read_count(count.get("Count"), field="Count")
            if kind == _FREE:
                free = number
            elif kind in _READ_NOT_APPLIED:
                notes.append(
                    f"Inventory {position}: CountType {kind} ({_READ_NOT_APPLIED[kind]}) read, not applied"
                )
            else:
                raise UnsupportedAction(f"CountType {kind!r} is not taken (2, 6, 9)", tag="CountType")
        for night in span.nights():
            if (room, night) in cells:
                raise InvalidField(f"{room} {night} is given twice", tag="Start")
            cells[(room, night)] = free
    for season in closing:
        for room in sorted(set(prop.room_types.values())):
            for night in season.nights():
                cells.setdefault((room, night), 0)
    availability = tuple(
        AvailabilityCell(room_type=room, night=night, available=free)
        for (room, night), free in sorted(cells.items())
    )
    return InboundAri(hotel, prop.hub_property, None, availability, complete_set=complete, notes=tuple(notes))
