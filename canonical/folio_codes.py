"""Transaction codes of a property: what each folio posting is, where its money goes, which taxes it bears."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from canonical.base import Code, CurrencyCode, Frozen
from canonical.money import AmountNotInCurrency, exact

Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=7, decimal_places=4)]


class CodeKind(StrEnum):
    """What money a transaction code moves: revenue (charge), a tax on a charge, or a payment."""

    CHARGE = "charge"
    TAX = "tax"
    PAYMENT = "payment"


class TransactionCode(Frozen):
    """One transaction code: its kind, revenue department, GL account, and (charges) taxes by code.

    A tax code is either `percent` of its charge's net amount or `per_person_night`, a fixed
    amount per person and unit (a room charge's unit is a night); `inclusive`: contained in the
    price posted rather than added to it. A payment code with `deposit` takes advance deposits.
    """

    code: Code
    kind: CodeKind
    name: Annotated[str, Field(min_length=1, max_length=200)]
    department: Code | None = None
    gl_account: Code
    taxes: tuple[Code, ...] = ()
    percent: Percent | None = None
    per_person_night: Annotated[Decimal, Field(gt=0, max_digits=12)] | None = None
    inclusive: bool = False
    deposit: bool = False

    @model_validator(mode="after")
    def _fits_its_kind(self) -> TransactionCode:
        problems = []
        if self.kind is CodeKind.CHARGE and self.department is None:
            problems.append("a charge code needs a department")
        if self.kind is not CodeKind.CHARGE and self.taxes:
            problems.append("only a charge code bears taxes")
        if self.kind is CodeKind.TAX and (self.percent is None) == (self.per_person_night is None):
            problems.append("a tax code needs either percent or per_person_night")
        if self.kind is not CodeKind.TAX and (self.percent, self.per_person_night) != (None, None):
            problems.append("percent and per_person_night belong to tax codes")
        if self.kind is not CodeKind.TAX and self.inclusive:
            problems.append("inclusive belongs to tax codes")
        if self.kind is not CodeKind.PAYMENT and self.deposit:
            problems.append("deposit belongs to payment codes")
        if len(set(self.taxes)) != len(self.taxes):
            problems.append("a tax is named twice")
        if problems:
            raise ValueError(f"transaction code {self.code!r}: {'; '.join(problems)}")
        return self


class FolioCodeBook(Frozen):
    """Every transaction code of one property, checked against each other and its currency."""

    property_code: Code
    currency: CurrencyCode
    codes: tuple[TransactionCode, ...] = ()

    @model_validator(mode="after")
    def _codes_resolve(self) -> FolioCodeBook:
        problems = []
        by_code: dict[str, TransactionCode] = {}
        for entry in self.codes:
            if entry.code in by_code:
                problems.append(f"transaction code {entry.code!r} is defined twice")
            by_code.setdefault(entry.code, entry)
        for entry in self.codes:
            for tax in entry.taxes:
                found = by_code.get(tax)
                if found is None or found.kind is not CodeKind.TAX:
                    problems.append(f"transaction code {entry.code!r}: {tax!r} is not a tax code here")
            if entry.per_person_night is not None:
                try:
                    exact(entry.per_person_night, self.currency)
                except AmountNotInCurrency as err:
                    problems.append(f"transaction code {entry.code!r}: per_person_night {err}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def find(self, code: str) -> TransactionCode | None:
        """The transaction code with this code, or None."""
        return next((entry for entry in self.codes if entry.code == code), None)

    def taxes_of(self, charge: TransactionCode) -> tuple[TransactionCode, ...]:
        """The tax codes a charge code bears, in the order it names them."""
        found = (self.find(code) for code in charge.taxes)
        return tuple(tax for tax in found if tax is not None)
