"""Builders of folio code books and folios, with the demo's codes scaled to any currency's exponent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from canonical.folio import FolioKind
from canonical.folio_codes import CodeKind, FolioCodeBook, TransactionCode
from canonical.money import quantum
from pms_core.folios import Folio, Posting

BUSINESS_DATE = date(2031, 6, 1)
AT = datetime(2031, 6, 1, 18, 0, tzinfo=UTC)


def a_tax(code: str, *, percent: str | None = None, per_person_night: Decimal | None = None,
          inclusive: bool = False) -> TransactionCode:  # fmt: skip
    """A tax code of percent or per person-night."""
    return TransactionCode(
        code=code, kind=CodeKind.TAX, name=f"Tax {code}", department="TAX", gl_account=f"22{code[:2]}",
        percent=None if percent is None else Decimal(percent), per_person_night=per_person_night,
        inclusive=inclusive,
    )  # fmt: skip


def a_charge(code: str, department: str, *taxes: str) -> TransactionCode:
    """A charge code of a department, bearing these taxes."""
    return TransactionCode(
        code=code, kind=CodeKind.CHARGE, name=f"Charge {code}", department=department,
        gl_account=f"40{department[:2]}", taxes=taxes,
    )  # fmt: skip


def a_payment(code: str, *, deposit: bool = False) -> TransactionCode:
    """A payment method's code."""
    return TransactionCode(
        code=code, kind=CodeKind.PAYMENT, name=f"Paid {code}", gl_account=f"10{code[:2]}", deposit=deposit
    )


def a_code_book(currency: str = "EUR", property_code: str = "HOTEL1") -> FolioCodeBook:
    """ROOM (VAT 10 % inclusive, city tax 150 minor units per person-night), FNB (VAT 7 % on top),
    MINIBAR (untaxed), payments CASH, CARD and DEPOSIT."""
    city_tax = quantum(currency) * 150
    return FolioCodeBook(
        property_code=property_code,
        currency=currency,
        codes=(
            a_tax("VAT10", percent="10", inclusive=True),
            a_tax("VAT7", percent="7"),
            a_tax("CITYTAX", per_person_night=city_tax),
            a_charge("ROOM", "ROOMS", "VAT10", "CITYTAX"),
            a_charge("FNB", "FNB", "VAT7"),
            a_charge("MINIBAR", "FNB"),
            a_payment("CASH"),
            a_payment("CARD"),
            a_payment("DEPOSIT", deposit=True),
        ),
    )


def a_folio(currency: str = "EUR", kind: FolioKind = FolioKind.GUEST) -> Folio:
    """An open, empty folio."""
    return Folio(id=uuid4(), property_code="HOTEL1", kind=kind, currency=currency, opened_at=AT)


def posting(reason: str | None = None) -> Posting:
    """Lines posted on the builders' business date."""
    return Posting(business_date=BUSINESS_DATE, at=AT, reason=reason)
