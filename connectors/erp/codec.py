"""Closed business days as the ERP reads them: one JSON document or one CSV file, byte for byte the same.

The same days always give the same bytes (the ETag is their hash): keys in a fixed order, lines
sorted by their codes, ledgers in a fixed order, every amount written with exactly its currency's
decimal places (JPY `1200`, EUR `1200.00`, KWD `1200.000`; never an exponent, never `-0`),
occupancy with four. Folio signs are kept: revenue and taxes positive, payments negative.

JSON: UTF-8, two-space indent, LF line ends, one final LF; amounts are strings (no float on the
way in). CSV: RFC 4180, UTF-8 without BOM, CRLF line ends, a header line, the columns of `COLUMNS`
(docs/erp.md), one row per line of the day.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date
from decimal import Decimal

from canonical.money import AmountNotInCurrency, exact
from canonical.revenue import DayClosed, Ledger
from connectors.erp.errors import DayNotEncodable
from connectors.erp.settings import DOCUMENT_FORMAT

COLUMNS = (
    "record_type",  # revenue, tax, payment, ledger, statistic, total
    "property",
    "business_date",
    "currency",
    "department",  # revenue rows
    "gl_account",  # revenue, tax and payment rows
    "code",  # tax code, payment method, ledger, statistic or total name
    "amount",  # revenue, tax, payment and total rows; statistics adr and revpar
    "opening",  # ledger rows: opening + debits + credits = closing
    "debits",
    "credits",
    "closing",
    "quantity",  # statistics that count (rooms, no-shows) and occupancy (4 places)
)
LEDGER_ORDER = tuple(Ledger)  # guest, city, advance_deposits
OCCUPANCY_PLACES = Decimal("0.0001")

Row = dict[str, str]


def _money(day: DayClosed, value: Decimal) -> str:
    try:
        held = exact(value, day.currency)
    except AmountNotInCurrency as err:
        raise DayNotEncodable(day.property_code, day.business_date.isoformat(), str(err)) from err
    # `-0.00` and `0.00` are the same amount: write one of them, so equal days hash equal.
    return f"{abs(held) if held == 0 else held:f}"


def _ratio(value: Decimal) -> str:
    held = value.quantize(OCCUPANCY_PLACES)
    return f"{abs(held) if held == 0 else held:f}"


def _closed_at(day: DayClosed) -> str:
    return day.closed_at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _sum(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _revenue(day: DayClosed) -> list[tuple[str, str, Decimal]]:
    return sorted((line.department, line.gl_account, line.amount) for line in day.revenue)


def _taxes(day: DayClosed) -> list[tuple[str, str, Decimal]]:
    return sorted((line.tax_code, line.gl_account, line.amount) for line in day.taxes)


def _payments(day: DayClosed) -> list[tuple[str, str, Decimal]]:
    return sorted((line.method, line.gl_account, line.amount) for line in day.payments)


def _ledgers(day: DayClosed) -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    moves = sorted(day.ledgers, key=lambda move: LEDGER_ORDER.index(move.ledger))
    return [(m.ledger.value, m.opening, m.debits, m.credits, m.closing) for m in moves]


def _totals(day: DayClosed) -> list[tuple[str, Decimal]]:
    return [
        ("revenue", _sum([line.amount for line in day.revenue])),
        ("taxes", _sum([line.amount for line in day.taxes])),
        ("payments", _sum([line.amount for line in day.payments])),
    ]


def _check(property_code: str, days: Sequence[DayClosed]) -> list[DayClosed]:
    for day in days:
        if day.property_code != property_code:
            reason = f"belongs to property {day.property_code}, not {property_code}"
            raise DayNotEncodable(day.property_code, day.business_date.isoformat(), reason)
    return sorted(days, key=lambda day: day.business_date)


def day_document(day: DayClosed) -> dict[str, object]:
    """One closed day as the JSON document's `days` entry (keys in their fixed order)."""
    stats = day.statistics
    return {
        "business_date": day.business_date.isoformat(),
        "currency": day.currency,
        "closed_at": _closed_at(day),
        "revenue": [
            {"department": dept, "gl_account": gl, "amount": _money(day, amount)}
            for dept, gl, amount in _revenue(day)
        ],
        "taxes": [
            {"tax_code": code, "gl_account": gl, "amount": _money(day, amount)}
            for code, gl, amount in _taxes(day)
        ],
        "payments": [
            {"method": method, "gl_account": gl, "amount": _money(day, amount)}
            for method, gl, amount in _payments(day)
        ],
        "ledgers": [
            {
                "ledger": ledger,
                "opening": _money(day, opening),
                "debits": _money(day, debits),
                "credits": _money(day, credits),
                "closing": _money(day, closing),
            }
            for ledger, opening, debits, credits, closing in _ledgers(day)
        ],
        "statistics": {
            "rooms_available": stats.rooms_available,
            "rooms_sold": stats.rooms_sold,
            "occupancy": _ratio(stats.occupancy),
            "adr": _money(day, stats.adr),
            "revpar": _money(day, stats.revpar),
            "no_shows": day.no_shows,
        },
        "totals": {name: _money(day, amount) for name, amount in _totals(day)},
    }


def encode_json(property_code: str, first: date, last: date, days: Sequence[DayClosed]) -> bytes:
    """The JSON document of one property's closed days from `first` to `last` (inclusive)."""
    document = {
        "format": DOCUMENT_FORMAT,
        "property": property_code,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": [day_document(day) for day in _check(property_code, days)],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def day_rows(day: DayClosed) -> Iterator[Row]:
    """One closed day's CSV rows: revenue, tax, payment, ledger, statistic, total, each sorted."""
    base = {"property": day.property_code, "business_date": day.business_date.isoformat(),
            "currency": day.currency}  # fmt: skip
    for dept, gl, amount in _revenue(day):
        yield base | {"record_type": "revenue", "department": dept, "gl_account": gl,
                      "amount": _money(day, amount)}  # fmt: skip
    for code, gl, amount in _taxes(day):
        yield base | {"record_type": "tax", "gl_account": gl, "code": code, "amount": _money(day, amount)}
    for method, gl, amount in _payments(day):
        yield base | {"record_type": "payment", "gl_account": gl, "code": method,
                      "amount": _money(day, amount)}  # fmt: skip
    for ledger, opening, debits, credits, closing in _ledgers(day):
        yield base | {"record_type": "ledger", "code": ledger, "opening": _money(day, opening),
                      "debits": _money(day, debits), "credits": _money(day, credits),
                      "closing": _money(day, closing)}  # fmt: skip
    stats = day.statistics
    for name, count in (("rooms_available", stats.rooms_available), ("rooms_sold", stats.rooms_sold)):
        yield base | {"record_type": "statistic", "code": name, "quantity": str(count)}
    yield base | {"record_type": "statistic", "code": "occupancy", "quantity": _ratio(stats.occupancy)}
    yield base | {"record_type": "statistic", "code": "adr", "amount": _money(day, stats.adr)}
    yield base | {"record_type": "statistic", "code": "revpar", "amount": _money(day, stats.revpar)}
    yield base | {"record_type": "statistic", "code": "no_shows", "quantity": str(day.no_shows)}
    for name, amount in _totals(day):
        yield base | {"record_type": "total", "code": name, "amount": _money(day, amount)}


def encode_csv(property_code: str, days: Sequence[DayClosed]) -> bytes:
    """The CSV file of one property's closed days, oldest first, header line included."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    for day in _check(property_code, days):
        writer.writerows(day_rows(day))
    return out.getvalue().encode("utf-8")
