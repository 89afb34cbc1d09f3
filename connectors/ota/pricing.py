"""RoomRates -> one NightlyPrice per night: per-night or per-period rates, UnitMultiplier, tax basis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from canonical.base import Money
from canonical.booking import NightlyPrice, TaxBasis
from connectors.ota.elements import Children
from connectors.ota.errors import InvalidField
from connectors.ota.fields import read_amount, read_count, read_currency, read_date, text_of

# Nights one rate amount stands for, per OTA RateTimeUnit (times UnitMultiplier).
_UNIT_NIGHTS = {"day": 1, "week": 7}
_ONE_NIGHT = timedelta(days=1)
_AMOUNT_ATTRIBUTE = {TaxBasis.AFTER_TAX: "AmountAfterTax", TaxBasis.BEFORE_TAX: "AmountBeforeTax"}
# after tax wins when an element carries both, unless the caller prefers the net amount
_READ_ORDER = {
    None: (TaxBasis.AFTER_TAX, TaxBasis.BEFORE_TAX),
    TaxBasis.AFTER_TAX: (TaxBasis.AFTER_TAX, TaxBasis.BEFORE_TAX),
    TaxBasis.BEFORE_TAX: (TaxBasis.BEFORE_TAX, TaxBasis.AFTER_TAX),
}


@dataclass(frozen=True)
class StayPrices:
    """The nightly prices of one room stay and whether they include tax."""

    nightly: tuple[NightlyPrice, ...]
    basis: TaxBasis | None


class _Rate(NamedTuple):
    # a NamedTuple, not a frozen dataclass: one is built per Rate element on the hot path
    effective: date | None
    expire: date | None
    exclusive: bool | None
    amount: Decimal
    currency: str
    basis: TaxBasis
    unit_nights: int | None  # None: the amount covers the whole span (FullDuration)


def pick_amount(
    element: etree._Element, *, default_currency: str, prefer: TaxBasis | None = None
) -> tuple[Decimal, str, TaxBasis] | None:
    """AmountAfterTax if present, else AmountBeforeTax, with its currency and basis; None when neither.

    `prefer` before tax reads AmountBeforeTax first (a Total read to match its stay's rates).
    """
    return _picked(_amount_attributes(element), default_currency, prefer)


_AmountAttributes = tuple[str | None, str | None, str | None, str | None]


def _amount_attributes(element: etree._Element) -> _AmountAttributes:
    """An amount element's AmountAfterTax, AmountBeforeTax, CurrencyCode and DecimalPlaces as sent."""
    get = element.get
    return get("AmountAfterTax"), get("AmountBeforeTax"), get("CurrencyCode"), get("DecimalPlaces")


def _picked(
    attributes: _AmountAttributes, default_currency: str, prefer: TaxBasis | None = None
) -> tuple[Decimal, str, TaxBasis] | None:
    after, before, currency, places = attributes
    for basis in _READ_ORDER[prefer]:
        written = after if basis is TaxBasis.AFTER_TAX else before
        amount = read_amount(written, field=_AMOUNT_ATTRIBUTE[basis], decimal_places=places)
        if amount is not None:
            return amount, read_currency(currency, default=default_currency), basis
    return None


def _nights(start: date, end: date) -> list[date]:
    nights = []
    night = start
    while night < end:
        nights.append(night)
        night += _ONE_NIGHT
    return nights


@lru_cache(maxsize=64)
def _unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def _spread(amount: Decimal, parts: int) -> tuple[Decimal, ...]:
    """Split an amount into `parts` cent amounts that add up to it exactly (first ones take the rest)."""
    # keyed by the amount as written: 150.0 and 150.000 are equal Decimals but split differently
    return _split(str(amount), parts)


@lru_cache(maxsize=4096)
def _split(written: str, parts: int) -> tuple[Decimal, ...]:
    amount = Decimal(written)
    places = max(2, -int(amount.as_tuple().exponent))
    unit = _unit(places)
    base = (amount / parts).quantize(unit, rounding=ROUND_DOWN)
    extra = int((amount - base * parts) / unit)
    return tuple(base + unit if index < extra else base for index in range(parts))


def _read_rates(stay: Children, currency: str) -> list[_Rate]:
    ns = stay.namespace
    base_tag, total_tag = stay.tag("Base"), stay.tag("Total")
    rates: list[_Rate] = []
    for room_rate in stay.under("RoomRates", "RoomRate"):
        room_effective, room_expire = room_rate.get("EffectiveDate"), room_rate.get("ExpireDate")
        for rate in Children(room_rate, ns).under("Rates", "Rate"):
            # a Rate holds one or two amount elements: look at them directly, no index needed
            base = total = None
            for child in rate:
                tag = child.tag
                if tag == base_tag and base is None:
                    base = _amount_attributes(child)
                elif tag == total_tag and total is None:
                    total = _amount_attributes(child)
            get = rate.get
            read = _rate(
                base,
                total,
                get("EffectiveDate") or room_effective,
                get("ExpireDate") or room_expire,
                get("ExpireDateExclusiveIndicator"),
                get("RateTimeUnit"),
                get("UnitMultiplier"),
                currency,
            )
            if read is not None:
                rates.append(read)
    return rates


@lru_cache(maxsize=8192)
def _rate(
    base: _AmountAttributes | None,
    total: _AmountAttributes | None,
    effective: str | None,
    expire: str | None,
    indicator_written: str | None,
    unit_written: str | None,
    multiplier_written: str | None,
    currency: str,
) -> _Rate | None:
    """One Rate from its values as sent, read once per distinct set (the same rate recurs across
    bookings); None when it carries no amount. A refused one raises each time it is met."""
    picked = _picked(base, currency) if base is not None else None
    if picked is None:
        picked = _picked(total, currency) if total is not None else None
    if picked is None:
        return None
    indicator = text_of(indicator_written)
    unit = (text_of(unit_written) or "Day").lower()
    multiplier = read_count(multiplier_written, field="UnitMultiplier", default=1)
    if multiplier < 1:
        raise InvalidField("UnitMultiplier must be at least 1", tag="UnitMultiplier")
    if unit == "fullduration":
        unit_nights = None
    elif unit in _UNIT_NIGHTS:
        unit_nights = _UNIT_NIGHTS[unit] * multiplier
    else:
        raise InvalidField(f"RateTimeUnit {unit!r} is not supported", tag="RateTimeUnit")
    return _Rate(
        effective=read_date(effective, field="EffectiveDate") if effective else None,
        expire=read_date(expire, field="ExpireDate") if expire else None,
        exclusive=None if indicator is None else indicator.lower() in ("true", "1"),
        amount=picked[0],
        currency=picked[1],
        basis=picked[2],
        unit_nights=unit_nights,
    )


def _span(rate: _Rate, arrival: date, departure: date, inclusive: bool) -> list[date]:
    start = rate.effective or arrival
    if rate.expire is None:
        end = departure
    elif rate.exclusive is not None:
        end = rate.expire + timedelta(days=0 if rate.exclusive else 1)
    else:
        # A one-day rate (EffectiveDate == ExpireDate) can only mean that night.
        same_day = rate.expire == rate.effective
        end = rate.expire + timedelta(days=1 if inclusive or same_day else 0)
    # clip first: a rate spanning centuries must not cost a loop over centuries
    return _nights(max(start, arrival), min(end, departure))


def _priced(rate: _Rate, nights: list[date]) -> list[tuple[date, Decimal]]:
    if rate.unit_nights is None:
        return list(zip(nights, _spread(rate.amount, len(nights)), strict=True)) if nights else []
    if rate.unit_nights == 1:
        # the common per-night rate: one amount a night, no need to split anything
        (amount,) = _spread(rate.amount, 1)
        return [(night, amount) for night in nights]
    block = _spread(rate.amount, rate.unit_nights)
    return [(night, block[index % rate.unit_nights]) for index, night in enumerate(nights)]


def _assign(
    rates: list[_Rate], arrival: date, departure: date, inclusive: bool
) -> dict[date, tuple[Decimal, _Rate]] | None:
    """Night -> price under one reading of ExpireDate; None when nights overlap or are missing."""
    priced: dict[date, tuple[Decimal, _Rate]] = {}
    for rate in rates:
        for night, amount in _priced(rate, _span(rate, arrival, departure, inclusive)):
            if night in priced:
                return None
            priced[night] = (amount, rate)
    if len(priced) != (departure - arrival).days:
        return None
    return priced


def stay_prices(stay: Children, *, arrival: date, departure: date, currency: str) -> StayPrices:
    """Expand a RoomStay's rates into one price per night; rates that overlap or leave gaps are refused."""
    rates = _read_rates(stay, currency)
    if not rates:
        return StayPrices(nightly=(), basis=None)
    # ExpireDate is exclusive in most channel traffic and inclusive by the OTA default: take the
    # reading under which the rates cover every night exactly once.
    assigned = _assign(rates, arrival, departure, inclusive=False)
    if assigned is None:
        assigned = _assign(rates, arrival, departure, inclusive=True)
    if assigned is None:
        raise InvalidField(
            f"the rates do not cover each night from {arrival} to {departure} exactly once",
            tag="RoomRates",
        )
    used = {rate for _, rate in assigned.values()}
    bases = {rate.basis for rate in used}
    currencies = {rate.currency for rate in used}
    if len(bases) > 1:
        raise InvalidField("the rates mix AmountAfterTax and AmountBeforeTax", tag="RoomRates")
    if len(currencies) > 1:
        raise InvalidField(f"the rates mix currencies {sorted(currencies)}", tag="CurrencyCode")
    (currency_code,) = currencies
    nightly = tuple(
        nightly_price(night, str(amount), currency_code) for night, (amount, _) in sorted(assigned.items())
    )
    return StayPrices(nightly=nightly, basis=bases.pop())


# Canonical values are immutable, so equal ones are built once and shared: the same night at the
# same price recurs across bookings, the same amount across nights. Keyed by the amount as written
# (150.0 and 150.00 are equal Decimals, but not the same message).


@lru_cache(maxsize=1024)
def money_of(written: str, currency: str) -> Money:
    """Money for an amount as written (str of its Decimal) in an ISO-4217 currency, built once."""
    return Money(amount=Decimal(written), currency=currency)


@lru_cache(maxsize=16384)
def nightly_price(night: date, written: str, currency: str) -> NightlyPrice:
    """The price of one night, built once per night, amount and currency."""
    return NightlyPrice(night=night, price=money_of(written, currency))
