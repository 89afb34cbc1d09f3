"""The tax basis of a booking's amounts: stored with each room stay, changed by a modification."""

from __future__ import annotations

import pytest
from pms_builders import a_direct_booking, a_property, a_reservation, a_stay
from pms_driver import PmsDriver

from canonical.booking import BookingAction, BookingChange, TaxBasis


@pytest.fixture
async def hotel(pms: PmsDriver) -> PmsDriver:
    """A property with 3 DBL rooms and 1 SGL room."""
    await pms.define(a_property())
    return pms


def _bases_in_events(pms: PmsDriver) -> list[TaxBasis | None]:
    return [event.tax_basis for _, event in pms.events if isinstance(event, BookingChange)]


async def test_given_net_prices_when_received_then_booking_and_event_say_before_tax(hotel: PmsDriver) -> None:
    await hotel.receive(a_reservation(stays=(a_stay(tax_basis=TaxBasis.BEFORE_TAX),)))

    [booking] = await hotel.bookings()
    assert booking.tax_basis is TaxBasis.BEFORE_TAX
    detail = await hotel.booking(booking.id)
    assert detail is not None and detail.tax_basis is TaxBasis.BEFORE_TAX
    assert _bases_in_events(hotel) == [TaxBasis.BEFORE_TAX]


async def test_given_net_booking_when_modified_with_gross_prices_then_after_tax_and_cancel_keeps_it(
    hotel: PmsDriver,
) -> None:
    await hotel.receive(a_reservation(stays=(a_stay(tax_basis=TaxBasis.BEFORE_TAX),)))
    gross = (a_stay(nightly="110.00", tax_basis=TaxBasis.AFTER_TAX),)
    await hotel.receive(a_reservation(action=BookingAction.MODIFY, rev=1, stays=gross))

    [booking] = await hotel.bookings()
    assert booking.tax_basis is TaxBasis.AFTER_TAX
    await hotel.receive(a_reservation(action=BookingAction.CANCEL, rev=2))
    [cancelled] = await hotel.bookings()
    assert cancelled.tax_basis is TaxBasis.AFTER_TAX
    detail = await hotel.booking(booking.id)
    assert detail is not None
    assert [rev.snapshot.tax_basis for rev in detail.revisions] == [
        TaxBasis.BEFORE_TAX,
        TaxBasis.AFTER_TAX,
        TaxBasis.AFTER_TAX,
    ]


async def test_given_a_stay_without_prices_when_received_then_tax_basis_unknown(hotel: PmsDriver) -> None:
    await hotel.receive(a_reservation(stays=(a_stay(nightly=None),)))

    [booking] = await hotel.bookings()
    assert booking.tax_basis is None and booking.total is None


async def test_given_a_direct_booking_when_made_then_its_default_rates_are_after_tax(
    hotel: PmsDriver,
) -> None:
    view = await hotel.book(a_direct_booking())

    assert view.tax_basis is TaxBasis.AFTER_TAX
    [booking] = await hotel.bookings()
    assert booking.tax_basis is TaxBasis.AFTER_TAX
    assert _bases_in_events(hotel) == [TaxBasis.AFTER_TAX]
