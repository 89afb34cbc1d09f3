"""Reading OTA values: lenient where real traffic is loose, strict on dates, amounts and codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from connectors.ota.errors import InvalidDate, InvalidField, MissingField

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?")
_CURRENCY = re.compile(r"[A-Z]{3}")
# Amounts far beyond any stay (or with absurd precision) are refused at the door: splitting them
# per night would overflow Decimal's 28-digit context and fail as a crash, not as an OTA error.
_MAX_AMOUNT_DIGITS = 12
_MAX_AMOUNT_PLACES = 12


def text_of(value: str | None) -> str | None:
    """A trimmed attribute/element value, or None when empty or a placeholder such as "N/A"."""
    if value is None:
        return None
    stripped = value.strip()
    # lower() only for the one length that can be the placeholder: this runs ~60 times a message
    if not stripped or (len(stripped) == 3 and stripped.lower() == "n/a"):
        return None
    return stripped


def element_text(element: etree._Element | None) -> str | None:
    """The trimmed text of an element (None when absent or empty)."""
    if element is None:
        return None
    return text_of(element.text)


@lru_cache(maxsize=4096)
def _calendar_date(raw: str) -> date | None:
    """The date a trimmed value starts with, None when it is no YYYY-MM-DD; ValueError if impossible."""
    match = _DATE.fullmatch(raw)
    return None if match is None else date.fromisoformat(match.group(1))


def read_date(value: str | None, *, field: str) -> date:
    """A calendar date `YYYY-MM-DD` (a time part after it is ignored); absent or invalid -> error."""
    raw = text_of(value)
    if raw is None:
        raise MissingField(f"{field} is missing", tag=field)
    try:
        parsed = _calendar_date(raw)
    except ValueError:
        raise InvalidDate(f"{field} {raw!r} is not a valid date", tag=field) from None
    if parsed is None:
        raise InvalidDate(f"{field} {raw!r} is not a date (YYYY-MM-DD)", tag=field)
    return parsed


def read_timestamp(value: str | None, *, field: str) -> datetime | None:
    """An aware timestamp; a space for `T` and a missing zone (taken as UTC) are accepted."""
    raw = text_of(value)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidDate(f"{field} {raw!r} is not a timestamp", tag=field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def read_amount(value: str | None, *, field: str, decimal_places: str | None = None) -> Decimal | None:
    """A non-negative Decimal amount, or None when absent.

    OTA's DecimalPlaces means an amount written without a decimal point is in minor units
    ("8500" with DecimalPlaces="2" is 85.00); an amount with a point is taken as written.
    """
    if value is None:
        return None
    return _amount(value, field, decimal_places)


@lru_cache(maxsize=4096)
def _amount(value: str, field: str, decimal_places: str | None) -> Decimal | None:
    # amounts repeat (every night of a stay, every stay at a rate): each distinct one is read once;
    # a refused one raises each time (exceptions are not cached)
    raw = text_of(value)
    if raw is None:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise InvalidField(f"{field} {raw!r} is not an amount", tag=field) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidField(f"{field} {raw!r} must be a non-negative amount", tag=field)
    if decimal_places is not None and "." not in raw:
        places = read_count(decimal_places, field="DecimalPlaces")
        if places > 6:
            raise InvalidField(f"DecimalPlaces {places} is out of range", tag="DecimalPlaces")
        amount = amount.scaleb(-places)
    exponent = amount.as_tuple().exponent
    too_fine = isinstance(exponent, int) and -exponent > _MAX_AMOUNT_PLACES
    if too_fine or amount.adjusted() >= _MAX_AMOUNT_DIGITS:
        raise InvalidField(f"{field} {raw!r} is out of range", tag=field)
    return amount


def read_count(value: str | None, *, field: str, default: int = 0) -> int:
    """A non-negative whole number; absent -> default."""
    raw = text_of(value)
    if raw is None:
        return default
    if not raw.isdigit():
        raise InvalidField(f"{field} {raw!r} is not a non-negative whole number", tag=field)
    return int(raw)


def read_currency(value: str | None, *, default: str) -> str:
    """An ISO-4217 code (upper-cased); absent -> the property's currency."""
    if value is None:
        return default
    return _currency(value) or default


@lru_cache(maxsize=256)
def _currency(value: str) -> str | None:
    raw = text_of(value)
    if raw is None:
        return None
    code = raw.upper()
    if _CURRENCY.fullmatch(code) is None:
        raise InvalidField(f"CurrencyCode {raw!r} is not an ISO-4217 code", tag="CurrencyCode")
    return code
