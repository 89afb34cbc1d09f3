"""The push channel's folded state: what it would show, after every accepted item in arrival order.

Availability per (hotel, room type, night); rates per (hotel, room type, rate plan, night), with
amounts per number of guests; restrictions per (hotel, room type, rate plan, night). The last write
wins per field: a restriction item sets only the fields it names, a rate item replaces the night's
rate (adds to it under NotifType="Delta", removes it under "Remove"), a count sets the night's
availability (adds to it under ActionType="Adjustment").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from connectors.ota.simulator.complete_sets import replaced_hotel, reset_positions
from connectors.ota.simulator.items import (
    ALL,
    AVAIL_NOTIF,
    INV_COUNT_NOTIF,
    RATE_AMOUNT_NOTIF,
    Item,
    RateValue,
    read_items,
)
from connectors.ota.simulator.wire import Issue

_SECTIONS = {AVAIL_NOTIF: "restrictions", RATE_AMOUNT_NOTIF: "rates", INV_COUNT_NOTIF: "availability"}

RESTRICTION_DEFAULTS: dict[str, bool | int | None] = {
    "closed": False,
    "closed_to_arrival": False,
    "closed_to_departure": False,
    "min_los": None,
    "max_los": None,
    "min_los_through": None,
    "max_los_through": None,
    "min_advance_days": None,
    "max_advance_days": None,
}


class AriBook:
    """Availability, rates and restrictions as the channel holds them."""

    def __init__(self) -> None:
        self.availability: dict[tuple[str, str, date], int] = {}
        self.rates: dict[tuple[str, str, str, date], RateValue] = {}
        self.restrictions: dict[tuple[str, str, str, date], dict[str, bool | int | None]] = {}

    def fold(
        self, message: etree._Element, refuse: Callable[[Item], Issue | None] = lambda item: None
    ) -> tuple[list[Item], int]:
        """Fold a whole notification in: every readable item `refuse` lets through, in order.

        Returns its items (refused ones carry their error) and how many night cells were applied.
        """
        name = etree.QName(message).localname
        hotel = replaced_hotel(message)
        if hotel is not None:
            # AlpineBits-style CompleteSet: what the message does not name is no longer shown.
            self.clear(hotel, _SECTIONS[name])
        resets = reset_positions(message)
        items = [item for item in read_items(message) if item.index not in resets]
        cells = 0
        for item in items:
            if item.error is None:
                issue = refuse(item)
                if issue is not None:
                    item.refuse(issue)
            if item.error is None:
                cells += self.apply(item, notif_type=message.get("NotifType"))
        return items, cells

    def apply(self, item: Item, *, notif_type: str | None = None) -> int:
        """Fold one accepted item in; returns how many night cells it touched."""
        touched = 0
        if item.available is not None:
            action, count = item.available
            for night in item.nights:
                key = (item.hotel, item.room_type, night)
                self.availability[key] = count + (self.availability.get(key, 0) if action == "adjust" else 0)
            touched += len(item.nights)
        if item.restrictions:
            plan = item.rate_plan or ALL
            for night in item.nights:
                cell = self.restrictions.setdefault(
                    (item.hotel, item.room_type, plan, night), dict(RESTRICTION_DEFAULTS)
                )
                cell.update(item.restrictions)
            touched += len(item.nights)
        for nights, value in item.rates:
            for night in nights:
                self._rate((item.hotel, item.room_type, item.rate_plan or ALL, night), value, notif_type)
            touched += len(nights)
        return touched

    def _rate(self, key: tuple[str, str, str, date], value: RateValue, notif_type: str | None) -> None:
        if notif_type == "Remove":
            self.rates.pop(key, None)
            return
        if notif_type != "Delta" or key not in self.rates:
            self.rates[key] = value
            return
        old = self.rates[key]
        self.rates[key] = RateValue(
            amount=value.amount if value.amount is not None else old.amount,
            by_guests=tuple(sorted((dict(old.by_guests) | dict(value.by_guests)).items())),
            extra_adult=value.extra_adult if value.extra_adult is not None else old.extra_adult,
            extra_child=value.extra_child if value.extra_child is not None else old.extra_child,
            currency=value.currency or old.currency,
        )

    def clear(self, hotel: str, section: str) -> None:
        """Forget one hotel's availability, rates or restrictions: a CompleteSet starts from nothing."""
        table: dict[Any, Any] = getattr(self, section)
        for key in [key for key in table if key[0] == hotel]:
            del table[key]

    def as_dict(self) -> dict[str, Any]:
        """The state as plain nested dicts: hotel → section → room type (→ rate plan) → night → value."""
        out: dict[str, Any] = {}
        for (hotel, room, night), count in sorted(self.availability.items()):
            _section(out, hotel, "availability").setdefault(room, {})[night] = count
        for (hotel, room, plan, night), value in sorted(self.rates.items(), key=lambda pair: pair[0]):
            rooms = _section(out, hotel, "rates")
            rooms.setdefault(room, {}).setdefault(plan, {})[night] = {
                "amount": value.amount,
                "by_guests": dict(value.by_guests),
                "extra_adult": value.extra_adult,
                "extra_child": value.extra_child,
                "currency": value.currency,
            }
        for (hotel, room, plan, night), cell in sorted(self.restrictions.items(), key=lambda pair: pair[0]):
            _section(out, hotel, "restrictions").setdefault(room, {}).setdefault(plan, {})[night] = dict(cell)
        return out


def _section(out: dict[str, Any], hotel: str, name: str) -> dict[str, Any]:
    sections = out.setdefault(hotel, {"availability": {}, "rates": {}, "restrictions": {}})
    section: dict[str, Any] = sections[name]
    return section


def jsonable(value: Any) -> Any:
    """The state with dates as ISO strings, amounts as decimal strings and every key a string."""
    if isinstance(value, dict):
        return {
            key if isinstance(key, str) else str(jsonable(key)): jsonable(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
