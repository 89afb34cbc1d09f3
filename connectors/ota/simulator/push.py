"""The push channel: takes the three ARI notifications, folds them into what it would show, answers OTA."""

from __future__ import annotations

from typing import Any

from lxml import etree

from connectors.ota.simulator.behaviour import ItemSelector
from connectors.ota.simulator.book import AriBook
from connectors.ota.simulator.channel import Handled, SimulatedChannel
from connectors.ota.simulator.items import ARI_MESSAGES, Item
from connectors.ota.simulator.wire import Issue, Received, ota

_HOLDERS = ("AvailStatusMessages", "RateAmountMessages", "Inventories")


class PushChannel(SimulatedChannel):
    """A channel the hub pushes availability, rates and restrictions to."""

    accepts = ARI_MESSAGES

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.book = AriBook()

    def hotel_of(self, message: etree._Element) -> str:
        """The HotelCode of the message's item holder."""
        for name in _HOLDERS:
            holder = message.find(ota(name))
            if holder is not None:
                return holder.get("HotelCode") or ""
        return ""

    def handle(self, received: Received, refuse: tuple[ItemSelector, ...]) -> Handled:
        """Fold every readable item not told to be refused; answer Errors for the others by RecordID."""

        def told(item: Item) -> Issue | None:
            selector = next((selector for selector in refuse if _matches(selector, item)), None)
            return None if selector is None else Issue("3", selector.code, selector.text)

        items, cells = self.book.fold(received.message, told)
        errors = tuple(item.error for item in items if item.error is not None)
        return Handled(errors=errors, items=len(items), cells=cells)

    def state(self) -> dict[str, Any]:
        """Hotel → availability / rates / restrictions → room type (→ rate plan) → night → value."""
        return self.book.as_dict()

    def reset_state(self) -> None:
        """Show nothing again."""
        self.book = AriBook()


def _matches(selector: ItemSelector, item: Item) -> bool:
    if selector.room_type is not None and selector.room_type != item.room_type:
        return False
    if selector.rate_plan is not None and selector.rate_plan != item.rate_plan:
        return False
    if selector.night is None:
        return True
    return selector.night in item.nights or any(selector.night in nights for nights, _ in item.rates)
