"""The push channel folds complete sets as AlpineBits defines them: the set replaces its hotel's rooms left,
an empty Inventory inside one is a reset (not an error), deltas after it add to it, other sections stay."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ari_messages import Count, Rate, inv_notif, rate_notif
from lxml import etree

from connectors.ota.settings import OTA_NS
from connectors.ota.simulator.book import AriBook
from connectors.ota.simulator.complete_sets import replaced_hotel, reset_positions

MAY = date(2026, 5, 1)


def day(n: int) -> date:
    return MAY + timedelta(days=n - 1)


def reset(hotel: str) -> etree._Element:
    """A complete set with one empty Inventory: no room of the hotel free anywhere."""
    message = inv_notif(hotel, [], complete_set=True)
    holder = message.find(f"{{{OTA_NS}}}Inventories")
    assert holder is not None
    etree.SubElement(holder, f"{{{OTA_NS}}}Inventory")
    return message


def errors(book: AriBook, message: etree._Element) -> list[object]:
    items, _ = book.fold(message)
    return [item.error for item in items if item.error is not None]


def stocked() -> AriBook:
    """A book holding rooms left of two hotels and a rate of H1."""
    book = AriBook()
    for message in (
        inv_notif("H1", [Count("DBL", day(1), day(10), 4), Count("OLD", day(1), day(3), 7)]),
        inv_notif("H2", [Count("DBL", day(1), day(1), 9)]),
        rate_notif("H1", [Rate("DBL", "BAR", day(1), day(2), {None: "100"})]),
    ):
        assert errors(book, message) == []
    return book


def test_given_a_reset_complete_set_when_folded_then_the_hotel_shows_no_room_and_nothing_is_refused() -> None:
    book = stocked()

    refused = errors(book, reset("H1"))

    shown = book.as_dict()
    assert refused == []
    assert shown["H1"]["availability"] == {}
    assert shown["H2"]["availability"] == {"DBL": {day(1): 9}}
    assert shown["H1"]["rates"]["DBL"]["BAR"][day(1)]["amount"] == Decimal(100)  # another section


def test_given_a_set_cut_in_two_messages_when_folded_then_the_delta_adds_to_the_set() -> None:
    book = stocked()

    assert errors(book, inv_notif("H1", [Count("DBL", day(2), day(3), 1)], complete_set=True)) == []
    assert errors(book, inv_notif("H1", [Count("DBL", day(4), day(4), 0)])) == []

    assert book.as_dict()["H1"]["availability"] == {"DBL": {day(2): 1, day(3): 1, day(4): 0}}


def test_given_an_empty_inventory_outside_a_complete_set_when_folded_then_it_is_refused() -> None:
    message = reset("H1")
    unique = message.find(f"{{{OTA_NS}}}UniqueID")
    assert unique is not None
    message.remove(unique)

    assert replaced_hotel(message) is None and reset_positions(message) == frozenset()
    assert len(errors(stocked(), message)) == 1
