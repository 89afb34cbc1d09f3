"""AlpineBits-style complete sets as the push channel reads them: which hotel a set replaces, and resets.

A message starting with `UniqueID Instance="CompleteSet"` replaces everything the channel holds of
its hotel in that message's section (rooms left for OTA_HotelInvCountNotifRQ): what the set does not
name is no longer shown, so stale values of codes or nights the sender dropped go. An item with no
content at all (`<Inventory/>`) is, inside a complete set, the reset AlpineBits defines (nothing
free anywhere), not an item in error.
"""

from __future__ import annotations

from lxml import etree

from connectors.ota.simulator.wire import ota

_HOLDERS = {
    "OTA_HotelAvailNotifRQ": ("AvailStatusMessages", "AvailStatusMessage"),
    "OTA_HotelRateAmountNotifRQ": ("RateAmountMessages", "RateAmountMessage"),
    "OTA_HotelInvCountNotifRQ": ("Inventories", "Inventory"),
}


def is_complete_set(message: etree._Element) -> bool:
    """True when the message carries `UniqueID Instance="CompleteSet"` (before or inside its holder)."""
    ids = [*message.findall(ota("UniqueID")), *message.findall(f"{ota('Inventories')}/{ota('UniqueID')}")]
    return any(unique.get("Instance") == "CompleteSet" for unique in ids)


def replaced_hotel(message: etree._Element) -> str | None:
    """The HotelCode whose state a complete set replaces; None for a delta message."""
    if not is_complete_set(message):
        return None
    holder_name, _ = _HOLDERS.get(etree.QName(message).localname, ("", ""))
    holder = message.find(ota(holder_name)) if holder_name else None
    return "" if holder is None else holder.get("HotelCode") or ""


def reset_positions(message: etree._Element) -> frozenset[int]:
    """1-based positions of a complete set's empty items (resets); empty for a delta message."""
    if not is_complete_set(message):
        return frozenset()
    holder_name, tag = _HOLDERS.get(etree.QName(message).localname, ("", ""))
    holder = message.find(ota(holder_name)) if holder_name else None
    if holder is None:
        return frozenset()
    return frozenset(
        position
        for position, item in enumerate(holder.findall(ota(tag)), start=1)
        if len(item) == 0 and not item.attrib
    )
