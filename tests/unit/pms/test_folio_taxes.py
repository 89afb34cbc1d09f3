"""Taxes of a charge line: inclusive and exclusive, percent and per person-night, at each currency's exponent."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from folio_builders import a_charge, a_code_book, a_tax
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from canonical.folio_codes import FolioCodeBook
from canonical.money import (
    AmountNotInCurrency,
    allocate,
    exact,
    exponent,
    from_minor,
    quantise,
    quantum,
    to_minor,
)
from pms_core.folio_taxes import ChargeRefused, tax_charge

CURRENCIES = ["EUR", "JPY", "KWD", "CNY", "BHD"]


def _room_taxes(currency: str):  # type: ignore[no-untyped-def]
    book = a_code_book(currency)
    room = book.find("ROOM")
    assert room is not None
    return book.taxes_of(room)


def _amounts(taxed) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    return {"net": taxed.net, **{tax.code: amount for tax, amount in taxed.taxes}}


def test_given_iso_4217_when_asking_exponents_then_jpy_0_cny_2_kwd_and_bhd_3() -> None:
    assert [exponent(code) for code in ("JPY", "CNY", "EUR", "KWD", "BHD", "CLF")] == [0, 2, 2, 3, 3, 4]
    assert quantum("KWD") == Decimal("0.001")
    assert to_minor(Decimal("12.345"), "KWD") == 12345
    assert from_minor(12345, "JPY") == Decimal(12345)


def test_given_more_places_than_the_currency_has_when_held_exactly_then_refused() -> None:
    with pytest.raises(AmountNotInCurrency, match="JPY"):
        exact(Decimal("100.5"), "JPY")
    assert exact(Decimal("100.500"), "EUR") == Decimal("100.50")


def test_given_a_half_minor_unit_when_quantised_then_rounded_half_away_from_zero() -> None:
    assert quantise(Decimal("0.105"), "EUR") == Decimal("0.11")
    assert Decimal("0.105").quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) == Decimal("0.10")
    assert quantise(Decimal("-0.105"), "EUR") == Decimal("-0.11")
    assert quantise(Decimal("10.5"), "JPY") == Decimal(11)


def test_given_eur_room_with_vat_inclusive_when_taxed_then_net_plus_vat_is_the_price_and_city_tax_added() -> (
    None
):
    taxed = tax_charge(Decimal("110.00"), 1, 2, _room_taxes("EUR"), "EUR")
    assert _amounts(taxed) == {
        "net": Decimal("100.00"),
        "VAT10": Decimal("10.00"),
        "CITYTAX": Decimal("3.00"),
    }
    assert taxed.total == Decimal("113.00")


def test_given_three_nights_when_taxed_then_city_tax_is_per_person_and_night() -> None:
    taxed = tax_charge(Decimal("110.00"), 3, 2, _room_taxes("EUR"), "EUR")
    assert _amounts(taxed) == {
        "net": Decimal("300.00"),
        "VAT10": Decimal("30.00"),
        "CITYTAX": Decimal("9.00"),
    }


def test_given_jpy_when_vat_is_carved_out_then_whole_yen_and_the_net_takes_the_rest() -> None:
    taxed = tax_charge(Decimal(10000), 1, 1, _room_taxes("JPY"), "JPY")
    # 10000 / 1.1 = 9090.909...: VAT 909.0909 rounds to 909, the net keeps 9091
    assert _amounts(taxed) == {"net": Decimal(9091), "VAT10": Decimal(909), "CITYTAX": Decimal(150)}


def test_given_kwd_when_vat_is_carved_out_then_three_decimal_places() -> None:
    taxed = tax_charge(Decimal("10.000"), 1, 1, _room_taxes("KWD"), "KWD")
    assert _amounts(taxed) == {
        "net": Decimal("9.091"),
        "VAT10": Decimal("0.909"),
        "CITYTAX": Decimal("0.150"),
    }


def test_given_cny_exclusive_vat_on_a_half_fen_when_taxed_then_rounded_up() -> None:
    taxed = tax_charge(Decimal("1.50"), 1, 1, (a_tax("VAT7", percent="7"),), "CNY")
    assert _amounts(taxed) == {"net": Decimal("1.50"), "VAT7": Decimal("0.11")}  # 0.105 -> 0.11


def test_given_jpy_exclusive_vat_when_taxed_then_whole_yen_half_up() -> None:
    taxed = tax_charge(Decimal(150), 1, 1, (a_tax("VAT7", percent="7"),), "JPY")
    assert _amounts(taxed) == {"net": Decimal(150), "VAT7": Decimal(11)}  # 10.5 -> 11


def test_given_two_inclusive_percents_when_taxed_then_both_come_from_one_base() -> None:
    taxes = (a_tax("VAT10", percent="10", inclusive=True), a_tax("SVC5", percent="5", inclusive=True))
    taxed = tax_charge(Decimal("115.00"), 1, 1, taxes, "EUR")
    assert _amounts(taxed) == {"net": Decimal("100.00"), "VAT10": Decimal("10.00"), "SVC5": Decimal("5.00")}


def test_given_an_inclusive_city_tax_when_taxed_then_it_comes_out_before_the_vat() -> None:
    taxes = (
        a_tax("VAT10", percent="10", inclusive=True),
        a_tax("CITYTAX", per_person_night=Decimal("1.50"), inclusive=True),
    )
    taxed = tax_charge(Decimal("113.00"), 1, 2, taxes, "EUR")
    assert _amounts(taxed) == {
        "net": Decimal("100.00"),
        "VAT10": Decimal("10.00"),
        "CITYTAX": Decimal("3.00"),
    }


def test_given_an_allowance_when_taxed_then_every_tax_is_negated() -> None:
    taxed = tax_charge(Decimal("-110.00"), 1, 2, _room_taxes("EUR"), "EUR")
    assert _amounts(taxed) == {
        "net": Decimal("-100.00"),
        "VAT10": Decimal("-10.00"),
        "CITYTAX": Decimal("-3.00"),
    }


def test_given_a_price_below_its_inclusive_fixed_taxes_when_taxed_then_refused() -> None:
    taxes = (a_tax("CITYTAX", per_person_night=Decimal("5.00"), inclusive=True),)
    with pytest.raises(ChargeRefused, match="does not cover"):
        tax_charge(Decimal("4.00"), 1, 1, taxes, "EUR")


def test_given_half_a_yen_when_taxed_then_refused_naming_the_currency() -> None:
    with pytest.raises(ChargeRefused, match="JPY"):
        tax_charge(Decimal("100.5"), 1, 1, _room_taxes("JPY"), "JPY")


def test_given_a_code_book_naming_a_missing_tax_when_built_then_the_error_names_the_code() -> None:
    with pytest.raises(ValidationError, match="'ROOM': 'VATT' is not a tax code here"):
        FolioCodeBook(property_code="H", currency="EUR", codes=(a_charge("ROOM", "ROOMS", "VATT"),))


def test_given_a_city_tax_of_half_a_yen_when_built_then_the_error_names_the_code() -> None:
    with pytest.raises(ValidationError, match=r"'CITYTAX': per_person_night 1\.5 is not an amount of JPY"):
        FolioCodeBook(
            property_code="H", currency="JPY", codes=(a_tax("CITYTAX", per_person_night=Decimal("1.5")),)
        )


@settings(max_examples=150, deadline=None)
@given(
    currency=st.sampled_from(CURRENCIES),
    units=st.integers(min_value=1, max_value=10**9) | st.integers(min_value=-(10**6), max_value=-1),
    quantity=st.integers(min_value=1, max_value=30),
    persons=st.integers(min_value=1, max_value=6),
    rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(30), places=2),
)
def test_given_any_price_when_taxed_then_no_minor_unit_is_made_or_lost(
    currency: str, units: int, quantity: int, persons: int, rate: Decimal
) -> None:
    inclusive = a_tax("VATIN", percent=str(rate), inclusive=True)
    on_top = a_tax("VATON", percent=str(rate))
    unit = from_minor(units, currency) + quantum(currency) * 200 * (1 if units > 0 else -1)
    taxed = tax_charge(unit, quantity, persons, (inclusive, on_top), currency)
    amounts = _amounts(taxed)
    assert all(amount == quantise(amount, currency) for amount in amounts.values())
    assert amounts["net"] + amounts["VATIN"] == unit * quantity  # carved out, nothing made or lost
    assert abs(amounts["VATON"] - amounts["net"] * rate / 100) <= quantum(currency) / 2


@settings(max_examples=150, deadline=None)
@given(
    currency=st.sampled_from(CURRENCIES),
    units=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8).filter(any),
)
def test_given_any_total_when_allocated_then_the_shares_add_up_to_it(
    currency: str, units: int, weights: list[int]
) -> None:
    total = from_minor(units, currency)
    shares = allocate(total, [Decimal(w) for w in weights], currency)
    assert sum(shares, Decimal(0)) == total
    assert all(share == quantise(share, currency) for share in shares)
    exact_shares = [total * w / sum(weights) for w in weights]
    assert all(abs(s - e) < quantum(currency) for s, e in zip(shares, exact_shares, strict=True))
