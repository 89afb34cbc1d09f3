"""The `folio:` section of a property: its transaction codes (department, GL account, taxes) as data.

Checked with the rest of the file (`hotelhub config check`): every problem names the code and its
key; applied by `config apply` in the same transaction as the property.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from canonical.folio_codes import CodeKind, FolioCodeBook, Percent, TransactionCode
from canonical.money import AmountNotInCurrency, exact
from hub.config_check import Conflict, did_you_mean, duplicates
from mappings.source import CodeText

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from hub.config import PropertyConfig


class TransactionCodeConfig(BaseModel):
    """One transaction code: kind (charge, tax, payment), name, department, GL account, taxes or rate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: CodeText
    kind: CodeKind
    name: Annotated[str, Field(min_length=1, max_length=200)]
    department: CodeText | None = None
    gl_account: CodeText
    taxes: tuple[CodeText, ...] = ()
    percent: Percent | None = None
    per_person_night: Annotated[Decimal, Field(gt=0, max_digits=12)] | None = None
    inclusive: bool = False
    deposit: bool = False

    def to_code(self) -> TransactionCode:
        """The canonical transaction code."""
        return TransactionCode(**self.model_dump())


class FolioConfig(BaseModel):
    """A property's transaction codes; taxes are codes of kind `tax` named by the charges bearing them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transaction_codes: tuple[TransactionCodeConfig, ...] = Field(min_length=1)

    def code_book(self, property_code: str, currency: str) -> FolioCodeBook:
        """The canonical code book of the property."""
        codes = tuple(entry.to_code() for entry in self.transaction_codes)
        return FolioCodeBook(property_code=property_code, currency=currency, codes=codes)


def _shape(index: int, entry: TransactionCodeConfig) -> list[Conflict]:
    try:
        entry.to_code()
    except ValidationError as err:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in err.errors())
        return [((index,), reasons)]
    return []


def _amount(index: int, entry: TransactionCodeConfig, currency: str | None) -> list[Conflict]:
    if entry.per_person_night is None or currency is None:
        return []
    try:
        exact(entry.per_person_night, currency)
    except AmountNotInCurrency as err:
        return [((index, "per_person_night"), f"transaction code {entry.code!r}: {err}")]
    return []


def folio_conflicts(folio: FolioConfig | None, currency: str | None) -> list[Conflict]:
    """Every problem of a `folio:` section at once, each naming its code: a code that does not fit
    its kind, a code defined twice, a tax that is not defined, an amount the currency cannot hold."""
    if folio is None:
        return []
    entries = folio.transaction_codes
    found = duplicates([entry.code for entry in entries], "transaction_codes", "transaction code", ("code",))
    taxes = [entry.code for entry in entries if entry.kind is CodeKind.TAX]
    for index, entry in enumerate(entries):
        found += _shape(index, entry) + _amount(index, entry, currency)
        found += [
            (
                (index, "taxes", position),
                f"transaction code {entry.code!r}: unknown tax code {tax!r}{did_you_mean(tax, taxes)}",
            )
            for position, tax in enumerate(entry.taxes)
            if tax not in taxes
        ]
    return [(("transaction_codes", *loc), reason) for loc, reason in found]


async def apply_folio_codes(conn: AsyncConnection, properties: Sequence[PropertyConfig]) -> list[str]:
    """Make each property's stored transaction codes those of its `folio:` section; one line per change.

    A property without the section keeps the codes it has: its folios' history names them.
    """
    from pms_core.folio_handlers import apply_folio_codes as apply_codes
    from pms_core.unit_of_work import PmsUnitOfWork

    lines = []
    for prop in properties:
        if prop.folio is None:
            continue
        if await apply_codes(PmsUnitOfWork(conn), prop.folio.code_book(prop.code, prop.currency)):
            lines.append(f"property {prop.code}: folio transaction codes updated")
    return lines
