"""Domain rules of the PMS core: stay nights, prices, revision order, modification plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from canonical.base import Money
from canonical.booking import BookingStatus, NightlyPrice
from pms_core.model import (
    PlannedStay,
    RevisionOrder,
    StayStep,
    compare_revisions,
    is_live,
    latest_revision,
    new_confirmation,
    night_moves,
    plan_stays,
    price_nights,
    stay_nights,
    stay_total,
)

JUNE_1, JUNE_2, JUNE_3, JUNE_4 = (date(2031, 6, day) for day in (1, 2, 3, 4))


def price(night: date, amount: str) -> NightlyPrice:
    """A partner's price for one night, in euros."""
    return NightlyPrice(night=night, price=Money(amount=Decimal(amount), currency="EUR"))


def test_given_arrival_and_departure_when_nights_counted_then_departure_day_excluded() -> None:
    assert stay_nights(JUNE_1, JUNE_4) == [JUNE_1, JUNE_2, JUNE_3]


def test_given_stay_across_month_end_when_nights_counted_then_calendar_followed() -> None:
    assert stay_nights(date(2031, 2, 27), date(2031, 3, 2)) == [
        date(2031, 2, 27),
        date(2031, 2, 28),
        date(2031, 3, 1),
    ]


def test_given_departure_not_after_arrival_when_nights_counted_then_refused() -> None:
    with pytest.raises(ValueError, match="departure"):
        stay_nights(JUNE_2, JUNE_2)


def test_given_partner_nightly_prices_when_priced_then_each_night_its_own_and_total_summed() -> None:
    amounts = price_nights([JUNE_1, JUNE_2], nightly=[price(JUNE_1, "100.00"), price(JUNE_2, "80.50")])

    assert amounts == [Decimal("100.00"), Decimal("80.50")]
    assert stay_total(amounts) == Decimal("180.50")


def test_given_only_a_total_when_priced_then_spread_evenly_with_leftover_cents_first() -> None:
    amounts = price_nights([JUNE_1, JUNE_2, JUNE_3], total=Decimal("100.00"))

    assert amounts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert stay_total(amounts) == Decimal("100.00")


def test_given_default_rate_when_priced_then_every_night_at_that_rate() -> None:
    amounts = price_nights([JUNE_1, JUNE_2], default_rate=Decimal("120.00"))

    assert stay_total(amounts) == Decimal("240.00")


def test_given_no_price_at_all_when_priced_then_unknown_not_zero() -> None:
    amounts = price_nights([JUNE_1, JUNE_2])

    assert amounts == [None, None]
    assert stay_total(amounts) is None


def test_given_partner_total_when_totalled_then_partner_total_wins() -> None:
    assert stay_total([Decimal("10.00")], given=Decimal("12.00")) == Decimal("12.00")


@pytest.mark.parametrize(
    ("incoming", "applied", "order"),
    [
        ("2031-01-01T10:05:00Z", "2031-01-01T10:00:00Z", RevisionOrder.NEWER),
        ("2031-01-01T09:00:00Z", "2031-01-01T10:00:00Z", RevisionOrder.OLDER),
        ("2031-01-01T11:00:00+01:00", "2031-01-01T10:00:00Z", RevisionOrder.SAME),
        ("2031-01-01T10:00:00", "2031-01-01T10:00:00Z", RevisionOrder.SAME),
        ("10", "9", RevisionOrder.NEWER),
        ("9", "10", RevisionOrder.OLDER),
        ("b", "a", RevisionOrder.NEWER),
        ("anything", None, RevisionOrder.NEWER),
    ],
)
def test_given_two_revisions_when_compared_then_timestamps_by_time_numbers_by_value(
    incoming: str, applied: str | None, order: RevisionOrder
) -> None:
    assert compare_revisions(incoming, applied) is order


def test_given_revisions_out_of_order_when_latest_asked_then_newest_by_time() -> None:
    revisions = ["2031-01-01T10:05:00Z", None, "2031-01-01T10:30:00Z", "2031-01-01T10:10:00Z"]

    assert latest_revision(revisions) == "2031-01-01T10:30:00Z"
    assert latest_revision([]) is None


def test_given_more_stays_wanted_when_planned_then_existing_updated_and_rest_added() -> None:
    plan = plan_stays({0: BookingStatus.CONFIRMED}, 3)

    assert plan == [
        PlannedStay(0, StayStep.UPDATE),
        PlannedStay(1, StayStep.ADD),
        PlannedStay(2, StayStep.ADD),
    ]


def test_given_fewer_stays_wanted_when_planned_then_surplus_live_stays_cancelled() -> None:
    existing = {0: BookingStatus.MODIFIED, 1: BookingStatus.CONFIRMED, 2: BookingStatus.CANCELLED}

    assert plan_stays(existing, 1) == [
        PlannedStay(0, StayStep.UPDATE),
        PlannedStay(1, StayStep.CANCEL),
        PlannedStay(2, StayStep.KEEP_CANCELLED),
    ]


def test_given_cancelled_stay_wanted_again_when_planned_then_reinstated() -> None:
    assert plan_stays({0: BookingStatus.CANCELLED}, 1) == [PlannedStay(0, StayStep.REINSTATE)]


def test_given_stay_moved_by_a_day_when_diffed_then_only_edge_nights_move() -> None:
    old = [(1, JUNE_1), (1, JUNE_2)]
    new = [(1, JUNE_2), (1, JUNE_3)]

    assert night_moves(old, new) == ([(1, JUNE_1)], [(1, JUNE_3)])


def test_given_room_type_changed_when_diffed_then_all_nights_move_in_lock_order() -> None:
    release, take = night_moves([(2, JUNE_2), (2, JUNE_1)], [(1, JUNE_2), (1, JUNE_1)])

    assert release == [(2, JUNE_1), (2, JUNE_2)]
    assert take == [(1, JUNE_1), (1, JUNE_2)]


@pytest.mark.parametrize(
    ("status", "holds_rooms"),
    [
        (BookingStatus.CONFIRMED, True),
        (BookingStatus.MODIFIED, True),
        (BookingStatus.IN_HOUSE, True),
        (BookingStatus.CHECKED_OUT, True),
        (BookingStatus.CANCELLED, False),
        (BookingStatus.NO_SHOW, False),
    ],
)
def test_given_status_when_asked_if_live_then_only_cancelled_and_no_show_free_rooms(
    status: BookingStatus, holds_rooms: bool
) -> None:
    assert is_live(status) is holds_rooms


def test_given_direct_booking_when_confirmation_made_then_prefixed_and_unambiguous() -> None:
    confirmations = {new_confirmation() for _ in range(200)}

    assert len(confirmations) == 200
    assert all(c.startswith("D") and len(c) == 10 and not set(c[1:]) & set("IO01") for c in confirmations)


def test_given_labelled_revisions_at_one_instant_when_compared_then_cancel_follows_modify_follows_commit() -> (
    None
):
    at = "2030-12-01T09:00:00+00:00"
    assert compare_revisions(f"Cancel@{at}", f"Commit@{at}") is RevisionOrder.NEWER
    assert compare_revisions(f"Modify@{at}", f"Commit@{at}") is RevisionOrder.NEWER
    assert compare_revisions(f"Commit@{at}", f"Cancel@{at}") is RevisionOrder.OLDER
    assert compare_revisions(f"Commit@{at}", f"Commit@{at}") is RevisionOrder.SAME


def test_given_labelled_revisions_when_instants_differ_then_the_later_instant_wins_whatever_the_label() -> (
    None
):
    assert (
        compare_revisions("Cancel@2030-12-01T09:05:00+00:00", "Commit@2030-12-01T09:00:00+00:00")
        is RevisionOrder.NEWER
    )
    assert (
        compare_revisions("Commit@2030-12-01T08:00:00+00:00", "Modify@2030-12-01T09:00:00+00:00")
        is RevisionOrder.OLDER
    )


def test_given_content_digests_when_compared_then_equal_is_same_and_different_is_newer() -> None:
    assert compare_revisions("Modify#sha256:aa", "Commit#sha256:bb") is RevisionOrder.NEWER
    assert compare_revisions("Commit#sha256:bb", "Modify#sha256:aa") is RevisionOrder.NEWER
    assert compare_revisions("Commit#sha256:bb", "Commit#sha256:bb") is RevisionOrder.SAME
