"""Refusals of the stay, housekeeping and profile use cases (all permanent: retrying changes nothing).

PermanentError
 +-- StayNotFound        no booking / stay / room / profile with that id in the property (404)
 +-- StayConflict        the booking, stay or profile is not in a state that allows it (409)
 |    +-- RoomOccupied   the room holds another guest, or another stay holds one of its nights
 |    +-- RoomNotReady   the room is dirty, out of order or out of service
 +-- StayInvalid         the request cannot be right whatever the state (422)
"""

from __future__ import annotations

from canonical.errors import PermanentError


class StayNotFound(PermanentError):
    """No booking, stay, room or profile with this id or number."""


class StayConflict(PermanentError):
    """The booking, stay or profile is not in a state that allows this."""


class RoomOccupied(StayConflict):
    """The room holds another guest, or another stay holds one of the nights asked for."""


class RoomNotReady(StayConflict):
    """The room is not vacant and clean (or inspected), or is out of order."""


class StayInvalid(PermanentError):
    """A request that cannot be right whatever the state (a departure before the arrival)."""
