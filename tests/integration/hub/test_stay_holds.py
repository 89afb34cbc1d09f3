"""A folio's hold as the stay routes read it back from the payment operations (routes/stay_payments.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from canonical.payments import HoldStatus
from routes.payment_tables import payment_operations
from routes.stay_payments import current_hold

T0 = datetime(2031, 2, 10, 14, 0, tzinfo=UTC)


def _operation(seq: int, operation: str, outcome: str = "done", **values: Any) -> dict[str, Any]:
    """A payment_operations row of folio F-1, the `seq`-th call, at T0 + seq seconds."""
    return {
        "idempotency_key": f"hotelhub:{operation}:m-{seq}",
        "partner_id": "gateway",
        "property_code": "ALPINA",
        "folio_id": "F-1",
        "operation": operation,
        "message_id": f"m-{seq}",
        "authorisation_id": "pi_1",
        "amount_minor": None,
        "currency": None,
        "outcome": outcome,
        "detail": None,
        "at": T0 + timedelta(seconds=seq),
        **values,
    }


async def _hold_after(engine: AsyncEngine, *rows: dict[str, Any]) -> Any:
    async with engine.begin() as conn:
        if rows:
            await conn.execute(payment_operations.insert(), list(rows))
        return await current_hold(conn, "ALPINA", "F-1")


async def test_given_no_call_or_only_a_declined_one_when_read_then_no_hold(engine: AsyncEngine) -> None:
    assert await _hold_after(engine) is None
    declined = _operation(
        1, "authorise", "declined", authorisation_id=None, amount_minor=18200, currency="EUR"
    )
    assert await _hold_after(engine, declined) is None


async def test_given_a_hold_raised_and_a_declined_raise_when_read_then_the_last_amount_confirmed(
    engine: AsyncEngine,
) -> None:
    held = await _hold_after(
        engine,
        _operation(1, "authorise", amount_minor=18200, currency="EUR"),
        _operation(2, "increment", amount_minor=18700, currency="EUR"),
        _operation(3, "increment", "declined", amount_minor=30000, currency="EUR"),
    )

    assert held is not None and held.status is HoldStatus.HELD
    assert (held.authorisation_id, held.authorised.value, held.authorised.currency) == ("pi_1", 18700, "EUR")


async def test_given_a_hold_captured_or_voided_when_read_then_no_longer_held(engine: AsyncEngine) -> None:
    captured = await _hold_after(
        engine,
        _operation(1, "authorise", amount_minor=18200, currency="EUR"),
        _operation(2, "capture", amount_minor=18500, currency="EUR"),
    )
    assert captured is not None and captured.status is HoldStatus.CAPTURED

    async with engine.begin() as conn:
        await conn.execute(payment_operations.delete())
    voided = await _hold_after(
        engine, _operation(1, "authorise", amount_minor=500, currency="EUR"), _operation(2, "void")
    )
    assert voided is not None and voided.status is HoldStatus.VOIDED
