"""The payment flow against the simulated gateway through the hub's outbound seam: holds, one capture, declines, outages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from payment_builders import capture, command, eur, void
from payment_hub import PaymentHub, payment_hub
from sqlalchemy import select

from canonical.base import Money
from canonical.errors import ConfigurationError, TransientError
from canonical.payments import (
    HoldStatus,
    PaymentAuthorised,
    PaymentCaptured,
    PaymentDeclined,
    PaymentOperation,
)
from routes.outbound.errors import BreakerOpen, PartnerPaused
from routes.pauses import paused_reason
from routes.payment_tables import payment_operations, payment_webhook_receipts

GOOD_PAN, DECLINING_PAN = "4242424242424242", "4000000000009995"


@pytest.fixture
async def pay(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[PaymentHub]:
    """A hub whose gateway partner is the simulator."""
    async with payment_hub(database_url, tmp_path, monkeypatch) as running:
        yield running


async def _token(pay: PaymentHub, pan: str) -> str:
    # The way cards arrive: ingress's vault, which asks the configured gateway.
    return await pay.hub.ingress.vault.tokenize(pan, "0830")


async def _outcomes(pay: PaymentHub) -> list[tuple[str, str]]:
    async with pay.hub.engine.connect() as conn:
        rows = await conn.execute(
            select(payment_operations.c.operation, payment_operations.c.outcome).order_by(
                payment_operations.c.at
            )
        )
        return [tuple(r) for r in rows]


async def _receipt_types(pay: PaymentHub) -> list[str]:
    async with pay.hub.engine.connect() as conn:
        return sorted(r.event_type for r in await conn.execute(select(payment_webhook_receipts.c.event_type)))


async def test_given_a_check_in_and_duplicate_check_outs_when_run_then_deposit_held_and_one_capture(
    pay: PaymentHub,
) -> None:
    token = await _token(pay, GOOD_PAN)
    held = await pay.flow.hold_for_check_in(
        uuid4(), "ALPINA", "F-1001", token, Money(amount=Decimal("380.00"), currency="EUR")
    )
    assert isinstance(held, PaymentAuthorised)
    raised = await pay.flow.top_up(
        uuid4(), "ALPINA", "F-1001", held.hold, Money(amount=Decimal("520.50"), currency="EUR")
    )
    assert raised is not None
    covered = await pay.flow.top_up(
        uuid4(), "ALPINA", "F-1001", raised.hold, Money(amount=Decimal("600"), currency="EUR")
    )
    check_out = command(capture(held.hold.authorisation_id, 51000))

    pay.wire.lose_next = 1  # the first capture's answer is lost after the gateway took the money
    first = await pay.flow.handle(check_out)
    again = await pay.flow.handle(check_out)  # the check-out message delivered a second time

    assert token.startswith("pm_")
    assert held.hold.authorised == eur(48000)  # 380.00 stay + 100.00 incidentals deposit
    assert raised.hold.authorised == eur(62050)  # 520.50 owed + 100.00 again
    assert covered is None
    assert isinstance(first, PaymentCaptured) and first == again
    assert (first.amount, first.hold.status) == (eur(51000), HoldStatus.CAPTURED)
    assert pay.sim.ledger.captures == 1
    assert pay.sim.ledger.captured == {"eur": 51000}
    assert await _outcomes(pay) == [("authorise", "done"), ("increment", "done"), ("capture", "done")]
    await pay.sim.drain()  # the gateway's signed webhooks reached the hub's door, each stored once
    assert sorted(pay.sim.webhooks_sent) == [  # sent concurrently: any order
        ("payment_intent.amount_capturable_updated", 200),
        ("payment_intent.amount_capturable_updated", 200),
        ("payment_intent.succeeded", 200),
    ]
    assert await _receipt_types(pay) == sorted(t for t, _ in pay.sim.webhooks_sent)


async def test_given_the_api_key_refused_when_called_then_the_gateway_is_paused_and_called_no_more(
    pay: PaymentHub,
) -> None:
    pay.sim.api_key = "sk_test_rotated_at_the_gateway"

    with pytest.raises(ConfigurationError):
        await pay.flow.handle(command(void("pi_sim00000001")))
    calls = len(pay.sim.calls)
    with pytest.raises(PartnerPaused):
        await pay.flow.handle(command(void("pi_sim00000001")))

    async with pay.hub.engine.connect() as conn:
        assert await paused_reason(conn, "stripe") is not None
    assert len(pay.sim.calls) == calls


async def test_given_a_declining_card_and_a_gateway_down_when_run_then_declined_alert_then_breaker(
    pay: PaymentHub, caplog: pytest.LogCaptureFixture
) -> None:
    token = await _token(pay, DECLINING_PAN)
    caplog.set_level(logging.ERROR, logger="hotelhub.payments")

    declined = await pay.flow.hold_for_check_in(
        uuid4(), "ALPINA", "F-2002", token, Money(amount=Decimal("90"), currency="EUR")
    )
    pay.sim.fail_next("500", 10)
    with pytest.raises(TransientError):  # three attempts with one key, then the route's retry
        await pay.flow.handle(command(capture("pi_sim00000001", 100)))
    calls = len(pay.sim.calls)
    with pytest.raises(BreakerOpen):  # threshold 3: open, and no call is made
        await pay.flow.handle(command(capture("pi_sim00000001", 100)))
    fallback = await _token(pay, GOOD_PAN)  # ingress is never refused for want of the gateway

    assert isinstance(declined, PaymentDeclined)
    assert (declined.operation, declined.decline_code) == (PaymentOperation.AUTHORISE, "insufficient_funds")
    assert [r.alert for r in caplog.records if hasattr(r, "alert")] == ["P2"]  # type: ignore[attr-defined]
    assert len(pay.sim.calls) == calls
    assert fallback.startswith("hhv1.") and await pay.hub.ingress.vault.detokenize(fallback) == GOOD_PAN
    assert pay.sim.ledger.captures == 0 and pay.sim.ledger.intents == {}
    assert await _outcomes(pay) == [("authorise", "declined")]
