"""How one channel takes its ARI (the partner's `outbound.ari` block): shaping, envelope, rules.

Shaping cuts messages to the channel's sizes; `restrictions` lists the restriction types it accepts
(the others are never sent); `availability` holds the channel's own rules: a maximum of rooms to
show, rooms held back for direct sales, and close-outs of its own. The channel is sent the least of
these and the real count, so a rule never shows a room the hotel does not have. `complete_sets`
says the channel takes AlpineBits complete sets of rooms left: a resync replaces what it holds.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.ota.ari_codec import ALL_RESTRICTIONS, RestrictionType
from connectors.ota.ari_shaping import Shaping
from connectors.ota.codec import UsernameToken


class CloseOut(BaseModel):
    """Rooms left shown as 0 to this channel only, for one room type (or every one) over a range."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    room_type: str | None = Field(default=None, min_length=1, max_length=64)  # None: every room type
    first: date = Field(alias="from")
    last: date = Field(alias="to")

    @model_validator(mode="after")
    def _in_order(self) -> CloseOut:
        if self.last < self.first:
            raise ValueError("to is before from")
        return self

    def covers(self, room_type: str, night: date) -> bool:
        """True when this close-out holds that room type's night."""
        return (self.room_type is None or self.room_type == room_type) and self.first <= night <= self.last


class AvailabilityRules(BaseModel):
    """A channel's own availability rules: min(real, max_shown, real - hold_back), 0 if closed out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_shown: Annotated[int, Field(ge=0, le=9999)] | None = None
    hold_back: Annotated[int, Field(ge=0, le=9999)] = 0
    closed_out: tuple[CloseOut, ...] = ()

    def shown(self, room_type: str, night: date, available: int) -> int:
        """Rooms left this channel is shown of a room type's night."""
        if any(close.covers(room_type, night) for close in self.closed_out):
            return 0
        shown = max(available - self.hold_back, 0)
        return shown if self.max_shown is None else min(shown, self.max_shown)


class AriPolicy(BaseModel):
    """A channel's ARI settings; every field has the hub's default (plain XML, no size caps beyond
    the policy's max_message_bytes, every restriction type, no availability rules)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    envelope: Literal["plain", "soap11"] = "plain"
    max_cells: Annotated[int, Field(ge=1)] | None = None
    max_bytes: Annotated[int, Field(ge=1024)] | None = None
    max_span_days: Annotated[int, Field(ge=1, le=1098)] | None = None
    separate_requests: bool = True  # False: rooms left travel with the restrictions (BookingLimit)
    restrictions: frozenset[RestrictionType] = ALL_RESTRICTIONS
    availability: AvailabilityRules = AvailabilityRules()
    complete_sets: bool = False  # a resync sends rooms left as one AlpineBits CompleteSet

    @model_validator(mode="after")
    def _complete_sets_apart(self) -> AriPolicy:
        if self.complete_sets and not self.separate_requests:
            raise ValueError("complete_sets needs separate_requests: true (rooms left in their own requests)")
        return self

    def shaping(self, *, max_message_bytes: int, username_token: UsernameToken | None) -> Shaping:
        """The connector's Shaping for this channel (the smaller of max_bytes and the policy's cap)."""
        cap = min(self.max_bytes or max_message_bytes, max_message_bytes)
        return Shaping(
            max_cells=self.max_cells,
            max_bytes=cap,
            max_span_days=self.max_span_days,
            separate_requests=self.separate_requests,
            accepted=self.restrictions,
            envelope=self.envelope,
            username_token=username_token if self.envelope == "soap11" else None,
            complete_sets=self.complete_sets,
        )
