"""The gateway client against recorded Stripe answers: requests as documented, answers read, every failure classed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from payment_builders import API, API_KEY, INTENT, eur, gateway, recorded, seam_client

from canonical.errors import ConfigurationError, PermanentError, TransientError
from canonical.payments import HoldStatus
from connectors.payments.client import StripeGateway
from connectors.payments.codec import CardDetails
from connectors.payments.errors import (
    GatewayAuthFailed,
    GatewayUnavailable,
    IdempotencyConflict,
    InvalidPaymentRequest,
    PaymentDeclined,
    RateLimited,
)

KEY = "hotelhub:authorise:1b4e28ba"


@pytest.fixture
async def client() -> AsyncIterator[StripeGateway]:
    """The connector on the httpx client the outbound seam builds for the gateway partner."""
    seam = seam_client()
    try:
        yield gateway(seam.http)
    finally:
        await seam.aclose()


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


@respx.mock
async def test_given_a_card_when_tokenised_then_form_posted_with_key_and_pm_id_returned(
    client: StripeGateway,
) -> None:
    route = respx.post(f"{API}/v1/payment_methods").mock(return_value=recorded("payment_method"))
    card = CardDetails(number="4242424242424242", exp_month=8, exp_year=2030, holder_name="Ada Lovelace")

    token = await client.tokenise(card, idempotency_key="hotelhub:tokenise:m1")

    sent = route.calls.last.request
    assert token == "pm_1Q0PsIJvEtkwdCNYMSaVuRz6"
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["Idempotency-Key"] == "hotelhub:tokenise:m1"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert _form(sent) == {
        "type": "card",
        "card[number]": "4242424242424242",
        "card[exp_month]": "8",
        "card[exp_year]": "2030",
        "billing_details[name]": "Ada Lovelace",
    }
    assert "4242424242424242" not in repr(card)


@respx.mock
async def test_given_a_token_when_authorised_then_manual_capture_confirmed_and_hold_read(
    client: StripeGateway,
) -> None:
    route = respx.post(f"{API}/v1/payment_intents").mock(
        return_value=recorded("payment_intent_requires_capture")
    )

    hold = await client.authorise("pm_1Q0P", eur(48000), idempotency_key=KEY, reference="F-1001")

    form = _form(route.calls.last.request)
    assert form["amount"] == "48000" and form["currency"] == "eur"
    assert (form["capture_method"], form["confirm"]) == ("manual", "true")
    assert form["payment_method_options[card][request_incremental_authorization]"] == "if_available"
    assert form["metadata[folio]"] == "F-1001"
    assert (hold.authorisation_id, hold.status, hold.authorised, hold.incremental) == (
        INTENT,
        HoldStatus.HELD,
        eur(48000),
        True,
    )


@respx.mock
async def test_given_a_hold_when_incremented_captured_voided_refunded_then_each_answer_read(
    client: StripeGateway,
) -> None:
    base = f"{API}/v1/payment_intents/{INTENT}"
    inc = respx.post(f"{base}/increment_authorization").mock(
        return_value=recorded("payment_intent_incremented")
    )
    cap = respx.post(f"{base}/capture").mock(return_value=recorded("payment_intent_captured"))
    respx.post(f"{base}/cancel").mock(return_value=recorded("payment_intent_canceled"))
    ref = respx.post(f"{API}/v1/refunds").mock(return_value=recorded("refund"))

    raised = await client.increment(INTENT, eur(61000), idempotency_key="k1")
    taken = await client.capture(INTENT, eur(55000), idempotency_key="k2")
    voided = await client.void(INTENT, idempotency_key="k3")
    given_back = await client.refund(INTENT, eur(5000), idempotency_key="k4")

    assert _form(inc.calls.last.request) == {"amount": "61000"}
    assert _form(cap.calls.last.request) == {"amount_to_capture": "55000"}
    assert _form(ref.calls.last.request) == {"payment_intent": INTENT, "amount": "5000"}
    assert (raised.authorised, raised.status) == (eur(61000), HoldStatus.HELD)
    assert (taken.captured, taken.status) == (eur(55000), HoldStatus.CAPTURED)
    assert voided.status is HoldStatus.VOIDED
    assert (given_back.refund_id, given_back.amount, given_back.succeeded) == (
        "re_1Nispe2eZvKYlo2Cd31jOCgZ",
        eur(5000),
        True,
    )


@pytest.mark.parametrize(
    ("answer", "error", "branch"),
    [
        (recorded("402_card_declined", 402), PaymentDeclined, PermanentError),
        (recorded("401", 401), GatewayAuthFailed, ConfigurationError),
        (recorded("409_idempotency", 409), IdempotencyConflict, PermanentError),
        (recorded("409_lock_timeout", 409), GatewayUnavailable, TransientError),
        (recorded("429", 429, **{"Retry-After": "2"}), RateLimited, TransientError),
        (recorded("500", 500), GatewayUnavailable, TransientError),
        (httpx.Response(502, text="<html>Bad gateway</html>"), GatewayUnavailable, TransientError),
        (httpx.Response(403, text=""), GatewayAuthFailed, ConfigurationError),
    ],
    ids=["402-decline", "401", "409-idempotency", "409-lock-timeout", "429", "500", "502-html", "403-empty"],
)
@respx.mock
async def test_given_an_error_answer_when_authorising_then_its_branch_is_raised(
    client: StripeGateway, answer: httpx.Response, error: type[Exception], branch: type[Exception]
) -> None:
    respx.post(f"{API}/v1/payment_intents").mock(return_value=answer)

    with pytest.raises(error) as raised:
        await client.authorise("pm_1", eur(48000), idempotency_key=KEY, reference="F-1001")

    assert isinstance(raised.value, branch)
    assert API_KEY not in str(raised.value)


@respx.mock
async def test_given_a_decline_when_authorising_then_the_issuer_reason_is_kept(client: StripeGateway) -> None:
    respx.post(f"{API}/v1/payment_intents").mock(return_value=recorded("402_card_declined", 402))

    with pytest.raises(PaymentDeclined) as raised:
        await client.authorise("pm_1", eur(48000), idempotency_key=KEY, reference="F-1001")

    assert (raised.value.code, raised.value.decline_code) == ("card_declined", "insufficient_funds")


@respx.mock
async def test_given_a_429_with_retry_after_when_called_then_the_delay_travels(client: StripeGateway) -> None:
    respx.post(f"{API}/v1/payment_intents").mock(return_value=recorded("429", 429, **{"Retry-After": "7"}))

    with pytest.raises(RateLimited) as raised:
        await client.authorise("pm_1", eur(1), idempotency_key=KEY, reference="F-1001")

    assert raised.value.retry_after_s == 7.0


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect"),
        httpx.ReadError("Connection reset by peer"),
        httpx.RemoteProtocolError("server disconnected"),
    ],
    ids=["read-timeout", "connect-timeout", "connection-reset", "disconnected"],
)
@respx.mock
async def test_given_no_answer_when_capturing_then_unavailable_from_the_httpx_error(
    client: StripeGateway, failure: httpx.HTTPError
) -> None:
    respx.post(f"{API}/v1/payment_intents/{INTENT}/capture").mock(side_effect=failure)

    with pytest.raises(GatewayUnavailable) as raised:
        await client.capture(INTENT, eur(100), idempotency_key="k")

    assert raised.value.__cause__ is failure


@respx.mock
async def test_given_a_success_that_is_not_json_when_captured_then_unavailable_so_the_same_key_is_retried(
    client: StripeGateway,
) -> None:
    respx.post(f"{API}/v1/payment_intents/{INTENT}/capture").mock(return_value=httpx.Response(200, text="ok"))

    with pytest.raises(GatewayUnavailable):
        await client.capture(INTENT, eur(100), idempotency_key="k")


async def test_given_a_slow_gateway_when_called_through_the_seam_then_its_timeout_applies() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    seam = seam_client(httpx.MockTransport(slow))
    try:
        with pytest.raises(GatewayUnavailable, match="timed out"):
            await gateway(seam.http).void(INTENT, idempotency_key="k")
        assert seam.http.timeout.read == 2.0
    finally:
        await seam.aclose()


@pytest.mark.parametrize("bad", ["../v1/refunds", "pi_1/capture?x=", "pi 1", ""])
@respx.mock
async def test_given_an_id_that_is_not_one_when_captured_then_refused_before_any_call(
    client: StripeGateway, bad: str
) -> None:
    route = respx.post(url__regex=".*").mock(return_value=recorded("payment_intent_captured"))

    with pytest.raises(InvalidPaymentRequest):
        await client.capture(bad, eur(100), idempotency_key="k")

    assert not route.called
