"""The push channel's fold: ranges, weekday flags, per-occupancy rates, restriction kinds, last write wins."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ari_messages import Count, Rate, Restriction, avail_notif, inv_notif, rate_notif

from connectors.ota.simulator.book import AriBook
from connectors.ota.simulator.items import read_items

MAY = date(2026, 5, 1)  # a Friday


def fold(book: AriBook, *messages) -> AriBook:
    for message in messages:
        items, _ = book.fold(message)
        assert [item.error for item in items if item.error is not None] == []
    return book


def day(n: int) -> date:
    return MAY + timedelta(days=n - 1)


def test_given_overlapping_count_ranges_when_folded_then_the_later_wins_only_where_it_overlaps() -> None:
    book = fold(
        AriBook(),
        inv_notif("H1", [Count("DBL", day(1), day(10), 5)]),
        inv_notif("H1", [Count("DBL", day(4), day(6), 2), Count("DBL", day(6), day(12), 7)]),
    )
    shown = book.as_dict()["H1"]["availability"]["DBL"]
    assert shown == {day(n): (5 if n < 4 else 2 if n < 6 else 7) for n in range(1, 13)}


def test_given_weekday_flags_when_folded_then_only_the_days_set_true_change() -> None:
    weekend = {"Sat": "true", "Sun": "1", "Mon": "false"}
    book = fold(
        AriBook(),
        rate_notif("H1", [Rate("DBL", "BAR", day(1), day(14), {None: "100"})]),
        rate_notif("H1", [Rate("DBL", "BAR", day(1), day(14), {None: "140"}, days=weekend)]),
    )
    nights = book.as_dict()["H1"]["rates"]["DBL"]["BAR"]
    weekends = {night for night in nights if night.weekday() >= 5}
    assert len(weekends) == 4
    assert {night: cell["amount"] for night, cell in nights.items()} == {
        night: Decimal(140 if night in weekends else 100) for night in nights
    }


def test_given_no_weekday_flag_when_folded_then_every_night_from_start_to_end_inclusive_changes() -> None:
    book = fold(AriBook(), inv_notif("H1", [Count("SGL", day(3), day(9), 1)]))
    assert sorted(book.as_dict()["H1"]["availability"]["SGL"]) == [day(n) for n in range(3, 10)]


def test_given_amounts_per_occupancy_and_extras_when_folded_then_each_is_kept_per_guest_count() -> None:
    rate = Rate(
        "DBL",
        "BAR",
        day(1),
        day(2),
        {1: "80.00", 2: "100.00", 3: "120.50"},
        extra_adult="25",
        extra_child="10",
    )
    cell = fold(AriBook(), rate_notif("H1", [rate])).as_dict()["H1"]["rates"]["DBL"]["BAR"][day(2)]
    assert cell == {
        "amount": None,
        "by_guests": {1: Decimal("80.00"), 2: Decimal("100.00"), 3: Decimal("120.50")},
        "extra_adult": Decimal(25),
        "extra_child": Decimal(10),
        "currency": "EUR",
    }


def test_given_a_rate_without_notif_type_when_sent_again_then_it_replaces_the_night() -> None:
    book = fold(
        AriBook(),
        rate_notif("H1", [Rate("DBL", "BAR", day(1), day(1), {1: "80", 2: "100"}, extra_adult="20")]),
        rate_notif("H1", [Rate("DBL", "BAR", day(1), day(1), {2: "110"})]),
    )
    cell = book.as_dict()["H1"]["rates"]["DBL"]["BAR"][day(1)]
    assert (cell["by_guests"], cell["extra_adult"]) == ({2: Decimal(110)}, None)


def test_given_a_delta_rate_when_folded_then_it_changes_only_the_amounts_it_names() -> None:
    book = fold(
        AriBook(),
        rate_notif("H1", [Rate("DBL", "BAR", day(1), day(1), {1: "80", 2: "100"}, extra_adult="20")]),
        rate_notif("H1", [Rate("DBL", "BAR", day(1), day(1), {2: "110"})], notif_type="Delta"),
    )
    cell = book.as_dict()["H1"]["rates"]["DBL"]["BAR"][day(1)]
    assert (cell["by_guests"], cell["extra_adult"]) == ({1: Decimal(80), 2: Decimal(110)}, Decimal(20))


def test_given_each_restriction_kind_when_folded_then_each_lands_in_its_own_field() -> None:
    book = fold(
        AriBook(),
        avail_notif(
            "H1",
            [
                Restriction("DBL", "BAR", day(1), day(1), status="Close"),
                Restriction("DBL", "BAR", day(2), day(2), status="Close", restriction="Arrival"),
                Restriction("DBL", "BAR", day(3), day(3), status="Close", restriction="Departure"),
                Restriction("DBL", "BAR", day(4), day(4), stays=[("SetMinLOS", 2), ("SetMaxLOS", 7)]),
                Restriction(
                    "DBL",
                    "BAR",
                    day(5),
                    day(5),
                    stays=[("SetMinLOS", 3), ("SetMaxLOS", 9)],
                    arrival_based=False,
                ),
                Restriction(
                    "DBL", "BAR", day(6), day(6), stays=[("SetForwardMinStay", 4), ("SetForwardMaxStay", 5)]
                ),
                Restriction("DBL", "BAR", day(7), day(7), min_advance="P2D", max_advance="P300D"),
            ],
        ),
    )
    cells = book.as_dict()["H1"]["restrictions"]["DBL"]["BAR"]
    changed = {night: {name: value for name, value in cell.items() if value} for night, cell in cells.items()}
    assert changed == {
        day(1): {"closed": True},
        day(2): {"closed_to_arrival": True},
        day(3): {"closed_to_departure": True},
        day(4): {"min_los": 2, "max_los": 7},
        day(5): {"min_los_through": 3, "max_los_through": 9},
        day(6): {"min_los_through": 4, "max_los_through": 5},
        day(7): {"min_advance_days": 2, "max_advance_days": 300},
    }


def test_given_later_restriction_messages_when_folded_then_the_last_write_wins_per_field() -> None:
    book = fold(
        AriBook(),
        avail_notif(
            "H1", [Restriction("DBL", "BAR", day(1), day(5), status="Close", stays=[("SetMinLOS", 3)])]
        ),
        avail_notif("H1", [Restriction("DBL", "BAR", day(2), day(3), status="Open")]),
        avail_notif("H1", [Restriction("DBL", "BAR", day(3), day(3), stays=[("RemoveMinLOS", None)])]),
        avail_notif("H1", [Restriction("DBL", "BAR", day(5), day(5), status="Close", restriction="Arrival")]),
    )
    cells = book.as_dict()["H1"]["restrictions"]["DBL"]["BAR"]
    assert [(cell["closed"], cell["min_los"], cell["closed_to_arrival"]) for cell in cells.values()] == [
        (True, 3, False),
        (False, 3, False),
        (False, None, False),
        (True, 3, False),
        (True, 3, True),
    ]


def test_given_a_complete_set_when_folded_then_nights_it_does_not_name_are_no_longer_shown() -> None:
    book = fold(
        AriBook(),
        inv_notif("H1", [Count("DBL", day(1), day(5), 4), Count("SGL", day(1), day(5), 2)]),
        inv_notif("H2", [Count("DBL", day(1), day(1), 9)]),
        inv_notif(
            "H1", [Count("DBL", day(2), day(3), 1), Count("SGL", day(4), day(4), None)], complete_set=True
        ),
    )
    shown = book.as_dict()
    assert shown["H1"]["availability"] == {"DBL": {day(2): 1, day(3): 1}, "SGL": {day(4): 0}}
    assert shown["H2"]["availability"] == {"DBL": {day(1): 9}}


def test_given_an_adjustment_when_folded_then_it_adds_to_the_count_shown() -> None:
    book = fold(
        AriBook(),
        inv_notif("H1", [Count("DBL", day(1), day(2), 4)]),
        inv_notif("H1", [Count("DBL", day(2), day(3), -1, adjust=True)]),
    )
    assert book.as_dict()["H1"]["availability"]["DBL"] == {day(1): 4, day(2): 3, day(3): -1}


def test_given_an_end_before_its_start_when_read_then_that_item_alone_is_refused_by_position() -> None:
    message = avail_notif(
        "H1",
        [
            Restriction("DBL", "BAR", day(1), day(2), status="Close"),
            Restriction("DBL", "BAR", day(5), day(4), status="Close", locator=None),
        ],
    )
    items = read_items(message)
    assert items[0].error is None
    assert items[1].error is not None
    assert (items[1].error.record_id, items[1].error.node_list) == (
        "2",
        "/OTA_HotelAvailNotifRQ/AvailStatusMessages/AvailStatusMessage[2]",
    )
    assert "before" in items[1].error.text


def test_given_an_unknown_restriction_kind_when_read_then_the_item_is_refused_as_not_implemented() -> None:
    message = avail_notif(
        "H1",
        [Restriction("DBL", "BAR", day(1), day(1), status="Close", restriction="TravelAgent", locator=7)],
    )
    (item,) = read_items(message)
    assert item.error is not None
    assert (item.error.type, item.error.record_id) == ("2", "7")


def test_given_a_booking_offset_that_is_not_whole_days_when_read_then_the_item_is_refused() -> None:
    (item,) = read_items(avail_notif("H1", [Restriction("DBL", "BAR", day(1), day(1), min_advance="PT12H")]))
    assert item.error is not None and "P<n>D" in item.error.text
