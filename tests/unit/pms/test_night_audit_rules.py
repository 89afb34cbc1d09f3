"""The closed day's figures: statistics and their rounding, ledger movements, revenue by code."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from canonical.folio_codes import CodeKind
from canonical.revenue import Ledger
from pms_core.day_figures import (
    DaySum,
    LedgerDay,
    movement,
    payment_lines,
    revenue_lines,
    statistics,
    tax_lines,
)

minor = st.integers(min_value=-(10**9), max_value=10**9)


def test_given_two_of_three_rooms_sold_when_figured_then_occupancy_has_four_places_and_adr_rounds_half_up() -> (
    None
):
    stats = statistics(rooms_available=3, rooms_sold=2, room_revenue_minor=10001, currency="EUR")

    assert stats.occupancy == Decimal("0.6667")
    assert stats.adr == Decimal("50.01")  # 100.01 / 2 = 50.005, half up
    assert stats.revpar == Decimal("33.34")  # 100.01 / 3 = 33.336...


def test_given_a_yen_property_when_figured_then_adr_and_revpar_have_no_decimals() -> None:
    stats = statistics(rooms_available=7, rooms_sold=3, room_revenue_minor=50000, currency="JPY")

    assert (stats.adr, stats.revpar) == (Decimal("16667"), Decimal("7143"))


def test_given_nothing_sold_nor_available_when_figured_then_every_ratio_is_zero() -> None:
    stats = statistics(rooms_available=0, rooms_sold=0, room_revenue_minor=0, currency="EUR")

    assert (stats.occupancy, stats.adr, stats.revpar) == (Decimal("0.0000"), Decimal("0.00"), Decimal("0.00"))


def test_given_a_previous_closing_when_the_day_explains_the_change_then_no_mismatch() -> None:
    moved, problem = movement(Ledger.GUEST, LedgerDay(12300, -5000, 19600), Decimal("123.00"), "EUR")

    assert problem is None
    assert (moved.opening, moved.debits, moved.credits, moved.closing) == (
        Decimal("123.00"), Decimal("123.00"), Decimal("-50.00"), Decimal("196.00"),
    )  # fmt: skip


def test_given_a_closing_the_day_does_not_explain_when_moved_then_the_mismatch_says_by_how_much() -> None:
    _, problem = movement(Ledger.CITY, LedgerDay(1000, 0, 1001), Decimal("0.00"), "EUR")

    assert problem == (
        "city ledger: opening 0.00 + debits 10.00 + credits 0.00 != closing 10.01 EUR (off by 0.01)"
    )


def test_given_a_first_close_when_moved_then_the_opening_is_what_the_day_does_not_explain() -> None:
    moved, problem = movement(Ledger.GUEST, LedgerDay(500, -200, 1000), None, "EUR")

    assert problem is None and moved.opening == Decimal("7.00")


@given(debits=minor.map(abs), credits=minor.map(lambda v: -abs(v)), opening=minor, closing=minor)
def test_given_any_deposit_day_when_moved_then_opening_debits_and_credits_add_up_to_the_closing(
    debits: int, credits: int, opening: int, closing: int
) -> None:
    moved, problem = movement(
        Ledger.ADVANCE_DEPOSITS,
        LedgerDay(debits, credits, closing),
        Decimal(opening).scaleb(-2),
        "EUR",
        balancing=True,
    )

    assert problem is None
    assert moved.opening + moved.debits + moved.credits == moved.closing
    assert moved.debits >= 0 >= moved.credits


def _sum(kind: CodeKind, code: str, department: str | None, gl: str, units: int) -> DaySum:
    return DaySum(kind, code, department, gl, units)


def test_given_the_days_sums_when_shaped_then_grouped_by_department_and_gl_sorted_and_zeroes_left_out() -> (
    None
):
    sums = [
        _sum(CodeKind.CHARGE, "ROOM", "ROOMS", "4000", 10909),
        _sum(CodeKind.CHARGE, "NOSHOW", "ROOMS", "4000", 5000),
        _sum(CodeKind.CHARGE, "FNB", "FNB", "4100", 800),
        _sum(CodeKind.CHARGE, "MINIBAR", "FNB", "4100", -800),
        _sum(CodeKind.TAX, "VAT10", "TAX", "2210", 1091),
        _sum(CodeKind.TAX, "CITYTAX", "TAX", "2230", 300),
        _sum(CodeKind.PAYMENT, "CARD", None, "1010", -5000),
    ]

    assert [(line.department, line.gl_account, line.amount) for line in revenue_lines(sums, "EUR")] == [
        ("ROOMS", "4000", Decimal("159.09"))
    ]
    assert [(line.tax_code, line.amount) for line in tax_lines(sums, "EUR")] == [
        ("CITYTAX", Decimal("3.00")),
        ("VAT10", Decimal("10.91")),
    ]
    assert [(line.method, line.amount) for line in payment_lines(sums, "EUR")] == [
        ("CARD", Decimal("-50.00"))
    ]
