"""Routing instructions: a charge goes to the first instruction naming its code or department."""

from __future__ import annotations

from uuid import UUID, uuid4

from folio_builders import a_code_book

from canonical.folio import RoutingInstruction
from canonical.folio_codes import TransactionCode
from pms_core.folio_routing import route

BOOK = a_code_book()
GUEST, COMPANY, MASTER = uuid4(), uuid4(), uuid4()


def _code(code: str) -> TransactionCode:
    found = BOOK.find(code)
    assert found is not None
    return found


def _to(
    target: UUID, *, codes: frozenset[str] = frozenset(), departments: frozenset[str] = frozenset()
) -> RoutingInstruction:
    return RoutingInstruction(
        id=uuid4(),
        source_folio_id=GUEST,
        target_folio_id=target,
        transaction_codes=codes,
        departments=departments,
    )


def test_given_room_to_the_company_and_fnb_to_the_master_when_routed_then_extras_stay_with_the_guest() -> (
    None
):
    rules = [_to(COMPANY, codes=frozenset({"ROOM"})), _to(MASTER, departments=frozenset({"FNB"}))]

    assert route(GUEST, rules, _code("ROOM")) == COMPANY
    assert route(GUEST, rules, _code("FNB")) == MASTER
    assert route(GUEST, rules, _code("MINIBAR")) == MASTER  # department FNB
    assert route(GUEST, rules[:1], _code("MINIBAR")) == GUEST


def test_given_two_instructions_naming_a_code_when_routed_then_the_first_given_wins() -> None:
    rules = [_to(COMPANY, departments=frozenset({"ROOMS"})), _to(MASTER, codes=frozenset({"ROOM"}))]

    assert route(GUEST, rules, _code("ROOM")) == COMPANY


def test_given_an_instruction_of_another_folio_or_a_payment_when_routed_then_it_stays() -> None:
    other = RoutingInstruction(
        id=uuid4(),
        source_folio_id=MASTER,
        target_folio_id=COMPANY,
        transaction_codes=frozenset({"ROOM", "CASH"}),
    )

    assert route(GUEST, [other], _code("ROOM")) == GUEST
    assert route(MASTER, [other], _code("CASH")) == MASTER  # payments are never routed
