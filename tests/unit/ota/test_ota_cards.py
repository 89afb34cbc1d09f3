"""Finding payment cards in both OTA forms and replacing PAN/CVV in place with a vault token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree
from ota_unit_builders import (
    ATTRIBUTE_CARD,
    CHILD_CARD,
    CVV,
    NA_CARD,
    OTA_NS,
    TOKEN_CARD,
    VISA,
    guarantee,
    res_notif,
    reservation,
    room_stay,
)

from connectors.ota.cards import find_cards, luhn_valid, mask_of, tokenise_cards
from connectors.ota.codec import OtaRequest, write
from connectors.payments.vault import LocalCardVault

Parse = Callable[[bytes], OtaRequest]
MASTERCARD = "5555555555554444"


def booking_with(card: str) -> bytes:
    """A booking whose room stay is guaranteed by `card`."""
    return res_notif(reservation(stays=(room_stay(extra=guarantee(card)),)))


def test_given_attribute_form_when_found_then_pan_expiry_brand_holder_and_cvv(parse: Parse) -> None:
    (slot,) = find_cards(parse(booking_with(ATTRIBUTE_CARD)).root)
    assert (slot.pan, slot.expiry, slot.brand, slot.holder_name) == (VISA, "09/31", "VI", "Ada Lovelace")
    assert slot.has_cvv and slot.holds_card_data
    assert slot.token is None


def test_given_child_form_with_spaces_when_found_then_digits_only(parse: Parse) -> None:
    (slot,) = find_cards(parse(booking_with(CHILD_CARD)).root)
    assert (slot.pan, slot.expiry, slot.brand) == (MASTERCARD, "11/30", "MC")
    assert slot.has_cvv


def test_given_tokenised_form_when_found_then_token_and_mask_and_nothing_secret(
    parse: Parse,
) -> None:
    (slot,) = find_cards(parse(booking_with(TOKEN_CARD)).root)
    assert slot.pan is None
    assert (slot.token, slot.mask, slot.token_provider) == ("tok123", "411111XXXXXX1111", "hotelhub")
    assert not slot.holds_card_data


def test_given_na_values_when_found_then_no_pan_expiry_or_brand(parse: Parse) -> None:
    (slot,) = find_cards(parse(booking_with(NA_CARD)).root)
    assert (slot.pan, slot.expiry, slot.brand) == (None, None, None)


@pytest.mark.parametrize(
    "card",
    [ATTRIBUTE_CARD, CHILD_CARD],
    ids=["2011B_attributes", "2015A_children"],
)
def test_given_card_when_replaced_with_token_then_tree_holds_no_pan_or_cvv(parse: Parse, card: str) -> None:
    req = parse(booking_with(card))
    (slot,) = find_cards(req.root)
    pan = slot.pan
    assert pan is not None
    slot.replace_with_token("tok-abc", "hotelhub")
    written = write(req.root).decode()
    assert pan not in written and "5555 5555" not in written
    assert "SeriesCode" not in written and CVV not in written and "PlainText" not in written
    number = slot.element.find(f"{{{OTA_NS}}}CardNumber")
    assert number is not None
    assert sorted(number.keys()) == ["Mask", "Token", "TokenProviderID"]
    assert (number.get("Token"), number.get("Mask"), number.get("TokenProviderID")) == (
        "tok-abc",
        mask_of(pan),
        "hotelhub",
    )
    # 2015A order: CardHolderName comes before CardNumber
    assert [etree.QName(child).localname for child in slot.element] == ["CardHolderName", "CardNumber"]
    assert slot.expiry is not None and slot.token == "tok-abc"


def test_given_encrypted_value_when_redacted_then_only_mask_kept(parse: Parse) -> None:
    card = (
        '<PaymentCard CardCode="VI"><CardNumber EncryptedValue="q83vEjRW" EncryptionMethod="RSA" '
        'Mask="XXXXXXXXXXXX1111"/></PaymentCard>'
    )
    req = parse(booking_with(card))
    (slot,) = find_cards(req.root)
    assert slot.pan is None and slot.holds_card_data
    slot.redact()
    assert not slot.holds_card_data
    assert slot.mask == "XXXXXXXXXXXX1111"
    assert "q83vEjRW" not in write(req.root).decode()


def test_given_magnetic_stripe_when_tokenised_then_stripe_removed(parse: Parse) -> None:
    card = ATTRIBUTE_CARD.replace("</PaymentCard>", '<MagneticStripe EncryptedValue="track2"/></PaymentCard>')
    req = parse(booking_with(card))
    (slot,) = find_cards(req.root)
    slot.replace_with_token("t", "p")
    assert "MagneticStripe" not in write(req.root).decode()


async def test_given_cards_of_every_form_when_tokenised_then_valid_pans_vaulted_rest_redacted(
    parse: Parse, vault: LocalCardVault
) -> None:
    not_a_card = ATTRIBUTE_CARD.replace(VISA, "9999999999999999")
    stays = tuple(
        room_stay(extra=guarantee(card))
        for card in (ATTRIBUTE_CARD, CHILD_CARD, TOKEN_CARD, NA_CARD, not_a_card)
    )
    req = parse(res_notif(reservation(stays=stays)))
    assert await tokenise_cards(req.root, vault, "hotelhub") == 2
    written = write(req.root).decode()
    for secret in (VISA, MASTERCARD, "9999999999999999", "SeriesCode", "PlainText", 'CardNumber="'):
        assert secret not in written
    slots = find_cards(req.root)
    assert not any(slot.holds_card_data for slot in slots)
    assert [await vault.detokenize(slot.token) for slot in slots[:2] if slot.token] == [
        VISA,
        MASTERCARD,
    ]
    assert slots[2].token == "tok123"


def test_given_slot_without_pan_when_replaced_with_token_then_value_error(parse: Parse) -> None:
    (slot,) = find_cards(parse(booking_with(NA_CARD)).root)
    with pytest.raises(ValueError, match="no card number"):
        slot.replace_with_token("t", "p")


@pytest.mark.parametrize(
    ("digits", "valid"),
    [(VISA, True), (MASTERCARD, True), ("4111111111111112", False), ("378282246310005", True)],
)
def test_given_digits_when_luhn_checked_then_only_card_numbers_pass(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


def test_given_pan_when_masked_then_bin_and_last_four_only() -> None:
    assert mask_of(VISA) == "411111XXXXXX1111"
    assert mask_of("378282246310005") == "378282XXXXX0005"
