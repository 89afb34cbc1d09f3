"""Find payment cards in a parsed OTA message and replace PAN/CVV in place with a vault token.

Handles the OTA <=2011B attribute form (PaymentCard@CardNumber/@SeriesCode), the 2015A child form
(CardNumber/PlainText, SeriesCode/PlainText), the already tokenised form (CardNumber@Token/@Mask)
and EncryptedValue (only the mask is kept).
"""

from __future__ import annotations

import re

from lxml import etree

from canonical.cards import CardVault
from connectors.ota.fields import element_text, text_of

_CARD_DIGITS = re.compile(r"\d{12,19}")
_SEPARATORS = re.compile(r"[\s-]+")
_BRAND = re.compile(r"[A-Za-z]{1,2}")
_EXPIRY = re.compile(r"(\d{2})/?(\d{2}|\d{4})")
# PaymentCard children that the schema puts before CardNumber (2015A PaymentCardType order).
_BEFORE_CARD_NUMBER = frozenset(
    {"CardType", "Issuer", "CardHolderName", "CardHolderNameDetails", "Address", "Telephone", "Email"}
)
_SENSITIVE_ATTRIBUTES = ("CardNumber", "SeriesCode")
_SENSITIVE_CHILDREN = frozenset({"SeriesCode", "MagneticStripe"})
_REMOVED_CHILDREN = _SENSITIVE_CHILDREN | {"CardNumber"}
_ENCRYPTION_ATTRIBUTES = ("EncryptedValue", "EncryptionKey", "EncryptionKeyMethod", "EncryptionMethod")


def luhn_valid(digits: str) -> bool:
    """True when a digit string passes the Luhn check that every card number carries."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask_of(pan: str) -> str:
    """BIN and last four kept, the rest replaced by X (411111XXXXXX1111)."""
    return pan[:6] + "X" * (len(pan) - 10) + pan[-4:]


def _local(element: etree._Element) -> str:
    # the tag's local part, without building a QName (callers pass elements, whose tag is a str)
    return str(element.tag).rpartition("}")[2]


def _drop_attribute(element: etree._Element, name: str) -> None:
    element.attrib.pop(name, "")


class CardSlot:
    """One PaymentCard element: what it holds, and the in-place rewrites that remove card data."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self._children: dict[str, etree._Element] | None = None

    def _child(self, name: str) -> etree._Element | None:
        # the first child of each local name (any namespace, as "{*}name" finds it), read in one
        # pass and kept until this slot rewrites the card: a wildcard find costs microseconds
        if self._children is None:
            children: dict[str, etree._Element] = {}
            for child in self.element:
                tag = child.tag
                if isinstance(tag, str):
                    children.setdefault(tag.rpartition("}")[2], child)
            self._children = children
        return self._children.get(name)

    def _raw_number(self) -> str | None:
        attribute = self.element.get("CardNumber")
        if attribute is not None:
            return attribute
        number = self._child("CardNumber")
        if number is None:
            return None
        # CardNumber/PlainText in any namespace, as findtext("{*}PlainText") reads it: a wildcard
        # ElementPath search costs more than looking at the one or two children there are
        for child in number:
            if isinstance(child.tag, str) and _local(child) == "PlainText":
                return child.text or ""
        return None

    @property
    def pan(self) -> str | None:
        """The card number, digits only, when it is one (12-19 digits, Luhn-valid); else None."""
        raw = self._raw_number()
        if raw is None:
            return None
        digits = _SEPARATORS.sub("", raw)
        if _CARD_DIGITS.fullmatch(digits) is None or not luhn_valid(digits):
            return None
        return digits

    @property
    def expiry(self) -> str | None:
        """ExpireDate as MM/YY (from MMYY, MM/YY or MMYYYY); None when absent or not a month."""
        raw = text_of(self.element.get("ExpireDate"))
        match = _EXPIRY.fullmatch(raw) if raw else None
        if match is None or not 1 <= int(match.group(1)) <= 12:
            return None
        return f"{match.group(1)}/{match.group(2)[-2:]}"

    @property
    def brand(self) -> str | None:
        """The card brand code (CardCode; a two-letter 2011B CardType when CardCode is absent)."""
        for attribute in ("CardCode", "CardType"):
            value = text_of(self.element.get(attribute))
            if value is not None and _BRAND.fullmatch(value):
                return value.upper()
        return None

    @property
    def holder_name(self) -> str | None:
        """The name printed on the card."""
        return element_text(self._child("CardHolderName"))

    @property
    def token(self) -> str | None:
        """The vault token when the card is already tokenised."""
        number = self._child("CardNumber")
        return text_of(number.get("Token")) if number is not None else None

    @property
    def token_provider(self) -> str | None:
        """Who issued the token (TokenProviderID)."""
        number = self._child("CardNumber")
        return text_of(number.get("TokenProviderID")) if number is not None else None

    @property
    def mask(self) -> str | None:
        """The masked number (CardNumber@Mask) when present."""
        number = self._child("CardNumber")
        return text_of(number.get("Mask")) if number is not None else None

    @property
    def has_cvv(self) -> bool:
        """True while a SeriesCode (CVV) is present, as attribute or child."""
        return self.element.get("SeriesCode") is not None or self._child("SeriesCode") is not None

    @property
    def holds_card_data(self) -> bool:
        """True while anything secret remains: a number, CVV, plain text, ciphertext or stripe."""
        if any(self.element.get(name) is not None for name in _SENSITIVE_ATTRIBUTES):
            return True
        for child in self.element.iter():
            if not isinstance(child.tag, str) or child is self.element:
                continue
            name = _local(child)
            if name in _SENSITIVE_CHILDREN or name == "PlainText":
                return True
            if any(child.get(attribute) is not None for attribute in _ENCRYPTION_ATTRIBUTES):
                return True
        return False

    def replace_with_token(self, token: str, provider: str) -> None:
        """Rewrite this PaymentCard to <CardNumber Token Mask TokenProviderID/>; PAN and CVV are gone."""
        pan = self.pan
        if pan is None:
            raise ValueError("this payment card holds no card number to tokenise")
        self._write_token(pan, token, provider)

    def _write_token(self, pan: str, token: str, provider: str) -> None:
        self._strip()
        number = etree.Element(self._card_number_tag())
        number.set("Token", token)
        number.set("Mask", mask_of(pan))
        number.set("TokenProviderID", provider)
        self.element.insert(self._card_number_index(), number)
        self._children = None

    def redact(self) -> None:
        """Remove every secret without tokenising (not-a-card numbers, ciphertext); keep any Mask."""
        existing = self._child("CardNumber")
        keep_mask = text_of(existing.get("Mask")) if existing is not None else None
        keep_token = {
            name: value
            for name in ("Token", "TokenProviderID")
            if existing is not None and (value := existing.get(name)) is not None
        }
        self._strip()
        if keep_mask or keep_token:
            number = etree.Element(self._card_number_tag())
            for name, value in keep_token.items():
                number.set(name, value)
            if keep_mask:
                number.set("Mask", keep_mask)
            self.element.insert(self._card_number_index(), number)
            self._children = None

    def _card_number_tag(self) -> str:
        # a new CardNumber in the PaymentCard's namespace (the tag is "{ns}PaymentCard" or bare)
        namespace, brace, _ = str(self.element.tag).rpartition("}")
        return f"{namespace}{brace}CardNumber"

    def _strip(self) -> None:
        self._children = None
        for name in _SENSITIVE_ATTRIBUTES:
            _drop_attribute(self.element, name)
        for child in list(self.element):
            if isinstance(child.tag, str) and _local(child) in _REMOVED_CHILDREN:
                self.element.remove(child)
        for leftover in list(self.element.iter()):
            if leftover is self.element or not isinstance(leftover.tag, str):
                continue
            if _local(leftover) == "PlainText":
                parent = leftover.getparent()
                if parent is not None:
                    parent.remove(leftover)
            for attribute in _ENCRYPTION_ATTRIBUTES:
                _drop_attribute(leftover, attribute)

    def _card_number_index(self) -> int:
        index = 0
        for position, child in enumerate(self.element):
            if isinstance(child.tag, str) and _local(child) in _BEFORE_CARD_NUMBER:
                index = position + 1
        return index


def find_cards(root: etree._Element) -> list[CardSlot]:
    """Every PaymentCard in the message, in document order, in any namespace."""
    return [CardSlot(element) for element in root.iter("{*}PaymentCard")]


async def tokenise_cards(root: etree._Element, vault: CardVault, provider: str) -> int:
    """Tokenise every card number in place and strip every other secret; return how many were tokenised.

    After it the serialised tree holds no PAN, no CVV, no plain text and no ciphertext of a card.
    """
    tokenised = 0
    for slot in find_cards(root):
        pan = slot.pan
        if pan is not None:
            # the PAN was just read from this slot: no need to find and check it again
            slot._write_token(pan, await vault.tokenize(pan, slot.expiry), provider)
            tokenised += 1
        elif slot.holds_card_data:
            slot.redact()
    return tokenised
