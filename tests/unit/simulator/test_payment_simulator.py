"""The simulated gateway keeps its own books: one capture per idempotency key, Stripe's replay rules, signed webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from payment_builders import SECRET_NEW, eur, gateway

from connectors.payments.client import StripeGateway
from connectors.payments.codec import CardDetails
from connectors.payments.errors import (
    GatewayAuthFailed,
    GatewayUnavailable,
    IdempotencyConflict,
    InvalidPaymentRequest,
    PaymentDeclined,
)
from connectors.payments.simulator import GatewaySimulator
from connectors.payments.webhooks import decode_secret, verify

SIM_URL = "http://gateway.sim"
GOOD = CardDetails(number="4242424242424242", exp_month=8, exp_year=2030)
DECLINING = CardDetails(number="4000000000009995", exp_month=8, exp_year=2030)


@pytest.fixture
def received() -> list[httpx.Request]:
    """The webhooks the simulator sent."""
    return []


@pytest.fixture
async def sim(received: list[httpx.Request]) -> AsyncIterator[GatewaySimulator]:
    """A simulator that signs webhooks with the new secret and posts them to a recording endpoint."""

    async def hotel(request: httpx.Request) -> httpx.Response:
        await request.aread()
        received.append(request)
        return httpx.Response(204)

    simulator = GatewaySimulator(
        webhook_url="http://hub.test/webhooks/payments/stripe",
        webhook_keys=(decode_secret(SECRET_NEW),),
        http=httpx.AsyncClient(transport=httpx.MockTransport(hotel)),
    )
    yield simulator
    await simulator.aclose()


@pytest.fixture
async def client(sim: GatewaySimulator) -> AsyncIterator[StripeGateway]:
    """The connector talking to the simulator in-process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app)) as http:
        yield gateway(http, base_url=SIM_URL, api_key=sim.api_key)


async def _hold(client: StripeGateway, card: CardDetails = GOOD, amount: int = 48000) -> str:
    token = await client.tokenise(card, idempotency_key=f"tok-{card.last4}")
    hold = await client.authorise(token, eur(amount), idempotency_key=f"auth-{card.last4}", reference="F-1")
    return hold.authorisation_id


async def test_given_duplicate_check_out_deliveries_when_captured_with_one_key_then_one_capture(
    client: StripeGateway, sim: GatewaySimulator
) -> None:
    intent = await _hold(client)

    first = await client.capture(intent, eur(45000), idempotency_key="capture:msg-1")
    again = await client.capture(intent, eur(45000), idempotency_key="capture:msg-1")

    assert sim.ledger.captures == 1
    assert sim.ledger.captured == {"eur": 45000}
    assert first == again
    assert sim.calls[-1] == ("/v1/payment_intents/" + intent + "/capture", 200)


async def test_given_a_key_reused_with_other_parameters_when_called_then_409_and_nothing_more_captured(
    client: StripeGateway, sim: GatewaySimulator
) -> None:
    intent = await _hold(client)
    await client.capture(intent, eur(45000), idempotency_key="capture:msg-1")

    with pytest.raises(IdempotencyConflict):
        await client.capture(intent, eur(40000), idempotency_key="capture:msg-1")

    assert (sim.ledger.captures, sim.ledger.captured) == (1, {"eur": 45000})


async def test_given_a_declining_card_when_authorised_then_declined_and_the_replay_is_the_same_decline(
    client: StripeGateway, sim: GatewaySimulator
) -> None:
    token = await client.tokenise(DECLINING, idempotency_key="tok")

    for _ in range(2):
        with pytest.raises(PaymentDeclined) as raised:
            await client.authorise(token, eur(48000), idempotency_key="auth-1", reference="F-1")
        assert raised.value.decline_code == "insufficient_funds"

    assert sim.ledger.intents == {}


async def test_given_a_hold_when_the_balance_passes_it_then_increment_raises_it_or_a_decline_keeps_it(
    client: StripeGateway, sim: GatewaySimulator
) -> None:
    intent = await _hold(client)

    raised = await client.increment(intent, eur(61000), idempotency_key="inc-1")
    sim.ledger.decline_next = 1
    with pytest.raises(PaymentDeclined):
        await client.increment(intent, eur(70000), idempotency_key="inc-2")

    assert raised.authorised == eur(61000)
    assert sim.ledger.intents[intent].amount == 61000


async def test_given_a_500_before_execution_when_retried_with_the_same_key_then_it_succeeds_once(
    client: StripeGateway, sim: GatewaySimulator
) -> None:
    intent = await _hold(client)
    sim.fail_next("500")

    with pytest.raises(GatewayUnavailable):
        await client.capture(intent, eur(100), idempotency_key="cap")
    await client.capture(intent, eur(100), idempotency_key="cap")

    assert sim.ledger.captures == 1


async def test_given_a_wrong_api_key_when_called_then_auth_failed(sim: GatewaySimulator) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app)) as http:
        with pytest.raises(GatewayAuthFailed):
            await gateway(http, base_url=SIM_URL, api_key="sk_wrong").tokenise(GOOD, idempotency_key="t")


async def test_given_a_capture_then_refund_when_refunding_more_than_is_left_then_refused(
    client: StripeGateway, sim: GatewaySimulator
) -> None:
    intent = await _hold(client)
    await client.capture(intent, eur(1000), idempotency_key="cap")

    done = await client.refund(intent, eur(600), idempotency_key="ref-1")
    with pytest.raises(InvalidPaymentRequest, match="HTTP 400"):
        await client.refund(intent, eur(600), idempotency_key="ref-2")

    assert done.amount == eur(600)
    assert [r["amount"] for r in sim.ledger.refunds.values()] == [600]


async def test_given_operations_when_done_then_signed_webhooks_arrive_in_order(
    client: StripeGateway, sim: GatewaySimulator, received: list[httpx.Request]
) -> None:
    intent = await _hold(client)
    await client.capture(intent, eur(1000), idempotency_key="cap")
    await sim.drain()

    kinds = []
    for request in received:
        verify(request.headers, request.content, [decode_secret(SECRET_NEW)], now=datetime.now(UTC))
        kinds.append(request.content)
    assert [b"payment_intent.amount_capturable_updated" in k for k in kinds] == [True, False]
    assert b"payment_intent.succeeded" in kinds[1]
    assert [status for _, status in sim.webhooks_sent] == [204, 204]
