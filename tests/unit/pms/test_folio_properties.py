"""Any sequence of postings, reversals, transfers, splits, payments and closes keeps the folios' books.

On every folio the lines add up to its balance; transfers and splits leave the sum over all folios
as it was; every reversal nets its line to zero; a closed folio never changes; every amount keeps
its currency's exponent, so rounding makes or loses no minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from folio_builders import a_code_book, a_folio, posting
from hypothesis import event, given, settings
from hypothesis import strategies as st

from canonical.folio import FolioKind, FolioLine, FolioStatus, LineKind
from canonical.folio_codes import FolioCodeBook, TransactionCode
from canonical.money import from_minor, quantise
from pms_core import folio_moves, folios
from pms_core.folio_errors import FolioRefused
from pms_core.folios import Folio

CHARGES = ("ROOM", "FNB", "MINIBAR")
METHODS = ("CASH", "CARD")


@dataclass
class Books:
    """Three folios of one currency and the code book they post with."""

    book: FolioCodeBook
    folios: list[Folio]

    def total(self) -> Decimal:
        return sum((folio.balance for folio in self.folios), Decimal(0))


def _pick(books: Books, op: Op) -> tuple[Folio, FolioLine] | None:
    """An open charge or payment: on the op's folio first, else on the next folio that has one."""
    for step in range(len(books.folios)):
        folio = books.folios[(op.folio + step) % len(books.folios)]
        heads = [line for line in folio.lines if _is_open(folio, line)]
        if heads and folio.status is FolioStatus.OPEN:
            return folio, heads[op.pick % len(heads)]
    return None


def _is_open(folio: Folio, line: FolioLine) -> bool:
    try:
        folio.open_line(line.id)
    except FolioRefused:
        return False
    return True


@dataclass(frozen=True)
class Op:
    """One operation on folio `folio`: its code, an amount in minor units, a line pick, a count."""

    name: str
    folio: int
    code: str = ""
    units: int = 0
    pick: int = 0
    count: int = 1
    other: int = 0


folio_index = st.integers(min_value=0, max_value=2)
picks = st.integers(0, 50)
charge_op = st.builds(
    Op,
    st.just("charge"),
    folio_index,
    code=st.sampled_from(CHARGES),
    units=st.integers(1, 50_000),
    count=st.integers(1, 4),
    other=st.integers(1, 3),
)
reverse_op = st.builds(Op, st.just("reverse"), folio_index, pick=picks)
transfer_op = st.builds(Op, st.just("transfer"), folio_index, pick=picks, other=folio_index)
split_op = st.builds(Op, st.just("split"), folio_index, pick=picks, count=st.integers(2, 4))
# Weighted towards postings and moves: a folio closed early takes nothing more.
operation = st.one_of(
    charge_op, charge_op, charge_op, reverse_op, reverse_op, transfer_op, transfer_op, split_op, split_op,
    st.builds(Op, st.just("pay"), folio_index, code=st.sampled_from(METHODS),
              units=st.integers(-5_000, 60_000).filter(bool)),
    st.builds(Op, st.just("settle"), folio_index),
    st.builds(Op, st.just("close"), folio_index),
)  # fmt: skip


def _code(book: FolioCodeBook, code: str) -> TransactionCode:
    found = book.find(code)
    assert found is not None
    return found


def _apply(books: Books, op: Op, number: int) -> list[FolioLine]:
    """Run one operation; the lines it posted (a refusal posts none)."""
    folio, book, when = books.folios[op.folio], books.book, posting("test")
    if op.name == "charge":
        charge = _code(book, op.code)
        unit = from_minor(op.units, folio.currency)
        return folios.charge(folio, charge, book.taxes_of(charge), unit, op.count, op.other, when)
    if op.name == "pay":
        return folios.payment(folio, _code(book, op.code), from_minor(op.units, folio.currency), when)
    if op.name == "settle":
        if folio.balance == 0:
            return []
        return folios.payment(folio, _code(book, "CASH"), folio.balance, when)
    if op.name == "close":
        folio.close(number, when.at)
        return []
    picked = _pick(books, op)
    if picked is None:
        return []
    folio, line = picked
    if op.name == "reverse":
        return folios.reverse(folio, line.id, when)
    if op.name == "transfer":
        target = books.folios[op.other]
        if target is folio:  # to itself is refused; take the next folio instead
            target = books.folios[(op.other + 1) % len(books.folios)]
        return folio_moves.transfer(folio, target, (line.id,), when)
    return folio_moves.split(folio, line.id, (), op.count, when)


def _check_books(books: Books) -> None:
    for folio in books.folios:
        amounts = [line.amount for line in folio.lines]
        assert folio.balance == sum(amounts, Decimal(0))
        assert all(amount == quantise(amount, folio.currency) for amount in amounts)
        assert [line.seq for line in folio.lines] == list(range(1, len(folio.lines) + 1))
        by_id = {line.id: line for line in folio.lines}
        for line in folio.lines:
            if line.kind is LineKind.REVERSAL:
                assert line.reverses is not None
                assert by_id[line.reverses].amount + line.amount == 0


@settings(max_examples=100, deadline=None)
@given(currency=st.sampled_from(["EUR", "JPY", "KWD"]), ops=st.lists(operation, min_size=1, max_size=40))
def test_given_any_sequence_of_folio_operations_when_applied_then_the_books_hold(
    currency: str, ops: list[Op]
) -> None:
    kinds = (FolioKind.GUEST, FolioKind.COMPANY, FolioKind.MASTER)
    books = Books(a_code_book(currency), [a_folio(currency, kind) for kind in kinds])
    frozen: dict[int, tuple[FolioLine, ...]] = {}
    invoices: list[int] = []
    for number, op in enumerate(ops, start=1):
        before = books.total()
        snapshot = [tuple(folio.lines) for folio in books.folios]
        try:
            posted = _apply(books, op, number)
        except FolioRefused:
            # a refused operation changes nothing, on any folio
            assert [tuple(folio.lines) for folio in books.folios] == snapshot
            posted = []
        closed = books.folios[op.folio].status is FolioStatus.CLOSED
        if op.name == "close" and closed and op.folio not in frozen:
            frozen[op.folio] = tuple(books.folios[op.folio].lines)
            invoices.append(number)
        event(f"{op.name}: {'took effect' if posted or (op.name == 'close' and closed) else 'nothing'}")
        moved = sum((line.amount for line in posted), Decimal(0))
        if op.name in ("transfer", "split"):
            assert books.total() == before  # moving money makes or loses none
            assert moved == 0
        else:
            assert books.total() == before + moved
        if op.name == "reverse" and posted:
            assert moved == 0 - sum(  # the reversal nets its line and taxes to zero
                (line.amount for folio in books.folios for line in folio.lines if line.id in
                 {p.reverses for p in posted}), Decimal(0),
            )  # fmt: skip
        _check_books(books)
        for index, lines in frozen.items():
            assert tuple(books.folios[index].lines) == lines
            assert books.folios[index].balance == 0
    assert invoices == sorted(set(invoices))


def test_given_a_closed_folio_when_charged_then_refused_and_unchanged() -> None:
    folio = a_folio()
    folio.close(1, posting().at)
    book = a_code_book()
    room = book.find("MINIBAR")
    assert room is not None
    try:
        folios.charge(folio, room, (), Decimal("5.00"), 1, 1, posting())
    except FolioRefused as err:
        assert "is closed" in str(err)
    else:
        raise AssertionError("a closed folio took a charge")
    assert folio.lines == []
