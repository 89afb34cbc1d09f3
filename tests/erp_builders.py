"""Builders of closed business days (canonical DayClosed) at any currency's exponent, for the ERP pull."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from canonical.money import quantum
from canonical.revenue import (
    DayClosed,
    DayStatistics,
    Ledger,
    LedgerMovement,
    PaymentLine,
    RevenueLine,
    TaxLine,
)

DEMO_CONFIG = Path(__file__).resolve().parents[1] / "examples" / "demo.yaml"
BUSINESS_DATE = date(2031, 6, 1)
OTHER = "BERGHOF"  # a second property, granted to no ERP partner
OPENINGS = {Ledger.ADVANCE_DEPOSITS: -30_000, Ledger.GUEST: 50_000, Ledger.CITY: 0}  # minor units


def _units(currency: str, minor: int) -> Decimal:
    return (quantum(currency) * minor).quantize(quantum(currency))


def a_closed_day(
    currency: str = "EUR",
    property_code: str = "ALPINA",
    business_date: date = BUSINESS_DATE,
    *,
    openings: dict[Ledger, int] | None = None,
) -> DayClosed:
    """Rooms and F&B revenue, VAT and city tax, card and cash payments, the three ledgers, 8 of 10
    rooms sold; amounts given in minor units, so the same day reads at any exponent. Lines are
    deliberately out of code order (the codec sorts them)."""

    def m(minor: int) -> Decimal:
        return _units(currency, minor)

    revenue = (RevenueLine(department="ROOMS", gl_account="4000", amount=m(130_909)),
               RevenueLine(department="FNB", gl_account="4110", amount=m(1_818)),
               RevenueLine(department="FNB", gl_account="4100", amount=m(9_091)))  # fmt: skip
    taxes = (TaxLine(tax_code="VAT10", gl_account="2210", amount=m(14_182)),
             TaxLine(tax_code="CITYTAX", gl_account="2300", amount=m(4_000)))  # fmt: skip
    payments = (PaymentLine(method="CASH", gl_account="1000", amount=m(-20_000)),
                PaymentLine(method="CARD", gl_account="1100", amount=m(-100_000)))  # fmt: skip
    charged = 130_909 + 1_818 + 9_091 + 14_182 + 4_000
    # (debits, credits) of each ledger over the day, in minor units
    moved = {Ledger.ADVANCE_DEPOSITS: (0, -5_000), Ledger.GUEST: (charged, -120_000), Ledger.CITY: (0, 0)}
    opening = OPENINGS | (openings or {})
    ledgers = tuple(
        LedgerMovement(ledger=ledger, opening=m(opening[ledger]), debits=m(debits), credits=m(credits),
                       closing=m(opening[ledger] + debits + credits))
        for ledger, (debits, credits) in moved.items()
    )  # fmt: skip
    return DayClosed(
        property_code=property_code,
        business_date=business_date,
        currency=currency,
        closed_at=datetime.combine(business_date + timedelta(days=1), datetime.min.time(), UTC)
        + timedelta(hours=2, minutes=30),
        revenue=revenue,
        taxes=taxes,
        payments=payments,
        ledgers=ledgers,
        statistics=DayStatistics(
            rooms_available=10,
            rooms_sold=8,
            occupancy=Decimal("0.8000"),
            adr=m(16_364),
            revpar=m(13_091),
        ),
        no_shows=1,
    )


def closed_days(
    first: date, count: int, currency: str = "EUR", property_code: str = "ALPINA"
) -> list[DayClosed]:
    """`count` consecutive closed days from `first`, each ledger opening at the day before's closing."""
    days: list[DayClosed] = []
    openings = dict(OPENINGS)
    for offset in range(count):
        day = a_closed_day(currency, property_code, first + timedelta(days=offset), openings=openings)
        openings = {move.ledger: int(move.closing / quantum(currency)) for move in day.ledgers}
        days.append(day)
    return days


def an_erp_partner(username: str = "ledgerly", **extra: Any) -> dict[str, Any]:
    """An ERP partner of the configuration file granted ALPINA, as data (`extra` adds keys)."""
    return {
        "id": "ledgerly",
        "kind": "erp",
        "name": "Ledgerly finance",
        "properties": ["ALPINA"],
        "credentials": {"username": username, "password_env": "HUB_PARTNER_LEDGERLY_PASSWORD"},
    } | extra


def erp_config(tmp_path: Path, username: str = "ledgerly", **extra: Any) -> Path:
    """The demo's configuration with a second property (OTHER) and an ERP partner granted ALPINA."""
    config = yaml.safe_load(DEMO_CONFIG.read_text())
    other = copy.deepcopy(config["properties"][0]) | {"code": OTHER, "name": "Hotel Berghof"}
    config["properties"].append(other)
    for partner in config["partners"]:
        if partner.get("mapping"):
            partner["mapping"] = str(DEMO_CONFIG.parent / partner["mapping"])
    config["partners"] = [p for p in config["partners"] if p["kind"] != "erp"]
    config["partners"].append(an_erp_partner(username, **extra))
    path = tmp_path / "erp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
