"""Amounts out of any stay's range are refused with an OTA error, never a crash of Decimal arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from ota_unit_builders import res_notif, reservation, room_stay

from canonical.booking import BookingReceived
from connectors.ota.errors import InvalidField

Translate = Callable[..., list[BookingReceived]]


def with_rate(amount: str, decimal_places: str | None = None) -> bytes:
    """A one-stay booking whose single rate has this AmountAfterTax (and DecimalPlaces)."""
    places = f' DecimalPlaces="{decimal_places}"' if decimal_places is not None else ""
    rate = f'<Rate><Base AmountAfterTax="{amount}"{places}/></Rate>'
    return res_notif(reservation(stays=(room_stay(rates=rate),)))


@pytest.mark.parametrize(
    "amount",
    ["1e30", "12345678901234567890123456789012", "1000000000000", "0.0000000000000000001"],
)
def test_given_an_absurd_amount_when_translated_then_invalid_field_not_a_crash(
    translate: Translate, amount: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        translate(with_rate(amount))
    assert (refused.value.ota_type, refused.value.ota_code) == (3, 320)
    assert "out of range" in str(refused.value)


def test_given_a_large_but_real_amount_when_translated_then_kept_to_the_cent(translate: Translate) -> None:
    (booking,) = translate(with_rate("999999999.99"))
    assert {night.price.amount for night in booking.room_stays[0].nightly} == {Decimal("999999999.99")}


def test_given_minor_units_within_range_when_translated_then_scaled_not_refused(
    translate: Translate,
) -> None:
    (booking,) = translate(with_rate("12345678901234", decimal_places="6"))
    assert {night.price.amount for night in booking.room_stays[0].nightly} == {Decimal("12345678.901234")}
