"""A partner's code map: its hotel, room type and rate plan codes -> the hub's; unmapped is an error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from connectors.ota.errors import UnknownHotel, UnmappedRatePlan, UnmappedRoomType


@dataclass(frozen=True)
class PropertyCodes:
    """One partner hotel: the hub property it is, its currency, and its room type / rate plan maps.

    `timezone` (IANA) says which day is today at the property; `max_occupancy` holds the most
    guests each hub room type takes (a room type missing from it is not checked).
    """

    hub_property: str
    currency: str
    room_types: Mapping[str, str]
    rate_plans: Mapping[str, str]
    timezone: str = "UTC"
    max_occupancy: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnerCodes:
    """Every hotel of one partner, keyed by the partner's HotelCode."""

    hotels: Mapping[str, PropertyCodes]

    def property_for(self, hotel_code: str) -> PropertyCodes:
        """The mapped property, or UnknownHotel naming the code."""
        try:
            return self.hotels[hotel_code]
        except KeyError:
            raise UnknownHotel(hotel_code) from None

    def only_hotel(self) -> str | None:
        """The partner's hotel code when it has exactly one (messages may then omit HotelCode)."""
        if len(self.hotels) == 1:
            return next(iter(self.hotels))
        return None


def hub_room_type(codes: PropertyCodes, room_type: str, *, hotel_code: str) -> str:
    """The hub room type for a partner RoomTypeCode, or UnmappedRoomType naming it."""
    try:
        return codes.room_types[room_type]
    except KeyError:
        raise UnmappedRoomType(room_type, hotel_code=hotel_code) from None


def hub_rate_plan(codes: PropertyCodes, rate_plan: str, *, hotel_code: str) -> str:
    """The hub rate plan for a partner RatePlanCode, or UnmappedRatePlan naming it."""
    try:
        return codes.rate_plans[rate_plan]
    except KeyError:
        raise UnmappedRatePlan(rate_plan, hotel_code=hotel_code) from None
