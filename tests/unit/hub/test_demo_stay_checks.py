"""The demo's stay checks: a folio left open or owing, a capture missing, doubled or of another amount,
an ERP day whose revenue is not the folio's charges of that day, each is a problem; a check whose
piece is not there is left out and says why."""

from __future__ import annotations

from datetime import date
from typing import Any

from hub.demo.stay import StayScene
from hub.demo.stay_checks import capture_check, erp_check, folio_check

DAY = date(2031, 6, 1)
HOLD = {"id": "pi_1", "amount": 28000, "currency": "eur", "amount_received": 0}


def _line(code_kind: str, amount: str, business_date: date = DAY) -> dict[str, Any]:
    return {"code_kind": code_kind, "amount": amount, "business_date": business_date.isoformat()}


def _folio(*, status: str = "closed", balance: str = "0.00", invoice: int | None = 1) -> dict[str, Any]:
    return {
        "folio_id": "f-1",
        "status": status,
        "balance": balance,
        "invoice_number": invoice,
        "totals": {"charges": "190.94", "taxes": "26.06", "payments": "-217.00"},
        "lines": [
            _line("charge", "163.64"),
            _line("tax", "16.36"),
            _line("charge", "27.30"),
            _line("tax", "9.70"),
            _line("payment", "-217.00", date(2031, 6, 2)),
        ],
    }


def _scene(*, captured: list[int] | None = None, revenue: str = "190.94", wired: bool = True) -> StayScene:
    scene = StayScene(business_date=DAY, folio=_folio())
    scene.erp_day = {"totals": {"revenue": revenue}}
    if wired:
        scene.hold = HOLD
        scene.captures = [{**HOLD, "amount_received": n} for n in (captured or [])]
    return scene


def test_given_a_folio_closed_at_zero_when_checked_then_it_holds() -> None:
    check = folio_check(_folio())

    assert check.checked and check.problems == ()


def test_given_a_folio_still_open_and_owing_when_checked_then_both_are_problems() -> None:
    check = folio_check(_folio(status="open", balance="12.00", invoice=None))

    assert check.checked
    assert len(check.problems) == 2
    assert any("is open" in p for p in check.problems)
    assert any("balance of 12.00" in p for p in check.problems)


def test_given_one_capture_of_the_folio_total_when_checked_then_it_holds() -> None:
    check = capture_check(_scene(captured=[21700]))

    assert check.checked and check.problems == ()


def test_given_no_capture_two_captures_or_another_amount_when_checked_then_each_is_a_problem() -> None:
    for captured in ([], [21700, 21700], [28000]):
        check = capture_check(_scene(captured=captured))

        assert check.checked
        assert check.problems, captured


def test_given_no_hold_at_check_in_when_checked_then_the_capture_is_not_checked_and_says_why() -> None:
    check = capture_check(_scene(wired=False))

    assert not check.checked
    assert "not wired" in check.why_not


def test_given_the_erp_revenue_equal_to_the_folio_charges_of_the_day_when_checked_then_it_holds() -> None:
    check = erp_check(_scene())

    assert check.checked and check.problems == ()


def test_given_the_erp_revenue_off_by_a_cent_when_checked_then_it_is_a_problem() -> None:
    check = erp_check(_scene(revenue="190.95"))

    assert check.problems == (f"stay: the ERP's revenue of {DAY} is 190.95, the folio charged 190.94",)


def test_given_no_erp_day_when_checked_then_the_revenue_is_not_checked() -> None:
    scene = _scene()
    scene.erp_day = None

    assert not erp_check(scene).checked
