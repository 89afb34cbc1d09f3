"""Routing instructions: which charges posted to a folio land on another (room and tax to the company).

An instruction names transaction codes and/or departments; the first instruction of the folio
(in the order they were given) naming a charge's code or department takes the charge. Taxes
follow their charge. One hop only: the target's own instructions are not followed, so no
routing can loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from canonical.folio import RoutingInstruction
from canonical.folio_codes import CodeKind, TransactionCode


def matches(instruction: RoutingInstruction, code: TransactionCode) -> bool:
    """Whether the instruction takes charges of this code."""
    if code.kind is not CodeKind.CHARGE:
        return False
    named = code.code in instruction.transaction_codes
    return named or (code.department is not None and code.department in instruction.departments)


def route(folio_id: UUID, instructions: Sequence[RoutingInstruction], code: TransactionCode) -> UUID:
    """The folio a charge of `code` posted to `folio_id` lands on."""
    for instruction in instructions:
        if instruction.source_folio_id == folio_id and matches(instruction, code):
            return instruction.target_folio_id
    return folio_id
