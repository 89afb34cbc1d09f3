"""The partner's circuit breaker through the seam, on an injected clock: open, refuse, half-open, close."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from outbound_fakes import Answers, Channel, Clock, recorded

from canonical.errors import PermanentError, TransientError
from routes import metrics
from routes.outbound.breaker import BreakerState
from routes.outbound.client import OutboundClient, build_outbound
from routes.outbound.errors import BreakerOpen
from routes.policy import BreakerPolicy, DeliveryPolicy

BODY = b"<OTA_HotelRateAmountNotifRQ/>"
POLICY = DeliveryPolicy(breaker=BreakerPolicy(failure_threshold=3, open_s=30.0, half_open_probes=1))


def _client(
    answers: Answers | httpx.MockTransport, clock: Clock, policy: DeliveryPolicy = POLICY
) -> OutboundClient:
    transport = answers.transport if isinstance(answers, Answers) else answers
    return build_outbound(Channel(id="brk"), policy, transport=transport, clock=clock)


def _gauge(partner: str) -> float:
    return metrics.BREAKER_STATE.labels(partner)._value.get()


async def _fail(client: OutboundClient, times: int) -> None:
    for _ in range(times):
        with pytest.raises(TransientError):
            await client.send("POST", content=BODY)


async def test_given_failures_in_a_row_when_threshold_reached_then_open_and_no_request_reaches_the_partner() -> (
    None
):
    clock = Clock()
    answers = Answers(recorded("503"))
    client = _client(answers, clock)
    await _fail(client, 2)
    assert client.breaker is not None and client.breaker.state is BreakerState.CLOSED
    await _fail(client, 1)
    assert client.breaker.state is BreakerState.OPEN and _gauge("brk") == 2
    clock.advance(10)
    with pytest.raises(BreakerOpen) as refused:
        await client.send("POST", content=BODY)
    assert refused.value.retry_after_s == pytest.approx(20.0)
    assert len(answers.requests) == 3


async def test_given_open_breaker_when_open_s_passed_then_one_probe_and_a_good_probe_closes() -> None:
    clock = Clock()
    release = asyncio.Event()
    calls = 0

    async def partner(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls <= 3:
            return recorded("500")
        await release.wait()  # the probe is in flight until the test lets it answer
        return recorded("200")

    client = _client(httpx.MockTransport(partner), clock)
    await _fail(client, 3)
    clock.advance(30)
    assert client.breaker is not None and client.breaker.state is BreakerState.HALF_OPEN
    probe = asyncio.create_task(client.send("POST", content=BODY))
    while calls < 4:
        await asyncio.sleep(0)
    with pytest.raises(BreakerOpen):  # the one probe is out: a second call is not made
        await client.send("POST", content=BODY)
    release.set()
    assert (await probe).status_code == 200
    assert client.breaker.state is BreakerState.CLOSED and _gauge("brk") == 0
    await client.send("POST", content=BODY)
    assert calls == 5


async def test_given_half_open_when_the_probe_fails_then_open_again_for_open_s() -> None:
    clock = Clock()
    answers = Answers(recorded("502"))
    client = _client(answers, clock)
    await _fail(client, 3)
    clock.advance(30)
    await _fail(client, 1)
    assert client.breaker is not None and client.breaker.state is BreakerState.OPEN
    clock.advance(29)
    with pytest.raises(BreakerOpen):
        await client.send("POST", content=BODY)
    assert len(answers.requests) == 4


async def test_given_rejected_messages_when_many_in_a_row_then_breaker_stays_closed() -> None:
    # A 400 is the partner answering: it is up, whatever it thinks of the message.
    clock = Clock()
    client = _client(Answers(recorded("400")), clock)
    for _ in range(5):
        with pytest.raises(PermanentError):
            await client.send("POST", content=BODY)
    assert client.breaker is not None and client.breaker.state is BreakerState.CLOSED
