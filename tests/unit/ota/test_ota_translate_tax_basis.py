"""OTA amounts -> canonical room stays that say whether their prices include tax."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ota_unit_builders import res_notif, reservation, room_stay

from canonical.booking import BookingReceived, TaxBasis

Translate = Callable[..., list[BookingReceived]]


def rate(amounts: str) -> str:
    """One per-night Rate over the builders' default stay (2030-05-01 to 05-04) with these amounts."""
    return (
        '<Rate EffectiveDate="2030-05-01" ExpireDate="2030-05-04" RateTimeUnit="Day">'
        f'<Base {amounts} CurrencyCode="EUR"/></Rate>'
    )


NET_RATE = rate('AmountBeforeTax="90.00"')
GROSS_RATE = rate('AmountAfterTax="100.00"')
BOTH_TOTAL = '<Total AmountBeforeTax="270.00" AmountAfterTax="300.00" CurrencyCode="EUR"/>'


def test_given_before_tax_rates_when_translated_then_stay_says_before_tax(translate: Translate) -> None:
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=NET_RATE, total=BOTH_TOTAL),))))
    (stay,) = booking.room_stays
    assert stay.tax_basis is TaxBasis.BEFORE_TAX
    assert {night.price.amount for night in stay.nightly} == {Decimal("90.00")}
    # the Total is read in the rates' basis when it carries both amounts
    assert stay.total is not None and stay.total.amount == Decimal("270.00")


def test_given_after_tax_rates_when_translated_then_stay_says_after_tax(translate: Translate) -> None:
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=GROSS_RATE, total=BOTH_TOTAL),))))
    (stay,) = booking.room_stays
    assert stay.tax_basis is TaxBasis.AFTER_TAX
    assert stay.total is not None and stay.total.amount == Decimal("300.00")


def test_given_rates_with_both_amounts_when_translated_then_after_tax_is_taken(translate: Translate) -> None:
    (booking,) = translate(res_notif())
    (stay,) = booking.room_stays
    assert stay.tax_basis is TaxBasis.AFTER_TAX
    assert {night.price.amount for night in stay.nightly} == {Decimal("100.00")}


def test_given_no_amounts_when_translated_then_tax_basis_unknown(translate: Translate) -> None:
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates="", total=""),))))
    (stay,) = booking.room_stays
    assert stay.nightly == () and stay.total is None
    assert stay.tax_basis is None


def test_given_only_a_before_tax_total_when_translated_then_stay_says_before_tax(
    translate: Translate,
) -> None:
    total = '<Total AmountBeforeTax="270.00" CurrencyCode="EUR"/>'
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates="", total=total),))))
    (stay,) = booking.room_stays
    assert stay.tax_basis is TaxBasis.BEFORE_TAX
    assert stay.total is not None and stay.total.amount == Decimal("270.00")


def test_given_net_rates_and_a_gross_only_total_when_translated_then_the_total_is_dropped(
    translate: Translate,
) -> None:
    (booking,) = translate(res_notif(reservation(stays=(room_stay(rates=NET_RATE),))))
    (stay,) = booking.room_stays
    assert stay.tax_basis is TaxBasis.BEFORE_TAX
    assert stay.total is None  # the core sums the net nights instead


def test_given_a_lone_stay_priced_by_the_global_total_when_translated_then_it_takes_its_basis(
    translate: Translate,
) -> None:
    global_total = '<Total AmountBeforeTax="270.00" CurrencyCode="EUR"/>'
    body = res_notif(reservation(stays=(room_stay(rates="", total=""),), global_info=global_total))
    (booking,) = translate(body)
    (stay,) = booking.room_stays
    assert stay.tax_basis is TaxBasis.BEFORE_TAX
    assert booking.total is not None and booking.total.amount == Decimal("270.00")


def test_given_stays_on_different_bases_when_translated_then_each_keeps_its_own(translate: Translate) -> None:
    stays = (room_stay(rates=NET_RATE, total=""), room_stay(room_type="SGL", rates=GROSS_RATE, total=""))
    (booking,) = translate(res_notif(reservation(stays=stays)))
    assert [stay.tax_basis for stay in booking.room_stays] == [TaxBasis.BEFORE_TAX, TaxBasis.AFTER_TAX]
